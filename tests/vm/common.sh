# shellcheck shell=bash
#
# tests/vm/common.sh: host-side helpers shared by tests/vm/{mkinitrd.sh,run,shell}.
# Sourced, never executed.
#
# What it decides, and how to override it:
#   NP_TOP          the work tree root (this file's ../..), physical path
#   KVER            guest kernel version: newest /lib/modules/<ver> that has
#                   both build/ (headers) and /boot/vmlinuz-<ver>; falls back
#                   to what linux-headers-amd64 depends on. Never `uname -r`.
#   NP_CACHE        cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/nodeplane);
#                   the initramfs and the KVM probe result live in $NP_CACHE/vm
#   NP_VM_ACCEL     kvm or tcg to skip the probe. Otherwise KVM is tried once
#                   per host boot (short boot under `timeout`) and the answer
#                   is cached; TCG is the fallback.
#
# Guest kernel command line parameters understood by tests/vm/init:
#   np_mode=run|shell|probe  np_top=DIR  np_results=DIR  np_timeout=SECS
#   np_tty=ROWSxCOLS  np_term=TERM  np_rootopts=9P-MOUNT-OPTIONS
# tests/vm/run and tests/vm/shell append $NP_VM_APPEND to the command line.

NP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck disable=SC2034 # used by the scripts that source this file
NP_VM_DIR=$NP_TOP/tests/vm

np_vm_die() {
	echo "vm: $*" >&2
	exit 2
}

# Print the guest kernel version.
np_vm_kver() {
	if [[ -n ${KVER:-} ]]; then
		echo "$KVER"
		return
	fi
	local d v best=
	for d in /lib/modules/*/build; do
		[[ -d $d ]] || continue
		v=${d%/build}
		v=${v##*/}
		[[ -r /boot/vmlinuz-$v ]] || continue
		best+="$v"$'\n'
	done
	if [[ -z $best ]] && command -v dpkg-query >/dev/null; then
		# linux-headers-amd64 depends on linux-headers-<ver>.
		v=$(dpkg-query -W -f '${Depends}' linux-headers-amd64 2>/dev/null |
			grep -o 'linux-headers-[^ ,]*' | head -n1)
		v=${v#linux-headers-}
		[[ -n $v && -r /boot/vmlinuz-$v ]] && best=$v
	fi
	best=$(printf '%s' "$best" | sed '/^$/d' | sort -V | tail -n1)
	[[ -n $best ]] || np_vm_die "no guest kernel found: install linux-image-amd64 linux-headers-amd64 (or set KVER=)"
	echo "$best"
}

np_vm_cache() {
	local c=${NP_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/nodeplane}/vm
	mkdir -p "$c"
	echo "$c"
}

# Print the kernel image to boot. The Debian bzImage spends ~4 s of a ~9 s
# TCG boot decompressing itself, so when the kernel has CONFIG_PVH the
# uncompressed vmlinux is extracted once into the cache and booted directly
# (QEMU's PVH entry); otherwise /boot/vmlinuz-KVER.
np_vm_kernel() {
	local kver=$1 z=/boot/vmlinuz-$1 cache key out magic pos tmp
	if ! grep -qx 'CONFIG_PVH=y' "/boot/config-$kver" 2>/dev/null; then
		echo "$z"
		return
	fi
	cache=$(np_vm_cache)
	key=$(stat -c '%s %Y' "$z" | sha256sum | cut -c1-12)
	out=$cache/vmlinux-$kver-$key
	if [[ ! -s $out ]]; then
		tmp=$(mktemp "$out.XXXXXX")
		for magic in '\xfd7zXZ\x00:xz -dcq --single-stream' '\x28\xb5\x2f\xfd:zstd -dcq' \
			'\x1f\x8b\x08:gzip -dcq'; do
			pos=$(LC_ALL=C grep -obUaP -m1 "${magic%%:*}" "$z" 2>/dev/null | head -n1 | cut -d: -f1)
			[[ -n $pos ]] || continue
			# shellcheck disable=SC2086 # the command is meant to be split
			tail -c +$((pos + 1)) "$z" | ${magic#*:} >"$tmp" 2>/dev/null || true
			[[ $(head -c4 "$tmp" | od -An -c | tr -d ' ') == 177ELF ]] && break
			: >"$tmp"
		done
		if [[ -s $tmp ]]; then
			chmod 0644 "$tmp"
			mv -f "$tmp" "$out"
		else
			rm -f "$tmp"
			echo "$z"
			return
		fi
	fi
	echo "$out"
}

# Escape a value for a QEMU option list (commas are doubled).
np_vm_qesc() {
	echo "${1//,/,,}"
}

# np_vm_qemu ARRAYNAME ACCEL KVER INITRD APPEND: fill ARRAYNAME with the
# common QEMU command line (no console/serial options).
np_vm_qemu() {
	local -n _q=$1
	local accel=$2 kver=$3 initrd=$4 append=$5 mem=${NP_VM_MEM:-2048}
	_q=(qemu-system-x86_64 -machine "q35,accel=$accel" -cpu max -smp 2 -m "$mem"
		-nodefaults -nographic -no-reboot
		-kernel "$(np_vm_kernel "$kver")" -initrd "$initrd"
		-append "console=ttyS0 quiet loglevel=5 panic=-1 panic_on_warn=1 oops=panic $append"
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$(np_vm_qesc "$NP_TOP"),mount_tag=work,security_model=none,multidevs=remap")
}

# Print kvm or tcg. KVM is used only if a probe boot under it reaches the
# guest /init within a few seconds; the answer is cached per host boot.
np_vm_accel() {
	local kver=$1 initrd=$2
	if [[ -n ${NP_VM_ACCEL:-} ]]; then
		echo "$NP_VM_ACCEL"
		return
	fi
	if [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
		echo tcg
		return
	fi
	local cache boot key f
	cache=$(np_vm_cache)
	boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
	key=$(printf '%s %s %s' "$boot" "$kver" "$(qemu-system-x86_64 --version | head -n1)" |
		sha256sum | cut -c1-16)
	f=$cache/accel-$key
	if [[ ! -s $f ]]; then
		local q out
		np_vm_qemu q kvm "$kver" "$initrd" "np_mode=probe"
		out=$(timeout --foreground -k 2 "${NP_VM_PROBE_TIMEOUT:-15}" "${q[@]}" \
			-serial stdio -monitor none </dev/null 2>&1 || true)
		if grep -q 'np-probe-ok' <<<"$out"; then
			echo kvm >"$f.tmp"
		else
			echo tcg >"$f.tmp"
		fi
		mv -f "$f.tmp" "$f"
	fi
	cat "$f"
}

# np_vm_modindex KVER OUTDIR KO...: put KO... in OUTDIR/KVER/extra/ together
# with a full module index (modules.dep, modules.alias, ... for the kernel's
# own modules plus these) made by the host's depmod. The guest's /init copies
# OUTDIR/KVER/* into its /lib/modules/KVER, so `modprobe` and genetlink
# autoload find the modules at once. (depmod -a inside the guest works too but
# reads all ~4000 modules over 9p: 1-3 minutes under TCG.) The index is
# cached, keyed by the kernel's modules.dep and the contents of KO...
np_vm_modindex() {
	local kver=$1 out=$2 src=/lib/modules/$1 base f key cache depmod
	shift 2
	cache=$(np_vm_cache)
	key=$( (echo "$kver"; stat -c '%Y' "$src/modules.dep"; cat "$@") | sha256sum | cut -c1-16)
	rm -rf "${out:?}/$kver"
	mkdir -p "$out/$kver"
	if [[ -d $cache/modindex-$key ]]; then
		touch "$cache/modindex-$key"
		cp -a "$cache/modindex-$key/." "$out/$kver/"
		return
	fi
	depmod=$(PATH=$PATH:/usr/sbin:/sbin command -v depmod) ||
		np_vm_die "depmod not found: apt-get install kmod"
	base=$(mktemp -d "$cache/modindex.XXXXXX")
	mkdir -p "$base/lib/modules/$kver/extra"
	for f in "$src"/*; do
		case ${f##*/} in
		extra) cp -a "$f"/. "$base/lib/modules/$kver/extra/" ;;
		modules.order | modules.builtin | modules.builtin.modinfo) cp "$f" "$base/lib/modules/$kver/" ;;
		modules.* | build | source) ;;
		*) ln -s "$f" "$base/lib/modules/$kver/${f##*/}" ;;
		esac
	done
	cp "$@" "$base/lib/modules/$kver/extra/"
	"$depmod" -b "$base" "$kver" || { rm -rf "$base"; np_vm_die "depmod failed"; }
	mkdir "$base/index"
	cp -a "$base/lib/modules/$kver/extra" "$base/lib/modules/$kver"/modules.* "$base/index/"
	find "$cache" -maxdepth 1 -name 'modindex-*' -mtime +1 -exec rm -rf {} +
	mv -T "$base/index" "$cache/modindex-$key" 2>/dev/null || true
	rm -rf "$base"
	cp -a "$cache/modindex-$key/." "$out/$kver/"
}
