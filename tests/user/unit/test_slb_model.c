// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model fields ServiceLB and hostPort read (node-contract.md §3),
 * decoded from API objects in fixtures/api (as kube-apiserver serves
 * them): metadata.creationTimestamp, Node taints and Ready, Service
 * session affinity, allocateLoadBalancerNodePorts, the tolerations
 * annotation, deletionTimestamp and the load-balancer-cleanup finalizer
 * (kept on an invalid Service too); unknown enum values read as UNKNOWN; malformed fields make
 * the object invalid with their exact error; changes are noticed.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "check.h"
#include "fixture.h"
#include "model_fix.h"
#include "model/model.h"

/* The error of upserting text as kind ("" when accepted). */
static const char *text_err(enum np_kind kind, const char *text)
{
	cJSON *j = cJSON_ParseWithOpts(text, NULL, true);

	fresh();
	if (!j)
		return "(test JSON does not parse)";
	if (!np_model_upsert(m, kind, j, err, sizeof(err)))
		err[0] = '\0';
	cJSON_Delete(j);
	return err;
}

TEST(creation_timestamp_rfc3339)
{
	static const struct {
		const char *text;
		int64_t want;
	} ok[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2024-01-01T00:00:00Z", 1704067200 },
		{ "2000-02-29T23:59:59Z", 951868799 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "2024-10-15T08:30:12.123456+02:00", 1728973812 },
		{ "2024-10-15T04:00:12-02:30", 1728973812 },
		{ "2024-10-15t06:30:12z", 1728973812 },
	};
	static const char *const bad[] = {
		"", "2024-10-15", "2024-10-15T06:30:12", "2024-13-01T00:00:00Z",
		"2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
		"2024-10-15T24:00:00Z", "2024-10-15T06:30:12.Z",
		"2024-10-15T06:30:12+0200", "2024-10-15T06:30:12Zjunk",
		"2024-1-15T06:30:12Z",
	};
	int64_t t;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		t = 42;
		CHECK_INT(np_rfc3339_parse(ok[i].text, &t), 0);
		CHECK_INT(t, ok[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (np_rfc3339_parse(bad[i], &t) != -1)
			CHECK_FAIL("\"%s\" accepted", bad[i]);
	CHECK_STR(text_err(NP_KIND_POD, "{\"metadata\":{\"name\":\"p\","
			   "\"creationTimestamp\":\"yesterday\"}}"),
		  "Pod default/p: metadata.creationTimestamp: \"yesterday\" "
		  "is not an RFC 3339 time");
	CHECK_STR(text_err(NP_KIND_POD, "{\"metadata\":{\"name\":\"p\","
			   "\"creationTimestamp\":5}}"),
		  "Pod default/p: metadata.creationTimestamp: 5 is not a "
		  "string");
}

TEST(creation_timestamp_of_every_kind)
{
	const struct np_pod *p;
	const struct np_service *s;

	fresh();
	p = load(NP_KIND_POD, fixture("pod_svclb_hostport.json"), "kube-system",
		 "svclb-traefik-7c0f6a2e-q8m4z");
	CHECK_STR(err, "");
	CHECK(p);
	CHECK_INT(p->meta.created, 1728897221);
	s = load(NP_KIND_SERVICE, fixture("service_traefik.json"),
		 "kube-system", "traefik");
	CHECK(s);
	CHECK_INT(s->meta.created, 1728897220);
	/* Absent: 0 (the oldest; manifests carry none). */
	CHECK_STR(text_err(NP_KIND_NODE, "{\"metadata\":{\"name\":\"n\"}}"),
		  "");
	CHECK_INT(np_model_node(m, "n")->meta.created, 0);
}

TEST(node_taints_and_ready)
{
	const struct np_node *n;

	fresh();
	n = load(NP_KIND_NODE, fixture("node_k3s_server_tainted.json"), "",
		 "node-a");
	CHECK_STR(err, "");
	CHECK(n);
	CHECK_INT(n->meta.created, 1728897151);
	CHECK_INT(n->n_taints, 4);
	CHECK_STR(n->taints[0].key, "node-role.kubernetes.io/control-plane");
	CHECK_STR(n->taints[0].value, "");
	CHECK_INT(n->taints[0].effect, NP_TAINT_NO_SCHEDULE);
	CHECK_STR(n->taints[1].key, "dedicated");
	CHECK_STR(n->taints[1].value, "edge");
	CHECK_INT(n->taints[1].effect, NP_TAINT_NO_EXECUTE);
	CHECK_INT(n->taints[2].effect, NP_TAINT_PREFER_NO_SCHEDULE);
	CHECK_STR(n->taints[3].key, "node.kubernetes.io/unreachable");
	CHECK_INT(n->ready, NP_COND_UNKNOWN);
	CHECK_STR(np_meta_label(&n->meta, "svccontroller.k3s.cattle.io/lbpool"),
		  "edge");
	CHECK_INT(n->n_external_ips, 1);
	/* The vxlan fixture is Ready, untainted. */
	n = load(NP_KIND_NODE, fixture("node_k3s_vxlan.json"), "", "node-b");
	CHECK(n);
	CHECK_INT(n->ready, NP_COND_TRUE);
	CHECK_INT(n->n_taints, 0);
}

TEST(node_ready_values)
{
	static const struct {
		const char *cond;
		enum np_cond want;
	} cases[] = {
		{ "[{\"type\":\"Ready\",\"status\":\"True\"}]", NP_COND_TRUE },
		{ "[{\"type\":\"Ready\",\"status\":\"False\"}]", NP_COND_FALSE },
		{ "[{\"type\":\"Ready\",\"status\":\"Unknown\"}]",
		  NP_COND_UNKNOWN },
		{ "[{\"type\":\"Ready\",\"status\":\"Yes\"}]", NP_COND_UNKNOWN },
		{ "[{\"type\":\"Ready\"}]", NP_COND_UNKNOWN },
		{ "[{\"type\":\"DiskPressure\",\"status\":\"True\"}]",
		  NP_COND_UNKNOWN },
		{ "[]", NP_COND_UNKNOWN },
	};
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "{\"metadata\":{\"name\":\"n\"},"
			 "\"status\":{\"conditions\":%s}}", cases[i].cond);
		CHECK_STR(text_err(NP_KIND_NODE, text), "");
		CHECK_INT(np_model_node(m, "n")->ready, cases[i].want);
	}
}

TEST(node_taints_malformed_or_unknown)
{
	CHECK_STR(text_err(NP_KIND_NODE, "{\"metadata\":{\"name\":\"n\"},"
			   "\"spec\":{\"taints\":[{\"key\":\"k\","
			   "\"effect\":\"NoRoute\"}]}}"), "");
	CHECK_INT(np_model_node(m, "n")->taints[0].effect, NP_TAINT_UNKNOWN);
	CHECK_STR(text_err(NP_KIND_NODE, "{\"metadata\":{\"name\":\"n\"},"
			   "\"spec\":{\"taints\":[{\"effect\":\"NoSchedule\"}]}}"),
		  "Node n: spec.taints[0].key: missing");
	CHECK_STR(text_err(NP_KIND_NODE, "{\"metadata\":{\"name\":\"n\"},"
			   "\"spec\":{\"taints\":[{\"key\":\"k\"}]}}"),
		  "Node n: spec.taints[0].effect: missing");
	CHECK_STR(text_err(NP_KIND_NODE, "{\"metadata\":{\"name\":\"n\"},"
			   "\"spec\":{\"taints\":[{\"key\":\"k\",\"value\":1,"
			   "\"effect\":\"NoSchedule\"}]}}"),
		  "Node n: spec.taints[0].value: 1 is not a string");
	CHECK_STR(text_err(NP_KIND_NODE, "{\"metadata\":{\"name\":\"n\"},"
			   "\"spec\":{\"taints\":{}}}"),
		  "Node n: spec.taints: {} is not a list");
}

TEST(service_affinity_and_k3s_options)
{
	const struct np_service *s;

	fresh();
	s = load(NP_KIND_SERVICE, fixture("service_lb_k3s_options.json"),
		 "apps", "echo");
	CHECK_STR(err, "");
	CHECK(s);
	CHECK_INT(s->meta.created, 1728973812);
	CHECK_INT(s->session_affinity, NP_AFFINITY_CLIENT_IP);
	CHECK_INT(s->affinity_timeout, 600);
	CHECK(!s->alloc_lb_node_ports);
	CHECK_STR(s->tolerations_ann,
		  "- key: dedicated\n  operator: Equal\n  value: edge\n"
		  "  effect: NoExecute\n- key: CriticalAddonsOnly\n"
		  "  operator: Exists\n");
	CHECK_STR(np_meta_label(&s->meta, "svccontroller.k3s.cattle.io/lbpool"),
		  "edge");
	CHECK_INT(s->external_traffic_policy, NP_TRAFFIC_LOCAL);
	CHECK_INT(s->n_ip_families, 2);
	/* Traefik's: None, the default timeout, node ports allocated, no
	 * annotation. */
	s = load(NP_KIND_SERVICE, fixture("service_traefik.json"),
		 "kube-system", "traefik");
	CHECK(s);
	CHECK_INT(s->session_affinity, NP_AFFINITY_NONE);
	CHECK_INT(s->affinity_timeout, NP_AFFINITY_TIMEOUT_DEFAULT);
	CHECK(s->alloc_lb_node_ports);
	CHECK(!s->tolerations_ann);
}

TEST(service_affinity_malformed_or_unknown)
{
	CHECK_STR(text_err(NP_KIND_SERVICE, "{\"metadata\":{\"name\":\"s\"},"
			   "\"spec\":{\"sessionAffinity\":\"Cookie\"}}"), "");
	CHECK_INT(((const struct np_service *)np_model_get(m, NP_KIND_SERVICE,
		"default", "s"))->session_affinity, NP_AFFINITY_UNKNOWN);
	CHECK_STR(text_err(NP_KIND_SERVICE, "{\"metadata\":{\"name\":\"s\"},"
			   "\"spec\":{\"sessionAffinityConfig\":{\"clientIP\":"
			   "{\"timeoutSeconds\":0}}}}"),
		  "Service default/s: spec.sessionAffinityConfig.clientIP."
		  "timeoutSeconds: 0 is not in 1..86400");
	CHECK_STR(text_err(NP_KIND_SERVICE, "{\"metadata\":{\"name\":\"s\"},"
			   "\"spec\":{\"sessionAffinityConfig\":{\"clientIP\":"
			   "{\"timeoutSeconds\":86401}}}}"),
		  "Service default/s: spec.sessionAffinityConfig.clientIP."
		  "timeoutSeconds: 86401 is not in 1..86400");
	CHECK_STR(text_err(NP_KIND_SERVICE, "{\"metadata\":{\"name\":\"s\"},"
			   "\"spec\":{\"allocateLoadBalancerNodePorts\":\"no\"}}"),
		  "Service default/s: spec.allocateLoadBalancerNodePorts: "
		  "\"no\" is not a boolean");
	CHECK_STR(text_err(NP_KIND_SERVICE, "{\"metadata\":{\"name\":\"s\","
			   "\"annotations\":{\"" NP_TOLERATIONS_ANN "\":[]}}}"),
		  "Service default/s: metadata.annotations[\"" NP_TOLERATIONS_ANN
		  "\"]: [] is not a string");
	/* Any text is kept: servicelb/ judges it. */
	CHECK_STR(text_err(NP_KIND_SERVICE, "{\"metadata\":{\"name\":\"s\","
			   "\"annotations\":{\"" NP_TOLERATIONS_ANN "\":"
			   "\"not [ yaml\"}}}"), "");
}

static const struct np_service *svc_s(void)
{
	return np_model_get(m, NP_KIND_SERVICE, "default", "s");
}

#define FIN "\"" NP_LB_FINALIZER "\""
#define DEL "\"deletionTimestamp\":\"2024-01-02T00:00:00Z\""

TEST(service_deletion_and_finalizer)
{
	/* neither */
	CHECK_STR(text_err(NP_KIND_SERVICE, "{\"metadata\":{\"name\":\"s\"}}"),
		  "");
	CHECK(!svc_s()->terminating);
	CHECK(!svc_s()->lb_finalizer);
	/* someone else's finalizer only */
	CHECK_STR(text_err(NP_KIND_SERVICE, "{\"metadata\":{\"name\":\"s\","
			   "\"finalizers\":[\"other.io/keep\"]}}"), "");
	CHECK(!svc_s()->lb_finalizer);
	/* ours among others, being deleted */
	CHECK_STR(text_err(NP_KIND_SERVICE, "{\"metadata\":{\"name\":\"s\","
			   DEL ",\"finalizers\":[\"other.io/keep\"," FIN "]}}"),
		  "");
	CHECK(svc_s()->terminating);
	CHECK(svc_s()->lb_finalizer);
	CHECK(!svc_s()->meta.invalid);
	/* malformed: invalid, with the field named */
	CHECK_STR(text_err(NP_KIND_SERVICE, "{\"metadata\":{\"name\":\"s\","
			   "\"finalizers\":\"" NP_LB_FINALIZER "\"}}"),
		  "Service default/s: metadata.finalizers: \"" NP_LB_FINALIZER
		  "\" is not a list");
	CHECK_STR(text_err(NP_KIND_SERVICE, "{\"metadata\":{\"name\":\"s\","
			   "\"finalizers\":[7]}}"),
		  "Service default/s: metadata.finalizers[0]: 7 is not a string");
	CHECK_STR(text_err(NP_KIND_SERVICE, "{\"metadata\":{\"name\":\"s\","
			   "\"deletionTimestamp\":\"yesterday\"}}"),
		  "Service default/s: metadata.deletionTimestamp: \"yesterday\" "
		  "is not an RFC 3339 time");
	/* an invalid Service keeps what its deletion needs */
	CHECK_STR(text_err(NP_KIND_SERVICE, "{\"metadata\":{\"name\":\"s\","
			   DEL ",\"finalizers\":[" FIN "]},\"spec\":"
			   "{\"ports\":7}}"),
		  "Service default/s: spec.ports: 7 is not a list");
	CHECK(svc_s()->meta.invalid);
	CHECK(svc_s()->terminating);
	CHECK(svc_s()->lb_finalizer);
}

/* Counts notifications. */
static int changes;

static void on_change(void *ctx, enum np_kind kind, const void *old,
		      const void *new_obj)
{
	(void)ctx;
	(void)kind;
	(void)old;
	(void)new_obj;
	changes++;
}

static int upsert_text(const char *text)
{
	cJSON *j = cJSON_Parse(text);
	int ret = np_model_upsert(m, j && strstr(text, "\"Node\"") ?
				  NP_KIND_NODE : NP_KIND_SERVICE, j, err,
				  sizeof(err));

	cJSON_Delete(j);
	return ret;
}

/* The last Service of new_fields_are_changes with our finalizer and the
 * metadata members more. */
#define SVC_FIN(more) \
	"{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"s\"," \
	"\"creationTimestamp\":\"2024-01-01T00:00:00Z\",\"finalizers\":[" FIN "]" \
	more ",\"annotations\":{\"" NP_TOLERATIONS_ANN "\":\"[]\"}},\"spec\":" \
	"{\"sessionAffinity\":\"ClientIP\",\"sessionAffinityConfig\":" \
	"{\"clientIP\":{\"timeoutSeconds\":5}}," \
	"\"allocateLoadBalancerNodePorts\":false}}"

TEST(new_fields_are_changes)
{
	static const char *const steps[] = {
		"{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"n\"}}",
		"{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"n\"},"
		"\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
		"{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"n\"},"
		"\"spec\":{\"taints\":[{\"key\":\"k\",\"effect\":\"NoSchedule\"}]},"
		"\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
		"{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"n\"},"
		"\"spec\":{\"taints\":[{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoSchedule\"}]},"
		"\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
		"{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"n\"},"
		"\"spec\":{\"taints\":[{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoExecute\"}]},"
		"\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
		"{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"n\"},"
		"\"spec\":{\"taints\":[{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoExecute\"}]},"
		"\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}]}}",
		"{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"s\"}}",
		"{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"s\","
		"\"creationTimestamp\":\"2024-01-01T00:00:00Z\"}}",
		"{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"s\","
		"\"creationTimestamp\":\"2024-01-01T00:00:00Z\"},\"spec\":"
		"{\"sessionAffinity\":\"ClientIP\"}}",
		"{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"s\","
		"\"creationTimestamp\":\"2024-01-01T00:00:00Z\"},\"spec\":"
		"{\"sessionAffinity\":\"ClientIP\",\"sessionAffinityConfig\":"
		"{\"clientIP\":{\"timeoutSeconds\":5}}}}",
		"{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"s\","
		"\"creationTimestamp\":\"2024-01-01T00:00:00Z\",\"annotations\":"
		"{\"" NP_TOLERATIONS_ANN "\":\"[]\"}},\"spec\":"
		"{\"sessionAffinity\":\"ClientIP\",\"sessionAffinityConfig\":"
		"{\"clientIP\":{\"timeoutSeconds\":5}}}}",
		"{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"s\","
		"\"creationTimestamp\":\"2024-01-01T00:00:00Z\",\"annotations\":"
		"{\"" NP_TOLERATIONS_ANN "\":\"[]\"}},\"spec\":"
		"{\"sessionAffinity\":\"ClientIP\",\"sessionAffinityConfig\":"
		"{\"clientIP\":{\"timeoutSeconds\":5}},"
		"\"allocateLoadBalancerNodePorts\":false}}",
		SVC_FIN(""),
		SVC_FIN("," DEL),
	};
	size_t i;

	fresh();
	changes = 0;
	CHECK_INT(np_model_subscribe(m, 1U << NP_KIND_NODE |
				     1U << NP_KIND_SERVICE, on_change, NULL),
		  0);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		CHECK_INT(upsert_text(steps[i]), 0);
		CHECK_INT(changes, (int)i + 1);
		/* The same again: no change. */
		CHECK_INT(upsert_text(steps[i]), 0);
		CHECK_INT(changes, (int)i + 1);
	}
}

int main(void)
{
	RUN(creation_timestamp_rfc3339);
	RUN(creation_timestamp_of_every_kind);
	RUN(node_taints_and_ready);
	RUN(node_ready_values);
	RUN(node_taints_malformed_or_unknown);
	RUN(service_affinity_and_k3s_options);
	RUN(service_affinity_malformed_or_unknown);
	RUN(service_deletion_and_finalizer);
	RUN(new_fields_are_changes);
	np_model_free(m);
	return check_summary();
}
