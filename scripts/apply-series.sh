#!/usr/bin/env bash
# Apply patches/series to build/linux with git am, in order.  A patch that does not apply
# stops everything with its name.  If the work tree already carries commits on top of
# "base", they must be exactly the series (patch-id), otherwise we refuse rather than guess
# which side is newer: use "make export" (tree -> patches/) or "make reapply" (patches/ -> tree).
. "$(dirname "$0")/lib.sh"
cd "$KSRC"
series=$TOP/patches/series
mapfile -t names < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$series" 2>/dev/null || true)
for n in "${names[@]}"; do
	[ -f "$TOP/patches/$n" ] || die "apply: patches/series names '$n', which does not exist"
done

ids() { git patch-id --stable | cut -d' ' -f1; }
want=$(for n in "${names[@]}"; do ids < "$TOP/patches/$n"; done)
have=$(git format-patch --stdout base..HEAD | ids)

if [ "${1:-}" = --reset ]; then
	[ -z "$(git status --porcelain --untracked-files=no)" ] ||
		die "apply: $KSRC has uncommitted changes; commit or stash them first"
	step "apply: resetting $KSRC to base"
	git checkout -q -B work base
	have=
fi
if [ -n "$have" ]; then
	[ "$have" = "$want" ] && { step "apply: work tree already carries the series (${#names[@]} patches)"; exit 0; }
	die "apply: $KSRC (base..HEAD) differs from patches/series; run 'make export' to keep the tree, or 'make reapply' to take patches/"
fi
i=0
for n in "${names[@]}"; do
	i=$((i + 1))
	step "apply: [$i/${#names[@]}] $n"
	git am -q --keep-cr "$TOP/patches/$n" || {
		git am --abort >/dev/null 2>&1 || true
		die "apply: patch '$n' does not apply to the base; nothing after it was applied"
	}
done
step "apply: ${#names[@]} patches applied"
