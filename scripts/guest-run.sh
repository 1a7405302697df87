#!/usr/bin/env bash
# Runs INSIDE the test guest (started by scripts/run-guest.sh): the one way every guest run
# starts and ends.  Loads KVM in the mode the kernel command line selects and checks that
# the mode took, runs COMMAND (a bash command line) with its output in OUTDIR/LOG, then
# leaves the kernel log in OUTDIR/dmesg with the end-of-run marker that
# scripts/check-splats.sh requires, and the command's exit status in OUTDIR/exit.
# Usage: guest-run.sh OUTDIR LOG COMMAND...
# Exit status: the command's; 1 without running it when KVM or the mode is wrong (the
# reason in OUTDIR/setup-error).
set -u
out=$1 logname=$2
shift 2
mkdir -p "$out"
rm -f "$out/setup-error" "$out/exit" "$out/dmesg"
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
	case "$w:$h" in 1:1|1:Y|2:Y|0:0|0:N|Y:Y|N:N|y:Y|n:N) ;; *) bad="$bad $p=$h(want $w)" ;; esac
done
[ -e /dev/kvm ] || bad="$bad no-/dev/kvm"
if [ -n "$bad" ]; then
	log "wrong MMU mode:$bad"
	echo "wrong MMU mode:$bad" >>"$out/setup-error"
fi
{
	echo "kernel: $(uname -r) $(uname -v)"
	echo "cmdline: $(cat /proc/cmdline)"
	for p in kvm_amd/npt kvm_amd/nested kvm/tdp_mmu kvm/mmu_audit kvm/nx_huge_pages kvm/eager_page_split; do
		[ -e "/sys/module/${p%/*}/parameters/${p#*/}" ] && echo "$p: $(param "${p%/*}" "${p#*/}")"
	done
} >"$out/mode"

# Hugetlbfs pool for tests that ask for it; harmless for the others.
echo 64 >/proc/sys/vm/nr_hugepages 2>/dev/null || true
mount -t debugfs none /sys/kernel/debug 2>/dev/null || true

rc=1
if [ ! -e "$out/setup-error" ]; then
	# virtme points /dev/stdout at a port of its own; kselftest's runner writes the
	# tests' output to /dev/stdout, so give it the usual meaning back.  Everything goes
	# to a file in the shared directory: virtme's stdout and stderr ports are reopened
	# separately by QEMU on the host and can overwrite each other.
	ln -sfn /proc/self/fd/1 /dev/stdout
	ln -sfn /proc/self/fd/2 /dev/stderr
	# Appending: kselftest's runner reopens /dev/stdout (O_APPEND) for the tests' own
	# output; a file opened without O_APPEND here would overwrite those lines with its
	# "ok" lines, at its own offset.
	: >"$out/$logname"
	# Guest uptime at each test's start and end ("times"), to see where a mode's time goes.
	tail -n +1 -F "$out/$logname" 2>/dev/null > >(while IFS= read -r l; do
		case $l in "# selftests: "* | "ok "* | "not ok "*) echo "$(cut -d' ' -f1 /proc/uptime) $l" ;; esac
	done >"$out/times") &
	stamper=$!
	bash -c "$*" >>"$out/$logname" 2>&1
	rc=$?
	sleep 2
	kill $stamper 2>/dev/null || true
	echo $rc >"$out/exit"
fi
# Object size of the shadow page header (the series must not grow it), for the record.
grep -E '^(# name|kvm_mmu_page_header) ' /proc/slabinfo >"$out/slabinfo" 2>/dev/null
# With kmemleak (debug profile): a scan after the run, reported by check-splats.sh.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak; sleep 5; echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >"$out/kmemleak"
fi
dmesg >"$out/dmesg"
echo "workbench: guest run complete" >>"$out/dmesg"
exit $rc
