#!/usr/bin/env bash
# Export the work tree's commits (base..HEAD) to patches/, one folder a series, and rewrite
# patches/series.  patches/sets names the series in the order they apply, with the number
# of commits of each: the commits are dealt out to the folders in that order, numbered from
# 0001 in each.  Each folder's cover letter (0000-cover-letter.patch) keeps its hand-written
# header and text; its subject's patch count, the shortlog, the diffstat, the base and the
# prerequisite-patch-id lines (the earlier series it applies on) are regenerated.
#
# Author and Signed-off-by: the patches are stamped with the identity of the project
# repository's git configuration (git config user.name / user.email), so that whoever
# exports them for submission signs them.  A Signed-off-by of another person stays.
. "$(dirname "$0")/lib.sh"
cd "$KSRC"
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
	die "export: $KSRC has uncommitted changes; commit them first"
name=$(git -C "$TOP" config user.name || true) email=$(git -C "$TOP" config user.email || true)
[ -n "$name" ] && [ -n "$email" ] ||
	die "export: set git config user.name and user.email in $TOP: the patches are signed off with them"
ident="$name <$email>"
sets=$TOP/patches/sets
[ -f "$sets" ] || die "export: no $sets (folder and number of patches of each series)"
mapfile -t set_lines < <(list_file "$sets")
total=0
for l in "${set_lines[@]}"; do total=$((total + $(cut -f2 <<<"$l"))); done
n=$(git rev-list --count base..HEAD)
[ "$n" = "$total" ] ||
	die "export: base..HEAD has $n commits, patches/sets adds up to $total; update patches/sets"
mapfile -t commits < <(git rev-list --reverse base..HEAD)

# Replace the placeholder identity and make the exporter's Signed-off-by the last line of
# the trailer; the From: header becomes the exporter.  Patch-ids do not change.
stamp() {
	IDENT=$ident python3 - "$1" <<'EOF'
import os, re, sys
f = sys.argv[1]
ident = os.environ["IDENT"]
head, sep, rest = open(f).read().partition("\n---\n")
# format-patch folds a long From: header onto continuation lines.
head = re.sub(r"^From: .*(\n[ \t].*)*$", "From: " + ident, head, count=1, flags=re.M)
lines = [l for l in head.split("\n") if l != "Signed-off-by: " + ident and
         l != "Signed-off-by: KVM MMU series <kvm-mmu-series@localhost>"]
while lines and lines[-1] == "":
    lines.pop()
lines.append("Signed-off-by: " + ident)
open(f, "w").write("\n".join(lines) + sep + rest)
EOF
}

{
	echo "# Ordered list of the patches, as in Debian kernel packaging: one file a line, in"
	echo "# the order they apply.  One folder a series (see patches/sets and each folder's"
	echo "# cover letter)."
} >"$TOP/patches/series.new"
first=0
for l in "${set_lines[@]}"; do
	dir=$(cut -f1 <<<"$l") count=$(cut -f2 <<<"$l")
	d=$TOP/patches/$dir
	mkdir -p "$d"
	find "$d" -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-cover-letter.patch' -delete
	from=${commits[$first]} to=${commits[$((first + count - 1))]}
	# --zero-commit and --no-signature keep unchanged patches byte-identical between exports.
	git format-patch -q --zero-commit --no-signature --start-number 1 -o "$d" "$from^..$to"
	for p in "$d"/[0-9][0-9][0-9][0-9]-*.patch; do
		[ "${p##*/}" = 0000-cover-letter.patch ] || stamp "$p"
	done
	{
		echo
		echo "# $dir: $(sed -n 's/^Subject: \[PATCH[^]]*\] //p' "$d/0000-cover-letter.patch" 2>/dev/null | head -n1)"
		(cd "$TOP/patches" && ls "$dir"/[0-9][0-9][0-9][0-9]-*.patch | grep -v '/0000-cover-letter.patch$')
	} >>"$TOP/patches/series.new"
	cover=$d/0000-cover-letter.patch
	[ -f "$cover" ] || die "export: $dir has no cover letter; write $cover (header, subject, text)"
	# The hand-written part ends where git's shortlog begins ("Author (N):").
	text=$(awk '/^[^ ].* \([0-9]+\):$/ { exit } { print }' "$cover" |
		sed -e "s|^Subject: \[PATCH\(.*\) [0-9]*/[0-9]*\]|Subject: [PATCH\1 00/$count]|" \
		    -e "s|^From: .*|From: $ident|")
	{
		printf '%s\n\n' "$(printf '%s\n' "$text" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')"
		# One group under the exporter, whoever authored the work tree's commits: the
		# patches' From: is the exporter too.
		printf '%s (%s):\n' "$name" "$count"
		git log --reverse --format='      %s' "$from^..$to"
		echo
		git diff --stat=78 "$from^..$to"
		echo
		echo "base: Debian linux-source-5.10 $BASE ($BASE_UPSTREAM), no upstream git history in the package"
		echo "base-commit: $(git rev-parse 'base^{commit}') (tag base of the work tree make unpack creates, the same on every machine)"
		git rev-list --reverse "base..$from^" | while read -r c; do
			echo "prerequisite-patch-id: $(git show "$c" | git patch-id --stable | cut -d' ' -f1)"
		done
		echo "series-id: $(git format-patch --stdout "$from^..$to" | series_id_of)"
		echo "-- "
	} >"$cover.new"
	mv "$cover.new" "$cover"
	step "export: $dir: $count patches"
	first=$((first + count))
done
mv "$TOP/patches/series.new" "$TOP/patches/series"
find "$TOP/patches" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' -delete
step "export: $n patches in ${#set_lines[@]} series -> patches/, signed off by $ident (commit them in the project repo)"
