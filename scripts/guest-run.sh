#!/usr/bin/env bash
# Runs INSIDE the test guest (started by scripts/boot.sh).  Loads KVM in the mode the kernel
# command line selects, checks that the mode took, runs the given kselftests and leaves
# TAP and the kernel log in OUTDIR.  Exit status: 0 if every test passed or skipped.
# Usage: guest-run.sh OUTDIR KSELFTEST_DIR collection:test...
set -u
out=$1 ksft=$2
shift 2
mkdir -p "$out"
log() { echo "guest: $*" >&2; }

param() { cat "/sys/module/$1/parameters/$2" 2>/dev/null || echo '?'; }
want() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n1; }

modprobe kvm_amd || { log "modprobe kvm_amd failed"; echo 'modprobe kvm_amd failed' >"$out/setup-error"; }
# Parameters from the kernel command line reach the modules through modprobe; check them.
bad=
for p in kvm_amd.npt kvm.tdp_mmu kvm.mmu_audit kvm.eager_page_split; do
	w=$(want "$p")
	[ -n "$w" ] || continue
	h=$(param "${p%%.*}" "${p#*.}")
	case "$w:$h" in 1:1|1:Y|0:0|0:N|Y:Y|N:N|y:Y|n:N) ;; *) bad="$bad $p=$h(want $w)" ;; esac
done
[ -e /dev/kvm ] || bad="$bad no-/dev/kvm"
if [ -n "$bad" ]; then
	log "wrong MMU mode:$bad"
	echo "wrong MMU mode:$bad" >>"$out/setup-error"
fi
{
	echo "kernel: $(uname -r)"
	echo "cmdline: $(cat /proc/cmdline)"
	for p in kvm_amd/npt kvm_amd/nested kvm/tdp_mmu kvm/mmu_audit kvm/nx_huge_pages kvm/eager_page_split; do
		[ -e "/sys/module/$p" ] || [ -e "/sys/module/${p%/*}/parameters/${p#*/}" ] &&
			echo "$p: $(param "${p%/*}" "${p#*/}")"
	done
} >"$out/mode"
cat "$out/mode" >&2

# Hugetlbfs pool for tests that ask for it; harmless for the others.
echo 64 >/proc/sys/vm/nr_hugepages 2>/dev/null || true
mount -t debugfs none /sys/kernel/debug 2>/dev/null || true

rc=0
if [ -e "$out/setup-error" ]; then
	rc=1
else
	args=()
	for t in "$@"; do args+=(-t "$t"); done
	cd "$ksft" || exit 1
	./run_kselftest.sh "${args[@]}" 2>&1 | tee "$out/tap"
	grep -q '^not ok' "$out/tap" && rc=1
fi
dmesg >"$out/dmesg"
echo "workbench: guest run complete" >>"$out/dmesg"
exit $rc
