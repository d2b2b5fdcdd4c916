// SPDX-License-Identifier: GPL-2.0-only
/*
 * The planners are canonical and deterministic: random clusters (nodes
 * with taints, labels and addresses; LoadBalancer Services of random
 * ports, families, policies, ranges, ages; EndpointSlices with
 * overlapping endpoints; hostPort pods) loaded in random orders, under
 * different hash seeds (so the model's walks come in other orders), give
 * byte-identical plans, conflicts and statuses on every node; and every
 * list is canonical: keys strictly increasing, backends sorted with one
 * entry per address and port, ranges sorted and unique.
 */
#include "slb_fix.h"
#include "model/hmap.h"

#define SCENARIOS 300
#define ORDERS 4
#define MAX_OBJS 64

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

struct obj {
	enum np_kind kind;
	char text[4096];
};

static struct obj objs[MAX_OBJS];
static size_t n_objs;

static void add(enum np_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add(enum np_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (n_objs == MAX_OBJS)
		return;
	va_start(ap, fmt);
	vsnprintf(objs[n_objs].text, sizeof(objs[n_objs].text), fmt, ap);
	va_end(ap);
	objs[n_objs++].kind = kind;
}

static const char *const times[] = {
	"2024-01-01T00:00:01Z", "2024-01-01T00:00:02Z",
	"2024-01-01T01:00:02+01:00",	/* the same instant as the second */
};

static void gen_nodes(size_t n)
{
	static const char *const taints[] = {
		"", "{'key':'gpu','effect':'NoSchedule'}",
		"{'key':'node-role.kubernetes.io/control-plane','effect':'NoSchedule'}",
		"{'key':'x','effect':'PreferNoSchedule'}",
	};
	static const char *const labels[] = {
		"", "'" NP_ENABLELB_LABEL "':'true'",
		"'" NP_LBPOOL_LABEL "':'p1'",
		"'" NP_ENABLELB_LABEL "':'true','" NP_LBPOOL_LABEL "':'p1'",
	};
	size_t i;

	for (i = 0; i < n; i++)
		add(NP_KIND_NODE,
		    "{'metadata':{'name':'n%zu','labels':{%s}},'spec':"
		    "{'taints':[%s]},'status':{'conditions':[{'type':'Ready',"
		    "'status':'%s'}],'addresses':[{'type':'InternalIP',"
		    "'address':'10.0.0.%zu'}%s%s]}}",
		    i, labels[rnd(8) < 6 ? 0 : rnd(4)], taints[rnd(8) < 6 ? 0 : rnd(4)],
		    rnd(8) ? "True" : "False", 9 + i,
		    rnd(2) ? ",{'type':'InternalIP','address':'fd00::9'}" : "",
		    rnd(4) ? "" : ",{'type':'ExternalIP','address':'203.0.113.1'}");
}

static void gen_services(size_t n)
{
	static const char *const ports[] = {
		"{'name':'a','port':80}",
		"{'name':'a','port':80},{'name':'b','port':443}",
		"{'name':'a','port':53,'protocol':'UDP'},{'name':'b','port':53}",
		"{'name':'b','port':443}",
	};
	static const char *const fams[][2] = {
		{ "'IPv4'", "'10.43.0.1'" },
		{ "'IPv6'", "'fd43::1'" },
		{ "'IPv4','IPv6'", "'10.43.0.1','fd43::1'" },
		{ "'IPv6','IPv4'", "'fd43::1','10.43.0.1'" },
	};
	static const char *const ranges[] = {
		"", ",'loadBalancerSourceRanges':['10.1.0.0/16','fd01::7/64',"
		"'10.1.0.0/16','192.0.2.1/24']",
		",'loadBalancerSourceRanges':['0.0.0.0/0']",
		",'loadBalancerSourceRanges':['10.1.0.0/16']",
	};
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t f = rnd(4);

		add(NP_KIND_SERVICE,
		    "{'metadata':{'name':'s%zu','namespace':'%s','uid':'u%zu',"
		    "'creationTimestamp':'%s','labels':{%s}},'spec':{'type':"
		    "'LoadBalancer','clusterIPs':[%s],'ipFamilies':[%s],"
		    "'ports':[%s],'externalTrafficPolicy':'%s',"
		    "'sessionAffinity':'%s'%s}}",
		    i, rnd(2) ? "default" : "ns2", i, times[rnd(3)],
		    rnd(4) ? "" : "'" NP_LBPOOL_LABEL "':'p1'", fams[f][1],
		    fams[f][0], ports[rnd(4)], rnd(2) ? "Cluster" : "Local",
		    rnd(2) ? "None" : "ClientIP", ranges[rnd(4)]);
	}
}

static void gen_slices(size_t n_svc, size_t n_nodes)
{
	size_t s, k, e;

	for (s = 0; s < n_svc; s++) {
		const char *ns = strstr(objs[n_objs - n_svc + s].text,
					"'namespace':'default'") ?
			"default" : "ns2";

		for (k = rnd(3); k > 0; k--) {
			char eps[2048] = "";
			size_t o = 0;
			bool v6 = rnd(2);

			for (e = rnd(5); e > 0; e--) {
				uint32_t a = rnd(4);

				put(eps, sizeof(eps), &o,
				    "%s{'addresses':['%s%u'],'nodeName':'n%u',"
				    "'targetRef':{'kind':'Pod'},'conditions':"
				    "{'ready':%s,'serving':%s,'terminating':%s}}",
				    o ? "," : "", v6 ? "fd42::" : "10.42.0.",
				    a + 1, rnd((uint32_t)n_nodes),
				    rnd(3) ? "true" : "false",
				    rnd(2) ? "true" : "false",
				    rnd(3) ? "false" : "true");
			}
			add(NP_KIND_ENDPOINTSLICE,
			    "{'metadata':{'name':'s%zu-%zu','namespace':'%s',"
			    "'labels':{'kubernetes.io/service-name':'s%zu'}},"
			    "'addressType':'%s','ports':[{'name':'a','port':"
			    "8080},{'name':'b','port':8443},{'name':'a',"
			    "'port':5353,'protocol':'UDP'}],'endpoints':[%s]}",
			    s, k, ns, s, v6 ? "IPv6" : "IPv4", eps);
		}
	}
}

static void gen_pods(size_t n, size_t n_nodes)
{
	static const char *const ports[] = {
		"{'containerPort':80,'hostPort':80}",
		"{'containerPort':80,'hostPort':80,'hostIP':'10.0.0.9'}",
		"{'containerPort':53,'hostPort':53,'protocol':'UDP'}",
		"{'containerPort':8,'hostPort':8000},{'containerPort':9,"
		"'hostPort':443,'hostIP':'fd00::9'}",
	};
	static const char *const phases[] = {
		"Running", "Running", "Pending", "Succeeded"
	};
	size_t i;

	for (i = 0; i < n; i++)
		add(NP_KIND_POD,
		    "{'metadata':{'name':'p%zu','namespace':'default',"
		    "'creationTimestamp':'%s'},'spec':{'nodeName':'n%u',"
		    "'hostNetwork':%s,'containers':[{'name':'c','ports':[%s]}]},"
		    "'status':{'phase':'%s','podIPs':[%s]}}",
		    i, times[rnd(3)], rnd((uint32_t)n_nodes),
		    rnd(6) ? "false" : "true", ports[rnd(4)], phases[rnd(4)],
		    rnd(2) ? "{'ip':'10.42.0.77'}" :
		    "{'ip':'10.42.0.77'},{'ip':'fd42::77'}");
}

static const char *canon_why(const struct np_lb_list *l)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		const struct np_lb_frontend *fe = &l->v[i];

		if (i && np_lb_frontend_cmp_key(&l->v[i - 1], fe) >= 0)
			return "keys not strictly increasing";
		for (j = 1; j < fe->n_backends; j++) {
			const struct np_lb_backend *a = &fe->backends[j - 1];
			const struct np_lb_backend *b = &fe->backends[j];

			if (np_lb_backend_cmp(a, b) >= 0)
				return "backends not sorted";
			if (np_addr_eq(&a->addr, &b->addr) && a->port == b->port)
				return "two backends of one address and port";
		}
		for (j = 0; j < fe->n_backends; j++)
			if (fe->backends[j].addr.family != fe->family)
				return "backend of another family";
		for (j = 1; j < fe->n_ranges; j++)
			if (np_cidr_cmp(&fe->ranges[j - 1], &fe->ranges[j]) >= 0)
				return "ranges not sorted and unique";
		for (j = 0; j < fe->n_ranges; j++)
			if (fe->ranges[j].addr.family != fe->family)
				return "range of another family";
	}
	return NULL;
}

static char statuses[16384];

static int status_line(const struct np_service *s,
		       const struct np_slb_status *st, void *ctx)
{
	size_t o = strlen(statuses);
	char l[512];

	(void)ctx;
	np_slb_status_str(st, l, sizeof(l));
	put(statuses, sizeof(statuses), &o, "%s/%s %s n=%zu\n", s->meta.ns,
	    s->meta.name, l, st->n_serving);
	return 0;
}

static bool all_alive(const char *node_name, void *ctx)
{
	(void)ctx;
	return strcmp(node_name, "n3");	/* n3 runs no nodeplaned */
}

/* Everything the planners say about the cluster, as text. */
static int run(size_t n_nodes, size_t *order, char *out, size_t len,
	       const char **why)
{
	static char text[4096];
	struct np_lb_list l;
	struct np_slb_report rep;
	char name[24];
	size_t i, o = 0;
	char *p;

	out[0] = '\0';
	fresh();
	for (i = 0; i < n_objs; i++) {
		cJSON *j;

		snprintf(text, sizeof(text), "%s", objs[order[i]].text);
		for (p = text; *p; p++)
			if (*p == '\'')
				*p = '"';
		j = cJSON_Parse(text);
		if (!j || np_model_upsert(m, objs[order[i]].kind, j, fix_err,
					  sizeof(fix_err))) {
			cJSON_Delete(j);
			*why = fix_err[0] ? fix_err : "JSON";
			return -1;
		}
		cJSON_Delete(j);
	}
	for (i = 0; i < n_nodes; i++) {
		snprintf(name, sizeof(name), "n%zu", i);
		if (np_slb_plan(m, name, &l, &rep))
			return -1;
		*why = canon_why(&l);
		put(out, len, &o, "== %s slb\n%s\n%s\n", name, list_str(&l),
		    conflicts_str(&rep, name));
		np_lb_list_free(&l);
		np_slb_report_free(&rep);
		if (*why)
			return -1;
		if (np_hostport_plan(m, name, true, &l, &rep))
			return -1;
		*why = canon_why(&l);
		put(out, len, &o, "== %s hp\n%s\n%s\n", name, list_str(&l),
		    conflicts_str(&rep, name));
		np_lb_list_free(&l);
		np_slb_report_free(&rep);
		if (*why)
			return -1;
	}
	statuses[0] = '\0';
	if (np_slb_status_all(m, all_alive, NULL, status_line, NULL))
		return -1;
	put(out, len, &o, "== status\n%s", statuses);
	return 0;
}

TEST(plan_canonical_and_deterministic_in_any_insertion_order)
{
	static char first[65536], again[65536];
	size_t order[MAX_OBJS], sc, k, i, n_nodes, frontends = 0, backends = 0;
	const char *why = NULL;

	for (sc = 0; sc < SCENARIOS; sc++) {
		size_t n_svc = 1 + rnd(6);

		n_objs = 0;
		n_nodes = 1 + rnd(4);
		gen_nodes(n_nodes);
		gen_services(n_svc);
		gen_slices(n_svc, n_nodes);
		gen_pods(rnd(6), n_nodes);
		for (k = 0; k < ORDERS; k++) {
			for (i = 0; i < n_objs; i++)
				order[i] = i;
			if (k)	/* Fisher-Yates */
				for (i = n_objs - 1; i > 0; i--) {
					size_t j = rnd((uint32_t)i + 1), t;

					t = order[i];
					order[i] = order[j];
					order[j] = t;
				}
			np_hash_set_seed(sc * 7 + k, k * 131 + 1);
			if (run(n_nodes, order, k ? again : first,
				sizeof(first), &why))
				CHECK_FAIL("scenario %zu order %zu: %s", sc, k,
					   why ? why : "error");
			if (k && strcmp(first, again))
				CHECK_FAIL("scenario %zu order %zu differs:\n"
					   "%.1500s\n--- vs ---\n%.1500s", sc,
					   k, first, again);
		}
		for (i = 0; first[i]; i++) {
			frontends += !strncmp(first + i, " slb ", 5) ||
				!strncmp(first + i, " hp ", 4);
			backends += !strncmp(first + i, "/lr", 3) ||
				!strncmp(first + i, "/r", 2) ||
				!strncmp(first + i, "/t", 2);
		}
	}
	/* The generator exercises the planners (not only empty plans). */
	CHECK(frontends > 2 * SCENARIOS);
	CHECK(backends > 2 * SCENARIOS);
}

int main(void)
{
	RUN(plan_canonical_and_deterministic_in_any_insertion_order);
	np_slb_report_free(&last_rep);
	np_model_free(m);
	return check_summary();
}
