#!/usr/bin/env bash
# Configure (x86_64_defconfig + config/kvm.config [+ FRAGMENTS]) and build the kernel out of
# tree.  FRAGMENTS: more config fragments, e.g. config/debug.config for the debug profile.
# JOBS: parallel jobs (default: all CPUs).
. "$(dirname "$0")/lib.sh"
obj=$OBJ
frags=("$TOP/config/kvm.config")
for f in ${FRAGMENTS:-}; do frags+=("$(realpath -m "$TOP/$f")"); done
cc="gcc"
command -v ccache >/dev/null && cc="ccache gcc"
# Relative paths in the cache key, so that the base, the series check and the work tree
# (same source path, different object directories) share cached objects.
export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1
kmake() { make -C "$KSRC" O="$obj" CC="$cc" HOSTCC="$cc" -j"${JOBS:-$(nproc)}" -s "$@"; }

mkdir -p "$obj"
stale=
[ -f "$obj/.config" ] || stale=1
for f in "${frags[@]}"; do
	[ -f "$f" ] || die "build: no config fragment $f"
	[ "$f" -nt "$obj/.config" ] && stale=1
done
# A different set of fragments than last time needs a new configuration too.
[ "$(cat "$obj/.workbench-fragments" 2>/dev/null)" = "${frags[*]}" ] || stale=1
if [ -n "$stale" ]; then
	step "build: configure $obj (x86_64_defconfig + ${frags[*]#$TOP/})"
	kmake x86_64_defconfig >/dev/null
	(cd "$obj" && "$KSRC/scripts/kconfig/merge_config.sh" -m -O "$obj" .config "${frags[@]}" >/dev/null)
	kmake olddefconfig >/dev/null
	# Fail closed: every line of the fragments must have taken effect (a later fragment's
	# setting of an option replaces an earlier one).
	bad=0
	while IFS= read -r l; do
		case "$l" in CONFIG_*=n) k=${l%%=*}; grep -qx "$k=[ym]" "$obj/.config" && { echo "config: $k still set" >&2; bad=1; } ;;
		             CONFIG_*=*) grep -qx "$l" "$obj/.config" || { echo "config: '$l' did not stick" >&2; bad=1; } ;;
		esac
	done < <(cat "${frags[@]}" | sed -e 's/#.*//' -e '/^\s*$/d' |
		 awk -F= '{ last[$1] = $0; order[NR] = $1 } END { for (i = 1; i <= NR; i++) if (order[i] in last) { print last[order[i]]; delete last[order[i]] } }')
	[ $bad = 0 ] || { rm -f "$obj/.config"; die "build: config fragment did not apply"; }
	echo "${frags[*]}" >"$obj/.workbench-fragments"
fi
step "build: kernel + modules in ${obj#$TOP/} (${JOBS:-$(nproc)} jobs, $cc)"
start=$(date +%s)
rm -f "$obj/.workbench-tree"
kmake bzImage modules || die "build: kernel build failed"
# virtme-ng links the modules into .virtme_mods on first boot; make it do so afresh.
rm -rf "$obj/.virtme_mods"
tree_state >"$obj/.workbench-tree"
step "build: kernel done in $(( $(date +%s) - start ))s: $(make -C "$KSRC" O="$obj" -s kernelrelease)"
