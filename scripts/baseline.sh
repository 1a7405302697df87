#!/usr/bin/env bash
# Run the matrix on the pristine base (tag "base", no patches) and keep the result in
# results/BASE/baseline/ (committed), so that every failure with the series can be compared
# with the same test on the unpatched kernel.  The base is checked out in build/linux
# itself and built incrementally in build/obj, then the work tree is put back.
. "$(dirname "$0")/lib.sh"
checkout_base baseline
# build/obj is reused (kbuild rebuilds exactly what the checkout changed, both ways); the
# result is copied to build/base-obj so that the matrix can run from it while build/obj
# goes back to the series.
export KSFT=$BUILD/base-kselftest
"$TOP/scripts/build-kernel.sh"
"$TOP/scripts/build-selftests.sh"
step "baseline: snapshot build/obj -> build/base-obj"
rm -rf "$BUILD/base-obj"
cp -a "$OBJ" "$BUILD/base-obj"
restore_work_tree
step "baseline: work tree back at $ORIG_HEAD; running the matrix on the base"
# MATRIX: amd (QEMU, tests/modes), intel (Bochs, tests/modes-intel) or both (default).
rc=0
case ${MATRIX:-amd intel} in *amd*)
	OUT=$BUILD/results/baseline OBJ=$BUILD/base-obj BASELINE=1 "$TOP/scripts/check.sh" || rc=$?
	"$TOP/scripts/keep-results.sh" "$BUILD/results/baseline" "$TOP/results/$BASE/baseline"
	step "baseline: results in results/$BASE/baseline/ (matrix exit $rc)" ;;
esac
case ${MATRIX:-amd intel} in *intel*)
	INTEL_OUT=$BUILD/results/baseline-intel OBJ=$BUILD/base-obj BASELINE=1 "$TOP/scripts/check-intel.sh" || rc=$?
	"$TOP/scripts/keep-results.sh" "$BUILD/results/baseline-intel" "$TOP/results/$BASE/baseline-intel"
	step "baseline: Intel results in results/$BASE/baseline-intel/ (matrix exit $rc)" ;;
esac
exit $rc
