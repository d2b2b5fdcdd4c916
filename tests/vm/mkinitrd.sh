#!/bin/bash
#
# tests/vm/mkinitrd.sh: build the test VM's initramfs; print its path.
#
# Usage: tests/vm/mkinitrd.sh            (KVER=<ver> to pick another kernel)
#
# The initramfs holds busybox-static, tests/vm/init as /init, and the virtio
# + 9p modules of the guest kernel (decompressed), which /init loads in the
# order below to mount the host's root and the work tree over virtio-9p.
#
# It is cached outside the work tree, in
#   ${NP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nodeplane}/vm/initrd-<ver>-<hash>.gz
# where <hash> covers tests/vm/init, this script and the busybox binary, so
# editing either rebuilds it. Images unused for a week are removed.
# Safe to run concurrently (the image is written to a temp file and renamed).
set -euo pipefail

# shellcheck source=tests/vm/common.sh
. "$(dirname "$0")/common.sh"

# Load order from `modprobe --show-depends 9p 9pnet_virtio virtio_pci`
# (modules built into the kernel are left out).
MODULES=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
	netfs fscache 9pnet 9pnet_virtio 9p)

kver=$(np_vm_kver)
cache=$(np_vm_cache)
busybox=$(command -v busybox) || np_vm_die "busybox not found: apt-get install busybox-static"
! LC_ALL=C grep -qa '/lib64/ld-linux' "$busybox" ||
	np_vm_die "$busybox is not static: apt-get install busybox-static"

hash=$(cat "$NP_VM_DIR/init" "$0" "$busybox" | sha256sum | cut -c1-12)
out=$cache/initrd-$kver-$hash.gz
if [[ -s $out ]]; then
	touch "$out"
	echo "$out"
	exit 0
fi

tmp=$(mktemp -d "$cache/mkinitrd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"/{bin,sbin,dev,proc,sys,mnt/root,lib/np}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
done
install -m 0755 "$NP_VM_DIR/init" "$root/init"
: >"$root/lib/np/order"

for m in "${MODULES[@]}"; do
	if grep -q "/$m\.ko" "/lib/modules/$kver/modules.builtin" 2>/dev/null; then
		continue
	fi
	echo "$m" >>"$root/lib/np/order"
	f=$(find "/lib/modules/$kver/kernel" -name "$m.ko" -o -name "$m.ko.xz" \
		-o -name "$m.ko.zst" -o -name "$m.ko.gz" | head -n1)
	[[ -n $f ]] || np_vm_die "module $m not found for $kver (is linux-image-$kver installed?)"
	case $f in
	*.xz) xz -dc "$f" >"$root/lib/np/$m.ko" ;;
	*.zst) zstd -qdc "$f" >"$root/lib/np/$m.ko" ;;
	*.gz) gzip -dc "$f" >"$root/lib/np/$m.ko" ;;
	*) cp "$f" "$root/lib/np/$m.ko" ;;
	esac
done

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null --create --format=newc --owner=0:0 --quiet) | gzip -6 >"$tmp/initrd.gz"
find "$cache" -maxdepth 1 -name 'initrd-*.gz' -mtime +7 -delete
mv -f "$tmp/initrd.gz" "$out"
echo "$out"
