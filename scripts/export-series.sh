#!/usr/bin/env bash
# Export the work tree's commits (base..HEAD) to patches/NNNN-*.patch and rewrite
# patches/series.  The hand-written cover letter (patches/0000-cover-letter.patch) is kept.
. "$(dirname "$0")/lib.sh"
cd "$KSRC"
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
	die "export: $KSRC has uncommitted changes; commit them first"
n=$(git rev-list --count base..HEAD)
find "$TOP/patches" -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-cover-letter.patch' -delete
# --zero-commit and --no-signature keep unchanged patches byte-identical between exports.
git format-patch -q --zero-commit --no-signature --start-number 1 -o "$TOP/patches" base..HEAD
{
	echo "# Ordered list of the series, as in Debian kernel packaging.  One file name a line."
	(cd "$TOP/patches" && ls [0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v '^0000-cover-letter.patch$')
} >"$TOP/patches/series"
step "export: $n patches -> patches/ (commit them in the project repo)"
