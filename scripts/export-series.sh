#!/usr/bin/env bash
# Export the work tree's commits (base..HEAD) to patches/NNNN-*.patch and rewrite
# patches/series.  The cover letter (patches/0000-cover-letter.patch) keeps its hand-written
# header and text; its subject's patch count, the shortlog, the diffstat and the base line
# after the text are regenerated, so that they always describe the patches exported.
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
cover=$TOP/patches/0000-cover-letter.patch
if [ -f "$cover" ]; then
	# The hand-written part ends where git's shortlog begins ("Author (N):").
	text=$(awk '/^[^ ].* \([0-9]+\):$/ { exit } { print }' "$cover" |
		sed -e "s|^Subject: \[PATCH [0-9]*/[0-9]*\]|Subject: [PATCH 00/$n]|")
	{
		printf '%s\n\n' "$(printf '%s\n' "$text" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')"
		git shortlog base..HEAD
		git diff --stat=78 base..HEAD
		echo
		echo "base: Debian linux-source-5.10 $BASE ($BASE_UPSTREAM), no upstream git history in the package"
		echo "series-id: $(series_id_of_tree HEAD)"
		echo "-- "
	} >"$cover.new"
	mv "$cover.new" "$cover"
fi
step "export: $n patches -> patches/, cover letter's shortlog and diffstat regenerated (commit them in the project repo)"
