# Shared helpers for the workbench scripts.  Sourced, not run.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$TOP/base.conf"
# The kernel base: BASE=VERSION picks bases/VERSION.conf.  The default base builds in
# build/, any other in build/VERSION/, so that each keeps its own work tree, objects and
# results; downloads are shared in build/dl.
BASE=${BASE:-$BASE_DEFAULT}
[ -f "$TOP/bases/$BASE.conf" ] || {
	printf 'ERROR: no base %s; supported: %s\n' "$BASE" \
		"$(cd "$TOP/bases" && ls *.conf | sed 's/\.conf$//' | paste -sd' ')" >&2
	exit 1
}
. "$TOP/bases/$BASE.conf"
DL=$TOP/build/dl
if [ "$BASE" = "$BASE_DEFAULT" ]; then BUILD=${BUILD:-$TOP/build}; else BUILD=${BUILD:-$TOP/build/$BASE}; fi
export BASE
# What the provenance files name as the command: the outermost script and its arguments
# (make sets it to the make command line).
export WORKBENCH_CMD=${WORKBENCH_CMD:-${0#$TOP/} $*}
# The tree, its object directory and its installed kselftests; overridable so that the same
# scripts build and run the pristine base (scripts/baseline.sh) beside the work tree.
KSRC=$(realpath -m "${KSRC:-$BUILD/linux}")
# A profile (PROFILE=debug) builds in its own object directory, build/obj-PROFILE.
OBJ=$(realpath -m "${OBJ:-$BUILD/obj${PROFILE:+-$PROFILE}}")
KSFT=$(realpath -m "${KSFT:-$BUILD/kselftest}")

step() { printf '==> [%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# The Debian archive root that this machine's apt is configured for (e.g. ".../debian/";
# ".../debian-security/" for the security suites).  Only Debian's own roots are considered;
# the first one that carries the wanted suite wins.
debian_archive() {
	local suite=$1 uri
	for uri in $(apt-get indextargets --format '$(REPO_URI)' 2>/dev/null | sort -u); do
		case "$uri" in */debian/|*/debian-security/) ;; *) continue ;; esac
		if curl -fs -m 30 -o /dev/null "${uri}dists/$suite/Release"; then
			echo "$uri"
			return 0
		fi
	done
	return 1
}

# fetch_pinned SUITE PATH SHA256 DEST: download once, always verify.
fetch_pinned() {
	local suite=$1 path=$2 sum=$3 dest=$4 uri
	if [ ! -f "$dest" ]; then
		uri=$(debian_archive "$suite") ||
			die "fetch: no Debian archive from the apt configuration serves suite '$suite'"
		step "fetch: ${path##*/} (suite $suite)"
		mkdir -p "$(dirname "$dest")"
		local progress=--silent
		[ -t 2 ] && progress=--progress-bar
		curl -fSL $progress --show-error -o "$dest.part" "$uri$path" ||
			die "fetch: download of ${path##*/} failed"
		mv "$dest.part" "$dest"
	fi
	echo "$sum  $dest" | sha256sum -c --quiet - >/dev/null 2>&1 || {
		mv "$dest" "$dest.bad"
		die "fetch: sha256 mismatch for ${path##*/} (moved to $dest.bad); expected $sum"
	}
}

list_file() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1"; }

# An MMU mode of tests/modes: its kernel parameters, and its test list (default
# tests/x86.tests).  The pristine base (BASELINE=1) lacks mmu_audit=2 (every event): its
# closest is 1 (10 events per 5 s).
mode_field() { list_file "$TOP/tests/modes" | awk -F'\t+' -v m="$1" -v f="$2" '$1 == m { print $f }'; }
mode_params() {
	local p
	p=$(mode_field "$1" 2)
	[ -n "$p" ] || die "unknown mode '$1' (see tests/modes: $(list_file "$TOP/tests/modes" | cut -f1 | paste -sd' '))"
	[ -n "${BASELINE:-}" ] && p=${p/kvm.mmu_audit=2/kvm.mmu_audit=1}
	echo "$p"
}
mode_tests() {
	local f
	f=$(mode_field "$1" 3)
	list_file "$TOP/${f:-tests/x86.tests}"
}
# Whether $1 is a mode of the Intel runner (tests/modes-intel, Bochs).
is_intel_mode() { list_file "$TOP/tests/modes-intel" | cut -f1 | grep -qx -- "$1"; }
# With BASELINE, not the eager-off modes: the base has no eager splitting to turn off.
all_modes() {
	list_file "$TOP/tests/modes" | { if [ -n "${BASELINE:-}" ]; then grep -v 'kvm\.eager_page_split='; else cat; fi; } | cut -f1
}

# What a build was made from: the commit of the tree, and "+dirty" for uncommitted changes.
tree_state() {
	local d=
	[ -n "$(git -C "$KSRC" status --porcelain --untracked-files=no 2>/dev/null)" ] && d=+dirty
	echo "$(git -C "$KSRC" rev-parse HEAD)$d"
}

# The series as a name that is the same on every machine: the first 12 hex digits of the
# sha1 of its patch-ids in order (commit ids differ between machines that ran "git am",
# patch-ids do not).  "pristine" for no patches.
series_id_of() {
	local ids
	ids=$(git patch-id --stable | cut -d' ' -f1)
	if [ -z "$ids" ]; then echo pristine; else printf '%s\n' "$ids" | sha1sum | cut -c1-12; fi
}
# ... of the tree at commit REV (base..REV), and of patches/series as shipped.
series_id_of_tree() { git -C "$KSRC" format-patch --stdout "base..${1%+dirty}" | series_id_of; }
series_id_of_patches() {
	local n
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/patches/series" |
		while read -r n; do cat "$TOP/patches/$n"; done | series_id_of
}

# write_provenance DIR [MORE LINES...]: what a results folder measured, in DIR/provenance:
# the command, the base, the series (id and patch count) the kernel and the kselftests
# were built from, the kernel's configuration, the emulator.  scripts/results-check.py
# reads the "series:" line.
write_provenance() {
	local dir=$1 kt st
	shift
	kt=$(cat "$OBJ/.workbench-tree" 2>/dev/null || echo unknown)
	st=$(cat "$KSFT/.workbench-tree" 2>/dev/null || echo unknown)
	mkdir -p "$dir"
	{
		echo "command: ${WORKBENCH_CMD:-$0}"
		local v val
		for v in BASE PROFILE MODES TESTS APPEND REPEATS SIZE ITERATIONS GUEST_CPUS GUEST_MEM; do
			val=${!v:-}
			[ -n "${val// /}" ] && echo "env: $v=$val"
		done
		echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "base: linux-source-5.10 $BASE ($BASE_UPSTREAM), package sha256 $BASE_SHA256"
		echo "series: $(series_id_of_tree "$kt") ($(git -C "$KSRC" rev-list --count "base..${kt%+dirty}" 2>/dev/null) patches; kernel tree $kt)"
		echo "kselftests: series $(series_id_of_tree "$st") (tree $st)"
		echo "kernel: $(cat "$OBJ/include/config/kernel.release" 2>/dev/null), .config sha256 $(sha256sum <"$OBJ/.config" | cut -c1-16), fragments: $(sed "s|$TOP/||g" "$OBJ/.workbench-fragments" 2>/dev/null)"
		echo "emulator: $(qemu-system-x86_64 --version | head -n1), virtme-ng $(dpkg-query -W -f='${Version}' virtme-ng 2>/dev/null)"
		echo "host: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
		local l
		for l in "$@"; do echo "$l"; done
	} >"$dir/provenance"
}

# Refuse to test a build that was not made from the tree as it is now.
require_built_from_tree() {
	local f=$1/.workbench-tree want
	want=$(tree_state)
	[ -f "$f" ] || die "$1 has no record of the tree it was built from; run 'make'"
	[ "$(cat "$f")" = "$want" ] ||
		die "$1 was built from $(cat "$f"), the tree is at $want; run 'make'"
}

# The kernel ($OBJ) and selftests ($KSFT) a matrix runs: builds of the work tree, or with
# BASELINE=1 builds of tag base (scripts/baseline.sh).
require_test_builds() {
	local d want
	if [ -n "${BASELINE:-}" ]; then
		want=$(git -C "$KSRC" rev-parse 'base^{commit}')
		for d in "$OBJ" "$KSFT"; do
			[ "$(cat "$d/.workbench-tree" 2>/dev/null)" = "$want" ] || die "$d is not a build of tag base"
		done
	else
		require_built_from_tree "$OBJ"
		require_built_from_tree "$KSFT"
	fi
}

# Check out tag base (detached) in the work tree for a while; the branch is put back by
# restore_work_tree, and on any exit.  Refuses a tree with uncommitted changes.
checkout_base() {
	[ -z "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ] ||
		die "$1: $KSRC has uncommitted changes; commit them first"
	ORIG_HEAD=$(git -C "$KSRC" symbolic-ref -q --short HEAD || git -C "$KSRC" rev-parse HEAD)
	trap restore_work_tree EXIT
	git -C "$KSRC" checkout -q --detach base
}
restore_work_tree() {
	git -C "$KSRC" am --abort >/dev/null 2>&1 || true
	git -C "$KSRC" checkout -q "$ORIG_HEAD"
	trap - EXIT
}
