// SPDX-License-Identifier: GPL-2.0
/*
 * NetworkPolicy (docs/netpol-kernel.md): the per-netns state, the
 * transactions that change it, their publication, the netfilter hooks,
 * the counters and the drop events. The data structures and the decision
 * are in policy_core.c.
 *
 * Writers (netlink, the socket-release notifier, netns exit) hold the
 * netns mutex (np_net.lock). Readers (the hooks) take no lock: under the
 * RCU read side nf_hook gives them they read the root once.
 *
 * Hooks: NFPROTO_IPV4 and NFPROTO_IPV6 at FORWARD, LOCAL_IN and LOCAL_OUT,
 * priority NF_IP_PRI_FILTER + 10 (after conntrack, DNAT and the filter
 * table), present in a netns while its published state has an endpoint
 * of the family, never with disable=network-policy. Same-node pod traffic
 * crossing a bridge with br_netfilter meets them at FORWARD.
 */
#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>
#include <linux/nodeplane.h>

#include "nl_pol.h"
#include "params.h"
#include "pernet.h"
#include "policy.h"

/*
 * KUnit (tests/kunit/policy_test.c) defines this to run a reader at every
 * step of a commit; nothing otherwise.
 */
#ifndef NP_POL_TEST_PROBE
#define NP_POL_TEST_PROBE() do { } while (0)
#endif

static struct workqueue_struct *pol_wq;

static const u8 fam_pf[__NP_LPM_FAMILIES] = {
	[NP_LPM_V4] = NFPROTO_IPV4,
	[NP_LPM_V6] = NFPROTO_IPV6,
};

const struct np_pol_root *np_pol_root_locked(struct np_net *nn)
{
	return rcu_dereference_protected(nn->pol.root,
					 lockdep_is_held(&nn->lock));
}

static struct np_pol_root *root_locked(struct np_net *nn)
{
	return rcu_dereference_protected(nn->pol.root,
					 lockdep_is_held(&nn->lock));
}

u64 np_pol_generation(struct np_net *nn)
{
	const struct np_pol_root *r = np_pol_root_locked(nn);

	return r ? r->generation : 1;
}

static u32 cmap_count(const struct np_pol_cmap *m)
{
	return m->f[NP_LPM_V4].npfx + m->f[NP_LPM_V6].npfx;
}

void np_pol_counts(struct np_net *nn, u32 *ncls, u32 *neps, u32 *nrules,
		   u64 *gen)
{
	const struct np_pol_root *r;

	rcu_read_lock();
	r = rcu_dereference(nn->pol.root);
	*ncls = r ? cmap_count(r->cmap) : 0;
	*neps = r ? r->neps : 0;
	*nrules = r ? r->nrules : 0;
	*gen = r ? r->generation : 1;
	rcu_read_unlock();
}

/* ---- freeing replaced roots ---- */

static void root_free_work(struct work_struct *work)
{
	np_pol_root_free(container_of(to_rcu_work(work), struct np_pol_root,
				      free_work), false);
}

static void root_free_rcu(struct np_pol_root *r)
{
	INIT_RCU_WORK(&r->free_work, root_free_work);
	queue_rcu_work(pol_wq, &r->free_work);
}

/* ---- counters and events ---- */

static struct np_pol_rt *rt_new(void)
{
	struct np_pol_rt *rt = kzalloc(sizeof(*rt), GFP_KERNEL_ACCOUNT);
	int dir;

	if (!rt)
		return NULL;
	rt->stats = alloc_percpu_gfp(struct np_pol_pcpu, GFP_KERNEL_ACCOUNT);
	if (!rt->stats) {
		kfree(rt);
		return NULL;
	}
	refcount_set(&rt->ref, 1);
	for (dir = 0; dir < __NP_POL_DIR_MAX; dir++) {
		spin_lock_init(&rt->rl[dir].lock);
		rt->rl[dir].tokens = NP_POL_EVENTS_PER_SEC;
		rt->rl[dir].last = jiffies;
	}
	atomic_inc(&np_pol_nobjects);
	return rt;
}

static void count(struct np_pol_ep *ep, enum np_pol_counter c)
{
	struct np_pol_pcpu *p = get_cpu_ptr(ep->rt->stats);

	u64_stats_update_begin(&p->syncp);
	u64_stats_inc(&p->c[c]);
	u64_stats_update_end(&p->syncp);
	put_cpu_ptr(ep->rt->stats);
}

void np_pol_stats_sum(const struct np_pol_ep *ep, u64 *out)
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * __NP_POL_COUNTERS);
	for_each_possible_cpu(cpu) {
		const struct np_pol_pcpu *p = per_cpu_ptr(ep->rt->stats, cpu);
		u64 v[__NP_POL_COUNTERS];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			for (i = 0; i < __NP_POL_COUNTERS; i++)
				v[i] = u64_stats_read(&p->c[i]);
		} while (u64_stats_fetch_retry(&p->syncp, start));
		for (i = 0; i < __NP_POL_COUNTERS; i++)
			out[i] += v[i];
	}
}

/*
 * Token bucket: NP_POL_EVENTS_PER_SEC tokens a second, as many at most.
 * Returns whether an event may go, with *@suppressed the drops not
 * reported since the last one.
 */
static bool rl_take(struct np_pol_rl *rl, u32 *suppressed)
{
	unsigned long now = jiffies, add;
	bool ok;

	spin_lock_bh(&rl->lock);
	add = (now - rl->last) * NP_POL_EVENTS_PER_SEC / HZ;
	if (add >= NP_POL_EVENTS_PER_SEC) {
		rl->tokens = NP_POL_EVENTS_PER_SEC;
		rl->last = now;
	} else if (add) {
		rl->tokens = min_t(u32, NP_POL_EVENTS_PER_SEC,
				   rl->tokens + add);
		rl->last += add * HZ / NP_POL_EVENTS_PER_SEC;
	}
	ok = rl->tokens > 0;
	if (ok) {
		rl->tokens--;
		*suppressed = rl->suppressed;
		rl->suppressed = 0;
	} else {
		rl->suppressed++;
	}
	spin_unlock_bh(&rl->lock);
	return ok;
}

/* ---- the hooks ---- */

struct pkt {
	u8 fam;
	u8 proto;
	u16 sport, dport;
	const u8 *saddr, *daddr;
	int icmp_type;		/* -1: not ICMP */
};

static int parse(struct sk_buff *skb, u8 fam, struct pkt *pk)
{
	unsigned int thoff;
	__be16 _ports[2];
	const __be16 *ports;
	bool first = true;
	u8 _t;
	const u8 *t;

	pk->fam = fam;
	pk->sport = 0;
	pk->dport = 0;
	pk->icmp_type = -1;
	if (fam == NP_LPM_V4) {
		const struct iphdr *iph = ip_hdr(skb);

		pk->saddr = (const u8 *)&iph->saddr;
		pk->daddr = (const u8 *)&iph->daddr;
		pk->proto = iph->protocol;
		thoff = skb_network_offset(skb) + iph->ihl * 4;
		first = !(iph->frag_off & htons(IP_OFFSET));
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		unsigned short fragoff = 0;
		int proto;

		pk->saddr = (const u8 *)&ip6h->saddr;
		pk->daddr = (const u8 *)&ip6h->daddr;
		thoff = 0;
		proto = ipv6_find_hdr(skb, &thoff, -1, &fragoff, NULL);
		if (proto < 0)
			return -EINVAL;
		pk->proto = proto;
		first = !fragoff;
	}
	if (!first)
		return 0;
	switch (pk->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
		if (!ports)
			return -EINVAL;
		pk->sport = ntohs(ports[0]);
		pk->dport = ntohs(ports[1]);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		t = skb_header_pointer(skb, thoff, 1, &_t);
		if (!t)
			return -EINVAL;
		pk->icmp_type = *t;
		break;
	}
	return 0;
}

/* ICMP that kube-router never checks (uapi: NP_CMD_POLICY_SET). */
static bool icmp_exempt(const struct pkt *pk)
{
	if (pk->fam == NP_LPM_V4 && pk->proto == IPPROTO_ICMP)
		return pk->icmp_type == ICMP_ECHO ||
		       pk->icmp_type == ICMP_DEST_UNREACH ||
		       pk->icmp_type == ICMP_TIME_EXCEEDED;
	if (pk->fam == NP_LPM_V6 && pk->proto == IPPROTO_ICMPV6)
		return pk->icmp_type == ICMPV6_ECHO_REQUEST ||
		       pk->icmp_type == ICMPV6_ECHO_REPLY ||
		       pk->icmp_type == ICMPV6_DEST_UNREACH ||
		       pk->icmp_type == ICMPV6_TIME_EXCEED ||
		       (pk->icmp_type >= NDISC_ROUTER_SOLICITATION &&
			pk->icmp_type <= NDISC_REDIRECT);
	return false;
}

struct local_arg {
	struct net *net;
	const struct pkt *pk;
};

/* Is the source an address of this node (netns)? */
static bool src_local(void *arg)
{
	const struct local_arg *a = arg;
	__be32 s;

	if (a->pk->fam == NP_LPM_V4) {
		memcpy(&s, a->pk->saddr, 4);
		return inet_addr_type(a->net, s) == RTN_LOCAL;
	}
	return ipv6_chk_addr(a->net, (const struct in6_addr *)a->pk->saddr,
			     NULL, 0);
}

static void refuse(struct sk_buff *skb, const struct nf_hook_state *state,
		   u8 fam)
{
	if (fam == NP_LPM_V4)
		nf_send_unreach(skb, ICMP_PORT_UNREACH, state->hook);
	else
		nf_send_unreach6(state->net, skb, ICMPV6_PORT_UNREACH,
				 state->hook);
}

static void drop_event(struct net *net, struct np_pol_ep *ep, u8 dir,
		       const struct pkt *pk)
{
	u32 suppressed;

	if (!rl_take(&ep->rt->rl[dir], &suppressed))
		return;
	np_pol_nl_drop_event(net, ep, dir, pk->fam, pk->saddr, pk->daddr,
			     pk->proto, pk->sport, pk->dport, suppressed);
}

static unsigned int pol_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	const struct np_pol_root *r;
	struct np_pol_verdict v;
	struct local_arg la;
	struct nf_conn *ct;
	struct pkt pk;
	u8 fam;

	/* established, related, replies, and every packet after the first */
	ct = nf_ct_get(skb, &ctinfo);
	if (ct && (ctinfo != IP_CT_NEW || nf_ct_is_confirmed(ct)))
		return NF_ACCEPT;
	r = rcu_dereference(np_pernet(state->net)->pol.root);
	fam = state->pf == NFPROTO_IPV4 ? NP_LPM_V4 : NP_LPM_V6;
	if (!r || !r->neps_fam[fam] || parse(skb, fam, &pk) ||
	    icmp_exempt(&pk))
		return NF_ACCEPT;
	la.net = state->net;
	la.pk = &pk;
	np_pol_decide(r, fam, pk.saddr, pk.daddr, pk.proto, pk.dport,
		      src_local, &la, &v);
	if (v.eg_checked)
		count(v.src, v.eg_ok ? NP_POL_C_EG_ALLOWED :
				       NP_POL_C_EG_DROPPED);
	if (v.in_checked)
		count(v.dst, v.in_ok ? NP_POL_C_IN_ALLOWED :
				       NP_POL_C_IN_DROPPED);
	if (v.eg_checked && !v.eg_ok)
		drop_event(state->net, v.src, NP_POL_DIR_EGRESS, &pk);
	else if (v.in_checked && !v.in_ok)
		drop_event(state->net, v.dst, NP_POL_DIR_INGRESS, &pk);
	else
		return NF_ACCEPT;
	refuse(skb, state, fam);
	return NF_DROP;
}

#define POL_HOOKS 3

static const struct nf_hook_ops pol_ops[__NP_LPM_FAMILIES][POL_HOOKS] = {
	[NP_LPM_V4] = {
		{ .hook = pol_hook, .pf = NFPROTO_IPV4,
		  .hooknum = NF_INET_FORWARD,
		  .priority = NF_IP_PRI_FILTER + 10 },
		{ .hook = pol_hook, .pf = NFPROTO_IPV4,
		  .hooknum = NF_INET_LOCAL_IN,
		  .priority = NF_IP_PRI_FILTER + 10 },
		{ .hook = pol_hook, .pf = NFPROTO_IPV4,
		  .hooknum = NF_INET_LOCAL_OUT,
		  .priority = NF_IP_PRI_FILTER + 10 },
	},
	[NP_LPM_V6] = {
		{ .hook = pol_hook, .pf = NFPROTO_IPV6,
		  .hooknum = NF_INET_FORWARD,
		  .priority = NF_IP6_PRI_FILTER + 10 },
		{ .hook = pol_hook, .pf = NFPROTO_IPV6,
		  .hooknum = NF_INET_LOCAL_IN,
		  .priority = NF_IP6_PRI_FILTER + 10 },
		{ .hook = pol_hook, .pf = NFPROTO_IPV6,
		  .hooknum = NF_INET_LOCAL_OUT,
		  .priority = NF_IP6_PRI_FILTER + 10 },
	},
};

static int hooks_add(struct net *net, u8 fam)
{
	int err;

	err = nf_ct_netns_get(net, fam_pf[fam]);
	if (err)
		return err;
	err = nf_register_net_hooks(net, pol_ops[fam], POL_HOOKS);
	if (err)
		nf_ct_netns_put(net, fam_pf[fam]);
	return err;
}

static void hooks_del(struct net *net, u8 fam)
{
	nf_unregister_net_hooks(net, pol_ops[fam], POL_HOOKS);
	nf_ct_netns_put(net, fam_pf[fam]);
}

/* Hooks for the families @r has endpoints of (adds only). */
static int hooks_sync_add(struct net *net, struct np_pol_net *pn,
			  const struct np_pol_root *r)
{
	int fam, err;

	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++) {
		if (!r->neps_fam[fam] || (pn->hooks & (1U << fam)))
			continue;
		err = hooks_add(net, fam);
		if (err)
			return err;
		pn->hooks |= 1U << fam;
	}
	return 0;
}

static void hooks_sync_del(struct net *net, struct np_pol_net *pn,
			   const struct np_pol_root *r)
{
	int fam;

	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++) {
		if ((r && r->neps_fam[fam]) || !(pn->hooks & (1U << fam)))
			continue;
		hooks_del(net, fam);
		pn->hooks &= ~(1U << fam);
	}
}

/* ---- transactions ---- */

#define TX_HBITS 8

struct np_pol_sep {			/* a staged endpoint */
	struct hlist_node hnode;
	struct list_head lnode;
	u8 fam;
	u8 addr[16];
	bool del;
	u32 flags;
	char *name;
	u32 nraw, cap;
	struct np_pol_raw *raw;
	u32 old_rules;			/* of the published endpoint, or 0 */
};

struct np_pol_tx {
	u32 portid;
	struct list_head eps;
	struct hlist_head h[1 << TX_HBITS];
	u32 nsep;
	u32 eps_new;			/* keys not published, not deleted */
	u32 rules;			/* staged rule entries */
	u32 rules_old;			/* of the published keys named */
	struct np_pol_pchg *pc;
	u32 npc, cap_pc;
	u32 pfx_new;			/* set prefixes not published */
	bool has_gen;
	u64 gen;
};

static void tx_free(struct np_pol_tx *tx)
{
	struct np_pol_sep *s, *tmp;

	if (!tx)
		return;
	list_for_each_entry_safe(s, tmp, &tx->eps, lnode) {
		kfree(s->name);
		kvfree(s->raw);
		kfree(s);
	}
	kvfree(tx->pc);
	kfree(tx);
	atomic_dec(&np_pol_nobjects);
}

void np_pol_tx_drop(struct np_net *nn)
{
	lockdep_assert_held(&nn->lock);
	tx_free(nn->pol.tx);
	nn->pol.tx = NULL;
}

struct np_pol_tx *np_pol_tx_get(struct np_net *nn, u32 portid,
				struct netlink_ext_ack *extack)
{
	struct np_pol_tx *tx = nn->pol.tx;
	int i;

	lockdep_assert_held(&nn->lock);
	if (tx) {
		if (tx->portid == portid)
			return tx;
		NL_SET_ERR_MSG_MOD(extack,
				   "another socket has a policy transaction open in this netns");
		return ERR_PTR(-EBUSY);
	}
	tx = kzalloc(sizeof(*tx), GFP_KERNEL_ACCOUNT);
	if (!tx)
		return ERR_PTR(-ENOMEM);
	atomic_inc(&np_pol_nobjects);
	tx->portid = portid;
	INIT_LIST_HEAD(&tx->eps);
	for (i = 0; i < ARRAY_SIZE(tx->h); i++)
		INIT_HLIST_HEAD(&tx->h[i]);
	nn->pol.tx = tx;
	return tx;
}

void np_pol_tx_set_gen(struct np_pol_tx *tx, u64 gen)
{
	tx->has_gen = true;
	tx->gen = gen;
}

static const struct np_pol_cmap *published_cmap(struct np_net *nn)
{
	const struct np_pol_root *r = np_pol_root_locked(nn);

	return r ? r->cmap : NULL;
}

int np_pol_tx_add_class(struct np_net *nn, struct np_pol_tx *tx, u8 fam,
			const u8 *addr, u8 plen, u32 class,
			struct netlink_ext_ack *extack)
{
	const struct np_pol_cmap *m = published_cmap(nn);
	struct np_pol_pchg *c;
	bool isnew;

	lockdep_assert_held(&nn->lock);
	isnew = class && !(m && np_pol_cmap_find(m, fam, addr, plen));
	if (isnew && (u64)(m ? cmap_count(m) : 0) + tx->pfx_new + 1 >
		     np_limits.max_policy_prefixes) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many class map prefixes in this netns (module parameter max_policy_prefixes, the open transaction's included)");
		return -ENOSPC;
	}
	if (tx->npc == tx->cap_pc) {
		u32 cap = max(64U, tx->cap_pc * 2);
		struct np_pol_pchg *pc;

		pc = kvrealloc(tx->pc, tx->cap_pc * sizeof(*pc),
			       cap * sizeof(*pc), GFP_KERNEL_ACCOUNT);
		if (!pc)
			return -ENOMEM;
		tx->pc = pc;
		tx->cap_pc = cap;
	}
	c = &tx->pc[tx->npc];
	memset(c, 0, sizeof(*c));
	c->fam = fam;
	c->plen = plen;
	c->class = class;
	c->seq = tx->npc++;
	memcpy(c->addr, addr, np_pol_alen(fam));
	tx->pfx_new += isnew;
	return 0;
}

static struct np_pol_sep *sep_find(struct np_pol_tx *tx, u8 fam,
				   const u8 *addr)
{
	struct np_pol_sep *s;

	hlist_for_each_entry(s, &tx->h[np_pol_ep_hash(fam, addr) &
				       (ARRAY_SIZE(tx->h) - 1)], hnode)
		if (s->fam == fam && !memcmp(s->addr, addr, np_pol_alen(fam)))
			return s;
	return NULL;
}

struct np_pol_sep *np_pol_tx_add_ep(struct np_net *nn, struct np_pol_tx *tx,
				    u8 fam, const u8 *addr, u32 flags,
				    const char *name, bool append,
				    struct netlink_ext_ack *extack)
{
	const struct np_pol_root *r = np_pol_root_locked(nn);
	const struct np_pol_ep *old;
	struct np_pol_sep *s;

	lockdep_assert_held(&nn->lock);
	s = sep_find(tx, fam, addr);
	if (append) {
		if (!s || s->del) {
			NL_SET_ERR_MSG_MOD(extack,
					   "NP_PEP_F_APPEND for an endpoint not given before in this transaction (or deleted in it)");
			return ERR_PTR(-EINVAL);
		}
		return s;
	}
	if (s) {
		NL_SET_ERR_MSG_MOD(extack,
				   "endpoint given twice in one transaction (later nests carry NP_PEP_F_APPEND)");
		return ERR_PTR(-EINVAL);
	}
	old = r ? np_pol_root_lookup(r, fam, addr) : NULL;
	if (!old && !(flags & NP_PEP_F_DELETE) &&
	    (u64)(r ? r->neps : 0) + tx->eps_new + 1 >
	    np_limits.max_policy_endpoints) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many policy endpoints in this netns (module parameter max_policy_endpoints, the open transaction's included)");
		return ERR_PTR(-ENOSPC);
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);
	if (name) {
		s->name = kstrdup(name, GFP_KERNEL_ACCOUNT);
		if (!s->name) {
			kfree(s);
			return ERR_PTR(-ENOMEM);
		}
	}
	s->fam = fam;
	memcpy(s->addr, addr, np_pol_alen(fam));
	s->del = flags & NP_PEP_F_DELETE;
	s->flags = flags & (NP_PEP_F_INGRESS | NP_PEP_F_EGRESS);
	s->old_rules = old ? old->nrules : 0;
	hlist_add_head(&s->hnode, &tx->h[np_pol_ep_hash(fam, addr) &
					 (ARRAY_SIZE(tx->h) - 1)]);
	list_add_tail(&s->lnode, &tx->eps);
	tx->nsep++;
	tx->rules_old += s->old_rules;
	if (!old && !s->del)
		tx->eps_new++;
	return s;
}

int np_pol_tx_add_rule(struct np_net *nn, struct np_pol_tx *tx,
		       struct np_pol_sep *s, const struct np_pol_raw *raw,
		       struct netlink_ext_ack *extack)
{
	const struct np_pol_root *r = np_pol_root_locked(nn);
	u64 rules = (u64)(r ? r->nrules : 0) - tx->rules_old + tx->rules + 1;

	lockdep_assert_held(&nn->lock);
	if (rules > np_limits.max_policy_rules) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many policy rule entries in this netns (module parameter max_policy_rules, the open transaction's included)");
		return -ENOSPC;
	}
	if (s->nraw == s->cap) {
		u32 cap = max(8U, s->cap * 2);
		struct np_pol_raw *n;

		n = kvrealloc(s->raw, s->cap * sizeof(*n), cap * sizeof(*n),
			      GFP_KERNEL_ACCOUNT);
		if (!n)
			return -ENOMEM;
		s->raw = n;
		s->cap = cap;
	}
	s->raw[s->nraw++] = *raw;
	tx->rules++;
	return 0;
}

/* ---- commit ---- */

/* Undo np_pol_root_build(): @r's own buckets, @r, @g (not its contents). */
static void build_undo(struct np_pol_root *r, const struct np_pol_root *base,
		       struct np_pol_garbage *g)
{
	u32 i;

	for (i = 0; i <= r->mask; i++)
		if (r->b[i] != base->b[i])
			kfree(r->b[i]);
	kvfree(g->b);
	kvfree(g->ep);
	kfree(g);
	kvfree(r);
	atomic_dec(&np_pol_nobjects);
}

/* Free the endpoints built for a commit that did not happen. */
static void changes_free(struct np_pol_change *ch, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		np_pol_ep_free(ch[i].ep);
	kvfree(ch);
}

int np_pol_tx_commit(struct net *net, struct np_pol_tx *tx,
		     struct netlink_ext_ack *extack)
{
	struct np_net *nn = np_pernet(net);
	struct np_pol_root *old = root_locked(nn), *base, *r;
	struct np_pol_cmap *cmap = NULL;
	struct np_pol_change *ch = NULL;
	struct np_pol_garbage *g;
	struct np_pol_sep *s;
	u32 n = 0;
	int err;

	lockdep_assert_held(&nn->lock);
	if (tx->has_gen && tx->gen != np_pol_generation(nn)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "NP_POL_A_GENERATION is not the netns's current policy generation");
		return -ESTALE;
	}
	base = old;
	if (!base) {
		base = np_pol_root_empty(clamp(np_limits.max_policy_endpoints,
					       16U, 65536U));
		if (!base)
			return -ENOMEM;
	}
	if (tx->nsep) {
		ch = kvcalloc(tx->nsep, sizeof(*ch), GFP_KERNEL_ACCOUNT);
		if (!ch) {
			err = -ENOMEM;
			goto err_base;
		}
	}
	list_for_each_entry(s, &tx->eps, lnode) {
		struct np_pol_change *c = &ch[n++];
		struct np_pol_ep *prev;

		c->fam = s->fam;
		memcpy(c->addr, s->addr, sizeof(c->addr));
		if (s->del)
			continue;
		c->ep = np_pol_ep_build(s->fam, s->addr, s->flags, s->name,
					s->raw, s->nraw);
		NP_POL_TEST_PROBE();
		if (!c->ep) {
			err = -ENOMEM;
			goto err_changes;
		}
		prev = np_pol_root_lookup(base, s->fam, s->addr);
		if (prev) {		/* counters and rate limits carry over */
			refcount_inc(&prev->rt->ref);
			c->ep->rt = prev->rt;
		} else {
			c->ep->rt = rt_new();
			if (!c->ep->rt) {
				err = -ENOMEM;
				goto err_changes;
			}
		}
	}
	if (tx->npc) {
		cmap = np_pol_cmap_build(base->cmap, tx->pc, tx->npc);
		if (!cmap) {
			err = -ENOMEM;
			goto err_changes;
		}
	}
	NP_POL_TEST_PROBE();
	r = np_pol_root_build(base, ch, n, cmap, &g);
	NP_POL_TEST_PROBE();
	if (!r) {
		err = -ENOMEM;
		goto err_cmap;
	}
	err = hooks_sync_add(net, &nn->pol, r);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack,
				   "cannot register the policy hooks with netfilter");
		build_undo(r, base, g);
		goto err_cmap;
	}

	/* publish: nothing fails past here */
	rcu_assign_pointer(nn->pol.root, r);
	NP_POL_TEST_PROBE();
	base->garbage = g;
	if (old)
		root_free_rcu(old);
	else
		np_pol_root_free(base, false);	/* never published */
	hooks_sync_del(net, &nn->pol, r);
	kvfree(ch);
	return 0;

err_cmap:
	np_pol_cmap_free(cmap);
err_changes:
	changes_free(ch, n);
err_base:
	if (!old)
		np_pol_root_free(base, true);
	return err;
}

/* ---- transactions of closed sockets ---- */

static int pol_netlink_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct netlink_notify *n = ptr;
	struct np_net *nn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	nn = np_pernet(n->net);
	if (!READ_ONCE(nn->pol.tx))
		return NOTIFY_DONE;
	mutex_lock(&nn->lock);
	if (nn->pol.tx && nn->pol.tx->portid == n->portid)
		np_pol_tx_drop(nn);
	mutex_unlock(&nn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block pol_netlink_nb = {
	.notifier_call = pol_netlink_event,
};

/* ---- per netns ---- */

static void __net_exit pol_net_pre_exit(struct net *net)
{
	struct np_net *nn = np_pernet(net);

	/* unhook here: the netns core waits for a grace period before .exit */
	mutex_lock(&nn->lock);
	hooks_sync_del(net, &nn->pol, NULL);
	mutex_unlock(&nn->lock);
}

/* Everything of the netns: the open transaction and the published root. */
void np_pol_net_free(struct net *net)
{
	struct np_net *nn = np_pernet(net);
	struct np_pol_root *r;

	mutex_lock(&nn->lock);
	np_pol_tx_drop(nn);
	r = root_locked(nn);
	RCU_INIT_POINTER(nn->pol.root, NULL);
	hooks_sync_del(net, &nn->pol, NULL);
	mutex_unlock(&nn->lock);
	if (r) {
		synchronize_net();
		np_pol_root_free(r, true);
	}
}

static void __net_exit pol_net_exit(struct net *net)
{
	np_pol_net_free(net);
}

static struct pernet_operations pol_net_ops = {
	.pre_exit = pol_net_pre_exit,
	.exit = pol_net_exit,
};

int np_pol_init(void)
{
	int err;

	pol_wq = alloc_workqueue("nodeplane_pol", 0, 0);
	if (!pol_wq)
		return -ENOMEM;
	err = register_pernet_subsys(&pol_net_ops);
	if (err)
		goto err_wq;
	err = netlink_register_notifier(&pol_netlink_nb);
	if (err)
		goto err_pernet;
	return 0;

err_pernet:
	unregister_pernet_subsys(&pol_net_ops);
err_wq:
	destroy_workqueue(pol_wq);
	return err;
}

void np_pol_exit(void)
{
	netlink_unregister_notifier(&pol_netlink_nb);
	unregister_pernet_subsys(&pol_net_ops);
	rcu_barrier();			/* queue_rcu_work's callbacks ran */
	destroy_workqueue(pol_wq);	/* and their works */
}
