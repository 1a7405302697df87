#!/usr/bin/env bash
# Runs INSIDE the test guest, as the command of scripts/guest-run.sh (started by
# scripts/bench.sh): dirty_log_perf_test with kvm.eager_page_split off and on in the same
# boot, for each write percentage and repetition, one log per run in OUTDIR.  The order
# interleaves off and on, so that a slow phase of the emulator hits both alike.
# Usage: guest-bench.sh OUTDIR KSELFTEST_DIR SETUPS REPEATS SIZE ITERATIONS WRITE_PCT...
#   SETUPS: comma-separated; direct (guest code in the vCPU), nested (in an L2 on nested NPT)
# Exit status: 0 when every run succeeded.
set -u
out=$1 ksft=$2 setups=$3 repeats=$4 size=$5 iters=$6
shift 6
mkdir -p "$out"
log() { echo "guest-bench: $*"; }

echo 128 >/proc/sys/vm/nr_hugepages
param=/sys/module/kvm/parameters/eager_page_split
[ -w $param ] || { log "$param not writable"; exit 1; }
grep -E '^(# name|kvm_mmu_page_header) ' /proc/slabinfo >"$out/guest.txt"

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
exit $rc
