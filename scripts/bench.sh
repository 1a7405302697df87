#!/usr/bin/env bash
# make bench: what eager huge page splitting buys, measured with dirty_log_perf_test.
# One boot per MMU mode; in each, kvm.eager_page_split off and on (it is writable at run
# time), write percentages 100/50/5, hugetlbfs (2M) backed memory, REPEATS runs of each.
#   npt1-tdp0: direct (shadow MMU direct pages, tdp_mmu=0) and nested (L2 on nested NPT)
#   npt0:      shadow (shadow paging of the guest's 2M mappings)
# Then scripts/bench-report.py turns the logs into a table, a CSV and a PNG plot.
# Environment: REPEATS (default 3), SIZE (test memory, default 64M), ITERATIONS (default 3),
#   OUT (default build/results/bench).
. "$(dirname "$0")/lib.sh"
out=$(realpath -m "${OUT:-$BUILD/results/bench}")
repeats=${REPEATS:-3} size=${SIZE:-64M} iters=${ITERATIONS:-3}
require_built_from_tree "$OBJ"
require_built_from_tree "$KSFT"
rm -rf "$out" && mkdir -p "$out"
{
	echo "tree: $(cat "$OBJ/.workbench-tree") (base $(git -C "$KSRC" describe --tags --always base 2>/dev/null))"
	echo "kernel: $(cat "$OBJ/include/config/kernel.release")"
	echo "qemu: $(qemu-system-x86_64 --version | head -n1)"
	echo "boot: $(sed -n 's/^qemu_opts=//p' "$TOP/scripts/boot.sh") via virtme-ng $(vng --version 2>/dev/null | head -n1), ${GUEST_CPUS:-2} vCPUs, ${GUEST_MEM:-3G}"
	echo "host: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
	echo "runs: dirty_log_perf_test -s hugetlb -b $size -i $iters -w {100,50,5} [-n], $repeats repeats"
} >"$out/env.txt"
status=0
for boot in "npt1-tdp0 direct,nested" "npt0 direct"; do
	set -- $boot
	mode=$1 setups=$2
	params=$(sed -e 's/#.*//' "$TOP/tests/modes" | awk -F'\t+' -v m="$mode" '$1 == m { print $2 }')
	step "bench: mode $mode ($params): $setups, $repeats repeats"
	t0=$(date +%s)
	rc=0
	"$TOP/scripts/boot.sh" -t "${GUEST_TIMEOUT:-3600}" -a "$params" -- \
		"$TOP/scripts/guest-bench.sh" "$out/$mode" "$KSFT" "$setups" "$repeats" "$size" \
		"$iters" 100 50 5 >"$out/$mode.output" 2>"$out/$mode.console" || rc=$?
	step "bench: mode $mode done in $(( $(date +%s) - t0 ))s (guest exit $rc)"
	if ! "$TOP/scripts/check-splats.sh" "$out/$mode/dmesg" "$out/$mode.console"; then
		status=1
	fi
	[ $rc = 0 ] || status=1
done
# Debian's python3, which has python3-matplotlib (make deps), not one earlier in PATH.
/usr/bin/python3 "$TOP/scripts/bench-report.py" "$out" || status=1
exit $status
