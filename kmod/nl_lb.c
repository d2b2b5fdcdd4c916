// SPDX-License-Identifier: GPL-2.0
/*
 * NP_CMD_LB_SET / NP_CMD_LB_DEL / NP_CMD_LB_GET: the ServiceLB and hostPort
 * frontends of the caller's netns (kmod/lb.c does the data path). Staging
 * of objects too large for one message, the generation and the owners'
 * feature switches as the uapi header describes them. Policies are in
 * nl_policy.c; every rejection carries an extack message.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <linux/nodeplane.h>

#include "cidr.h"
#include "lb.h"
#include "masq.h"
#include "netlink.h"
#include "nl_lb.h"
#include "nl_policy.h"
#include "params.h"
#include "pernet.h"

struct lb_key {
	u8 fam;			/* enum np_lpm_family */
	u8 proto;
	u16 port;
	bool has_local;
	u8 local[16];
};

static const u8 *key_local(const struct lb_key *k)
{
	return k->has_local ? k->local : NULL;
}

static bool owner_enabled(u8 owner, struct netlink_ext_ack *extack)
{
	u32 f = np_params_features();

	if (owner == NP_LB_OWNER_SERVICELB && !(f & NP_FEATURE_F_SERVICELB)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "servicelb disabled by the disable= module parameter");
		return false;
	}
	if (owner == NP_LB_OWNER_HOSTPORT && !(f & NP_FEATURE_F_HOSTPORT)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "hostport disabled by the disable= module parameter");
		return false;
	}
	return true;
}

/* Either LB owner enabled? (Checked for every LB command.) */
bool np_lb_nl_enabled(struct netlink_ext_ack *extack)
{
	if (np_params_features() &
	    (NP_FEATURE_F_SERVICELB | NP_FEATURE_F_HOSTPORT))
		return true;
	NL_SET_ERR_MSG_MOD(extack,
			   "servicelb and hostport disabled by the disable= module parameter");
	return false;
}

static int parse_key(struct genl_info *info, struct lb_key *k)
{
	struct nlattr **tb = info->attrs;
	const struct nlattr *l4 = tb[NP_LB_A_LOCAL4], *l6 = tb[NP_LB_A_LOCAL6];

	if (GENL_REQ_ATTR_CHECK(info, NP_LB_A_FAMILY)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing NP_LB_A_FAMILY");
		return -EINVAL;
	}
	if (GENL_REQ_ATTR_CHECK(info, NP_LB_A_PROTO)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing NP_LB_A_PROTO");
		return -EINVAL;
	}
	if (GENL_REQ_ATTR_CHECK(info, NP_LB_A_PORT)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing NP_LB_A_PORT");
		return -EINVAL;
	}
	memset(k, 0, sizeof(*k));
	switch (nla_get_u8(tb[NP_LB_A_FAMILY])) {
	case AF_INET:
		k->fam = NP_LPM_V4;
		break;
	case AF_INET6:
		k->fam = NP_LPM_V6;
		break;
	default:
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NP_LB_A_FAMILY],
				    "NP_LB_A_FAMILY is AF_INET (2) or AF_INET6 (10)");
		return -EINVAL;
	}
	k->proto = nla_get_u8(tb[NP_LB_A_PROTO]);
	if (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP &&
	    k->proto != IPPROTO_SCTP) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NP_LB_A_PROTO],
				    "NP_LB_A_PROTO is IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP");
		return -EINVAL;
	}
	k->port = nla_get_u16(tb[NP_LB_A_PORT]);
	if (l4 && l6) {
		NL_SET_ERR_MSG_ATTR(info->extack, l6,
				    "NP_LB_A_LOCAL4 and NP_LB_A_LOCAL6 together");
		return -EINVAL;
	}
	if ((l4 && k->fam != NP_LPM_V4) || (l6 && k->fam != NP_LPM_V6)) {
		NL_SET_ERR_MSG_ATTR(info->extack, l4 ? l4 : l6,
				    "NP_LB_A_LOCAL4/6 not of NP_LB_A_FAMILY");
		return -EINVAL;
	}
	if (l4 || l6) {
		k->has_local = true;
		nla_memcpy(k->local, l4 ? l4 : l6, np_lb_alen(k->fam));
	}
	return 0;
}

/* The frontend attributes of a whole SET or of a first chunk. */
static int parse_value(struct genl_info *info, struct np_lb_fe *fe)
{
	struct nlattr **tb = info->attrs;

	fe->owner = tb[NP_LB_A_OWNER] ? nla_get_u8(tb[NP_LB_A_OWNER]) :
					NP_LB_OWNER_SERVICELB;
	fe->flags = tb[NP_LB_A_FLAGS] ? nla_get_u32(tb[NP_LB_A_FLAGS]) : 0;
	if (fe->flags & ~(u32)__NP_LB_F_ALL) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[NP_LB_A_FLAGS],
				    "unknown flag bits in NP_LB_A_FLAGS");
		return -EOPNOTSUPP;
	}
	fe->affinity = tb[NP_LB_A_AFFINITY] ?
		       nla_get_u32(tb[NP_LB_A_AFFINITY]) : 0;
	if (!owner_enabled(fe->owner, info->extack))
		return -EOPNOTSUPP;
	return 0;
}

static int parse_backend(const struct nlattr *nest, u8 fam,
			 struct np_lb_be *be, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NP_LBB_A_MAX + 1];
	const struct nlattr *a;
	u32 flags;
	int err;

	err = nla_parse_nested(tb, NP_LBB_A_MAX, nest, np_lbb_policy, extack);
	if (err)
		return err;
	a = fam == NP_LPM_V4 ? tb[NP_LBB_A_ADDR4] : tb[NP_LBB_A_ADDR6];
	if (!a || tb[fam == NP_LPM_V4 ? NP_LBB_A_ADDR6 : NP_LBB_A_ADDR4]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a backend needs NP_LBB_A_ADDR4 (IPv4 frontend) or NP_LBB_A_ADDR6 (IPv6), of the frontend's family");
		return -EINVAL;
	}
	if (!tb[NP_LBB_A_PORT]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "a backend needs NP_LBB_A_PORT");
		return -EINVAL;
	}
	flags = tb[NP_LBB_A_FLAGS] ? nla_get_u32(tb[NP_LBB_A_FLAGS]) : 0;
	if (flags & ~(u32)__NP_LBB_F_ALL) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NP_LBB_A_FLAGS],
				    "unknown flag bits in NP_LBB_A_FLAGS");
		return -EOPNOTSUPP;
	}
	memset(be, 0, sizeof(*be));
	nla_memcpy(be->addr, a, np_lb_alen(fam));
	be->port = htons(nla_get_u16(tb[NP_LBB_A_PORT]));
	be->flags = flags;
	return 0;
}

/*
 * The backends and ranges of the request, added to @fe; *@nbe and
 * *@nranges count what the request carries (for the limits, checked first).
 */
static int count_entries(struct genl_info *info, u32 *nbe, u32 *nranges)
{
	const struct nlattr *a;
	int rem;

	*nbe = 0;
	*nranges = 0;
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) == NP_LB_A_BACKEND)
			(*nbe)++;
		else if (nla_type(a) == NP_LB_A_RANGE)
			(*nranges)++;
	}
	return 0;
}

static int add_entries(struct genl_info *info, struct np_lb_fe *fe)
{
	struct np_lb_be *be = NULL;
	const struct nlattr *a;
	u32 nbe, nr, n = 0;
	struct np_cidr c;
	int rem, err = 0;

	count_entries(info, &nbe, &nr);
	if (nbe) {
		be = kvmalloc_array(nbe, sizeof(*be), GFP_KERNEL_ACCOUNT);
		if (!be)
			return -ENOMEM;
	}
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) == NP_LB_A_BACKEND) {
			err = parse_backend(a, fe->fam, &be[n], info->extack);
			if (err)
				goto out;
			n++;
		} else if (nla_type(a) == NP_LB_A_RANGE) {
			err = np_cidr_parse(a, &c, info->extack);
			if (err)
				goto out;
			if (c.family != fe->fam) {
				NL_SET_ERR_MSG_ATTR(info->extack, a,
						    "NP_LB_A_RANGE not of NP_LB_A_FAMILY");
				err = -EINVAL;
				goto out;
			}
			err = np_lb_fe_add_range(fe, c.family, c.addr, c.plen);
			if (err)
				goto out;
		}
	}
	err = np_lb_fe_add_backends(fe, be, n);
out:
	kvfree(be);
	return err;
}

static int check_generation(struct genl_info *info, struct np_net *nn)
{
	const struct nlattr *a = info->attrs[NP_LB_A_GENERATION];

	if (a && nla_get_u64(a) != nn->lb.generation) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "NP_LB_A_GENERATION is not the netns's current LB generation");
		return -ESTALE;
	}
	return 0;
}

static int reply_generation(struct genl_info *info, u8 cmd, u64 gen)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = np_genl_put(msg, info->snd_portid, info->snd_seq, 0, cmd);
	if (!hdr || nla_put_u64_64bit(msg, NP_LB_A_GENERATION, gen,
				      NP_LB_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static void fe_set_key(struct np_lb_fe *fe, const struct lb_key *k)
{
	fe->fam = k->fam;
	fe->proto = k->proto;
	fe->port = k->port;
	fe->has_local = k->has_local;
	memcpy(fe->local, k->local, sizeof(fe->local));
}

/* A whole frontend (STAGE 0) or the first chunk (STAGE MORE). */
static int set_new(struct genl_info *info, struct np_net *nn,
		   const struct lb_key *k, bool more)
{
	struct net *net = genl_info_net(info);
	struct np_lb_fe *fe, *staged, *old;
	u32 nbe, nr;
	u64 gen;
	int err;

	fe = np_lb_fe_new();
	if (!fe)
		return -ENOMEM;
	fe_set_key(fe, k);
	err = parse_value(info, fe);
	if (err)
		goto err_free;
	count_entries(info, &nbe, &nr);

	mutex_lock(&nn->lock);
	err = check_generation(info, nn);
	if (err)
		goto err_unlock;
	staged = np_lb_staged_find(nn, k->fam, k->proto, k->port, key_local(k));
	if (more) {
		if (staged && staged->portid != info->snd_portid) {
			NL_SET_ERR_MSG_MOD(info->extack,
					   "another socket is staging a frontend with this key");
			err = -EBUSY;
			goto err_unlock;
		}
		if (staged) {		/* ours: the new first chunk drops it */
			np_lb_unstage(nn, staged);
			np_lb_fe_free(staged);
		}
		old = NULL;
	} else {
		old = np_lb_find(nn, k->fam, k->proto, k->port, key_local(k));
		if (old && !owner_enabled(old->owner, info->extack)) {
			err = -EOPNOTSUPP;
			goto err_unlock;
		}
	}
	err = np_lb_check_limits(nn, 1, nbe, nr, old, info->extack);
	if (err)
		goto err_unlock;
	err = add_entries(info, fe);
	if (err)
		goto err_unlock;
	if (more) {
		np_lb_stage(nn, fe, info->snd_portid);
		fe = NULL;
	} else {
		err = np_lb_publish(net, fe, info->extack);
		if (err)
			goto err_unlock;
		fe = NULL;
	}
	gen = nn->lb.generation;
	mutex_unlock(&nn->lock);
	return reply_generation(info, NP_CMD_LB_SET, gen);

err_unlock:
	mutex_unlock(&nn->lock);
err_free:
	if (fe)
		np_lb_fe_free(fe);
	return err;
}

/* A following chunk (APPEND | MORE) or the last one (APPEND): commits. */
static int set_append(struct genl_info *info, struct np_net *nn,
		      const struct lb_key *k, bool more)
{
	static const int value_attrs[] = {
		NP_LB_A_OWNER, NP_LB_A_FLAGS, NP_LB_A_AFFINITY,
	};
	struct net *net = genl_info_net(info);
	u32 nbe, nr, be0, r0;
	struct np_lb_fe *fe;
	u64 gen;
	int err, i;

	for (i = 0; i < ARRAY_SIZE(value_attrs); i++) {
		if (info->attrs[value_attrs[i]]) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[value_attrs[i]],
					    "NP_LB_STAGE_F_APPEND carries only backends and ranges (and the key)");
			return -EINVAL;
		}
	}
	count_entries(info, &nbe, &nr);

	mutex_lock(&nn->lock);
	err = check_generation(info, nn);
	if (err)
		goto out;
	fe = np_lb_staged_find(nn, k->fam, k->proto, k->port, key_local(k));
	if (!fe) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "no staged frontend with this key (the first chunk carries NP_LB_STAGE_F_MORE alone)");
		err = -ENOENT;
		goto out;
	}
	if (fe->portid != info->snd_portid) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "another socket is staging a frontend with this key");
		err = -EBUSY;
		goto out;
	}
	err = np_lb_check_limits(nn, 0, nbe, nr, NULL, info->extack);
	if (err)
		goto out;
	be0 = fe->nbe;
	r0 = fe->nranges;
	err = add_entries(info, fe);
	np_lb_staged_grew(nn, fe->nbe - be0, fe->nranges - r0);
	if (err)
		goto err_drop;	/* half a chunk in: the object is useless */
	if (!more) {
		np_lb_unstage(nn, fe);
		if (!owner_enabled(fe->owner, info->extack))
			err = -EOPNOTSUPP;
		else
			err = np_lb_publish(net, fe, info->extack);
		if (err) {
			np_lb_fe_free(fe);
			goto out;
		}
	}
	gen = nn->lb.generation;
	mutex_unlock(&nn->lock);
	return reply_generation(info, NP_CMD_LB_SET, gen);

err_drop:
	np_lb_unstage(nn, fe);
	np_lb_fe_free(fe);
out:
	mutex_unlock(&nn->lock);
	return err;
}

int np_lb_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct np_net *nn = np_pernet(genl_info_net(info));
	const struct nlattr *sa = info->attrs[NP_LB_A_STAGE];
	struct lb_key k;
	u32 stage;
	int err;

	err = parse_key(info, &k);
	if (err)
		return err;
	stage = sa ? nla_get_u32(sa) : 0;
	if (stage & ~(u32)__NP_LB_STAGE_F_ALL) {
		NL_SET_ERR_MSG_ATTR(info->extack, sa,
				    "unknown flag bits in NP_LB_A_STAGE");
		return -EOPNOTSUPP;
	}
	/* masquerading needs nf_nat's device/address notifiers */
	err = np_masq_notifiers_get();
	if (err) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "cannot register nf_nat's masquerade notifiers");
		return err;
	}
	if (stage & NP_LB_STAGE_F_APPEND)
		return set_append(info, nn, &k, stage & NP_LB_STAGE_F_MORE);
	return set_new(info, nn, &k, stage & NP_LB_STAGE_F_MORE);
}

/*
 * DEL's owner precondition: with NP_LB_A_OWNER, only a frontend of that
 * owner is deleted (a reconciler never removes another one's key).
 */
static int check_owner(struct genl_info *info, const struct np_lb_fe *fe)
{
	const struct nlattr *a = info->attrs[NP_LB_A_OWNER];

	BUILD_BUG_ON(NP_LB_OWNER_MAX != NP_LB_OWNER_HOSTPORT);	/* the texts */
	if (!a || !fe || fe->owner == nla_get_u8(a))
		return 0;
	if (fe->owner == NP_LB_OWNER_HOSTPORT)
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "NP_LB_A_OWNER: the frontend is held by owner hostport");
	else
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "NP_LB_A_OWNER: the frontend is held by owner servicelb");
	return -EPERM;
}

int np_lb_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct np_net *nn = np_pernet(net);
	struct np_lb_fe *fe;
	struct lb_key k;
	u64 gen;
	int err;

	err = parse_key(info, &k);
	if (err)
		return err;
	mutex_lock(&nn->lock);
	err = check_generation(info, nn);
	if (err)
		goto out;
	fe = np_lb_find(nn, k.fam, k.proto, k.port, key_local(&k));
	if (fe && !owner_enabled(fe->owner, info->extack)) {
		err = -EOPNOTSUPP;
		goto out;
	}
	err = check_owner(info, fe);
	if (err)
		goto out;
	err = np_lb_delete(net, k.fam, k.proto, k.port, key_local(&k),
			   info->extack);
out:
	gen = nn->lb.generation;
	mutex_unlock(&nn->lock);
	if (err)
		return err;
	return reply_generation(info, NP_CMD_LB_DEL, gen);
}

/* ---- GET ---- */

struct range_put {
	struct sk_buff *msg;
	u8 fam;
	u32 skip;
	u32 sent;
};

static int range_put(const u8 *addr, u8 plen, void *value, void *arg)
{
	struct range_put *rp = arg;
	struct np_cidr c = { .family = rp->fam, .plen = plen };

	if (rp->skip) {
		rp->skip--;
		return 0;
	}
	memcpy(c.addr, addr, sizeof(c.addr));
	if (np_cidr_put(rp->msg, NP_LB_A_RANGE, &c))
		return 1;
	rp->sent++;
	return 0;
}

static int put_key(struct sk_buff *msg, const struct np_lb_fe *fe)
{
	if (nla_put_u8(msg, NP_LB_A_FAMILY,
		       fe->fam == NP_LPM_V4 ? AF_INET : AF_INET6) ||
	    nla_put_u8(msg, NP_LB_A_PROTO, fe->proto) ||
	    nla_put_u16(msg, NP_LB_A_PORT, fe->port))
		return -EMSGSIZE;
	if (fe->has_local &&
	    nla_put(msg, fe->fam == NP_LPM_V4 ? NP_LB_A_LOCAL4 : NP_LB_A_LOCAL6,
		    np_lb_alen(fe->fam), fe->local))
		return -EMSGSIZE;
	return 0;
}

static int put_stats(struct sk_buff *msg, const struct np_lb_fe *fe)
{
	u64 v[__NP_LB_COUNTERS];
	struct nlattr *nest;
	int i;

	np_lb_stats_sum(fe, v);
	nest = nla_nest_start(msg, NP_LB_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < __NP_LB_COUNTERS; i++)
		if (nla_put_u64_64bit(msg, NP_LBSTAT_A_PACKETS + i, v[i],
				      NP_LBSTAT_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * One message of @fe from backend *@bi and range *@ri on (both 0: the
 * first, with everything but the entries; else a continuation). Returns
 * 0 when @fe is complete, 1 when more messages are needed, -EMSGSIZE when
 * not even the header fits.
 */
static int fill_fe(struct sk_buff *msg, u32 portid, u32 seq, int flags,
		   struct netlink_callback *cb, struct np_lb_fe *fe, u64 gen,
		   u32 *bi, u32 *ri)
{
	struct range_put rp = { .msg = msg, .fam = fe->fam, .skip = *ri };
	bool first = !*bi && !*ri;
	struct nlattr *nest;
	int more = 0;
	void *hdr;

	BUILD_BUG_ON(NP_LBSTAT_A_DROP_NAT - NP_LBSTAT_A_PACKETS + 1 !=
		     __NP_LB_COUNTERS);
	hdr = np_genl_put(msg, portid, seq, flags, NP_CMD_LB_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (put_key(msg, fe))
		goto cancel;
	if (first) {
		if (nla_put_u8(msg, NP_LB_A_OWNER, fe->owner) ||
		    nla_put_u32(msg, NP_LB_A_FLAGS, fe->flags) ||
		    nla_put_u32(msg, NP_LB_A_AFFINITY, fe->affinity) ||
		    nla_put_u64_64bit(msg, NP_LB_A_GENERATION, gen,
				      NP_LB_A_PAD) ||
		    put_stats(msg, fe))
			goto cancel;
	} else if (nla_put_u32(msg, NP_LB_A_STAGE, NP_LB_STAGE_F_APPEND) ||
		   nla_put_u64_64bit(msg, NP_LB_A_GENERATION, gen,
				     NP_LB_A_PAD)) {
		goto cancel;
	}
	while (*bi < fe->nbe) {
		const struct np_lb_be *b = &fe->be[*bi];

		nest = nla_nest_start(msg, NP_LB_A_BACKEND);
		if (!nest)
			break;
		if (nla_put(msg, fe->fam == NP_LPM_V4 ? NP_LBB_A_ADDR4 :
			    NP_LBB_A_ADDR6, np_lb_alen(fe->fam), b->addr) ||
		    nla_put_u16(msg, NP_LBB_A_PORT, ntohs(b->port)) ||
		    nla_put_u32(msg, NP_LBB_A_FLAGS, b->flags)) {
			nla_nest_cancel(msg, nest);
			break;
		}
		nla_nest_end(msg, nest);
		(*bi)++;
	}
	if (*bi < fe->nbe) {
		more = 1;
	} else if (*ri < fe->nranges) {
		mutex_lock(&fe->rlock);
		more = np_lpm_walk(&fe->ranges, fe->fam, range_put, &rp);
		mutex_unlock(&fe->rlock);
		if (more < 0)
			goto cancel;
		*ri += rp.sent;
	}
	genlmsg_end(msg, hdr);
	return more ? 1 : 0;

cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

int np_lb_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct np_net *nn = np_pernet(genl_info_net(info));
	struct sk_buff *msg;
	struct np_lb_fe *fe;
	struct lb_key k;
	u32 bi = 0, ri = 0;
	int err, more;

	err = parse_key(info, &k);
	if (err)
		return err;
	mutex_lock(&nn->lock);
	fe = np_lb_find(nn, k.fam, k.proto, k.port, key_local(&k));
	if (!fe) {
		NL_SET_ERR_MSG_MOD(info->extack, "no frontend with this key");
		err = -ENOENT;
		goto out;
	}
	if (!owner_enabled(fe->owner, info->extack)) {
		err = -EOPNOTSUPP;
		goto out;
	}
	do {
		msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		if (!msg) {
			err = -ENOMEM;
			goto out;
		}
		more = fill_fe(msg, info->snd_portid, info->snd_seq, 0, NULL,
			       fe, nn->lb.generation, &bi, &ri);
		if (more < 0) {
			nlmsg_free(msg);
			err = more;
			goto out;
		}
		err = genlmsg_reply(msg, info);
		if (err)
			goto out;
	} while (more);
out:
	mutex_unlock(&nn->lock);
	return err;
}

/*
 * cb->args: [0] hash bucket, [1] frontends of it already sent, [2] and [3]
 * backends and ranges of the next one already sent.
 */
int np_lb_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct np_net *nn = np_pernet(sock_net(skb->sk));
	struct np_lb_table *t;
	struct np_lb_fe *fe;
	int ret = 0, more;
	u32 idx, bi, ri;

	if (!np_lb_nl_enabled(cb->extack))
		return -EOPNOTSUPP;
	mutex_lock(&nn->lock);
	cb->seq = (u32)nn->lb.generation;
	t = rcu_dereference_protected(nn->lb.table, lockdep_is_held(&nn->lock));
	for (; t && cb->args[0] <= t->mask; cb->args[0]++, cb->args[1] = 0) {
		idx = 0;
		hlist_for_each_entry(fe, &t->b[cb->args[0]], hnode) {
			if (idx++ < cb->args[1])
				continue;
			if (!(np_params_features() &
			      (fe->owner == NP_LB_OWNER_HOSTPORT ?
			       NP_FEATURE_F_HOSTPORT : NP_FEATURE_F_SERVICELB))) {
				cb->args[1]++;
				continue;
			}
			bi = cb->args[2];
			ri = cb->args[3];
			more = fill_fe(skb, NETLINK_CB(cb->skb).portid,
				       cb->nlh->nlmsg_seq, NLM_F_MULTI, cb, fe,
				       nn->lb.generation, &bi, &ri);
			if (more < 0)
				goto out;	/* the next message */
			cb->args[2] = bi;
			cb->args[3] = ri;
			if (more)
				goto out;
			cb->args[1]++;
			cb->args[2] = 0;
			cb->args[3] = 0;
		}
	}
out:
	mutex_unlock(&nn->lock);
	ret = skb->len;
	return ret;
}

/* For INFO: counts of the netns (read without the mutex). */
void np_lb_nl_counts(struct np_net *nn, u32 *nfe, u32 *nbe, u32 *nranges,
		     u32 *nstaged, u64 *gen)
{
	*nfe = READ_ONCE(nn->lb.nfe);
	*nbe = READ_ONCE(nn->lb.nbe);
	*nranges = READ_ONCE(nn->lb.nranges);
	*nstaged = READ_ONCE(nn->lb.nstaged);
	*gen = READ_ONCE(nn->lb.generation);
}
