#!/usr/bin/env bash
# Bisectability and style of the series as shipped (patches/, not the work tree):
# apply it one patch at a time to a scratch worktree at "base"; after each patch build the
# kernel and modules (config/kvm.config: KVM_AMD=m KVM_INTEL=m KVM_WERROR=y) and, when the
# patch touches the kvm selftests, the selftests; run checkpatch.pl --strict on the patch.
. "$(dirname "$0")/lib.sh"
tree=$BUILD/series-tree
export OBJ=$BUILD/series-obj KSFT=$BUILD/series-kselftest
mapfile -t names < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/patches/series")
[ ${#names[@]} -gt 0 ] || { step "check-series: patches/series is empty; nothing to check"; exit 0; }

git -C "$BUILD/linux" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"
git -C "$BUILD/linux" worktree prune
git -C "$BUILD/linux" worktree add -q --detach "$tree" base
failed=0 i=0
for n in "${names[@]}"; do
	i=$((i + 1))
	step "check-series: [$i/${#names[@]}] $n"
	git -C "$tree" am -q --keep-cr "$TOP/patches/$n" ||
		die "check-series: '$n' does not apply; stopping"
	(cd "$tree" && ./scripts/checkpatch.pl --strict --quiet --show-types "$TOP/patches/$n") ||
		{ echo "check-series: checkpatch findings in $n" >&2; failed=1; }
	KSRC=$tree "$TOP/scripts/build-kernel.sh" >/dev/null ||
		{ echo "check-series: kernel build FAILED after $n" >&2; failed=1; continue; }
	if grep -q '^diff --git a/tools/testing/selftests/kvm/' "$TOP/patches/$n"; then
		KSRC=$tree "$TOP/scripts/build-selftests.sh" >/dev/null ||
			{ echo "check-series: selftests build FAILED after $n" >&2; failed=1; }
	fi
done
[ $failed = 0 ] || die "check-series: see the findings above"
step "check-series: all ${#names[@]} patches apply, build and pass checkpatch --strict"
