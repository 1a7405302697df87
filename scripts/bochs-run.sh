#!/usr/bin/env bash
# The Intel runner: boot the test kernel under Bochs (Intel VMX with EPT, PML and shadow
# VMCS; QEMU emulates no VMX) with an initramfs of busybox, KVM's modules and the kvm
# selftests, run TESTS in MODE (tests/modes-intel) and judge the run as run-guest.sh does.
# Usage: bochs-run.sh [-t TIMEOUT_S] MODE OUTDIR TEST...
#   TEST: "kvm:name" or "name", optionally with the test's arguments ("kvm:name -i 5");
#   "migrate:SET" (a live migration, tests/migrate/migrate.py SET); or a step
#   "set:MODULE.PARAM=VALUE" that sets a writable module parameter for the tests after it.
# Output in OUTDIR: serial.log (the console), tap, dmesg, mode, run-errors, bochs.log.
# Exit 0 when the run was clean (booted, mode took, complete log, no splat); the tests'
# results are in OUTDIR/tap, for the caller to judge.
. "$(dirname "$0")/lib.sh"
timeout_s=${GUEST_TIMEOUT:-7200}
while getopts t: o; do
	case $o in t) timeout_s=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
mode=${1:?usage: bochs-run.sh [-t S] MODE OUTDIR TEST...}
out=$(realpath -m "${2:?usage: bochs-run.sh [-t S] MODE OUTDIR TEST...}")
shift 2
params=$(sed -e 's/#.*//' "$TOP/tests/modes-intel" | awk -F'\t+' -v m="$mode" '$1 == m { print $2 }')
[ -n "$params" ] || die "bochs-run: unknown Intel mode '$mode' (tests/modes-intel)"
command -v bochs >/dev/null || die "bochs-run: no bochs (make deps)"
# On the kernel command line a test is its name and arguments joined by '+'.
# A comma inside a test's arguments becomes '%', as commas separate the tests.
tests=$(printf '%s\n' "$@" | sed -e 's/^kvm://' -e 's/,/%/g' -e 's/ \+/+/g' | paste -sd,)
# One scratch folder a mode, so that modes can run at once (BOCHS_WORK: another one).
# The folder is locked while Bochs runs (the lock's descriptor passes to Bochs): a second
# run of the same mode, e.g. make check-intel beside make migrate, gets a folder of its
# own, removed at its end, instead of rebuilding the ISO under the first run.
work=${BOCHS_WORK:-$BUILD/intel/$mode}
mkdir -p "$work"
exec 9>"$work.lock"
if ! flock -n 9; then
	work=$BUILD/intel/$mode.$$
	trap 'rm -rf "$work"' EXIT
	step "bochs-run: $BUILD/intel/$mode is in use by another run; using $work"
fi
rm -rf "$out" "$work/initramfs" "$work/iso" && mkdir -p "$out" "$work/initramfs" "$work/iso/boot/grub"

# The initramfs: busybox, /init, the modules and the tests with the libraries they link.
ir=$work/initramfs
mkdir -p "$ir"/{bin,proc,sys,dev,tmp,lib/kvm,kvm,lib64}
cp /bin/busybox "$ir/bin/busybox"
file "$ir/bin/busybox" | grep -q 'statically linked' || die "bochs-run: /bin/busybox is not static (busybox-static)"
cp "$TOP/tests/intel/init" "$ir/init"
cp "$OBJ/virt/lib/irqbypass.ko" "$OBJ/arch/x86/kvm/kvm.ko" "$OBJ/arch/x86/kvm/kvm-intel.ko" "$ir/lib/kvm/"
# The libraries that programs link, at their paths in the initramfs.
copy_libs() {
	local lib
	for lib in $(ldd "$@" | grep -o '^[[:space:]]\+/[^ ]*\|=> /[^ ]*' | grep -o '/.*' | sort -u); do
		mkdir -p "$ir$(dirname "$lib")"
		cp -L "$lib" "$ir$lib"
	done
}
for t in $(printf '%s\n' ${tests//,/ } | cut -d+ -f1 | grep -v '^migrate:\|^set:'); do
	[ -x "$KSFT/kvm/$t" ] || die "bochs-run: no test $KSFT/kvm/$t"
	cp "$KSFT/kvm/$t" "$ir/kvm/"
	copy_libs "$KSFT/kvm/$t"
done
# migrate:SET (tests/migrate/migrate.py) runs the host's QEMU with KVM in the test kernel:
# QEMU with its libraries and the firmware a multiboot -kernel boot loads, Python with the
# modules migrate.py imports (found by importing it here), the payload and the shim.
if printf '%s\n' ${tests//,/ } | grep -q '^migrate:'; then
	[ -f "$BUILD/migrate/payload.elf" ] && [ -f "$BUILD/migrate/dirty-log-shim.so" ] ||
		die "bochs-run: the migration payload is not built (make selftests)"
	copy_libs /usr/bin/qemu-system-x86_64 /usr/bin/python3 "$BUILD/migrate/dirty-log-shim.so"
	for f in /usr/bin/qemu-system-x86_64 /usr/bin/python3 /usr/share/qemu/kvmvapic.bin \
		/usr/share/qemu/multiboot_dma.bin /usr/share/seabios/bios-256k.bin; do
		mkdir -p "$ir$(dirname "$f")" && cp -L "$f" "$ir$f"
	done
	/usr/bin/python3 -B -S -c '
import sys
sys.path.insert(0, sys.argv[1])
import migrate, subprocess, json
subprocess.run(["/bin/true"])
json.loads(json.dumps({}))
import encodings.ascii, encodings.latin_1, encodings.utf_8
for m in list(sys.modules.values()):
    for a in ("__file__", "__cached__"):
        f = getattr(m, a, None)
        if f and f.startswith("/usr/lib/python3"):
            print(f)' "$TOP/tests/migrate" | sort -u | cpio -pdmL --quiet "$ir"
	mkdir -p "$ir/migrate"
	cp "$TOP/tests/migrate/migrate.py" "$BUILD/migrate/payload.elf" \
		"$BUILD/migrate/dirty-log-shim.so" "$ir/migrate/"
fi
(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/iso/boot/initrd"
cp "$OBJ/arch/x86/boot/bzImage" "$work/iso/boot/bzImage"
# Kernel parameters for the emulated CPU (docs/intel.md):
# - noxsaves: Bochs' CPUID leaf 0xD gives a XSAVES area size that disagrees with the one the
#   kernel computes from the features, which WARNs in fpu__init_system_xstate() at boot;
# - retbleed=off: the Skylake-X model has the RETBleed bug but no IBRS (CPUID.7.EDX[26]), so
#   the kernel cannot pick the Intel mitigation that real Skylake hosts use and prints a
#   "RETBleed: WARNING:" notice; no side channel matters in an emulator.
boot_params="noxsaves retbleed=off"
cat >"$work/iso/boot/grub/grub.cfg" <<CFG
set timeout=0
menuentry test {
	linux /boot/bzImage console=ttyS0,115200 panic=-1 $boot_params $params ${APPEND:-} workbench.tests=$tests workbench.timeout=${TEST_TIMEOUT:-3600}
	initrd /boot/initrd
}
CFG
grub-mkrescue -o "$work/boot.iso" "$work/iso" >"$work/grub-mkrescue.log" 2>&1 ||
	{ cat "$work/grub-mkrescue.log" >&2; die "bochs-run: grub-mkrescue failed"; }

# Bochs: one Skylake-X CPU with VMX, 2 GiB, the ISO as CD-ROM, the console on COM1 into a
# file.
# MSRs: Linux touches MSRs that Bochs does not model.  Bochs' ignore_bad_msrs=1 answers
# every unknown MSR, which also makes KVM list MSRs the CPU lacks (state_test and smm_test
# then fail; docs/intel.md).  Instead Bochs gets the MSRs Linux needs from
# tests/intel/msrs.def and raises #GP for any other, as hardware does.
# BOCHS_MSRS: another definition file, or "ignore" for ignore_bad_msrs=1.
msrs_def=${BOCHS_MSRS:-$TOP/tests/intel/msrs.def}
if [ "$msrs_def" = ignore ]; then
	msrs="ignore_bad_msrs=1"
else
	msrs="ignore_bad_msrs=0, msrs=\"$(realpath -e "$msrs_def")\""
fi
cat >"$work/bochsrc" <<RC
cpu: model=corei7_skylake_x, count=1, ips=${BOCHS_IPS:-50000000}, $msrs
memory: guest=2048, host=2048
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path="$work/boot.iso", status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev="$out/serial.log"
display_library: rfb, options="timeout=0"
log: $out/bochs.log
error: action=report, cpu0=ignore
panic: action=fatal
RC
write_provenance "$out" "intel mode: $mode ($params ${APPEND:-}), boot: $boot_params" "tests: $tests" \
	"emulator: $(dpkg-query -W -f='bochs ${Version}' bochs), $(head -n1 "$work/bochsrc")"
step "bochs-run: $mode ($params): booting under Bochs, $(printf '%s\n' ${tests//,/ } | grep -vc '^set:') tests"
rc=0
# Bochs' debugger reads its commands from stdin: "c" runs the machine.  BOCHS_STDIN (a
# FIFO that the caller keeps open) hands the debugger to the caller instead: SIGINT to
# bochs stops the machine at its prompt (docs/intel.md#debugger).
if [ -n "${BOCHS_STDIN:-}" ]; then
	timeout "$timeout_s" bochs -q -f "$work/bochsrc" <"$BOCHS_STDIN" >"$out/bochs.out" 2>&1 || rc=$?
else
	echo c | timeout "$timeout_s" bochs -q -f "$work/bochsrc" >"$out/bochs.out" 2>&1 || rc=$?
fi
s=$out/serial.log
grep -E '^(ok|not ok) ' "$s" >"$out/tap" 2>/dev/null || true
sed -n 's/^workbench: param //p' "$s" >"$out/mode" 2>/dev/null || true
if grep -q '^workbench: migrate cases follow' "$s" 2>/dev/null; then
	mkdir -p "$out/migrate"
	sed -n '/^workbench: migrate cases follow/,/^workbench: migrate cases end/p' "$s" |
		sed -e '1d;$d' -e 's/\r$//' >"$out/migrate/cases.jsonl"
fi
sed -n '/^workbench: kernel log follows/,/^workbench: guest run complete/p' "$s" | sed 1d >"$out/dmesg" 2>/dev/null || true
{
	[ $rc = 124 ] && echo "guest timed out after ${timeout_s}s"
	grep -h '^workbench: setup error' "$s" 2>/dev/null
	grep -q '^workbench: guest run complete' "$s" 2>/dev/null || echo "the guest did not finish its run (serial.log ends: $(tail -n1 "$s" 2>/dev/null | cut -c1-120))"
	KSRC=$KSRC KNOWN_SPLATS=$TOP/tests/intel/known-splats \
		"$TOP/scripts/check-splats.sh" "$out/dmesg" "$s" 2>"$out/splats" ||
		echo "guest kernel log: $(grep -v ' excused: ' "$out/splats" | head -n1)"
} >"$out/run-errors" || true
[ -s "$out/run-errors" ] || exit 0
sed "s|^|bochs-run: $mode: |" "$out/run-errors" >&2
exit 1
