#!/usr/bin/env bash
# make bench: what eager huge page splitting buys, measured with dirty_log_perf_test.
# One boot per MMU mode (scripts/run-guest.sh); in each, kvm.eager_page_split off and on
# (it is writable at run time), hugetlbfs (2M) backed memory, REPEATS runs of each.
#   npt1-tdp0: direct (shadow MMU direct pages, tdp_mmu=0) and nested (L2 on nested NPT)
#   npt0:      direct (shadow paging of the guest's 2M mappings)
# and, under Bochs with Intel VMX (scripts/bochs-run.sh), the direct setup with PML on and
# off, eager split switched between the runs of the boot as in guest-bench.sh:
#   ept1-tdp0: direct pages, dirty bits logged by PML
#   ept1-pml0: direct pages, write-protected for dirty logging
# Then scripts/bench-report.py turns the logs into a table, a CSV and a PNG plot.  An unmet
# performance target is reported in the table, not as an exit status; an incomplete run or
# a splat is an error.
# With SWITCH=shadow_fast_page_fault (make bench-fastpf) that parameter is switched instead
# (eager splitting stays on) and scripts/bench-fastpf-report.py reports: slow-path and
# fast-path write faults of the shadow MMU's lockless write-protection fix, off and on.
# Environment: REPEATS (default 3), SIZE (test memory, default 64M), ITERATIONS (default 3),
#   WRITES (write percentages, default "100 50 5"),
#   SETUPS (MODE:SETUP[,SETUP] a boot, default "npt1-tdp0:direct,nested npt0:direct
#   ept1-tdp0:direct ept1-pml0:direct"; an Intel mode only has "direct"),
#   INTEL_REPEATS (repetitions under Bochs, default 1), OUT (default build/results/bench),
#   SWITCH (the kvm parameter switched off and on, default eager_page_split), VCPUS
#   (comma-separated vCPU counts, default 1; not under Bochs).
. "$(dirname "$0")/lib.sh"
out=$(realpath -m "${OUT:-$BUILD/results/bench}")
repeats=${REPEATS:-3} size=${SIZE:-64M} iters=${ITERATIONS:-3} writes=${WRITES:-100 50 5}
boots=${SETUPS:-npt1-tdp0:direct,nested npt0:direct ept1-tdp0:direct ept1-pml0:direct}
irepeats=${INTEL_REPEATS:-1} switch=${SWITCH:-eager_page_split} vcpus=${VCPUS:-1}
require_built_from_tree "$OBJ"
require_built_from_tree "$KSFT"
rm -rf "$out" && mkdir -p "$out"
write_provenance "$out" "runs: dirty_log_perf_test -b $size -i $iters -w {${writes// /,}} -v {$vcpus} (setups as in guest-bench.sh), kvm.$switch 0 and 1, $repeats repeats ($irepeats in Intel modes); boots: $boots" \
	"boot: $(sed -n 's/^qemu_opts=//p' "$TOP/scripts/boot.sh"), ${GUEST_CPUS:-2} vCPUs, ${GUEST_MEM:-3G}"

# One Intel mode: one Bochs boot running guest-bench.sh's runs in its order, eager split
# switched between them by the Intel runner's "set:" step; the serial log is cut into
# guest-bench.sh's per-run logs.
bench_intel() {
	local m=$1 e r w rc=0 runs=() nruns=0
	[ "$2" = direct ] || die "bench: $m: the Intel runner only has the direct setup, not '$2'"
	for r in $(seq 1 "$irepeats"); do
		for w in $writes; do
			for e in 0 1; do
				runs+=("set:kvm.$switch=$e"
				       "kvm:dirty_log_perf_test -s hugetlb -b $size -i $iters -w $w")
				nruns=$((nruns + 1))
			done
		done
	done
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-3600} "$TOP/scripts/bochs-run.sh" "$m" "$out/$m/boot" \
		"${runs[@]}" || rc=1
	awk -v dir="$out/$m" -v writes="$writes" -v switch="$switch" '
		BEGIN { n = split(writes, W, " ") }
		{ sub(/\r$/, "") }
		index($0, "workbench: set kvm." switch "=") == 1 { e = ($0 ~ /=Y$/) ? 1 : 0; next }
		/^# selftests: kvm: dirty_log_perf_test/ {
			w = W[int(run / 2) % n + 1]; r = int(run / (2 * n)) + 1; run++
			f = dir "/direct-w" w "-e" e "-r" r ".log"
			sub(/^# selftests: kvm: dirty_log_perf_test \(/, ""); sub(/\)$/, "")
			print "cmd: dirty_log_perf_test " $0 " (kvm." switch "=" e ")" >f
			next
		}
		/^workbench: uptime/ { f = "" }
		f != "" && /^# / { sub(/^# /, ""); print >f }' "$out/$m/boot/serial.log"
	[ "$(grep -c '^ok ' "$out/$m/boot/tap")" = "$nruns" ] || rc=1
	echo $rc >"$out/$m/exit"
}

status=0
for boot in $boots; do
	mode=${boot%%:*} setups=${boot#*:}
	if is_intel_mode "$mode"; then
		step "bench: Intel mode $mode (Bochs): $setups, $irepeats repeats, writes $writes%"
		t0=$(date +%s)
		bench_intel "$mode" "$setups" || status=1
		step "bench: mode $mode done in $(( $(date +%s) - t0 ))s (runs exit $(cat "$out/$mode/exit"))"
		[ "$(cat "$out/$mode/exit")" = 0 ] ||
			{ echo "bench: $mode: a run failed or a boot was unclean (see $out/$mode/boot)" >&2; status=1; }
		continue
	fi
	step "bench: mode $mode ($(mode_params "$mode")): $setups, $repeats repeats, writes $writes%"
	t0=$(date +%s)
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-3600} "$TOP/scripts/run-guest.sh" "$mode" "$out/$mode" \
		"$TOP/scripts/guest-bench.sh" -p "$switch" -v "$vcpus" "$out/$mode" "$KSFT" "$setups" "$repeats" "$size" \
		"$iters" $writes || status=1
	step "bench: mode $mode done in $(( $(date +%s) - t0 ))s (runs exit $(cat "$out/$mode/exit" 2>/dev/null || echo none))"
	[ "$(cat "$out/$mode/exit" 2>/dev/null)" = 0 ] ||
		{ echo "bench: $mode: a dirty_log_perf_test run failed (see $out/$mode/log)" >&2; status=1; }
done
# Debian's python3, which has python3-matplotlib (make deps), not one earlier in PATH.
if [ "$switch" = eager_page_split ]; then
	/usr/bin/python3 "$TOP/scripts/bench-report.py" "$out" || status=1
else
	/usr/bin/python3 "$TOP/scripts/bench-fastpf-report.py" "$out" "$switch" || status=1
fi
exit $status
