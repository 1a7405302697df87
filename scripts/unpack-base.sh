#!/usr/bin/env bash
# Unpack the verified base into build/linux (build/VERSION/linux for a base other than the
# default) as a git work tree; tag "base" = pristine, its message names the package version.
# An existing work tree is left alone (it holds the developer's commits), unless it was
# unpacked from another base: then we stop rather than test the wrong kernel.
. "$(dirname "$0")/lib.sh"
deb=$DL/${BASE_PATH##*/}
what="linux-source-5.10 $BASE ($BASE_UPSTREAM)"
if git -C "$KSRC" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	have=$(git -C "$KSRC" for-each-ref --format='%(contents:subject)' refs/tags/base)
	# Work trees unpacked before bases became a choice carry a lightweight tag.
	[ -n "$have" ] || have=$(git -C "$KSRC" log -1 --format=%s base)
	case "$have" in
	*"$BASE "*) step "unpack: $KSRC already has tag base ($have); leaving it" ;;
	*) die "unpack: $KSRC holds '$have', not base $BASE; export your work, then remove $KSRC" ;;
	esac
	exit 0
fi
[ -e "$KSRC" ] && die "unpack: $KSRC exists but has no tag 'base'; remove it and run again"
step "unpack: $(basename "$deb") -> $KSRC"
mkdir -p "$BUILD"
tmp=$(mktemp -d "$BUILD/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./$BASE_TARBALL"
tar -xJf "$tmp/$BASE_TARBALL" -C "$tmp"
rm -f "$tmp/$BASE_TARBALL"
# The package must be the upstream release its conf names (top-level Makefile).
v=$(awk -F' = ' '$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
	$1 == "SUBLEVEL" { s = $2 } END { print "v" v "." p "." s }' "$tmp/linux-source-5.10/Makefile")
[ "$v" = "$BASE_UPSTREAM" ] || die "unpack: $(basename "$deb") is $v, bases/$BASE.conf says $BASE_UPSTREAM"
mv "$tmp/linux-source-5.10" "$KSRC"
step "unpack: git init + commit (takes a minute)"
cd "$KSRC"
git init -q -b work
git config user.name "${GIT_AUTHOR_NAME:-kvm-mmu workbench}"
git config user.email "${GIT_AUTHOR_EMAIL:-workbench@localhost}"
git config gc.auto 0
# The Debian tree ships its own .gitignore files; add everything that is in the package.
git add -A -f .
# A fixed identity and the package's own date make the commit, and so the cover letters'
# base-commit:, the same on every machine.
when="@$(date -r Makefile +%s) +0000"
GIT_AUTHOR_NAME="kvm-mmu workbench" GIT_AUTHOR_EMAIL=workbench@localhost \
GIT_COMMITTER_NAME="kvm-mmu workbench" GIT_COMMITTER_EMAIL=workbench@localhost \
GIT_AUTHOR_DATE="$when" GIT_COMMITTER_DATE="$when" \
	git commit -q -m "Debian $what (pristine)"
git tag -a base -m "$what"
step "unpack: done ($(git rev-parse --short base): $what)"
