#!/bin/bash
# DKMS tier: `dkms add` + `dkms build` of this tree for the installed Debian
# kernel, with every DKMS path (source, build and install trees) under a
# temporary directory, then checks that /lib/modules and /var/lib/dkms were
# not changed and that the built module is the one we ship (name, version,
# vermagic). Prints OK/FAIL lines and a summary, like every tier.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=${KDIR:-$("$top/scripts/kdir.sh")}
kver=${KVER:-$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")}
ver=$(cat "$top/VERSION")
pass=0 fail=0

ok() { echo "OK   $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

snapshot() {
	find /lib/modules /var/lib/dkms -printf '%p %s %T@\n' 2>/dev/null | sort | sha256sum
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
before=$(snapshot)

# the source tree DKMS sees: what git tracks (what a release tarball holds)
src=$tmp/src/nodeplane-$ver
mkdir -p "$src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard -- Kbuild dkms.conf VERSION kmod uapi |
	xargs -0 cp --parents -t "$src")

# dkms.conf takes its version from VERSION (one version source): sourced
# by bash from elsewhere, as DKMS does, it says VERSION's; and it never
# spells a version itself
conf_ver=$(cd / && bash -c '. "$1" >/dev/null && echo "$PACKAGE_VERSION"' _ "$src/dkms.conf")
if [ "$conf_ver" = "$ver" ] && ! grep -qF "\"$ver\"" "$top/dkms.conf"; then ok dkms.conf-version; else
	ko dkms.conf-version "dkms.conf says '$conf_ver' (or spells the version), VERSION says '$ver'"; fi

mkdir -p "$tmp/tree" "$tmp/install"
# DKMS signs what it builds and would create its key pair in /var/lib/dkms;
# point it at throw-away keys instead.
dk=(env mok_signing_key="$tmp/mok.key" mok_certificate="$tmp/mok.pub" dkms --sourcetree "$tmp/src" --dkmstree "$tmp/tree" --installtree "$tmp/install"
    -m nodeplane -v "$ver" -k "$kver" --kernelsourcedir "$kdir")
if "${dk[@]}" add >"$tmp/add.log" 2>&1 && "${dk[@]}" build >"$tmp/build.log" 2>&1; then
	ok dkms-build
else
	ko dkms-build "see below"; cat "$tmp"/*.log >&2
fi

# another installed kernel (not 6.1) is skipped, not a failed build
other=(env mok_signing_key="$tmp/mok.key" mok_certificate="$tmp/mok.pub" dkms --sourcetree "$tmp/src" --dkmstree "$tmp/tree" --installtree "$tmp/install"
    -m nodeplane -v "$ver" -k 6.12.0-1-amd64 --kernelsourcedir "$kdir")
rc=0
"${other[@]}" build >"$tmp/other.log" 2>&1 || rc=$?
if [ "$rc" -eq 77 ] && grep -q "BUILD_EXCLUSIVE" "$tmp/other.log" &&
   [ -z "$(find "$tmp/tree" -path '*6.12.0*' -name '*.ko')" ]; then
	ok dkms-other-kernel-skipped
else
	ko dkms-other-kernel-skipped "exit $rc (want 77, BUILD_EXCLUSIVE): $(tail -n 3 "$tmp/other.log" | tr '\n' ' ')"
fi
rm -f "$tmp/other.log"

ko_file=$(find "$tmp/tree" -name nodeplane.ko | head -n 1 || true)
if [ -n "$ko_file" ] &&
   [ "$(modinfo -F version "$ko_file")" = "$ver" ] &&
   modinfo -F vermagic "$ko_file" | grep -q "^$kver " &&
   modinfo -F alias "$ko_file" | grep -qx 'net-pf-16-proto-16-family-nodeplane'; then
	ok dkms-module-modinfo
else
	ko dkms-module-modinfo "no module, or wrong version/vermagic/alias: ${ko_file:-none}"
fi

"${dk[@]}" remove >/dev/null 2>&1 || true
if [ "$(snapshot)" = "$before" ]; then ok dkms-host-untouched; else
	ko dkms-host-untouched "/lib/modules or /var/lib/dkms changed"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
