#!/usr/bin/env bash
# Runs INSIDE the test guest, as the command of scripts/guest-run.sh (started by
# scripts/bench.sh and scripts/bench-fastpf.sh): dirty_log_perf_test with a kvm module
# parameter off and on in the same boot (kvm.eager_page_split unless -p says otherwise),
# for each setup, vCPU count, write percentage and repetition, one log per run in OUTDIR.
# The order interleaves off and on, so that a slow phase of the emulator hits both alike.
# Usage: guest-bench.sh [-p PARAM] [-v VCPUS] OUTDIR KSELFTEST_DIR SETUPS REPEATS SIZE ITERATIONS WRITE_PCT...
#   PARAM: the parameter of /sys/module/kvm/parameters switched (default eager_page_split)
#   VCPUS: comma-separated vCPU counts (default 1); a count other than 1 adds -vN to the
#     log's name; the nested setups run with one vCPU only
#   SETUPS: comma-separated; direct (guest code in the vCPU), nested (in an L2 on nested
#     NPT), each with 2M hugetlbfs memory that the guest (or L1) maps with 2M pages, or,
#     as direct4k and nested4k, anonymous memory that it maps with 4K pages
# Exit status: 0 when every run succeeded.
set -u
param_name=eager_page_split vcpus=1
while getopts p:v: o; do
	case $o in p) param_name=$OPTARG ;; v) vcpus=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
out=$1 ksft=$2 setups=$3 repeats=$4 size=$5 iters=$6
shift 6
mkdir -p "$out"
log() { echo "guest-bench: $*"; }

echo 128 >/proc/sys/vm/nr_hugepages
param=/sys/module/kvm/parameters/$param_name
[ -w "$param" ] || { log "$param not writable"; exit 1; }
orig=$(cat "$param")
grep -E '^(# name|kvm_mmu_page_header) ' /proc/slabinfo >"$out/guest.txt"

rc=0
for setup in ${setups//,/ }; do
	case $setup in
	direct) flags=(-s hugetlb) ;;
	nested) flags=(-s hugetlb -n) ;;
	direct4k) flags=(-s anonymous) ;;
	nested4k) flags=(-s anonymous -n) ;;
	*) log "unknown setup $setup"; exit 1 ;;
	esac
	flags+=(-b "$size" -i "$iters")
	for v in ${vcpus//,/ }; do
		if [ "$v" != 1 ] && [ "${setup#nested}" != "$setup" ]; then
			log "$setup: not run with $v vCPUs (dirty_log_perf_test -n has one L2)"
			continue
		fi
		vname=$([ "$v" = 1 ] || echo "-v$v")
		for r in $(seq 1 "$repeats"); do
			for w in "$@"; do
				for e in 0 1; do
					echo $e >"$param"
					f=$out/$setup$vname-w$w-e$e-r$r.log
					echo "cmd: dirty_log_perf_test ${flags[*]} -v $v -w $w (kvm.$param_name=$e)" >"$f"
					log "$setup $v vCPU(s) w=$w% $param_name=$e rep $r/$repeats"
					"$ksft/kvm/dirty_log_perf_test" "${flags[@]}" -v "$v" -w "$w" >>"$f" 2>&1 || {
						log "run failed: $f"; rc=1; }
				done
			done
		done
	done
done
echo "$orig" >"$param"
exit $rc
