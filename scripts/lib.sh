# Shared helpers for the workbench scripts.  Sourced, not run.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
# The tree, its object directory and its installed kselftests; overridable so that the same
# scripts build and run the pristine base (scripts/baseline.sh) beside the work tree.
KSRC=$(realpath -m "${KSRC:-$BUILD/linux}")
OBJ=$(realpath -m "${OBJ:-$BUILD/obj}")
KSFT=$(realpath -m "${KSFT:-$BUILD/kselftest}")
. "$TOP/base.conf"

step() { printf '==> [%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# The Debian archive root that this machine's apt is configured for (e.g. ".../debian/").
# Only "debian" roots are considered; the first one that carries the wanted suite wins.
debian_archive() {
	local suite=$1 uri
	for uri in $(apt-get indextargets --format '$(REPO_URI)' 2>/dev/null | sort -u); do
		case "$uri" in */debian/) ;; *) continue ;; esac
		if curl -fsS -m 30 -o /dev/null "${uri}dists/$suite/Release"; then
			echo "$uri"
			return 0
		fi
	done
	return 1
}

# fetch_pinned SUITE PATH SHA256 DEST: download once, always verify.
fetch_pinned() {
	local suite=$1 path=$2 sum=$3 dest=$4 uri
	if [ ! -f "$dest" ]; then
		uri=$(debian_archive "$suite") ||
			die "fetch: no Debian archive from the apt configuration serves suite '$suite'"
		step "fetch: ${path##*/} (suite $suite)"
		mkdir -p "$(dirname "$dest")"
		local progress=--silent
		[ -t 2 ] && progress=--progress-bar
		curl -fSL $progress --show-error -o "$dest.part" "$uri$path" ||
			die "fetch: download of ${path##*/} failed"
		mv "$dest.part" "$dest"
	fi
	echo "$sum  $dest" | sha256sum -c --quiet - >/dev/null 2>&1 || {
		mv "$dest" "$dest.bad"
		die "fetch: sha256 mismatch for ${path##*/} (moved to $dest.bad); expected $sum"
	}
}

# What a build was made from: the commit of the tree, and "+dirty" for uncommitted changes.
tree_state() {
	local d=
	[ -n "$(git -C "$KSRC" status --porcelain --untracked-files=no 2>/dev/null)" ] && d=+dirty
	echo "$(git -C "$KSRC" rev-parse HEAD)$d"
}

# Refuse to test a build that was not made from the tree as it is now.
require_built_from_tree() {
	local f=$1/.workbench-tree want
	want=$(tree_state)
	[ -f "$f" ] || die "$1 has no record of the tree it was built from; run 'make'"
	[ "$(cat "$f")" = "$want" ] ||
		die "$1 was built from $(cat "$f"), the tree is at $want; run 'make'"
}

# Check out tag base (detached) in the work tree for a while; the branch is put back by
# restore_work_tree, and on any exit.  Refuses a tree with uncommitted changes.
checkout_base() {
	[ -z "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ] ||
		die "$1: $KSRC has uncommitted changes; commit them first"
	ORIG_HEAD=$(git -C "$KSRC" symbolic-ref -q --short HEAD || git -C "$KSRC" rev-parse HEAD)
	trap restore_work_tree EXIT
	git -C "$KSRC" checkout -q --detach base
}
restore_work_tree() {
	git -C "$KSRC" am --abort >/dev/null 2>&1 || true
	git -C "$KSRC" checkout -q "$ORIG_HEAD"
	trap - EXIT
}
