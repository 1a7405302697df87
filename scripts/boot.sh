#!/usr/bin/env bash
# Boot the built kernel under QEMU TCG with virtme-ng (host root filesystem, read-only;
# build/ is writable) and run a command in it, or give a shell when none is given.
# Usage: boot.sh [-t TIMEOUT_S] [-a "KERNEL PARAMS"] [-- COMMAND...]
# With a command, the kernel log (console) comes out on stderr, the command's output on stdout.
# Exit status: the command's, or 124 when the guest did not finish in time.
. "$(dirname "$0")/lib.sh"
timeout_s=3600 append=
while getopts t:a:l: o; do
	# -l FILE: kernel log to FILE instead of stderr
	case $o in t) timeout_s=$OPTARG ;; a) append=$OPTARG ;; l) exec 2>>"$OPTARG" ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
obj=$OBJ
[ -f "$obj/arch/x86/boot/bzImage" ] || die "boot: no kernel in $obj; run 'make' first"
command -v vng >/dev/null || die "boot: virtme-ng is not installed; run 'make deps'"

# -cpu max,la57=off: 5.10's NPT code breaks under a 5-level-paging host CPU model.
# tcg,thread=single: multi-threaded TCG hangs the guest CPU in set_memory_region_test and
#   dirty_log_test (an RCU stall in the guest); see tests/known-failures.
# QEMU_EXTRA: more QEMU options for an experiment (e.g. a monitor socket).
qemu_opts="-cpu max,la57=off -accel tcg,thread=single ${QEMU_EXTRA:-}"
vng_args=(--run "$obj" --disable-kvm --cpus "${GUEST_CPUS:-2}"
	--memory "${GUEST_MEM:-3G}" "--rwdir=$BUILD=$BUILD" "--qemu-opts=$qemu_opts"
	"--append=panic=-1 oops=panic $append")
if [ $# = 0 ]; then
	exec vng "${vng_args[@]}"
fi
timeout -k 30 "$timeout_s" vng "${vng_args[@]}" --verbose --exec "$*" </dev/null
rc=$?
[ $rc = 124 ] && echo "boot: guest did not finish within ${timeout_s}s; killed" >&2
exit $rc
