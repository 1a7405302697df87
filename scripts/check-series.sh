#!/usr/bin/env bash
# Bisectability and style of the series as shipped (patches/, not the work tree's commits),
# reported per series (folder of patches/):
# in build/linux, on a scratch detached HEAD at "base", apply the series one patch at a
# time; after each, build kernel + modules (config/kvm.config: KVM_AMD=m KVM_INTEL=m
# KVM_WERROR=y) incrementally in build/obj and, when the patch touches the kvm selftests, the
# selftests; run checkpatch.pl --strict on the patch.  The work tree is put back afterwards.
. "$(dirname "$0")/lib.sh"
mapfile -t names < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/patches/series")
[ ${#names[@]} -gt 0 ] || { step "check-series: patches/series is empty; nothing to check"; exit 0; }
# The report: one line a patch, for the base named in it.
out=$BUILD/results/check-series
rm -rf "$out" && mkdir -p "$out"
write_provenance "$out" "patches: ${#names[@]} in patches/series, series $(series_id_of_patches)"
report=$out/report
echo "base $BASE ($BASE_UPSTREAM), series $(series_id_of_patches), ${#names[@]} patches, $(date -u +%Y-%m-%dT%H:%MZ)" >"$report"
checkout_base check-series
cd "$KSRC"
# build/obj is reused: kbuild rebuilds exactly what each step changed.
export KSFT=$BUILD/series-kselftest
failed=0 i=0
declare -A set_total set_bad
sets=()
for n in "${names[@]}"; do
	i=$((i + 1))
	set=${n%%/*}
	[ "$set" = "$n" ] && set=.
	[ -n "${set_total[$set]:-}" ] || { sets+=("$set"); set_total[$set]=0; set_bad[$set]=0; }
	set_total[$set]=$((set_total[$set] + 1))
	step "check-series: [$i/${#names[@]}] $n"
	git am -q --keep-cr "$TOP/patches/$n" || die "check-series: '$n' does not apply; stopping"
	# A finding justified in the changelog by a line "checkpatch: TYPE: why" is ignored.
	ign=$(sed -n '/^---$/q; s/^checkpatch: \([A-Z_]*\):.*/\1/p' "$TOP/patches/$n" | paste -sd, -)
	verdict="applies"
	# The base has no upstream git history, so checkpatch cannot look up any commit id
	# (UNKNOWN_COMMIT_ID on every Fixes:, GIT_COMMIT_ID on a backport's "commit <sha>
	# upstream." line); the ids are verified against upstream by hand (README).
	ign=UNKNOWN_COMMIT_ID,GIT_COMMIT_ID${ign:+,$ign}
	# Debian's python (with python3-ply) for checkpatch's SPDX check, not a pyenv one.
	if PATH=/usr/bin:/bin:$PATH ./scripts/checkpatch.pl --strict --quiet --show-types --ignore "$ign" "$TOP/patches/$n"; then
		verdict+=", checkpatch --strict clean${ign:+ (justified: $ign)}"
	else
		echo "check-series: checkpatch findings in $n" >&2
		verdict+=", CHECKPATCH FINDINGS"
		failed=1
	fi
	if "$TOP/scripts/build-kernel.sh" >/dev/null; then
		verdict+=", kernel builds"
	else
		echo "check-series: kernel build FAILED after $n" >&2
		echo "[$i/${#names[@]}] $n: $verdict, KERNEL BUILD FAILED" >>"$report"
		failed=1
		set_bad[$set]=$((set_bad[$set] + 1))
		continue
	fi
	if grep -q '^diff --git a/tools/testing/selftests/kvm/' "$TOP/patches/$n"; then
		if "$TOP/scripts/build-selftests.sh" >/dev/null; then
			verdict+=", selftests build"
		else
			echo "check-series: selftests build FAILED after $n" >&2
			verdict+=", SELFTESTS BUILD FAILED"
			failed=1
		fi
	fi
	echo "[$i/${#names[@]}] $n: $verdict" >>"$report"
	case $verdict in *FINDINGS*|*FAILED*) set_bad[$set]=$((set_bad[$set] + 1)) ;; esac
done
for set in "${sets[@]}"; do
	if [ "${set_bad[$set]}" = 0 ]; then
		echo "series $set: ${set_total[$set]} patches, each applies, builds and passes checkpatch --strict" >>"$report"
	else
		echo "series $set: ${set_bad[$set]} of ${set_total[$set]} patches with findings" >>"$report"
	fi
done
if [ $failed = 0 ]; then
	echo "all ${#names[@]} patches apply, build alone and pass checkpatch --strict on $BASE" >>"$report"
else
	echo "FAILED on $BASE: see the lines above" >>"$report"
fi
[ $failed = 0 ] || die "check-series: see the findings above"
step "check-series: all ${#names[@]} patches apply, build and pass checkpatch --strict"
