// SPDX-License-Identifier: GPL-2.0
/*
 * Masquerade: the behaviour of flannel's seven "flanneld masq" nat rules
 * (spec/overlay.md §5), decided per new connection by a NAT hook at
 * POST_ROUTING registered with the nf_nat core. The decision itself is
 * np_masq_decide() in masq_rule.c (pure, KUnit-tested).
 *
 * With C = the family's cluster CIDR, for a conntrack entry seen for the
 * first time in the original direction and not yet source-NATed:
 *   1. skb->mark & 0x4000 (kube-proxy will masquerade)      -> leave alone
 *   2. source in C and destination in C (pod to pod)         -> leave alone
 *   3. source not in C, destination in C: masquerade only when the packet
 *      leaves through a nodeplane overlay device (host or outside traffic
 *      to a remote pod); to a local pod                      -> leave alone
 *   4. source in C, destination not in C and not multicast   -> masquerade
 *   5. anything else                                         -> leave alone
 * Masquerade is nf_nat_masquerade_ipv4/_ipv6 with fully random ports, as
 * flannel's "MASQUERADE --random-fully".
 *
 * Deviations from flannel, on purpose (also in docs/masquerade.md): flannel
 * knows this node's pod CIDR P and RETURNs for "P -> C" and "C -> P" (its
 * rules 3 and 4), so pod traffic between two *other* nodes that is routed
 * through this one would hit its rule 6 and be masqueraded; rule 2 here keeps
 * every C -> C source without needing P. Flannel's rules 5 and 7 tell a local
 * from a remote pod by P ("! C -> P" returns, "! C -> C" masquerades); rule 3
 * here looks at the output device instead: a remote pod is one whose packets
 * leave through the overlay.
 *
 * Addresses come from the conntrack entry: the source of the original tuple
 * (no SNAT yet) and the source of the reply tuple, which is the destination
 * after any DNAT (kube-proxy's or ours), as iptables sees the packet in nat
 * POSTROUTING. The hook is registered only in namespaces whose configuration
 * enables the family, so the others pay nothing; it holds a conntrack
 * reference on the family there (nf_ct_netns_get).
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>
#include <net/netfilter/nf_nat_masquerade.h>
#include <linux/nodeplane.h>

#include "masq.h"
#include "overlay.h"

/* The conntrack / hook family of each table family. */
static const u8 fam_pf[__NP_LPM_FAMILIES] = {
	[NP_LPM_V4] = NFPROTO_IPV4,
	[NP_LPM_V6] = NFPROTO_IPV6,
};

static struct np_masq_config *config_locked(struct np_net *nn)
{
	return rcu_dereference_protected(nn->masq, lockdep_is_held(&nn->lock));
}

static unsigned int masq_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	static const struct nf_nat_range2 range = {
		.flags = NF_NAT_RANGE_PROTO_RANDOM_FULLY,
	};
	const struct nf_conntrack_tuple *orig, *reply;
	const struct np_masq_config *cfg;
	enum ip_conntrack_info ctinfo;
	enum np_lpm_family fam;
	enum np_masq_verdict v;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW ||
	    nf_nat_initialized(ct, NF_NAT_MANIP_SRC))
		return NF_ACCEPT;

	/* nf_hook runs us under rcu_read_lock() */
	cfg = rcu_dereference(np_pernet(state->net)->masq);
	fam = state->pf == NFPROTO_IPV4 ? NP_LPM_V4 : NP_LPM_V6;
	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	v = np_masq_decide(cfg, fam, (const u8 *)&orig->src.u3,
			   (const u8 *)&reply->src.u3, skb->mark,
			   np_overlay_dev_is(state->out));
	if (!np_masq_verdict_is_snat(v))
		return NF_ACCEPT;
	if (fam == NP_LPM_V4)
		return nf_nat_masquerade_ipv4(skb, state->hook, &range,
					      state->out);
	return nf_nat_masquerade_ipv6(skb, &range, state->out);
}

/* Shared by every netns: the hook finds its netns in the hook state. */
static const struct nf_hook_ops masq_ops[__NP_LPM_FAMILIES] = {
	[NP_LPM_V4] = {
		.hook = masq_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP_PRI_NAT_SRC,
	},
	[NP_LPM_V6] = {
		.hook = masq_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP6_PRI_NAT_SRC,
	},
};

static int hook_add(struct net *net, enum np_lpm_family fam)
{
	int err;

	err = nf_ct_netns_get(net, fam_pf[fam]);
	if (err)
		return err;
	if (fam == NP_LPM_V4)
		err = nf_nat_ipv4_register_fn(net, &masq_ops[fam]);
	else
		err = nf_nat_ipv6_register_fn(net, &masq_ops[fam]);
	if (err)
		nf_ct_netns_put(net, fam_pf[fam]);
	return err;
}

static void hook_del(struct net *net, enum np_lpm_family fam)
{
	if (fam == NP_LPM_V4)
		nf_nat_ipv4_unregister_fn(net, &masq_ops[fam]);
	else
		nf_nat_ipv6_unregister_fn(net, &masq_ops[fam]);
	nf_ct_netns_put(net, fam_pf[fam]);
}

/* Families whose hook @cfg needs, as a bit mask of 1 << np_lpm_family. */
static unsigned int hooks_wanted(const struct np_masq_config *cfg)
{
	unsigned int want = 0;
	int fam;

	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++)
		if (np_masq_family_on(cfg, fam))
			want |= 1U << fam;
	return want;
}

int np_masq_replace(struct net *net, struct np_masq_config *cfg,
		    struct netlink_ext_ack *extack)
{
	struct np_net *nn = np_pernet(net);
	struct np_masq_config *old;
	unsigned int want, added = 0;
	int fam, err;

	lockdep_assert_held(&nn->lock);
	old = config_locked(nn);
	want = hooks_wanted(cfg);

	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++) {
		if (!(want & ~nn->masq_hooks & (1U << fam)))
			continue;
		err = hook_add(net, fam);
		if (err) {
			if (fam == NP_LPM_V4)
				NL_SET_ERR_MSG_MOD(extack, "cannot register the IPv4 masquerade hook with nf_nat");
			else
				NL_SET_ERR_MSG_MOD(extack, "cannot register the IPv6 masquerade hook with nf_nat");
			goto err_added;
		}
		added |= 1U << fam;
	}

	rcu_assign_pointer(nn->masq, cfg);
	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++)
		if (nn->masq_hooks & ~want & (1U << fam))
			hook_del(net, fam);
	nn->masq_hooks = want;
	if (old)
		kfree_rcu(old, rcu);
	return 0;

err_added:
	for (fam = __NP_LPM_FAMILIES - 1; fam >= 0; fam--)
		if (added & (1U << fam))
			hook_del(net, fam);
	kfree(cfg);
	return err;
}

bool np_masq_snapshot(struct np_net *nn, struct np_masq_config *out)
{
	const struct np_masq_config *cfg;
	bool set;

	memset(out, 0, sizeof(*out));
	rcu_read_lock();
	cfg = rcu_dereference(nn->masq);
	set = cfg;
	if (cfg)
		memcpy(out, cfg, sizeof(*out));
	rcu_read_unlock();
	return set;
}

u32 np_masq_cidr_count(struct np_net *nn)
{
	struct np_masq_config cfg;
	u32 n = 0;
	int fam;

	np_masq_snapshot(nn, &cfg);
	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++)
		n += cfg.has[fam];
	return n;
}

/*
 * nf_nat's masquerade notifiers drop the conntrack entries masqueraded
 * through a device that goes down or an address that goes away, as the
 * MASQUERADE targets do. They are global and cost every netns a conntrack
 * walk per device-down event, so they are registered on first use only,
 * never from a pernet exit path (registration takes pernet_ops_rwsem).
 */
static DEFINE_MUTEX(notifiers_lock);
static bool notifiers_on;

int np_masq_notifiers_get(void)
{
	int err = 0;

	mutex_lock(&notifiers_lock);
	if (!notifiers_on) {
		err = nf_nat_masquerade_inet_register_notifiers();
		notifiers_on = !err;
	}
	mutex_unlock(&notifiers_lock);
	return err;
}

static void __net_exit masq_net_pre_exit(struct net *net)
{
	struct np_net *nn = np_pernet(net);
	int fam;

	/* unhook here: the netns core waits for a grace period before .exit */
	mutex_lock(&nn->lock);
	for (fam = 0; fam < __NP_LPM_FAMILIES; fam++)
		if (nn->masq_hooks & (1U << fam))
			hook_del(net, fam);
	nn->masq_hooks = 0;
	mutex_unlock(&nn->lock);
}

static void __net_exit masq_net_exit(struct net *net)
{
	struct np_net *nn = np_pernet(net);
	struct np_masq_config *cfg;

	mutex_lock(&nn->lock);
	cfg = config_locked(nn);
	RCU_INIT_POINTER(nn->masq, NULL);
	mutex_unlock(&nn->lock);
	if (cfg)
		kfree_rcu(cfg, rcu);
}

/* After np_pernet_init(): its exit runs after ours, its storage outlives us. */
static struct pernet_operations masq_net_ops = {
	.pre_exit = masq_net_pre_exit,
	.exit = masq_net_exit,
};

int np_masq_init(void)
{
	return register_pernet_subsys(&masq_net_ops);
}

void np_masq_exit(void)
{
	unregister_pernet_subsys(&masq_net_ops);
	mutex_lock(&notifiers_lock);
	if (notifiers_on)
		nf_nat_masquerade_inet_unregister_notifiers();
	notifiers_on = false;
	mutex_unlock(&notifiers_lock);
}
