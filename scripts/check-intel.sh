#!/usr/bin/env bash
# The Intel matrix (make check-intel): for each mode of tests/modes-intel, boot the test
# kernel once under Bochs with VMX (scripts/bochs-run.sh), run the kvm selftests of
# tests/intel.tests and tabulate them against tests/known-failures, as check.sh does for
# the AMD modes.
# Environment: INTEL_MODES="ept0 ..." (default: all), INTEL_TESTS="kvm:foo ..." (default:
#   the list; named apart from check.sh's MODES and TESTS, as make check runs both),
#   APPEND="extra kernel params", INTEL_OUT=results dir (default build/results/intel),
#   INTEL_SET=short to leave out the slow tests marked [full] in the lists,
#   BASELINE=1 with OBJ and KSFT of the pristine base (scripts/baseline.sh).
# Exit 0 only when every mode booted, ran, had a clean log and no unexpected failure.
. "$(dirname "$0")/lib.sh"
out=$(realpath -m "${INTEL_OUT:-$BUILD/results/intel}")
require_test_builds
# With BASELINE, not the eager-off modes: the base has no eager splitting to turn off.
modes=${INTEL_MODES:-$(list_file "$TOP/tests/modes-intel" |
	{ if [ -n "${BASELINE:-}" ]; then grep -v 'kvm\.eager_page_split='; else cat; fi; } | cut -f1)}
# Field $2 of mode $1's line in tests/modes-intel: 2 its parameters, 3 its test list.
intel_field() { list_file "$TOP/tests/modes-intel" | awk -F'\t+' -v m="$1" -v f="$2" '$1 == m { print $f }'; }
# The tests of mode $1, one a line, each a name and maybe arguments: INTEL_TESTS, or the
# mode's list (third column of tests/modes-intel, else tests/intel.tests) without the
# lines marked "[full]" in the short set (INTEL_SET=short, make check) nor those marked
# "[no-pml]" where KVM logs with PML; with BASELINE, only the tests the base has.
mode_tests() {
	local params list l t
	if [ -n "${INTEL_TESTS:-}" ]; then
		printf '%s\n' $INTEL_TESTS
		return
	fi
	params=$(intel_field "$1" 2) list=$(intel_field "$1" 3)
	list_file "$TOP/${list:-tests/intel.tests}" | while IFS= read -r l; do
		[[ ${INTEL_SET:-full} = short && $l == *"[full]"* ]] && continue
		[[ $l == *"[no-pml]"* && " $params " != *" kvm_intel.pml=0 "* &&
			" $params " != *" kvm_intel.ept=0 "* ]] && continue
		t=$(sed -e 's/[[:space:]]*\[[a-z-]*\]//g' -e 's/[[:space:]]*$//' <<<"$l")
		[ -n "${BASELINE:-}" ] && ! grep -qx "${t%% *}" "$KSFT/kselftest-list.txt" && continue
		printf '%s\n' "$t"
	done
}
rm -rf "$out" && mkdir -p "$out"
write_provenance "$out" "intel modes: $(echo $modes)"
echo "kernel $(cat "$OBJ/include/config/kernel.release"), base $BASE, series $(sed -n 's/^series: //p' "$out/provenance"), Intel modes (Bochs): $(echo $modes)" |
	tee "$out/summary"
# Bochs emulates one CPU on one host thread: JOBS modes (default: the host's CPUs) boot at
# once, each in its own scratch folder.
jobs=${JOBS:-$(nproc)}
run_mode() {
	local m=$1 t0 mt
	t0=$(date +%s)
	mapfile -t mt < <(mode_tests "$m")
	"$TOP/scripts/bochs-run.sh" "$m" "$out/$m" "${mt[@]}" || echo "$m" >>"$out/unclean-runs"
	{ cat "$out/$m/tap" 2>/dev/null || true; } | sed "s/^/    $m: /" >&2
	step "check-intel: mode $m finished in $(( $(date +%s) - t0 ))s"
}
for m in $modes; do
	mode_tests "$m" | cut -d' ' -f1 >"$out/$m.tests"
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n || true
	done
	run_mode "$m" &
done
wait
status=0
[ -e "$out/unclean-runs" ] && status=1
"$TOP/scripts/summarize.py" "$out" "$TOP/tests/known-failures" $modes | tee -a "$out/summary" ||
	status=1
nopml=$(list_file "$TOP/tests/intel.tests" | grep '\[no-pml\]' | cut -d' ' -f1 | paste -sd' ')
[ -z "$nopml" ] || [ -n "${INTEL_TESTS:-}" ] ||
	echo "not run where KVM logs with PML (\"-\" above; [no-pml] in tests/intel.tests): $nopml" |
	tee -a "$out/summary"
exit $status
