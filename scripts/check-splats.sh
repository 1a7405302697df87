#!/usr/bin/env bash
# Fail closed on a guest kernel log: exit 0 only if the log exists, shows the end-of-run
# marker (so a guest that died early is never read as clean), and has no splat.
# Usage: check-splats.sh DMESG [CONSOLE_LOG...]
set -u
dmesg=$1
shift
pat='WARNING:|BUG:|Oops|kernel BUG at|general protection fault|KASAN|UBSAN|'
pat+='possible circular locking|possible recursive locking|inconsistent lock state|'
pat+='suspicious RCU usage|lockdep|rcu: INFO:|rcu_sched self-detected stall|detected stalls on CPUs|'
pat+='blocked for more than|hung_task|soft lockup|hard LOCKUP|Kernel panic|'
pat+='audit: .* error: |list_add corruption|list_del corruption|kmemleak: .* new suspected memory leaks|Call Trace:'
if [ ! -s "$dmesg" ]; then
	echo "splat-check: no kernel log at $dmesg (guest died or never ran)" >&2
	# The console may still say why (a panic, an Oops).
	grep -hE -- "$pat" "$@" 2>/dev/null | head -20 >&2
	exit 1
fi
if ! grep -q '^workbench: guest run complete' "$dmesg"; then
	echo "splat-check: $dmesg is incomplete (no end-of-run marker)" >&2
	exit 1
fi
# KNOWN_SPLATS: WARNs an emulator is known to cause (scripts/known-splats.py), excused only
# at the exact source line listed; the count goes to stderr with the reason.
logs=("$dmesg" "$@")
if [ -n "${KNOWN_SPLATS:-}" ]; then
	"$(dirname "$0")/known-splats.py" "$KNOWN_SPLATS" "${logs[@]}" | sed 's/^/splat-check: /' >&2 ||
		{ echo "splat-check: known-splats.py failed" >&2; exit 1; }
	logs=("${logs[@]/%/.unexcused}")
fi
# Boot banners of the debug profile are not splats.
found=$(grep -nE -- "$pat" "${logs[@]}" 2>/dev/null |
	grep -vE 'lockdep: .*ok|RCU lockdep checking is enabled' | head -40)
if [ -n "$found" ]; then
	echo "splat-check: kernel log has splats:" >&2
	echo "$found" >&2
	exit 1
fi
exit 0
