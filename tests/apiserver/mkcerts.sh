#!/bin/bash
#
# tests/apiserver/mkcerts.sh: certificates, a bearer token and kubeconfig
# files for the test API server (tests/apiserver/apiserver.py) and for the
# clients that talk to it.
#
# Usage: mkcerts.sh DIR [--server URL] [--ip IP]... [--dns NAME]... [IP...]
#        mkcerts.sh DIR --client NAME
#
#   --client NAME one more client certificate, NAME.crt and NAME.key
#                 (CN=system:node:NAME, O=system:nodes), signed by the CA
#                 already in DIR; nothing else is written (certificate
#                 rotation tests).
#   --server URL  server: field of every kubeconfig
#                 (default https://127.0.0.1:6443); its host goes into the
#                 server certificate's SAN as well.
#   --ip IP       one more IP address (v4 or v6) in the server's SAN; bare
#                 IP arguments after DIR mean the same.
#   --dns NAME    one more DNS name in the server's SAN.
#
# The server certificate always covers 127.0.0.1, ::1 and localhost.
# Writes into DIR (created if missing; existing files are replaced):
#   ca.crt ca.key                 the cluster CA (EC P-256, like K3s)
#   server.crt server.key         the API server's serving certificate
#   client.crt client.key         CN=system:node:nodeplane, O=system:nodes
#   token                         a bearer token (one line)
#   kubeconfig-k3s.yaml           /etc/rancher/k3s/k3s.yaml's exact shape:
#                                 embedded *-data, names "default"
#   kubeconfig-files.yaml         certificate-authority / client-certificate /
#                                 client-key as paths relative to DIR, a
#                                 decoy cluster/user/context listed first
#   kubeconfig-token.yaml         certificate-authority-data + token:
#   kubeconfig-tokenfile.yaml     certificate-authority + tokenFile: token
# Nothing is written outside DIR. Exits non-zero with a message on error.
set -euo pipefail

usage() {
	echo "usage: $0 DIR [--server URL] [--ip IP]... [--dns NAME]... [IP...]" >&2
	echo "       $0 DIR --client NAME" >&2
	exit 2
}

die() {
	echo "mkcerts.sh: $*" >&2
	exit 1
}

[[ $# -ge 1 ]] || usage
dir=$1
shift
server=https://127.0.0.1:6443
ips=(127.0.0.1 ::1)
dnss=(localhost)
client=
while [[ $# -gt 0 ]]; do
	case $1 in
	--client) [[ $# -ge 2 ]] || usage; client=$2; shift 2 ;;
	--server) [[ $# -ge 2 ]] || usage; server=$2; shift 2 ;;
	--ip) [[ $# -ge 2 ]] || usage; ips+=("$2"); shift 2 ;;
	--dns) [[ $# -ge 2 ]] || usage; dnss+=("$2"); shift 2 ;;
	-h|--help) usage ;;
	-*) die "unknown option $1" ;;
	*) ips+=("$1"); shift ;;
	esac
done

[[ $server =~ ^https://(\[([0-9A-Fa-f:.]+)\]|([^]/:[]+))(:[0-9]+)?/?$ ]] ||
	die "--server $server: expected https://HOST[:PORT] (IPv6 in [])"
host=${BASH_REMATCH[2]}${BASH_REMATCH[3]}
server=${server%/}
if [[ $host =~ ^[0-9.]+$ || $host == *:* ]]; then
	ips+=("$host")
else
	dnss+=("$host")
fi

# SAN list, duplicates removed (openssl would repeat them).
san=
declare -A seen=()
for ip in "${ips[@]}"; do
	[[ $ip =~ ^[0-9A-Fa-f:.]+$ ]] || die "--ip $ip: not an IP address"
	[[ -n ${seen["IP:$ip"]:-} ]] && continue
	seen["IP:$ip"]=1
	san+="${san:+,}IP:$ip"
done
for d in "${dnss[@]}"; do
	[[ $d =~ ^[A-Za-z0-9.-]+$ ]] || die "--dns $d: not a DNS name"
	[[ -n ${seen["DNS:$d"]:-} ]] && continue
	seen["DNS:$d"]=1
	san+=",DNS:$d"
done

command -v openssl >/dev/null || die "openssl not found"
mkdir -p "$dir" || die "cannot create $dir"
cd "$dir"
umask 077

# Each openssl step is quiet unless it fails; then its output is shown.
run() {
	local out
	if ! out=$("$@" 2>&1); then
		echo "$out" >&2
		die "failed: $*"
	fi
}

eckey() {
	run openssl ecparam -name prime256v1 -genkey -noout -out "$1"
}

cat >ext.cnf <<EOF
[req]
distinguished_name = dn
prompt = no

[dn]

[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyEncipherment, keyCertSign
subjectKeyIdentifier = hash

[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = $san

[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
EOF

days=3650
serial() {
	echo "0x$(openssl rand -hex 8)"
}

if [[ -n $client ]]; then
	[[ $client =~ ^[A-Za-z0-9_-]+$ ]] || die "--client $client: not a plain name"
	[[ -s ca.crt && -s ca.key ]] || die "--client: no ca.crt/ca.key in $dir"
	eckey "$client.key"
	run openssl req -new -key "$client.key" -out "$client.csr" \
		-subj "/O=system:nodes/CN=system:node:$client" -config ext.cnf
	run openssl x509 -req -in "$client.csr" -CA ca.crt -CAkey ca.key \
		-set_serial "$(serial)" -days "$days" -out "$client.crt" \
		-extfile ext.cnf -extensions client
	rm -f "$client.csr" ext.cnf
	run openssl verify -CAfile ca.crt "$client.crt"
	chmod 644 "$client.crt"
	exit 0
fi

eckey ca.key
run openssl req -new -x509 -key ca.key -out ca.crt -days "$days" \
	-subj "/CN=nodeplane-test-server-ca@$(date +%s)" \
	-extensions ca -config ext.cnf

eckey server.key
run openssl req -new -key server.key -out server.csr \
	-subj "/O=k3s/CN=kube-apiserver" -config ext.cnf
run openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key \
	-set_serial "$(serial)" -days "$days" -out server.crt \
	-extfile ext.cnf -extensions server

eckey client.key
run openssl req -new -key client.key -out client.csr \
	-subj "/O=system:nodes/CN=system:node:nodeplane" -config ext.cnf
run openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key \
	-set_serial "$(serial)" -days "$days" -out client.crt \
	-extfile ext.cnf -extensions client

rm -f server.csr client.csr ext.cnf
run openssl verify -CAfile ca.crt server.crt client.crt

openssl rand -hex 24 >token

b64() {
	base64 -w0 <"$1"
}

# Exactly the layout K3s writes (keys sorted, as client-go's writer does).
cat >kubeconfig-k3s.yaml <<EOF
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: $(b64 ca.crt)
    server: $server
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: $(b64 client.crt)
    client-key-data: $(b64 client.key)
EOF

# kubeadm-like layout with file references; the first entries are a decoy
# (unreachable server, missing files) that only current-context avoids.
cat >kubeconfig-files.yaml <<EOF
apiVersion: v1
kind: Config
clusters:
- name: decoy
  cluster:
    certificate-authority: missing/ca.crt
    server: https://192.0.2.1:1
- name: nodeplane
  cluster:
    certificate-authority: ca.crt
    server: "$server"
users:
- name: decoy
  user:
    client-certificate: missing/client.crt
    client-key: missing/client.key
- name: "system:node:nodeplane"
  user:
    client-certificate: client.crt
    client-key: client.key
contexts:
- name: decoy
  context:
    cluster: decoy
    user: decoy
- name: "system:node:nodeplane@nodeplane"
  context:
    cluster: nodeplane
    user: "system:node:nodeplane"
    namespace: kube-system
current-context: "system:node:nodeplane@nodeplane"
EOF

cat >kubeconfig-token.yaml <<EOF
apiVersion: v1
kind: Config
clusters:
- name: decoy
  cluster:
    server: https://192.0.2.1:1
    insecure-skip-tls-verify: true
- name: nodeplane
  cluster:
    certificate-authority-data: $(b64 ca.crt)
    server: $server
users:
- name: decoy
  user:
    token: decoy-token
- name: nodeplane
  user:
    token: $(cat token)
contexts:
- name: decoy
  context:
    cluster: decoy
    user: decoy
- name: nodeplane
  context:
    cluster: nodeplane
    user: nodeplane
current-context: nodeplane
EOF

cat >kubeconfig-tokenfile.yaml <<EOF
apiVersion: v1
kind: Config
clusters:
- name: nodeplane
  cluster:
    certificate-authority: ca.crt
    server: $server
users:
- name: nodeplane
  user:
    tokenFile: token
contexts:
- name: nodeplane
  context:
    cluster: nodeplane
    user: nodeplane
current-context: nodeplane
EOF

chmod 644 ca.crt server.crt client.crt ./*.yaml
