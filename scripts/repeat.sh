#!/usr/bin/env bash
# Run one kvm selftest N times in one boot, in one mode, and count how often it fails:
# the evidence for (or against) an intermittent failure, on the series or on the base.
# Usage: repeat.sh MODE TEST N [EXTRA KERNEL PARAMS]   e.g. repeat.sh npt0 tsc_msrs_test 30
# Environment: OBJ, KSFT as for check.sh (BASELINE=1 OBJ=build/base-obj KSFT=build/base-kselftest
# for the base).  Output: build/results/repeat/MODE-TEST/{log,counts,...}.
# Exit 0 when the guest run was clean (whatever the counts), 1 otherwise.
. "$(dirname "$0")/lib.sh"
m=$1 t=$2 n=$3
mode_params "$m" >/dev/null
[ -x "$KSFT/kvm/$t" ] || die "repeat: no test $KSFT/kvm/$t"
out=$(realpath -m "$BUILD/results/repeat/${BASELINE:+base-}$m-$t")
rm -rf "$out" && mkdir -p "$out"
step "repeat: $t x$n in $m ($(mode_params "$m") ${4:-}) on $(cat "$OBJ/.workbench-tree")"
rc=0
APPEND="${APPEND:-} ${4:-}" GUEST_TIMEOUT=${GUEST_TIMEOUT:-3600} "$TOP/scripts/run-guest.sh" "$m" "$out" \
	"cd $KSFT/kvm; p=0; f=0; for i in \$(seq $n); do if ./$t; then p=\$((p+1)); else f=\$((f+1)); echo \"run \$i failed\"; fi; done; echo \"$t $m: \$p passed, \$f failed\" | tee $out/counts" ||
	rc=1
cat "$out/counts" 2>/dev/null || echo "repeat: no counts (see $out/console.log)" >&2
exit $rc
