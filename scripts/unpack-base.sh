#!/usr/bin/env bash
# Unpack the verified base into build/linux as a git work tree; tag "base" = pristine.
# An existing work tree is left alone (it holds the developer's commits).
. "$(dirname "$0")/lib.sh"
deb=$BUILD/dl/${BASE_PATH##*/}
if git -C "$KSRC" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	step "unpack: $KSRC already has tag base; leaving it"
	exit 0
fi
[ -e "$KSRC" ] && die "unpack: $KSRC exists but has no tag 'base'; remove it and run again"
step "unpack: $(basename "$deb") -> $KSRC"
tmp=$(mktemp -d "$BUILD/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./$BASE_TARBALL"
tar -xJf "$tmp/$BASE_TARBALL" -C "$tmp"
rm -f "$tmp/$BASE_TARBALL"
mv "$tmp/linux-source-5.10" "$KSRC"
step "unpack: git init + commit (takes a minute)"
cd "$KSRC"
git init -q -b work
git config user.name "${GIT_AUTHOR_NAME:-kvm-mmu workbench}"
git config user.email "${GIT_AUTHOR_EMAIL:-workbench@localhost}"
git config gc.auto 0
# The Debian tree ships its own .gitignore files; add everything that is in the package.
git add -A -f .
git commit -q -m "Debian linux-source-5.10 5.10.223-1 (pristine)"
git tag base
step "unpack: done ($(git rev-parse --short base))"
