#!/usr/bin/env bash
# make bench: what eager huge page splitting buys, measured with dirty_log_perf_test.
# One boot per MMU mode (scripts/run-guest.sh); in each, kvm.eager_page_split off and on
# (it is writable at run time), hugetlbfs (2M) backed memory, REPEATS runs of each.
#   npt1-tdp0: direct (shadow MMU direct pages, tdp_mmu=0) and nested (L2 on nested NPT)
#   npt0:      direct (shadow paging of the guest's 2M mappings)
# Then scripts/bench-report.py turns the logs into a table, a CSV and a PNG plot.  An unmet
# performance target is reported in the table, not as an exit status; an incomplete run or
# a splat is an error.
# Environment: REPEATS (default 3), SIZE (test memory, default 64M), ITERATIONS (default 3),
#   WRITES (write percentages, default "100 50 5"),
#   SETUPS (MODE:SETUP[,SETUP] a boot, default "npt1-tdp0:direct,nested npt0:direct"),
#   OUT (default build/results/bench).
. "$(dirname "$0")/lib.sh"
out=$(realpath -m "${OUT:-$BUILD/results/bench}")
repeats=${REPEATS:-3} size=${SIZE:-64M} iters=${ITERATIONS:-3} writes=${WRITES:-100 50 5}
boots=${SETUPS:-npt1-tdp0:direct,nested npt0:direct}
require_built_from_tree "$OBJ"
require_built_from_tree "$KSFT"
rm -rf "$out" && mkdir -p "$out"
write_provenance "$out" "runs: dirty_log_perf_test -s hugetlb -b $size -i $iters -w {${writes// /,}} [-n], $repeats repeats; boots: $boots" \
	"boot: $(sed -n 's/^qemu_opts=//p' "$TOP/scripts/boot.sh"), ${GUEST_CPUS:-2} vCPUs, ${GUEST_MEM:-3G}"
status=0
for boot in $boots; do
	mode=${boot%%:*} setups=${boot#*:}
	step "bench: mode $mode ($(mode_params "$mode")): $setups, $repeats repeats, writes $writes%"
	t0=$(date +%s)
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-3600} "$TOP/scripts/run-guest.sh" "$mode" "$out/$mode" \
		"$TOP/scripts/guest-bench.sh" "$out/$mode" "$KSFT" "$setups" "$repeats" "$size" \
		"$iters" $writes || status=1
	step "bench: mode $mode done in $(( $(date +%s) - t0 ))s (runs exit $(cat "$out/$mode/exit" 2>/dev/null || echo none))"
	[ "$(cat "$out/$mode/exit" 2>/dev/null)" = 0 ] ||
		{ echo "bench: $mode: a dirty_log_perf_test run failed (see $out/$mode/log)" >&2; status=1; }
done
# Debian's python3, which has python3-matplotlib (make deps), not one earlier in PATH.
/usr/bin/python3 "$TOP/scripts/bench-report.py" "$out" || status=1
exit $status
