#!/usr/bin/env bash
# Run the matrix on the pristine base (tag "base", no patches) and keep the result in
# results/baseline/ (committed), so that every failure with the series can be compared
# with the same test on the unpatched kernel.
. "$(dirname "$0")/lib.sh"
tree=$BUILD/base-tree
export OBJ=$BUILD/base-obj KSFT=$BUILD/base-kselftest
if ! git -C "$tree" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	git -C "$BUILD/linux" worktree prune
	git -C "$BUILD/linux" worktree add -q --detach "$tree" base
fi
[ "$(git -C "$tree" rev-parse HEAD)" = "$(git -C "$BUILD/linux" rev-parse base)" ] ||
	die "baseline: $tree is not at base"
export KSRC=$tree
"$TOP/scripts/build-kernel.sh"
"$TOP/scripts/build-selftests.sh"
dest=$TOP/results/baseline
rc=0
OUT=$BUILD/results/baseline "$TOP/scripts/check.sh" || rc=$?
rm -rf "$dest" && mkdir -p "$dest"
for d in "$BUILD/results/baseline"/*/; do
	m=$(basename "$d")
	mkdir -p "$dest/$m"
	cp "$d"/tap "$d"/mode "$d"/dmesg "$d"/output.log "$dest/$m/" 2>/dev/null
done
cp "$BUILD/results/baseline/summary" "$dest/"
step "baseline: results in results/baseline/ (matrix exit $rc)"
