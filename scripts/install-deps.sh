#!/usr/bin/env bash
# Install what the workbench needs from Debian's packages (only what is missing), and the
# pinned virtme-ng .deb from the Debian archive (trixie; architecture-independent).
. "$(dirname "$0")/lib.sh"
pkgs=(build-essential flex bison bc libelf-dev libssl-dev cpio kmod ccache git curl xz-utils
      qemu-system-x86 udev file rsync python3 python3-ply python3-git python-is-python3 python3-argcomplete python3-requests python3-pkg-resources
      python3-matplotlib
      # The Intel runner (scripts/bochs-run.sh): Bochs with VMX, a GRUB ISO, busybox.
      bochs bochsbios vgabios bochs-term grub-pc-bin xorriso mtools busybox-static)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	step "deps: apt-get install ${missing[*]}"
	[ "$(id -u)" = 0 ] || die "deps: need root to install: ${missing[*]}"
	apt-get update -q >/dev/null || die "deps: apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null ||
		die "deps: apt-get install failed for: ${missing[*]}"
fi
vng_deb=$DL/${VNG_PATH##*/}
if [ "$(dpkg-query -W -f='${Version}' virtme-ng 2>/dev/null)" != "$VNG_VERSION" ]; then
	fetch_pinned trixie "$VNG_PATH" "$VNG_SHA256" "$vng_deb"
	step "deps: install virtme-ng $VNG_VERSION"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$vng_deb" >/dev/null ||
		die "deps: installing virtme-ng failed"
fi
step "deps: ok (virtme-ng $(dpkg-query -W -f='${Version}' virtme-ng), $(qemu-system-x86_64 --version | head -1))"
