#!/usr/bin/env bash
# The Intel matrix (make check-intel): for each mode of tests/modes-intel, boot the test
# kernel once under Bochs with VMX (scripts/bochs-run.sh), run the kvm selftests of
# tests/intel.tests and tabulate them against tests/known-failures, as check.sh does for
# the AMD modes.
# Environment: INTEL_MODES="ept0 ..." (default: all), INTEL_TESTS="kvm:foo ..." (default:
#   the list; named apart from check.sh's MODES and TESTS, as make check runs both),
#   APPEND="extra kernel params", INTEL_OUT=results dir (default build/results/intel),
#   INTEL_SET=short to leave out the slow tests marked [full] in tests/intel.tests,
#   BASELINE=1 with OBJ and KSFT of the pristine base (scripts/baseline.sh).
# Exit 0 only when every mode booted, ran, had a clean log and no unexpected failure.
. "$(dirname "$0")/lib.sh"
out=$(realpath -m "${INTEL_OUT:-$BUILD/results/intel}")
require_test_builds
modes=${INTEL_MODES:-$(list_file "$TOP/tests/modes-intel" | cut -f1)}
# A test is a line of tests/intel.tests: its name, maybe its arguments, maybe markers.
nopml=()
if [ -n "${INTEL_TESTS:-}" ]; then
	mapfile -t tests < <(printf '%s\n' $INTEL_TESTS)
else
	# INTEL_SET=short (make check) leaves out the lines marked "[full]" (make check-intel).
	mapfile -t lines < <(list_file "$TOP/tests/intel.tests" |
		if [ "${INTEL_SET:-full}" = short ]; then grep -v '\[full\]'; else cat; fi)
	tests=()
	for l in "${lines[@]}"; do
		t=$(sed -e 's/[[:space:]]*\[[a-z-]*\]//g' -e 's/[[:space:]]*$//' <<<"$l")
		tests+=("$t")
		# "[no-pml]": not in the modes where KVM logs with PML (tests/intel.tests).
		[[ $l != *"[no-pml]"* ]] || nopml+=("$t")
	done
fi
# The base lacks the tests the series adds: run what it has.
if [ -n "${BASELINE:-}" ]; then
	mapfile -t tests < <(for t in "${tests[@]}"; do
		grep -qx "${t%% *}" "$KSFT/kselftest-list.txt" && echo "$t"; done; true)
fi
rm -rf "$out" && mkdir -p "$out"
write_provenance "$out" "intel modes: $(echo $modes)"
echo "kernel $(cat "$OBJ/include/config/kernel.release"), base $BASE, series $(sed -n 's/^series: //p' "$out/provenance"), Intel modes (Bochs): $(echo $modes)" |
	tee "$out/summary"
# Bochs emulates one CPU on one host thread: JOBS modes (default: the host's CPUs) boot at
# once, each in its own scratch folder.
jobs=${JOBS:-$(nproc)}
# The tests of mode $1, one a line: the list, less the [no-pml] ones where PML is on.
mode_tests() {
	local params t
	params=$(list_file "$TOP/tests/modes-intel" | awk -F'\t+' -v m="$1" '$1 == m { print $2 }')
	for t in "${tests[@]}"; do
		if [[ " $params " != *" kvm_intel.pml=0 "* && " $params " != *" kvm_intel.ept=0 "* ]] &&
			printf '%s\n' "${nopml[@]}" | grep -qxF -- "$t"; then
			continue
		fi
		printf '%s\n' "$t"
	done
}
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
[ ${#nopml[@]} -eq 0 ] ||
	echo "not run where KVM logs with PML (\"-\" above; tests/intel.tests [no-pml]): ${nopml[*]}" |
	tee -a "$out/summary"
exit $status
