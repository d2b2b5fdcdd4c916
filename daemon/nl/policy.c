// SPDX-License-Identifier: GPL-2.0-only
/*
 * NP_CMD_POLICY_SET (one transaction, chunked over as many messages as it
 * needs) and NP_CMD_POLICY_GET (dump): attribute sets, the chunk builder,
 * the parser of replies (and of requests, for tests and tools), the
 * merge of NP_PEP_F_APPEND continuations, and the NP_CMD_POLICY_DROP
 * notification parser.
 *
 * Chunking: class entries first, then endpoints, in the caller's order,
 * as many as fit a message of lim->msg bytes (room kept for the STAGE
 * attribute). An endpoint nest never exceeds lim->attr bytes: past that
 * the endpoint continues in another nest with its key and
 * NP_PEP_F_APPEND, in the same message when there is room, else in the
 * next; a rule whose ports do not fit continues as a rule of the same
 * (dir, class) with the rest (the module adds them up). Every message but
 * the last carries NP_POL_STAGE_F_MORE; the last commits.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nodeplane.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "nl/msg.h"

#define BIT64(n) (UINT64_C(1) << (n))

_Static_assert(NP_PSTAT_FIRST == NP_PSTAT_A_INGRESS_ALLOWED &&
	       NP_PSTAT_FIRST + NP_PSTAT_N == __NP_PSTAT_A_MAX,
	       "a counter was added to the uapi: name it in daemon/nl/pol_obj.c");
_Static_assert(NP_PEP_NAME_MAX_LEN == NP_PEP_NAME_MAX + 1,
	       "NP_PEP_NAME_MAX changed: change NP_PEP_NAME_MAX_LEN in nl.h");

/* ---- attribute sets ---------------------------------------------------- */

static const char *const pol_names[NP_POL_A_MAX + 1] = {
	[NP_POL_A_PAD] = "NP_POL_A_PAD",
	[NP_POL_A_STAGE] = "NP_POL_A_STAGE",
	[NP_POL_A_GENERATION] = "NP_POL_A_GENERATION",
	[NP_POL_A_CLASS] = "NP_POL_A_CLASS",
	[NP_POL_A_ENDPOINT] = "NP_POL_A_ENDPOINT",
};

static const struct nla_policy pol_policy[NP_POL_A_MAX + 1] = {
	[NP_POL_A_STAGE] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_POL_A_GENERATION] = { .type = NLA_U64, .maxlen = sizeof(uint64_t) },
	[NP_POL_A_CLASS] = { .type = NLA_NESTED },
	[NP_POL_A_ENDPOINT] = { .type = NLA_NESTED },
};

/* The POLICY_GET reply; also names the attributes of requests in extacks. */
const struct np_nl_attr_set np_nl_pol_attrs = {
	.what = "POLICY_GET reply",
	.maxtype = NP_POL_A_MAX,
	.names = pol_names,
	.policy = pol_policy,
	.required = BIT64(NP_POL_A_GENERATION),
};

static const struct np_nl_attr_set pol_req_attrs = {
	.what = "POLICY_SET request",
	.maxtype = NP_POL_A_MAX,
	.names = pol_names,
	.policy = pol_policy,
	.required = 0,
};

static const struct np_nl_attr_set pol_set_reply_attrs = {
	.what = "POLICY_SET reply",
	.maxtype = NP_POL_A_MAX,
	.names = pol_names,
	.policy = pol_policy,
	.required = BIT64(NP_POL_A_GENERATION),
};

static const char *const pcls_names[NP_PCLS_A_MAX + 1] = {
	[NP_PCLS_A_CIDR] = "NP_PCLS_A_CIDR",
	[NP_PCLS_A_CLASS] = "NP_PCLS_A_CLASS",
};

static const struct nla_policy pcls_policy[NP_PCLS_A_MAX + 1] = {
	[NP_PCLS_A_CIDR] = { .type = NLA_NESTED },
	[NP_PCLS_A_CLASS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
};

static const struct np_nl_attr_set pcls_attrs = {
	.what = "NP_POL_A_CLASS",
	.maxtype = NP_PCLS_A_MAX,
	.names = pcls_names,
	.policy = pcls_policy,
	.required = BIT64(NP_PCLS_A_CIDR) | BIT64(NP_PCLS_A_CLASS),
};

static const struct np_nl_attr_set pcls_cidr_attrs = {
	.what = "NP_POL_A_CLASS NP_PCLS_A_CIDR",
	.maxtype = NP_CIDR_A_MAX,
	.names = np_nl_cidr_names,
	.policy = np_nl_cidr_policy,
	.required = BIT64(NP_CIDR_A_PREFIXLEN),
};

static const char *const pep_names[NP_PEP_A_MAX + 1] = {
	[NP_PEP_A_PAD] = "NP_PEP_A_PAD",
	[NP_PEP_A_ADDR4] = "NP_PEP_A_ADDR4",
	[NP_PEP_A_ADDR6] = "NP_PEP_A_ADDR6",
	[NP_PEP_A_FLAGS] = "NP_PEP_A_FLAGS",
	[NP_PEP_A_NAME] = "NP_PEP_A_NAME",
	[NP_PEP_A_RULE] = "NP_PEP_A_RULE",
	[NP_PEP_A_STATS] = "NP_PEP_A_STATS",
};

static const struct nla_policy pep_policy[NP_PEP_A_MAX + 1] = {
	[NP_PEP_A_ADDR4] = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 4 },
	[NP_PEP_A_ADDR6] = { .type = NLA_UNSPEC, .minlen = 16, .maxlen = 16 },
	[NP_PEP_A_FLAGS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_PEP_A_NAME] = { .type = NLA_STRING, .maxlen = NP_PEP_NAME_MAX + 1 },
	[NP_PEP_A_RULE] = { .type = NLA_NESTED },
	[NP_PEP_A_STATS] = { .type = NLA_NESTED },
};

static const struct np_nl_attr_set pep_attrs = {
	.what = "NP_POL_A_ENDPOINT",
	.maxtype = NP_PEP_A_MAX,
	.names = pep_names,
	.policy = pep_policy,
	.required = 0,
};

static const char *const prule_names[NP_PRULE_A_MAX + 1] = {
	[NP_PRULE_A_DIR] = "NP_PRULE_A_DIR",
	[NP_PRULE_A_CLASS] = "NP_PRULE_A_CLASS",
	[NP_PRULE_A_PORT] = "NP_PRULE_A_PORT",
};

static const struct nla_policy prule_policy[NP_PRULE_A_MAX + 1] = {
	[NP_PRULE_A_DIR] = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NP_PRULE_A_CLASS] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
	[NP_PRULE_A_PORT] = { .type = NLA_NESTED },
};

static const struct np_nl_attr_set prule_attrs = {
	.what = "NP_PEP_A_RULE",
	.maxtype = NP_PRULE_A_MAX,
	.names = prule_names,
	.policy = prule_policy,
	.required = BIT64(NP_PRULE_A_DIR),
};

static const char *const pport_names[NP_PPORT_A_MAX + 1] = {
	[NP_PPORT_A_PROTO] = "NP_PPORT_A_PROTO",
	[NP_PPORT_A_FIRST] = "NP_PPORT_A_FIRST",
	[NP_PPORT_A_LAST] = "NP_PPORT_A_LAST",
};

static const struct nla_policy pport_policy[NP_PPORT_A_MAX + 1] = {
	[NP_PPORT_A_PROTO] = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NP_PPORT_A_FIRST] = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
	[NP_PPORT_A_LAST] = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
};

static const struct np_nl_attr_set pport_attrs = {
	.what = "NP_PRULE_A_PORT",
	.maxtype = NP_PPORT_A_MAX,
	.names = pport_names,
	.policy = pport_policy,
	.required = BIT64(NP_PPORT_A_PROTO),
};

static const char *const pstat_names[NP_PSTAT_A_MAX + 1] = {
	[NP_PSTAT_A_PAD] = "NP_PSTAT_A_PAD",
	[NP_PSTAT_A_INGRESS_ALLOWED] = "NP_PSTAT_A_INGRESS_ALLOWED",
	[NP_PSTAT_A_INGRESS_DROPPED] = "NP_PSTAT_A_INGRESS_DROPPED",
	[NP_PSTAT_A_EGRESS_ALLOWED] = "NP_PSTAT_A_EGRESS_ALLOWED",
	[NP_PSTAT_A_EGRESS_DROPPED] = "NP_PSTAT_A_EGRESS_DROPPED",
};

#define U64_POLICY { .type = NLA_U64, .maxlen = sizeof(uint64_t) }

static const struct nla_policy pstat_policy[NP_PSTAT_A_MAX + 1] = {
	[NP_PSTAT_A_INGRESS_ALLOWED] = U64_POLICY,
	[NP_PSTAT_A_INGRESS_DROPPED] = U64_POLICY,
	[NP_PSTAT_A_EGRESS_ALLOWED] = U64_POLICY,
	[NP_PSTAT_A_EGRESS_DROPPED] = U64_POLICY,
};

static const struct np_nl_attr_set pstat_attrs = {
	.what = "NP_PEP_A_STATS",
	.maxtype = NP_PSTAT_A_MAX,
	.names = pstat_names,
	.policy = pstat_policy,
	.required = 0,	/* each counter is shown only when sent */
};

static const char *const pev_names[NP_PEV_A_MAX + 1] = {
	[NP_PEV_A_DIR] = "NP_PEV_A_DIR",
	[NP_PEV_A_ENDPOINT4] = "NP_PEV_A_ENDPOINT4",
	[NP_PEV_A_ENDPOINT6] = "NP_PEV_A_ENDPOINT6",
	[NP_PEV_A_NAME] = "NP_PEV_A_NAME",
	[NP_PEV_A_SADDR4] = "NP_PEV_A_SADDR4",
	[NP_PEV_A_SADDR6] = "NP_PEV_A_SADDR6",
	[NP_PEV_A_DADDR4] = "NP_PEV_A_DADDR4",
	[NP_PEV_A_DADDR6] = "NP_PEV_A_DADDR6",
	[NP_PEV_A_PROTO] = "NP_PEV_A_PROTO",
	[NP_PEV_A_SPORT] = "NP_PEV_A_SPORT",
	[NP_PEV_A_DPORT] = "NP_PEV_A_DPORT",
	[NP_PEV_A_SUPPRESSED] = "NP_PEV_A_SUPPRESSED",
};

static const struct nla_policy pev_policy[NP_PEV_A_MAX + 1] = {
	[NP_PEV_A_DIR] = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NP_PEV_A_ENDPOINT4] = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 4 },
	[NP_PEV_A_ENDPOINT6] = { .type = NLA_UNSPEC, .minlen = 16, .maxlen = 16 },
	[NP_PEV_A_NAME] = { .type = NLA_STRING, .maxlen = NP_PEP_NAME_MAX + 1 },
	[NP_PEV_A_SADDR4] = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 4 },
	[NP_PEV_A_SADDR6] = { .type = NLA_UNSPEC, .minlen = 16, .maxlen = 16 },
	[NP_PEV_A_DADDR4] = { .type = NLA_UNSPEC, .minlen = 4, .maxlen = 4 },
	[NP_PEV_A_DADDR6] = { .type = NLA_UNSPEC, .minlen = 16, .maxlen = 16 },
	[NP_PEV_A_PROTO] = { .type = NLA_U8, .maxlen = sizeof(uint8_t) },
	[NP_PEV_A_SPORT] = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
	[NP_PEV_A_DPORT] = { .type = NLA_U16, .maxlen = sizeof(uint16_t) },
	[NP_PEV_A_SUPPRESSED] = { .type = NLA_U32, .maxlen = sizeof(uint32_t) },
};

static const struct np_nl_attr_set pev_attrs = {
	.what = "POLICY_DROP event",
	.maxtype = NP_PEV_A_MAX,
	.names = pev_names,
	.policy = pev_policy,
	.required = BIT64(NP_PEV_A_DIR) | BIT64(NP_PEV_A_PROTO),
};

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static bool proto_ok(uint8_t p)
{
	return p == IPPROTO_TCP || p == IPPROTO_UDP || p == IPPROTO_SCTP;
}

/* ---- the chunk builder ------------------------------------------------- */

static size_t msg_len(struct nl_msg *msg)
{
	return nlmsg_hdr(msg)->nlmsg_len;
}

/* Cuts msg back to off bytes (an attribute boundary). */
static void trim(struct nl_msg *msg, size_t off)
{
	nla_nest_cancel(msg, (struct nlattr *)((char *)nlmsg_hdr(msg) + off));
}

struct chunk {
	struct nl_msg *msg;
	size_t limit;		/* message bytes, the STAGE attribute's kept */
	size_t attr;		/* nest bytes */
	struct nlattr *ep;	/* the open endpoint nest */
};

/* Everything put so far fits the message and the open endpoint nest. */
static bool fits(const struct chunk *c)
{
	size_t len = msg_len(c->msg);

	if (len > c->limit)
		return false;
	return !c->ep || (size_t)((char *)nlmsg_hdr(c->msg) + len -
				  (char *)c->ep) <= c->attr;
}

static int check_endpoint(const struct np_pol_endpoint *ep, size_t i,
			  struct np_err *err)
{
	char a[NP_ADDR_STRLEN];
	size_t r, p;

	if (ep->addr.family != AF_INET && ep->addr.family != AF_INET6)
		return np_err_set(err, EINVAL,
				  "endpoint %zu: address of no family", i);
	np_addr_str(&ep->addr, a, sizeof(a));
	if (ep->flags & ~(uint32_t)(NP_PEP_F_INGRESS | NP_PEP_F_EGRESS |
				    NP_PEP_F_DELETE))
		return np_err_set(err, EINVAL,
				  "endpoint %s: flags 0x%" PRIx32 " (only ingress, egress or delete)",
				  a, ep->flags);
	if ((ep->flags & NP_PEP_F_DELETE) &&
	    (ep->flags != NP_PEP_F_DELETE || ep->n_rules))
		return np_err_set(err, EINVAL,
				  "endpoint %s: a deletion carries nothing else",
				  a);
	if (ep->name && strlen(ep->name) > NP_PEP_NAME_MAX)
		return np_err_set(err, EINVAL,
				  "endpoint %s: name of %zu bytes (at most %d)",
				  a, strlen(ep->name), NP_PEP_NAME_MAX);
	for (r = 0; r < ep->n_rules; r++) {
		const struct np_pol_rule *ru = &ep->rules[r];

		if (ru->dir > NP_POL_DIR_MAX || ru->cls > NP_POL_CLASS_MAX)
			return np_err_set(err, EINVAL,
					  "endpoint %s: rule %zu: direction %u or class %" PRIu32 " out of range",
					  a, r, ru->dir, ru->cls);
		for (p = 0; p < ru->n_ports; p++) {
			const struct np_pol_port *po = &ru->ports[p];

			if (!proto_ok(po->proto) ||
			    (po->first && po->last < po->first) ||
			    (!po->first && po->last))
				return np_err_set(err, EINVAL,
						  "endpoint %s: rule %zu: port %zu: protocol %u, ports %u-%u",
						  a, r, p, po->proto,
						  po->first, po->last);
		}
	}
	return 0;
}

static int put_class(struct nl_msg *msg, const struct np_pol_class *cl)
{
	struct nlattr *nest = nla_nest_start(msg, NLA_F_NESTED |
					     NP_POL_A_CLASS);

	if (!nest)
		return -EMSGSIZE;
	if (np_nl_cidr_put(msg, NP_PCLS_A_CIDR, &cl->cidr) < 0 ||
	    nla_put_u32(msg, NP_PCLS_A_CLASS, cl->cls) < 0)
		return -EMSGSIZE;
	return nla_nest_end(msg, nest) < 0 ? -EMSGSIZE : 0;
}

static int put_port(struct nl_msg *msg, const struct np_pol_port *p)
{
	struct nlattr *nest = nla_nest_start(msg, NLA_F_NESTED |
					     NP_PRULE_A_PORT);

	if (!nest || nla_put_u8(msg, NP_PPORT_A_PROTO, p->proto) < 0)
		return -EMSGSIZE;
	if (p->first && (nla_put_u16(msg, NP_PPORT_A_FIRST, p->first) < 0 ||
			 (p->last != p->first &&
			  nla_put_u16(msg, NP_PPORT_A_LAST, p->last) < 0)))
		return -EMSGSIZE;
	return nla_nest_end(msg, nest) < 0 ? -EMSGSIZE : 0;
}

/*
 * The rules of ep from *rule / *port on, into the open endpoint nest,
 * while they fit; returns how many rule nests were added.
 */
static size_t put_rules(struct chunk *c, const struct np_pol_endpoint *ep,
			size_t *rule, size_t *port)
{
	struct nl_msg *msg = c->msg;
	size_t added = 0;

	while (*rule < ep->n_rules) {
		const struct np_pol_rule *r = &ep->rules[*rule];
		size_t mark = msg_len(msg), n = 0;
		struct nlattr *nest;

		nest = nla_nest_start(msg, NLA_F_NESTED | NP_PEP_A_RULE);
		if (!nest || nla_put_u8(msg, NP_PRULE_A_DIR, r->dir) < 0 ||
		    (r->cls && nla_put_u32(msg, NP_PRULE_A_CLASS, r->cls) < 0) ||
		    !fits(c)) {
			trim(msg, mark);
			return added;
		}
		while (*port < r->n_ports) {
			size_t pmark = msg_len(msg);

			if (put_port(msg, &r->ports[*port]) < 0 || !fits(c)) {
				trim(msg, pmark);
				break;
			}
			(*port)++;
			n++;
		}
		/* a rule without its ports would allow every port */
		if (r->n_ports && !n) {
			trim(msg, mark);
			return added;
		}
		nla_nest_end(msg, nest);
		added++;
		if (*port < r->n_ports)
			return added;	/* the rest in the next piece */
		(*rule)++;
		*port = 0;
	}
	return added;
}

/*
 * One nest of the endpoint at pos (its first piece, or a continuation);
 * returns the entries added (0: nothing fit, msg as before).
 */
static size_t put_endpoint(struct chunk *c, const struct np_pol_endpoint *ep,
			   struct np_nl_pol_pos *pos)
{
	bool cont = pos->cont;
	struct nl_msg *msg = c->msg;
	size_t mark = msg_len(msg), rules;
	uint32_t flags = cont ? NP_PEP_F_APPEND : ep->flags;

	c->ep = nla_nest_start(msg, NLA_F_NESTED | NP_POL_A_ENDPOINT);
	if (!c->ep ||
	    nla_put(msg, ep->addr.family == AF_INET ? NP_PEP_A_ADDR4 :
		    NP_PEP_A_ADDR6, (int)addr_len(ep->addr.family),
		    ep->addr.a) < 0 ||
	    nla_put_u32(msg, NP_PEP_A_FLAGS, flags) < 0 ||
	    (!cont && ep->name && ep->name[0] &&
	     nla_put_string(msg, NP_PEP_A_NAME, ep->name) < 0) ||
	    !fits(c))
		goto none;
	rules = put_rules(c, ep, &pos->rule, &pos->port);
	if (cont && !rules)
		goto none;	/* a continuation without rules says nothing */
	nla_nest_end(msg, c->ep);
	c->ep = NULL;
	pos->cont = true;
	return 1 + rules;
none:
	c->ep = NULL;
	trim(msg, mark);
	return 0;
}

int np_nl_pol_chunk_build(struct nl_msg *msg, const struct np_pol_txn *txn,
			  const struct np_nl_pol_limits *lim,
			  uint64_t expect_gen, struct np_nl_pol_pos *pos,
			  bool *last, struct np_err *err)
{
	struct chunk c = {
		.msg = msg,
		.limit = (lim && lim->msg ? lim->msg : NP_NL_POL_MSG_SIZE) -
			 NLA_HDRLEN - NLA_ALIGN(sizeof(uint32_t)),
		.attr = lim && lim->attr ? lim->attr : NP_NL_POL_ATTR_MAX,
	};
	size_t items = 0, mark;
	char a[NP_CIDR_STRLEN];

	*last = false;
	if (c.attr > NP_NL_POL_ATTR_MAX)
		c.attr = NP_NL_POL_ATTR_MAX;
	if (expect_gen &&
	    nla_put_u64(msg, NP_POL_A_GENERATION, expect_gen) < 0)
		goto full;
	for (; pos->cls < txn->n_classes; pos->cls++) {
		const struct np_pol_class *cl = &txn->classes[pos->cls];
		unsigned int bits = cl->cidr.addr.family == AF_INET ? 32 : 128;

		if ((cl->cidr.addr.family != AF_INET &&
		     cl->cidr.addr.family != AF_INET6) ||
		    cl->cidr.prefixlen > bits || cl->cls > NP_POL_CLASS_MAX)
			return np_err_set(err, EINVAL,
					  "class entry %zu (%s = %" PRIu32 "): bad prefix or class",
					  pos->cls,
					  np_cidr_str(&cl->cidr, a, sizeof(a)),
					  cl->cls);
		mark = msg_len(msg);
		if (put_class(msg, cl) < 0 || !fits(&c)) {
			trim(msg, mark);
			goto full;
		}
		items++;
	}
	while (pos->ep < txn->n_endpoints) {
		const struct np_pol_endpoint *ep = &txn->endpoints[pos->ep];
		size_t n;
		int r;

		if (!pos->cont) {
			r = check_endpoint(ep, pos->ep, err);
			if (r)
				return r;
		}
		n = put_endpoint(&c, ep, pos);
		if (!n)
			goto full;
		items += n;
		if (pos->rule == ep->n_rules) {
			pos->ep++;
			pos->rule = pos->port = 0;
			pos->cont = false;
		}
	}
	*last = true;
	return 0;
full:
	if (!items)
		return np_err_set(err, EMSGSIZE,
				  "POLICY_SET: an entry does not fit a message of %zu bytes",
				  c.limit);
	if (nla_put_u32(msg, NP_POL_A_STAGE, NP_POL_STAGE_F_MORE) < 0)
		return np_err_set(err, EMSGSIZE,
				  "POLICY_SET: no room for NP_POL_A_STAGE");
	return 0;
}

/* ---- the parser -------------------------------------------------------- */

/* Room for n elements: capacities are powers of two (at least 8). */
static size_t cap_for(size_t n)
{
	size_t c = 8;

	while (c < n)
		c *= 2;
	return c;
}

/* Makes room in *v (holding n of size) for one more element. */
static int grow(void **v, size_t n, size_t size)
{
	void *p;

	if (n && cap_for(n + 1) == cap_for(n))
		return 0;
	p = realloc(*v, cap_for(n + 1) * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	return 0;
}

static int oom(struct np_err *err)
{
	return np_err_set(err, ENOMEM, "POLICY: out of memory");
}

static int parse_class(const struct nlattr *nest, bool request,
		       struct np_pol_class *out, struct np_err *err)
{
	struct nlattr *tb[NP_PCLS_A_MAX + 1];
	struct np_addr net;
	char a[NP_CIDR_STRLEN];
	int r;

	r = np_nl_attr_parse(tb, &pcls_attrs, nla_data(nest),
			     (size_t)nla_len(nest), err);
	if (r)
		return r;
	if (nla_len(tb[NP_PCLS_A_CIDR]) < 0)
		return np_err_set(err, EBADMSG, "NP_POL_A_CLASS: bad NP_PCLS_A_CIDR");
	r = np_nl_cidr_parse(tb[NP_PCLS_A_CIDR], &pcls_cidr_attrs, &out->cidr,
			     err);
	if (r)
		return r;
	np_cidr_network(&out->cidr, &net);
	if (!np_addr_eq(&net, &out->cidr.addr))
		return np_err_set(err, EBADMSG,
				  "NP_POL_A_CLASS: attribute %d (NP_PCLS_A_CIDR): %s has host bits set",
				  NP_PCLS_A_CIDR,
				  np_cidr_str(&out->cidr, a, sizeof(a)));
	out->cls = nla_get_u32(tb[NP_PCLS_A_CLASS]);
	if (out->cls > NP_POL_CLASS_MAX || (!out->cls && !request))
		return np_err_set(err, EBADMSG,
				  "NP_POL_A_CLASS: attribute %d (NP_PCLS_A_CLASS): class %" PRIu32 " out of 1..%u",
				  NP_PCLS_A_CLASS, out->cls, NP_POL_CLASS_MAX);
	return 0;
}

static int parse_port(const struct nlattr *nest, struct np_pol_port *p,
		      struct np_err *err)
{
	struct nlattr *tb[NP_PPORT_A_MAX + 1];
	int r;

	memset(p, 0, sizeof(*p));
	r = np_nl_attr_parse(tb, &pport_attrs, nla_data(nest),
			     (size_t)nla_len(nest), err);
	if (r)
		return r;
	p->proto = nla_get_u8(tb[NP_PPORT_A_PROTO]);
	if (!proto_ok(p->proto))
		return np_err_set(err, EBADMSG,
				  "NP_PRULE_A_PORT: attribute %d (NP_PPORT_A_PROTO): protocol %u is not TCP, UDP or SCTP",
				  NP_PPORT_A_PROTO, p->proto);
	if (tb[NP_PPORT_A_LAST] && !tb[NP_PPORT_A_FIRST])
		return np_err_set(err, EBADMSG,
				  "NP_PRULE_A_PORT: attribute %d (NP_PPORT_A_LAST) without NP_PPORT_A_FIRST",
				  NP_PPORT_A_LAST);
	if (!tb[NP_PPORT_A_FIRST])
		return 0;
	p->first = nla_get_u16(tb[NP_PPORT_A_FIRST]);
	p->last = tb[NP_PPORT_A_LAST] ? nla_get_u16(tb[NP_PPORT_A_LAST]) :
					p->first;
	if (!p->first)
		return np_err_set(err, EBADMSG,
				  "NP_PRULE_A_PORT: attribute %d (NP_PPORT_A_FIRST): port 0",
				  NP_PPORT_A_FIRST);
	if (p->last < p->first)
		return np_err_set(err, EBADMSG,
				  "NP_PRULE_A_PORT: attribute %d (NP_PPORT_A_LAST): %u is below NP_PPORT_A_FIRST %u",
				  NP_PPORT_A_LAST, p->last, p->first);
	return 0;
}

/* One rule nest, appended to ep->rules. */
static int parse_rule(const struct nlattr *nest, struct np_pol_endpoint *ep,
		      struct np_err *err)
{
	struct nlattr *tb[NP_PRULE_A_MAX + 1];
	struct np_pol_rule *ru;
	struct nlattr *nla;
	int r, rem;

	r = np_nl_attr_parse(tb, &prule_attrs, nla_data(nest),
			     (size_t)nla_len(nest), err);
	if (r)
		return r;
	if (grow((void **)&ep->rules, ep->n_rules, sizeof(*ep->rules)) < 0)
		return oom(err);
	ru = &ep->rules[ep->n_rules++];
	memset(ru, 0, sizeof(*ru));
	ru->dir = nla_get_u8(tb[NP_PRULE_A_DIR]);
	if (ru->dir > NP_POL_DIR_MAX)
		return np_err_set(err, EBADMSG,
				  "NP_PEP_A_RULE: attribute %d (NP_PRULE_A_DIR): direction %u",
				  NP_PRULE_A_DIR, ru->dir);
	if (tb[NP_PRULE_A_CLASS]) {
		ru->cls = nla_get_u32(tb[NP_PRULE_A_CLASS]);
		if (!ru->cls || ru->cls > NP_POL_CLASS_MAX)
			return np_err_set(err, EBADMSG,
					  "NP_PEP_A_RULE: attribute %d (NP_PRULE_A_CLASS): class %" PRIu32 " out of 1..%u",
					  NP_PRULE_A_CLASS, ru->cls,
					  NP_POL_CLASS_MAX);
	}
	nla_for_each_attr(nla, nla_data(nest), nla_len(nest), rem) {
		if (nla_type(nla) != NP_PRULE_A_PORT)
			continue;
		if (grow((void **)&ru->ports, ru->n_ports,
			 sizeof(*ru->ports)) < 0)
			return oom(err);
		r = parse_port(nla, &ru->ports[ru->n_ports], err);
		if (r)
			return r;
		ru->n_ports++;
	}
	return 0;
}

/* One endpoint nest into ep (cleared first); *flags its NP_PEP_A_FLAGS. */
static int parse_endpoint(const struct nlattr *nest, bool request,
			  struct np_pol_endpoint *ep, struct np_err *err)
{
	struct nlattr *tb[NP_PEP_A_MAX + 1];
	struct nlattr *st[NP_PSTAT_A_MAX + 1];
	struct nlattr *nla;
	unsigned int i;
	int r, rem;

	memset(ep, 0, sizeof(*ep));
	r = np_nl_attr_parse(tb, &pep_attrs, nla_data(nest),
			     (size_t)nla_len(nest), err);
	if (r)
		return r;
	if (!!tb[NP_PEP_A_ADDR4] == !!tb[NP_PEP_A_ADDR6])
		return np_err_set(err, EBADMSG,
				  "NP_POL_A_ENDPOINT: needs exactly one of NP_PEP_A_ADDR4 and NP_PEP_A_ADDR6");
	ep->addr.family = tb[NP_PEP_A_ADDR4] ? AF_INET : AF_INET6;
	memcpy(ep->addr.a, nla_data(tb[NP_PEP_A_ADDR4] ? tb[NP_PEP_A_ADDR4] :
				    tb[NP_PEP_A_ADDR6]),
	       addr_len(ep->addr.family));
	if (tb[NP_PEP_A_FLAGS])
		ep->flags = nla_get_u32(tb[NP_PEP_A_FLAGS]);
	if (ep->flags & ~(uint32_t)__NP_PEP_F_ALL ||
	    (!request && ep->flags & NP_PEP_F_DELETE))
		return np_err_set(err, EBADMSG,
				  "NP_POL_A_ENDPOINT: attribute %d (NP_PEP_A_FLAGS): 0x%" PRIx32 " has bits a %s may not carry",
				  NP_PEP_A_FLAGS, ep->flags,
				  request ? "request" : "reply");
	if (ep->flags & NP_PEP_F_DELETE &&
	    (ep->flags != NP_PEP_F_DELETE || tb[NP_PEP_A_NAME] ||
	     tb[NP_PEP_A_RULE] || tb[NP_PEP_A_STATS]))
		return np_err_set(err, EBADMSG,
				  "NP_POL_A_ENDPOINT: NP_PEP_F_DELETE with other flags or attributes");
	if (tb[NP_PEP_A_NAME]) {
		char buf[NP_PEP_NAME_MAX_LEN];

		np_nl_printable(buf, sizeof(buf), nla_get_string(tb[NP_PEP_A_NAME]));
		if (buf[0] && !(ep->name = strdup(buf)))
			return oom(err);
	}
	if (tb[NP_PEP_A_STATS] && !request) {
		r = np_nl_attr_parse(st, &pstat_attrs,
				     nla_data(tb[NP_PEP_A_STATS]),
				     (size_t)nla_len(tb[NP_PEP_A_STATS]), err);
		if (r)
			return r;
		for (i = 0; i < NP_PSTAT_N; i++) {
			if (!st[NP_PSTAT_FIRST + i])
				continue;
			ep->stats[i] = nla_get_u64(st[NP_PSTAT_FIRST + i]);
			ep->stats_have |= 1U << i;
		}
	}
	nla_for_each_attr(nla, nla_data(nest), nla_len(nest), rem) {
		if (nla_type(nla) != NP_PEP_A_RULE)
			continue;
		r = parse_rule(nla, ep, err);
		if (r)
			return r;
	}
	return 0;
}

/* Moves the rules of cont (a continuation) to the end of ep's. */
static int append_rules(struct np_pol_endpoint *ep,
			struct np_pol_endpoint *cont, struct np_err *err)
{
	struct np_pol_rule *v;

	if (!cont->n_rules)
		return 0;
	v = realloc(ep->rules, (ep->n_rules + cont->n_rules) * sizeof(*v));
	if (!v)
		return oom(err);
	memcpy(v + ep->n_rules, cont->rules, cont->n_rules * sizeof(*v));
	ep->rules = v;
	ep->n_rules += cont->n_rules;
	free(cont->rules);
	cont->rules = NULL;
	cont->n_rules = 0;
	return 0;
}

static int merge_endpoint(struct np_pol_state *st, const struct nlattr *nest,
			  bool request, struct np_err *err)
{
	struct np_pol_endpoint ep, *last;
	char a[NP_ADDR_STRLEN];
	uint32_t iso = NP_PEP_F_INGRESS | NP_PEP_F_EGRESS;
	int r;

	r = parse_endpoint(nest, request, &ep, err);
	if (r)
		goto out;
	if (!(ep.flags & NP_PEP_F_APPEND)) {
		if (grow((void **)&st->endpoints, st->n_endpoints,
			 sizeof(*st->endpoints)) < 0) {
			r = oom(err);
			goto out;
		}
		st->endpoints[st->n_endpoints++] = ep;
		return 0;
	}
	last = st->n_endpoints ? &st->endpoints[st->n_endpoints - 1] : NULL;
	np_addr_str(&ep.addr, a, sizeof(a));
	if (!last || np_addr_cmp(&last->addr, &ep.addr) ||
	    last->flags & NP_PEP_F_DELETE) {
		r = np_err_set(err, EBADMSG,
			       "NP_POL_A_ENDPOINT: continuation (NP_PEP_F_APPEND) of %s without its first nest",
			       a);
		goto out;
	}
	if ((ep.flags & iso && (ep.flags & iso) != (last->flags & iso)) ||
	    (ep.name && strcmp(ep.name, last->name ? last->name : "")) ||
	    ep.stats_have) {
		r = np_err_set(err, EBADMSG,
			       "NP_POL_A_ENDPOINT: continuation of %s with other flags, a name or counters",
			       a);
		goto out;
	}
	r = append_rules(last, &ep, err);
out:
	np_pol_endpoint_clear(&ep);
	return r;
}

int np_nl_pol_msg_merge(struct np_pol_state *st, const struct nlmsghdr *nlh,
			size_t len, bool request, uint32_t *stage,
			struct np_err *err)
{
	const struct np_nl_attr_set *set = request ? &pol_req_attrs :
						     &np_nl_pol_attrs;
	struct nlattr *tb[NP_POL_A_MAX + 1];
	const void *head;
	struct nlattr *nla;
	size_t alen;
	int r, rem;

	if (stage)
		*stage = 0;
	r = np_nl_reply_parse(nlh, len, set, tb, &head, &alen, err);
	if (r)
		return r;
	if (tb[NP_POL_A_STAGE]) {
		uint32_t s = nla_get_u32(tb[NP_POL_A_STAGE]);

		if (!request || s & ~(uint32_t)__NP_POL_STAGE_F_ALL)
			return np_err_set(err, EBADMSG,
					  "%s: attribute %d (NP_POL_A_STAGE): 0x%" PRIx32 " %s",
					  set->what, NP_POL_A_STAGE, s,
					  request ? "has unknown bits" :
					  "in a reply");
		if (stage)
			*stage = s;
	}
	if (tb[NP_POL_A_GENERATION])
		st->generation = nla_get_u64(tb[NP_POL_A_GENERATION]);
	nla_for_each_attr(nla, (struct nlattr *)head, (int)alen, rem) {
		int type = nla_type(nla);

		if (type == NP_POL_A_CLASS) {
			if (grow((void **)&st->classes, st->n_classes,
				 sizeof(*st->classes)) < 0)
				return oom(err);
			r = parse_class(nla, request,
					&st->classes[st->n_classes], err);
			if (r)
				return r;
			st->n_classes++;
		} else if (type == NP_POL_A_ENDPOINT) {
			r = merge_endpoint(st, nla, request, err);
			if (r)
				return r;
		}
	}
	return 0;
}

int np_nl_pol_state_finish(struct np_pol_state *st, struct np_err *err)
{
	char a[NP_CIDR_STRLEN];
	size_t i;

	for (i = 0; i < st->n_endpoints; i++)
		if (np_pol_endpoint_canon(&st->endpoints[i]) < 0)
			return oom(err);
	if (st->n_endpoints > 1)
		qsort(st->endpoints, st->n_endpoints, sizeof(*st->endpoints),
		      np_pol_endpoint_qcmp);
	if (st->n_classes > 1)
		qsort(st->classes, st->n_classes, sizeof(*st->classes),
		      np_pol_class_qcmp);
	for (i = 1; i < st->n_endpoints; i++)
		if (!np_pol_endpoint_qcmp(&st->endpoints[i - 1],
					  &st->endpoints[i]))
			return np_err_set(err, EBADMSG,
					  "POLICY_GET reply: endpoint %s twice",
					  np_addr_str(&st->endpoints[i].addr,
						      a, sizeof(a)));
	for (i = 1; i < st->n_classes; i++)
		if (!np_pol_class_qcmp(&st->classes[i - 1], &st->classes[i]))
			return np_err_set(err, EBADMSG,
					  "POLICY_GET reply: prefix %s twice",
					  np_cidr_str(&st->classes[i].cidr, a,
						      sizeof(a)));
	return 0;
}

int np_nl_pol_gen_parse(const struct nlmsghdr *nlh, size_t len,
			uint64_t *gen, struct np_err *err)
{
	struct nlattr *tb[NP_POL_A_MAX + 1];
	const void *head;
	size_t alen;
	int r;

	r = np_nl_reply_parse(nlh, len, &pol_set_reply_attrs, tb, &head,
			      &alen, err);
	if (r)
		return r;
	*gen = nla_get_u64(tb[NP_POL_A_GENERATION]);
	return 0;
}

/* Exactly one of a4 / a6 into out (required when req). */
static int event_addr(struct nlattr **tb, int a4, int a6, bool req,
		      struct np_addr *out, struct np_err *err)
{
	memset(out, 0, sizeof(*out));
	if (tb[a4] && tb[a6])
		return np_err_set(err, EBADMSG, "%s: both %s and %s",
				  pev_attrs.what, pev_names[a4], pev_names[a6]);
	if (!tb[a4] && !tb[a6]) {
		if (!req)
			return 0;
		return np_err_set(err, EBADMSG, "%s: missing %s or %s",
				  pev_attrs.what, pev_names[a4], pev_names[a6]);
	}
	out->family = tb[a4] ? AF_INET : AF_INET6;
	memcpy(out->a, nla_data(tb[a4] ? tb[a4] : tb[a6]),
	       addr_len(out->family));
	return 0;
}

int np_nl_pol_drop_parse(const struct nlmsghdr *nlh, size_t len,
			 struct np_pol_drop *out, struct np_err *err)
{
	struct nlattr *tb[NP_PEV_A_MAX + 1];
	const struct genlmsghdr *g;
	const void *head;
	size_t alen;
	int r;

	memset(out, 0, sizeof(*out));
	r = np_nl_reply_parse(nlh, len, &pev_attrs, tb, &head, &alen, err);
	if (r)
		return r;
	g = (const struct genlmsghdr *)((const char *)nlh + NLMSG_HDRLEN);
	if (g->cmd != NP_CMD_POLICY_DROP)
		return np_err_set(err, EBADMSG, "%s: command %u",
				  pev_attrs.what, g->cmd);
	out->dir = nla_get_u8(tb[NP_PEV_A_DIR]);
	if (out->dir > NP_POL_DIR_MAX)
		return np_err_set(err, EBADMSG,
				  "%s: attribute %d (NP_PEV_A_DIR): direction %u",
				  pev_attrs.what, NP_PEV_A_DIR, out->dir);
	r = event_addr(tb, NP_PEV_A_ENDPOINT4, NP_PEV_A_ENDPOINT6, true,
		       &out->endpoint, err);
	if (!r)
		r = event_addr(tb, NP_PEV_A_SADDR4, NP_PEV_A_SADDR6, true,
			       &out->saddr, err);
	if (!r)
		r = event_addr(tb, NP_PEV_A_DADDR4, NP_PEV_A_DADDR6, true,
			       &out->daddr, err);
	if (r)
		return r;
	if (out->saddr.family != out->daddr.family ||
	    out->saddr.family != out->endpoint.family)
		return np_err_set(err, EBADMSG,
				  "%s: endpoint, source and destination of different families",
				  pev_attrs.what);
	if (tb[NP_PEV_A_NAME])
		np_nl_printable(out->name, sizeof(out->name),
				nla_get_string(tb[NP_PEV_A_NAME]));
	out->proto = nla_get_u8(tb[NP_PEV_A_PROTO]);
	if (tb[NP_PEV_A_SPORT])
		out->sport = nla_get_u16(tb[NP_PEV_A_SPORT]);
	if (tb[NP_PEV_A_DPORT])
		out->dport = nla_get_u16(tb[NP_PEV_A_DPORT]);
	if (tb[NP_PEV_A_SUPPRESSED])
		out->suppressed = nla_get_u32(tb[NP_PEV_A_SUPPRESSED]);
	return 0;
}

/* ---- on a socket ------------------------------------------------------- */

struct set_ctx {
	const struct np_pol_txn *txn;
	uint64_t expect;
	struct np_nl_pol_pos pos, next;	/* this chunk's start, the next's */
	bool last;
	struct np_err berr;		/* the builder's explanation */
	uint64_t gen;
	int got;
};

static int set_build(struct nl_msg *msg, void *ctx)
{
	struct set_ctx *s = ctx;

	/* deterministic from s->pos: a resend after a reload builds the same */
	s->next = s->pos;
	np_err_clear(&s->berr);
	return np_nl_pol_chunk_build(msg, s->txn, NULL, s->expect, &s->next,
				     &s->last, &s->berr);
}

static int gen_reply(const struct nlmsghdr *nlh, void *ctx,
		     struct np_err *err)
{
	struct set_ctx *s = ctx;
	int r;

	if (s->got)	/* a doit answers once; ignore anything more */
		return 0;
	r = np_nl_pol_gen_parse(nlh, nlh->nlmsg_len, &s->gen, err);
	if (r)
		return r;
	s->got = 1;
	return 0;
}

int np_nl_pol_set(struct np_nl *nl, const struct np_pol_txn *txn,
		  uint64_t expect_gen, uint64_t *gen, struct np_err *err)
{
	struct set_ctx s = { .txn = txn, .expect = expect_gen };
	size_t ms, n = 0;
	int r;

	np_err_clear(err);
	ms = np_nl_msg_size_raise(NP_NL_POL_MSG_SIZE);
	for (;;) {
		s.got = 0;
		r = np_nl_request(nl, NP_CMD_POLICY_SET, set_build, gen_reply,
				  &s, err);
		n++;
		if (r && s.berr.err) {
			*err = s.berr;	/* ours, not the kernel's */
			break;
		}
		if (r)
			break;
		if (s.last && !s.got) {
			r = np_err_set(err, EBADMSG,
				       "POLICY_SET: commit acknowledged without a reply (NP_POL_A_GENERATION)");
			break;
		}
		if (s.last)
			break;
		s.pos = s.next;
	}
	np_nl_msg_size_restore(ms);
	if (r && (n > 1 || !s.last)) {
		char msg[NP_ERR_MSG_LEN];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		np_err_set(err, err->err, "transaction chunk %zu%s: %s", n,
			   s.last ? " (the commit)" : "", msg);
	}
	if (!r && gen)
		*gen = s.gen;
	return r;
}

static void dump_reset(void *ctx)
{
	np_pol_state_free(ctx);
}

static int dump_reply(const struct nlmsghdr *nlh, void *ctx,
		      struct np_err *err)
{
	return np_nl_pol_msg_merge(ctx, nlh, nlh->nlmsg_len, false, NULL, err);
}

int np_nl_pol_dump(struct np_nl *nl, struct np_pol_state *st,
		   struct np_err *err)
{
	int r;

	memset(st, 0, sizeof(*st));
	r = np_nl_dump(nl, NP_CMD_POLICY_GET, NULL, dump_reply, dump_reset, st,
		       err);
	if (!r)
		r = np_nl_pol_state_finish(st, err);
	if (r)
		np_pol_state_free(st);
	return r;
}
