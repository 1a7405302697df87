#!/usr/bin/env bash
# The one host-side path for a guest run.  Looks up MODE in tests/modes, boots the kernel
# in OBJ with the mode's parameters (+ the profile's, + APPEND) and runs COMMAND in the
# guest through scripts/guest-run.sh (mode check, output in OUTDIR/LOG, kernel log with the
# end-of-run marker), then judges the run.  Without OUTDIR and COMMAND: an interactive
# shell in that mode.
# Usage: run-guest.sh [-t TIMEOUT_S] [-l LOG] MODE OUTDIR COMMAND...
#        run-guest.sh MODE                      (shell)
# Judgment, in OUTDIR/run-errors, one line a problem, printed on stderr: KVM did not load
# or the mode did not take, the guest ran out of time or died, the kernel log is missing,
# incomplete or has a splat.  Exit 0 when there is none, 1 otherwise.  The command's own
# exit status is in OUTDIR/exit, for the caller to judge (test failures are its business).
. "$(dirname "$0")/lib.sh"
timeout_s=${GUEST_TIMEOUT:-2400} logname=log
while getopts t:l: o; do
	case $o in t) timeout_s=$OPTARG ;; l) logname=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
mode=${1:?usage: run-guest.sh [-t S] [-l LOG] MODE [OUTDIR COMMAND...]}
params="$(mode_params "$mode") ${PROFILE_APPEND:-} ${APPEND:-}"
if [ $# = 1 ]; then
	exec "$TOP/scripts/boot.sh" -a "$params"
fi
out=$(realpath -m "$2")
shift 2
[ $# -gt 0 ] || die "run-guest: no command"
mkdir -p "$out"
rm -f "$out/run-errors" "$out/exit" "$out/dmesg" "$out/setup-error"
write_provenance "$out" "mode: $mode ($params)" "guest command: $*"
rc=0
# virtme-ng hands the guest one command line, which a shell there splits: quote each word.
"$TOP/scripts/boot.sh" -t "$timeout_s" -a "$params" -- \
	"$(printf '%q ' "$TOP/scripts/guest-run.sh" "$out" "$logname" "$@")" \
	>"$out/output.log" 2>"$out/console.log" || rc=$?
{
	[ -e "$out/setup-error" ] && cat "$out/setup-error"
	[ $rc = 124 ] && echo "guest timed out after ${timeout_s}s"
	"$TOP/scripts/check-splats.sh" "$out/dmesg" "$out/console.log" 2>"$out/splats" ||
		echo "guest kernel log: $(head -n1 "$out/splats")"
	[ -e "$out/setup-error" ] || [ -e "$out/exit" ] || echo "the guest command left no exit status (guest died?)"
} >"$out/run-errors"
[ -s "$out/run-errors" ] || exit 0
sed "s|^|run-guest: $mode: |" "$out/run-errors" >&2
[ -s "$out/splats" ] && sed -n '2,20p' "$out/splats" >&2
exit 1
