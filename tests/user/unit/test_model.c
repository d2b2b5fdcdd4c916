// SPDX-License-Identifier: GPL-2.0-only
/*
 * daemon/model store: lookups, change detection (what notifies and what
 * stays silent), list synchronisation (unseen objects deleted, malformed
 * ones kept), subscriber masks, and the indexes kept consistent through
 * updates that move objects between keys, checked against a naive
 * reference under random operations and at 5,000 Nodes + 100k Pods.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "check.h"
#include "fixture.h"
#include "model/model.h"

static struct np_model *m;
static char err[512];
static char events[8192];

static void fresh(void)
{
	np_model_free(m);
	m = np_model_new();
	err[0] = '\0';
	events[0] = '\0';
}

static cJSON *parse(const char *text)
{
	return cJSON_ParseWithOpts(text, NULL, true);
}

/* Upserts and frees j; returns upsert's result (-999: j is NULL). */
static int up(enum np_kind kind, cJSON *j)
{
	int ret;

	if (!j)
		return -999;
	ret = np_model_upsert(m, kind, j, err, sizeof(err));
	cJSON_Delete(j);
	return ret;
}

static int up_text(enum np_kind kind, const char *text)
{
	return up(kind, parse(text));
}

static void set_str(cJSON *obj, const char *a, const char *b, const char *key,
		    const char *value)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, a);

	if (b)
		o = cJSON_GetObjectItemCaseSensitive(o, b);
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddStringToObject(o, key, value);
}

/* Appends "add|upd|del Kind ns/name rv[->rv];" to events. */
static void record(void *ctx, enum np_kind kind, const void *old,
		   const void *new_obj)
{
	const struct np_meta *o = old, *n = new_obj, *any = n ? n : o;
	size_t len = strlen(events);

	(void)ctx;
	if (!o && !n) {		/* the kind's first complete list */
		snprintf(events + len, sizeof(events) - len, "synced %s;",
			 np_kind_name(kind));
		return;
	}
	snprintf(events + len, sizeof(events) - len, "%s %s %s%s%s %s%s%s;",
		 !o ? "add" : !n ? "del" : "upd", np_kind_name(kind),
		 any->ns, *any->ns ? "/" : "", any->name,
		 o ? o->resource_version : "", o && n ? "->" : "",
		 n ? n->resource_version : "");
}

static const char *pod_json(const char *ns, const char *name,
			    const char *node, const char *ip, int rv)
{
	static char buf[1024];
	char node_part[128] = "", ip_part[128] = "";

	if (node)
		snprintf(node_part, sizeof(node_part), "\"nodeName\":\"%s\"",
			 node);
	if (ip)
		snprintf(ip_part, sizeof(ip_part),
			 ",\"podIPs\":[{\"ip\":\"%s\"}]", ip);
	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{"
		 "\"name\":\"%s\",\"namespace\":\"%s\",\"resourceVersion\":"
		 "\"%d\"},\"spec\":{%s},\"status\":{\"phase\":\"Running\"%s}}",
		 name, ns, rv, node_part, ip_part);
	return buf;
}

static const char *node_json(const char *name, const char *cidr, int rv)
{
	static char buf[512];

	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{"
		 "\"name\":\"%s\",\"resourceVersion\":\"%d\"},"
		 "\"spec\":{\"podCIDR\":\"%s\"}}", name, rv, cidr);
	return buf;
}

static const char *slice_json(const char *ns, const char *name,
			      const char *svc, int rv)
{
	static char buf[1024];
	char label[128] = "";

	if (svc)
		snprintf(label, sizeof(label),
			 ",\"labels\":{\"" NP_SERVICE_NAME_LABEL "\":\"%s\"}",
			 svc);
	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":"
		 "\"EndpointSlice\",\"metadata\":{\"name\":\"%s\","
		 "\"namespace\":\"%s\",\"resourceVersion\":\"%d\"%s},"
		 "\"addressType\":\"IPv4\",\"endpoints\":[]}",
		 name, ns, rv, label);
	return buf;
}

/* Collects names of walked objects, sorted, as "a,b,c". */
static char walked[4096];

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *names[200000];
static size_t n_names;

static int collect(const void *obj, void *ctx)
{
	(void)ctx;
	names[n_names++] = ((const struct np_meta *)obj)->name;
	return 0;
}

static const char *joined(void)
{
	size_t i, o = 0;

	qsort(names, n_names, sizeof(names[0]), name_cmp);
	walked[0] = '\0';
	for (i = 0; i < n_names && o < sizeof(walked); i++)
		o += (size_t)snprintf(walked + o, sizeof(walked) - o, "%s%s",
				      i ? "," : "", names[i]);
	n_names = 0;
	return walked;
}

static const char *on_node(const char *node)
{
	n_names = 0;
	np_model_foreach_pod_on_node(m, node, collect, NULL);
	return joined();
}

static const char *in_ns(enum np_kind kind, const char *ns)
{
	n_names = 0;
	np_model_foreach(m, kind, ns, collect, NULL);
	return joined();
}

static const char *with_ip(const char *ip)
{
	struct np_addr a;

	n_names = 0;
	if (np_addr_parse(ip, &a) < 0)
		return "(bad address)";
	np_model_foreach_pod_with_ip(m, &a, collect, NULL);
	return joined();
}

static const char *of_service(const char *ns, const char *svc)
{
	n_names = 0;
	np_model_foreach_slice_of_service(m, ns, svc, collect, NULL);
	return joined();
}

/* ------------------------------------------------------------ Tests */

TEST(get_and_count)
{
	fresh();
	CHECK_INT(up(NP_KIND_NODE, fixture("node_k3s_vxlan.json")), 0);
	CHECK_INT(up(NP_KIND_SERVICE, fixture("service_traefik.json")), 0);
	CHECK_INT(np_model_count(m, NP_KIND_NODE), 1);
	CHECK_INT(np_model_count(m, NP_KIND_SERVICE), 1);
	CHECK_INT(np_model_count(m, NP_KIND_POD), 0);
	CHECK(np_model_node(m, "node-b"));
	CHECK(np_model_get(m, NP_KIND_NODE, NULL, "node-b"));
	CHECK(!np_model_node(m, "node-c"));
	CHECK(np_model_get(m, NP_KIND_SERVICE, "kube-system", "traefik"));
	CHECK(!np_model_get(m, NP_KIND_SERVICE, "default", "traefik"));
	CHECK(!np_model_get(m, NP_KIND_SERVICE, NULL, "traefik"));
	/* The wrong kind for the object: refused, nothing stored. */
	CHECK_INT(up(NP_KIND_POD, fixture("service_traefik.json")), -EINVAL);
	CHECK_STR(err, "Pod kube-system/traefik: kind: \"Service\" is not Pod");
	CHECK_INT(np_model_count(m, NP_KIND_POD), 0);
	CHECK_INT(np_model_delete(m, NP_KIND_NODE, "", "node-c"), -ENOENT);
}

TEST(change_detection)
{
	const struct np_node *n;
	cJSON *j;

	fresh();
	CHECK_INT(np_model_subscribe(m, 1U << NP_KIND_NODE, record, NULL), 0);
	CHECK_INT(up(NP_KIND_NODE, fixture("node_k3s_vxlan.json")), 0);
	CHECK_STR(events, "add Node node-b 48213;");

	/* Another resourceVersion, a heartbeat, an annotation and a status
	 * the model does not keep: silent. */
	j = fixture("node_k3s_vxlan.json");
	set_str(j, "metadata", NULL, "resourceVersion", "48250");
	set_str(j, "metadata", "annotations", "k3s.io/node-env", "{\"a\":1}");
	set_str(j, "status", NULL, "phase", "Running");
	CHECK_INT(up(NP_KIND_NODE, j), 0);
	CHECK_STR(events, "add Node node-b 48213;");
	n = np_model_node(m, "node-b");
	CHECK_STR(n->meta.resource_version, "48213");

	/* A kept field: notified, old and new. */
	j = fixture("node_k3s_vxlan.json");
	set_str(j, "metadata", NULL, "resourceVersion", "48300");
	set_str(j, "metadata", "annotations",
		NP_FLANNEL_ANN "public-ip", "192.168.50.20");
	CHECK_INT(up(NP_KIND_NODE, j), 0);
	CHECK_STR(events, "add Node node-b 48213;upd Node node-b 48213->48300;");
	n = np_model_node(m, "node-b");
	CHECK_STR(n->flannel.public_ip, "192.168.50.20");

	/* A label change is a change. */
	j = fixture("node_k3s_vxlan.json");
	set_str(j, "metadata", NULL, "resourceVersion", "48301");
	set_str(j, "metadata", "annotations",
		NP_FLANNEL_ANN "public-ip", "192.168.50.20");
	set_str(j, "metadata", "labels", "svccontroller.k3s.cattle.io/enablelb",
		"true");
	CHECK_INT(up(NP_KIND_NODE, j), 0);
	CHECK_CONTAINS(events, "upd Node node-b 48300->48301;");

	CHECK_INT(np_model_delete(m, NP_KIND_NODE, NULL, "node-b"), 0);
	CHECK_CONTAINS(events, "upd Node node-b 48300->48301;del Node node-b 48301;");
	CHECK_INT(np_model_count(m, NP_KIND_NODE), 0);
	CHECK_INT(np_model_delete(m, NP_KIND_NODE, NULL, "node-b"), -ENOENT);
}

/* In the callback the store already holds the new object; old is intact. */
static int cb_checked;

static void check_cb(void *ctx, enum np_kind kind, const void *old,
		     const void *new_obj)
{
	const struct np_node *o = old, *n = new_obj;

	(void)ctx;
	if (kind != NP_KIND_NODE)
		return;
	if (o && n && np_model_node(m, "a") == n &&
	    !strcmp(o->flannel.public_ip, "192.0.2.1") &&
	    !strcmp(n->flannel.public_ip, "192.0.2.2"))
		cb_checked++;
	if (o && !n && !np_model_node(m, "a") && !strcmp(o->meta.name, "a"))
		cb_checked += 10;
}

TEST(callback_sees_store_after_change)
{
	fresh();
	cb_checked = 0;
	CHECK_INT(np_model_subscribe(m, 1U << NP_KIND_NODE, check_cb, NULL), 0);
#define NODE_A(ip) \
	"{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"a\"," \
	"\"annotations\":{\"" NP_FLANNEL_ANN "public-ip\":\"" ip "\"}}}"
	CHECK_INT(up_text(NP_KIND_NODE, NODE_A("192.0.2.1")), 0);
	CHECK_INT(up_text(NP_KIND_NODE, NODE_A("192.0.2.2")), 0);
	CHECK_INT(np_model_delete(m, NP_KIND_NODE, "", "a"), 0);
	CHECK_INT(cb_checked, 11);
}

TEST(subscriber_mask)
{
	fresh();
	CHECK_INT(np_model_subscribe(m, 1U << NP_KIND_POD, record, NULL), 0);
	CHECK_INT(up_text(NP_KIND_NODE, node_json("n1", "10.42.0.0/24", 1)), 0);
	CHECK_INT(up_text(NP_KIND_POD, pod_json("shop", "p1", "n1", NULL, 2)),
		  0);
	CHECK_STR(events, "add Pod shop/p1 2;");
}

TEST(sync_deletes_unseen)
{
	fresh();
	CHECK_INT(np_model_subscribe(m, ~0U, record, NULL), 0);
	CHECK(!np_model_synced(m, NP_KIND_NODE));
	/* Objects stored before (say, an earlier watch). */
	CHECK_INT(up_text(NP_KIND_NODE, node_json("a", "10.42.0.0/24", 1)), 0);
	CHECK_INT(up_text(NP_KIND_NODE, node_json("b", "10.42.1.0/24", 2)), 0);
	CHECK_INT(up_text(NP_KIND_NODE, node_json("c", "10.42.2.0/24", 3)), 0);
	CHECK_INT(up_text(NP_KIND_POD, pod_json("x", "p", "a", NULL, 4)), 0);
	events[0] = '\0';

	np_model_sync_begin(m, NP_KIND_NODE);
	CHECK(!np_model_synced(m, NP_KIND_NODE));
	CHECK_INT(up_text(NP_KIND_NODE, node_json("a", "10.42.0.0/24", 5)), 0);
	CHECK_INT(up_text(NP_KIND_NODE, node_json("c", "10.42.9.0/24", 6)), 0);
	CHECK_INT(up_text(NP_KIND_NODE, node_json("d", "10.42.3.0/24", 7)), 0);
	np_model_sync_end(m, NP_KIND_NODE);
	CHECK_STR(events, "upd Node c 3->6;add Node d 7;del Node b 2;"
		  "synced Node;");
	CHECK(np_model_synced(m, NP_KIND_NODE));
	CHECK(!np_model_synced(m, NP_KIND_POD));
	CHECK_INT(np_model_count(m, NP_KIND_NODE), 3);
	CHECK(!np_model_node(m, "b"));
	/* Pods were not part of that sync. */
	CHECK_INT(np_model_count(m, NP_KIND_POD), 1);

	/* An empty list empties the kind, and it stays synced. */
	events[0] = '\0';
	np_model_sync_begin(m, NP_KIND_POD);
	np_model_sync_end(m, NP_KIND_POD);
	CHECK_STR(events, "del Pod x/p 4;synced Pod;");
	CHECK(np_model_synced(m, NP_KIND_POD));
	np_model_sync_begin(m, NP_KIND_POD);
	CHECK(np_model_synced(m, NP_KIND_POD));
	np_model_sync_end(m, NP_KIND_POD);
	/* _end without _begin does nothing. */
	np_model_sync_end(m, NP_KIND_NODE);
	CHECK_INT(np_model_count(m, NP_KIND_NODE), 3);
}

/*
 * A malformed object in a list replaces the stored version with its
 * invalid marker (notified as a change, kept by the sync); a malformed
 * new object is added as a marker. Neither keeps acting on old fields.
 */
TEST(sync_marks_malformed_invalid)
{
	const struct np_node *n;

	fresh();
	CHECK_INT(up_text(NP_KIND_NODE, node_json("a", "10.42.0.0/24", 1)), 0);
	CHECK_INT(up_text(NP_KIND_NODE, node_json("b", "10.42.1.0/24", 2)), 0);
	CHECK_INT(np_model_subscribe(m, ~0U, record, NULL), 0);
	np_model_sync_begin(m, NP_KIND_NODE);
	CHECK_INT(up_text(NP_KIND_NODE, node_json("a", "10.42.0.0/24", 1)), 0);
	CHECK_INT(up_text(NP_KIND_NODE, node_json("b", "10.42.x", 3)), -EINVAL);
	CHECK_STR(err, "Node b: spec.podCIDR: \"10.42.x\" is not a CIDR");
	CHECK_INT(up_text(NP_KIND_NODE, node_json("c", "10.42", 4)), -EINVAL);
	np_model_sync_end(m, NP_KIND_NODE);
	CHECK_STR(events, "upd Node b 2->3;add Node c 4;synced Node;");
	n = np_model_node(m, "b");
	CHECK(n);
	CHECK(n->meta.invalid);
	CHECK_STR(n->meta.invalid_why,
		  "Node b: spec.podCIDR: \"10.42.x\" is not a CIDR");
	CHECK_STR(n->meta.resource_version, "3");
	CHECK_INT(n->n_pod_cidrs, 0);
	n = np_model_node(m, "c");
	CHECK(n);
	CHECK(n->meta.invalid);
	CHECK_INT(np_model_count(m, NP_KIND_NODE), 3);
	/* The same malformed object again: no change, no event. */
	events[0] = '\0';
	CHECK_INT(up_text(NP_KIND_NODE, node_json("b", "10.42.x", 3)), -EINVAL);
	CHECK_STR(events, "");
	/* Fixed: the valid version replaces the marker. */
	CHECK_INT(up_text(NP_KIND_NODE, node_json("b", "10.42.1.0/24", 5)), 0);
	CHECK_STR(events, "upd Node b 3->5;");
	n = np_model_node(m, "b");
	CHECK(!n->meta.invalid);
	CHECK_INT(n->n_pod_cidrs, 1);
	/* A marker not listed again is deleted by the next sync. */
	np_model_sync_begin(m, NP_KIND_NODE);
	CHECK_INT(up_text(NP_KIND_NODE, node_json("a", "10.42.0.0/24", 1)), 0);
	CHECK_INT(up_text(NP_KIND_NODE, node_json("b", "10.42.1.0/24", 5)), 0);
	np_model_sync_end(m, NP_KIND_NODE);
	CHECK_STR(events, "upd Node b 3->5;del Node c 4;");
}

TEST(index_pods_by_node)
{
	fresh();
	CHECK_INT(up_text(NP_KIND_POD, pod_json("shop", "p1", "node-a", NULL, 1)), 0);
	CHECK_INT(up_text(NP_KIND_POD, pod_json("shop", "p2", "node-a", NULL, 1)), 0);
	CHECK_INT(up_text(NP_KIND_POD, pod_json("web", "p3", "node-b", NULL, 1)), 0);
	CHECK_INT(up_text(NP_KIND_POD, pod_json("web", "p4", NULL, NULL, 1)), 0);
	CHECK_STR(on_node("node-a"), "p1,p2");
	CHECK_STR(on_node("node-b"), "p3");
	CHECK_STR(on_node("node-c"), "");
	/* p1 moves to node-b; p4 gets scheduled. */
	CHECK_INT(up_text(NP_KIND_POD, pod_json("shop", "p1", "node-b", NULL, 2)), 0);
	CHECK_INT(up_text(NP_KIND_POD, pod_json("web", "p4", "node-a", NULL, 2)), 0);
	CHECK_STR(on_node("node-a"), "p2,p4");
	CHECK_STR(on_node("node-b"), "p1,p3");
	CHECK_INT(np_model_delete(m, NP_KIND_POD, "shop", "p2"), 0);
	CHECK_INT(np_model_delete(m, NP_KIND_POD, "web", "p4"), 0);
	CHECK_STR(on_node("node-a"), "");
	CHECK_STR(on_node("node-b"), "p1,p3");
	CHECK_STR(in_ns(NP_KIND_POD, "shop"), "p1");
	CHECK_STR(in_ns(NP_KIND_POD, "web"), "p3");
	CHECK_STR(in_ns(NP_KIND_POD, NULL), "p1,p3");
}

TEST(index_by_namespace)
{
	fresh();
	CHECK_INT(up(NP_KIND_SERVICE, fixture("service_traefik.json")), 0);
	CHECK_INT(up_text(NP_KIND_SERVICE,
		"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":"
		"{\"name\":\"web\",\"namespace\":\"shop\"}}"), 0);
	CHECK_INT(up_text(NP_KIND_SERVICE,
		"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":"
		"{\"name\":\"db\",\"namespace\":\"shop\"}}"), 0);
	CHECK_INT(up(NP_KIND_NETWORKPOLICY, fixture("networkpolicy_web.json")), 0);
	CHECK_STR(in_ns(NP_KIND_SERVICE, "shop"), "db,web");
	CHECK_STR(in_ns(NP_KIND_SERVICE, "kube-system"), "traefik");
	CHECK_STR(in_ns(NP_KIND_SERVICE, "nothing"), "");
	CHECK_STR(in_ns(NP_KIND_NETWORKPOLICY, "shop"), "web-allow");
	CHECK_STR(in_ns(NP_KIND_NETWORKPOLICY, "kube-system"), "");
	CHECK_INT(np_model_delete(m, NP_KIND_SERVICE, "shop", "web"), 0);
	CHECK_STR(in_ns(NP_KIND_SERVICE, "shop"), "db");
	CHECK_INT(np_model_delete(m, NP_KIND_SERVICE, "shop", "db"), 0);
	CHECK_STR(in_ns(NP_KIND_SERVICE, "shop"), "");
	CHECK_STR(in_ns(NP_KIND_SERVICE, NULL), "traefik");
	/* Cluster-scoped kinds: ns is ignored. */
	CHECK_INT(up(NP_KIND_NAMESPACE, fixture("namespace_kube_system.json")), 0);
	CHECK_STR(in_ns(NP_KIND_NAMESPACE, NULL), "kube-system");
}

TEST(index_slices_by_service)
{
	fresh();
	CHECK_INT(up(NP_KIND_ENDPOINTSLICE, fixture("endpointslice_traefik.json")), 0);
	CHECK_STR(of_service("kube-system", "traefik"), "traefik-8hx2r");
	CHECK_INT(up_text(NP_KIND_ENDPOINTSLICE, slice_json("shop", "web-1", "web", 1)), 0);
	CHECK_INT(up_text(NP_KIND_ENDPOINTSLICE, slice_json("shop", "web-2", "web", 1)), 0);
	CHECK_INT(up_text(NP_KIND_ENDPOINTSLICE, slice_json("shop", "api-1", "api", 1)), 0);
	CHECK_INT(up_text(NP_KIND_ENDPOINTSLICE, slice_json("other", "web-1", "web", 1)), 0);
	CHECK_INT(up_text(NP_KIND_ENDPOINTSLICE, slice_json("shop", "orphan", NULL, 1)), 0);
	CHECK_STR(of_service("shop", "web"), "web-1,web-2");
	CHECK_STR(of_service("shop", "api"), "api-1");
	CHECK_STR(of_service("other", "web"), "web-1");
	/* web-2 moves to api, then loses its label. */
	CHECK_INT(up_text(NP_KIND_ENDPOINTSLICE, slice_json("shop", "web-2", "api", 2)), 0);
	CHECK_STR(of_service("shop", "web"), "web-1");
	CHECK_STR(of_service("shop", "api"), "api-1,web-2");
	CHECK_INT(up_text(NP_KIND_ENDPOINTSLICE, slice_json("shop", "web-2", NULL, 3)), 0);
	CHECK_STR(of_service("shop", "api"), "api-1");
	CHECK_INT(np_model_delete(m, NP_KIND_ENDPOINTSLICE, "shop", "web-1"), 0);
	CHECK_STR(of_service("shop", "web"), "");
	CHECK_STR(of_service("other", "web"), "web-1");
	CHECK_STR(in_ns(NP_KIND_ENDPOINTSLICE, "shop"), "api-1,orphan,web-2");
}

TEST(index_pods_by_ip)
{
	struct np_addr a;
	const struct np_pod *p;

	fresh();
	CHECK_INT(up_text(NP_KIND_POD, pod_json("shop", "p1", "n", "10.42.0.5", 1)), 0);
	CHECK_INT(up_text(NP_KIND_POD, pod_json("shop", "p2", "n", "fd00:42::5", 1)), 0);
	CHECK_STR(with_ip("10.42.0.5"), "p1");
	CHECK_STR(with_ip("fd00:42::5"), "p2");
	CHECK_STR(with_ip("10.42.0.6"), "");
	/* The IP changes. */
	CHECK_INT(up_text(NP_KIND_POD, pod_json("shop", "p1", "n", "10.42.0.6", 2)), 0);
	CHECK_STR(with_ip("10.42.0.5"), "");
	CHECK_STR(with_ip("10.42.0.6"), "p1");
	/* A completed pod and a hostNetwork pod share IPs with others. */
	CHECK_INT(up_text(NP_KIND_POD,
		"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":"
		"\"done\",\"namespace\":\"shop\"},\"status\":{\"phase\":"
		"\"Succeeded\",\"podIP\":\"10.42.0.6\"}}"), 0);
	CHECK_INT(up_text(NP_KIND_POD,
		"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":"
		"\"hn\",\"namespace\":\"kube-system\"},\"spec\":{\"hostNetwork\":"
		"true},\"status\":{\"phase\":\"Running\",\"podIP\":"
		"\"192.168.50.2\"}}"), 0);
	CHECK_STR(with_ip("10.42.0.6"), "done,p1");
	CHECK_STR(with_ip("192.168.50.2"), "hn");
	np_addr_parse("10.42.0.6", &a);
	p = np_model_pod_by_ip(m, &a);
	CHECK(p);
	CHECK_STR(p->meta.name, "p1");
	np_addr_parse("192.168.50.2", &a);
	CHECK(!np_model_pod_by_ip(m, &a));
	/* p1 deleted: only the completed pod has the IP; it owns nothing. */
	CHECK_INT(np_model_delete(m, NP_KIND_POD, "shop", "p1"), 0);
	CHECK_STR(with_ip("10.42.0.6"), "done");
	np_addr_parse("10.42.0.6", &a);
	CHECK(!np_model_pod_by_ip(m, &a));
	/* IPv4 and an IPv4-mapped IPv6 address are different keys. */
	CHECK_STR(with_ip("::ffff:10.42.0.6"), "");
}

/* ----------------------------------------- Random ops vs a reference */

#define R_PODS 150
#define R_NODES 6
#define R_NSS 3
#define R_IPS 40

struct ref_pod {
	bool present;
	int node;			/* -1: unscheduled */
	int ns;
	int ip;				/* -1: none */
};

static struct ref_pod ref[R_PODS][R_NSS];
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

static void ip_text(int i, char *buf, size_t len)
{
	if (i % 3 == 0)
		snprintf(buf, len, "fd00:42::%x", i);
	else
		snprintf(buf, len, "10.42.0.%d", i);
}

/* Whether the index walks match the reference for every key. */
static const char *ref_check(void)
{
	static char why[256];
	char want[4096], key[64], ipb[64];
	int k, i, j;

	for (k = 0; k < R_NODES + R_NSS + R_IPS; k++) {
		const char *got;

		want[0] = '\0';
		if (k < R_NODES) {
			snprintf(key, sizeof(key), "node-%d", k);
		} else if (k < R_NODES + R_NSS) {
			snprintf(key, sizeof(key), "ns-%d", k - R_NODES);
		} else {
			ip_text(k - R_NODES - R_NSS, ipb, sizeof(ipb));
			snprintf(key, sizeof(key), "%s", ipb);
		}
		/* Names sort as strings: build them the same way. */
		n_names = 0;
		for (i = 0; i < R_PODS; i++)
			for (j = 0; j < R_NSS; j++) {
				struct ref_pod *r = &ref[i][j];
				static char nm[R_PODS][R_NSS][16];
				bool in;

				if (!r->present)
					continue;
				if (k < R_NODES)
					in = r->node == k;
				else if (k < R_NODES + R_NSS)
					in = r->ns == k - R_NODES;
				else
					in = r->ip == k - R_NODES - R_NSS;
				if (!in)
					continue;
				snprintf(nm[i][j], sizeof(nm[i][j]), "p%d", i);
				names[n_names++] = nm[i][j];
			}
		snprintf(want, sizeof(want), "%s", joined());
		if (k < R_NODES)
			got = on_node(key);
		else if (k < R_NODES + R_NSS)
			got = in_ns(NP_KIND_POD, key);
		else
			got = with_ip(key);
		if (strcmp(got, want)) {
			snprintf(why, sizeof(why), "%s: got %.80s want %.80s",
				 key, got, want);
			return why;
		}
	}
	return NULL;
}

TEST(index_random_vs_reference)
{
	char ns[16], name[16], node[16], ipb[64];
	const char *why;
	int step, rv = 1;

	fresh();
	memset(ref, 0, sizeof(ref));
	for (step = 0; step < 4000; step++) {
		int i = (int)rnd(R_PODS), j = (int)rnd(R_NSS);
		struct ref_pod *r = &ref[i][j];

		snprintf(ns, sizeof(ns), "ns-%d", j);
		snprintf(name, sizeof(name), "p%d", i);
		if (r->present && rnd(4) == 0) {
			CHECK_INT(np_model_delete(m, NP_KIND_POD, ns, name), 0);
			r->present = false;
		} else {
			r->present = true;
			r->ns = j;
			r->node = (int)rnd(R_NODES + 1) - 1;
			r->ip = (int)rnd(R_IPS + 1) - 1;
			snprintf(node, sizeof(node), "node-%d", r->node);
			ip_text(r->ip, ipb, sizeof(ipb));
			CHECK_INT(up_text(NP_KIND_POD, pod_json(ns, name,
				r->node < 0 ? NULL : node,
				r->ip < 0 ? NULL : ipb, rv++)), 0);
		}
		if (step % 50 == 0 && (why = ref_check()))
			CHECK_FAIL("step %d: %s", step, why);
	}
	if ((why = ref_check()))
		CHECK_FAIL("end: %s", why);
	/* A sync that keeps nothing empties every index. */
	np_model_sync_begin(m, NP_KIND_POD);
	np_model_sync_end(m, NP_KIND_POD);
	memset(ref, 0, sizeof(ref));
	if ((why = ref_check()))
		CHECK_FAIL("after sync: %s", why);
}

/* ------------------------------------------------------------- Scale */

static int n_events;

static void count_cb(void *ctx, enum np_kind kind, const void *old,
		     const void *new_obj)
{
	(void)ctx;
	(void)kind;
	(void)old;
	(void)new_obj;
	n_events++;
}

#define S_NODES 5000
#define S_PODS_PER_NODE 20

static int relist(int rv, int skip_node)
{
	char name[32], node[32], ip[32], cidr[32];
	int i, k, ret;

	np_model_sync_begin(m, NP_KIND_NODE);
	for (i = 0; i < S_NODES; i++) {
		if (i == skip_node)
			continue;
		snprintf(name, sizeof(name), "node-%d", i);
		snprintf(cidr, sizeof(cidr), "10.%d.%d.0/24", 64 + i / 256,
			 i % 256);
		ret = up_text(NP_KIND_NODE, node_json(name, cidr, rv));
		if (ret)
			return ret;
	}
	np_model_sync_end(m, NP_KIND_NODE);
	np_model_sync_begin(m, NP_KIND_POD);
	for (i = 0; i < S_NODES; i++) {
		snprintf(node, sizeof(node), "node-%d", i);
		for (k = 0; k < S_PODS_PER_NODE; k++) {
			snprintf(name, sizeof(name), "pod-%d-%d", i, k);
			snprintf(ip, sizeof(ip), "10.%d.%d.%d", 64 + i / 256,
				 i % 256, k + 2);
			ret = up_text(NP_KIND_POD, pod_json(i % 2 ? "odd" : "even",
					name, node, ip, rv));
			if (ret)
				return ret;
		}
	}
	np_model_sync_end(m, NP_KIND_POD);
	return 0;
}

TEST(scale_5000_nodes_100k_pods)
{
	const struct np_node *n;

	fresh();
	CHECK_INT(np_model_subscribe(m, ~0U, count_cb, NULL), 0);
	n_events = 0;
	CHECK_INT(relist(1, -1), 0);
	/* one per object, and one per kind for its first list */
	CHECK_INT(n_events, S_NODES + S_NODES * S_PODS_PER_NODE + 2);
	CHECK_INT(np_model_count(m, NP_KIND_NODE), S_NODES);
	CHECK_INT(np_model_count(m, NP_KIND_POD), S_NODES * S_PODS_PER_NODE);
	/* The same cluster again, every resourceVersion new: silent. */
	n_events = 0;
	CHECK_INT(relist(2, -1), 0);
	CHECK_INT(n_events, 0);
	/* One node gone from the list. */
	CHECK_INT(relist(3, 4321), 0);
	CHECK_INT(n_events, 1);
	CHECK(!np_model_node(m, "node-4321"));
	n = np_model_node(m, "node-4999");
	CHECK(n);
	CHECK_INT(n->n_pod_cidrs, 1);
	CHECK_STR(np_cidr_str(&n->pod_cidrs[0], err, sizeof(err)),
		  "10.83.135.0/24");
	CHECK_STR(on_node("node-17"),
		  "pod-17-0,pod-17-1,pod-17-10,pod-17-11,pod-17-12,pod-17-13,"
		  "pod-17-14,pod-17-15,pod-17-16,pod-17-17,pod-17-18,pod-17-19,"
		  "pod-17-2,pod-17-3,pod-17-4,pod-17-5,pod-17-6,pod-17-7,"
		  "pod-17-8,pod-17-9");
	CHECK_STR(with_ip("10.83.135.7"), "pod-4999-5");
	n_names = 0;
	np_model_foreach(m, NP_KIND_POD, "odd", collect, NULL);
	CHECK_INT(n_names, S_NODES / 2 * S_PODS_PER_NODE);
	n_names = 0;
}

int main(void)
{
	RUN(get_and_count);
	RUN(change_detection);
	RUN(callback_sees_store_after_change);
	RUN(subscriber_mask);
	RUN(sync_deletes_unseen);
	RUN(sync_marks_malformed_invalid);
	RUN(index_pods_by_node);
	RUN(index_by_namespace);
	RUN(index_slices_by_service);
	RUN(index_pods_by_ip);
	RUN(index_random_vs_reference);
	RUN(scale_5000_nodes_100k_pods);
	np_model_free(m);
	return check_summary();
}
