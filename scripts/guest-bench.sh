#!/usr/bin/env bash
# Runs INSIDE the test guest (started by scripts/bench.sh): dirty_log_perf_test with
# kvm.eager_page_split off and on in the same boot, for each write percentage and
# repetition, one log per run in OUTDIR.  The order interleaves off and on, so that a
# slow phase of the emulator hits both alike.
# Usage: guest-bench.sh OUTDIR KSELFTEST_DIR SETUPS REPEATS SIZE ITERATIONS WRITE_PCT...
#   SETUPS: comma-separated; direct (guest code in the vCPU), nested (in an L2 on nested NPT)
set -u
out=$1 ksft=$2 setups=$3 repeats=$4 size=$5 iters=$6
shift 6
mkdir -p "$out"
log() { echo "guest-bench: $*" >&2; }

modprobe kvm_amd || { log "modprobe kvm_amd failed"; exit 1; }
echo 128 >/proc/sys/vm/nr_hugepages
mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
param=/sys/module/kvm/parameters/eager_page_split
[ -w $param ] || { log "$param not writable"; exit 1; }
{
	echo "kernel: $(uname -r) $(uname -v)"
	echo "cmdline: $(cat /proc/cmdline)"
	for p in kvm_amd/npt kvm_amd/nested kvm/tdp_mmu kvm/nx_huge_pages; do
		echo "$p: $(cat /sys/module/${p%/*}/parameters/${p#*/})"
	done
	grep -E '^(# name|kvm_mmu_page_header) ' /proc/slabinfo
} >"$out/guest.txt"

rc=0
for setup in ${setups//,/ }; do
	flags=(-s hugetlb -b "$size" -i "$iters")
	[ "$setup" = nested ] && flags+=(-n)
	for r in $(seq 1 "$repeats"); do
		for w in "$@"; do
			for e in 0 1; do
				echo $e >$param
				f=$out/$setup-w$w-e$e-r$r.log
				echo "cmd: dirty_log_perf_test ${flags[*]} -w $w (kvm.eager_page_split=$e)" >"$f"
				log "$setup w=$w% eager=$e rep $r/$repeats"
				"$ksft/kvm/dirty_log_perf_test" "${flags[@]}" -w "$w" >>"$f" 2>&1 || {
					log "run failed: $f"; rc=1; }
			done
		done
	done
done
echo Y >$param
dmesg >"$out/dmesg"
exit $rc
