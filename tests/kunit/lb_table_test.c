// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "nodeplane_lb_table": the per-netns frontend table of
 * kmod/lb.c driven as kmod/nl_lb.c drives it (whole SETs, staged objects
 * built in chunks and committed, DELs, staged objects dropped when their
 * socket closes), in init_net, against a naive reference under random
 * operations. After every operation the published table equals the
 * reference exactly (keys, owners, backends in order, range counts; the
 * packet path's lookup finds each key), the netns counts (frontends,
 * backends, ranges, staged ones, per family) are the reference's sums, the
 * NAT hooks exist exactly for the families with a frontend, and the
 * generation moved by exactly one for each publish and delete and not
 * otherwise (uapi: "counts every change of the netns's LB state"). Then
 * the netns exit path: every object freed (np_lb_nobjects), counts zero.
 *
 * np_lb_core_* (lb_core_test.c), np_lb_fe_* (lb_obj_test.c), np_lpm_*
 * (lpm_test.c) and np_limits (params_test.c) are linked into this module.
 */
#include "../../kmod/pernet.c"
#include "../../kmod/lb.c"

#include <kunit/test.h>
#include <linux/prandom.h>

/* 2 families x 2 protocols x 3 ports x (any, one local address) */
#define NKEYS 24
#define MAX_REF_BE 64
#define NPORTIDS 2

struct ref_fe {
	bool present;
	u8 owner;
	u32 portid;		/* staged: the stager */
	u32 nbe;
	struct np_lb_be be[MAX_REF_BE];
	u32 range_bits;		/* which of the 4 ranges of the key's family */
};

struct ref {
	struct ref_fe pub[NKEYS];
	struct ref_fe staged[NKEYS];
	u64 gen;
	u32 next_be;		/* backends unique by construction */
};

static const u8 ports[3] = { 80, 81, 82 };

static void key_of(int k, u8 *fam, u8 *proto, u16 *port, u8 *local,
		   bool *has_local)
{
	*fam = k & 1;
	*proto = (k >> 1) & 1 ? IPPROTO_UDP : IPPROTO_TCP;
	*port = ports[(k >> 2) % 3];
	*has_local = k >= NKEYS / 2;
	memset(local, 0, 16);
	local[0] = *fam == NP_LPM_V4 ? 192 : 0x20;
	local[1] = *fam == NP_LPM_V4 ? 0 : 0x01;
	local[np_lb_alen(*fam) - 1] = 254;
}

static int key_index(const struct np_lb_fe *fe)
{
	u8 fam, proto, local[16];
	bool has_local;
	u16 port;
	int k;

	for (k = 0; k < NKEYS; k++) {
		key_of(k, &fam, &proto, &port, local, &has_local);
		if (np_lb_core_key_eq(fe, fam, proto, port,
				      has_local ? local : NULL))
			return k;
	}
	return -1;
}

static void range_of(u8 fam, int i, u8 *addr, u8 *plen)
{
	memset(addr, 0, 16);
	addr[0] = fam == NP_LPM_V4 ? 10 : 0xfd;
	addr[1] = i;
	*plen = 16;
}

/* n fresh backends into @dst (appended to the reference's @r too). */
static void gen_backends(struct ref *ref, struct rnd_state *rnd, u8 fam,
			 struct ref_fe *r, struct np_lb_be *dst, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		struct np_lb_be *b = &dst[i];
		u32 id = ref->next_be++;

		memset(b, 0, sizeof(*b));
		b->addr[0] = fam == NP_LPM_V4 ? 10 : 0xfd;
		b->addr[1] = 42;
		b->addr[np_lb_alen(fam) - 2] = id >> 8;
		b->addr[np_lb_alen(fam) - 1] = id;
		b->port = htons(8000 + prandom_u32_state(rnd) % 8);
		b->flags = prandom_u32_state(rnd) & __NP_LBB_F_ALL;
		r->be[r->nbe++] = *b;
	}
}

static void add_ranges(struct kunit *test, struct np_lb_fe *fe,
		       struct ref_fe *r, u32 bits)
{
	u8 addr[16], plen;
	int i;

	for (i = 0; i < 4; i++) {
		if (!(bits & (1U << i)))
			continue;
		range_of(fe->fam, i, addr, &plen);
		KUNIT_ASSERT_EQ(test, np_lb_fe_add_range(fe, fe->fam, addr, plen), 0);
		r->range_bits |= 1U << i;
	}
}

static struct np_lb_fe *new_fe(struct kunit *test, int k, u8 owner)
{
	struct np_lb_fe *fe = np_lb_fe_new();
	u8 local[16];

	KUNIT_ASSERT_NOT_NULL(test, fe);
	key_of(k, &fe->fam, &fe->proto, &fe->port, local, &fe->has_local);
	if (fe->has_local)
		memcpy(fe->local, local, 16);
	fe->owner = owner;
	return fe;
}

/* Entries of one chunk: up to 8 backends, some of the key's 4 ranges. */
static void fill_chunk(struct kunit *test, struct ref *ref,
		       struct rnd_state *rnd, struct np_lb_fe *fe,
		       struct ref_fe *r)
{
	struct np_lb_be be[8];
	u32 n = prandom_u32_state(rnd) % 9;

	if (r->nbe + n > MAX_REF_BE)
		n = MAX_REF_BE - r->nbe;
	gen_backends(ref, rnd, fe->fam, r, be, n);
	KUNIT_ASSERT_EQ(test, np_lb_fe_add_backends(fe, be, n), 0);
	add_ranges(test, fe, r, prandom_u32_state(rnd) & 0xf &
		   (prandom_u32_state(rnd) & 1 ? 0xf : 0));
}

static void check(struct kunit *test, struct np_net *nn,
		  const struct ref *ref, int op)
{
	const struct np_lb_net *ln = &nn->lb;
	u32 nfe = 0, nbe = 0, nr = 0, ns = 0, nsbe = 0, nsr = 0;
	u32 fam_n[__NP_LPM_FAMILIES] = {}, seen = 0, i;
	struct np_lb_table *t = table_locked(nn);
	struct np_lb_fe *fe;
	int k;

	KUNIT_EXPECT_EQ_MSG(test, ln->generation, ref->gen, "op %d", op);
	for (k = 0; k < NKEYS; k++) {
		const struct ref_fe *p = &ref->pub[k], *s = &ref->staged[k];

		if (p->present) {
			nfe++;
			nbe += p->nbe;
			nr += hweight32(p->range_bits);
			fam_n[k & 1]++;
		}
		if (s->present) {
			ns++;
			nsbe += s->nbe;
			nsr += hweight32(s->range_bits);
		}
	}
	KUNIT_EXPECT_EQ_MSG(test, ln->nfe, nfe, "op %d", op);
	KUNIT_EXPECT_EQ_MSG(test, ln->nbe, nbe, "op %d", op);
	KUNIT_EXPECT_EQ_MSG(test, ln->nranges, nr, "op %d", op);
	KUNIT_EXPECT_EQ_MSG(test, ln->nstaged, ns, "op %d", op);
	KUNIT_EXPECT_EQ_MSG(test, ln->nstaged_be, nsbe, "op %d", op);
	KUNIT_EXPECT_EQ_MSG(test, ln->nstaged_ranges, nsr, "op %d", op);
	for (i = 0; i < __NP_LPM_FAMILIES; i++) {
		KUNIT_EXPECT_EQ_MSG(test, ln->nfe_fam[i], fam_n[i], "op %d", op);
		KUNIT_EXPECT_EQ_MSG(test, !!(ln->hooks & (1U << i)), !!fam_n[i],
				    "op %d: hooks of family %u", op, i);
	}

	/* the published table, bucket by bucket, against the reference */
	for (i = 0; t && i <= t->mask; i++) {
		hlist_for_each_entry(fe, &t->b[i], hnode) {
			const struct ref_fe *p;

			k = key_index(fe);
			KUNIT_ASSERT_GE_MSG(test, k, 0, "op %d: unknown key", op);
			p = &ref->pub[k];
			KUNIT_EXPECT_TRUE_MSG(test, p->present, "op %d: key %d published", op, k);
			KUNIT_EXPECT_FALSE_MSG(test, seen & (1U << k), "op %d: key %d twice", op, k);
			seen |= 1U << k;
			KUNIT_EXPECT_EQ_MSG(test, fe->owner, p->owner, "op %d key %d", op, k);
			KUNIT_EXPECT_EQ_MSG(test, fe->nbe, p->nbe, "op %d key %d", op, k);
			if (fe->nbe == p->nbe && p->nbe)
				KUNIT_EXPECT_EQ_MSG(test, memcmp(fe->be, p->be, p->nbe * sizeof(*fe->be)), 0,
						    "op %d key %d backends", op, k);
			KUNIT_EXPECT_EQ_MSG(test, fe->nranges, hweight32(p->range_bits),
					    "op %d key %d", op, k);
			KUNIT_EXPECT_NOT_NULL(test, fe->stats);
		}
	}
	/* the packet path's lookup: exact local address first, then any */
	rcu_read_lock();
	for (k = 0; k < NKEYS / 2; k++) {
		u8 fam, proto, local[16];
		bool has_local;
		u16 port;
		int want;

		key_of(k + NKEYS / 2, &fam, &proto, &port, local, &has_local);
		t = rcu_dereference(nn->lb.table);
		fe = t ? lookup_rcu(t, fam, proto, port, local) : NULL;
		want = ref->pub[k + NKEYS / 2].present ? k + NKEYS / 2 :
		       ref->pub[k].present ? k : -1;
		KUNIT_EXPECT_EQ_MSG(test, fe ? key_index(fe) : -1, want,
				    "op %d: lookup of key %d's local address", op, k);
		local[2] = 7;		/* another address: the any-address one */
		fe = t ? lookup_rcu(t, fam, proto, port, local) : NULL;
		KUNIT_EXPECT_EQ_MSG(test, fe ? key_index(fe) : -1,
				    ref->pub[k].present ? k : -1,
				    "op %d: lookup of key %d, another address", op, k);
	}
	rcu_read_unlock();
	/* the staged list */
	i = 0;
	list_for_each_entry(fe, &nn->lb.staged, snode) {
		k = key_index(fe);
		KUNIT_ASSERT_GE(test, k, 0);
		KUNIT_EXPECT_TRUE_MSG(test, ref->staged[k].present, "op %d staged %d", op, k);
		KUNIT_EXPECT_EQ_MSG(test, fe->portid, ref->staged[k].portid, "op %d staged %d", op, k);
		KUNIT_EXPECT_EQ_MSG(test, fe->nbe, ref->staged[k].nbe, "op %d staged %d", op, k);
		i++;
	}
	KUNIT_EXPECT_EQ_MSG(test, i, ns, "op %d: staged objects", op);
}

/* A closed socket: nl_lb's NETLINK_URELEASE notifier. */
static void close_socket(u32 portid)
{
	struct netlink_notify n = {
		.net = &init_net, .portid = portid, .protocol = NETLINK_GENERIC,
	};

	lb_netlink_event(&lb_netlink_nb, NETLINK_URELEASE, &n);
}

static struct np_lb_fe *staged_of(struct np_net *nn, int k)
{
	u8 fam, proto, local[16];
	bool has_local;
	u16 port;

	key_of(k, &fam, &proto, &port, local, &has_local);
	return np_lb_staged_find(nn, fam, proto, port,
				 has_local ? local : NULL);
}

enum { OP_SET, OP_SET_DUP, OP_STAGE, OP_APPEND, OP_COMMIT, OP_DEL, OP_CLOSE,
       __OP_N };

static void lb_table_random_test(struct kunit *test)
{
	struct np_net *nn = np_pernet(&init_net);
	int objects = atomic_read(&np_lb_nobjects);
	struct rnd_state rnd;
	struct np_lb_fe *fe;
	struct ref *ref;
	int op, k, err;

	ref = kunit_kzalloc(test, sizeof(*ref), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	prandom_seed_state(&rnd, 0x6c627462);
	mutex_lock(&nn->lock);
	ref->gen = nn->lb.generation;
	check(test, nn, ref, -1);
	for (op = 0; op < 3000; op++) {
		u32 kind = prandom_u32_state(&rnd) % __OP_N;
		u32 portid = 100 + prandom_u32_state(&rnd) % NPORTIDS;
		u8 owner = 1 + prandom_u32_state(&rnd) % NP_LB_OWNER_MAX;
		struct ref_fe *p, *s, tmp;
		u8 fam, proto, local[16];
		bool has_local;
		u16 port;

		k = prandom_u32_state(&rnd) % NKEYS;
		p = &ref->pub[k];
		s = &ref->staged[k];
		key_of(k, &fam, &proto, &port, local, &has_local);
		switch (kind) {
		case OP_SET:		/* a whole frontend in one message */
		case OP_SET_DUP:	/* the same with a duplicate backend */
			fe = new_fe(test, k, owner);
			memset(&tmp, 0, sizeof(tmp));
			tmp.present = true;
			tmp.owner = owner;
			fill_chunk(test, ref, &rnd, fe, &tmp);
			if (kind == OP_SET_DUP) {
				if (!tmp.nbe) {
					np_lb_fe_free(fe);
					break;
				}
				KUNIT_ASSERT_EQ(test, np_lb_fe_add_backends(fe, &tmp.be[0], 1), 0);
			}
			KUNIT_ASSERT_EQ(test, np_lb_check_limits(nn, 1, fe->nbe, fe->nranges,
								 np_lb_find(nn, fam, proto, port, has_local ? local : NULL),
								 NULL), 0);
			err = np_lb_publish(&init_net, fe, NULL);
			if (kind == OP_SET_DUP) {
				/* refused, nothing changed */
				KUNIT_EXPECT_EQ(test, err, -EINVAL);
				np_lb_fe_free(fe);
				break;
			}
			KUNIT_ASSERT_EQ(test, err, 0);
			*p = tmp;
			ref->gen++;
			break;
		case OP_STAGE:		/* a first chunk (STAGE_F_MORE) */
			if (s->present && s->portid != portid)
				break;		/* nl_lb: -EBUSY */
			fe = staged_of(nn, k);
			if (fe) {		/* ours: the new first chunk drops it */
				np_lb_unstage(nn, fe);
				np_lb_fe_free(fe);
			}
			fe = new_fe(test, k, owner);
			memset(s, 0, sizeof(*s));
			s->present = true;
			s->owner = owner;
			s->portid = portid;
			fill_chunk(test, ref, &rnd, fe, s);
			np_lb_stage(nn, fe, portid);
			break;
		case OP_APPEND:		/* a following chunk (APPEND | MORE) */
			fe = staged_of(nn, k);
			KUNIT_EXPECT_EQ(test, !!fe, s->present);
			if (!fe)
				break;
			{
				u32 be0 = fe->nbe, r0 = fe->nranges;

				fill_chunk(test, ref, &rnd, fe, s);
				np_lb_staged_grew(nn, fe->nbe - be0,
						  fe->nranges - r0);
			}
			break;
		case OP_COMMIT:		/* the last chunk (APPEND alone) */
			fe = staged_of(nn, k);
			KUNIT_EXPECT_EQ(test, !!fe, s->present);
			if (!fe)
				break;
			np_lb_unstage(nn, fe);
			KUNIT_ASSERT_EQ(test, np_lb_publish(&init_net, fe, NULL), 0);
			*p = *s;
			p->portid = 0;
			memset(s, 0, sizeof(*s));
			ref->gen++;
			break;
		case OP_DEL:
			err = np_lb_delete(&init_net, fam, proto, port,
					   has_local ? local : NULL, NULL);
			KUNIT_EXPECT_EQ(test, err, p->present ? 0 : -ENOENT);
			if (p->present)
				ref->gen++;
			memset(p, 0, sizeof(*p));
			break;
		case OP_CLOSE:		/* a stager's socket closes */
			if (prandom_u32_state(&rnd) % 4)
				break;	/* rarer: staged objects get to grow */
			mutex_unlock(&nn->lock);
			close_socket(portid);
			mutex_lock(&nn->lock);
			for (k = 0; k < NKEYS; k++)
				if (ref->staged[k].present &&
				    ref->staged[k].portid == portid)
					memset(&ref->staged[k], 0,
					       sizeof(ref->staged[k]));
			break;
		}
		check(test, nn, ref, op);
		if (ref->next_be > 60000)
			ref->next_be = 0;	/* only a key's own must be unique */
	}
	/* everything away: deletes and closes */
	for (k = 0; k < NKEYS; k++) {
		u8 fam, proto, local[16];
		bool has_local;
		u16 port;

		key_of(k, &fam, &proto, &port, local, &has_local);
		if (ref->pub[k].present) {
			KUNIT_EXPECT_EQ(test, np_lb_delete(&init_net, fam, proto, port,
							   has_local ? local : NULL, NULL), 0);
			ref->gen++;
		}
		memset(&ref->pub[k], 0, sizeof(ref->pub[k]));
	}
	mutex_unlock(&nn->lock);
	for (k = 0; k < NPORTIDS; k++)
		close_socket(100 + k);
	memset(ref->staged, 0, sizeof(ref->staged));
	mutex_lock(&nn->lock);
	check(test, nn, ref, 3000);
	mutex_unlock(&nn->lock);
	/* the replaced and deleted frontends freed after their grace period */
	rcu_barrier();
	flush_workqueue(lb_wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&np_lb_nobjects), objects);
}

/*
 * The netns exit path (pre_exit, exit) with frontends of both families
 * and staged objects: every object freed, every count zero, the hooks
 * gone; the netns then starts again from generation 1.
 */
static void lb_table_netns_exit_test(struct kunit *test)
{
	struct np_net *nn = np_pernet(&init_net);
	int objects = atomic_read(&np_lb_nobjects);
	struct ref *ref;
	struct rnd_state rnd;
	struct np_lb_fe *fe;
	int k;

	ref = kunit_kzalloc(test, sizeof(*ref), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	prandom_seed_state(&rnd, 0x6c626e73);
	mutex_lock(&nn->lock);
	for (k = 0; k < NKEYS; k++) {
		fe = new_fe(test, k, NP_LB_OWNER_SERVICELB);
		fill_chunk(test, ref, &rnd, fe, &ref->pub[k]);
		fe->affinity = k % 3 ? 0 : 30;
		KUNIT_ASSERT_EQ(test, np_lb_publish(&init_net, fe, NULL), 0);
		if (k % 4)
			continue;
		/* a replace too: the old version goes to the free queue */
		fe = new_fe(test, k, NP_LB_OWNER_HOSTPORT);
		fill_chunk(test, ref, &rnd, fe, &ref->staged[k]);
		np_lb_stage(nn, fe, 300);
		fe = new_fe(test, k, NP_LB_OWNER_HOSTPORT);
		KUNIT_ASSERT_EQ(test, np_lb_publish(&init_net, fe, NULL), 0);
	}
	KUNIT_EXPECT_EQ(test, nn->lb.nfe, (u32)NKEYS);
	KUNIT_EXPECT_EQ(test, nn->lb.nstaged, (u32)NKEYS / 4);
	KUNIT_EXPECT_EQ(test, nn->lb.hooks, 3U);
	mutex_unlock(&nn->lock);

	lb_net_pre_exit(&init_net);
	lb_net_exit(&init_net);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(nn->lb.table));
	KUNIT_EXPECT_EQ(test, nn->lb.nfe, 0U);
	KUNIT_EXPECT_EQ(test, nn->lb.nbe, 0U);
	KUNIT_EXPECT_EQ(test, nn->lb.nranges, 0U);
	KUNIT_EXPECT_EQ(test, nn->lb.nstaged, 0U);
	KUNIT_EXPECT_EQ(test, nn->lb.nstaged_be, 0U);
	KUNIT_EXPECT_EQ(test, nn->lb.nfe_fam[NP_LPM_V4] + nn->lb.nfe_fam[NP_LPM_V6], 0U);
	KUNIT_EXPECT_EQ(test, nn->lb.hooks, 0U);
	KUNIT_EXPECT_TRUE(test, list_empty(&nn->lb.staged));
	rcu_barrier();
	flush_workqueue(lb_wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&np_lb_nobjects), objects);
	/* as a new netns */
	lb_net_init(&init_net);
	KUNIT_EXPECT_EQ(test, nn->lb.generation, 1ULL);
}

static int lb_table_suite_init(struct kunit_suite *suite)
{
	int err = np_pernet_init();

	if (err)
		return err;
	err = np_lb_init();
	if (err)
		np_pernet_exit();
	return err;
}

static void lb_table_suite_exit(struct kunit_suite *suite)
{
	np_lb_exit();
	np_pernet_exit();
}

static struct kunit_case lb_table_cases[] = {
	KUNIT_CASE(lb_table_random_test),
	KUNIT_CASE(lb_table_netns_exit_test),
	{}
};

static struct kunit_suite lb_table_suite = {
	.name = "nodeplane_lb_table",
	.suite_init = lb_table_suite_init,
	.suite_exit = lb_table_suite_exit,
	.test_cases = lb_table_cases,
};

kunit_test_suite(lb_table_suite);
