#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the User-Mode Linux kernel the KUnit tier runs in, and print
# the path of its build directory on stdout (everything else goes to stderr).
#
#   tests/kunit/uml-build.sh [--force]
#
# Source: the Debian package linux-source-6.1 (NP_LINUX_TARBALL overrides),
# untarred once into $cache/src/<srcversion>/. Build: kunit.py with
# tests/kunit/kunitconfig into $cache/uml/<srcversion>-<sha of kunitconfig>/,
# where cache is ${NP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nodeplane}.
# A build directory is reused only when its stamp file exists; the stamp is
# written last, after a build that succeeded and whose .config holds every
# line of the kunitconfig (kunit.py checks that). Concurrent callers
# serialise on a lock file per build directory.
#
# Environment: NP_CACHE, NP_LINUX_TARBALL, NP_JOBS (default 2).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
kunitconfig=$here/kunitconfig
tarball=${NP_LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
jobs=${NP_JOBS:-2}
cache=${NP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nodeplane}
force=0
[ "${1:-}" = --force ] && force=1

log() { printf 'uml-build: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ -r "$tarball" ] || die "$tarball not found (apt-get install linux-source-6.1)"
[ -r "$kunitconfig" ] || die "$kunitconfig not found"
for t in tar xz make gcc bison flex bc sha256sum flock; do
	command -v "$t" >/dev/null 2>&1 || die "missing tool: $t"
done
py=$(command -v python3) || die "missing tool: python3"

# Name the source by the package version when dpkg knows the tarball, else
# by the tarball's own hash.
srcversion=
if pkg=$(dpkg-query -S "$tarball" 2>/dev/null); then
	pkg=${pkg%%:*}
	srcversion=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || true)
	[ -n "$srcversion" ] && srcversion=$pkg-$srcversion
fi
if [ -z "$srcversion" ]; then
	srcversion=$(basename "$tarball" | sed 's/\.tar\..*//')-$(sha256sum "$tarball" | cut -c1-12)
fi
srcversion=$(printf '%s' "$srcversion" | tr -c 'A-Za-z0-9._+-' '_')
cfgsha=$(sha256sum "$kunitconfig" | cut -c1-12)

src=$cache/src/$srcversion
build=$cache/uml/$srcversion-$cfgsha
stamp=$build/.nodeplane-stamp

mkdir -p "$cache/src" "$cache/uml"
# One lock per build directory (the source untar happens under it too, and
# is itself guarded by its own stamp).
exec 9>"$build.lock"
flock 9

if [ "$force" = 0 ] && [ -f "$stamp" ] && [ -x "$build/linux" ]; then
	log "reusing $build"
	printf '%s\n' "$build"
	exit 0
fi

exec 7>"$src.lock"
flock 7
if [ ! -f "$src/.nodeplane-untarred" ]; then
	log "untarring $tarball into $src"
	tmp=$cache/src/.tmp.$$
	rm -rf "$tmp" "$src"
	mkdir -p "$tmp"
	tar -xJf "$tarball" -C "$tmp"
	top=$(ls "$tmp")
	[ "$(printf '%s\n' "$top" | wc -l)" = 1 ] || die "unexpected tarball layout: $top"
	mv "$tmp/$top" "$src"
	rmdir "$tmp"
	: >"$src/.nodeplane-untarred"
fi
flock -u 7

rm -f "$stamp"
mkdir -p "$build"
log "building UML kernel in $build (jobs=$jobs, log: $build/build.log)"
start=$(date +%s)
# kunit.py writes the kunitconfig to .config, runs olddefconfig, checks that
# every requested option survived, then builds vmlinux and modules.
if ! (cd "$src" && "$py" tools/testing/kunit/kunit.py build \
		--arch=um --kunitconfig="$kunitconfig" \
		--build_dir="$build" --jobs="$jobs") >"$build/build.log" 2>&1; then
	tail -n 40 "$build/build.log" >&2
	die "UML build failed, see $build/build.log"
fi
[ -x "$build/linux" ] || die "no $build/linux after the build"
[ -f "$build/Module.symvers" ] || die "no $build/Module.symvers after the build"

# Belt and braces: the kernel's own KUnit suites would share our console.
if grep -q '^CONFIG_KUNIT_ALL_TESTS=y' "$build/.config"; then
	die "CONFIG_KUNIT_ALL_TESTS ended up enabled"
fi

printf 'src=%s\nkunitconfig_sha=%s\nbuilt=%s\nseconds=%s\n' \
	"$src" "$cfgsha" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	"$(($(date +%s) - start))" >"$stamp"
log "built in $(($(date +%s) - start)) s"
printf '%s\n' "$build"
