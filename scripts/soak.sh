#!/usr/bin/env bash
# Longer runs of the randomized tests (tests/soak.tests, commands with arguments) in each
# MMU mode: one boot per mode, the guest kernel log checked for splats as in "make check".
# Environment: MODES (default: npt1-tdp0 npt1-tdp1 npt0), OUT (default build/results/soak),
#   APPEND="extra kernel params" (e.g. kvm.eager_page_split=0).
# Exit 0 only when every command passed or skipped and every log is clean.
. "$(dirname "$0")/lib.sh"
out=$(realpath -m "${OUT:-$BUILD/results/soak}")
ksft=$KSFT
[ -x "$ksft/run_kselftest.sh" ] || die "soak: kselftests not built ($ksft); run 'make'"
require_built_from_tree "$OBJ"
require_built_from_tree "$ksft"
list() { sed -e 's/#.*//' -e '/^\s*$/d' "$1"; }
modes=${MODES:-npt1-tdp0 npt1-tdp1 npt0}
rm -rf "$out" && mkdir -p "$out"
status=0
for m in $modes; do
	params=$(list "$TOP/tests/modes" | awk -F'\t+' -v m="$m" '$1 == m { print $2 }')
	[ -n "$params" ] || die "soak: unknown mode '$m' (see tests/modes)"
	d=$out/$m
	mkdir -p "$d"
	# The guest runs this: each command's output as TAP comments, then ok / not ok
	# (exit 4 is kselftest's skip).
	{
		echo "n=0; echo 'TAP version 13'"
		list "$TOP/tests/soak.tests" | while read -r cmd; do
			printf 'n=$((n + 1)); s=$(date +%%s); ./%s 2>&1 | sed "s/^/# /"; rc=${PIPESTATUS[0]}\n' "$cmd"
			printf 'case $rc in 0) r=ok ;; 4) r="ok # SKIP" ;; *) r="not ok" ;; esac\n'
			printf 'echo "$r $n %s (exit $rc, $(( $(date +%%s) - s )) s)"\n' "$cmd"
		done
	} >"$d/run.sh"
	step "soak: mode $m ($params ${PROFILE_APPEND:-} ${APPEND:-}): booting, $(list "$TOP/tests/soak.tests" | wc -l) commands"
	t0=$(date +%s)
	rc=0
	"$TOP/scripts/boot.sh" -t "${GUEST_TIMEOUT:-2400}" -a "$params ${PROFILE_APPEND:-} ${APPEND:-}" -- \
		"$TOP/scripts/guest-run.sh" "$d" "$ksft" --script "$d/run.sh" >"$d/output.log" \
		2>"$d/console.log" || rc=$?
	grep -E '^(ok|not ok) ' "$d/tap" 2>/dev/null | sed 's/^/    /' >&2
	step "soak: mode $m finished in $(( $(date +%s) - t0 ))s (guest exit $rc)"
	if ! "$TOP/scripts/check-splats.sh" "$d/dmesg" "$d/console.log" 2>"$d/splats"; then
		cat "$d/splats" >&2
		status=1
	fi
	[ -e "$d/setup-error" ] && { cat "$d/setup-error" >&2; status=1; }
	[ $rc = 124 ] && { echo "soak: guest timed out" >&2; status=1; }
	grep -q '^not ok' "$d/tap" 2>/dev/null && status=1
	grep -q '^ok\|^not ok' "$d/tap" 2>/dev/null || { echo "soak: $m ran nothing" >&2; status=1; }
done
exit $status
