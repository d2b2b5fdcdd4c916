// SPDX-License-Identifier: GPL-2.0-only
/*
 * daemon/model decoders: real-shaped API objects from the JSON files in fixtures/api
 * (as kube-apiserver serves them) read into the typed structs, the API
 * server's defaults applied to manifest-style objects, selectors, and
 * malformed objects rejected with their exact error text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "check.h"
#include "fixture.h"
#include "model_fix.h"
#include "model/model.h"

static char buf[NP_CIDR_STRLEN];

/* Strict: trailing text after the JSON value is an error of the test. */
static cJSON *parse(const char *text)
{
	return cJSON_ParseWithOpts(text, NULL, true);
}

static const char *astr(const struct np_addr *a)
{
	return np_addr_str(a, buf, sizeof(buf));
}

static const char *cstr(const struct np_cidr *c)
{
	return np_cidr_str(c, buf, sizeof(buf));
}

/* The error text of upserting JSON text (after edit, if given). */
static int check_marker(const void *obj, void *ctx)
{
	const struct np_meta *mm = obj;

	(void)ctx;
	return !mm->invalid || !mm->invalid_why || strcmp(mm->invalid_why, err);
}

static const char *bad(enum np_kind kind, const char *text)
{
	cJSON *j = cJSON_ParseWithOpts(text, NULL, true);
	int ret;

	fresh();
	if (!j)
		return "(test JSON does not parse)";
	ret = np_model_upsert(m, kind, j, err, sizeof(err));
	cJSON_Delete(j);
	if (ret != -EINVAL)
		return "(not -EINVAL)";
	/* Stored only as the invalid marker, with the error (or not at all
	 * when it has no valid name). */
	if (np_model_count(m, kind) > 1)
		return "(stored twice)";
	if (np_model_count(m, kind) == 1 &&
	    np_model_foreach(m, kind, NULL, check_marker, NULL))
		return "(stored as something else than an invalid marker)";
	return err;
}

/* ------------------------------------------------------------- Nodes */

TEST(node_k3s_vxlan)
{
	const struct np_node *n;

	fresh();
	n = load(NP_KIND_NODE, fixture("node_k3s_vxlan.json"), "", "node-b");
	CHECK_STR(err, "");
	CHECK(n);
	CHECK_STR(n->meta.name, "node-b");
	CHECK_STR(n->meta.ns, "");
	CHECK_STR(n->meta.uid, "0b8a7e0c-2c3f-4b8e-9a51-6f2d5d9c1e77");
	CHECK_STR(n->meta.resource_version, "48213");
	CHECK_INT(n->meta.n_labels, 7);
	CHECK_STR(n->meta.labels[0].key, "beta.kubernetes.io/arch");
	CHECK_STR(n->meta.labels[6].key, "node.kubernetes.io/instance-type");
	CHECK_STR(np_meta_label(&n->meta, "kubernetes.io/hostname"), "node-b");
	CHECK(!np_meta_label(&n->meta, "kubernetes.io/role"));
	CHECK_INT(n->n_pod_cidrs, 1);
	CHECK_STR(cstr(&n->pod_cidrs[0]), "10.42.1.0/24");
	CHECK_INT(n->n_internal_ips, 1);
	CHECK_STR(astr(&n->internal_ips[0]), "192.168.50.2");
	CHECK_INT(n->n_external_ips, 0);
	CHECK_STR(n->flannel.kube_subnet_manager, "true");
	CHECK_STR(n->flannel.backend_type, "vxlan");
	CHECK_STR(n->flannel.backend_data,
		  "{\"VNI\":1,\"VtepMAC\":\"6a:1f:0e:2b:5c:d4\"}");
	CHECK_STR(n->flannel.public_ip, "192.168.50.2");
	CHECK(!n->flannel.backend_v6_data);
	CHECK(!n->flannel.public_ipv6);
	CHECK(!n->flannel.public_ip_overwrite);
	CHECK(!n->flannel.public_ipv6_overwrite);
	CHECK(!n->unschedulable);
}

TEST(node_dualstack)
{
	const struct np_node *n;

	fresh();
	n = load(NP_KIND_NODE, fixture("node_dualstack.json"), NULL, "node-ds");
	CHECK_STR(err, "");
	CHECK(n);
	CHECK_INT(n->n_pod_cidrs, 2);
	CHECK_INT(n->pod_cidrs[0].addr.family, AF_INET);
	CHECK_STR(cstr(&n->pod_cidrs[0]), "10.42.2.0/24");
	CHECK_INT(n->pod_cidrs[1].addr.family, AF_INET6);
	CHECK_STR(cstr(&n->pod_cidrs[1]), "2001:cafe:42:2::/64");
	CHECK_INT(n->n_internal_ips, 2);
	CHECK_STR(astr(&n->internal_ips[0]), "192.168.50.2");
	CHECK_STR(astr(&n->internal_ips[1]), "2001:db8:50::2");
	CHECK_INT(n->n_external_ips, 1);
	CHECK_STR(astr(&n->external_ips[0]), "203.0.113.7");
	CHECK_STR(n->flannel.backend_v6_data,
		  "{\"VNI\":1,\"VtepMAC\":\"02:bb:00:00:00:06\"}");
	CHECK_STR(n->flannel.public_ipv6, "2001:db8:50::2");
	CHECK_STR(n->flannel.public_ip_overwrite, "203.0.113.7");
	CHECK(!n->flannel.public_ipv6_overwrite);
	CHECK(n->unschedulable);
	CHECK_STR(np_meta_label(&n->meta, "svccontroller.k3s.cattle.io/lbpool"),
		  "pool1");
}

TEST(node_podcidr_only)
{
	const struct np_node *n;

	fresh();
	n = load(NP_KIND_NODE, fixture("node_podcidr_only.json"), "",
		 "old-node");
	CHECK_STR(err, "");
	CHECK(n);
	CHECK_INT(n->n_pod_cidrs, 1);
	CHECK_STR(cstr(&n->pod_cidrs[0]), "10.42.7.0/24");
	CHECK_STR(astr(&n->internal_ips[0]), "10.0.0.17");
	CHECK(!n->flannel.kube_subnet_manager);
	CHECK(!n->flannel.backend_type);
	/* Empty podCIDRs falls back to podCIDR as well. */
	n = load(NP_KIND_NODE, parse(
		"{\"apiVersion\":\"v1\",\"kind\":\"Node\","
		"\"metadata\":{\"name\":\"x\"},"
		"\"spec\":{\"podCIDRs\":[],\"podCIDR\":\"10.42.9.0/24\"}}"),
		 "", "x");
	CHECK(n);
	CHECK_INT(n->n_pod_cidrs, 1);
	CHECK_STR(cstr(&n->pod_cidrs[0]), "10.42.9.0/24");
}

/* Items of a List come without apiVersion and kind. */
TEST(list_item_without_type)
{
	const struct np_node *n;

	fresh();
	n = load(NP_KIND_NODE, parse(
		"{\"metadata\":{\"name\":\"n1\",\"resourceVersion\":\"5\"},"
		"\"spec\":{\"podCIDR\":\"10.42.3.0/24\"}}"), "", "n1");
	CHECK_STR(err, "");
	CHECK(n);
	CHECK_INT(n->n_pod_cidrs, 1);
	CHECK_INT(n->n_internal_ips, 0);
	CHECK_INT(n->meta.n_labels, 0);
}

#define NODE_B(spec_status) \
	"{\"apiVersion\":\"v1\",\"kind\":\"Node\"," \
	"\"metadata\":{\"name\":\"node-b\"}," spec_status "}"

TEST(node_malformed)
{
	CHECK_STR(bad(NP_KIND_NODE, NODE_B(
		"\"spec\":{\"podCIDRs\":[\"10.42.1.0/24\",\"10.42.x\"]}")),
		  "Node node-b: spec.podCIDRs[1]: \"10.42.x\" is not a CIDR");
	CHECK_STR(bad(NP_KIND_NODE, NODE_B(
		"\"spec\":{\"podCIDRs\":[\"10.42.1.0/24\",\"10.42.2.0/24\"]}")),
		  "Node node-b: spec.podCIDRs[1]: a second IPv4 CIDR");
	CHECK_STR(bad(NP_KIND_NODE, NODE_B(
		"\"spec\":{\"podCIDRs\":[\"10.42.1.0/24\",\"fd00::/64\","
		"\"10.42.2.0/24\"]}")),
		  "Node node-b: spec.podCIDRs[2]: more than two CIDRs");
	CHECK_STR(bad(NP_KIND_NODE, NODE_B(
		"\"spec\":{\"podCIDR\":\"10.42.1.0/33\"}")),
		  "Node node-b: spec.podCIDR: \"10.42.1.0/33\" is not a CIDR");
	CHECK_STR(bad(NP_KIND_NODE, NODE_B(
		"\"spec\":{\"podCIDRs\":\"10.42.1.0/24\"}")),
		  "Node node-b: spec.podCIDRs: \"10.42.1.0/24\" is not a list");
	CHECK_STR(bad(NP_KIND_NODE, NODE_B(
		"\"spec\":{\"unschedulable\":\"yes\"}")),
		  "Node node-b: spec.unschedulable: \"yes\" is not a boolean");
	CHECK_STR(bad(NP_KIND_NODE, NODE_B(
		"\"status\":{\"addresses\":[{\"type\":\"Hostname\","
		"\"address\":\"node-b\"},{\"type\":\"InternalIP\","
		"\"address\":\"192.168.50\"}]}")),
		  "Node node-b: status.addresses[1].address: \"192.168.50\" "
		  "is not an IP address");
	CHECK_STR(bad(NP_KIND_NODE, NODE_B(
		"\"status\":{\"addresses\":[{\"type\":\"ExternalIP\"}]}")),
		  "Node node-b: status.addresses[0].address: missing");
	CHECK_STR(bad(NP_KIND_NODE,
		"{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{"
		"\"name\":\"node-b\",\"annotations\":{"
		"\"flannel.alpha.coreos.com/public-ip\":5}}}"),
		  "Node node-b: metadata.annotations[\"flannel.alpha.coreos.com/"
		  "public-ip\"]: 5 is not a string");
	CHECK_STR(bad(NP_KIND_NODE,
		"{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{"
		"\"name\":\"node-b\",\"labels\":{\"a\":\"b\",\"zone\":1}}}"),
		  "Node node-b: metadata.labels[\"zone\"]: 1 is not a string");
}

TEST(object_malformed)
{
	CHECK_STR(bad(NP_KIND_NODE, "[1]"), "Node: not a JSON object");
	CHECK_STR(bad(NP_KIND_NODE, "{\"apiVersion\":\"v1\",\"kind\":\"Node\","
		      "\"metadata\":{}}"),
		  "Node: metadata.name: missing");
	CHECK_STR(bad(NP_KIND_NODE, "{\"apiVersion\":\"v1\",\"kind\":\"Node\"}"),
		  "Node: metadata: missing");
	CHECK_STR(bad(NP_KIND_NODE, "{\"apiVersion\":\"v1\",\"kind\":\"Node\","
		      "\"metadata\":{\"name\":\"a/b\"}}"),
		  "Node a/b: metadata.name: \"a/b\" is not a valid name");
	CHECK_STR(bad(NP_KIND_NODE, "{\"apiVersion\":\"v1\",\"kind\":\"Service\","
		      "\"metadata\":{\"name\":\"node-b\"}}"),
		  "Node node-b: kind: \"Service\" is not Node");
	CHECK_STR(bad(NP_KIND_NODE, "{\"kind\":\"Node\","
		      "\"metadata\":{\"name\":\"node-b\"}}"),
		  "Node node-b: apiVersion: missing");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY,
		      "{\"apiVersion\":\"networking.k8s.io/v1beta1\","
		      "\"kind\":\"NetworkPolicy\",\"metadata\":{\"name\":\"p\","
		      "\"namespace\":\"shop\"},\"spec\":{}}"),
		  "NetworkPolicy shop/p: apiVersion: \"networking.k8s.io/v1beta1\""
		  " is not networking.k8s.io/v1");
	CHECK_STR(bad(NP_KIND_ENDPOINTSLICE,
		      "{\"apiVersion\":\"discovery.k8s.io/v1beta1\","
		      "\"kind\":\"EndpointSlice\",\"metadata\":{\"name\":\"s\","
		      "\"namespace\":\"a\"},\"addressType\":\"IPv4\"}"),
		  "EndpointSlice a/s: apiVersion: \"discovery.k8s.io/v1beta1\""
		  " is not discovery.k8s.io/v1");
}

/* ---------------------------------------------------------- Services */

TEST(service_traefik)
{
	const struct np_service *s;

	fresh();
	s = load(NP_KIND_SERVICE, fixture("service_traefik.json"),
		 "kube-system", "traefik");
	CHECK_STR(err, "");
	CHECK(s);
	CHECK_STR(s->meta.ns, "kube-system");
	CHECK_INT(s->type, NP_SVC_LOAD_BALANCER);
	CHECK(!s->headless);
	CHECK_INT(s->n_cluster_ips, 1);
	CHECK_STR(astr(&s->cluster_ips[0]), "10.43.187.53");
	CHECK_INT(s->n_ip_families, 1);
	CHECK_INT(s->ip_families[0], AF_INET);
	CHECK_INT(s->n_ports, 2);
	CHECK_STR(s->ports[0].name, "web");
	CHECK_INT(s->ports[0].proto, NP_PROTO_TCP);
	CHECK_INT(s->ports[0].port, 80);
	CHECK_INT(s->ports[0].target.num, 0);
	CHECK_STR(s->ports[0].target.name, "web");
	CHECK_INT(s->ports[0].node_port, 31458);
	CHECK_STR(s->ports[1].name, "websecure");
	CHECK_INT(s->ports[1].port, 443);
	CHECK_STR(s->ports[1].target.name, "websecure");
	CHECK_INT(s->ports[1].node_port, 30721);
	CHECK_INT(s->external_traffic_policy, NP_TRAFFIC_CLUSTER);
	CHECK_INT(s->internal_traffic_policy, NP_TRAFFIC_CLUSTER);
	CHECK(!s->lb_class);
	CHECK_INT(s->n_lb_source_ranges, 0);
	CHECK_INT(s->n_external_ips, 0);
	CHECK_INT(s->n_lb_ingress, 2);
	CHECK_STR(astr(&s->lb_ingress[0]), "192.168.50.1");
	CHECK_STR(astr(&s->lb_ingress[1]), "192.168.50.2");
	CHECK_STR(np_meta_label(&s->meta, "app.kubernetes.io/name"), "traefik");
}

/* A manifest as written by hand: the API server's defaults apply. */
TEST(service_defaults)
{
	const struct np_service *s;

	fresh();
	s = load(NP_KIND_SERVICE, parse(
		"{\"apiVersion\":\"v1\",\"kind\":\"Service\","
		"\"metadata\":{\"name\":\"dns\"},"
		"\"spec\":{\"ports\":[{\"port\":53}],"
		"\"selector\":{\"app\":\"dns\"}}}"), "default", "dns");
	CHECK_STR(err, "");
	CHECK(s);
	CHECK_STR(s->meta.ns, "default");
	CHECK_INT(s->type, NP_SVC_CLUSTER_IP);
	CHECK_INT(s->n_cluster_ips, 0);
	CHECK_INT(s->n_ip_families, 0);
	CHECK_INT(s->n_ports, 1);
	CHECK_STR(s->ports[0].name, "");
	CHECK_INT(s->ports[0].proto, NP_PROTO_TCP);
	CHECK_INT(s->ports[0].target.num, 53);
	CHECK(!s->ports[0].target.name);
	CHECK_INT(s->ports[0].node_port, 0);
	CHECK_INT(s->external_traffic_policy, NP_TRAFFIC_CLUSTER);
	/* An empty namespace is "default" too. */
	s = load(NP_KIND_SERVICE, parse(
		"{\"apiVersion\":\"v1\",\"kind\":\"Service\","
		"\"metadata\":{\"name\":\"e\",\"namespace\":\"\"}}"),
		 "default", "e");
	CHECK_STR(err, "");
	CHECK(s);
	CHECK_STR(s->meta.ns, "default");
}

TEST(service_lb_fields)
{
	const struct np_service *s;

	fresh();
	s = load(NP_KIND_SERVICE, parse(
		"{\"apiVersion\":\"v1\",\"kind\":\"Service\","
		"\"metadata\":{\"name\":\"lb\",\"namespace\":\"web\","
		"\"labels\":{\"svccontroller.k3s.cattle.io/lbpool\":\"pool1\"}},"
		"\"spec\":{\"type\":\"LoadBalancer\","
		"\"clusterIPs\":[\"fd00:43::10\",\"10.43.0.10\"],"
		"\"ipFamilies\":[\"IPv6\",\"IPv4\"],"
		"\"externalTrafficPolicy\":\"Local\","
		"\"internalTrafficPolicy\":\"Local\","
		"\"healthCheckNodePort\":32100,"
		"\"loadBalancerClass\":\"example.com/lb\","
		"\"loadBalancerSourceRanges\":[\" 192.0.2.0/24\",\"2001:db8::/32\"],"
		"\"externalIPs\":[\"198.51.100.9\"],"
		"\"ports\":[{\"name\":\"dns\",\"protocol\":\"UDP\",\"port\":53,"
		"\"targetPort\":5353,\"nodePort\":30053},"
		"{\"name\":\"diameter\",\"protocol\":\"SCTP\",\"port\":3868}]},"
		"\"status\":{\"loadBalancer\":{\"ingress\":[{\"hostname\":"
		"\"lb.example.com\"},{\"ip\":\"2001:db8::7\"}]}}}"),
		 "web", "lb");
	CHECK_STR(err, "");
	CHECK(s);
	CHECK_INT(s->n_cluster_ips, 2);
	CHECK_STR(astr(&s->cluster_ips[0]), "fd00:43::10");
	CHECK_INT(s->ip_families[0], AF_INET6);
	CHECK_INT(s->ip_families[1], AF_INET);
	CHECK_INT(s->external_traffic_policy, NP_TRAFFIC_LOCAL);
	CHECK_INT(s->internal_traffic_policy, NP_TRAFFIC_LOCAL);
	CHECK_INT(s->health_check_node_port, 32100);
	CHECK_STR(s->lb_class, "example.com/lb");
	CHECK_INT(s->n_lb_source_ranges, 2);
	CHECK_STR(cstr(&s->lb_source_ranges[0]), "192.0.2.0/24");
	CHECK_STR(cstr(&s->lb_source_ranges[1]), "2001:db8::/32");
	CHECK_INT(s->n_external_ips, 1);
	CHECK_STR(astr(&s->external_ips[0]), "198.51.100.9");
	CHECK_INT(s->ports[0].proto, NP_PROTO_UDP);
	CHECK_INT(s->ports[0].target.num, 5353);
	CHECK_INT(s->ports[1].proto, NP_PROTO_SCTP);
	CHECK_INT(s->ports[1].target.num, 3868);
	CHECK_INT(s->n_lb_ingress, 1);
	CHECK_STR(astr(&s->lb_ingress[0]), "2001:db8::7");
	CHECK_STR(np_meta_label(&s->meta, "svccontroller.k3s.cattle.io/lbpool"),
		  "pool1");
	CHECK_STR(np_proto_name(s->ports[1].proto), "SCTP");

	/* Headless; source ranges from the annotation. */
	s = load(NP_KIND_SERVICE, parse(
		"{\"apiVersion\":\"v1\",\"kind\":\"Service\","
		"\"metadata\":{\"name\":\"h\",\"namespace\":\"web\","
		"\"annotations\":{\"" NP_LB_SOURCE_RANGES_ANN "\":"
		"\"10.0.0.0/8, 172.16.0.0/12\"}},"
		"\"spec\":{\"clusterIP\":\"None\",\"clusterIPs\":[\"None\"]}}"),
		 "web", "h");
	CHECK_STR(err, "");
	CHECK(s);
	CHECK(s->headless);
	CHECK_INT(s->n_cluster_ips, 0);
	CHECK_INT(s->n_lb_source_ranges, 2);
	CHECK_STR(cstr(&s->lb_source_ranges[0]), "10.0.0.0/8");
	CHECK_STR(cstr(&s->lb_source_ranges[1]), "172.16.0.0/12");
}

#define SVC(spec) \
	"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{" \
	"\"name\":\"traefik\",\"namespace\":\"kube-system\"},\"spec\":" \
	spec "}"

TEST(service_malformed)
{
	CHECK_STR(bad(NP_KIND_SERVICE, SVC(
		"{\"ports\":[{\"port\":80},{\"port\":70000}]}")),
		  "Service kube-system/traefik: spec.ports[1].port: 70000 "
		  "is not a port number");
	CHECK_STR(bad(NP_KIND_SERVICE, SVC("{\"ports\":[{\"name\":\"x\"}]}")),
		  "Service kube-system/traefik: spec.ports[0].port: missing");
	CHECK_STR(bad(NP_KIND_SERVICE, SVC(
		"{\"ports\":[{\"port\":80,\"protocol\":6}]}")),
		  "Service kube-system/traefik: spec.ports[0].protocol: 6 "
		  "is not a string");
	CHECK_STR(bad(NP_KIND_SERVICE, SVC(
		"{\"ports\":[{\"port\":80,\"targetPort\":\"80\"}]}")),
		  "Service kube-system/traefik: spec.ports[0].targetPort: \"80\" "
		  "is not a port number or name");
	CHECK_STR(bad(NP_KIND_SERVICE, SVC(
		"{\"ports\":[{\"port\":80.5}]}")),
		  "Service kube-system/traefik: spec.ports[0].port: 80.5 "
		  "is not a port number");
	CHECK_STR(bad(NP_KIND_SERVICE, SVC("{\"type\":5}")),
		  "Service kube-system/traefik: spec.type: 5 is not a string");
	CHECK_STR(bad(NP_KIND_SERVICE, SVC(
		"{\"clusterIPs\":[\"10.43.0.1\",\"10.43.0.2\"]}")),
		  "Service kube-system/traefik: spec.clusterIPs[1]: a second "
		  "IPv4 address");
	CHECK_STR(bad(NP_KIND_SERVICE, SVC("{\"clusterIP\":\"10.43.0\"}")),
		  "Service kube-system/traefik: spec.clusterIP: \"10.43.0\" "
		  "is not an IP address");
	CHECK_STR(bad(NP_KIND_SERVICE, SVC("{\"ipFamilies\":[\"IPv5\"]}")),
		  "Service kube-system/traefik: spec.ipFamilies[0]: \"IPv5\" "
		  "is not one of IPv4, IPv6");
	CHECK_STR(bad(NP_KIND_SERVICE, SVC(
		"{\"externalTrafficPolicy\":{}}")),
		  "Service kube-system/traefik: spec.externalTrafficPolicy: "
		  "{} is not a string");
	CHECK_STR(bad(NP_KIND_SERVICE, SVC(
		"{\"loadBalancerSourceRanges\":[\"10.0.0.0/8\",\"10.1/16\"]}")),
		  "Service kube-system/traefik: spec.loadBalancerSourceRanges[1]: "
		  "\"10.1/16\" is not a CIDR");
	CHECK_STR(bad(NP_KIND_SERVICE,
		"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{"
		"\"name\":\"s\",\"namespace\":\"a\",\"annotations\":{"
		"\"" NP_LB_SOURCE_RANGES_ANN "\":\"10.0.0.0/8,,\"}},"
		"\"spec\":{}}"),
		  "Service a/s: metadata.annotations[\"" NP_LB_SOURCE_RANGES_ANN
		  "\"]: \"\" is not a CIDR");
	CHECK_STR(bad(NP_KIND_SERVICE, SVC(
		"{},\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":"
		"\"x\"}]}}")),
		  "Service kube-system/traefik: status.loadBalancer.ingress[0].ip:"
		  " \"x\" is not an IP address");
}

/* ---------------------------------------------------- EndpointSlices */

TEST(endpointslice_traefik)
{
	const struct np_endpointslice *s;
	const struct np_endpoint *e;

	fresh();
	s = load(NP_KIND_ENDPOINTSLICE, fixture("endpointslice_traefik.json"),
		 "kube-system", "traefik-8hx2r");
	CHECK_STR(err, "");
	CHECK(s);
	CHECK_STR(s->service_name, "traefik");
	CHECK_INT(s->addr_type, NP_SLICE_IPV4);
	CHECK_INT(s->n_endpoints, 2);
	e = &s->endpoints[0];
	CHECK_INT(e->n_addrs, 1);
	CHECK_STR(astr(&e->addrs[0]), "10.42.0.8");
	CHECK(e->ready && e->serving && !e->terminating);
	CHECK_STR(e->node_name, "node-a");
	CHECK_STR(e->zone, "zone-a");
	CHECK(e->target_pod);
	CHECK_STR(e->target_name, "traefik-d7c9c5778-kx4tq");
	e = &s->endpoints[1];
	CHECK_STR(astr(&e->addrs[0]), "10.42.1.12");
	CHECK(!e->ready && e->serving && e->terminating);
	CHECK_STR(e->node_name, "node-b");
	CHECK(!e->zone);
	CHECK_INT(s->n_ports, 2);
	CHECK_STR(s->ports[0].name, "websecure");
	CHECK_INT(s->ports[0].port, 8443);
	CHECK_INT(s->ports[0].proto, NP_PROTO_TCP);
	CHECK_STR(s->ports[1].name, "web");
	CHECK_INT(s->ports[1].port, 8000);

	/* Conditions absent: ready and serving, not terminating. */
	s = load(NP_KIND_ENDPOINTSLICE, parse(
		"{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":\"EndpointSlice\","
		"\"metadata\":{\"name\":\"v6\",\"namespace\":\"a\"},"
		"\"addressType\":\"IPv6\",\"endpoints\":[{\"addresses\":"
		"[\"fd00:42::5\"]}],\"ports\":[{\"protocol\":\"UDP\"}]}"),
		 "a", "v6");
	CHECK_STR(err, "");
	CHECK(s);
	CHECK(!s->service_name);
	CHECK_INT(s->addr_type, NP_SLICE_IPV6);
	CHECK(s->endpoints[0].ready && s->endpoints[0].serving);
	CHECK(!s->endpoints[0].terminating);
	CHECK(!s->endpoints[0].target_pod);
	CHECK_STR(s->ports[0].name, "");
	CHECK_INT(s->ports[0].port, 0);
	CHECK_INT(s->ports[0].proto, NP_PROTO_UDP);
}

#define SLICE(rest) \
	"{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":\"EndpointSlice\"," \
	"\"metadata\":{\"name\":\"web-x1\",\"namespace\":\"shop\"}," rest "}"

TEST(endpointslice_malformed)
{
	CHECK_STR(bad(NP_KIND_ENDPOINTSLICE, SLICE(
		"\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":"
		"[\"10.42.0.1\"]},{\"addresses\":[\"fd00::1\"]}]")),
		  "EndpointSlice shop/web-x1: endpoints[1].addresses[0]: "
		  "\"fd00::1\" is not an IPv4 address");
	CHECK_STR(bad(NP_KIND_ENDPOINTSLICE, SLICE(
		"\"endpoints\":[]")),
		  "EndpointSlice shop/web-x1: addressType: missing");
	CHECK_STR(bad(NP_KIND_ENDPOINTSLICE, SLICE(
		"\"addressType\":\"IPv4\",\"endpoints\":[{}]")),
		  "EndpointSlice shop/web-x1: endpoints[0].addresses: missing");
	CHECK_STR(bad(NP_KIND_ENDPOINTSLICE, SLICE(
		"\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":"
		"[\"10.42.0.1\"],\"conditions\":{\"ready\":\"true\"}}]")),
		  "EndpointSlice shop/web-x1: endpoints[0].conditions.ready: "
		  "\"true\" is not a boolean");
	CHECK_STR(bad(NP_KIND_ENDPOINTSLICE, SLICE(
		"\"addressType\":\"IPv4\",\"ports\":[{\"port\":0}]")),
		  "EndpointSlice shop/web-x1: ports[0].port: 0 is not a port "
		  "number");
}

/* -------------------------------------------------------------- Pods */

TEST(pod_hostport)
{
	const struct np_pod *p;

	fresh();
	p = load(NP_KIND_POD, fixture("pod_svclb_hostport.json"), "kube-system",
		 "svclb-traefik-7c0f6a2e-q8m4z");
	CHECK_STR(err, "");
	CHECK(p);
	CHECK_STR(p->node_name, "node-b");
	CHECK(!p->host_network);
	CHECK(!p->terminating);
	CHECK_INT(p->phase, NP_POD_RUNNING);
	CHECK(p->ready);
	CHECK_INT(p->n_pod_ips, 1);
	CHECK_STR(astr(&p->pod_ips[0]), "10.42.1.5");
	CHECK_INT(p->n_host_ips, 1);
	CHECK_STR(astr(&p->host_ips[0]), "192.168.50.2");
	CHECK_INT(p->n_ports, 3);
	CHECK_STR(p->ports[0].name, "lb-tcp-80");
	CHECK_INT(p->ports[0].proto, NP_PROTO_TCP);
	CHECK_INT(p->ports[0].container_port, 80);
	CHECK_INT(p->ports[0].host_port, 80);
	CHECK_INT(p->ports[0].host_ip.family, 0);
	CHECK_INT(p->ports[1].host_port, 443);
	CHECK_STR(astr(&p->ports[1].host_ip), "192.168.50.2");
	CHECK_STR(p->ports[2].name, "lb-udp-443");
	CHECK_INT(p->ports[2].proto, NP_PROTO_UDP);
	CHECK_INT(p->ports[2].host_ip.family, 0);
	CHECK_STR(np_meta_label(&p->meta, "svccontroller.k3s.cattle.io/svcname"),
		  "traefik");
}

TEST(pod_states)
{
	const struct np_pod *p;

	fresh();
	/* Manifest-style: no status, no nodeName. */
	p = load(NP_KIND_POD, parse(
		"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{"
		"\"name\":\"web\",\"labels\":{\"app\":\"web\"}},\"spec\":{"
		"\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":8080,"
		"\"name\":\"http\"}]},{\"name\":\"sidecar\"}]}}"),
		 "default", "web");
	CHECK_STR(err, "");
	CHECK(p);
	CHECK(!p->node_name);
	CHECK_INT(p->phase, NP_POD_PENDING);
	CHECK(!p->ready);
	CHECK_INT(p->n_pod_ips, 0);
	CHECK_INT(p->n_ports, 1);
	CHECK_STR(p->ports[0].name, "http");
	CHECK_INT(p->ports[0].proto, NP_PROTO_TCP);
	CHECK_INT(p->ports[0].host_port, 0);

	/* Dual-stack, hostNetwork, being deleted, podIPs over podIP. */
	p = load(NP_KIND_POD, parse(
		"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{"
		"\"name\":\"h\",\"namespace\":\"kube-system\","
		"\"deletionTimestamp\":\"2024-10-14T10:00:00Z\"},"
		"\"spec\":{\"nodeName\":\"node-a\",\"hostNetwork\":true},"
		"\"status\":{\"phase\":\"Succeeded\",\"podIP\":\"192.168.50.1\","
		"\"podIPs\":[{\"ip\":\"192.168.50.1\"},{\"ip\":\"2001:db8::1\"}],"
		"\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}]}}"),
		 "kube-system", "h");
	CHECK_STR(err, "");
	CHECK(p);
	CHECK(p->host_network);
	CHECK(p->terminating);
	CHECK_INT(p->phase, NP_POD_SUCCEEDED);
	CHECK(!p->ready);
	CHECK_INT(p->n_pod_ips, 2);
	CHECK_STR(astr(&p->pod_ips[1]), "2001:db8::1");
	CHECK_INT(p->n_host_ips, 0);
}

#define POD(rest) \
	"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{" \
	"\"name\":\"web-0\",\"namespace\":\"shop\"}," rest "}"

TEST(pod_malformed)
{
	CHECK_STR(bad(NP_KIND_POD, POD(
		"\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\","
		"\"ports\":[{\"containerPort\":80,\"hostPort\":80,"
		"\"hostIP\":\"192.168.1\"}]}]}")),
		  "Pod shop/web-0: spec.containers[1].ports[0].hostIP: "
		  "\"192.168.1\" is not an IP address");
	CHECK_STR(bad(NP_KIND_POD, POD(
		"\"spec\":{\"containers\":[{\"ports\":[{\"hostPort\":80}]}]}")),
		  "Pod shop/web-0: spec.containers[0].ports[0].containerPort: "
		  "missing");
	CHECK_STR(bad(NP_KIND_POD, POD(
		"\"spec\":{\"containers\":[{\"ports\":[{\"containerPort\":80,"
		"\"hostPort\":-1}]}]}")),
		  "Pod shop/web-0: spec.containers[0].ports[0].hostPort: -1 "
		  "is not a port number");
	CHECK_STR(bad(NP_KIND_POD, POD(
		"\"status\":{\"podIPs\":[{\"ip\":\"10.42.0.5\"},"
		"{\"ip\":\"10.42.0.6\"}]}")),
		  "Pod shop/web-0: status.podIPs[1]: a second IPv4 address");
	CHECK_STR(bad(NP_KIND_POD, POD(
		"\"status\":{\"podIPs\":[\"10.42.0.5\"]}")),
		  "Pod shop/web-0: status.podIPs[0]: \"10.42.0.5\" is not an "
		  "object");
	CHECK_STR(bad(NP_KIND_POD, POD("\"status\":{\"phase\":[]}")),
		  "Pod shop/web-0: status.phase: [] is not a string");
	CHECK_STR(bad(NP_KIND_POD, POD("\"spec\":{\"hostNetwork\":1}")),
		  "Pod shop/web-0: spec.hostNetwork: 1 is not a boolean");
}

/* -------------------------------------------------------- Namespaces */

TEST(namespace_labels)
{
	const struct np_namespace *ns;

	fresh();
	ns = load(NP_KIND_NAMESPACE, fixture("namespace_kube_system.json"), "",
		  "kube-system");
	CHECK_STR(err, "");
	CHECK(ns);
	CHECK_STR(ns->meta.ns, "");
	CHECK_INT(ns->meta.n_labels, 1);
	CHECK_STR(np_meta_label(&ns->meta, "kubernetes.io/metadata.name"),
		  "kube-system");
}

/* --------------------------------------------------- NetworkPolicies */

TEST(networkpolicy_web)
{
	const struct np_networkpolicy *np;
	const struct np_netpol_peer *pe;
	const struct np_netpol_rule *r;

	fresh();
	np = load(NP_KIND_NETWORKPOLICY, fixture("networkpolicy_web.json"),
		  "shop", "web-allow");
	CHECK_STR(err, "");
	CHECK(np);
	CHECK_INT(np->policy_types, NP_POLICY_INGRESS | NP_POLICY_EGRESS);
	CHECK_INT(np->pod_selector.n_match_labels, 2);
	CHECK_STR(np->pod_selector.match_labels[0].key, "app");
	CHECK_STR(np->pod_selector.match_labels[0].value, "web");
	CHECK_STR(np->pod_selector.match_labels[1].key, "tier");
	CHECK_INT(np->pod_selector.n_exprs, 0);

	CHECK_INT(np->n_ingress, 1);
	r = &np->ingress[0];
	CHECK_INT(r->n_peers, 2);
	pe = &r->peers[0];
	CHECK(pe->has_pod_sel && pe->has_ns_sel && !pe->has_ipblock);
	CHECK_INT(pe->ns_sel.n_match_labels, 1);
	CHECK_STR(pe->ns_sel.match_labels[0].value, "kube-system");
	CHECK_INT(pe->pod_sel.n_exprs, 2);
	CHECK_STR(pe->pod_sel.exprs[0].key, "app.kubernetes.io/name");
	CHECK_INT(pe->pod_sel.exprs[0].op, NP_SEL_IN);
	CHECK_INT(pe->pod_sel.exprs[0].n_values, 2);
	CHECK_STR(pe->pod_sel.exprs[0].values[1], "nginx");
	CHECK_INT(pe->pod_sel.exprs[1].op, NP_SEL_DOES_NOT_EXIST);
	CHECK_INT(pe->pod_sel.exprs[1].n_values, 0);
	pe = &r->peers[1];
	CHECK(pe->has_pod_sel && !pe->has_ns_sel && !pe->has_ipblock);
	CHECK_INT(pe->pod_sel.n_match_labels + pe->pod_sel.n_exprs, 0);
	CHECK_INT(r->n_ports, 2);
	CHECK_INT(r->ports[0].proto, NP_PROTO_TCP);
	CHECK_STR(r->ports[0].port.name, "http");
	CHECK_INT(r->ports[1].proto, NP_PROTO_SCTP);
	CHECK_INT(r->ports[1].port.num, 8443);
	CHECK_INT(r->ports[1].end_port, 0);

	CHECK_INT(np->n_egress, 1);
	r = &np->egress[0];
	CHECK_INT(r->n_peers, 1);
	pe = &r->peers[0];
	CHECK(pe->has_ipblock && !pe->has_pod_sel && !pe->has_ns_sel);
	CHECK_STR(cstr(&pe->ipblock.cidr), "10.0.0.0/8");
	CHECK_INT(pe->ipblock.n_except, 2);
	CHECK_STR(cstr(&pe->ipblock.except[0]), "10.42.0.0/16");
	CHECK_STR(cstr(&pe->ipblock.except[1]), "10.43.0.0/16");
	CHECK_INT(r->ports[0].port.num, 32000);
	CHECK_INT(r->ports[0].end_port, 32768);
	CHECK_INT(r->ports[1].proto, NP_PROTO_UDP);
	CHECK_INT(r->ports[1].port.num, 53);
}

TEST(networkpolicy_defaults)
{
	const struct np_networkpolicy *np;

	fresh();
	/* podSelector only: ingress deny-all. */
	np = load(NP_KIND_NETWORKPOLICY, parse(
		"{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\","
		"\"metadata\":{\"name\":\"deny\",\"namespace\":\"x\"},"
		"\"spec\":{\"podSelector\":{}}}"), "x", "deny");
	CHECK_STR(err, "");
	CHECK(np);
	CHECK_INT(np->policy_types, NP_POLICY_INGRESS);
	CHECK_INT(np->n_ingress, 0);
	/* Egress rules only, no policyTypes: Ingress and Egress. */
	np = load(NP_KIND_NETWORKPOLICY, parse(
		"{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\","
		"\"metadata\":{\"name\":\"eg\",\"namespace\":\"x\"},"
		"\"spec\":{\"podSelector\":{},\"egress\":[{\"ports\":[{}]},{}]}}"),
		  "x", "eg");
	CHECK_STR(err, "");
	CHECK(np);
	CHECK_INT(np->policy_types, NP_POLICY_INGRESS | NP_POLICY_EGRESS);
	CHECK_INT(np->n_egress, 2);
	CHECK_INT(np->egress[0].n_peers, 0);
	CHECK_INT(np->egress[0].n_ports, 1);
	CHECK_INT(np->egress[0].ports[0].proto, NP_PROTO_TCP);
	CHECK_INT(np->egress[0].ports[0].port.num, 0);
	CHECK(!np->egress[0].ports[0].port.name);
	CHECK_INT(np->egress[1].n_ports, 0);
	/* Explicit Egress only. */
	np = load(NP_KIND_NETWORKPOLICY, parse(
		"{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\","
		"\"metadata\":{\"name\":\"e\",\"namespace\":\"x\"},"
		"\"spec\":{\"podSelector\":{},\"policyTypes\":[\"Egress\"]}}"),
		  "x", "e");
	CHECK(np);
	CHECK_INT(np->policy_types, NP_POLICY_EGRESS);
}

#define NETPOL(spec) \
	"{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\"," \
	"\"metadata\":{\"name\":\"web-allow\",\"namespace\":\"shop\"}," \
	"\"spec\":" spec "}"

TEST(networkpolicy_malformed)
{
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY, NETPOL(
		"{\"egress\":[{\"to\":[{\"ipBlock\":{\"cidr\":\"10.42.0.0/16\","
		"\"except\":[\"10.42.1.0/24\",\"10.43.0.0/24\"]}}]}]}")),
		  "NetworkPolicy shop/web-allow: spec.egress[0].to[0].ipBlock."
		  "except[1]: 10.43.0.0/24 is not a strict subset of 10.42.0.0/16");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY, NETPOL(
		"{\"egress\":[{\"to\":[{\"ipBlock\":{\"cidr\":\"10.42.0.0/16\","
		"\"except\":[\"10.42.0.0/16\"]}}]}]}")),
		  "NetworkPolicy shop/web-allow: spec.egress[0].to[0].ipBlock."
		  "except[0]: 10.42.0.0/16 is not a strict subset of 10.42.0.0/16");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY, NETPOL(
		"{\"egress\":[{\"to\":[{\"ipBlock\":{\"cidr\":\"10.42.0.0/16\","
		"\"except\":[\"fd00::/64\"]}}]}]}")),
		  "NetworkPolicy shop/web-allow: spec.egress[0].to[0].ipBlock."
		  "except[0]: fd00::/64 is not a strict subset of 10.42.0.0/16");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY, NETPOL(
		"{\"ingress\":[{\"from\":[{\"ipBlock\":{}}]}]}")),
		  "NetworkPolicy shop/web-allow: spec.ingress[0].from[0].ipBlock."
		  "cidr: missing");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY, NETPOL(
		"{\"ingress\":[{\"from\":[{\"ipBlock\":{\"cidr\":\"10.0.0.0/8\"},"
		"\"podSelector\":{}}]}]}")),
		  "NetworkPolicy shop/web-allow: spec.ingress[0].from[0]: "
		  "ipBlock together with a selector");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY, NETPOL(
		"{\"ingress\":[{},{\"from\":[{}]}]}")),
		  "NetworkPolicy shop/web-allow: spec.ingress[1].from[0]: "
		  "no podSelector, namespaceSelector or ipBlock");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY, NETPOL(
		"{\"ingress\":[{\"ports\":[{\"port\":90,\"endPort\":80}]}]}")),
		  "NetworkPolicy shop/web-allow: spec.ingress[0].ports[0].endPort: "
		  "80 is less than port 90");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY, NETPOL(
		"{\"ingress\":[{\"ports\":[{\"port\":\"http\",\"endPort\":80}]}]}")),
		  "NetworkPolicy shop/web-allow: spec.ingress[0].ports[0].endPort: "
		  "needs a numeric port");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY, NETPOL(
		"{\"ingress\":[{\"ports\":[{\"port\":\"-http\"}]}]}")),
		  "NetworkPolicy shop/web-allow: spec.ingress[0].ports[0].port: "
		  "\"-http\" is not a port number or name");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY, NETPOL(
		"{\"ingress\":[{\"from\":[{\"podSelector\":{\"matchExpressions\":"
		"[{\"key\":\"app\",\"operator\":\"In\",\"values\":[]}]}}]}]}")),
		  "NetworkPolicy shop/web-allow: spec.ingress[0].from[0]."
		  "podSelector.matchExpressions[0].values: must be non-empty for In");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY, NETPOL(
		"{\"podSelector\":{\"matchExpressions\":[{\"key\":\"app\","
		"\"operator\":\"Exists\",\"values\":[\"a\"]}]}}")),
		  "NetworkPolicy shop/web-allow: spec.podSelector."
		  "matchExpressions[0].values: must be empty for Exists");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY, NETPOL(
		"{\"podSelector\":{\"matchExpressions\":[{\"key\":\"app\","
		"\"operator\":\"Equals\"}]}}")),
		  "NetworkPolicy shop/web-allow: spec.podSelector."
		  "matchExpressions[0].operator: \"Equals\" is not one of In, "
		  "NotIn, Exists, DoesNotExist");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY, NETPOL(
		"{\"podSelector\":{\"matchLabels\":{\"app\":true}}}")),
		  "NetworkPolicy shop/web-allow: spec.podSelector.matchLabels"
		  "[\"app\"]: true is not a string");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY, NETPOL(
		"{\"policyTypes\":[\"Ingress\",1]}")),
		  "NetworkPolicy shop/web-allow: spec.policyTypes[1]: 1 "
		  "is not a string");
	CHECK_STR(bad(NP_KIND_NETWORKPOLICY,
		"{\"apiVersion\":\"networking.k8s.io/v1\","
		"\"kind\":\"NetworkPolicy\",\"metadata\":{\"name\":\"p\","
		"\"namespace\":\"shop\"}}"),
		  "NetworkPolicy shop/p: spec: missing");
}

/* --------------------------------------------------------- Selectors */

static int sel_match(const char *sel_json, const char *labels_json)
{
	char text[1024];
	const struct np_networkpolicy *np;
	cJSON *l = parse(labels_json), *item;
	struct np_kv kv[8];
	size_t n = 0;

	fresh();
	snprintf(text, sizeof(text), NETPOL("{\"podSelector\":%s}"), sel_json);
	np = load(NP_KIND_NETWORKPOLICY, parse(text), "shop",
		  "web-allow");
	if (!np || !l)
		return -1;
	cJSON_ArrayForEach(item, l) {
		kv[n].key = item->string;
		kv[n++].value = item->valuestring;
	}
	n = np_selector_match(&np->pod_selector, kv, n);
	cJSON_Delete(l);
	return (int)n;
}

TEST(selector_match)
{
	CHECK_INT(sel_match("{}", "{}"), 1);
	CHECK_INT(sel_match("{}", "{\"a\":\"b\"}"), 1);
	CHECK_INT(sel_match("{\"matchLabels\":{\"app\":\"web\"}}",
			    "{\"tier\":\"x\",\"app\":\"web\"}"), 1);
	CHECK_INT(sel_match("{\"matchLabels\":{\"app\":\"web\"}}",
			    "{\"app\":\"db\"}"), 0);
	CHECK_INT(sel_match("{\"matchLabels\":{\"app\":\"web\"}}", "{}"), 0);
#define EXPR(op, vals) \
	"{\"matchExpressions\":[{\"key\":\"env\",\"operator\":\"" op "\"" \
	vals "}]}"
	CHECK_INT(sel_match(EXPR("In", ",\"values\":[\"prod\",\"stage\"]"),
			    "{\"env\":\"stage\"}"), 1);
	CHECK_INT(sel_match(EXPR("In", ",\"values\":[\"prod\"]"),
			    "{\"env\":\"dev\"}"), 0);
	CHECK_INT(sel_match(EXPR("In", ",\"values\":[\"prod\"]"), "{}"), 0);
	/* NotIn also matches objects without the key. */
	CHECK_INT(sel_match(EXPR("NotIn", ",\"values\":[\"prod\"]"), "{}"), 1);
	CHECK_INT(sel_match(EXPR("NotIn", ",\"values\":[\"prod\"]"),
			    "{\"env\":\"prod\"}"), 0);
	CHECK_INT(sel_match(EXPR("Exists", ""), "{\"env\":\"\"}"), 1);
	CHECK_INT(sel_match(EXPR("Exists", ""), "{}"), 0);
	CHECK_INT(sel_match(EXPR("DoesNotExist", ""), "{}"), 1);
	CHECK_INT(sel_match(EXPR("DoesNotExist", ""), "{\"env\":\"x\"}"), 0);
	/* matchLabels AND matchExpressions. */
	CHECK_INT(sel_match("{\"matchLabels\":{\"app\":\"web\"},"
			    "\"matchExpressions\":[{\"key\":\"env\","
			    "\"operator\":\"Exists\"}]}",
			    "{\"app\":\"web\"}"), 0);
}

TEST(kinds)
{
	CHECK_STR(np_kind_name(NP_KIND_ENDPOINTSLICE), "EndpointSlice");
	CHECK_INT(np_kind_of("discovery.k8s.io/v1", "EndpointSlice"),
		  NP_KIND_ENDPOINTSLICE);
	CHECK_INT(np_kind_of("networking.k8s.io/v1", "NetworkPolicy"),
		  NP_KIND_NETWORKPOLICY);
	CHECK_INT(np_kind_of("v1", "Namespace"), NP_KIND_NAMESPACE);
	CHECK_INT(np_kind_of("apps/v1", "Node"), -1);
	CHECK_INT(np_kind_of("v1", "ConfigMap"), -1);
	CHECK_INT(np_kind_of(NULL, "Node"), -1);
	CHECK_STR(np_kind_path(NP_KIND_NODE), "/api/v1/nodes");
	CHECK_STR(np_kind_path(NP_KIND_ENDPOINTSLICE),
		  "/apis/discovery.k8s.io/v1/endpointslices");
	CHECK_STR(np_kind_path(NP_KIND_NETWORKPOLICY),
		  "/apis/networking.k8s.io/v1/networkpolicies");
	CHECK(!np_kind_namespaced(NP_KIND_NODE));
	CHECK(!np_kind_namespaced(NP_KIND_NAMESPACE));
	CHECK(np_kind_namespaced(NP_KIND_POD));
	CHECK(np_kind_namespaced(NP_KIND_SERVICE));
}

/*
 * Values a newer API may add read as UNKNOWN: the object stays in the
 * model (valid), and reconcilers can refuse to act on the unknown value.
 */
static const void *good(enum np_kind kind, const char *text, const char *ns,
			const char *name)
{
	fresh();
	return load(kind, cJSON_Parse(text), ns, name);
}

TEST(unknown_enum_values_read_as_unknown)
{
	const struct np_service *s;
	const struct np_endpointslice *es;
	const struct np_pod *p;
	const struct np_networkpolicy *np;

	s = good(NP_KIND_SERVICE, SVC("{\"type\":\"Gateway\","
		 "\"externalTrafficPolicy\":\"Nearest\","
		 "\"internalTrafficPolicy\":\"Zone\","
		 "\"ports\":[{\"port\":80,\"protocol\":\"QUIC\"},"
		 "{\"port\":81,\"protocol\":\"tcp\"},{\"port\":82}]}"),
		 "kube-system", "traefik");
	CHECK(s);
	CHECK(!s->meta.invalid);
	CHECK_INT(s->type, NP_SVC_UNKNOWN);
	CHECK_INT(s->external_traffic_policy, NP_TRAFFIC_UNKNOWN);
	CHECK_INT(s->internal_traffic_policy, NP_TRAFFIC_UNKNOWN);
	CHECK_INT(s->n_ports, 3);
	CHECK_INT(s->ports[0].proto, NP_PROTO_UNKNOWN);
	CHECK_INT(s->ports[1].proto, NP_PROTO_UNKNOWN);	/* case matters */
	CHECK_INT(s->ports[2].proto, NP_PROTO_TCP);
	CHECK_STR(np_proto_name(NP_PROTO_UNKNOWN), "?");

	es = good(NP_KIND_ENDPOINTSLICE, SLICE("\"addressType\":\"IPv8\","
		  "\"ports\":[{\"port\":53,\"protocol\":\"DCCP\"}]"),
		  "shop", "web-x1");
	CHECK(es);
	CHECK_INT(es->addr_type, NP_SLICE_UNKNOWN);
	CHECK_INT(es->ports[0].proto, NP_PROTO_UNKNOWN);

	p = good(NP_KIND_POD, POD("\"status\":{\"phase\":\"Hibernating\"}"),
		 "shop", "web-0");
	CHECK(p);
	CHECK_INT(p->phase, NP_POD_UNKNOWN);
	p = good(NP_KIND_POD, POD("\"spec\":{\"containers\":[{\"name\":\"a\","
		 "\"ports\":[{\"containerPort\":80,\"protocol\":\"X\"}]}]}"),
		 "shop", "web-0");
	CHECK(p);
	CHECK_INT(p->ports[0].proto, NP_PROTO_UNKNOWN);

	np = good(NP_KIND_NETWORKPOLICY, NETPOL("{\"policyTypes\":"
		  "[\"Ingress\",\"Audit\"],\"ingress\":[{\"ports\":"
		  "[{\"protocol\":\"ICMP\",\"port\":1}]}]}"),
		  "shop", "web-allow");
	CHECK(np);
	CHECK_INT(np->policy_types, NP_POLICY_INGRESS | NP_POLICY_UNKNOWN);
	CHECK_INT(np->ingress[0].ports[0].proto, NP_PROTO_UNKNOWN);
}

/* A malformed object replaces what was stored with its invalid marker,
 * under the same key, until a valid version comes back. */
TEST(malformed_object_stored_as_invalid_marker)
{
	const struct np_networkpolicy *np;
	const struct np_node *n;

	np = good(NP_KIND_NETWORKPOLICY, NETPOL("{\"policyTypes\":[\"Ingress\"]}"),
		  "shop", "web-allow");
	CHECK(np);
	CHECK_INT(np_model_upsert(m, NP_KIND_NETWORKPOLICY, cJSON_Parse(
		NETPOL("{\"podSelector\":{\"matchExpressions\":[{\"key\":\"a\","
		       "\"operator\":\"Near\"}]}}")), err, sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "NetworkPolicy shop/web-allow: spec.podSelector."
		  "matchExpressions[0].operator: \"Near\" is not one of In, "
		  "NotIn, Exists, DoesNotExist");
	CHECK_INT(np_model_count(m, NP_KIND_NETWORKPOLICY), 1);
	np = np_model_get(m, NP_KIND_NETWORKPOLICY, "shop", "web-allow");
	CHECK(np);
	CHECK(np->meta.invalid);
	CHECK_STR(np->meta.invalid_why, err);
	CHECK_STR(np->meta.ns, "shop");
	CHECK_STR(np->meta.name, "web-allow");
	CHECK_INT(np->policy_types, 0);
	CHECK_INT(np->n_ingress, 0);

	/* Nodes too; a valid version replaces the marker. */
	fresh();
	CHECK_INT(np_model_upsert(m, NP_KIND_NODE, cJSON_Parse(
		"{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":"
		"{\"name\":\"node-b\",\"resourceVersion\":\"7\"},"
		"\"spec\":{\"podCIDR\":\"10.42.x\"}}"), err, sizeof(err)),
		  -EINVAL);
	n = np_model_node(m, "node-b");
	CHECK(n);
	CHECK(n->meta.invalid);
	CHECK_STR(n->meta.resource_version, "7");
	CHECK_STR(n->meta.invalid_why,
		  "Node node-b: spec.podCIDR: \"10.42.x\" is not a CIDR");
	CHECK_INT(n->n_pod_cidrs, 0);
	n = good(NP_KIND_NODE, NODE_B("\"spec\":{\"podCIDR\":\"10.42.1.0/24\"}"),
		 "", "node-b");
	CHECK(n);
	CHECK(!n->meta.invalid);
	CHECK(!n->meta.invalid_why);
	/* No valid name, or another kind: reported, not stored. */
	fresh();
	CHECK_INT(np_model_upsert(m, NP_KIND_NODE, cJSON_Parse(
		"{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":"
		"{\"name\":\"a/b\"}}"), err, sizeof(err)), -EINVAL);
	CHECK_INT(np_model_upsert(m, NP_KIND_NODE, cJSON_Parse(
		"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":"
		"{\"name\":\"x\"}}"), err, sizeof(err)), -EINVAL);
	CHECK_INT(np_model_count(m, NP_KIND_NODE), 0);
}

int main(void)
{
	RUN(node_k3s_vxlan);
	RUN(node_dualstack);
	RUN(node_podcidr_only);
	RUN(list_item_without_type);
	RUN(node_malformed);
	RUN(object_malformed);
	RUN(service_traefik);
	RUN(service_defaults);
	RUN(service_lb_fields);
	RUN(service_malformed);
	RUN(endpointslice_traefik);
	RUN(endpointslice_malformed);
	RUN(pod_hostport);
	RUN(pod_states);
	RUN(pod_malformed);
	RUN(namespace_labels);
	RUN(networkpolicy_web);
	RUN(networkpolicy_defaults);
	RUN(networkpolicy_malformed);
	RUN(unknown_enum_values_read_as_unknown);
	RUN(malformed_object_stored_as_invalid_marker);
	RUN(selector_match);
	RUN(kinds);
	np_model_free(m);
	return check_summary();
}
