#!/usr/bin/env bash
# The test matrix: for each MMU mode in tests/modes, boot once, run the kvm selftests of
# tests/x86.tests, check the guest kernel log for splats, and tabulate.
# Environment: MODES="npt0 ..." (default: all), TESTS="kvm:foo ..." (default: tests/x86.tests),
#   APPEND="extra kernel params", OUT=results dir (default build/results/latest),
#   GUEST_TIMEOUT=seconds per boot (default 2400).
# Exit 0 only when every mode booted, ran, had a clean log and no unexpected failure.
. "$(dirname "$0")/lib.sh"
out=$(realpath -m "${OUT:-$BUILD/results/latest}")
ksft=$KSFT
[ -x "$ksft/run_kselftest.sh" ] || die "check: kselftests not built ($ksft); run 'make'"
if [ -n "${BASELINE:-}" ]; then
	want=$(git -C "$KSRC" rev-parse base)
	for d in "$OBJ" "$ksft"; do
		[ "$(cat "$d/.workbench-tree" 2>/dev/null)" = "$want" ] || die "check: $d is not a build of tag base"
	done
else
	require_built_from_tree "$OBJ"
	require_built_from_tree "$ksft"
fi
list() { sed -e 's/#.*//' -e '/^\s*$/d' "$1"; }
mode_field() { list "$TOP/tests/modes" | awk -F'\t+' -v m="$1" -v f="$2" '$1 == m { print $f }'; }
modes=${MODES:-$(list "$TOP/tests/modes" | cut -f1)}
rm -rf "$out" && mkdir -p "$out"
kernel=$(cat "$OBJ/include/config/kernel.release" 2>/dev/null)
series_head=$(cat "$OBJ/.workbench-tree" 2>/dev/null)
echo "kernel $kernel, tree $series_head, modes: $(echo $modes)" | tee "$out/summary"

status=0
for m in $modes; do
	params=$(mode_field "$m" 2)
	[ -n "$params" ] || die "check: unknown mode '$m' (see tests/modes)"
	f=$(mode_field "$m" 3)
	tests=${TESTS:-$(list "$TOP/${f:-tests/x86.tests}")}
	# The base lacks the tests the series adds: run what it has.  Nor does it know
	# mmu_audit=2 (every event): its closest is 1 (10 events per 5 s).
	if [ -n "${BASELINE:-}" ]; then
		tests=$(for t in $tests; do grep -qx "$t" "$ksft/kselftest-list.txt" && echo "$t"; done)
		params=${params/kvm.mmu_audit=2/kvm.mmu_audit=1}
	fi
	echo "$tests" >"$out/$m.tests"
	d=$out/$m
	mkdir -p "$d"
	step "check: mode $m ($params${PROFILE_APPEND:+ $PROFILE_APPEND}${APPEND:+ $APPEND}): booting, $(echo $tests | wc -w) tests"
	t0=$(date +%s)
	rc=0
	"$TOP/scripts/boot.sh" -t "${GUEST_TIMEOUT:-2400}" -a "$params ${PROFILE_APPEND:-} ${APPEND:-}" -- \
		"$TOP/scripts/guest-run.sh" "$d" "$ksft" $tests >"$d/output.log" 2>"$d/console.log" || rc=$?
	{ grep -E '^(ok|not ok) ' "$d/tap" 2>/dev/null || true; } | sed 's/^/    /' >&2
	step "check: mode $m finished in $(( $(date +%s) - t0 ))s (guest exit $rc)"
	# Problems of the run as a whole, each counted as a failure by summarize.py.
	: >"$d/run-errors"
	if [ -e "$d/setup-error" ]; then cat "$d/setup-error" >>"$d/run-errors"; fi
	if ! "$TOP/scripts/check-splats.sh" "$d/dmesg" "$d/console.log" 2>"$d/splats"; then
		cat "$d/splats" >&2
		echo "guest kernel log: $(head -n1 "$d/splats")" >>"$d/run-errors"
	fi
	if [ $rc = 124 ]; then echo "guest timed out after ${GUEST_TIMEOUT:-2400}s" >>"$d/run-errors"; fi
	if [ -s "$d/run-errors" ]; then cat "$d/run-errors" >&2; status=1; fi
done
"$TOP/scripts/summarize.py" "$out" "$TOP/tests/known-failures" $modes | tee -a "$out/summary" ||
	status=1
exit $status
