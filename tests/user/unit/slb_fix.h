/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tests/user/unit/slb_fix.h: fixtures for the servicelb and hostport
 * planner tests: API objects written as JSON (with ' for ", so they read
 * inline) upserted into a fresh model, and the plans printed as text so
 * tests compare whole outputs:
 *
 *   tcp/80 slb HMO a0 b[10.42.1.5:8080/lr 10.42.2.5:8080/r] r[]
 *
 * key (np_lb_key_str), owner (slb, hp), flags (M masq-remote, L local-only,
 * H hairpin, O localhost, A masq-all), affinity seconds, backends
 * addr:port/flags (l local, r ready, t terminating), ranges.
 */
#ifndef _NP_SLB_FIX_H
#define _NP_SLB_FIX_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "check.h"
#include "hostport/hostport.h"
#include "model/model.h"
#include "model_up.h"
#include "nl/nl.h"
#include "servicelb/claims.h"
#include "servicelb/servicelb.h"

/* Each test file uses some of these. */
#define FIX static __attribute__((unused))

static struct np_model *m;
static char fix_err[1024];

FIX void fresh(void)
{
	np_model_free(m);
	m = np_model_new();
	fix_err[0] = '\0';
}

/* Upserts the object written by fmt (' read as "); "" or the error. */
static const char *__attribute__((format(printf, 2, 3)))
up(enum np_kind kind, const char *fmt, ...)
{
	char text[16384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return np_test_upsert(m, kind, text, fix_err, sizeof(fix_err));
}

/* A Ready Node with one InternalIP; labels and spec are JSON members. */
FIX const char *node(const char *name, const char *ip, const char *labels,
			const char *spec)
{
	return up(NP_KIND_NODE,
		  "{'kind':'Node','apiVersion':'v1','metadata':{'name':'%s',"
		  "'creationTimestamp':'2024-01-01T00:00:00Z','labels':{%s}},"
		  "'spec':{%s},'status':{'conditions':[{'type':'Ready',"
		  "'status':'True'}],'addresses':[{'type':'InternalIP',"
		  "'address':'%s'},{'type':'Hostname','address':'%s'}]}}",
		  name, labels, spec, ip, name);
}

/* A LoadBalancer Service of default/<name> of families fams (JSON list
 * members) and cluster IPs cips, created at ts; meta: extra metadata
 * members, spec: extra spec members. */
FIX const char *lbsvc_fam(const char *name, const char *ts, const char *meta,
			     const char *fams, const char *cips,
			     const char *ports, const char *spec)
{
	return up(NP_KIND_SERVICE,
		  "{'metadata':{'name':'%s','namespace':'default',"
		  "'uid':'uid-%s','creationTimestamp':'%s'%s%s},"
		  "'spec':{'type':'LoadBalancer','clusterIPs':[%s],"
		  "'ipFamilies':[%s],'ports':[%s]%s%s}}",
		  name, name, ts, *meta ? "," : "", meta, cips, fams, ports,
		  *spec ? "," : "", spec);
}

/* The same, IPv4 only. */
FIX const char *lbsvc(const char *name, const char *ts, const char *meta,
			 const char *ports, const char *spec)
{
	return lbsvc_fam(name, ts, meta, "'IPv4'", "'10.43.0.10'", ports,
			 spec);
}

/* An EndpointSlice <name> of default/<svc>. */
FIX const char *slice(const char *name, const char *svc, const char *type,
			 const char *ports, const char *endpoints)
{
	return up(NP_KIND_ENDPOINTSLICE,
		  "{'metadata':{'name':'%s','namespace':'default','labels':"
		  "{'kubernetes.io/service-name':'%s'}},'addressType':'%s',"
		  "'ports':[%s],'endpoints':[%s]}",
		  name, svc, type, ports, endpoints);
}

/* One endpoint: ready/serving/terminating as JSON booleans. */
#define EP(addr, node, ready, serving, term)				\
	"{'addresses':['" addr "'],'nodeName':'" node "',"		\
	"'targetRef':{'kind':'Pod','name':'p'},'conditions':{'ready':"	\
	#ready ",'serving':" #serving ",'terminating':" #term "}}"

/* A pod default/<name> on node, created at ts, with phase and pod IPs
 * (JSON list members) and container ports (JSON list members). */
FIX const char *pod(const char *name, const char *ts, const char *node_name,
		       const char *phase, const char *ips, const char *ports,
		       const char *spec)
{
	return up(NP_KIND_POD,
		  "{'metadata':{'name':'%s','namespace':'default',"
		  "'uid':'uid-%s','creationTimestamp':'%s'},"
		  "'spec':{'nodeName':'%s','containers':[{'name':'c',"
		  "'ports':[%s]}]%s%s},'status':{'phase':'%s','podIPs':[%s]}}",
		  name, name, ts, node_name, ports, *spec ? "," : "", spec,
		  phase, ips);
}

static void put(char *buf, size_t len, size_t *o, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*o >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *o, len - *o, fmt, ap);
	va_end(ap);
	*o += n < 0 ? 0 : (size_t)n;
	if (*o >= len)
		*o = len - 1;
}

FIX const char *addr_port(const struct np_addr *a, uint16_t port,
			     char *buf, size_t len)
{
	char s[NP_ADDR_STRLEN];

	np_addr_str(a, s, sizeof(s));
	snprintf(buf, len, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", s,
		 port);
	return buf;
}

/* The list as text (see the header), frontends on lines. */
FIX const char *list_str(const struct np_lb_list *l)
{
	static char buf[65536];
	char k[128], a[NP_CIDR_STRLEN + 8];
	size_t i, j, o = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n; i++) {
		const struct np_lb_frontend *fe = &l->v[i];

		put(buf, sizeof(buf), &o, "%s%s %s %s%s%s%s%s a%u b[", i ? "\n" : "",
		    np_lb_key_str(fe, k, sizeof(k)),
		    fe->owner == NP_LB_OWNER_SERVICELB ? "slb" :
		    fe->owner == NP_LB_OWNER_HOSTPORT ? "hp" : "?",
		    fe->flags & NP_LB_F_HAIRPIN ? "H" : "",
		    fe->flags & NP_LB_F_MASQ_REMOTE ? "M" : "",
		    fe->flags & NP_LB_F_LOCAL_ONLY ? "L" : "",
		    fe->flags & NP_LB_F_LOCALHOST ? "O" : "",
		    fe->flags & NP_LB_F_MASQ_ALL ? "A" : "", fe->affinity);
		for (j = 0; j < fe->n_backends; j++) {
			const struct np_lb_backend *b = &fe->backends[j];

			put(buf, sizeof(buf), &o, "%s%s/%s%s%s", j ? " " : "",
			    addr_port(&b->addr, b->port, a, sizeof(a)),
			    b->flags & NP_LBB_F_LOCAL ? "l" : "",
			    b->flags & NP_LBB_F_READY ? "r" : "",
			    b->flags & NP_LBB_F_TERMINATING ? "t" : "");
		}
		put(buf, sizeof(buf), &o, "] r[");
		for (j = 0; j < fe->n_ranges; j++)
			put(buf, sizeof(buf), &o, "%s%s", j ? " " : "",
			    np_cidr_str(&fe->ranges[j], a, sizeof(a)));
		put(buf, sizeof(buf), &o, "]");
	}
	return buf;
}

/* The report's conflicts as text, one per line. */
FIX const char *conflicts_str(const struct np_slb_report *r,
				 const char *self)
{
	static char buf[8192];
	char one[512];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < r->n_conflicts; i++)
		put(buf, sizeof(buf), &o, "%s%s %s/%s: %s", i ? "\n" : "",
		    r->conflicts[i].loser_kind == NP_KIND_SERVICE ? "Service" :
		    "Pod", r->conflicts[i].loser->ns,
		    r->conflicts[i].loser->name,
		    np_port_conflict_str(&r->conflicts[i], self, one,
					 sizeof(one)));
	return buf;
}

static struct np_slb_report last_rep;

/* The servicelb plan of self as text ("(error N)" on failure); the
 * report stays in last_rep until the next plan. */
FIX const char *slb(const char *self)
{
	static char buf[65536];
	struct np_lb_list l;
	int ret;

	np_slb_report_free(&last_rep);
	ret = np_slb_plan(m, self, &l, &last_rep);
	if (ret) {
		snprintf(buf, sizeof(buf), "(error %d)", ret);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", list_str(&l));
	np_lb_list_free(&l);
	return buf;
}

/* The hostport plan of self, ServiceLB enabled (hp) or not (hp_alone). */
FIX const char *hp_with(const char *self, bool with_servicelb)
{
	static char buf[65536];
	struct np_lb_list l;
	int ret;

	np_slb_report_free(&last_rep);
	ret = np_hostport_plan(m, self, with_servicelb, &l, &last_rep);
	if (ret) {
		snprintf(buf, sizeof(buf), "(error %d)", ret);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s", list_str(&l));
	np_lb_list_free(&l);
	return buf;
}

FIX const char *hp(const char *self)
{
	return hp_with(self, true);
}

#endif /* _NP_SLB_FIX_H */
