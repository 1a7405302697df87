#!/usr/bin/env bash
# Build the kvm selftests from the patched tree and install them with kselftest's runner
# into build/kselftest.  Headers come from the same tree (not the host's linux-libc-dev).
. "$(dirname "$0")/lib.sh"
obj=$OBJ
hdr=$obj/kselftest/usr
step "build: kvm selftests -> ${KSFT#$TOP/}"
rm -rf "$KSFT"
make -C "$KSRC/tools/testing/selftests" -s -j"$(nproc)" TARGETS=kvm O="$obj" \
	INSTALL_HDR_PATH="$hdr" KSFT_INSTALL_PATH="$KSFT" install >"$obj/selftests.log" 2>&1 || {
	tail -30 "$obj/selftests.log" >&2
	die "build: kvm selftests failed (log: $obj/selftests.log)"
}
[ -x "$KSFT/run_kselftest.sh" ] && [ -d "$KSFT/kvm" ] || die "build: kselftest install left nothing in $KSFT"
[ -f "$hdr/include/linux/kvm.h" ] || die "build: selftests did not use the tree's UAPI headers ($hdr)"
# TCG runs the guests about 50x slower than hardware; kselftest's 45 s default is too short.
echo "timeout=${KSFT_TIMEOUT:-900}" >"$KSFT/kvm/settings"
tree_state >"$KSFT/.workbench-tree"
n=$(grep -c '^kvm:' "$KSFT/kselftest-list.txt")
step "build: $n kvm selftests installed"
# The live-migration test's guest payload and QEMU shim (tests/migrate), for the host's QEMU
# that the test kernel runs.
make -s -C "$TOP/tests/migrate" O="$BUILD/migrate" >"$obj/migrate-build.log" 2>&1 || {
	cat "$obj/migrate-build.log" >&2
	die "build: tests/migrate failed"
}
step "build: migration payload -> ${BUILD#$TOP/}/migrate"
