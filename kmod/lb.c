// SPDX-License-Identifier: GPL-2.0
/*
 * ServiceLB and hostPort forwarding (docs/servicelb-kernel.md): the
 * per-netns frontend table, its NAT hooks and conntrack hygiene.
 *
 * Packet path, for a conntrack entry seen for the first time:
 *  - DNAT fn (nf_nat core) at PRE_ROUTING and LOCAL_OUT, priority
 *    NF_IP_PRI_NAT_DST + 1: after iptables/nft nat, so whatever they bind
 *    (kube-proxy, a user's DNAT) stays theirs; the nf_nat core calls us only
 *    while no one before us bound the destination. A frontend matches the
 *    original destination (exact local address first, then any); the
 *    destination must be local (RTN_LOCAL; IPv4 127.0.0.0/8 only with
 *    NP_LB_F_LOCALHOST, never ::1). The source is checked against the
 *    frontend's ranges (outside: NF_DROP), a backend is chosen (none:
 *    refused with a TCP RST or an ICMP port unreachable) and
 *    nf_nat_setup_info() binds the destination to it.
 *  - SNAT fn at POST_ROUTING (NF_IP_PRI_NAT_SRC): a connection whose
 *    original destination is a frontend and whose reply source is one of
 *    its backends is masqueraded when np_lb_core_masq_decide() says so.
 * Both look frontends up under RCU and take no lock (the affinity table's
 * seqlock is taken for writing only when a client gets a backend).
 *
 * Hooks exist in a netns only while it has a published frontend of the
 * family; each holds a conntrack reference on it (nf_ct_netns_get).
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>
#include <net/netfilter/nf_nat_masquerade.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>
#include <net/route.h>
#include <linux/nodeplane.h>

#include "lb.h"
#include "params.h"
#include "pernet.h"

static struct workqueue_struct *lb_wq;

static const u8 fam_pf[__NP_LPM_FAMILIES] = {
	[NP_LPM_V4] = NFPROTO_IPV4,
	[NP_LPM_V6] = NFPROTO_IPV6,
};

static struct np_lb_table *table_locked(struct np_net *nn)
{
	return rcu_dereference_protected(nn->lb.table,
					 lockdep_is_held(&nn->lock));
}

/* ---- frontends (the objects themselves: lb_obj.c) ---- */

static void fe_free_work(struct work_struct *work)
{
	np_lb_fe_free(container_of(to_rcu_work(work), struct np_lb_fe,
				   free_work));
}

/* Free a published frontend once no reader can see it. */
static void fe_free_rcu(struct np_lb_fe *fe)
{
	INIT_RCU_WORK(&fe->free_work, fe_free_work);
	queue_rcu_work(lb_wq, &fe->free_work);
}

static void count(struct np_lb_fe *fe, enum np_lb_counter c, u64 n)
{
	struct np_lb_pcpu *p = this_cpu_ptr(fe->stats);

	u64_stats_update_begin(&p->syncp);
	u64_stats_add(&p->c[c], n);
	u64_stats_update_end(&p->syncp);
}

/* ---- lookups ---- */

static struct np_lb_fe *lookup_rcu(const struct np_lb_table *t, u8 fam,
				   u8 proto, u16 port, const u8 *daddr)
{
	struct np_lb_fe *fe;
	u32 h;

	h = np_lb_core_key_hash(fam, proto, port, daddr);
	hlist_for_each_entry_rcu(fe, &t->b[h & t->mask], hnode)
		if (np_lb_core_key_eq(fe, fam, proto, port, daddr))
			return fe;
	h = np_lb_core_key_hash(fam, proto, port, NULL);
	hlist_for_each_entry_rcu(fe, &t->b[h & t->mask], hnode)
		if (np_lb_core_key_eq(fe, fam, proto, port, NULL))
			return fe;
	return NULL;
}

struct np_lb_fe *np_lb_find(struct np_net *nn, u8 fam, u8 proto, u16 port,
			    const u8 *local)
{
	struct np_lb_table *t = table_locked(nn);
	struct np_lb_fe *fe;
	u32 h;

	if (!t)
		return NULL;
	h = np_lb_core_key_hash(fam, proto, port, local);
	hlist_for_each_entry(fe, &t->b[h & t->mask], hnode)
		if (np_lb_core_key_eq(fe, fam, proto, port, local))
			return fe;
	return NULL;
}

struct np_lb_fe *np_lb_staged_find(struct np_net *nn, u8 fam, u8 proto,
				   u16 port, const u8 *local)
{
	struct np_lb_fe *fe;

	lockdep_assert_held(&nn->lock);
	list_for_each_entry(fe, &nn->lb.staged, snode)
		if (np_lb_core_key_eq(fe, fam, proto, port, local))
			return fe;
	return NULL;
}

/* ---- the hooks ---- */

static bool dest_local(struct net *net, u8 fam, const u8 *daddr, u32 flags)
{
	if (fam == NP_LPM_V4) {
		__be32 a;

		memcpy(&a, daddr, 4);
		if (ipv4_is_loopback(a))
			return flags & NP_LB_F_LOCALHOST;
		return inet_addr_type(net, a) == RTN_LOCAL;
	}
	if (ipv6_addr_loopback((const struct in6_addr *)daddr))
		return false;
	return ipv6_chk_addr(net, (const struct in6_addr *)daddr, NULL, 0);
}

static void refuse(struct sk_buff *skb, const struct nf_hook_state *state,
		   u8 fam, u8 proto)
{
	if (fam == NP_LPM_V4) {
		if (proto == IPPROTO_TCP)
			nf_send_reset(state->net, state->sk, skb, state->hook);
		else
			nf_send_unreach(skb, ICMP_PORT_UNREACH, state->hook);
	} else {
		if (proto == IPPROTO_TCP)
			nf_send_reset6(state->net, state->sk, skb, state->hook);
		else
			nf_send_unreach6(state->net, skb, ICMPV6_PORT_UNREACH,
					 state->hook);
	}
}

static unsigned int dnat_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	const struct nf_conntrack_tuple *orig;
	struct nf_nat_range2 range = {
		.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED,
	};
	enum ip_conntrack_info ctinfo;
	const struct np_lb_table *t;
	struct np_lb_fe *fe;
	struct nf_conn *ct;
	unsigned int ret;
	const u8 *daddr;
	u8 fam, proto;
	int i;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW ||
	    nf_nat_initialized(ct, NF_NAT_MANIP_DST))
		return NF_ACCEPT;
	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	proto = orig->dst.protonum;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP &&
	    proto != IPPROTO_SCTP)
		return NF_ACCEPT;

	/* nf_hook runs us under rcu_read_lock() */
	t = rcu_dereference(np_pernet(state->net)->lb.table);
	if (!t)
		return NF_ACCEPT;
	fam = state->pf == NFPROTO_IPV4 ? NP_LPM_V4 : NP_LPM_V6;
	daddr = (const u8 *)&orig->dst.u3;
	fe = lookup_rcu(t, fam, proto, ntohs(orig->dst.u.all), daddr);
	if (!fe || !dest_local(state->net, fam, daddr, fe->flags))
		return NF_ACCEPT;

	count(fe, NP_LB_C_PACKETS, 1);
	count(fe, NP_LB_C_BYTES, skb->len);
	if (fe->nranges &&
	    !np_lpm_lookup(&fe->ranges, fam, (const u8 *)&orig->src.u3)) {
		count(fe, NP_LB_C_DROP_RANGE, 1);
		return NF_DROP;
	}
	i = np_lb_core_choose(fe, (const u8 *)&orig->src.u3, get_random_u32(),
			      jiffies);
	if (i < 0) {
		count(fe, NP_LB_C_DROP_NO_BACKEND, 1);
		refuse(skb, state, fam, proto);
		return NF_DROP;
	}
	memcpy(&range.min_addr, fe->be[i].addr, np_lb_alen(fam));
	range.max_addr = range.min_addr;
	range.min_proto.all = fe->be[i].port;
	range.max_proto.all = fe->be[i].port;
	ret = nf_nat_setup_info(ct, &range, NF_NAT_MANIP_DST);
	count(fe, ret == NF_ACCEPT ? NP_LB_C_CONNS : NP_LB_C_DROP_NAT, 1);
	return ret;
}

static unsigned int snat_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	static const struct nf_nat_range2 masq_range = {
		.flags = NF_NAT_RANGE_PROTO_RANDOM_FULLY,
	};
	const struct nf_conntrack_tuple *orig, *reply;
	enum ip_conntrack_info ctinfo;
	const struct np_lb_table *t;
	const struct np_lb_fe *fe;
	struct nf_conn *ct;
	u8 fam;
	int i;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW || !(ct->status & IPS_DST_NAT) ||
	    nf_nat_initialized(ct, NF_NAT_MANIP_SRC))
		return NF_ACCEPT;
	t = rcu_dereference(np_pernet(state->net)->lb.table);
	if (!t)
		return NF_ACCEPT;
	fam = state->pf == NFPROTO_IPV4 ? NP_LPM_V4 : NP_LPM_V6;
	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	fe = lookup_rcu(t, fam, orig->dst.protonum, ntohs(orig->dst.u.all),
			(const u8 *)&orig->dst.u3);
	if (!fe)
		return NF_ACCEPT;
	i = np_lb_core_be_find(fe, (const u8 *)&reply->src.u3,
			       reply->src.u.all);
	if (i < 0)
		return NF_ACCEPT;	/* bound by someone else */
	if (np_lb_core_masq_decide(fam, fe->flags, fe->be[i].flags,
				   (const u8 *)&orig->src.u3,
				   fe->be[i].addr) == NP_LB_MASQ_KEEP)
		return NF_ACCEPT;
	if (fam == NP_LPM_V4)
		return nf_nat_masquerade_ipv4(skb, state->hook, &masq_range,
					      state->out);
	return nf_nat_masquerade_ipv6(skb, &masq_range, state->out);
}

#define LB_HOOKS 3

static const struct nf_hook_ops lb_ops[__NP_LPM_FAMILIES][LB_HOOKS] = {
	[NP_LPM_V4] = {
		{ .hook = dnat_hook, .pf = NFPROTO_IPV4,
		  .hooknum = NF_INET_PRE_ROUTING,
		  .priority = NF_IP_PRI_NAT_DST + 1 },
		{ .hook = dnat_hook, .pf = NFPROTO_IPV4,
		  .hooknum = NF_INET_LOCAL_OUT,
		  .priority = NF_IP_PRI_NAT_DST + 1 },
		{ .hook = snat_hook, .pf = NFPROTO_IPV4,
		  .hooknum = NF_INET_POST_ROUTING,
		  .priority = NF_IP_PRI_NAT_SRC },
	},
	[NP_LPM_V6] = {
		{ .hook = dnat_hook, .pf = NFPROTO_IPV6,
		  .hooknum = NF_INET_PRE_ROUTING,
		  .priority = NF_IP6_PRI_NAT_DST + 1 },
		{ .hook = dnat_hook, .pf = NFPROTO_IPV6,
		  .hooknum = NF_INET_LOCAL_OUT,
		  .priority = NF_IP6_PRI_NAT_DST + 1 },
		{ .hook = snat_hook, .pf = NFPROTO_IPV6,
		  .hooknum = NF_INET_POST_ROUTING,
		  .priority = NF_IP6_PRI_NAT_SRC },
	},
};

static int nat_register(struct net *net, u8 fam, const struct nf_hook_ops *o)
{
	if (fam == NP_LPM_V4)
		return nf_nat_ipv4_register_fn(net, o);
	return nf_nat_ipv6_register_fn(net, o);
}

static void nat_unregister(struct net *net, u8 fam,
			   const struct nf_hook_ops *o)
{
	if (fam == NP_LPM_V4)
		nf_nat_ipv4_unregister_fn(net, o);
	else
		nf_nat_ipv6_unregister_fn(net, o);
}

static int hooks_add(struct net *net, u8 fam)
{
	int err, i;

	err = nf_ct_netns_get(net, fam_pf[fam]);
	if (err)
		return err;
	for (i = 0; i < LB_HOOKS; i++) {
		err = nat_register(net, fam, &lb_ops[fam][i]);
		if (err)
			goto err_registered;
	}
	return 0;

err_registered:
	while (--i >= 0)
		nat_unregister(net, fam, &lb_ops[fam][i]);
	nf_ct_netns_put(net, fam_pf[fam]);
	return err;
}

static void hooks_del(struct net *net, u8 fam)
{
	int i;

	for (i = LB_HOOKS - 1; i >= 0; i--)
		nat_unregister(net, fam, &lb_ops[fam][i]);
	nf_ct_netns_put(net, fam_pf[fam]);
}

/* ---- conntrack hygiene ---- */

struct flush_arg {
	u8 pf;
	u16 port;
	bool has_local;
	unsigned int alen;
	const u8 *local;
	const struct np_lb_fe *gone;	/* NULL: every entry of the port */
	const struct np_lb_fe *kept;	/* backends not to flush */
};

static int flush_iter(struct nf_conn *ct, void *data)
{
	const struct nf_conntrack_tuple *o, *r;
	const struct flush_arg *a = data;
	int i;

	o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	r = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	if (nf_ct_l3num(ct) != a->pf || o->dst.protonum != IPPROTO_UDP ||
	    ntohs(o->dst.u.udp.port) != a->port)
		return 0;
	if (a->has_local && memcmp(&o->dst.u3, a->local, a->alen))
		return 0;
	if (!a->gone)
		return 1;
	if (!(ct->status & IPS_DST_NAT))
		return 0;
	i = np_lb_core_be_find(a->gone, (const u8 *)&r->src.u3,
			       r->src.u.udp.port);
	if (i < 0)
		return 0;
	return !a->kept || np_lb_core_be_find(a->kept, (const u8 *)&r->src.u3,
					      r->src.u.udp.port) < 0;
}

/*
 * UDP entries of @fe's port: all of them (@gone NULL, a new frontend), or
 * those translated to a backend of @gone that @kept lacks.
 */
static void flush_udp(struct net *net, const struct np_lb_fe *fe,
		      const struct np_lb_fe *gone, const struct np_lb_fe *kept)
{
	struct flush_arg a = {
		.pf = fam_pf[fe->fam],
		.port = fe->port,
		.has_local = fe->has_local,
		.alen = np_lb_alen(fe->fam),
		.local = fe->local,
		.gone = gone,
		.kept = kept,
	};
	struct nf_ct_iter_data d = { .net = net, .data = &a };

	if (fe->proto != IPPROTO_UDP || (gone && !gone->nbe))
		return;
	nf_ct_iterate_cleanup_net(flush_iter, &d);
}

/* ---- writers ---- */

int np_lb_check_limits(struct np_net *nn, u32 add_fe, u32 add_be,
		       u32 add_ranges, const struct np_lb_fe *replaced,
		       struct netlink_ext_ack *extack)
{
	struct np_lb_net *ln = &nn->lb;
	u64 fe = (u64)ln->nfe + ln->nstaged + add_fe;
	u64 be = (u64)ln->nbe + ln->nstaged_be + add_be;
	u64 rg = (u64)ln->nranges + ln->nstaged_ranges + add_ranges;

	lockdep_assert_held(&nn->lock);
	if (replaced) {
		fe -= add_fe ? 1 : 0;
		be -= replaced->nbe;
		rg -= replaced->nranges;
	}
	if (fe > np_limits.max_frontends) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many frontends in this netns (module parameter max_frontends, staged ones included)");
		return -ENOSPC;
	}
	if (be > np_limits.max_backends) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many backends in this netns (module parameter max_backends)");
		return -ENOSPC;
	}
	if (rg > np_limits.max_ranges) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many source ranges in this netns (module parameter max_ranges)");
		return -ENOSPC;
	}
	return 0;
}

void np_lb_stage(struct np_net *nn, struct np_lb_fe *fe, u32 portid)
{
	lockdep_assert_held(&nn->lock);
	fe->portid = portid;
	list_add_tail(&fe->snode, &nn->lb.staged);
	nn->lb.nstaged++;
	nn->lb.nstaged_be += fe->nbe;
	nn->lb.nstaged_ranges += fe->nranges;
}

void np_lb_staged_grew(struct np_net *nn, u32 nbe, u32 nranges)
{
	lockdep_assert_held(&nn->lock);
	nn->lb.nstaged_be += nbe;
	nn->lb.nstaged_ranges += nranges;
}

void np_lb_unstage(struct np_net *nn, struct np_lb_fe *fe)
{
	lockdep_assert_held(&nn->lock);
	list_del_init(&fe->snode);
	nn->lb.nstaged--;
	nn->lb.nstaged_be -= fe->nbe;
	nn->lb.nstaged_ranges -= fe->nranges;
}

static struct np_lb_table *table_get(struct np_net *nn)
{
	struct np_lb_table *t = table_locked(nn);
	u32 n;

	if (t)
		return t;
	n = roundup_pow_of_two(clamp(np_limits.max_frontends, 64U, 65536U));
	t = kvzalloc(struct_size(t, b, n), GFP_KERNEL_ACCOUNT);
	if (!t)
		return NULL;
	t->mask = n - 1;
	rcu_assign_pointer(nn->lb.table, t);
	return t;
}

int np_lb_publish(struct net *net, struct np_lb_fe *fe,
		  struct netlink_ext_ack *extack)
{
	struct np_net *nn = np_pernet(net);
	struct np_lb_net *ln = &nn->lb;
	struct np_lb_fe *old;
	struct np_lb_table *t;
	u32 dup;
	int err;

	lockdep_assert_held(&nn->lock);
	old = np_lb_find(nn, fe->fam, fe->proto, fe->port,
			 fe->has_local ? fe->local : NULL);
	np_lb_fe_trim(fe);
	err = np_lb_core_finish(fe, &dup);
	if (err == -EEXIST) {
		NL_SET_ERR_MSG_MOD(extack,
				   "two NP_LB_A_BACKEND with the same address and port");
		return -EINVAL;
	}
	if (err)
		return err;
	t = table_get(nn);
	if (!t)
		return -ENOMEM;
	if (old) {
		fe->stats = old->stats;
	} else {
		fe->stats = alloc_percpu_gfp(struct np_lb_pcpu,
					     GFP_KERNEL_ACCOUNT);
		if (!fe->stats)
			return -ENOMEM;
	}
	fe->own_stats = true;
	if (fe->affinity && old && old->aff) {
		fe->aff = old->aff;
	} else if (fe->affinity) {
		fe->aff = kvzalloc(sizeof(*fe->aff), GFP_KERNEL_ACCOUNT);
		if (!fe->aff) {
			err = -ENOMEM;
			goto err_stats;
		}
		seqlock_init(&fe->aff->lock);
	}
	fe->own_aff = !!fe->aff;
	if (!(ln->hooks & (1U << fe->fam))) {
		err = hooks_add(net, fe->fam);
		if (err) {
			NL_SET_ERR_MSG_MOD(extack,
					   "cannot register the LB NAT hooks with nf_nat");
			goto err_aff;
		}
		ln->hooks |= 1U << fe->fam;
	}

	/* commit: nothing fails past here */
	if (old) {
		hlist_replace_rcu(&old->hnode, &fe->hnode);
		old->own_stats = false;
		if (fe->aff == old->aff)
			old->own_aff = false;
		ln->nbe -= old->nbe;
		ln->nranges -= old->nranges;
	} else {
		u32 h = np_lb_core_key_hash(fe->fam, fe->proto, fe->port,
					    fe->has_local ? fe->local : NULL);

		hlist_add_head_rcu(&fe->hnode, &t->b[h & t->mask]);
		ln->nfe++;
		ln->nfe_fam[fe->fam]++;
	}
	ln->nbe += fe->nbe;
	ln->nranges += fe->nranges;
	ln->generation++;
	flush_udp(net, fe, old, fe);
	if (old)
		fe_free_rcu(old);
	return 0;

err_aff:
	if (fe->own_aff && (!old || fe->aff != old->aff))
		kvfree(fe->aff);
	fe->aff = NULL;
	fe->own_aff = false;
err_stats:
	if (!old)
		free_percpu(fe->stats);
	fe->stats = NULL;
	fe->own_stats = false;
	return err;
}

static void unlink_fe(struct net *net, struct np_lb_fe *fe)
{
	struct np_lb_net *ln = &np_pernet(net)->lb;

	hlist_del_init_rcu(&fe->hnode);
	ln->nfe--;
	ln->nfe_fam[fe->fam]--;
	ln->nbe -= fe->nbe;
	ln->nranges -= fe->nranges;
	if (!ln->nfe_fam[fe->fam] && (ln->hooks & (1U << fe->fam))) {
		hooks_del(net, fe->fam);
		ln->hooks &= ~(1U << fe->fam);
	}
}

int np_lb_delete(struct net *net, u8 fam, u8 proto, u16 port,
		 const u8 *local, struct netlink_ext_ack *extack)
{
	struct np_net *nn = np_pernet(net);
	struct np_lb_fe *fe;

	lockdep_assert_held(&nn->lock);
	fe = np_lb_find(nn, fam, proto, port, local);
	if (!fe) {
		NL_SET_ERR_MSG_MOD(extack, "no frontend with this key");
		return -ENOENT;
	}
	unlink_fe(net, fe);
	nn->lb.generation++;
	flush_udp(net, fe, fe, NULL);
	fe_free_rcu(fe);
	return 0;
}

/* ---- staged objects of closed sockets ---- */

static int lb_netlink_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct netlink_notify *n = ptr;
	struct np_lb_fe *fe, *tmp;
	struct np_net *nn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	nn = np_pernet(n->net);
	if (!READ_ONCE(nn->lb.nstaged))
		return NOTIFY_DONE;
	mutex_lock(&nn->lock);
	list_for_each_entry_safe(fe, tmp, &nn->lb.staged, snode) {
		if (fe->portid != n->portid)
			continue;
		np_lb_unstage(nn, fe);
		np_lb_fe_free(fe);
	}
	mutex_unlock(&nn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block lb_netlink_nb = {
	.notifier_call = lb_netlink_event,
};

/* ---- per netns ---- */

static int __net_init lb_net_init(struct net *net)
{
	struct np_lb_net *ln = &np_pernet(net)->lb;

	INIT_LIST_HEAD(&ln->staged);
	ln->generation = 1;
	return 0;
}

static void __net_exit lb_net_pre_exit(struct net *net)
{
	struct np_net *nn = np_pernet(net);
	int fam;

	/* unhook here: the netns core waits for a grace period before .exit */
	mutex_lock(&nn->lock);
	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++)
		if (nn->lb.hooks & (1U << fam))
			hooks_del(net, fam);
	nn->lb.hooks = 0;
	mutex_unlock(&nn->lock);
}

static void __net_exit lb_net_exit(struct net *net)
{
	struct np_net *nn = np_pernet(net);
	struct np_lb_fe *fe, *tmp;
	struct hlist_node *n;
	struct np_lb_table *t;
	u32 i;

	mutex_lock(&nn->lock);
	list_for_each_entry_safe(fe, tmp, &nn->lb.staged, snode) {
		np_lb_unstage(nn, fe);
		np_lb_fe_free(fe);
	}
	t = table_locked(nn);
	RCU_INIT_POINTER(nn->lb.table, NULL);
	if (t) {
		for (i = 0; i <= t->mask; i++) {
			hlist_for_each_entry_safe(fe, n, &t->b[i], hnode) {
				unlink_fe(net, fe);
				fe_free_rcu(fe);
			}
		}
	}
	mutex_unlock(&nn->lock);
	if (t)
		kvfree_rcu(t);
}

static struct pernet_operations lb_net_ops = {
	.init = lb_net_init,
	.pre_exit = lb_net_pre_exit,
	.exit = lb_net_exit,
};

int np_lb_init(void)
{
	int err;

	lb_wq = alloc_workqueue("nodeplane_lb", 0, 0);
	if (!lb_wq)
		return -ENOMEM;
	err = register_pernet_subsys(&lb_net_ops);
	if (err)
		goto err_wq;
	err = netlink_register_notifier(&lb_netlink_nb);
	if (err)
		goto err_pernet;
	return 0;

err_pernet:
	unregister_pernet_subsys(&lb_net_ops);
err_wq:
	destroy_workqueue(lb_wq);
	return err;
}

void np_lb_exit(void)
{
	netlink_unregister_notifier(&lb_netlink_nb);
	unregister_pernet_subsys(&lb_net_ops);
	rcu_barrier();			/* queue_rcu_work's callbacks ran */
	destroy_workqueue(lb_wq);	/* and their works */
}
