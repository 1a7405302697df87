#!/usr/bin/env bash
# Longer runs of the randomized tests (tests/soak.tests, commands with arguments) in each
# MMU mode: one boot per mode through scripts/run-guest.sh (mode check, splat check).
# Environment: MODES (default: npt1-tdp0 npt1-tdp1 npt0), OUT (default build/results/soak),
#   APPEND="extra kernel params" (e.g. kvm.eager_page_split=0).
# Exit 0 only when every guest run was clean and every command passed or skipped.
. "$(dirname "$0")/lib.sh"
out=$(realpath -m "${OUT:-$BUILD/results/soak}")
ksft=$KSFT
[ -x "$ksft/run_kselftest.sh" ] || die "soak: kselftests not built ($ksft); run 'make'"
require_built_from_tree "$OBJ"
require_built_from_tree "$ksft"
modes=${MODES:-npt1-tdp0 npt1-tdp1 npt0}
for m in $modes; do mode_params "$m" >/dev/null; done
rm -rf "$out" && mkdir -p "$out"
write_provenance "$out" "modes: $(echo $modes)"
# The guest runs this: each command's output as TAP comments, then ok / not ok (exit 4 is
# kselftest's skip).
{
	echo "cd $ksft; n=0; echo 'TAP version 13'"
	list_file "$TOP/tests/soak.tests" | while read -r cmd; do
		printf 'n=$((n + 1)); s=$(date +%%s); ./%s 2>&1 | sed "s/^/# /"; rc=${PIPESTATUS[0]}\n' "$cmd"
		printf 'case $rc in 0) r=ok d= ;; 4) r=ok d=" # SKIP" ;; *) r="not ok" d= ;; esac\n'
		printf 'echo "$r $n %s (exit $rc, $(( $(date +%%s) - s )) s)$d"\n' "$cmd"
	done
} >"$out/run.sh"
ncmd=$(list_file "$TOP/tests/soak.tests" | wc -l)
status=0
for m in $modes; do
	d=$out/$m
	step "soak: mode $m ($(mode_params "$m") ${PROFILE_APPEND:-} ${APPEND:-}): booting, $ncmd commands"
	t0=$(date +%s)
	"$TOP/scripts/run-guest.sh" -l tap "$m" "$d" "bash $out/run.sh" || status=1
	{ grep -E '^(ok|not ok) ' "$d/tap" 2>/dev/null || true; } | sed 's/^/    /' >&2
	step "soak: mode $m finished in $(( $(date +%s) - t0 ))s"
	n=$({ grep -E '^(ok|not ok) ' "$d/tap" 2>/dev/null || true; } | wc -l)
	bad=$({ grep -c '^not ok' "$d/tap" 2>/dev/null || true; })
	if [ "$n" != "$ncmd" ]; then
		echo "soak: $m: $n of $ncmd commands reported a result" >&2
		status=1
	fi
	if [ "${bad:-0}" != 0 ]; then
		echo "soak: $m: $bad commands failed" >&2
		status=1
	fi
done
exit $status
