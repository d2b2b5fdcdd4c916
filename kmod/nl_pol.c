// SPDX-License-Identifier: GPL-2.0
/*
 * NP_CMD_POLICY_SET / NP_CMD_POLICY_GET / NP_CMD_POLICY_DROP: the
 * NetworkPolicy state of the caller's netns (kmod/policy.c). A SET chunk
 * is parsed into the sending socket's transaction; any error drops the
 * whole transaction. Policies are in nl_policy.c; every rejection
 * carries an extack message naming the attribute.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <linux/nodeplane.h>

#include "cidr.h"
#include "netlink.h"
#include "nl_pol.h"
#include "nl_policy.h"
#include "params.h"
#include "pernet.h"
#include "policy.h"

bool np_pol_nl_enabled(struct netlink_ext_ack *extack)
{
	if (np_params_features() & NP_FEATURE_F_NETWORK_POLICY)
		return true;
	NL_SET_ERR_MSG_MOD(extack,
			   "network-policy disabled by the disable= module parameter");
	return false;
}

/* ---- SET ---- */

static int parse_class(struct np_net *nn, struct np_pol_tx *tx,
		       const struct nlattr *nest, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NP_PCLS_A_MAX + 1];
	struct np_cidr c;
	int err;

	err = nla_parse_nested(tb, NP_PCLS_A_MAX, nest, np_pcls_policy, extack);
	if (err)
		return err;
	if (!tb[NP_PCLS_A_CIDR]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "NP_POL_A_CLASS needs NP_PCLS_A_CIDR");
		return -EINVAL;
	}
	if (!tb[NP_PCLS_A_CLASS]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "NP_POL_A_CLASS needs NP_PCLS_A_CLASS (0 removes the prefix)");
		return -EINVAL;
	}
	err = np_cidr_parse(tb[NP_PCLS_A_CIDR], &c, extack);
	if (err)
		return err;
	err = np_pol_tx_add_class(nn, tx, c.family, c.addr, c.plen,
				  nla_get_u32(tb[NP_PCLS_A_CLASS]), extack);
	if (err == -ENOSPC)
		NL_SET_BAD_ATTR(extack, nest);
	return err;
}

static bool proto_ok(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP;
}

static int parse_port(const struct nlattr *nest, struct np_pol_raw *raw,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NP_PPORT_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, NP_PPORT_A_MAX, nest, np_pport_policy,
			       extack);
	if (err)
		return err;
	if (!tb[NP_PPORT_A_PROTO]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "NP_PRULE_A_PORT needs NP_PPORT_A_PROTO");
		return -EINVAL;
	}
	raw->proto = nla_get_u8(tb[NP_PPORT_A_PROTO]);
	if (!proto_ok(raw->proto)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NP_PPORT_A_PROTO],
				    "NP_PPORT_A_PROTO is IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP");
		return -EINVAL;
	}
	if (!tb[NP_PPORT_A_FIRST]) {
		if (tb[NP_PPORT_A_LAST]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[NP_PPORT_A_LAST],
					    "NP_PPORT_A_LAST without NP_PPORT_A_FIRST");
			return -EINVAL;
		}
		raw->first = 0;
		raw->last = 65535;
		return 0;
	}
	raw->first = nla_get_u16(tb[NP_PPORT_A_FIRST]);
	raw->last = tb[NP_PPORT_A_LAST] ? nla_get_u16(tb[NP_PPORT_A_LAST]) :
					  raw->first;
	if (raw->last < raw->first) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NP_PPORT_A_LAST],
				    "NP_PPORT_A_LAST below NP_PPORT_A_FIRST");
		return -EINVAL;
	}
	return 0;
}

static int parse_rule(struct np_net *nn, struct np_pol_tx *tx,
		      struct np_pol_sep *sep, const struct nlattr *nest,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NP_PRULE_A_MAX + 1];
	struct np_pol_raw raw = {};
	const struct nlattr *p;
	bool ports = false;
	int rem, err;

	err = nla_parse_nested(tb, NP_PRULE_A_MAX, nest, np_prule_policy,
			       extack);
	if (err)
		return err;
	if (!tb[NP_PRULE_A_DIR]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "NP_PEP_A_RULE needs NP_PRULE_A_DIR");
		return -EINVAL;
	}
	raw.dir = nla_get_u8(tb[NP_PRULE_A_DIR]);
	raw.class = tb[NP_PRULE_A_CLASS] ? nla_get_u32(tb[NP_PRULE_A_CLASS]) : 0;
	nla_for_each_nested(p, nest, rem) {
		if (nla_type(p) != NP_PRULE_A_PORT)
			continue;
		ports = true;
		err = parse_port(p, &raw, extack);
		if (err)
			return err;
		err = np_pol_tx_add_rule(nn, tx, sep, &raw, extack);
		if (err) {
			if (err == -ENOSPC)
				NL_SET_BAD_ATTR(extack, p);
			return err;
		}
	}
	if (ports)
		return 0;
	raw.proto = 0;		/* every protocol and port */
	err = np_pol_tx_add_rule(nn, tx, sep, &raw, extack);
	if (err == -ENOSPC)
		NL_SET_BAD_ATTR(extack, nest);
	return err;
}

static int parse_endpoint(struct np_net *nn, struct np_pol_tx *tx,
			  const struct nlattr *nest,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NP_PEP_A_MAX + 1];
	const struct nlattr *a, *r;
	struct np_pol_sep *sep;
	u8 addr[16] = {};
	u32 flags;
	int rem, err;
	u8 fam;

	err = nla_parse_nested(tb, NP_PEP_A_MAX, nest, np_pep_policy, extack);
	if (err)
		return err;
	if (!!tb[NP_PEP_A_ADDR4] == !!tb[NP_PEP_A_ADDR6]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "NP_POL_A_ENDPOINT needs exactly one of NP_PEP_A_ADDR4 and NP_PEP_A_ADDR6");
		return -EINVAL;
	}
	a = tb[NP_PEP_A_ADDR4] ? tb[NP_PEP_A_ADDR4] : tb[NP_PEP_A_ADDR6];
	fam = tb[NP_PEP_A_ADDR4] ? NP_LPM_V4 : NP_LPM_V6;
	nla_memcpy(addr, a, np_pol_alen(fam));
	flags = tb[NP_PEP_A_FLAGS] ? nla_get_u32(tb[NP_PEP_A_FLAGS]) : 0;
	if (flags & ~(u32)__NP_PEP_F_ALL) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NP_PEP_A_FLAGS],
				    "unknown flag bits in NP_PEP_A_FLAGS");
		return -EOPNOTSUPP;
	}
	if ((flags & NP_PEP_F_DELETE) &&
	    (flags != NP_PEP_F_DELETE || tb[NP_PEP_A_NAME] ||
	     tb[NP_PEP_A_RULE])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NP_PEP_A_FLAGS],
				    "NP_PEP_F_DELETE takes no other flag, name or rule");
		return -EINVAL;
	}
	if ((flags & NP_PEP_F_APPEND) &&
	    (flags != NP_PEP_F_APPEND || tb[NP_PEP_A_NAME])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NP_PEP_A_FLAGS],
				    "NP_PEP_F_APPEND adds rules only (no other flag, no name)");
		return -EINVAL;
	}
	sep = np_pol_tx_add_ep(nn, tx, fam, addr, flags,
			       tb[NP_PEP_A_NAME] ?
			       nla_data(tb[NP_PEP_A_NAME]) : NULL,
			       flags & NP_PEP_F_APPEND, extack);
	if (IS_ERR(sep)) {
		NL_SET_BAD_ATTR(extack, a);
		return PTR_ERR(sep);
	}
	nla_for_each_nested(r, nest, rem) {
		if (nla_type(r) != NP_PEP_A_RULE)
			continue;
		err = parse_rule(nn, tx, sep, r, extack);
		if (err)
			return err;
	}
	return 0;
}

static int reply_generation(struct genl_info *info, u64 gen)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = np_genl_put(msg, info->snd_portid, info->snd_seq, 0,
			  NP_CMD_POLICY_SET);
	if (!hdr || nla_put_u64_64bit(msg, NP_POL_A_GENERATION, gen,
				      NP_POL_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int np_pol_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct np_net *nn = np_pernet(net);
	const struct nlattr *sa = info->attrs[NP_POL_A_STAGE];
	const struct nlattr *ga = info->attrs[NP_POL_A_GENERATION];
	const struct nlattr *a;
	struct np_pol_tx *tx;
	int rem, err = 0;
	u32 stage;
	u64 gen;

	stage = sa ? nla_get_u32(sa) : 0;
	if (stage & ~(u32)__NP_POL_STAGE_F_ALL) {
		NL_SET_ERR_MSG_ATTR(info->extack, sa,
				    "unknown flag bits in NP_POL_A_STAGE");
		return -EOPNOTSUPP;
	}
	mutex_lock(&nn->lock);
	tx = np_pol_tx_get(nn, info->snd_portid, info->extack);
	if (IS_ERR(tx)) {
		mutex_unlock(&nn->lock);
		return PTR_ERR(tx);
	}
	if (ga)
		np_pol_tx_set_gen(tx, nla_get_u64(ga));
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) == NP_POL_A_CLASS)
			err = parse_class(nn, tx, a, info->extack);
		else if (nla_type(a) == NP_POL_A_ENDPOINT)
			err = parse_endpoint(nn, tx, a, info->extack);
		if (err)
			goto drop;
	}
	if (!(stage & NP_POL_STAGE_F_MORE)) {
		err = np_pol_tx_commit(net, tx, info->extack);
		if (err == -ESTALE)
			NL_SET_BAD_ATTR(info->extack, ga);
		np_pol_tx_drop(nn);
		if (err)
			goto out;
	}
	gen = np_pol_generation(nn);
	mutex_unlock(&nn->lock);
	return reply_generation(info, gen);

drop:
	np_pol_tx_drop(nn);
out:
	mutex_unlock(&nn->lock);
	return err;
}

/* ---- GET ---- */

/*
 * cb->args: [0] phase (0, 1: the class map of IPv4, IPv6; 2: endpoints),
 * [1] prefix or bucket index, [2] endpoint index in the bucket, [3] [4]
 * [5] the next rule of that endpoint: direction, entry (0: any peer),
 * range.
 */
enum { PH_CLS4, PH_CLS6, PH_EPS, PH_DONE };

static int put_classes(struct sk_buff *skb, const struct np_pol_cmap *m,
		       u8 fam, u32 *i)
{
	const struct np_pol_cfam *f = &m->f[fam];
	struct nlattr *nest;
	struct np_cidr c;
	u32 class, sent = 0;

	for (; *i < f->npfx; (*i)++, sent++) {
		c.family = fam;
		np_pol_cmap_get(m, fam, *i, c.addr, &c.plen, &class);
		nest = nla_nest_start(skb, NP_POL_A_CLASS);
		if (!nest)
			break;
		if (np_cidr_put(skb, NP_PCLS_A_CIDR, &c) ||
		    nla_put_u32(skb, NP_PCLS_A_CLASS, class)) {
			nla_nest_cancel(skb, nest);
			break;
		}
		nla_nest_end(skb, nest);
	}
	return sent;
}

static int put_stats(struct sk_buff *skb, const struct np_pol_ep *ep)
{
	u64 v[__NP_POL_COUNTERS];
	struct nlattr *nest;
	int i;

	BUILD_BUG_ON(NP_PSTAT_A_EGRESS_DROPPED - NP_PSTAT_A_INGRESS_ALLOWED + 1
		     != __NP_POL_COUNTERS);
	np_pol_stats_sum(ep, v);
	nest = nla_nest_start(skb, NP_PEP_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < __NP_POL_COUNTERS; i++)
		if (nla_put_u64_64bit(skb, NP_PSTAT_A_INGRESS_ALLOWED + i, v[i],
				      NP_PSTAT_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Rules of @ep from the cursor (@c[0..2]) on; returns 1 if more remain. */
static int put_rules(struct sk_buff *skb, const struct np_pol_ep *ep,
		     long *c)
{
	for (; c[0] < __NP_POL_DIR_MAX; c[0]++, c[1] = 0) {
		const struct np_pol_rules *d = &ep->dir[c[0]];

		for (; c[1] <= d->nent; c[1]++, c[2] = 0) {
			const struct np_pol_centry *e =
				c[1] ? &d->ent[c[1] - 1] : &d->any;
			struct nlattr *rule, *port;
			bool wrote = false;

			if (!(e->flags & NP_POL_CE_ANY) && !e->n)
				continue;
			rule = nla_nest_start(skb, NP_PEP_A_RULE);
			if (!rule)
				return 1;
			if (nla_put_u8(skb, NP_PRULE_A_DIR, c[0]) ||
			    (e->class &&
			     nla_put_u32(skb, NP_PRULE_A_CLASS, e->class))) {
				nla_nest_cancel(skb, rule);
				return 1;
			}
			for (; c[2] < e->n; c[2]++) {
				const struct np_pol_range *r =
					&d->r[e->first + c[2]];

				port = nla_nest_start(skb, NP_PRULE_A_PORT);
				if (!port ||
				    nla_put_u8(skb, NP_PPORT_A_PROTO, r->proto) ||
				    (r->first &&
				     (nla_put_u16(skb, NP_PPORT_A_FIRST,
						  r->first) ||
				      nla_put_u16(skb, NP_PPORT_A_LAST,
						  r->last)))) {
					if (port)
						nla_nest_cancel(skb, port);
					if (!wrote) {
						nla_nest_cancel(skb, rule);
						return 1;
					}
					nla_nest_end(skb, rule);
					return 1;
				}
				nla_nest_end(skb, port);
				wrote = true;
			}
			nla_nest_end(skb, rule);
		}
	}
	return 0;
}

/*
 * One message of @ep from the cursor @c (c[0]: 0 before the first
 * message, else the direction + 1); 0 when complete, 1 when more messages
 * follow, -EMSGSIZE when nothing fitted.
 */
static int fill_ep(struct sk_buff *skb, struct netlink_callback *cb,
		   const struct np_pol_ep *ep, u64 gen, long *c)
{
	long cur[3] = { c[0] ? c[0] - 1 : 0, c[1], c[2] };
	bool first = !c[0];
	struct nlattr *nest;
	void *hdr;
	int more;

	hdr = np_genl_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  NLM_F_MULTI, NP_CMD_POLICY_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u64_64bit(skb, NP_POL_A_GENERATION, gen, NP_POL_A_PAD))
		goto cancel;
	nest = nla_nest_start(skb, NP_POL_A_ENDPOINT);
	if (!nest ||
	    nla_put(skb, ep->fam == NP_LPM_V4 ? NP_PEP_A_ADDR4 :
		    NP_PEP_A_ADDR6, np_pol_alen(ep->fam), ep->addr) ||
	    nla_put_u32(skb, NP_PEP_A_FLAGS,
			first ? ep->flags : NP_PEP_F_APPEND))
		goto cancel;
	if (first && ((ep->name &&
		       nla_put_string(skb, NP_PEP_A_NAME, ep->name)) ||
		      put_stats(skb, ep)))
		goto cancel;
	more = put_rules(skb, ep, cur);
	if (more && !first && cur[0] == c[0] - 1 && cur[1] == c[1] &&
	    cur[2] == c[2])
		goto cancel;	/* not one rule: the next message */
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	c[0] = cur[0] + 1;
	c[1] = cur[1];
	c[2] = cur[2];
	return more;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int np_pol_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct np_net *nn = np_pernet(sock_net(skb->sk));
	const struct np_pol_root *r;
	u64 gen;
	void *hdr;
	u32 i;
	int more;

	if (!np_pol_nl_enabled(cb->extack))
		return -EOPNOTSUPP;
	mutex_lock(&nn->lock);
	gen = np_pol_generation(nn);
	cb->seq = (u32)gen;
	r = np_pol_root_locked(nn);
	if (!r)
		goto out;
	while (cb->args[0] < PH_EPS) {
		u8 fam = cb->args[0] == PH_CLS4 ? NP_LPM_V4 : NP_LPM_V6;

		if (cb->args[1] >= r->cmap->f[fam].npfx) {
			cb->args[0]++;
			cb->args[1] = 0;
			continue;
		}
		hdr = np_genl_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, NLM_F_MULTI,
				  NP_CMD_POLICY_GET);
		if (!hdr)
			goto out;
		genl_dump_check_consistent(cb, hdr);
		i = cb->args[1];
		if (nla_put_u64_64bit(skb, NP_POL_A_GENERATION, gen,
				      NP_POL_A_PAD) ||
		    !put_classes(skb, r->cmap, fam, &i)) {
			genlmsg_cancel(skb, hdr);
			goto out;
		}
		genlmsg_end(skb, hdr);
		cb->args[1] = i;
	}
	for (; cb->args[0] == PH_EPS && cb->args[1] <= r->mask;
	     cb->args[1]++, cb->args[2] = 0) {
		const struct np_pol_bucket *b = r->b[cb->args[1]];

		for (; b && cb->args[2] < b->n; cb->args[2]++) {
			more = fill_ep(skb, cb, b->ep[cb->args[2]], gen,
				       &cb->args[3]);
			if (more < 0)
				goto out;
			if (more)
				goto out;
			cb->args[3] = cb->args[4] = cb->args[5] = 0;
		}
	}
out:
	mutex_unlock(&nn->lock);
	return skb->len;
}

/* ---- DROP events ---- */

void np_pol_nl_drop_event(struct net *net, const struct np_pol_ep *ep, u8 dir,
			  u8 fam, const u8 *saddr, const u8 *daddr, u8 proto,
			  u16 sport, u16 dport, u32 suppressed)
{
	unsigned int alen = np_pol_alen(fam);
	bool v4 = fam == NP_LPM_V4;
	struct sk_buff *msg;
	void *hdr;

	if (!np_genl_has_event_listeners(net))
		return;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = np_genl_put(msg, 0, 0, 0, NP_CMD_POLICY_DROP);
	if (!hdr ||
	    nla_put_u8(msg, NP_PEV_A_DIR, dir) ||
	    nla_put(msg, v4 ? NP_PEV_A_ENDPOINT4 : NP_PEV_A_ENDPOINT6, alen,
		    ep->addr) ||
	    (ep->name && nla_put_string(msg, NP_PEV_A_NAME, ep->name)) ||
	    nla_put(msg, v4 ? NP_PEV_A_SADDR4 : NP_PEV_A_SADDR6, alen, saddr) ||
	    nla_put(msg, v4 ? NP_PEV_A_DADDR4 : NP_PEV_A_DADDR6, alen, daddr) ||
	    nla_put_u8(msg, NP_PEV_A_PROTO, proto) ||
	    ((proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	      proto == IPPROTO_SCTP) &&
	     (nla_put_u16(msg, NP_PEV_A_SPORT, sport) ||
	      nla_put_u16(msg, NP_PEV_A_DPORT, dport))) ||
	    nla_put_u32(msg, NP_PEV_A_SUPPRESSED, suppressed)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	np_genl_event(net, msg);
}
