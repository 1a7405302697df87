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
modes=${MODES:-$(sed -e 's/#.*//' -e '/^\s*$/d' "$TOP/tests/modes" | cut -f1)}
tests=${TESTS:-$(sed -e 's/#.*//' -e '/^\s*$/d' "$TOP/tests/x86.tests")}
rm -rf "$out" && mkdir -p "$out"
kernel=$(cat "$OBJ/include/config/kernel.release" 2>/dev/null)
series_head=$(cat "$OBJ/.workbench-tree" 2>/dev/null)
echo "kernel $kernel, tree $series_head, $(echo $tests | wc -w) tests, modes: $(echo $modes)" | tee "$out/summary"

status=0
for m in $modes; do
	params=$(awk -v m="$m" '$1 == m { $1 = ""; print }' "$TOP/tests/modes")
	[ -n "$params" ] || die "check: unknown mode '$m' (see tests/modes)"
	d=$out/$m
	mkdir -p "$d"
	step "check: mode $m ($params${APPEND:+ $APPEND}): booting, $(echo $tests | wc -w) tests"
	t0=$(date +%s)
	rc=0
	"$TOP/scripts/boot.sh" -t "${GUEST_TIMEOUT:-2400}" -a "$params ${APPEND:-}" -- \
		"$TOP/scripts/guest-run.sh" "$d" "$ksft" $tests >"$d/output.log" 2>"$d/console.log" || rc=$?
	grep -E '^(ok|not ok) ' "$d/tap" 2>/dev/null | sed 's/^/    /' >&2
	step "check: mode $m finished in $(( $(date +%s) - t0 ))s (guest exit $rc)"
	if [ -e "$d/setup-error" ]; then cat "$d/setup-error" >&2; status=1; fi
	if ! "$TOP/scripts/check-splats.sh" "$d/dmesg" "$d/console.log" 2>"$d/splats"; then
		cat "$d/splats" >&2
		status=1
	fi
	if [ $rc = 124 ]; then echo "check: mode $m timed out" >&2; status=1; fi
done
"$TOP/scripts/summarize.py" "$out" "$TOP/tests/known-failures" $modes -- $tests | tee -a "$out/summary" ||
	status=1
exit $status
