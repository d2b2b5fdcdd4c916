#!/bin/bash
#
# tests/apiserver/selftest.sh: checks every feature of the test API server
# (apiserver.py) and of mkcerts.sh from the outside, with curl and openssl,
# on free loopback ports in a temporary directory (removed at the end).
#
# Usage: tests/apiserver/selftest.sh [-v] [CASE...]   (default: all cases)
#
# Prints `OK name` or `FAIL name: why` per case (`SKIP name: why` when the
# host lacks something, e.g. IPv6 on lo), then `N passed, N failed`; exits 1
# if a case failed. -v keeps the server's request log (stderr) and the temp
# directory. Runs in 15-30 s on the host.
# shellcheck disable=SC2016 # single-quoted code for eval / python, on purpose
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
verbose=0
if [[ ${1:-} == -v ]]; then
	verbose=1
	shift
fi
only=("$@")

# The server's own interpreter (its #! line), else python3 from PATH.
py=/usr/bin/python3
[[ -x $py ]] || py=$(command -v python3) || py=
for t in curl openssl "$py"; do
	command -v "$t" >/dev/null || { echo "FAIL setup: ${t:-python3} not found"; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/np-apiserver.XXXXXX")
pids=()
cleanup() {
	local p
	for p in ${pids[@]+"${pids[@]}"}; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [[ $verbose == 1 ]]; then
		echo "# kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

passed=0
failed=0
api_port=
control_port=
skipped=0

# --- helpers usable inside cases -------------------------------------------

fail() {	# the first reason wins (a failure inside $(...) comes first)
	[[ -e $tmp/why ]] || echo "$*" >"$tmp/why"
	exit 1
}

skip() {
	echo "$*" >"$tmp/why"
	exit 77
}

expect_eq() {	# EXPECTED ACTUAL WHAT
	[[ $1 == "$2" ]] || fail "$3: expected '$1', got '$2'"
}

# One python3 evaluates every JSON expression (a python3 per check is slow on
# a busy machine). Request: "ID<tab>js|jl<tab>FILE<tab>EXPR" on fd 7;
# answer: result lines on fd 8, then "\x1eID RC".
coproc JSEVAL { "$py" -I -S -u -c '
import json, sys
for req in sys.stdin:
    rid, mode, path, expr = req.rstrip("\n").split("\t", 3)
    rc = 0
    try:
        with open(path) as f:
            if mode == "js":
                docs = [json.load(f)]
            else:
                docs = [json.loads(l) for l in f if l.strip()]
        for d in docs:
            e = d
            v = eval(expr)
            print(v if isinstance(v, str) else
                  json.dumps(v, separators=(",", ":")))
    except Exception as ex:
        print("%s: %s" % (type(ex).__name__, ex))
        rc = 1
    print("\x1e%s %d" % (rid, rc))
'; }
exec 7>&"${JSEVAL[1]}" 8<&"${JSEVAL[0]}"
pids+=("$JSEVAL_PID")

jseval() {	# MODE FILE EXPR
	local id=$RANDOM$RANDOM line out=
	printf '%s\t%s\t%s\t%s\n' "$id" "$1" "$2" "$3" >&7
	while IFS= read -r -t 20 line <&8; do
		if [[ $line == $'\x1e'"$id "* ]]; then
			[[ ${line##* } == 0 ]] ||
				fail "$1 $3 on $2: $out ($(head -c 200 "$2"))"
			printf '%s' "$out"
			return 0
		fi
		[[ $line == $'\x1e'* ]] && continue	# an abandoned answer
		out+=${out:+$'\n'}$line
	done
	fail "no answer from the JSON evaluator ($1 $3)"
}

# js FILE PYTHON-EXPR: evaluates EXPR with d = FILE's JSON; prints the result
# (strings bare, the rest as compact JSON).
js() {
	jseval js "$1" "$2"
	echo
}

# jl FILE PYTHON-EXPR: the same on each line of a newline-delimited JSON
# stream (e and d are one event); prints one result per line.
jl() {
	jseval jl "$1" "$2"
	echo
}

# wait_for SECS CMD...: polls CMD every 50 ms.
wait_for() {
	local end=$((SECONDS + $1)) i
	shift
	for ((i = 0; ; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		((SECONDS >= end)) && fail "timed out waiting for: $*"
		sleep 0.05
	done
}

# api [CURL-ARGS...] PATH: GET/... with the client certificate; body to
# $tmp/out, HTTP code printed. ctl METHOD PATH [BODY]: the control port.
api() {
	local path=${*: -1}
	curl -sS -o "$tmp/out" -w '%{http_code}' --cacert "$certs/ca.crt" \
		--max-time 15 \
		--cert "$certs/client.crt" --key "$certs/client.key" \
		"${@:1:$#-1}" "$base$path"
}

ctl() {
	curl -sS -o "$tmp/ctl" -w '%{http_code}' --max-time 10 -X "$1" \
		${3+--data-binary "$3"} "http://127.0.0.1:$control_port$2"
}

ctl_ok() {
	local code
	code=$(ctl "$@") || fail "control $1 $2: curl failed"
	[[ $code == 200 ]] || fail "control $1 $2: HTTP $code: $(cat "$tmp/ctl")"
}

stat() {	# stat KEY[/KEY]: one value of GET /stats (strings bare)
	ctl_ok GET "/stats/$1"
	cat "$tmp/ctl"
}

rv() {
	stat resourceVersion
}

lines() {	# lines FILE: its number of lines
	wc -l <"$1"
}

lines_ge() {	# lines_ge FILE N
	[[ $(lines "$1") -ge $2 ]]
}

# watch_bg FILE QUERY [PATH]: a node watch in the background; pid in $wpid.
# Returns once the server counts one more open watch on that kind.
watch_bg() {
	local file=$1 query=$2 path=${3:-/api/v1/nodes} plural n
	plural=${path##*/}
	n=$(stat "watches/$plural")
	curl -sS -N --cacert "$certs/ca.crt" --cert "$certs/client.crt" \
		--key "$certs/client.key" -o "$file" -D "$file.hdr" \
		"$base$path?watch=1&$query" 2>"$file.err" &
	wpid=$!
	wait_for 60 watches_above "$plural" "$n"
}

watches_above() {
	[[ $(stat "watches/$1") -gt $2 ]]
}

put() {
	ctl_ok PUT /objects "$1"
}

node() {	# node NAME [LABELS-JSON [ANNOTATIONS-JSON]]
	echo "{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"$1\",\"labels\":${2:-{\}},\"annotations\":${3:-{\}}},\"spec\":{\"podCIDR\":\"10.42.9.0/24\",\"podCIDRs\":[\"10.42.9.0/24\"]},\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"192.0.2.9\"}]}}"
}

# --- running cases ------------------------------------------------------------

run_case() {	# NAME FUNC
	local name=$1 rc
	if [[ ${#only[@]} -gt 0 && " ${only[*]} " != *" $name "* ]]; then
		return
	fi
	rm -f "$tmp/why"
	(
		trap '[[ -e $tmp/why ]] || fail "line $LINENO: $BASH_COMMAND (exit $?)"' ERR
		# Background curls and servers of a case end with it.
		trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
		set -eE
		"$2"
	) >"$tmp/case.log" 2>&1
	rc=$?
	if [[ $rc == 0 ]]; then
		echo "OK $name"
		passed=$((passed + 1))
	elif [[ $rc == 77 ]]; then
		echo "SKIP $name: $(cat "$tmp/why")"
		skipped=$((skipped + 1))
	else
		echo "FAIL $name: $(cat "$tmp/why" 2>/dev/null || echo "exit $rc")"
		[[ $verbose == 1 ]] && sed 's/^/# /' "$tmp/case.log"
		failed=$((failed + 1))
	fi
	# Whatever a case changed globally, the next one starts clean.
	curl -sS -X POST "http://127.0.0.1:$control_port/up" \
		"http://127.0.0.1:$control_port/delay?ms=0" \
		"http://127.0.0.1:$control_port/error410mode?mode=event" \
		"http://127.0.0.1:$control_port/chunking?mode=event" \
		"http://127.0.0.1:$control_port/expire-watches?n=0" \
		"http://127.0.0.1:$control_port/authz?mode=none" \
		"http://127.0.0.1:$control_port/fail?n=0" \
		-X POST -d "" "http://127.0.0.1:$control_port/accept-certs" \
		>/dev/null 2>&1
	curl -sS -X POST --data-binary @"$certs/token" \
		"http://127.0.0.1:$control_port/tokens" >/dev/null 2>&1
}

# start_server DIR LISTEN [ARGS...]: sets api_port, control_port; the pid
# joins $pids.
start_server() {
	local d=$1 listen=$2
	shift 2
	local v=()
	[[ $verbose == 1 ]] && v=(--verbose)
	rm -f "$d/state"
	"$py" "$here/apiserver.py" --listen "$listen" \
		--control 127.0.0.1:0 --certs "$certs" --state-file "$d/state" \
		${v[@]+"${v[@]}"} "$@" 2>>"$d/server.log" &
	pids+=($!)
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -s $d/state ]] && break
		kill -0 "${pids[-1]}" 2>/dev/null || break
		sleep 0.05
	done
	[[ -s $d/state ]] || return 1
	# shellcheck disable=SC1091
	. "$d/state"
}

# --- setup: certificates, fixtures, one server --------------------------------

certs=$tmp/certs
if ! "$here/mkcerts.sh" "$certs" --server https://127.0.0.1:6443 \
	--ip 192.0.2.254 >"$tmp/mkcerts.log" 2>&1; then
	echo "FAIL setup: mkcerts.sh: $(tail -1 "$tmp/mkcerts.log")"
	exit 1
fi

mkdir -p "$tmp/fixtures"
cat >"$tmp/fixtures/10-nodes.json" <<'EOF'
{"kind": "NodeList", "apiVersion": "v1", "metadata": {},
 "items": [
  {"metadata": {"name": "fx-a", "annotations": {"flannel.alpha.coreos.com/backend-type": "vxlan"}},
   "spec": {"podCIDR": "10.42.1.0/24", "podCIDRs": ["10.42.1.0/24"]}},
  {"metadata": {"name": "fx-b"}, "spec": {"podCIDR": "10.42.2.0/24"}}
 ]}
EOF
cat >"$tmp/fixtures/20-misc.json" <<'EOF'
{"kind": "List", "apiVersion": "v1", "items": [
  {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "kube-system"}},
  {"kind": "Service", "apiVersion": "v1",
   "metadata": {"name": "kube-dns", "namespace": "kube-system"},
   "spec": {"clusterIP": "10.43.0.10", "ports": [{"port": 53, "protocol": "UDP"}]}},
  {"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
   "metadata": {"name": "kube-dns-abcde", "namespace": "kube-system",
                "labels": {"kubernetes.io/service-name": "kube-dns"}},
   "addressType": "IPv4", "endpoints": [{"addresses": ["10.42.1.5"]}]}
]}
EOF
cat >"$tmp/fixtures/30-pod.json" <<'EOF'
{"kind": "Pod", "metadata": {"name": "p1"}, "spec": {"nodeName": "fx-a"}}
EOF
cat >"$tmp/fixtures/40-netpol.json" <<'EOF'
{"kind": "NetworkPolicy", "apiVersion": "networking.k8s.io/v1",
 "metadata": {"name": "deny", "namespace": "default"}, "spec": {"podSelector": {}}}
EOF
echo "not json" >"$tmp/fixtures/README"

mkdir -p "$tmp/s4"
if ! start_server "$tmp/s4" 127.0.0.1:0 --fixtures "$tmp/fixtures" \
	--bookmark-interval 0; then
	echo "FAIL setup: apiserver.py did not start: $(tail -3 "$tmp/s4/server.log")"
	exit 1
fi
base=https://127.0.0.1:$api_port

# --- cases ---------------------------------------------------------------------

t_certs() {
	cd "$certs"
	for f in ca.crt ca.key server.crt server.key client.crt client.key \
		token kubeconfig-k3s.yaml kubeconfig-files.yaml \
		kubeconfig-token.yaml kubeconfig-tokenfile.yaml; do
		[[ -s $f ]] || fail "$f missing"
	done
	expect_eq "server.crt: OK" "$(openssl verify -CAfile ca.crt server.crt)" verify
	expect_eq "subject=O = system:nodes, CN = system:node:nodeplane" \
		"$(openssl x509 -in client.crt -noout -subject)" "client subject"
	local san
	san=$(openssl x509 -in server.crt -noout -ext subjectAltName | tail -1 |
		sed 's/^ *//')
	expect_eq "IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192.0.2.254, DNS:localhost" \
		"$san" "server SAN"
	expect_eq "-----BEGIN EC PRIVATE KEY-----" "$(head -1 client.key)" "key type"
}

t_kubeconfigs() {
	cd "$certs"
	local y=kubeconfig-k3s.yaml
	expect_eq "current-context: default" "$(grep ^current-context $y)" k3s
	expect_eq "    server: https://127.0.0.1:6443" "$(grep ' server:' $y)" k3s-server
	sed -n 's/^    certificate-authority-data: //p' $y | base64 -d >ca.k3s
	cmp -s ca.k3s ca.crt || fail "k3s: certificate-authority-data is not ca.crt"
	sed -n 's/^    client-certificate-data: //p' $y | base64 -d >crt.k3s
	cmp -s crt.k3s client.crt || fail "k3s: client-certificate-data is not client.crt"
	sed -n 's/^    client-key-data: //p' $y | base64 -d >key.k3s
	cmp -s key.k3s client.key || fail "k3s: client-key-data is not client.key"
	rm -f ./*.k3s
	expect_eq "    client-key: client.key" \
		"$(grep ' client-key: client' kubeconfig-files.yaml)" files
	expect_eq "    token: $(cat token)" \
		"$(grep " token: $(cat token)" kubeconfig-token.yaml)" token
	expect_eq "    tokenFile: token" \
		"$(grep tokenFile kubeconfig-tokenfile.yaml)" tokenfile
}

t_unauthorized() {
	local code
	code=$(curl -sS -o "$tmp/out" -w '%{http_code}' --cacert "$certs/ca.crt" \
		"$base/api/v1/nodes")
	expect_eq 401 "$code" "no credentials"
	expect_eq "Status Failure Unauthorized 401" \
		"$(js "$tmp/out" '" ".join(str(d[k]) for k in ("kind","status","reason","code"))')" body
	code=$(curl -sS -o "$tmp/out" -w '%{http_code}' --cacert "$certs/ca.crt" \
		-H "Authorization: Bearer wrong" "$base/api/v1/nodes")
	expect_eq 401 "$code" "wrong token"
	code=$(curl -sS -o "$tmp/out" -w '%{http_code}' --cacert "$certs/ca.crt" \
		"$base/healthz")
	expect_eq "200 ok" "$code $(cat "$tmp/out")" "healthz without credentials"
}

t_cert_auth() {
	local before
	before=$(stat auth/cert)
	expect_eq 200 "$(api /api/v1/nodes)" "GET with client cert"
	expect_eq $((before + 1)) "$(stat auth/cert)" "auth.cert"
	# A client certificate from another CA fails the TLS handshake.
	"$here/mkcerts.sh" "$tmp/other" >/dev/null 2>&1
	if curl -sS -o /dev/null --cacert "$certs/ca.crt" \
		--cert "$tmp/other/client.crt" --key "$tmp/other/client.key" \
		"$base/api/v1/nodes" 2>/dev/null; then
		fail "a foreign client certificate was accepted"
	fi
	# ... and our client refuses a server signed by another CA.
	if curl -sS -o /dev/null --cacert "$tmp/other/ca.crt" \
		"$base/api/v1/nodes" 2>/dev/null; then
		fail "server verified against the wrong CA"
	fi
}

t_token_auth() {
	local before code
	before=$(stat auth/token)
	code=$(curl -sS -o "$tmp/out" -w '%{http_code}' --cacert "$certs/ca.crt" \
		-H "Authorization: Bearer $(cat "$certs/token")" \
		"https://localhost:$api_port/api/v1/nodes")
	expect_eq 200 "$code" "GET with token via localhost"
	expect_eq $((before + 1)) "$(stat auth/token)" "auth.token"
}

t_fixtures_list() {
	local rv
	rv=$(rv)
	expect_eq 7 "$rv" "resourceVersion after 7 fixture objects"
	expect_eq 200 "$(api /api/v1/nodes)" list
	expect_eq "NodeList v1 7" \
		"$(js "$tmp/out" 'd["kind"]+" "+d["apiVersion"]+" "+d["metadata"]["resourceVersion"]')" list
	expect_eq '[["fx-a","1"],["fx-b","2"]]' \
		"$(js "$tmp/out" '[[i["metadata"]["name"],i["metadata"]["resourceVersion"]] for i in d["items"]]')" items
	expect_eq '[]' "$(js "$tmp/out" '[k for i in d["items"] for k in ("kind","apiVersion") if k in i]')" \
		"items without kind/apiVersion"
	expect_eq 200 "$(api /apis/discovery.k8s.io/v1/endpointslices)" slices
	expect_eq "EndpointSliceList discovery.k8s.io/v1 kube-system/kube-dns-abcde" \
		"$(js "$tmp/out" 'd["kind"]+" "+d["apiVersion"]+" "+"".join(i["metadata"]["namespace"]+"/"+i["metadata"]["name"] for i in d["items"])')" slices
	local p want
	for p in services:ServiceList:1 pods:PodList:1 namespaces:NamespaceList:1; do
		expect_eq 200 "$(api "/api/v1/${p%%:*}")" "${p%%:*}"
		want=${p#*:}
		expect_eq "${want/:/ }" "$(js "$tmp/out" 'd["kind"]+" "+str(len(d["items"]))')" "${p%%:*}"
	done
	expect_eq 200 "$(api /apis/networking.k8s.io/v1/networkpolicies)" netpol
	expect_eq "default/deny" "$(js "$tmp/out" 'd["items"][0]["metadata"]["namespace"]+"/"+d["items"][0]["metadata"]["name"]')" netpol
	expect_eq 200 "$(api /api/v1/namespaces/kube-system/services)" "namespaced list"
	expect_eq 1 "$(js "$tmp/out" 'len(d["items"])')" "namespaced list"
	expect_eq 200 "$(api /api/v1/namespaces/other/services)" "other namespace"
	expect_eq 0 "$(js "$tmp/out" 'len(d["items"])')" "other namespace"
	expect_eq 200 "$(api '/api/v1/nodes?fieldSelector=metadata.name%3Dfx-b')" fieldSelector
	expect_eq '["fx-b"]' "$(js "$tmp/out" '[i["metadata"]["name"] for i in d["items"]]')" fieldSelector
}

t_get_one() {
	expect_eq 200 "$(api /api/v1/nodes/fx-a)" "GET node"
	expect_eq "Node v1 fx-a 10.42.1.0/24 1" \
		"$(js "$tmp/out" '" ".join([d["kind"],d["apiVersion"],d["metadata"]["name"],d["spec"]["podCIDR"],d["metadata"]["resourceVersion"]])')" node
	expect_eq 200 "$(api /api/v1/namespaces/kube-system/services/kube-dns)" "GET service"
	expect_eq "Service 10.43.0.10" "$(js "$tmp/out" 'd["kind"]+" "+d["spec"]["clusterIP"]')" service
	expect_eq 200 "$(api /api/v1/namespaces/kube-system)" "GET namespace"
	expect_eq Namespace "$(js "$tmp/out" 'd["kind"]')" namespace
	expect_eq 404 "$(api /api/v1/nodes/nope)" "unknown node"
	expect_eq 'Status NotFound 404 nodes "nope" not found' \
		"$(js "$tmp/out" '" ".join(str(d[k]) for k in ("kind","reason","code","message"))')" 404
	expect_eq 404 "$(api /api/v1/widgets)" "unknown kind"
	expect_eq 422 "$(api -X POST -d '{}' /api/v1/nodes)" "POST without a name"
	expect_eq 'Invalid Node "" is invalid: metadata.name: Required value: name or generateName is required' \
		"$(js "$tmp/out" 'd["reason"]+" "+d["message"]')" 422
	expect_eq 405 "$(api -X PUT -d '{}' /api/v1/nodes)" "PUT on a collection"
}

t_pagination() {
	put "$(node pg-1)"
	put "$(node pg-2)"
	put "$(node pg-3)"
	local rv tok
	rv=$(rv)
	expect_eq 200 "$(api '/api/v1/nodes?fieldSelector=metadata.name!%3Dfx-a&limit=2')" page1
	expect_eq "$rv" "$(js "$tmp/out" 'd["metadata"]["resourceVersion"]')" "page1 RV"
	expect_eq '["fx-b","pg-1"]' "$(js "$tmp/out" '[i["metadata"]["name"] for i in d["items"]]')" page1
	expect_eq 2 "$(js "$tmp/out" 'd["metadata"]["remainingItemCount"]')" remaining
	tok=$(js "$tmp/out" 'd["metadata"]["continue"]')
	# A change between pages is not seen: pages are one snapshot.
	put "$(node pg-0)"
	ctl_ok DELETE /objects/nodes/pg-3
	expect_eq 200 "$(api "/api/v1/nodes?fieldSelector=metadata.name!%3Dfx-a&limit=2&continue=$tok")" page2
	expect_eq '["pg-2","pg-3"]' "$(js "$tmp/out" '[i["metadata"]["name"] for i in d["items"]]')" page2
	expect_eq "$rv" "$(js "$tmp/out" 'd["metadata"]["resourceVersion"]')" "page2 RV"
	expect_eq False "$(js "$tmp/out" 'str("continue" in d["metadata"])')" "last page continue"
	expect_eq 400 "$(api '/api/v1/nodes?limit=2&continue=garbage')" "bad continue"
	# Namespaced: order and continuation by (namespace, name), every page
	# limit 1, across namespaces whose names sort differently as "ns/name".
	put '{"kind":"List","items":[{"kind":"Service","metadata":{"name":"z","namespace":"a"}},{"kind":"Service","metadata":{"name":"a","namespace":"a-b"}}]}'
	local seen=() i q=
	for ((i = 0; i < 5; i++)); do
		expect_eq 200 "$(api "/api/v1/services?limit=1$q")" "services page $i"
		seen+=("$(js "$tmp/out" 'd["items"][0]["metadata"]["namespace"]+"/"+d["items"][0]["metadata"]["name"]')")
		tok=$(js "$tmp/out" 'd["metadata"].get("continue","")')
		[[ -n $tok ]] || break
		q="&continue=$tok"
	done
	expect_eq "a/z a-b/a kube-system/kube-dns" "${seen[*]}" "services pages"
	ctl_ok DELETE /objects/services/a/z
	ctl_ok DELETE /objects/services/a-b/a
	ctl_ok DELETE /objects/nodes/pg-0
	ctl_ok DELETE /objects/nodes/pg-1
	ctl_ok DELETE /objects/nodes/pg-2
}

t_watch() {
	local rv0 w=$tmp/watch
	rv0=$(rv)
	watch_bg "$w" "resourceVersion=$rv0&timeoutSeconds=60"
	put "$(node w-1)"
	put "$(node w-1 '{"x":"y"}')"
	put '{"kind":"Service","metadata":{"name":"w-1"}}'
	ctl_ok DELETE /objects/nodes/w-1
	wait_for 60 lines_ge "$w" 3
	expect_eq "ADDED w-1 $((rv0 + 1)) Node v1
MODIFIED w-1 $((rv0 + 2)) Node v1
DELETED w-1 $((rv0 + 4)) Node v1" \
		"$(jl "$w" '" ".join([e["type"],e["object"]["metadata"]["name"],e["object"]["metadata"]["resourceVersion"],e["object"]["kind"],e["object"]["apiVersion"]])')" events
	expect_eq '{"x":"y"}' "$(jl "$w" 'e["object"]["metadata"]["labels"]' | sed -n 2p)" "MODIFIED labels"
	grep -qi '^transfer-encoding: chunked' "$w.hdr" || fail "not chunked"
	kill "$wpid"
	# Replay from the same RV: the history gives the same three events,
	# then timeoutSeconds ends the stream cleanly (curl checks the last
	# chunk).
	expect_eq 200 "$(api "/api/v1/nodes?watch=1&resourceVersion=$rv0&timeoutSeconds=0")" replay
	expect_eq "ADDED MODIFIED DELETED" "$(jl "$tmp/out" 'e["type"]' | tr '\n' ' ' | sed 's/ $//')" replay
	expect_eq 200 "$(api "/api/v1/services?watch=1&resourceVersion=$rv0&timeoutSeconds=0")" "replay services"
	expect_eq "ADDED Service default/w-1 $((rv0 + 3))" \
		"$(jl "$tmp/out" '" ".join([e["type"],e["object"]["kind"],e["object"]["metadata"]["namespace"]+"/"+e["object"]["metadata"]["name"],e["object"]["metadata"]["resourceVersion"]])')" "replay services"
	# resourceVersion 0: synthetic ADDED of the current state.
	expect_eq 200 "$(api "/api/v1/nodes?watch=1&resourceVersion=0&timeoutSeconds=0")" "rv=0"
	expect_eq "ADDED fx-a 1
ADDED fx-b 2" "$(jl "$tmp/out" '" ".join([e["type"],e["object"]["metadata"]["name"],e["object"]["metadata"]["resourceVersion"]])')" "rv=0 state"
	ctl_ok DELETE /objects/services/default/w-1
	wait_for 60 eval '[[ $(stat watches/nodes) == 0 ]]'
}

t_bookmark() {
	local w=$tmp/bm wpid1 rv
	rv=$(rv)
	watch_bg "$w.1" "resourceVersion=$rv&allowWatchBookmarks=true&timeoutSeconds=60"
	wpid1=$wpid
	watch_bg "$w.2" "resourceVersion=$rv&timeoutSeconds=60"
	ctl_ok POST /bookmark
	expect_eq 1 "$(js "$tmp/ctl" 'd["watches"]')" "watches asking for bookmarks"
	wait_for 60 lines_ge "$w.1" 1
	# An event after the bookmark: the watch without allowWatchBookmarks
	# must show it first.
	put "$(node bm)"
	wait_for 60 lines_ge "$w.1" 2
	wait_for 60 lines_ge "$w.2" 1
	expect_eq "BOOKMARK Node v1 {\"resourceVersion\":\"$rv\"}
ADDED Node v1 {\"name\":\"bm\"}" \
		"$(jl "$w.1" '" ".join([e["type"],e["object"]["kind"],e["object"]["apiVersion"],json.dumps({k:v for k,v in e["object"]["metadata"].items() if k in ("name","resourceVersion") and (k=="name" or e["type"]=="BOOKMARK")},separators=(",",":"))])')" "bookmarks allowed"
	expect_eq "ADDED bm" "$(jl "$w.2" 'e["type"]+" "+e["object"]["metadata"]["name"]')" "bookmarks not allowed"
	kill "$wpid1" "$wpid"
	ctl_ok DELETE /objects/nodes/bm
}

t_bookmark_interval() {
	mkdir -p "$tmp/s5"
	start_server "$tmp/s5" 127.0.0.1:0 --bookmark-interval 0.3 ||
		fail "second server did not start"
	base=https://127.0.0.1:$api_port
	watch_bg "$tmp/bi" "resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=60"
	wait_for 60 lines_ge "$tmp/bi" 3
	put '{"kind":"Node","metadata":{"name":"bi"}}'
	wait_for 60 eval 'grep -q ADDED "$tmp/bi"'
	wait_for 60 eval 'tail -1 "$tmp/bi" | grep -q "\"resourceVersion\": \"1\"}}}"'
	expect_eq "BOOKMARK 0
ADDED 1
BOOKMARK 1" "$(jl "$tmp/bi" 'e["type"]+" "+e["object"]["metadata"]["resourceVersion"]' | uniq)" \
		"periodic bookmarks"
	expect_eq 200 "$(api "/api/v1/nodes?watch=1&resourceVersion=0&timeoutSeconds=0&allowWatchBookmarks=true")" "short watch"
	expect_eq "ADDED" "$(jl "$tmp/out" 'e["type"]')" "no bookmark on a short watch"
}

t_gone_http() {
	local old gone gone_rv
	old=$(rv)
	gone=$(stat gone/nodes)
	put "$(node gone-1)"
	ctl_ok POST '/error410mode?mode=http'
	ctl_ok POST /compact
	gone_rv=$(js "$tmp/ctl" 'd["compactedResourceVersion"]')
	expect_eq "$(rv)" "$gone_rv" compact
	expect_eq 410 "$(api "/api/v1/nodes?watch=1&resourceVersion=$old")" "watch from old RV"
	expect_eq "Status Expired 410" "$(js "$tmp/out" '" ".join(str(d[k]) for k in ("kind","reason","code"))')" body
	expect_eq $((gone + 1)) "$(stat gone/nodes)" "gone counter"
	# From the compaction point itself the watch works.
	expect_eq 200 "$(api "/api/v1/nodes?watch=1&resourceVersion=$(rv)&timeoutSeconds=0")" "watch at compaction RV"
	ctl_ok DELETE /objects/nodes/gone-1
}

t_gone_event() {
	local old
	old=$(rv)
	put "$(node gone-2)"
	ctl_ok POST /compact
	# The default, as kube-apiserver 1.3x answers from its watch cache.
	expect_eq event "$(stat error410mode)" "default 410 mode"
	expect_eq 200 "$(api "/api/v1/nodes?watch=1&resourceVersion=$old")" "watch from old RV"
	expect_eq "ERROR Status Failure Expired 410 too old resource version: $old ($((old + 1)))" \
		"$(jl "$tmp/out" '" ".join(str(x) for x in [e["type"]]+[e["object"][k] for k in ("kind","status","reason","code","message")])')" event
	expect_eq 400 "$(ctl POST '/error410mode?mode=bogus')" "bad mode"
	ctl_ok DELETE /objects/nodes/gone-2
}

t_continue_gone() {
	put "$(node cg-1)"
	put "$(node cg-2)"
	expect_eq 200 "$(api '/api/v1/nodes?limit=1')" page1
	local tok
	tok=$(js "$tmp/out" 'd["metadata"]["continue"]')
	ctl_ok POST /compact
	expect_eq 410 "$(api "/api/v1/nodes?limit=1&continue=$tok")" "continue after compact"
	expect_eq Expired "$(js "$tmp/out" 'd["reason"]')" reason
	ctl_ok DELETE /objects/nodes/cg-1
	ctl_ok DELETE /objects/nodes/cg-2
}

t_drop() {
	local rc=0
	watch_bg "$tmp/dr" "resourceVersion=$(rv)&timeoutSeconds=60"
	ctl_ok POST /drop
	[[ $(js "$tmp/ctl" 'd["dropped"]') -ge 1 ]] || fail "dropped count"
	wait_for 60 eval '! kill -0 '"$wpid"
	wait "$wpid" || rc=$?
	# 18: transfer closed with outstanding read data (no last chunk); 56:
	# receive failure. 0 would mean a clean end.
	[[ $rc == 18 || $rc == 56 ]] ||
		fail "curl exit $rc after /drop ($(cat "$tmp/dr.err"))"
	wait_for 60 eval '[[ $(stat watches/nodes) == 0 ]]'
	expect_eq 200 "$(api /api/v1/nodes)" "new request after drop"
}

t_client_gone() {
	# A client that vanishes mid-stream must not hurt the server.
	watch_bg "$tmp/cg" "resourceVersion=$(rv)&timeoutSeconds=60"
	kill "$wpid"
	wait "$wpid" 2>/dev/null || true
	put "$(node cg-x)"
	put "$(node cg-x)"
	wait_for 60 eval '[[ $(stat watches/nodes) == 0 ]]'
	expect_eq 200 "$(api /api/v1/nodes/cg-x)" "request after a vanished client"
	# Half a TLS handshake, then nothing.
	exec 3<>/dev/tcp/127.0.0.1/"$api_port"
	printf '\x16\x03\x01\x00\x05\x01' >&3
	exec 3>&-
	expect_eq 200 "$(api /api/v1/nodes/cg-x)" "request after a broken handshake"
	ctl_ok DELETE /objects/nodes/cg-x
}

t_delay() {
	ctl_ok POST '/delay?ms=600'
	local start end n
	start=$(date +%s%N)
	expect_eq 200 "$(api /api/v1/nodes)" "list with delay"
	end=$(date +%s%N)
	(((end - start) / 1000000 >= 600)) ||
		fail "answer after $(((end - start) / 1000000)) ms with a 600 ms delay"
	# Watch events are each delayed too: headers + n events >= (n+1)*0.3 s.
	expect_eq 200 "$(api /api/v1/nodes)" list
	n=$(js "$tmp/out" 'len(d["items"])')
	ctl_ok POST '/delay?ms=300'
	start=$(date +%s%N)
	expect_eq 200 "$(api "/api/v1/nodes?watch=1&resourceVersion=0&timeoutSeconds=0")" watch
	end=$(date +%s%N)
	expect_eq "$n" "$(wc -l <"$tmp/out")" events
	(((end - start) / 1000000 >= 300 * (n + 1))) ||
		fail "watch with $n events took $(((end - start) / 1000000)) ms"
	expect_eq 400 "$(ctl POST '/delay?ms=x')" "bad delay"
	ctl_ok POST '/delay?ms=0'
	expect_eq 0 "$(stat delayMs)" reset
}

t_down_up() {
	local rc=0
	watch_bg "$tmp/du" "resourceVersion=$(rv)&timeoutSeconds=60"
	ctl_ok POST /down
	wait "$wpid" || rc=$?
	[[ $rc != 0 ]] || fail "in-flight watch ended cleanly after /down"
	rc=0
	curl -sS -o /dev/null --cacert "$certs/ca.crt" "$base/api/v1/nodes" \
		2>/dev/null || rc=$?
	expect_eq 7 "$rc" "curl exit while down (7: connection refused)"
	expect_eq false "$(stat up)" "stats up"
	ctl_ok POST /up
	expect_eq 200 "$(api /api/v1/nodes)" "after /up"
	expect_eq true "$(stat up)" "stats up"
}

t_patch() {
	put "$(node pt-1 '{"l":"1"}' '{"a":"1","b":"2"}')"
	local rv code
	rv=$(rv)
	ctl_ok DELETE /patches
	local p='{"metadata":{"annotations":{"b":null,"c":"3"},"labels":{"l":null,"m":"2"}},"status":{"addresses":[{"type":"InternalIP","address":"192.0.2.10"}]},"spec":{"podCIDR":"10.0.0.0/8"}}'
	code=$(api -X PATCH -H 'Content-Type: application/strategic-merge-patch+json' \
		--data-binary "$p" /api/v1/nodes/pt-1/status)
	expect_eq 200 "$code" "PATCH status"
	expect_eq "$((rv + 1)) {\"a\":\"1\",\"c\":\"3\"} {\"m\":\"2\"} 192.0.2.10 10.42.9.0/24" \
		"$(js "$tmp/out" '" ".join([d["metadata"]["resourceVersion"],json.dumps(d["metadata"]["annotations"],separators=(",",":")),json.dumps(d["metadata"]["labels"],separators=(",",":")),d["status"]["addresses"][0]["address"],d["spec"]["podCIDR"]])')" "patched node"
	# The same patch again changes nothing: no new RV, no event.
	code=$(api -X PATCH -H 'Content-Type: application/strategic-merge-patch+json' \
		--data-binary "$p" /api/v1/nodes/pt-1/status)
	expect_eq "200 $((rv + 1))" "$code $(js "$tmp/out" 'd["metadata"]["resourceVersion"]')" "no-op patch"
	code=$(api -X PATCH -H 'Content-Type: application/merge-patch+json' \
		--data-binary '{"metadata":{"annotations":{"a":null}}}' /api/v1/nodes/pt-1/status)
	expect_eq 200 "$code" "merge-patch"
	expect_eq 200 "$(api "/api/v1/nodes?watch=1&resourceVersion=$rv&timeoutSeconds=0&fieldSelector=metadata.name%3Dpt-1")" "watch"
	expect_eq "MODIFIED $((rv + 1)) {\"a\":\"1\",\"c\":\"3\"}
MODIFIED $((rv + 2)) {\"c\":\"3\"}" \
		"$(jl "$tmp/out" '" ".join([e["type"],e["object"]["metadata"]["resourceVersion"],json.dumps(e["object"]["metadata"]["annotations"],separators=(",",":"))])')" events
	ctl_ok GET /objects/nodes/pt-1
	expect_eq '{"c":"3"}' "$(js "$tmp/ctl" 'd["metadata"]["annotations"]')" "control GET"
	expect_eq 404 "$(api -X PATCH -H 'Content-Type: application/strategic-merge-patch+json' \
		--data-binary '{}' /api/v1/nodes/nope/status)" "unknown node"
	expect_eq 415 "$(api -X PATCH -H 'Content-Type: application/json' \
		--data-binary '{}' /api/v1/nodes/pt-1/status)" "json content type"
	expect_eq UnsupportedMediaType "$(js "$tmp/out" 'd["reason"]')" 415
	expect_eq 400 "$(api -X PATCH -H 'Content-Type: application/merge-patch+json' \
		--data-binary '{bad' /api/v1/nodes/pt-1/status)" "bad JSON"
	ctl_ok GET /patches
	expect_eq "6 /api/v1/nodes/pt-1/status application/strategic-merge-patch+json 200 True" \
		"$(js "$tmp/ctl" '" ".join(str(x) for x in [len(d),d[0]["path"],d[0]["contentType"],d[0]["code"],d[0]["time"]>0])')" "patch log"
	expect_eq "$p" "$(js "$tmp/ctl" 'd[0]["body"]')" "patch log body"
	expect_eq "200 200 200 404 415 400" "$(js "$tmp/ctl" '" ".join(str(p["code"]) for p in d)')" "patch log codes"
	ctl_ok DELETE /objects/nodes/pt-1
}

t_control() {
	expect_eq 400 "$(ctl PUT /objects '{"kind":"Widget","metadata":{"name":"x"}}')" "unknown kind"
	expect_eq 400 "$(ctl PUT /objects '{"kind":"Node","metadata":{}}')" "no name"
	expect_eq 400 "$(ctl PUT /objects '{nope')" "bad JSON"
	expect_eq 404 "$(ctl DELETE /objects/nodes/nope)" "delete unknown"
	expect_eq 404 "$(ctl GET /objects/services/kube-system/nope)" "get unknown"
	ctl_ok GET /objects/services/kube-system/kube-dns
	expect_eq 10.43.0.10 "$(js "$tmp/ctl" 'd["spec"]["clusterIP"]')" "get service"
	ctl_ok PUT /objects '{"kind":"List","items":[{"kind":"Namespace","metadata":{"name":"c1"}},{"kind":"Namespace","metadata":{"name":"kube-system"}}]}'
	expect_eq "ADDED MODIFIED" "$(js "$tmp/ctl" '" ".join(e["type"] for e in d["events"])')" events
	ctl_ok DELETE /objects/namespaces/c1
	ctl_ok POST /reset-stats
	expect_eq 200 "$(api /api/v1/nodes)" list
	expect_eq 200 "$(api '/api/v1/nodes?limit=1')" list
	ctl_ok GET /stats
	expect_eq '2 {"GET /api/v1/nodes":2} 0' \
		"$(js "$tmp/ctl" '" ".join(str(x) for x in [d["lists"]["nodes"],json.dumps(d["requests"],separators=(",",":")),d["gone"]["nodes"]])')" stats
	expect_eq 404 "$(ctl POST /nope)" "unknown command"
}

t_ipv6() {
	if ! grep -qs '^0\{31\}1 ' /proc/net/if_inet6; then
		skip "no ::1 on this host"
	fi
	mkdir -p "$tmp/s6"
	start_server "$tmp/s6" '[::1]:0' || fail "server on [::1] did not start"
	base="https://[::1]:$api_port"
	expect_eq 200 "$(api /api/v1/nodes)" "list over IPv6"
	expect_eq NodeList "$(js "$tmp/out" 'd["kind"]')" kind
	kill "${pids[-1]}"
}

t_list_rv() {
	local rv
	put "$(node lr-1)"
	put "$(node lr-2)"
	rv=$(rv)
	# resourceVersion=0: any version, from the watch cache, which
	# ignores limit (no continue, every item).
	expect_eq 200 "$(api '/api/v1/nodes?resourceVersion=0&limit=1')" "rv=0"
	expect_eq "$rv 4 False" "$(js "$tmp/out" 'd["metadata"]["resourceVersion"]+" "+str(len(d["items"]))+" "+str("continue" in d["metadata"])')" "rv=0 ignores limit"
	# Unset: a consistent list; limit is honoured.
	expect_eq 200 "$(api '/api/v1/nodes?limit=1')" "unset"
	expect_eq "1 True" "$(js "$tmp/out" 'str(len(d["items"]))+" "+str("continue" in d["metadata"])')" "unset honours limit"
	# Not older than an RV we have: the current state.
	expect_eq 200 "$(api "/api/v1/nodes?resourceVersion=$((rv - 1))")" "rv-1"
	expect_eq "$rv" "$(js "$tmp/out" 'd["metadata"]["resourceVersion"]')" "not older than"
	# A continue token takes no resourceVersion (except 0).
	expect_eq 200 "$(api '/api/v1/nodes?limit=1')" page1
	local tok
	tok=$(js "$tmp/out" 'd["metadata"]["continue"]')
	expect_eq 400 "$(api "/api/v1/nodes?limit=1&continue=$tok&resourceVersion=$rv")" "continue with rv"
	expect_eq "BadRequest specifying resource version is not allowed when using continue" \
		"$(js "$tmp/out" 'd["reason"]+" "+d["message"]')" "continue with rv"
	expect_eq 200 "$(api "/api/v1/nodes?limit=1&continue=$tok&resourceVersion=0")" "continue with rv=0"
	ctl_ok DELETE /objects/nodes/lr-1
	ctl_ok DELETE /objects/nodes/lr-2
}

t_too_large() {
	local rv want
	rv=$(rv)
	want=$((rv + 100))
	# kube-apiserver waits 3 s for the watch cache, then gives up.
	expect_eq 504 "$(api "/api/v1/nodes?resourceVersion=$want")" "future rv"
	expect_eq "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Timeout: Too large resource version: $want, current: $rv\",\"reason\":\"Timeout\",\"details\":{\"causes\":[{\"reason\":\"ResourceVersionTooLarge\",\"message\":\"Too large resource version\"}],\"retryAfterSeconds\":1},\"code\":504}" \
		"$(js "$tmp/out" 'json.dumps(d,separators=(",",":"))')" "504 body"
	# An RV reached while it waits: answered then.
	(sleep 0.5; ctl_ok PUT /objects "$(node tl-1)") &
	expect_eq 200 "$(api "/api/v1/nodes?resourceVersion=$((rv + 1))")" "rv reached while waiting"
	expect_eq "$((rv + 1))" "$(js "$tmp/out" 'd["metadata"]["resourceVersion"]')" "rv reached"
	wait
	ctl_ok DELETE /objects/nodes/tl-1
}

t_watch_future() {
	local rv w=$tmp/wf
	rv=$(rv)
	# A plain watch from the future is accepted; nothing comes (not even
	# a bookmark) until the store passes that RV.
	watch_bg "$w" "resourceVersion=$((rv + 2))&allowWatchBookmarks=true&timeoutSeconds=60"
	put "$(node wf-1)"
	put "$(node wf-2)"
	put "$(node wf-3)"
	wait_for 60 lines_ge "$w" 1
	ctl_ok POST /bookmark
	wait_for 60 lines_ge "$w" 2
	expect_eq "ADDED wf-3 $((rv + 3))
BOOKMARK  $((rv + 3))" \
		"$(jl "$w" '" ".join([e["type"],e["object"]["metadata"].get("name",""),e["object"]["metadata"]["resourceVersion"]])')" "future watch"
	kill "$wpid"
	local n
	for n in wf-1 wf-2 wf-3; do ctl_ok DELETE "/objects/nodes/$n"; done
}

t_chunk_split() {
	local rv
	rv=$(rv)
	put '{"kind":"List","items":[{"kind":"Node","metadata":{"name":"cs-1"}},{"kind":"Node","metadata":{"name":"cs-2"}},{"kind":"Node","metadata":{"name":"cs-3"}}]}'
	ctl_ok POST '/chunking?mode=split'
	expect_eq split "$(stat chunking)" chunking
	# --raw: the chunk framing as sent.
	curl -sS --raw -o "$tmp/raw" --cacert "$certs/ca.crt" --max-time 15 \
		--cert "$certs/client.crt" --key "$certs/client.key" \
		"$base/api/v1/nodes?watch=1&resourceVersion=$rv&timeoutSeconds=0"
	"$py" - "$tmp/raw" >"$tmp/chunks" <<'PY' || fail "bad chunk framing"
import sys
raw = open(sys.argv[1], "rb").read()
chunks = []
while True:
    line, raw = raw.split(b"\r\n", 1)
    n = int(line, 16)
    if n == 0:
        break
    chunks.append(raw[:n])
    assert raw[n:n + 2] == b"\r\n"
    raw = raw[n + 2:]
body = b"".join(chunks)
events = body.split(b"\n")[:-1]
# Every event in two chunks; no chunk ends at an event's end but the last.
print(len(events), len(chunks),
      sum(1 for c in chunks[:-1] if c.endswith(b"\n")),
      sum(1 for c in chunks if c.count(b"\n") == 1 and not c.endswith(b"\n")))
PY
	expect_eq "3 4 0 2" "$(cat "$tmp/chunks")" "events chunks ends-at-boundary two-event-chunks"
	expect_eq 200 "$(api "/api/v1/nodes?watch=1&resourceVersion=$rv&timeoutSeconds=0")" "decoded"
	expect_eq "cs-1 cs-2 cs-3" "$(jl "$tmp/out" 'e["object"]["metadata"]["name"]' | tr '\n' ' ' | sed 's/ $//')" "decoded events"
	expect_eq 400 "$(ctl POST '/chunking?mode=x')" "bad mode"
	ctl_ok POST '/chunking?mode=event'
	local n
	for n in cs-1 cs-2 cs-3; do ctl_ok DELETE "/objects/nodes/$n"; done
}

t_token_rotation() {
	local code
	ctl_ok POST /tokens "new-token"
	code=$(curl -sS -o "$tmp/out" -w '%{http_code}' --cacert "$certs/ca.crt" \
		-H "Authorization: Bearer $(cat "$certs/token")" "$base/api/v1/nodes")
	expect_eq 401 "$code" "old token after rotation"
	code=$(curl -sS -o "$tmp/out" -w '%{http_code}' --cacert "$certs/ca.crt" \
		-H "Authorization: Bearer new-token" "$base/api/v1/nodes")
	expect_eq 200 "$code" "new token"
	ctl_ok POST /tokens "$(cat "$certs/token")"
}

t_cert_rotation() {
	"$here/mkcerts.sh" "$certs" --client rot >/dev/null ||
		fail "mkcerts.sh --client"
	[[ $(openssl verify -CAfile "$certs/ca.crt" "$certs/rot.crt") == *OK ]] ||
		fail "rot.crt not signed by the CA"
	ctl_ok POST /accept-certs "$(cat "$certs/rot.crt")"
	expect_eq 1 "$(stat certsAccepted)" accepted
	expect_eq 401 "$(api /api/v1/nodes)" "client.crt no longer accepted"
	expect_eq 200 "$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$certs/ca.crt" \
		--cert "$certs/rot.crt" --key "$certs/rot.key" "$base/api/v1/nodes")" "rot.crt"
	ctl_ok POST /accept-certs ""
	expect_eq 200 "$(api /api/v1/nodes)" "any certificate of the CA again"
	expect_eq 400 "$(ctl POST /accept-certs 'not a pem')" "bad PEM"
}

t_expire_watches() {
	local rv
	rv=$(rv)
	ctl_ok POST '/expire-watches?n=1&plural=nodes'
	expect_eq 200 "$(api "/api/v1/services?watch=1&resourceVersion=$rv&timeoutSeconds=0")" "other kind"
	expect_eq "" "$(cat "$tmp/out")" "services watch untouched"
	expect_eq 200 "$(api "/api/v1/nodes?watch=1&resourceVersion=$rv&timeoutSeconds=0")" "expired"
	expect_eq "ERROR 410 Expired" "$(jl "$tmp/out" 'e["type"]+" "+str(e["object"]["code"])+" "+e["object"]["reason"]')" "forced 410"
	expect_eq 200 "$(api "/api/v1/nodes?watch=1&resourceVersion=$rv&timeoutSeconds=0")" "next"
	expect_eq "" "$(cat "$tmp/out")" "only n watches"
	expect_eq 400 "$(ctl POST '/expire-watches?n=1&plural=widgets')" "bad plural"
}

t_requests_log() {
	ctl_ok DELETE /requests
	expect_eq 200 "$(api '/api/v1/nodes?resourceVersion=0&limit=7')" list
	curl -sS -o /dev/null --cacert "$certs/ca.crt" "$base/api/v1/pods"
	ctl_ok GET /requests
	expect_eq '[["GET","/api/v1/nodes",{"resourceVersion":"0","limit":"7"},"cert"],["GET","/api/v1/pods",{},"rejected"]]' \
		"$(js "$tmp/ctl" 'json.dumps([[r["method"],r["path"],r["query"],r["auth"]] for r in d],separators=(",",":"))')" "request log"
}

t_kubectl() {
	command -v kubectl >/dev/null || skip "missing: kubectl"
	sed "s#https://127.0.0.1:6443#$base#" "$certs/kubeconfig-files.yaml" \
		>"$certs/kubeconfig-kubectl.yaml"
	local kc=$certs/kubeconfig-kubectl.yaml out
	out=$(kubectl --kubeconfig "$kc" get nodes -o name 2>&1) ||
		fail "kubectl get nodes: $out"
	expect_eq "node/fx-a
node/fx-b" "$out" "kubectl get nodes"
	out=$(kubectl --kubeconfig "$kc" get --raw '/api/v1/nodes?resourceVersion=0&limit=1' 2>&1) ||
		fail "kubectl get --raw: $out"
	echo "$out" >"$tmp/out"
	expect_eq 2 "$(js "$tmp/out" 'len(d["items"])')" "kubectl rv=0"
	# A future RV: kubectl reports the server's 504 Timeout.
	if out=$(kubectl --kubeconfig "$kc" get --raw "/api/v1/nodes?resourceVersion=$(($(rv) + 50))" 2>&1); then
		fail "kubectl accepted a future resourceVersion: $out"
	fi
	[[ $out == *"Too large resource version"* ]] ||
		fail "kubectl: expected Too large resource version, got: $out"
	# kubectl get -w sees a change through a watch.
	timeout 120 kubectl --kubeconfig "$kc" get nodes --watch-only -o name \
		>"$tmp/kw" 2>&1 &
	wait_for 60 eval '[[ $(stat watches/nodes) -ge 1 ]]'
	put "$(node kw-1)"
	wait_for 60 grep -qx node/kw-1 "$tmp/kw"
	kill %% 2>/dev/null || true
	# An expired RV: the ERROR event with the 410 Status, as kubectl shows it.
	local old
	old=$(rv)
	ctl_ok PUT /objects "$(node kw-1 '{"a":"b"}')"
	ctl_ok POST /compact
	out=$(kubectl --kubeconfig "$kc" get --raw "/api/v1/nodes?watch=1&resourceVersion=$old" 2>&1) ||
		fail "kubectl get --raw watch: $out"
	echo "$out" >"$tmp/out"
	expect_eq "ERROR 410 Expired too old resource version: $old ($((old + 1)))" \
		"$(jl "$tmp/out" 'e["type"]+" "+str(e["object"]["code"])+" "+e["object"]["reason"]+" "+e["object"]["message"]')" "kubectl: ERROR event"
	ctl_ok DELETE /objects/nodes/kw-1
}

# --- writes: create, update, patch, delete; Events; Leases ------------------

post() {	# PATH BODY: a create
	api -X POST -H 'Content-Type: application/json' --data-binary "$2" "$1"
}

t_write_create_update() {
	local rv uid code body
	rv=$(rv)
	watch_bg "$tmp/ww" "resourceVersion=$rv&timeoutSeconds=60" /api/v1/namespaces/default/services
	code=$(post /api/v1/namespaces/default/services '{"apiVersion":"v1","kind":"Service","metadata":{"name":"wr-1","namespace":"default"},"spec":{"type":"LoadBalancer","ports":[{"port":80}]}}')
	expect_eq 201 "$code" create
	expect_eq "wr-1 $((rv + 1)) 1 TCP 80 None True True" \
		"$(js "$tmp/out" '" ".join(str(x) for x in [d["metadata"]["name"],d["metadata"]["resourceVersion"],d["metadata"]["generation"],d["spec"]["ports"][0]["protocol"],d["spec"]["ports"][0]["targetPort"],d["spec"]["sessionAffinity"],len(d["metadata"]["uid"])==36,d["metadata"]["creationTimestamp"].endswith("Z")])')" "created, defaulted"
	uid=$(js "$tmp/out" 'd["metadata"]["uid"]')
	expect_eq 409 "$(post /api/v1/namespaces/default/services '{"metadata":{"name":"wr-1"},"spec":{"ports":[{"port":80}]}}')" "create again"
	expect_eq 'AlreadyExists services "wr-1" already exists {"name":"wr-1","kind":"services"}' \
		"$(js "$tmp/out" 'd["reason"]+" "+d["message"]+" "+json.dumps(d["details"],separators=(",",":"))')" "already exists"
	expect_eq 400 "$(post /api/v1/namespaces/other/services '{"metadata":{"name":"wr-2","namespace":"default"},"spec":{"ports":[{"port":80}]}}')" "namespace mismatch"
	expect_eq 422 "$(post /api/v1/namespaces/default/services '{"metadata":{"name":"wr-2"},"spec":{}}')" "no ports"
	expect_eq 'Invalid Service "wr-2" is invalid: spec.ports: Required value [{"reason":"FieldValueRequired","message":"Required value","field":"spec.ports"}]' \
		"$(js "$tmp/out" 'd["reason"]+" "+d["message"]+" "+json.dumps(d["details"]["causes"],separators=(",",":"))')" "422"
	# Update with the resourceVersion read; then the same again: stale.
	body="{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"wr-1\",\"namespace\":\"default\",\"resourceVersion\":\"$((rv + 1))\"},\"spec\":{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":81}]},\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"192.0.2.1\"}]}}}"
	code=$(api -X PUT -H 'Content-Type: application/json' --data-binary "$body" /api/v1/namespaces/default/services/wr-1)
	expect_eq 200 "$code" update
	expect_eq "$((rv + 2)) 2 81 $uid {}" \
		"$(js "$tmp/out" '" ".join(str(x) for x in [d["metadata"]["resourceVersion"],d["metadata"]["generation"],d["spec"]["ports"][0]["port"],d["metadata"]["uid"],json.dumps(d.get("status",{}))])')" "updated, status ignored"
	expect_eq 409 "$(api -X PUT -H 'Content-Type: application/json' --data-binary "$body" /api/v1/namespaces/default/services/wr-1)" stale
	expect_eq 'Conflict 409 Operation cannot be fulfilled on services "wr-1": the object has been modified; please apply your changes to the latest version and try again' \
		"$(js "$tmp/out" '" ".join(str(d[k]) for k in ("reason","code","message"))')" "409 Status"
	expect_eq 404 "$(api -X PUT -H 'Content-Type: application/json' --data-binary '{"metadata":{"name":"nope"},"spec":{"ports":[{"port":1}]}}' /api/v1/namespaces/default/services/nope)" "update unknown"
	# PUT /status: status only.
	body="{\"metadata\":{\"name\":\"wr-1\",\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"port\":99}]},\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"192.0.2.7\"}]}}}"
	expect_eq 200 "$(api -X PUT -H 'Content-Type: application/json' --data-binary "$body" /api/v1/namespaces/default/services/wr-1/status)" "PUT status"
	expect_eq "$((rv + 3)) 2 81 192.0.2.7" \
		"$(js "$tmp/out" '" ".join(str(x) for x in [d["metadata"]["resourceVersion"],d["metadata"]["generation"],d["spec"]["ports"][0]["port"],d["status"]["loadBalancer"]["ingress"][0]["ip"]])')" "status written"
	expect_eq 200 "$(api -X DELETE /api/v1/namespaces/default/services/wr-1)" delete
	expect_eq 404 "$(api /api/v1/namespaces/default/services/wr-1)" "gone"
	wait_for 30 lines_ge "$tmp/ww" 4
	kill "$wpid"
	wait "$wpid" 2>/dev/null || true
	expect_eq "ADDED $((rv + 1))
MODIFIED $((rv + 2))
MODIFIED $((rv + 3))
DELETED $((rv + 4))" "$(jl "$tmp/ww" 'e["type"]+" "+e["object"]["metadata"]["resourceVersion"]')" "watch saw the writes"
}

t_write_patch() {
	put '{"kind":"Service","metadata":{"name":"wp-1","namespace":"default","finalizers":["a.io/x"]},"spec":{"ports":[{"port":80,"protocol":"TCP"},{"port":443,"protocol":"TCP"}]},"status":{"conditions":[{"type":"A","status":"True"},{"type":"B","status":"False"}]}}'
	local rv
	rv=$(rv)
	# Strategic: lists merged by key (ports by port, conditions by type),
	# finalizers as a set, $patch delete, $deleteFromPrimitiveList.
	expect_eq 200 "$(api -X PATCH -H 'Content-Type: application/strategic-merge-patch+json' \
		--data-binary '{"metadata":{"finalizers":["b.io/y"]},"spec":{"ports":[{"port":443,"name":"https"},{"port":80,"$patch":"delete"}]}}' \
		/api/v1/namespaces/default/services/wp-1)" strategic
	expect_eq '["a.io/x","b.io/y"] [[443,"https"]]' \
		"$(js "$tmp/out" 'json.dumps(d["metadata"]["finalizers"],separators=(",",":"))+" "+json.dumps([[p["port"],p.get("name")] for p in d["spec"]["ports"]],separators=(",",":"))')" "strategic result"
	expect_eq 200 "$(api -X PATCH -H 'Content-Type: application/strategic-merge-patch+json' \
		--data-binary '{"status":{"conditions":[{"type":"B","status":"True"}]},"metadata":{"$deleteFromPrimitiveList/finalizers":["a.io/x"]}}' \
		/api/v1/namespaces/default/services/wp-1/status)" "strategic status"
	expect_eq '[["A","True"],["B","True"]] ["a.io/x","b.io/y"]' \
		"$(js "$tmp/out" 'json.dumps([[c["type"],c["status"]] for c in d["status"]["conditions"]],separators=(",",":"))+" "+json.dumps(d["metadata"]["finalizers"],separators=(",",":"))')" "conditions merged by type, finalizers untouched on /status"
	# Merge patch: lists replace.
	expect_eq 200 "$(api -X PATCH -H 'Content-Type: application/merge-patch+json' \
		--data-binary '{"metadata":{"finalizers":["b.io/y"]}}' /api/v1/namespaces/default/services/wp-1)" merge
	expect_eq '["b.io/y"]' "$(js "$tmp/out" 'json.dumps(d["metadata"]["finalizers"])')" "merge replaces lists"
	# JSON patch, a failing test op (422), a stale resourceVersion (409).
	expect_eq 200 "$(api -X PATCH -H 'Content-Type: application/json-patch+json' \
		--data-binary '[{"op":"add","path":"/metadata/labels","value":{"k":"v"}},{"op":"test","path":"/metadata/labels/k","value":"v"}]' \
		/api/v1/namespaces/default/services/wp-1)" "json patch"
	expect_eq v "$(js "$tmp/out" 'd["metadata"]["labels"]["k"]')" "json patch result"
	expect_eq 422 "$(api -X PATCH -H 'Content-Type: application/json-patch+json' \
		--data-binary '[{"op":"test","path":"/metadata/labels/k","value":"w"}]' \
		/api/v1/namespaces/default/services/wp-1)" "failed test op"
	expect_eq 'Invalid the server rejected our request due to an error in our request testing value /metadata/labels/k failed: test failed' \
		"$(js "$tmp/out" 'd["reason"]+" "+d["message"]+" "+d["details"]["causes"][0]["message"]')" "422 Status"
	expect_eq 409 "$(api -X PATCH -H 'Content-Type: application/merge-patch+json' \
		--data-binary "{\"metadata\":{\"resourceVersion\":\"$rv\",\"labels\":{\"k\":\"z\"}}}" \
		/api/v1/namespaces/default/services/wp-1)" "stale rv in a patch"
	expect_eq 404 "$(api -X PATCH -H 'Content-Type: application/merge-patch+json' \
		--data-binary '{}' /api/v1/namespaces/default/services/nope)" "unknown"
	expect_eq 'services "nope" not found' "$(js "$tmp/out" 'd["message"]')" "404 message"
	expect_eq 415 "$(api -X PATCH -H 'Content-Type: application/json' --data-binary '{}' \
		/api/v1/namespaces/default/services/wp-1)" "415"
	ctl_ok DELETE /objects/services/default/wp-1
}

t_write_finalizers() {
	put '{"kind":"Service","metadata":{"name":"wf-1","namespace":"default","uid":"u-1","finalizers":["service.kubernetes.io/load-balancer-cleanup"]},"spec":{"ports":[{"port":80}]}}'
	local rv
	rv=$(rv)
	watch_bg "$tmp/wf" "resourceVersion=$rv&timeoutSeconds=60&fieldSelector=metadata.name%3Dwf-1" /api/v1/namespaces/default/services
	expect_eq 409 "$(api -X DELETE -H 'Content-Type: application/json' \
		--data-binary '{"preconditions":{"uid":"u-2"}}' /api/v1/namespaces/default/services/wf-1)" "uid precondition"
	expect_eq 'Operation cannot be fulfilled on services "wf-1": Precondition failed: UID in precondition: u-2, UID in object meta: u-1' \
		"$(js "$tmp/out" 'd["message"]')" "precondition message"
	expect_eq 202 "$(api -X DELETE -H 'Content-Type: application/json' \
		--data-binary '{"preconditions":{"uid":"u-1"}}' /api/v1/namespaces/default/services/wf-1)" "delete with a finalizer"
	expect_eq True "$(js "$tmp/out" 'str(d["metadata"]["deletionTimestamp"].endswith("Z"))')" deletionTimestamp
	expect_eq 200 "$(api /api/v1/namespaces/default/services/wf-1)" "still there"
	expect_eq 422 "$(api -X PATCH -H 'Content-Type: application/merge-patch+json' \
		--data-binary '{"metadata":{"finalizers":["service.kubernetes.io/load-balancer-cleanup","x.io/new"]}}' \
		/api/v1/namespaces/default/services/wf-1)" "no new finalizer while deleting"
	expect_eq 200 "$(api -X PATCH -H 'Content-Type: application/merge-patch+json' \
		--data-binary '{"metadata":{"finalizers":null}}' /api/v1/namespaces/default/services/wf-1)" "finalizer removed"
	expect_eq 404 "$(api /api/v1/namespaces/default/services/wf-1)" "gone with its finalizer"
	wait_for 30 lines_ge "$tmp/wf" 2
	kill "$wpid"
	wait "$wpid" 2>/dev/null || true
	expect_eq "MODIFIED True
DELETED True" "$(jl "$tmp/wf" 'e["type"]+" "+str("deletionTimestamp" in e["object"]["metadata"])')" "watch: marked, then deleted"
}

t_events() {
	local now ev
	now=$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)
	ev="{\"apiVersion\":\"events.k8s.io/v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"lb.1\",\"namespace\":\"default\"},\"eventTime\":\"$now\",\"reportingController\":\"nodeplane.io/servicelb\",\"reportingInstance\":\"n1\",\"action\":\"EnsureLoadBalancer\",\"reason\":\"UpdatedLoadBalancer\",\"note\":\"x\",\"type\":\"Normal\",\"regarding\":{\"kind\":\"Service\",\"namespace\":\"default\",\"name\":\"lb\",\"apiVersion\":\"v1\"}}"
	expect_eq 201 "$(post /apis/events.k8s.io/v1/namespaces/default/events "$ev")" "create Event"
	expect_eq 200 "$(api -X PATCH -H 'Content-Type: application/strategic-merge-patch+json' \
		--data-binary "{\"series\":{\"count\":2,\"lastObservedTime\":\"$now\"}}" \
		/apis/events.k8s.io/v1/namespaces/default/events/lb.1)" "series"
	expect_eq 2 "$(js "$tmp/out" 'd["series"]["count"]')" "series.count"
	expect_eq 422 "$(api -X PATCH -H 'Content-Type: application/merge-patch+json' \
		--data-binary '{"series":{"count":1,"lastObservedTime":null}}' /apis/events.k8s.io/v1/namespaces/default/events/lb.1)" "bad series"
	expect_eq 'Event.events.k8s.io "lb.1" is invalid: [series.count: Invalid value: 1: should be at least 2, series.lastObservedTime: Required value]' \
		"$(js "$tmp/out" 'd["message"]')" "series 422"
	expect_eq 422 "$(post /apis/events.k8s.io/v1/namespaces/default/events '{"metadata":{"name":"e2"},"type":"Bad"}')" "invalid Event"
	expect_eq 'Event.events.k8s.io "e2" is invalid: [eventTime: Required value, reportingController: Required value, reportingInstance: Required value, action: Required value, reason: Required value, type: Unsupported value: "Bad": supported values: "Normal", "Warning"]' \
		"$(js "$tmp/out" 'd["message"]')" "Event 422"
	expect_eq 200 "$(api /apis/events.k8s.io/v1/events)" "list all"
	expect_eq "EventList events.k8s.io/v1 lb.1" "$(js "$tmp/out" '" ".join([d["kind"],d["apiVersion"]]+[i["metadata"]["name"] for i in d["items"]])')" "EventList"
	expect_eq 404 "$(api /apis/events.k8s.io/v1/namespaces/default/events/nope)" "unknown Event"
	expect_eq 'events.events.k8s.io "nope" not found {"name":"nope","group":"events.k8s.io","kind":"events"}' \
		"$(js "$tmp/out" 'd["message"]+" "+json.dumps(d["details"],separators=(",",":"))')" "404 names the group"
	expect_eq 200 "$(api -X DELETE /apis/events.k8s.io/v1/namespaces/default/events/lb.1)" "delete Event"
}

t_leases() {
	local rv body
	body='{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l-1","namespace":"kube-system"},"spec":{"holderIdentity":"n1","leaseDurationSeconds":15,"renewTime":"2026-01-01T00:00:00.000000Z","leaseTransitions":0}}'
	expect_eq 201 "$(post /apis/coordination.k8s.io/v1/namespaces/kube-system/leases "$body")" "create Lease"
	rv=$(js "$tmp/out" 'd["metadata"]["resourceVersion"]')
	body="{\"metadata\":{\"name\":\"l-1\",\"namespace\":\"kube-system\",\"resourceVersion\":\"$rv\"},\"spec\":{\"holderIdentity\":\"n2\",\"leaseDurationSeconds\":15,\"leaseTransitions\":1}}"
	expect_eq 200 "$(api -X PUT -H 'Content-Type: application/json' --data-binary "$body" /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l-1)" "take over"
	expect_eq "n2 1" "$(js "$tmp/out" 'd["spec"]["holderIdentity"]+" "+str(d["spec"]["leaseTransitions"])')" "holder"
	expect_eq 409 "$(api -X PUT -H 'Content-Type: application/json' --data-binary "$body" /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l-1)" "a second taker loses"
	expect_eq 'Operation cannot be fulfilled on leases.coordination.k8s.io "l-1": the object has been modified; please apply your changes to the latest version and try again' \
		"$(js "$tmp/out" 'd["message"]')" "409 names the group"
	expect_eq 422 "$(post /apis/coordination.k8s.io/v1/namespaces/kube-system/leases '{"metadata":{"name":"l-2"},"spec":{"leaseDurationSeconds":0}}')" "bad duration"
	expect_eq 'Lease.coordination.k8s.io "l-2" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0' \
		"$(js "$tmp/out" 'd["message"]')" "Lease 422"
	expect_eq 200 "$(api '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?labelSelector=a%3Db')" "list by label"
	expect_eq "LeaseList 0" "$(js "$tmp/out" 'd["kind"]+" "+str(len(d["items"]))')" "LeaseList"
	expect_eq 200 "$(api -X DELETE /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l-1)" "delete Lease"
}

t_fail_writes() {
	ctl_ok DELETE /writes
	ctl_ok POST '/fail?n=2&code=500&path=/apis/coordination.k8s.io'
	local body='{"metadata":{"name":"f-1"},"spec":{"holderIdentity":"x"}}' p=/apis/coordination.k8s.io/v1/namespaces/kube-system/leases
	local a b c
	a=$(post $p "$body")
	expect_eq InternalError "$(js "$tmp/out" 'd["reason"]')" reason
	b=$(post $p "$body")
	c=$(post $p "$body")
	expect_eq "500 500 201" "$a $b $c" "two failures then through"
	ctl_ok POST '/fail?n=1&code=429&method=PATCH'
	expect_eq 201 "$(post /api/v1/namespaces/default/services '{"metadata":{"name":"f-2"},"spec":{"ports":[{"port":1}]}}')" "POST not matched"
	expect_eq 429 "$(api -X PATCH -H 'Content-Type: application/merge-patch+json' --data-binary '{}' /api/v1/namespaces/default/services/f-2)" "PATCH failed"
	ctl_ok GET '/writes?path=/apis/coordination.k8s.io'
	expect_eq "POST 500,POST 500,POST 201" \
		"$(js "$tmp/ctl" '",".join(w["method"]+" "+str(w["code"]) for w in d)')" "writes recorded"
	expect_eq "$body" "$(js "$tmp/ctl" 'd[2]["body"]')" "body recorded"
	expect_eq 400 "$(ctl POST '/fail?code=200')" "bad fail"
	ctl_ok DELETE /objects/leases/kube-system/f-1
	ctl_ok DELETE /objects/services/default/f-2
}

t_kubectl_writes() {
	command -v kubectl >/dev/null || skip "missing: kubectl"
	sed "s#https://127.0.0.1:6443#$base#" "$certs/kubeconfig-files.yaml" \
		>"$certs/kubeconfig-kubectl.yaml"
	local kc=$certs/kubeconfig-kubectl.yaml out
	printf '%s\n' 'apiVersion: v1' 'kind: Service' \
		'metadata: {name: kw-svc, namespace: default}' \
		'spec: {type: LoadBalancer, ports: [{port: 80}]}' >"$tmp/svc.yaml"
	out=$(kubectl --kubeconfig "$kc" apply -f "$tmp/svc.yaml" 2>&1) || fail "kubectl apply: $out"
	expect_eq "service/kw-svc created" "$out" "kubectl apply"
	out=$(kubectl --kubeconfig "$kc" -n default patch svc kw-svc --subresource=status --type=merge \
		-p '{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.5","ipMode":"VIP"}]}}}' 2>&1) ||
		fail "kubectl patch --subresource=status: $out"
	expect_eq "service/kw-svc patched" "$out" "kubectl patch status"
	out=$(kubectl --kubeconfig "$kc" -n default get svc kw-svc -o jsonpath='{.status.loadBalancer.ingress[0].ip} {.spec.ports[0].protocol}' 2>&1)
	expect_eq "192.0.2.5 TCP" "$out" "kubectl get status"
	sed -i 's/port: 80/port: 8080/' "$tmp/svc.yaml"
	out=$(kubectl --kubeconfig "$kc" apply -f "$tmp/svc.yaml" 2>&1) || fail "kubectl apply again: $out"
	expect_eq "service/kw-svc configured" "$out" "kubectl apply again"
	out=$(kubectl --kubeconfig "$kc" -n default get svc kw-svc -o jsonpath='{.spec.ports[*].port} {.metadata.generation}' 2>&1)
	expect_eq "8080 2" "$out" "3-way merge dropped port 80"
	post /apis/coordination.k8s.io/v1/namespaces/kube-system/leases \
		'{"metadata":{"name":"kw-lease"},"spec":{"holderIdentity":"n1","leaseDurationSeconds":15}}' >/dev/null
	out=$(kubectl --kubeconfig "$kc" get leases -n kube-system -o name 2>&1) || fail "kubectl get leases: $out"
	expect_eq "lease.coordination.k8s.io/kw-lease" "$out" "kubectl get leases"
	out=$(kubectl --kubeconfig "$kc" get leases -n kube-system kw-lease -o jsonpath='{.spec.holderIdentity}' 2>&1)
	expect_eq n1 "$out" "kubectl get lease"
	post /apis/events.k8s.io/v1/namespaces/default/events \
		"{\"metadata\":{\"name\":\"kw-svc.1\"},\"eventTime\":\"$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)\",\"reportingController\":\"nodeplane.io/servicelb\",\"reportingInstance\":\"n1\",\"action\":\"A\",\"reason\":\"R\",\"type\":\"Normal\",\"regarding\":{\"kind\":\"Service\",\"namespace\":\"default\",\"name\":\"kw-svc\"}}" >/dev/null
	out=$(kubectl --kubeconfig "$kc" get events.events.k8s.io -A -o name 2>&1) || fail "kubectl get events: $out"
	expect_eq "event.events.k8s.io/kw-svc.1" "$out" "kubectl get events.events.k8s.io"
	out=$(kubectl --kubeconfig "$kc" -n default delete svc kw-svc 2>&1) || fail "kubectl delete: $out"
	expect_eq 'service "kw-svc" deleted' "$out" "kubectl delete"
	expect_eq 404 "$(api /api/v1/namespaces/default/services/kw-svc)" "deleted"
	ctl_ok DELETE /objects/leases/kube-system/kw-lease
	ctl_ok DELETE /objects/events/default/kw-svc.1
}

t_selectors() {
	put '[{"kind":"Pod","metadata":{"name":"sp-1","namespace":"default","labels":{"app":"a","tier":"x"}},"spec":{"nodeName":"fx-b","hostNetwork":true}},{"kind":"Pod","metadata":{"name":"sp-2","namespace":"default","labels":{"app":"b"}},"spec":{}},{"kind":"Pod","metadata":{"name":"sp-3","namespace":"default","labels":{"app":"c","tier":"y"}},"spec":{"nodeName":"fx-b"}}]'
	expect_eq 200 "$(api '/api/v1/pods?fieldSelector=spec.nodeName%3Dfx-b')" "spec.nodeName"
	expect_eq "sp-1 sp-3" "$(js "$tmp/out" '" ".join(i["metadata"]["name"] for i in d["items"])')" "pods of fx-b"
	expect_eq 200 "$(api '/api/v1/pods?fieldSelector=spec.nodeName%3D,metadata.namespace%3Ddefault')" "unscheduled"
	expect_eq "sp-2" "$(js "$tmp/out" '" ".join(i["metadata"]["name"] for i in d["items"])')" "a missing field is empty"
	expect_eq 200 "$(api '/api/v1/pods?fieldSelector=spec.hostNetwork%3Dtrue')" "boolean field"
	expect_eq "sp-1" "$(js "$tmp/out" '" ".join(i["metadata"]["name"] for i in d["items"])')" "hostNetwork"
	expect_eq 200 "$(api '/api/v1/pods?labelSelector=app%20in%20(a,c),tier%20notin%20(y)')" "set-based"
	expect_eq "sp-1" "$(js "$tmp/out" '" ".join(i["metadata"]["name"] for i in d["items"])')" "in/notin"
	expect_eq 200 "$(api '/api/v1/pods?labelSelector=app%20notin%20(a),tier')" "notin + exists"
	expect_eq "sp-3" "$(js "$tmp/out" '" ".join(i["metadata"]["name"] for i in d["items"])')" "notin/exists"
	expect_eq 400 "$(api '/api/v1/nodes?fieldSelector=spec.nodeName%3Dx')" "field label of another kind"
	expect_eq 'field label not supported: spec.nodeName' "$(js "$tmp/out" 'd["message"]')" "400 message"
	# A watch with the field selector sees only this node's pods.
	local rv
	rv=$(rv)
	watch_bg "$tmp/sw" "resourceVersion=$rv&timeoutSeconds=60&fieldSelector=spec.nodeName%3Dfx-b" /api/v1/pods
	put '[{"kind":"Pod","metadata":{"name":"sp-4","namespace":"default"},"spec":{"nodeName":"fx-a"}},{"kind":"Pod","metadata":{"name":"sp-5","namespace":"default"},"spec":{"nodeName":"fx-b"}}]'
	# sp-4 (another node's) was written first: its event would come first
	wait_for 30 lines_ge "$tmp/sw" 1
	kill "$wpid"
	wait "$wpid" 2>/dev/null || true
	expect_eq "ADDED sp-5" "$(jl "$tmp/sw" 'e["type"]+" "+e["object"]["metadata"]["name"]')" "watch by node"
	local p
	for p in sp-1 sp-2 sp-3 sp-4 sp-5; do ctl_ok DELETE "/objects/pods/default/$p"; done
}

t_node_authz() {
	put "$(node nodeplane)"
	ctl_ok POST '/authz?mode=node'
	expect_eq 403 "$(api -X PATCH -H 'Content-Type: application/merge-patch+json' \
		--data-binary '{"metadata":{"labels":{"x":"1"}}}' /api/v1/nodes/fx-a/status)" "another node"
	expect_eq 'Forbidden nodes "fx-a" is forbidden: node "nodeplane" is not allowed to modify node "fx-a"' \
		"$(js "$tmp/out" 'd["reason"]+" "+d["message"]')" "403 Status"
	expect_eq 200 "$(api -X PATCH -H 'Content-Type: application/merge-patch+json' \
		--data-binary '{"metadata":{"labels":{"x":"1"}}}' /api/v1/nodes/nodeplane/status)" "its own node"
	# A bearer token is no node identity: not restricted.
	expect_eq 200 "$(curl -sS -o "$tmp/out" -w '%{http_code}' --cacert "$certs/ca.crt" \
		-H "Authorization: Bearer $(cat "$certs/token")" -X PATCH \
		-H 'Content-Type: application/merge-patch+json' --data-binary '{"metadata":{"labels":{"y":"1"}}}' \
		"$base/api/v1/nodes/fx-a")" "token"
	ctl_ok POST '/authz?mode=none'
	expect_eq 200 "$(api -X PATCH -H 'Content-Type: application/merge-patch+json' \
		--data-binary '{"metadata":{"labels":{"y":null}}}' /api/v1/nodes/fx-a)" "authz off"
	expect_eq 400 "$(ctl POST '/authz?mode=rbac')" "bad mode"
	ctl_ok DELETE /objects/nodes/nodeplane
}

run_case certs t_certs
run_case kubeconfigs t_kubeconfigs
run_case unauthorized t_unauthorized
run_case cert_auth t_cert_auth
run_case token_auth t_token_auth
run_case fixtures_list t_fixtures_list
run_case get_one t_get_one
run_case pagination t_pagination
run_case watch t_watch
run_case bookmark t_bookmark
run_case bookmark_interval t_bookmark_interval
run_case gone_http t_gone_http
run_case gone_event t_gone_event
run_case continue_gone t_continue_gone
run_case drop t_drop
run_case client_gone t_client_gone
run_case delay t_delay
run_case down_up t_down_up
run_case patch t_patch
run_case control t_control
run_case list_rv t_list_rv
run_case too_large t_too_large
run_case watch_future t_watch_future
run_case chunk_split t_chunk_split
run_case token_rotation t_token_rotation
run_case cert_rotation t_cert_rotation
run_case expire_watches t_expire_watches
run_case requests_log t_requests_log
run_case kubectl t_kubectl
run_case write_create_update t_write_create_update
run_case write_patch t_write_patch
run_case write_finalizers t_write_finalizers
run_case events t_events
run_case leases t_leases
run_case fail_writes t_fail_writes
run_case kubectl_writes t_kubectl_writes
run_case selectors t_selectors
run_case node_authz t_node_authz
run_case ipv6 t_ipv6

if [[ $skipped == 0 ]]; then
	echo "$passed passed, $failed failed"
else
	echo "$passed passed, $failed failed, $skipped skipped"
fi
[[ $failed == 0 ]]
