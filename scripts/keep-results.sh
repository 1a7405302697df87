#!/usr/bin/env bash
# Keep a finished run for the repository: copy a results folder of build/results/ (its
# provenance, summaries, tables and each run's tap, mode, splats, run-errors and
# provenance; kernel logs and Bochs' serial console and log gzipped; QEMU console logs and
# binaries left out) to results/.
# Usage: keep-results.sh SRC DEST     e.g. keep-results.sh build/results/latest results/5.10.262-1/series
. "$(dirname "$0")/lib.sh"
src=$(realpath -e "${1:?usage: keep-results.sh SRC DEST}") dest=$(realpath -m "${2:?usage: keep-results.sh SRC DEST}")
[ -f "$src/provenance" ] || die "keep: $src has no provenance file; not a workbench run"
rm -rf "$dest" && mkdir -p "$dest"
(cd "$src" && find . -type f ! -name console.log ! -name output.log ! -name '*.console' ! -name '*.output' \
	! -name exit ! -name slabinfo ! -name dmesg ! -name serial.log ! -name bochs.log \
	! -name '*.unexcused') | while read -r f; do
	mkdir -p "$dest/$(dirname "$f")"
	cp "$src/$f" "$dest/$f"
done
# Bochs runs (scripts/bochs-run.sh): the serial console holds the tests' own output.
(cd "$src" && find . -type f \( -name dmesg -o -name serial.log -o -name bochs.log \)) | while read -r f; do
	mkdir -p "$dest/$(dirname "$f")"
	gzip -9c "$src/$f" >"$dest/$f.gz"
done
step "keep: $src -> ${dest#$TOP/} ($(find "$dest" -type f | wc -l) files, $(du -sh "$dest" | cut -f1))"
