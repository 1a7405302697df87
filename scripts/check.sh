#!/usr/bin/env bash
# The test matrix: for each MMU mode in tests/modes, boot once, run the kvm selftests of the
# mode's list (tests/x86.tests by default) and tabulate against tests/known-failures.
# Environment: MODES="npt0 ..." (default: all), TESTS="kvm:foo ..." (default: the mode's list),
#   APPEND="extra kernel params", OUT=results dir (default build/results/latest),
#   GUEST_TIMEOUT=seconds per boot (default 2400).
# Exit 0 only when every mode booted, ran, had a clean log and no unexpected failure.
. "$(dirname "$0")/lib.sh"
out=$(realpath -m "${OUT:-$BUILD/results/${RUN_NAME:-latest}}")
ksft=$KSFT
[ -x "$ksft/run_kselftest.sh" ] || die "check: kselftests not built ($ksft); run 'make'"
require_test_builds
modes=${MODES:-$(all_modes)}
for m in $modes; do mode_params "$m" >/dev/null; done
rm -rf "$out" && mkdir -p "$out"
write_provenance "$out" "modes: $(echo $modes)"
echo "kernel $(cat "$OBJ/include/config/kernel.release"), base $BASE, series $(sed -n 's/^series: //p' "$out/provenance"), modes: $(echo $modes)" |
	tee "$out/summary"

status=0
for m in $modes; do
	tests=${TESTS:-$(mode_tests "$m")}
	# The base lacks the tests the series adds: run what it has.
	if [ -n "${BASELINE:-}" ]; then
		tests=$(for t in $tests; do grep -qx "$t" "$ksft/kselftest-list.txt" && echo "$t"; done; true)
	fi
	echo "$tests" >"$out/$m.tests"
	step "check: mode $m ($(mode_params "$m")${PROFILE_APPEND:+ $PROFILE_APPEND}${APPEND:+ $APPEND}): booting, $(echo $tests | wc -w) tests"
	t0=$(date +%s)
	# kvm:* are kselftests; migrate:SET is a live migration (tests/migrate/migrate.py SET).
	cmd=
	kt=$(printf '%s\n' $tests | grep -v '^migrate:' || true)
	[ -z "$kt" ] || cmd="cd $ksft && ./run_kselftest.sh $(printf -- '-t %s ' $kt);"
	n=1000
	for t in $(printf '%s\n' $tests | grep '^migrate:' || true); do
		[ -f "$BUILD/migrate/payload.elf" ] || die "check: the migration payload is not built (make selftests)"
		cmd="$cmd python3 $TOP/tests/migrate/migrate.py --out $out/$m/migrate --first $((++n)) ${t#migrate:};"
	done
	"$TOP/scripts/run-guest.sh" -l tap "$m" "$out/$m" "$cmd" || status=1
	{ grep -E '^(ok|not ok) ' "$out/$m/tap" 2>/dev/null || true; } | sed 's/^/    /' >&2
	step "check: mode $m finished in $(( $(date +%s) - t0 ))s"
done
"$TOP/scripts/summarize.py" "$out" "$TOP/tests/known-failures" $modes | tee -a "$out/summary" ||
	status=1
exit $status
