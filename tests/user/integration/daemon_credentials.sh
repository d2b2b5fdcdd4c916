#!/bin/bash
# nodeplaned's API credentials and watched kinds over a long life: only
# the kinds the enabled reconcilers read are listed and watched (Nodes
# first at resourceVersion=0); a client certificate rotated into the kubeconfig
# (K3s rewriting k3s.yaml) is taken on SIGHUP; a rotated token file is
# taken after the server's 401, without a restart. One
# nodeplaned node; n4 and n5 are Nodes in the API only. Runs in the test
# VM (tests/vm/run).
#
#           VM root netns: apiserver.py 192.0.2.254:6443 on br0
#           (control: /requests, /accept-certs, /tokens, /drop)
#                               |
#                          n1 eth0 192.0.2.1
#                          nodeplaned np-vxlan, kubeconfig
#                          $CL_DIR/certs/kubeconfig-k3s.yaml (rewritten)
#
# Details: tests/user/cluster_lib.sh.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$NP_TOP/tests/user/cluster_lib.sh"

DEV="np-vxlan"
CERTS=$CL_DIR/certs

npd_hup() { kill -HUP "$(cl_npd_pid n1)"; }

# logged TEXT: nodeplaned on n1 logged a line holding TEXT.
logged() { cl_npd_log n1 | grep -qF -- "$1"; }
# logged_count TEXT: how many lines of nodeplaned on n1 hold TEXT.
logged_count() { cl_npd_log n1 | grep -cF -- "$1" || true; }
TOK_401="read again (HTTP 401): taking a new token"
TOK_PERIODIC="read again (periodic): taking a new token"
# token_taken_since N401 NPERIODIC: a token file read logged since the
# counts were N401 and NPERIODIC.
token_taken_since() {
	(($(logged_count "$TOK_401") > $1 || $(logged_count "$TOK_PERIODIC") > $2))
}

stat_of() { cl_api GET "/stats/$1"; }

watches_are() { [[ $(stat_of watches/nodes) == "$1" ]]; }

# The collection GETs (lists and watches; the node's own Lease is not a
# collection) of client certificate or token (auth $1) as
# "LIST|WATCH path" lines, unique, sorted.
kinds_asked() {
	cl_api GET /requests | jq -r --arg a "$1" '[.[] | select(.method == "GET"
		and .auth == $a and (.path | contains("/leases/") | not)) |
		(if .query.watch then "WATCH " else "LIST " end) + .path] | unique |
		.[]' | LC_ALL=C sort
}

t_up() {
	np_module_install
	cl_cluster_api vxlan 1450 "1"
	cl_node_put 4 "$(cl_flannel_ann 4)"
	cl_wait "n4 peered" cl_peers_are n1 "$DEV" n4
}

# The overlay reads Nodes; servicelb Nodes, Services, EndpointSlices and
# Pods; hostport Nodes, Services and Pods; NetworkPolicy Pods, Namespaces
# and NetworkPolicies; the ServiceLB leader polls the node Leases. Nothing
# else (Secrets, ConfigMaps, Endpoints, ...) is listed or watched.
kinds_are() { [[ $(kinds_asked cert) == "$1" ]]; }
t_only_read_kinds() {
	cl_require
	local want="LIST /api/v1/namespaces
LIST /api/v1/nodes
LIST /api/v1/pods
LIST /api/v1/services
LIST /apis/coordination.k8s.io/v1/namespaces/kube-system/leases
LIST /apis/discovery.k8s.io/v1/endpointslices
LIST /apis/networking.k8s.io/v1/networkpolicies
WATCH /api/v1/namespaces
WATCH /api/v1/nodes
WATCH /api/v1/pods
WATCH /api/v1/services
WATCH /apis/discovery.k8s.io/v1/endpointslices
WATCH /apis/networking.k8s.io/v1/networkpolicies"
	# The watches start as their lists end: wait for the set, then hold
	# it to exactly that (nothing else was ever asked for).
	local i
	for ((i = 0; i < 600; i++)); do
		kinds_are "$want" && break
		sleep 0.1
	done
	kinds_are "$want" || {
		kinds_asked cert | sed 's/^/# asked: /'
		np_fail "kinds listed and watched are not those the reconcilers read"
	}
	np_expect_eq "0 500" "$(cl_api GET /requests | jq -r '[.[] |
		select(.path == "/api/v1/nodes" and (.query.watch | not))][0] |
		"\(.query.resourceVersion) \(.query.limit)"')" "first list"
	logged "source: watching Node, Service, EndpointSlice, Pod, Namespace, NetworkPolicy (what the enabled reconcilers read)" ||
		np_fail "no 'source: watching Node, Service, EndpointSlice, Pod, Namespace, NetworkPolicy' line"
}

# K3s renews its client certificate by rewriting k3s.yaml; SIGHUP reads it.
t_cert_sighup() {
	cl_require
	local y=$CL_KUBECONFIG rejected
	"$CL_MKCERTS" "$CERTS" --client rot >/dev/null || np_fail "mkcerts.sh --client rot"
	sed -i -e "s|^\(    client-certificate-data: \).*|\1$(base64 -w0 <"$CERTS/rot.crt")|" \
		-e "s|^\(    client-key-data: \).*|\1$(base64 -w0 <"$CERTS/rot.key")|" "$y"
	cl_api POST /accept-certs "$(cat "$CERTS/rot.crt")" >/dev/null
	npd_hup
	cl_wait "SIGHUP took the new certificate" logged \
		"read again (reload): taking a new client certificate"
	rejected=$(stat_of auth/rejected)
	cl_api POST /drop >/dev/null
	cl_node_put 5 "$(cl_flannel_ann 5)"
	cl_wait "n5 peered through the new certificate" cl_peers_are n1 "$DEV" n4 n5
	np_expect_eq "$rejected" "$(stat_of auth/rejected)" "401s after the reload"
}

# A token file rotated under the daemon: the 401 makes it read the file.
t_token_401() {
	cl_require
	local y=$CL_KUBECONFIG
	echo first-token >"$CERTS/np-token"
	cat >"$y.new" <<-EOF
	apiVersion: v1
	kind: Config
	clusters:
	- cluster:
	    certificate-authority: ca.crt
	    server: https://$CL_API_ADDR:$CL_API_PORT
	  name: c
	users:
	- name: u
	  user:
	    tokenFile: np-token
	contexts:
	- context:
	    cluster: c
	    user: u
	  name: x
	current-context: x
	EOF
	mv "$y.new" "$y"
	cl_api POST /tokens first-token >/dev/null
	npd_hup
	cl_wait "SIGHUP took the token" logged \
		"read again (reload): taking a new token"
	cl_api POST /drop >/dev/null
	np_wait_for 30 watches_are 1
	# Rotated now: the server accepts only the new token. The daemon's
	# periodic re-read (every 60 s) may take the new file before any
	# request fails; then this rotation proved nothing about the 401 path
	# and is repeated: the next periodic read is a minute away.
	local i n401 nper seen=
	for i in 2 3 4; do
		n401=$(logged_count "$TOK_401")
		nper=$(logged_count "$TOK_PERIODIC")
		echo "token-$i" >"$CERTS/np-token.new"
		mv "$CERTS/np-token.new" "$CERTS/np-token"
		cl_api POST /tokens "token-$i" >/dev/null
		cl_api POST /drop >/dev/null
		cl_wait "token $i taken" token_taken_since "$n401" "$nper"
		if (($(logged_count "$TOK_401") > n401)); then
			seen=1
			break
		fi
		echo "# the periodic re-read took token $i before any 401: rotating again"
	done
	[[ $seen ]] || np_fail "no 'read again (HTTP 401)' line after 3 rotations"
	cl_api DELETE /objects/nodes/n5 >/dev/null
	cl_wait "n5 removed on the new token" cl_peers_are n1 "$DEV" n4
	cl_npd_alive n1 || np_fail "nodeplaned died"
}

np_defer cl_down
np_case cluster-up t_up
np_case only-read-kinds-listed-and-watched t_only_read_kinds
np_case sighup-takes-a-rotated-client-certificate t_cert_sighup
np_case rotated-token-file-taken-after-a-401 t_token_401
np_case nothing-left cl_case_nothing_left
np_finish
