#!/bin/bash
# Installs the Debian packages nodeplane's build, tests, demo and benchmarks
# need. As root it runs apt-get; otherwise it prints the command and fails.
set -euo pipefail

pkgs=(
	# build
	make gcc pkg-config git
	linux-image-amd64 linux-headers-amd64 dkms
	libnl-3-dev libnl-genl-3-dev libnl-route-3-dev libyaml-dev libcjson-dev
	libcurl4-openssl-dev libssl-dev openssl
	# VM tier
	qemu-system-x86 busybox-static kmod cpio xz-utils util-linux procps
	# KUnit tier (a UML kernel from the Debian source)
	linux-source-6.1 bc bison flex libelf-dev libssl-dev python3
	# test and benchmark tools used inside the VM
	iproute2 iputils-ping iptables nftables ipvsadm socat iperf3 tcpdump
	containernetworking-plugins
	ethtool python3-scapy wireguard-tools conntrack jq curl ipset
)

missing=()
for p in "${pkgs[@]}"; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages; as root run:" >&2
	echo "  apt-get update && $cmd" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "deps: installing ${missing[*]}" >&2
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
