#!/usr/bin/env bash
# Run one kvm selftest N times in one boot, in one mode, and count how often it fails:
# the evidence for (or against) an intermittent failure, on the series or on the base.
# Usage: repeat.sh MODE TEST N [EXTRA KERNEL PARAMS]   e.g. repeat.sh npt0 tsc_msrs_test 30
# Environment: OBJ, KSFT as for check.sh (BASELINE=1 OBJ=build/base-obj KSFT=build/base-kselftest
# for the base).  Output: build/results/repeat/MODE-TEST/{log,counts}.
. "$(dirname "$0")/lib.sh"
m=$1 t=$2 n=$3 extra=${4:-}
params=$(sed -e 's/#.*//' -e '/^\s*$/d' "$TOP/tests/modes" | awk -F'\t+' -v m="$m" '$1 == m { print $2 }')
[ -n "$params" ] || die "repeat: unknown mode '$m'"
[ -x "$KSFT/kvm/$t" ] || die "repeat: no test $KSFT/kvm/$t"
out=$(realpath -m "$BUILD/results/repeat/${BASELINE:+base-}$m-$t")
rm -rf "$out" && mkdir -p "$out"
step "repeat: $t x$n in $m ($params $extra) on $(cat "$OBJ/.workbench-tree")"
"$TOP/scripts/boot.sh" -t 3600 -a "$params $extra" -- \
	"modprobe kvm_amd; cd $KSFT/kvm; p=0; f=0; for i in \$(seq $n); do if ./$t >>$out/log 2>&1; then p=\$((p+1)); else f=\$((f+1)); echo \"run \$i failed\" >>$out/log; fi; done; echo \"$t $m: \$p passed, \$f failed\" | tee $out/counts" \
	>"$out/output" 2>"$out/console.log"
cat "$out/counts" 2>/dev/null || die "repeat: no result (see $out/console.log)"
