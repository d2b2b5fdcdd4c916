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
#   np_tty=ROWSxCOLS  np_term=TERM

NP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
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
		-nographic -no-reboot
		-kernel "/boot/vmlinuz-$kver" -initrd "$initrd"
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
