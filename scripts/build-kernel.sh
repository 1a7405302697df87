#!/usr/bin/env bash
# Configure (x86_64_defconfig + config/kvm.config) and build the kernel out of tree.
. "$(dirname "$0")/lib.sh"
obj=$OBJ
frag=$TOP/config/kvm.config
cc="gcc"
command -v ccache >/dev/null && cc="ccache gcc"
# Relative paths in the cache key, so that the base, the series check and the work tree
# (same source path, different object directories) share cached objects.
export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1
kmake() { make -C "$KSRC" O="$obj" CC="$cc" HOSTCC="$cc" -j"$(nproc)" -s "$@"; }

mkdir -p "$obj"
if [ ! -f "$obj/.config" ] || [ "$frag" -nt "$obj/.config" ]; then
	step "build: configure $obj (x86_64_defconfig + ${frag#$TOP/})"
	kmake x86_64_defconfig >/dev/null
	(cd "$obj" && "$KSRC/scripts/kconfig/merge_config.sh" -m -O "$obj" .config "$frag" >/dev/null)
	kmake olddefconfig >/dev/null
	# Fail closed: every line of the fragment must have taken effect.
	bad=0
	while IFS= read -r l; do
		case "$l" in CONFIG_*=n) k=${l%%=*}; grep -qx "$k=[ym]" "$obj/.config" && { echo "config: $k still set" >&2; bad=1; } ;;
		             CONFIG_*=*) grep -qx "$l" "$obj/.config" || { echo "config: '$l' did not stick" >&2; bad=1; } ;;
		esac
	done < <(sed 's/#.*//' "$frag")
	[ $bad = 0 ] || { rm -f "$obj/.config"; die "build: config fragment did not apply"; }
fi
step "build: kernel + modules in ${obj#$TOP/} ($(nproc) jobs, $cc)"
start=$(date +%s)
rm -f "$obj/.workbench-tree"
kmake bzImage modules || die "build: kernel build failed"
# virtme-ng links the modules into .virtme_mods on first boot; make it do so afresh.
rm -rf "$obj/.virtme_mods"
tree_state >"$obj/.workbench-tree"
step "build: kernel done in $(( $(date +%s) - start ))s: $(make -C "$KSRC" O="$obj" -s kernelrelease)"
