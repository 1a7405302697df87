#!/usr/bin/env bash
# The Intel matrix (make check-intel): for each mode of tests/modes-intel, boot the test
# kernel once under Bochs with VMX (scripts/bochs-run.sh), run the kvm selftests of
# tests/intel.tests and tabulate them against tests/known-failures, as check.sh does for
# the AMD modes.
# Environment: MODES="ept0 ..." (default: all), TESTS="kvm:foo ..." (default: the list),
#   APPEND="extra kernel params", OUT=results dir (default build/results/intel).
# Exit 0 only when every mode booted, ran, had a clean log and no unexpected failure.
. "$(dirname "$0")/lib.sh"
out=$(realpath -m "${OUT:-$BUILD/results/intel}")
require_built_from_tree "$OBJ"
require_built_from_tree "$KSFT"
modes=${MODES:-$(list_file "$TOP/tests/modes-intel" | cut -f1)}
# A test is a line of tests/intel.tests: its name and, maybe, its arguments.
if [ -n "${TESTS:-}" ]; then
	mapfile -t tests < <(printf '%s\n' $TESTS)
else
	mapfile -t tests < <(list_file "$TOP/tests/intel.tests")
fi
rm -rf "$out" && mkdir -p "$out"
write_provenance "$out" "intel modes: $(echo $modes)"
echo "kernel $(cat "$OBJ/include/config/kernel.release"), base $BASE, series $(sed -n 's/^series: //p' "$out/provenance"), Intel modes (Bochs): $(echo $modes)" |
	tee "$out/summary"
status=0
for m in $modes; do
	printf '%s\n' "${tests[@]}" | cut -d' ' -f1 >"$out/$m.tests"
	t0=$(date +%s)
	"$TOP/scripts/bochs-run.sh" "$m" "$out/$m" "${tests[@]}" || status=1
	{ cat "$out/$m/tap" 2>/dev/null || true; } | sed 's/^/    /' >&2
	step "check-intel: mode $m finished in $(( $(date +%s) - t0 ))s"
done
"$TOP/scripts/summarize.py" "$out" "$TOP/tests/known-failures" $modes | tee -a "$out/summary" ||
	status=1
exit $status
