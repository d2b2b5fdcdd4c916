#!/bin/bash
# Installs this tree as a DKMS module for every installed kernel (root).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ver=$(cat "$top/VERSION")
dst=/usr/src/nodeplane-$ver
[ "$(id -u)" -eq 0 ] || { echo "install-dkms: run as root" >&2; exit 1; }
rm -rf "$dst"
mkdir -p "$dst"
(cd "$top" && git ls-files -z -- Kbuild dkms.conf VERSION kmod uapi | xargs -0 cp --parents -t "$dst")
dkms remove -m nodeplane -v "$ver" --all >/dev/null 2>&1 || true
dkms install -m nodeplane -v "$ver"
