// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "nodeplane_policy": NetworkPolicy's class map, rule index,
 * commits and per-netns state (kmod/policy_core.c, kmod/policy.c), driven
 * through the transaction API as kmod/nl_pol.c drives it, in init_net,
 * against a naive reference: a list of prefixes scanned for the longest
 * match and, per endpoint, the rules as given scanned one by one.
 *
 *  - class_map_random: random prefixes of both families, nested and
 *    overlapping, changed and removed over several builds; every lookup,
 *    exact find and listing equals the reference.
 *  - classifier_random: random class maps, endpoints and rules over both
 *    families, committed as transactions; the decision for random packets
 *    (which checks ran, which passed) equals the reference's.
 *  - commit_atomic: a reader runs at every step of a commit (probes inside
 *    kmod/policy*.c) and during staging, and must always see the state
 *    before or the state after whole (the decision vector of a fixed
 *    packet list equals one of the two references).
 *  - tx_limits: -ENOSPC for each limit (the open transaction counted),
 *    -EBUSY for another socket, -ESTALE, the transaction dropped on error
 *    and on socket close, nothing published by any of them.
 *  - counters_events: counters survive the replacement of an endpoint; the
 *    drop-event token bucket and its suppressed count.
 *  - memory: bytes per class map prefix at 100,000 prefixes (<= 48 for
 *    IPv4), and the build time, printed.
 *  - netns_exit: everything freed (np_pol_nobjects), hooks gone.
 *
 * np_pol_nl_drop_event (kmod/nl_pol.c, not linked here) is defined below:
 * it records the events. pernet.c is linked through lb_table_test.c.
 */
static void test_probe(void);
#define NP_POL_TEST_PROBE() test_probe()

#include "../../kmod/policy_core.c"
#include "../../kmod/policy.c"

#include <kunit/test.h>
#include <linux/prandom.h>

/* ---- the event sink ---- */

static struct {
	int n;
	u8 dir;
	u32 suppressed;
	u8 addr[16];
} events;

void np_pol_nl_drop_event(struct net *net, const struct np_pol_ep *ep, u8 dir,
			  u8 fam, const u8 *saddr, const u8 *daddr, u8 proto,
			  u16 sport, u16 dport, u32 suppressed)
{
	events.n++;
	events.dir = dir;
	events.suppressed = suppressed;
	memcpy(events.addr, ep->addr, 16);
}

/* ---- the reference ---- */

#define MAX_PFX 96
#define MAX_EP 24
#define MAX_RAW 12
#define NPOOL 40

struct ref_pfx {
	u8 fam, plen;
	u32 class;
	u8 addr[16];
};

struct ref_ep {
	bool present;
	u8 fam;
	u8 addr[16];
	u32 flags;
	int nraw;
	struct np_pol_raw raw[MAX_RAW];
};

struct ref {
	int npfx;
	struct ref_pfx pfx[MAX_PFX];
	struct ref_ep ep[MAX_EP];
};

static bool ref_covers(u8 fam, const u8 *pfx, u8 plen, const u8 *a)
{
	unsigned int i;

	for (i = 0; i < plen; i++) {
		unsigned int bit = 7 - i % 8;

		if (((pfx[i / 8] >> bit) & 1) != ((a[i / 8] >> bit) & 1))
			return false;
	}
	return true;
}

static u32 ref_class(const struct ref *r, u8 fam, const u8 *a)
{
	int i, best = -1;

	for (i = 0; i < r->npfx; i++) {
		const struct ref_pfx *p = &r->pfx[i];

		if (p->fam == fam && ref_covers(fam, p->addr, p->plen, a) &&
		    (best < 0 || p->plen > r->pfx[best].plen))
			best = i;
	}
	return best < 0 ? 0 : r->pfx[best].class;
}

static bool ref_match(const struct ref_ep *e, u8 dir, u32 cls, u8 proto,
		      u16 port)
{
	int i;

	for (i = 0; i < e->nraw; i++) {
		const struct np_pol_raw *w = &e->raw[i];

		if (w->dir != dir || (w->class && w->class != cls))
			continue;
		if (!w->proto)
			return true;
		if (w->proto == proto && port >= w->first && port <= w->last)
			return true;
	}
	return false;
}

static const struct ref_ep *ref_ep_of(const struct ref *r, u8 fam,
				      const u8 *a)
{
	int i;

	for (i = 0; i < MAX_EP; i++)
		if (r->ep[i].present && r->ep[i].fam == fam &&
		    !memcmp(r->ep[i].addr, a, np_pol_alen(fam)))
			return &r->ep[i];
	return NULL;
}

/* Checks that ran and passed, 4 bits, as np_pol_decide() documents. */
static u8 ref_decide(const struct ref *r, u8 fam, const u8 *s, const u8 *d,
		     u8 proto, u16 port, bool local)
{
	const struct ref_ep *se = ref_ep_of(r, fam, s);
	const struct ref_ep *de = ref_ep_of(r, fam, d);
	u8 v = 0;

	if (se && (se->flags & NP_PEP_F_EGRESS)) {
		v |= 1;
		if (!ref_match(se, NP_POL_DIR_EGRESS, ref_class(r, fam, d),
			       proto, port))
			return v;
		v |= 2;
	}
	if (de && (de->flags & NP_PEP_F_INGRESS) && !local) {
		v |= 4;
		if (ref_match(de, NP_POL_DIR_INGRESS, ref_class(r, fam, s),
			      proto, port))
			v |= 8;
	}
	return v;
}

static bool bool_arg(void *arg)
{
	return *(bool *)arg;
}

static u8 kern_decide(const struct np_pol_root *r, u8 fam, const u8 *s,
		      const u8 *d, u8 proto, u16 port, bool local)
{
	struct np_pol_verdict v;

	np_pol_decide(r, fam, s, d, proto, port, bool_arg, &local, &v);
	return v.eg_checked | v.eg_ok << 1 | v.in_checked << 2 |
	       v.in_ok << 3;
}

/* ---- random material ---- */

static u32 rnd_below(struct rnd_state *rs, u32 n)
{
	return prandom_u32_state(rs) % n;
}

/* Pool address @i of @fam: 10.0.x.y / fd00::x:y, or the top of the space */
static void pool_addr(u8 fam, int i, u8 *a)
{
	memset(a, 0, 16);
	if (fam == NP_LPM_V4) {
		if (i < NPOOL - 4) {
			a[0] = 10;
			a[2] = i / 8;
			a[3] = i % 8 * 3;
		} else {
			memset(a, 0xff, 4);
			a[3] = 0xfc + i - (NPOOL - 4);
		}
	} else {
		if (i < NPOOL - 4) {
			a[0] = 0xfd;
			a[13] = i / 8;
			a[15] = i % 8 * 3;
		} else {
			memset(a, 0xff, 16);
			a[15] = 0xfc + i - (NPOOL - 4);
		}
	}
}

static void mask_to(u8 *a, u8 plen)
{
	int i;

	for (i = plen; i < 128; i++)
		a[i / 8] &= ~(1 << (7 - i % 8));
}

static void random_prefix(struct rnd_state *rs, u8 fam, struct ref_pfx *p)
{
	static const u8 l4[] = { 0, 8, 16, 22, 24, 27, 29, 30, 31, 32 };
	static const u8 l6[] = { 0, 16, 64, 112, 118, 120, 125, 126, 127, 128 };

	p->fam = fam;
	pool_addr(fam, rnd_below(rs, NPOOL), p->addr);
	p->plen = fam == NP_LPM_V4 ? l4[rnd_below(rs, ARRAY_SIZE(l4))] :
				     l6[rnd_below(rs, ARRAY_SIZE(l6))];
	mask_to(p->addr, p->plen);
	p->class = 1 + rnd_below(rs, 6);
}

static void ref_set_pfx(struct ref *r, const struct ref_pfx *p)
{
	int i;

	for (i = 0; i < r->npfx; i++) {
		if (r->pfx[i].fam == p->fam && r->pfx[i].plen == p->plen &&
		    !memcmp(r->pfx[i].addr, p->addr, 16)) {
			if (p->class)
				r->pfx[i].class = p->class;
			else
				r->pfx[i] = r->pfx[--r->npfx];
			return;
		}
	}
	if (p->class && r->npfx < MAX_PFX)
		r->pfx[r->npfx++] = *p;
}

static void random_raw(struct rnd_state *rs, struct np_pol_raw *w)
{
	static const u8 protos[] = { 0, IPPROTO_TCP, IPPROTO_UDP,
				     IPPROTO_SCTP, IPPROTO_TCP };

	w->dir = rnd_below(rs, 2);
	w->class = rnd_below(rs, 4) ? 1 + rnd_below(rs, 6) : 0;
	w->proto = protos[rnd_below(rs, ARRAY_SIZE(protos))];
	if (!w->proto) {
		w->first = 0;
		w->last = 0;
	} else if (!rnd_below(rs, 5)) {
		w->first = 0;
		w->last = 65535;
	} else {
		w->first = 1 + rnd_below(rs, 20);
		w->last = w->first + rnd_below(rs, 4);
	}
}

/* ---- driving the writer ---- */

#define PORTID_A 4001
#define PORTID_B 4002

static int tx_class(struct np_net *nn, const struct ref_pfx *p)
{
	struct np_pol_tx *tx = np_pol_tx_get(nn, PORTID_A, NULL);

	if (IS_ERR(tx))
		return PTR_ERR(tx);
	return np_pol_tx_add_class(nn, tx, p->fam, p->addr, p->plen, p->class,
				   NULL);
}

/* Stage @e (whole, its rules in two nests to use APPEND), or its deletion */
static int tx_ep(struct np_net *nn, const struct ref_ep *e, bool del)
{
	struct np_pol_tx *tx = np_pol_tx_get(nn, PORTID_A, NULL);
	struct np_pol_sep *s;
	int i, err;

	if (IS_ERR(tx))
		return PTR_ERR(tx);
	s = np_pol_tx_add_ep(nn, tx, e->fam, e->addr,
			     del ? NP_PEP_F_DELETE : e->flags,
			     del ? NULL : "ns/pod", false, NULL);
	if (IS_ERR(s))
		return PTR_ERR(s);
	for (i = 0; !del && i < e->nraw; i++) {
		if (i == e->nraw / 2) {
			s = np_pol_tx_add_ep(nn, tx, e->fam, e->addr,
					     NP_PEP_F_APPEND, NULL, true, NULL);
			if (IS_ERR(s))
				return PTR_ERR(s);
		}
		err = np_pol_tx_add_rule(nn, tx, s, &e->raw[i], NULL);
		if (err)
			return err;
	}
	return 0;
}

static int tx_commit(struct np_net *nn)
{
	struct np_pol_tx *tx = nn->pol.tx;
	int err = 0;

	if (tx)
		err = np_pol_tx_commit(&init_net, tx, NULL);
	np_pol_tx_drop(nn);
	return err;
}

static void random_ep(struct rnd_state *rs, struct ref_ep *e, int slot)
{
	int i;

	e->present = true;
	e->fam = slot % 2;
	pool_addr(e->fam, (slot / 2 * 7) % NPOOL, e->addr);
	e->flags = rnd_below(rs, 4);	/* INGRESS | EGRESS */
	e->nraw = rnd_below(rs, MAX_RAW + 1);
	for (i = 0; i < e->nraw; i++)
		random_raw(rs, &e->raw[i]);
}

/* ---- class_map_random ---- */

static void check_cmap(struct kunit *test, const struct np_pol_cmap *m,
		       const struct ref *r, struct rnd_state *rs)
{
	int fam, i, n[2] = { 0, 0 };
	u8 a[16], pa[16], plen;
	u32 cls;

	for (i = 0; i < r->npfx; i++)
		n[r->pfx[i].fam]++;
	for (fam = 0; fam < 2; fam++) {
		KUNIT_EXPECT_EQ(test, m->f[fam].npfx, (u32)n[fam]);
		for (i = 0; i < (int)m->f[fam].npfx; i++) {
			np_pol_cmap_get(m, fam, i, pa, &plen, &cls);
			KUNIT_EXPECT_EQ(test, np_pol_cmap_find(m, fam, pa, plen),
					cls);
		}
		for (i = 0; i < NPOOL; i++) {
			pool_addr(fam, i, a);
			KUNIT_EXPECT_EQ_MSG(test, np_pol_cmap_lookup(m, fam, a),
					    ref_class(r, fam, a),
					    "fam %d pool %d", fam, i);
			/* neighbours: the bits just past the prefixes */
			a[fam == NP_LPM_V4 ? 3 : 15] ^= 1 << rnd_below(rs, 8);
			a[fam == NP_LPM_V4 ? 2 : 14] ^= rnd_below(rs, 2);
			KUNIT_EXPECT_EQ(test, np_pol_cmap_lookup(m, fam, a),
					ref_class(r, fam, a));
		}
	}
	for (i = 0; i < r->npfx; i++)
		KUNIT_EXPECT_EQ(test, np_pol_cmap_find(m, r->pfx[i].fam,
						       r->pfx[i].addr,
						       r->pfx[i].plen),
				r->pfx[i].class);
}

static void class_map_random_test(struct kunit *test)
{
	struct np_pol_cmap *m = NULL, *next;
	struct np_pol_pchg *chg;
	struct rnd_state rs;
	struct ref *r;
	int round, i, n;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	chg = kunit_kcalloc(test, 64, sizeof(*chg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, chg);
	prandom_seed_state(&rs, 0x636d6170);
	for (round = 0; round < 200; round++) {
		n = 1 + rnd_below(&rs, 20);
		for (i = 0; i < n; i++) {
			struct ref_pfx p;

			random_prefix(&rs, rnd_below(&rs, 2), &p);
			if (!rnd_below(&rs, 4))
				p.class = 0;
			if (r->npfx >= MAX_PFX - 1)
				p.class = 0;
			chg[i].fam = p.fam;
			chg[i].plen = p.plen;
			chg[i].class = p.class;
			chg[i].seq = i;
			memcpy(chg[i].addr, p.addr, 16);
			ref_set_pfx(r, &p);
		}
		next = np_pol_cmap_build(m, chg, n);
		KUNIT_ASSERT_NOT_NULL(test, next);
		np_pol_cmap_free(m);
		m = next;
		check_cmap(test, m, r, &rs);
	}
	np_pol_cmap_free(m);
}

/* ---- classifier_random ---- */

static void check_decisions(struct kunit *test, struct np_net *nn,
			    const struct ref *r, struct rnd_state *rs,
			    int round)
{
	const struct np_pol_root *root = np_pol_root_locked(nn);
	u8 s[16], d[16], proto;
	int i, fam;
	bool local;
	u16 port;

	KUNIT_ASSERT_NOT_NULL(test, root);
	for (i = 0; i < 400; i++) {
		static const u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP,
					     IPPROTO_SCTP, IPPROTO_ICMP };

		fam = rnd_below(rs, 2);
		pool_addr(fam, rnd_below(rs, NPOOL), s);
		pool_addr(fam, rnd_below(rs, NPOOL), d);
		proto = protos[rnd_below(rs, ARRAY_SIZE(protos))];
		port = rnd_below(rs, 26);
		local = !rnd_below(rs, 8);
		KUNIT_EXPECT_EQ_MSG(test,
				    kern_decide(root, fam, s, d, proto, port,
						local),
				    ref_decide(r, fam, s, d, proto, port, local),
				    "round %d packet %d fam %d %u/%u", round, i,
				    fam, proto, port);
	}
}

static void classifier_random_test(struct kunit *test)
{
	struct np_net *nn = np_pernet(&init_net);
	int objects = atomic_read(&np_pol_nobjects);
	struct rnd_state rs;
	struct ref *r;
	int round, i, k;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	prandom_seed_state(&rs, 0x706f6c31);
	mutex_lock(&nn->lock);
	for (round = 0; round < 60; round++) {
		u64 gen = np_pol_generation(nn);

		for (i = rnd_below(&rs, 12); i >= 0; i--) {
			struct ref_pfx p;

			random_prefix(&rs, rnd_below(&rs, 2), &p);
			if (r->npfx >= MAX_PFX - 1 || !rnd_below(&rs, 5))
				p.class = 0;
			KUNIT_ASSERT_EQ(test, tx_class(nn, &p), 0);
			ref_set_pfx(r, &p);
		}
		for (i = rnd_below(&rs, 6); i >= 0; i--) {
			k = rnd_below(&rs, MAX_EP);
			if (nn->pol.tx && sep_find(nn->pol.tx, k % 2,
						   r->ep[k].addr))
				continue;	/* once per transaction */
			if (r->ep[k].present && !rnd_below(&rs, 3)) {
				KUNIT_ASSERT_EQ(test, tx_ep(nn, &r->ep[k], true),
						0);
				r->ep[k].present = false;
				continue;
			}
			random_ep(&rs, &r->ep[k], k);
			KUNIT_ASSERT_EQ(test, tx_ep(nn, &r->ep[k], false), 0);
		}
		KUNIT_ASSERT_EQ(test, tx_commit(nn), 0);
		KUNIT_EXPECT_EQ(test, np_pol_generation(nn), gen + 1);
		check_decisions(test, nn, r, &rs, round);
		k = 0;
		for (i = 0; i < MAX_EP; i++)
			k += r->ep[i].present;
		KUNIT_EXPECT_EQ(test, np_pol_root_locked(nn)->neps, (u32)k);
		KUNIT_EXPECT_EQ(test, nn->pol.hooks,
				(np_pol_root_locked(nn)->neps_fam[0] ? 1U : 0) |
				(np_pol_root_locked(nn)->neps_fam[1] ? 2U : 0));
	}
	mutex_unlock(&nn->lock);
	np_pol_net_free(&init_net);
	rcu_barrier();
	flush_workqueue(pol_wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&np_pol_nobjects), objects);
}

/* ---- commit_atomic ---- */

#define NPKT 160

static struct {
	bool on;
	int probes, bad;
	struct np_net *nn;
	const struct ref *before, *after;
	u8 fam[NPKT], s[NPKT][16], d[NPKT][16], proto[NPKT];
	u16 port[NPKT];
} probe;

static bool vector_is(const struct np_pol_root *root, const struct ref *r)
{
	int i;

	for (i = 0; i < NPKT; i++)
		if (kern_decide(root, probe.fam[i], probe.s[i], probe.d[i],
				probe.proto[i], probe.port[i], false) !=
		    ref_decide(r, probe.fam[i], probe.s[i], probe.d[i],
			       probe.proto[i], probe.port[i], false))
			return false;
	return true;
}

/* The reader: what a packet would see now. */
static void test_probe(void)
{
	const struct np_pol_root *root;

	if (!probe.on)
		return;
	probe.probes++;
	rcu_read_lock();
	root = rcu_dereference(probe.nn->pol.root);
	if (root && !vector_is(root, probe.before) &&
	    !vector_is(root, probe.after))
		probe.bad++;
	rcu_read_unlock();
}

static void commit_atomic_test(struct kunit *test)
{
	struct np_net *nn = np_pernet(&init_net);
	int objects = atomic_read(&np_pol_nobjects);
	struct ref *st[2];
	struct rnd_state rs;
	int i, k, round;

	prandom_seed_state(&rs, 0x61746f6d);
	for (i = 0; i < 2; i++) {
		st[i] = kunit_kzalloc(test, sizeof(*st[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, st[i]);
	}
	for (i = 0; i < NPKT; i++) {
		probe.fam[i] = i % 2;
		pool_addr(i % 2, rnd_below(&rs, NPOOL), probe.s[i]);
		pool_addr(i % 2, rnd_below(&rs, NPOOL), probe.d[i]);
		probe.proto[i] = i % 3 ? IPPROTO_TCP : IPPROTO_UDP;
		probe.port[i] = rnd_below(&rs, 24);
	}
	/* two states over the same keys: every endpoint differs */
	for (i = 0; i < 2; i++) {
		for (k = 0; k < 30; k++) {
			struct ref_pfx p;

			random_prefix(&rs, k % 2, &p);
			ref_set_pfx(st[i], &p);
		}
		for (k = 0; k < MAX_EP; k++) {
			random_ep(&rs, &st[i]->ep[k], k);
			st[i]->ep[k].flags |= i ? NP_PEP_F_INGRESS :
						  NP_PEP_F_EGRESS;
		}
	}
	/* prefixes of one state absent from the other: removed (class 0) */
	probe.nn = nn;
	mutex_lock(&nn->lock);
	for (round = 0; round < 12; round++) {
		const struct ref *to = st[round % 2], *from = st[!(round % 2)];

		probe.before = round ? from : to;
		probe.after = to;
		for (k = 0; k < from->npfx && round; k++) {
			struct ref_pfx p = from->pfx[k];

			p.class = 0;
			KUNIT_ASSERT_EQ(test, tx_class(nn, &p), 0);
			test_probe();
		}
		for (k = 0; k < to->npfx; k++) {
			KUNIT_ASSERT_EQ(test, tx_class(nn, &to->pfx[k]), 0);
			test_probe();
		}
		for (k = 0; k < MAX_EP; k++) {
			KUNIT_ASSERT_EQ(test, tx_ep(nn, &to->ep[k], false), 0);
			test_probe();
		}
		probe.on = true;
		KUNIT_ASSERT_EQ(test, tx_commit(nn), 0);
		probe.on = false;
		KUNIT_EXPECT_TRUE(test, vector_is(np_pol_root_locked(nn), to));
		if (!round)
			continue;
		/* a sanity check of the probe: the two states differ */
		KUNIT_EXPECT_FALSE(test, vector_is(np_pol_root_locked(nn),
						   from));
	}
	mutex_unlock(&nn->lock);
	kunit_info(test, "%d probes inside commits", probe.probes);
	KUNIT_EXPECT_GT(test, probe.probes, 12 * (MAX_EP + 3));
	KUNIT_EXPECT_EQ(test, probe.bad, 0);
	np_pol_net_free(&init_net);
	rcu_barrier();
	flush_workqueue(pol_wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&np_pol_nobjects), objects);
}

/* ---- tx_limits ---- */

static void tx_limits_test(struct kunit *test)
{
	struct np_net *nn = np_pernet(&init_net);
	int objects = atomic_read(&np_pol_nobjects);
	struct np_limits saved = np_limits;
	struct np_pol_raw raw = { .dir = NP_POL_DIR_INGRESS, .class = 1,
				  .proto = IPPROTO_TCP, .first = 80,
				  .last = 80 };
	struct netlink_notify nb = {
		.net = &init_net, .portid = PORTID_A,
		.protocol = NETLINK_GENERIC,
	};
	struct ref_ep e = { .present = true, .fam = NP_LPM_V4,
			    .flags = NP_PEP_F_INGRESS };
	struct ref_pfx p = { .fam = NP_LPM_V4, .plen = 32, .class = 1 };
	struct np_pol_tx *tx;
	struct np_pol_sep *s;
	int i;

	np_limits.max_policy_prefixes = 3;
	np_limits.max_policy_endpoints = 2;
	np_limits.max_policy_rules = 4;
	mutex_lock(&nn->lock);

	/* published: 2 prefixes, 1 endpoint with 2 rules */
	for (i = 0; i < 2; i++) {
		pool_addr(NP_LPM_V4, i, p.addr);
		KUNIT_ASSERT_EQ(test, tx_class(nn, &p), 0);
	}
	pool_addr(NP_LPM_V4, 0, e.addr);
	e.nraw = 2;
	e.raw[0] = raw;
	e.raw[1] = raw;
	KUNIT_ASSERT_EQ(test, tx_ep(nn, &e, false), 0);
	KUNIT_ASSERT_EQ(test, tx_commit(nn), 0);
	KUNIT_EXPECT_EQ(test, np_pol_generation(nn), 2ULL);

	/* prefixes: a third fits, a fourth not (re-setting one is free) */
	pool_addr(NP_LPM_V4, 0, p.addr);
	p.class = 2;
	KUNIT_EXPECT_EQ(test, tx_class(nn, &p), 0);
	pool_addr(NP_LPM_V4, 2, p.addr);
	KUNIT_EXPECT_EQ(test, tx_class(nn, &p), 0);
	pool_addr(NP_LPM_V4, 3, p.addr);
	KUNIT_EXPECT_EQ(test, tx_class(nn, &p), -ENOSPC);
	np_pol_tx_drop(nn);	/* as nl_pol.c does on any error */

	/* endpoints: a second fits, a third not */
	pool_addr(NP_LPM_V4, 1, e.addr);
	e.nraw = 0;
	KUNIT_EXPECT_EQ(test, tx_ep(nn, &e, false), 0);
	pool_addr(NP_LPM_V4, 2, e.addr);
	KUNIT_EXPECT_EQ(test, tx_ep(nn, &e, false), -ENOSPC);
	np_pol_tx_drop(nn);

	/* rules: replacing the endpoint frees its 2; 4 fit, a 5th not */
	tx = np_pol_tx_get(nn, PORTID_A, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(tx));
	pool_addr(NP_LPM_V4, 0, e.addr);
	s = np_pol_tx_add_ep(nn, tx, NP_LPM_V4, e.addr, NP_PEP_F_INGRESS,
			     NULL, false, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, np_pol_tx_add_rule(nn, tx, s, &raw, NULL),
				0);
	KUNIT_EXPECT_EQ(test, np_pol_tx_add_rule(nn, tx, s, &raw, NULL),
			-ENOSPC);
	/* another socket meanwhile: -EBUSY, its nothing, ours intact */
	KUNIT_EXPECT_EQ(test, PTR_ERR(np_pol_tx_get(nn, PORTID_B, NULL)),
			(long)-EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, nn->pol.tx, tx);
	/* APPEND of an unknown key, a key twice */
	pool_addr(NP_LPM_V4, 5, e.addr);
	KUNIT_EXPECT_EQ(test, PTR_ERR(np_pol_tx_add_ep(nn, tx, NP_LPM_V4,
						       e.addr, NP_PEP_F_APPEND,
						       NULL, true, NULL)),
			(long)-EINVAL);
	pool_addr(NP_LPM_V4, 0, e.addr);
	KUNIT_EXPECT_EQ(test, PTR_ERR(np_pol_tx_add_ep(nn, tx, NP_LPM_V4,
						       e.addr, 0, NULL, false,
						       NULL)),
			(long)-EINVAL);
	/* its socket closes: dropped */
	mutex_unlock(&nn->lock);
	pol_netlink_event(&pol_netlink_nb, NETLINK_URELEASE, &nb);
	mutex_lock(&nn->lock);
	KUNIT_EXPECT_NULL(test, nn->pol.tx);

	/* -ESTALE at commit, nothing published */
	pool_addr(NP_LPM_V4, 1, e.addr);
	KUNIT_EXPECT_EQ(test, tx_ep(nn, &e, false), 0);
	np_pol_tx_set_gen(nn->pol.tx, 1);
	KUNIT_EXPECT_EQ(test, tx_commit(nn), -ESTALE);

	/* none of it was published */
	KUNIT_EXPECT_EQ(test, np_pol_generation(nn), 2ULL);
	KUNIT_EXPECT_EQ(test, np_pol_root_locked(nn)->neps, 1U);
	KUNIT_EXPECT_EQ(test, np_pol_root_locked(nn)->nrules, 2U);
	KUNIT_EXPECT_EQ(test, cmap_count(np_pol_root_locked(nn)->cmap), 2U);
	pool_addr(NP_LPM_V4, 0, p.addr);
	KUNIT_EXPECT_EQ(test, np_pol_cmap_find(np_pol_root_locked(nn)->cmap,
					       NP_LPM_V4, p.addr, 32), 1U);

	/* the right generation commits; a deletion frees its count */
	pool_addr(NP_LPM_V4, 0, e.addr);
	KUNIT_EXPECT_EQ(test, tx_ep(nn, &e, true), 0);
	np_pol_tx_set_gen(nn->pol.tx, 2);
	KUNIT_EXPECT_EQ(test, tx_commit(nn), 0);
	KUNIT_EXPECT_EQ(test, np_pol_generation(nn), 3ULL);
	KUNIT_EXPECT_EQ(test, np_pol_root_locked(nn)->neps, 0U);
	KUNIT_EXPECT_EQ(test, np_pol_root_locked(nn)->nrules, 0U);
	KUNIT_EXPECT_EQ(test, nn->pol.hooks, 0U);
	mutex_unlock(&nn->lock);
	np_limits = saved;
	np_pol_net_free(&init_net);
	rcu_barrier();
	flush_workqueue(pol_wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&np_pol_nobjects), objects);
}

/* ---- counters_events ---- */

static void counters_events_test(struct kunit *test)
{
	struct np_net *nn = np_pernet(&init_net);
	int objects = atomic_read(&np_pol_nobjects);
	struct ref_ep e = { .present = true, .fam = NP_LPM_V6,
			    .flags = NP_PEP_F_INGRESS };
	struct np_pol_ep *ep, *ep2;
	u64 v[__NP_POL_COUNTERS];
	struct pkt pk = { .fam = NP_LPM_V6, .proto = IPPROTO_UDP };
	struct np_pol_rl *rl;
	int i;

	pool_addr(NP_LPM_V6, 3, e.addr);
	mutex_lock(&nn->lock);
	KUNIT_ASSERT_EQ(test, tx_ep(nn, &e, false), 0);
	KUNIT_ASSERT_EQ(test, tx_commit(nn), 0);
	ep = np_pol_root_lookup(np_pol_root_locked(nn), NP_LPM_V6, e.addr);
	KUNIT_ASSERT_NOT_NULL(test, ep);
	for (i = 0; i < 3; i++)
		count(ep, NP_POL_C_IN_DROPPED);
	count(ep, NP_POL_C_EG_ALLOWED);

	/* the token bucket: a burst of NP_POL_EVENTS_PER_SEC, then none */
	pk.saddr = e.addr;
	pk.daddr = e.addr;
	memset(&events, 0, sizeof(events));
	/* no refill in what follows (one token per HZ / 10 jiffies) */
	rl = &ep->rt->rl[NP_POL_DIR_INGRESS];
	rl->last = jiffies;
	for (i = 0; i < NP_POL_EVENTS_PER_SEC + 4; i++)
		drop_event(&init_net, ep, NP_POL_DIR_INGRESS, &pk);
	KUNIT_EXPECT_EQ(test, events.n, NP_POL_EVENTS_PER_SEC);
	KUNIT_EXPECT_EQ(test, events.suppressed, 0U);

	/* replaced: counters and bucket carry over */
	e.flags = NP_PEP_F_EGRESS;
	KUNIT_ASSERT_EQ(test, tx_ep(nn, &e, false), 0);
	KUNIT_ASSERT_EQ(test, tx_commit(nn), 0);
	ep2 = np_pol_root_lookup(np_pol_root_locked(nn), NP_LPM_V6, e.addr);
	KUNIT_ASSERT_NOT_NULL(test, ep2);
	KUNIT_EXPECT_PTR_NE(test, ep, ep2);
	KUNIT_EXPECT_EQ(test, ep2->flags, (u32)NP_PEP_F_EGRESS);
	np_pol_stats_sum(ep2, v);
	KUNIT_EXPECT_EQ(test, v[NP_POL_C_IN_ALLOWED], 0ULL);
	KUNIT_EXPECT_EQ(test, v[NP_POL_C_IN_DROPPED], 3ULL);
	KUNIT_EXPECT_EQ(test, v[NP_POL_C_EG_ALLOWED], 1ULL);
	KUNIT_EXPECT_EQ(test, v[NP_POL_C_EG_DROPPED], 0ULL);
	rl->last = jiffies;
	drop_event(&init_net, ep2, NP_POL_DIR_INGRESS, &pk);
	KUNIT_EXPECT_EQ(test, events.n, NP_POL_EVENTS_PER_SEC);
	/* a second later: one token per 1/NP_POL_EVENTS_PER_SEC s, and the
	 * suppressed drops (4 + 1) reported with the next event */
	KUNIT_EXPECT_PTR_EQ(test, &ep2->rt->rl[NP_POL_DIR_INGRESS], rl);
	rl->last -= HZ;
	drop_event(&init_net, ep2, NP_POL_DIR_INGRESS, &pk);
	KUNIT_EXPECT_EQ(test, events.n, NP_POL_EVENTS_PER_SEC + 1);
	KUNIT_EXPECT_EQ(test, events.suppressed, 5U);
	KUNIT_EXPECT_EQ(test, events.dir, (u8)NP_POL_DIR_INGRESS);
	KUNIT_EXPECT_EQ(test, memcmp(events.addr, e.addr, 16), 0);
	/* the other direction has its own bucket */
	drop_event(&init_net, ep2, NP_POL_DIR_EGRESS, &pk);
	KUNIT_EXPECT_EQ(test, events.suppressed, 0U);
	KUNIT_EXPECT_EQ(test, events.dir, (u8)NP_POL_DIR_EGRESS);
	mutex_unlock(&nn->lock);
	np_pol_net_free(&init_net);
	rcu_barrier();
	flush_workqueue(pol_wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&np_pol_nobjects), objects);
}

/* ---- memory ---- */

static void memory_test(struct kunit *test)
{
	const u32 n = 100000;
	struct np_pol_pchg *chg;
	struct np_pol_cmap *m;
	struct rnd_state rs;
	u64 t0, t1;
	size_t bytes;
	u32 i;
	int fam;

	chg = kvcalloc(n, sizeof(*chg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, chg);
	prandom_seed_state(&rs, 0x6d656d31);
	for (fam = 0; fam < 2; fam++) {
		for (i = 0; i < n; i++) {
			u32 x = prandom_u32_state(&rs);

			chg[i].fam = fam;
			chg[i].seq = i;
			chg[i].class = 1 + i % 1000;
			/* ipBlock-like: /16../32 (IPv4), /48../128 (IPv6) */
			if (fam == NP_LPM_V4) {
				chg[i].plen = 16 + x % 17;
				put_unaligned_be32(prandom_u32_state(&rs),
						   chg[i].addr);
			} else {
				chg[i].plen = 48 + x % 81;
				prandom_bytes_state(&rs, chg[i].addr, 16);
			}
			mask_to(chg[i].addr, chg[i].plen);
		}
		t0 = ktime_get_ns();
		m = np_pol_cmap_build(NULL, chg, n);
		t1 = ktime_get_ns();
		KUNIT_ASSERT_NOT_NULL(test, m);
		bytes = np_pol_cmap_bytes(m);
		kunit_info(test,
			   "%s: %u prefixes (%u distinct), %zu bytes, %zu.%02zu B per prefix, build %llu us\n",
			   fam ? "IPv6" : "IPv4", n, m->f[fam].npfx,
			   bytes, bytes / m->f[fam].npfx,
			   bytes * 100 / m->f[fam].npfx % 100,
			   (t1 - t0) / 1000);
		/* 4 + 4 + 4 (IPv4), 16 + 4 + 4 (IPv6), and the map itself */
		KUNIT_EXPECT_LE(test, bytes, (size_t)(fam ? 24 : 12) *
				m->f[fam].npfx + sizeof(*m));
		np_pol_cmap_free(m);
	}
	kvfree(chg);
}

/* ---- netns_exit ---- */

static void netns_exit_test(struct kunit *test)
{
	struct np_net *nn = np_pernet(&init_net);
	int objects = atomic_read(&np_pol_nobjects);
	struct rnd_state rs;
	struct ref_pfx p;
	struct ref_ep e;
	int k;

	prandom_seed_state(&rs, 0x65786974);
	mutex_lock(&nn->lock);
	for (k = 0; k < MAX_EP; k++) {
		random_ep(&rs, &e, k);
		e.flags |= NP_PEP_F_INGRESS;
		KUNIT_ASSERT_EQ(test, tx_ep(nn, &e, false), 0);
		random_prefix(&rs, k % 2, &p);
		KUNIT_ASSERT_EQ(test, tx_class(nn, &p), 0);
	}
	KUNIT_ASSERT_EQ(test, tx_commit(nn), 0);
	/* a replaced root waiting for its grace period, an open transaction */
	random_ep(&rs, &e, 0);
	KUNIT_ASSERT_EQ(test, tx_ep(nn, &e, false), 0);
	KUNIT_ASSERT_EQ(test, tx_commit(nn), 0);
	random_ep(&rs, &e, 1);
	KUNIT_ASSERT_EQ(test, tx_ep(nn, &e, false), 0);
	KUNIT_EXPECT_EQ(test, nn->pol.hooks, 3U);
	mutex_unlock(&nn->lock);

	pol_net_pre_exit(&init_net);
	KUNIT_EXPECT_EQ(test, nn->pol.hooks, 0U);
	pol_net_exit(&init_net);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(nn->pol.root));
	KUNIT_EXPECT_NULL(test, nn->pol.tx);
	rcu_barrier();
	flush_workqueue(pol_wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&np_pol_nobjects), objects);
	mutex_lock(&nn->lock);
	KUNIT_EXPECT_EQ(test, np_pol_generation(nn), 1ULL);
	mutex_unlock(&nn->lock);
}

static int policy_suite_init(struct kunit_suite *suite)
{
	int err = np_pernet_init();

	if (err)
		return err;
	err = np_pol_init();
	if (err)
		np_pernet_exit();
	return err;
}

static void policy_suite_exit(struct kunit_suite *suite)
{
	np_pol_exit();
	np_pernet_exit();
}

static struct kunit_case policy_cases[] = {
	KUNIT_CASE(class_map_random_test),
	KUNIT_CASE(classifier_random_test),
	KUNIT_CASE(commit_atomic_test),
	KUNIT_CASE(tx_limits_test),
	KUNIT_CASE(counters_events_test),
	KUNIT_CASE(memory_test),
	KUNIT_CASE(netns_exit_test),
	{}
};

static struct kunit_suite policy_suite = {
	.name = "nodeplane_policy",
	.suite_init = policy_suite_init,
	.suite_exit = policy_suite_exit,
	.test_cases = policy_cases,
};

kunit_test_suite(policy_suite);
