// SPDX-License-Identifier: GPL-2.0-only
/*
 * A libFuzzer target for the NetworkPolicy compiler (host only, no
 * module): the input is a JSON array of API objects (Namespaces, Pods,
 * NetworkPolicies, as the API serves them; anything else, or any
 * malformed object, is what the model makes of it). They go into a model,
 * the model is compiled for node n1 with classes kept from one input to
 * the next, and then:
 *   - the compile succeeds and the plan is canonical (netpol_fix.h);
 *   - for every pair of a few addresses (the pods' and some others),
 *     TCP/UDP/SCTP and a few ports (80, 53 and the pods' container
 *     ports), with and without the node as the source, what the kernel
 *     would decide on the plan is what the reference evaluator says.
 * A difference aborts with both sides' words.
 *
 *   make -C tests/fuzz netpol                    build ../../build/fuzz/netpol-fuzz
 *   build/fuzz/netpol-fuzz -max_total_time=60 tests/fuzz/netpol-corpus
 */
#include "netpol_fix.h"

#define MAX_ADDRS 16
#define MAX_PORTS 8

struct probe {
	struct np_addr addrs[MAX_ADDRS];
	size_t n_addrs;
	uint16_t ports[MAX_PORTS];
	size_t n_ports;
};

static void add_port(struct probe *pr, uint16_t port)
{
	size_t i;

	for (i = 0; i < pr->n_ports; i++)
		if (pr->ports[i] == port)
			return;
	if (pr->n_ports < MAX_PORTS)
		pr->ports[pr->n_ports++] = port;
}

static void add_addr(struct probe *pr, const struct np_addr *a)
{
	size_t i;

	for (i = 0; i < pr->n_addrs; i++)
		if (np_addr_eq(&pr->addrs[i], a))
			return;
	if (pr->n_addrs < MAX_ADDRS)
		pr->addrs[pr->n_addrs++] = *a;
}

static int pod_probe(const void *obj, void *ctx)
{
	const struct np_pod *p = obj;
	struct probe *pr = ctx;
	size_t i;

	for (i = 0; i < p->n_pod_ips; i++)
		add_addr(pr, &p->pod_ips[i]);
	for (i = 0; i < p->n_ports; i++)
		add_port(pr, p->ports[i].container_port);
	return 0;
}

static void load(const uint8_t *data, size_t size)
{
	cJSON *root = cJSON_ParseWithLength((const char *)data, size);
	const cJSON *item;

	if (!cJSON_IsArray(root)) {
		cJSON_Delete(root);
		return;
	}
	cJSON_ArrayForEach(item, root) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(item, "kind");
		char e[512];

		if (!cJSON_IsString(k))
			continue;
		if (!strcmp(k->valuestring, "Pod"))
			np_model_upsert(m, NP_KIND_POD, item, e, sizeof(e));
		else if (!strcmp(k->valuestring, "Namespace"))
			np_model_upsert(m, NP_KIND_NAMESPACE, item, e, sizeof(e));
		else if (!strcmp(k->valuestring, "NetworkPolicy"))
			np_model_upsert(m, NP_KIND_NETWORKPOLICY, item, e,
					sizeof(e));
	}
	cJSON_Delete(root);
}

/* One connection: s -> d, protocol, port, the node as the source or not. */
static void judge_one(const struct np_netpol_plan *plan, const struct np_addr *s,
		      const struct np_addr *d, uint8_t proto, uint16_t port,
		      bool node)
{
	char a[NP_ADDR_STRLEN], b[NP_ADDR_STRLEN];
	struct np_netpol_verdict v;
	bool allows;

	if (np_netpol_eval(m, NODE, s, d, proto, port, node, &v))
		abort();
	allows = np_netpol_plan_allows(plan, s, d, proto, port, node);
	if (allows != v.allowed) {
		fprintf(stderr, "%s -> %s proto %u port %u%s: the plan %s, "
			"the evaluator %s\n[egress: %s]\n[ingress: %s]\n%s\n",
			np_addr_str(s, a, sizeof(a)), np_addr_str(d, b, sizeof(b)),
			proto, port, node ? " (node)" : "",
			allows ? "allows" : "denies",
			v.allowed ? "allows" : "denies", v.egress, v.ingress,
			plan_str(plan));
		abort();
	}
	np_netpol_verdict_free(&v);
}

static void judge(const struct np_netpol_plan *plan, const struct probe *pr)
{
	static const uint8_t protos[] = { 6, 17, 132 };
	size_t s, d, p, q;

	for (s = 0; s < pr->n_addrs; s++)
		for (d = 0; d < pr->n_addrs; d++)
			for (p = 0; p < 3; p++)
				for (q = 0; q < pr->n_ports; q++) {
					judge_one(plan, &pr->addrs[s],
						  &pr->addrs[d], protos[p],
						  pr->ports[q], false);
					judge_one(plan, &pr->addrs[s],
						  &pr->addrs[d], protos[p],
						  pr->ports[q], true);
				}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const others[] = {
		"192.0.2.10", "10.42.1.250", "2001:db8::10", "10.0.0.1",
	};
	struct np_netpol_plan plan;
	struct np_err err = { 0 };
	struct probe pr = { .n_addrs = 0 };
	const char *canon;
	size_t i;

	fresh();
	load(data, size);
	if (np_netpol_compile(m, NODE, classes, &plan, &err)) {
		fprintf(stderr, "compile: %s\n", err.msg);
		abort();
	}
	canon = plan_canonical(&plan);
	if (*canon) {
		fprintf(stderr, "%s:\n%s\n", canon, plan_str(&plan));
		abort();
	}
	np_model_foreach(m, NP_KIND_POD, NULL, pod_probe, &pr);
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		struct np_addr a;

		np_addr_parse(others[i], &a);
		add_addr(&pr, &a);
	}
	add_port(&pr, 80);
	add_port(&pr, 53);
	judge(&plan, &pr);
	np_netpol_plan_free(&plan);
	return 0;
}
