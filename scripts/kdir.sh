#!/bin/bash
# Prints the kbuild tree to build against: the newest installed Debian
# kernel headers (never `uname -r`: the build host's kernel is not the target).
set -euo pipefail
kdir=$(ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1)
[ -n "$kdir" ] || kdir=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
if [ -z "$kdir" ]; then
	echo "kdir.sh: no kernel headers found; run 'make deps' (linux-headers-amd64)" >&2
	exit 1
fi
readlink -f "$kdir"
