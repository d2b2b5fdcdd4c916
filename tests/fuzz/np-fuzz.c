// SPDX-License-Identifier: GPL-2.0-only
/*
 * np-fuzz: generic-netlink fuzzer for nodeplane.ko (runs as root in the test
 * VM; see docs/fuzz.md).
 *
 *   parent ── slot 0: netns ── churner  (create/configure/delete npf0, npf1)
 *          │                ├─ traffic  (UDP over npf* so the TX path runs)
 *          │                └─ workers  (valid + mutated requests)
 *          ├─ slot 1 ... (same, its own netns)
 *          └─ netns churner: short-lived netns with devices, peers and
 *                            masquerade, left for the kernel to tear down
 *
 * Every request is first built valid from the attribute trees of
 * uapi/linux/nodeplane.h (table below), then, one time in two, mutated:
 * attribute types, lengths, payloads, nesting (wrapped, deep, flipped),
 * duplicates, drops, reorderings, unknown attributes, hostile values,
 * header fields (cmd, version, flags), truncation and several messages in
 * one datagram. Each process draws from its own generator seeded from
 * --seed, its role and its index, so a seed replays every process's
 * sequence of requests (the interleaving of processes is the scheduler's).
 *
 * Afterwards each slot deletes what is left of its devices and masquerade
 * and checks in its netns that INFO counts read 0 devices, 0 peers and 0
 * masquerade CIDRs and that no link of kind "nodeplane" is left.
 * Exit 0 when every check held, 1 when one failed, 2 on usage errors.
 *
 * --selftest (host, no module needed) builds and mutates messages and checks
 * that every valid one parses back against the table and every mutated one
 * stays inside its buffer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/genetlink.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/nodeplane.h>

#define MAX_SLOTS 8
#define MAX_WORKERS 16
#define NDEVS 6			/* devices per slot: npf0..npf5 */
#define NROUTED 2		/* npf0, npf1: up, addressed, rarely deleted */
#define BARE_GROUP 7		/* npf2..npf5: deleted together, often */
#define BUCKETS (NP_CMD_MAX + 2)	/* commands 0..MAX, then "other" */

/* ---- attribute table (from the uapi header's opening comment) ---------- */

enum kind { K_U8, K_U16, K_U32, K_U64, K_BIN, K_STR, K_NEST };

struct aspec {
	uint16_t type;
	uint8_t kind;
	uint16_t len;			/* payload: exact, or 0 for any/empty */
	const struct aspec *nest;	/* K_NEST: the children's table */
	uint16_t nest_max;
	bool req;			/* accepted in requests */
};

#define A(t, k, l, r) { .type = (t), .kind = (k), .len = (l), .req = (r) }
#define N(t, tab, max, r) { .type = (t), .kind = K_NEST, .nest = (tab), \
			    .nest_max = (max), .req = (r) }

static const struct aspec cidr_tab[] = {
	A(NP_CIDR_A_ADDR4, K_BIN, 4, true),
	A(NP_CIDR_A_ADDR6, K_BIN, 16, true),
	A(NP_CIDR_A_PREFIXLEN, K_U8, 1, true),
	{ 0 }
};

static const struct aspec count_tab[] = {
	A(NP_COUNT_A_REQUESTS, K_U64, 8, false),
	A(NP_COUNT_A_OVERLAY_DEVICES, K_U32, 4, false),
	A(NP_COUNT_A_OVERLAY_PEERS, K_U32, 4, false),
	A(NP_COUNT_A_MASQ_CIDRS, K_U32, 4, false),
	{ 0 }
};

static const struct aspec info_tab[] = {
	A(NP_INFO_A_ABI_VERSION, K_U32, 4, true),
	A(NP_INFO_A_VERSION, K_STR, 0, false),
	A(NP_INFO_A_FEATURES, K_U32, 4, false),
	N(NP_INFO_A_COUNTS, count_tab, NP_COUNT_A_MAX, false),
	{ 0 }
};

static const struct aspec ostat_tab[] = {
	A(NP_OSTAT_A_TX_PACKETS, K_U64, 8, false),
	A(NP_OSTAT_A_RX_BAD_INNER, K_U64, 8, false),
	{ 0 }
};

static const struct aspec overlay_tab[] = {
	A(NP_OVERLAY_A_IFINDEX, K_U32, 4, true),
	A(NP_OVERLAY_A_IFNAME, K_STR, 0, false),
	A(NP_OVERLAY_A_VNI, K_U32, 4, true),
	A(NP_OVERLAY_A_PORT, K_U16, 2, true),
	A(NP_OVERLAY_A_LOCAL4, K_BIN, 4, true),	/* or empty */
	A(NP_OVERLAY_A_LOCAL6, K_BIN, 16, true),	/* or empty */
	A(NP_OVERLAY_A_MAC, K_BIN, 6, true),
	A(NP_OVERLAY_A_MAC6, K_BIN, 6, true),
	A(NP_OVERLAY_A_FLAGS, K_U32, 4, true),
	A(NP_OVERLAY_A_PEERS, K_U32, 4, false),
	N(NP_OVERLAY_A_STATS, ostat_tab, NP_OSTAT_A_MAX, false),
	{ 0 }
};

static const struct aspec peer_tab[] = {
	A(NP_PEER_A_IFINDEX, K_U32, 4, true),
	A(NP_PEER_A_MAC, K_BIN, 6, true),
	A(NP_PEER_A_ENDPOINT4, K_BIN, 4, true),
	A(NP_PEER_A_ENDPOINT6, K_BIN, 16, true),
	N(NP_PEER_A_CIDR, cidr_tab, NP_CIDR_A_MAX, true),
	{ 0 }
};

static const struct aspec masq_tab[] = {
	N(NP_MASQ_A_CIDR, cidr_tab, NP_CIDR_A_MAX, true),
	A(NP_MASQ_A_FLAGS, K_U32, 4, true),
	{ 0 }
};

static const struct aspec lbb_tab[] = {
	A(NP_LBB_A_ADDR4, K_BIN, 4, true),
	A(NP_LBB_A_ADDR6, K_BIN, 16, true),
	A(NP_LBB_A_PORT, K_U16, 2, true),
	A(NP_LBB_A_FLAGS, K_U32, 4, true),
	{ 0 }
};

static const struct aspec lbstat_tab[] = {
	A(NP_LBSTAT_A_PACKETS, K_U64, 8, false),
	A(NP_LBSTAT_A_DROP_NAT, K_U64, 8, false),
	{ 0 }
};

static const struct aspec lb_tab[] = {
	A(NP_LB_A_FAMILY, K_U8, 1, true),
	A(NP_LB_A_PROTO, K_U8, 1, true),
	A(NP_LB_A_PORT, K_U16, 2, true),
	A(NP_LB_A_LOCAL4, K_BIN, 4, true),
	A(NP_LB_A_LOCAL6, K_BIN, 16, true),
	A(NP_LB_A_OWNER, K_U8, 1, true),
	A(NP_LB_A_FLAGS, K_U32, 4, true),
	A(NP_LB_A_AFFINITY, K_U32, 4, true),
	N(NP_LB_A_BACKEND, lbb_tab, NP_LBB_A_MAX, true),
	N(NP_LB_A_RANGE, cidr_tab, NP_CIDR_A_MAX, true),
	A(NP_LB_A_STAGE, K_U32, 4, true),
	A(NP_LB_A_GENERATION, K_U64, 8, true),
	N(NP_LB_A_STATS, lbstat_tab, NP_LBSTAT_A_MAX, false),
	{ 0 }
};

struct cspec {
	const char *name;
	const struct aspec *tab;
	uint16_t max;
	bool doit, dump;
};

static const struct cspec cmds[NP_CMD_MAX + 1] = {
	[NP_CMD_INFO_GET] = { "INFO_GET", info_tab, NP_INFO_A_MAX, true, false },
	[NP_CMD_OVERLAY_SET] = { "OVERLAY_SET", overlay_tab, NP_OVERLAY_A_MAX, true, false },
	[NP_CMD_OVERLAY_GET] = { "OVERLAY_GET", overlay_tab, NP_OVERLAY_A_MAX, true, true },
	[NP_CMD_PEER_NEW] = { "PEER_NEW", peer_tab, NP_PEER_A_MAX, true, false },
	[NP_CMD_PEER_DEL] = { "PEER_DEL", peer_tab, NP_PEER_A_MAX, true, false },
	[NP_CMD_PEER_GET] = { "PEER_GET", peer_tab, NP_PEER_A_MAX, false, true },
	[NP_CMD_MASQ_SET] = { "MASQ_SET", masq_tab, NP_MASQ_A_MAX, true, false },
	[NP_CMD_MASQ_GET] = { "MASQ_GET", masq_tab, NP_MASQ_A_MAX, true, false },
	[NP_CMD_LB_SET] = { "LB_SET", lb_tab, NP_LB_A_MAX, true, false },
	[NP_CMD_LB_DEL] = { "LB_DEL", lb_tab, NP_LB_A_MAX, true, false },
	[NP_CMD_LB_GET] = { "LB_GET", lb_tab, NP_LB_A_MAX, true, true },
};

static const struct aspec *spec_of(const struct aspec *tab, uint16_t type)
{
	for (; tab && tab->kind | tab->type; tab++)
		if (tab->type == type)
			return tab;
	return NULL;
}

/* ---- random numbers ----------------------------------------------------- */

static uint64_t rng;

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)	/* 0..n-1 */
{
	return n ? (uint32_t)(splitmix(&rng) % n) : 0;
}

static bool chance(unsigned int pct)
{
	return rnd(100) < pct;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)rnd(256);
}

static void seed_for(uint64_t seed, unsigned int role, unsigned int idx,
		     unsigned int gen)
{
	rng = seed ^ ((uint64_t)role << 56) ^ ((uint64_t)idx << 40) ^
	      ((uint64_t)gen << 8);
	splitmix(&rng);
}

/* ---- message tree --------------------------------------------------------- */

#define MAXNODES 600
#define MAXDATA 40

struct node {
	uint16_t type;		/* flag bits included */
	uint8_t nest;
	uint8_t dlen;
	int32_t lie;		/* >= 0: nla_len to write instead of the real one */
	int16_t first, next;
	uint8_t data[MAXDATA];
};

struct tree {
	struct node n[MAXNODES];
	int nn;
	int16_t first;
	/* header */
	uint16_t nltype, nlflags;
	uint8_t cmd, version;
	uint16_t reserved;
};

static int node_new(struct tree *t, uint16_t type, const void *d, size_t len)
{
	struct node *n;

	if (t->nn >= MAXNODES)
		return -1;
	n = &t->n[t->nn];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->lie = -1;
	n->first = n->next = -1;
	if (len > MAXDATA)
		len = MAXDATA;
	n->dlen = (uint8_t)len;
	if (d)
		memcpy(n->data, d, len);
	return t->nn++;
}

/* Append to the list whose head is *head. */
static void list_add(struct tree *t, int16_t *head, int idx)
{
	if (idx < 0)
		return;
	while (*head >= 0)
		head = &t->n[*head].next;
	*head = (int16_t)idx;
}

static int put(struct tree *t, int16_t *head, uint16_t type, const void *d,
	       size_t len)
{
	int i = node_new(t, type, d, len);

	list_add(t, head, i);
	return i;
}

static void put_u32(struct tree *t, int16_t *head, uint16_t type, uint32_t v)
{
	put(t, head, type, &v, 4);
}

static int put_nest(struct tree *t, int16_t *head, uint16_t type)
{
	int i = put(t, head, type | NLA_F_NESTED, NULL, 0);

	if (i >= 0)
		t->n[i].nest = 1;
	return i;
}

static void tree_init(struct tree *t, uint16_t family, uint8_t cmd,
		      uint16_t flags)
{
	t->nn = 0;
	t->first = -1;
	t->nltype = family;
	t->nlflags = flags;
	t->cmd = cmd;
	t->version = NODEPLANE_GENL_VERSION;
	t->reserved = 0;
}

/* Serialize the list at @idx; returns the new offset (never past @cap). */
static size_t ser_list(const struct tree *t, int idx, uint8_t *buf, size_t off,
		       size_t cap, int depth)
{
	for (; idx >= 0; idx = t->n[idx].next) {
		const struct node *n = &t->n[idx];
		struct nlattr *nla;
		size_t start = off, len;

		if (depth > 64 || off + NLA_HDRLEN > cap)
			return off;
		nla = (struct nlattr *)(buf + off);
		off += NLA_HDRLEN;
		if (n->nest) {
			off = ser_list(t, n->first, buf, off, cap, depth + 1);
		} else {
			if (off + n->dlen > cap)
				return start;
			memcpy(buf + off, n->data, n->dlen);
			off += n->dlen;
		}
		len = off - start;
		nla->nla_len = (uint16_t)(n->lie >= 0 ? n->lie : (int)len);
		nla->nla_type = n->type;
		while (off < cap && (off & 3))
			buf[off++] = 0;
		off = NLA_ALIGN(off) <= cap ? NLA_ALIGN(off) : cap;
	}
	return off;
}

static size_t serialize(const struct tree *t, uint8_t *buf, size_t cap,
			uint32_t seq)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(buf + NLMSG_HDRLEN);
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN;

	memset(buf, 0, off);
	off = ser_list(t, t->first, buf, off, cap, 0);
	nlh->nlmsg_len = (uint32_t)off;
	nlh->nlmsg_type = t->nltype;
	nlh->nlmsg_flags = t->nlflags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = 0;
	g->cmd = t->cmd;
	g->version = t->version;
	g->reserved = t->reserved;
	return off;
}

/* ---- what the workers know of their netns -------------------------------- */

struct slotinfo {
	int ifidx[NDEVS];	/* live device, 0 while there is none */
	int stale;		/* a recently deleted ifindex */
	uint8_t mac[NDEVS][6];	/* the device's VTEP MAC (for own-MAC peers) */
};

struct shared {
	int stop;
	uint64_t msgs, mutated, datagrams;
	uint64_t sent[BUCKETS], ok[BUCKETS];
	uint64_t devs_created, devs_deleted, netns_created, pkts;
	struct slotinfo slot[MAX_SLOTS];
	int slot_done[MAX_SLOTS];
	char slot_fail[MAX_SLOTS][200];
	char fail[200];
};

static struct shared *sh;

static void add(uint64_t *p, uint64_t v)
{
	__atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

static bool stopping(void)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_RELAXED);
}

/* ---- valid requests -------------------------------------------------------- */

struct ctx {
	int slot, worker;
	struct slotinfo *si;
};

static uint32_t pick_ifindex(const struct ctx *c)
{
	uint32_t r = rnd(100);
	int i;

	if (c->si && r < 80) {
		i = c->si->ifidx[rnd(NDEVS)];
		if (i > 0)
			return (uint32_t)i;
		i = c->si->ifidx[0] > 0 ? c->si->ifidx[0] : c->si->ifidx[1];
		if (i > 0)
			return (uint32_t)i;
	}
	if (c->si && r < 86 && c->si->stale > 0)
		return (uint32_t)c->si->stale;
	switch (rnd(5)) {
	case 0: return 1;		/* lo: not a nodeplane device */
	case 1: return 0;
	case 2: return 0xffffffffu;
	case 3: return 0x7fffffffu;
	default: return 1 + rnd(64);
	}
}

static void peer_mac(const struct ctx *c, unsigned int k, uint8_t *mac)
{
	if (c->si && chance(2)) {	/* one of the device's own MACs */
		memcpy(mac, c->si->mac[rnd(NDEVS)], 6);
		return;
	}
	mac[0] = 0x02;
	mac[1] = 0xf0;
	mac[2] = (uint8_t)c->slot;
	mac[3] = (uint8_t)c->worker;
	mac[4] = 0;
	mac[5] = (uint8_t)k;
}

static void cidr_nest(struct tree *t, int16_t *head, uint16_t type, bool v6,
		      const uint8_t *addr, uint8_t plen)
{
	int n = put_nest(t, head, type);

	if (n < 0)
		return;
	put(t, &t->n[n].first, v6 ? NP_CIDR_A_ADDR6 : NP_CIDR_A_ADDR4, addr,
	    v6 ? 16 : 4);
	put(t, &t->n[n].first, NP_CIDR_A_PREFIXLEN, &plen, 1);
}

static void mask(uint8_t *a, unsigned int plen, unsigned int bits)
{
	unsigned int i;

	for (i = plen; i < bits; i++)
		a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

static void random_cidr(uint8_t *a, uint8_t *plen, bool v6)
{
	memset(a, 0, 16);
	if (v6) {
		a[0] = 0xfd;
		rnd_bytes(a + 1, 15);
		*plen = (uint8_t)rnd(129);
		mask(a, *plen, 128);
	} else {
		a[0] = 10;
		rnd_bytes(a + 1, 3);
		*plen = (uint8_t)rnd(33);
		mask(a, *plen, 32);
	}
}

static void build_peer_new(struct tree *t, const struct ctx *c)
{
	unsigned int k = rnd(32), n, i;
	bool v6 = chance(20);
	uint8_t mac[6], a[16];
	uint8_t plen;

	put_u32(t, &t->first, NP_PEER_A_IFINDEX, pick_ifindex(c));
	peer_mac(c, k, mac);
	put(t, &t->first, NP_PEER_A_MAC, mac, 6);
	memset(a, 0, 16);
	if (v6) {
		a[15] = 1;			/* ::1 */
		if (chance(20)) {
			a[0] = 0xfd;
			a[15] = (uint8_t)(1 + rnd(250));
		}
		put(t, &t->first, NP_PEER_A_ENDPOINT6, a, 16);
	} else {
		a[0] = 127; a[3] = 2;		/* 127.0.0.2 */
		if (chance(20)) {
			a[0] = 10; a[3] = (uint8_t)(1 + rnd(250));
		}
		put(t, &t->first, NP_PEER_A_ENDPOINT4, a, 4);
	}
	n = 1 + rnd(3);
	if (chance(3))
		n = 60 + rnd(8);	/* around the limit of 64 */
	for (i = 0; i < n; i++) {
		memset(a, 0, 16);
		if (i == 0) {		/* this peer's own pod CIDR */
			if (v6) {
				a[0] = 0xfd; a[1] = 0x00; a[2] = 0x02; a[3] = 0x44;
				a[4] = (uint8_t)(c->worker * 32 + k);
				plen = 64;
			} else {
				a[0] = 10; a[1] = 244;
				a[2] = (uint8_t)(c->worker * 32 + k);
				plen = 24;
			}
		} else if (n > 8) {
			/*
			 * Many distinct ones, inside the routed ranges the
			 * traffic goes to (10.244/15, fd00:244::/47): when
			 * such a request fails half-way (a CIDR budget), the
			 * TX path may already hold the half-published peer.
			 */
			if (v6) {
				a[0] = 0xfd; a[2] = 0x02; a[3] = (uint8_t)(0x44 + (c->worker & 1));
				a[4] = (uint8_t)(c->worker * 32 + k); a[5] = (uint8_t)i;
				plen = 48;
			} else {
				a[0] = 10; a[1] = (uint8_t)(244 + (c->worker & 1));
				a[2] = (uint8_t)((c->worker >> 1) * 160 + k * 5 + i / 16);
				a[3] = (uint8_t)((i % 16) * 16);
				plen = 28;
			}
		} else {
			random_cidr(a, &plen, v6);
		}
		cidr_nest(t, &t->first, NP_PEER_A_CIDR, v6, a, plen);
	}
}

static void build_overlay_set(struct tree *t, const struct ctx *c)
{
	uint8_t a[16], mac[6];
	uint32_t v;
	uint16_t port;

	put_u32(t, &t->first, NP_OVERLAY_A_IFINDEX, pick_ifindex(c));
	if (chance(40)) {
		v = chance(80) ? 1 + rnd(100) : rnd(0x1000000);
		put_u32(t, &t->first, NP_OVERLAY_A_VNI, v);
	}
	if (chance(20)) {
		port = chance(80) ? 8472 : (uint16_t)(1024 + rnd(60000));
		put(t, &t->first, NP_OVERLAY_A_PORT, &port, 2);
	}
	if (chance(30)) {
		a[0] = 127; a[1] = 0; a[2] = 0; a[3] = 1;
		put(t, &t->first, NP_OVERLAY_A_LOCAL4, a, chance(15) ? 0 : 4);
	}
	if (chance(30)) {
		memset(a, 0, 16);
		a[15] = 1;
		put(t, &t->first, NP_OVERLAY_A_LOCAL6, a, chance(15) ? 0 : 16);
	}
	if (chance(15)) {
		rnd_bytes(mac, 6);
		mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
		put(t, &t->first, chance(50) ? NP_OVERLAY_A_MAC : NP_OVERLAY_A_MAC6,
		    mac, 6);
	}
	if (chance(20))
		put_u32(t, &t->first, NP_OVERLAY_A_FLAGS, rnd(2));
}

static void build_masq_set(struct tree *t)
{
	uint8_t a[16], plen;
	unsigned int n = rnd(3), i;
	bool v6;

	for (i = 0; i < n; i++) {
		v6 = n == 2 ? i == 1 : chance(30);
		memset(a, 0, 16);
		if (chance(70)) {
			if (v6) {
				a[0] = 0xfd; a[2] = 0x02; a[3] = 0x44;
				plen = 48;
			} else {
				a[0] = 10; a[1] = 244;
				plen = 16;
			}
		} else {
			random_cidr(a, &plen, v6);
		}
		cidr_nest(t, &t->first, NP_MASQ_A_CIDR, v6, a, plen);
	}
	if (chance(50))
		put_u32(t, &t->first, NP_MASQ_A_FLAGS, rnd(2));
}

/*
 * LB requests draw keys from a small set (2 families x 3 protocols x 4
 * ports, with or without a local address) so that workers of one slot
 * replace, delete and stage the same frontends, and staging sequences
 * (MORE, APPEND|MORE, APPEND) meet each other on the same keys.
 */
static void lb_key(struct tree *t, bool *v6)
{
	static const uint8_t protos[] = { 6, 17, 132 };
	uint8_t fam, proto = protos[rnd(3)], a[16];
	uint16_t port = (uint16_t)(80 + rnd(4));

	*v6 = chance(40);
	fam = *v6 ? 10 : 2;
	put(t, &t->first, NP_LB_A_FAMILY, &fam, 1);
	put(t, &t->first, NP_LB_A_PROTO, &proto, 1);
	put(t, &t->first, NP_LB_A_PORT, &port, 2);
	if (chance(25)) {
		memset(a, 0, 16);
		if (*v6) {
			a[15] = 1;
			put(t, &t->first, NP_LB_A_LOCAL6, a, 16);
		} else {
			a[0] = 127; a[3] = 1;
			put(t, &t->first, NP_LB_A_LOCAL4, a, 4);
		}
	}
}

static void build_lb_set(struct tree *t)
{
	static const uint32_t stages[] = {
		0, 0, 0, NP_LB_STAGE_F_MORE,
		NP_LB_STAGE_F_MORE | NP_LB_STAGE_F_APPEND,
		NP_LB_STAGE_F_APPEND,
	};
	uint32_t stage = stages[rnd(6)];
	unsigned int n, i;
	uint8_t a[16], plen, u8;
	uint16_t port;
	bool v6;
	int b;

	lb_key(t, &v6);
	if (!(stage & NP_LB_STAGE_F_APPEND)) {
		if (chance(50)) {
			u8 = (uint8_t)(1 + rnd(2));
			put(t, &t->first, NP_LB_A_OWNER, &u8, 1);
		}
		if (chance(60))
			put_u32(t, &t->first, NP_LB_A_FLAGS,
				rnd(__NP_LB_F_ALL + 1));
		if (chance(20))
			put_u32(t, &t->first, NP_LB_A_AFFINITY,
				chance(80) ? rnd(100) : NP_LB_AFFINITY_MAX);
	}
	if (stage)
		put_u32(t, &t->first, NP_LB_A_STAGE, stage);
	n = rnd(5);
	if (chance(3))
		n = 40 + rnd(20);
	for (i = 0; i < n; i++) {
		b = put_nest(t, &t->first, NP_LB_A_BACKEND);
		if (b < 0)
			break;
		memset(a, 0, 16);
		if (v6) {
			a[0] = 0xfd; a[15] = (uint8_t)(1 + rnd(8));
		} else {
			a[0] = 127; a[2] = 1; a[3] = (uint8_t)(1 + rnd(8));
		}
		put(t, &t->n[b].first, v6 ? NP_LBB_A_ADDR6 : NP_LBB_A_ADDR4, a,
		    v6 ? 16 : 4);
		port = (uint16_t)(1 + rnd(3));
		put(t, &t->n[b].first, NP_LBB_A_PORT, &port, 2);
		if (chance(70))
			put_u32(t, &t->n[b].first, NP_LBB_A_FLAGS,
				rnd(__NP_LBB_F_ALL + 1));
	}
	n = chance(70) ? 0 : 1 + rnd(4);
	for (i = 0; i < n; i++) {
		random_cidr(a, &plen, v6);
		cidr_nest(t, &t->first, NP_LB_A_RANGE, v6, a, plen);
	}
	if (chance(5)) {
		uint64_t g = chance(50) ? 1 : rnd(1000);

		put(t, &t->first, NP_LB_A_GENERATION, &g, 8);
	}
}

/* A valid request for @cmd. */
static void build(struct tree *t, uint16_t family, uint8_t cmd,
		  const struct ctx *c)
{
	uint8_t mac[6];
	bool v6;

	tree_init(t, family, cmd, NLM_F_REQUEST | NLM_F_ACK);
	switch (cmd) {
	case NP_CMD_INFO_GET:
		put_u32(t, &t->first, NP_INFO_A_ABI_VERSION, chance(90) ? 1 : 2 + rnd(5));
		break;
	case NP_CMD_OVERLAY_SET:
		build_overlay_set(t, c);
		break;
	case NP_CMD_OVERLAY_GET:
		if (chance(50))
			t->nlflags |= NLM_F_DUMP;
		if (!(t->nlflags & NLM_F_DUMP) || chance(30))
			put_u32(t, &t->first, NP_OVERLAY_A_IFINDEX, pick_ifindex(c));
		break;
	case NP_CMD_PEER_NEW:
		build_peer_new(t, c);
		break;
	case NP_CMD_PEER_DEL:
		put_u32(t, &t->first, NP_PEER_A_IFINDEX, pick_ifindex(c));
		peer_mac(c, rnd(32), mac);
		put(t, &t->first, NP_PEER_A_MAC, mac, 6);
		break;
	case NP_CMD_PEER_GET:
		t->nlflags |= NLM_F_DUMP;
		put_u32(t, &t->first, NP_PEER_A_IFINDEX, pick_ifindex(c));
		break;
	case NP_CMD_MASQ_SET:
		build_masq_set(t);
		break;
	case NP_CMD_LB_SET:
		build_lb_set(t);
		break;
	case NP_CMD_LB_DEL:
		lb_key(t, &v6);
		break;
	case NP_CMD_LB_GET:
		if (chance(50))
			t->nlflags |= NLM_F_DUMP;
		else
			lb_key(t, &v6);
		break;
	case NP_CMD_MASQ_GET:
	default:
		break;
	}
}

static uint8_t pick_cmd(void)
{
	/* weights: PEER_NEW and its neighbours get most of the traffic */
	static const uint8_t w[] = {
		[NP_CMD_INFO_GET] = 5, [NP_CMD_OVERLAY_SET] = 9,
		[NP_CMD_OVERLAY_GET] = 8, [NP_CMD_PEER_NEW] = 28,
		[NP_CMD_PEER_DEL] = 13, [NP_CMD_PEER_GET] = 7,
		[NP_CMD_MASQ_SET] = 7, [NP_CMD_MASQ_GET] = 3,
		[NP_CMD_LB_SET] = 12, [NP_CMD_LB_DEL] = 4, [NP_CMD_LB_GET] = 4,
	};
	uint32_t r = rnd(100), acc = 0;
	unsigned int i;

	for (i = 1; i <= NP_CMD_MAX; i++) {
		acc += w[i];
		if (r < acc)
			return (uint8_t)i;
	}
	return (uint8_t)(1 + rnd(NP_CMD_MAX));
}

/* ---- mutations -------------------------------------------------------------- */

struct ref {
	int16_t *slot;		/* what points at the node */
	int idx;
	int16_t *head;		/* head of the list it is in */
};

static int collect(struct tree *t, int16_t *head, struct ref *r, int n,
		   int max)
{
	int16_t *slot = head;

	while (*slot >= 0 && n < max) {
		int i = *slot;

		r[n].slot = slot;
		r[n].idx = i;
		r[n].head = head;
		n++;
		if (t->n[i].nest)
			n = collect(t, &t->n[i].first, r, n, max);
		slot = &t->n[i].next;
	}
	return n;
}

static void hostile_value(struct node *n)
{
	static const uint32_t u32s[] = {
		0, 1, 2, 0xffffffffu, 0x7fffffffu, 0x80000000u, 0xffffff,
		0x1000000, 8472, 65535, 65536,
	};
	static const uint8_t addrs[][16] = {
		{ 0 },
		{ 0xff, 0xff, 0xff, 0xff },
		{ 224, 0, 0, 1 },
		{ 127, 0, 0, 1 },
		{ 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
		{ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1 },
		{ 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	};
	uint32_t v;
	uint16_t s;

	switch (n->dlen) {
	case 1:
		n->data[0] = chance(50) ? (uint8_t)rnd(256) :
			     (uint8_t)(rnd(3) == 0 ? 33 : rnd(3) == 0 ? 129 : 255);
		break;
	case 2:
		s = (uint16_t)(chance(50) ? 0 : chance(50) ? 0xffff : rnd(65536));
		memcpy(n->data, &s, 2);
		break;
	case 6:
		if (chance(30))
			memset(n->data, 0, 6);
		else if (chance(50))
			memset(n->data, 0xff, 6);
		else
			n->data[0] |= 1;	/* multicast */
		break;
	case 4:
	case 16:
		if (chance(50)) {
			memcpy(n->data, addrs[rnd(sizeof(addrs) / sizeof(addrs[0]))],
			       n->dlen);
			break;
		}
		if (n->dlen == 4) {
			v = u32s[rnd(sizeof(u32s) / sizeof(u32s[0]))];
			memcpy(n->data, &v, 4);
		} else {
			rnd_bytes(n->data, 16);
		}
		break;
	default:
		rnd_bytes(n->data, n->dlen);
	}
}

static uint16_t random_type(const struct tree *t)
{
	const struct cspec *cs = t->cmd <= NP_CMD_MAX ? &cmds[t->cmd] : NULL;
	uint16_t max = cs && cs->tab ? cs->max : 8;

	switch (rnd(6)) {
	case 0: return (uint16_t)rnd(65536);
	case 1: return (uint16_t)((max + 1 + rnd(4)) | (chance(50) ? NLA_F_NESTED : 0));
	case 2: return (uint16_t)(rnd(max + 1) | NLA_F_NET_BYTEORDER);
	default: return (uint16_t)rnd(max + 2);
	}
}

static void shuffle(struct tree *t, int16_t *head)
{
	int16_t idx[MAXNODES];
	int n = 0, i, j, tmp;
	int16_t *slot;

	for (i = *head; i >= 0 && n < MAXNODES; i = t->n[i].next)
		idx[n++] = (int16_t)i;
	for (i = n - 1; i > 0; i--) {
		j = (int)rnd((uint32_t)i + 1);
		tmp = idx[i]; idx[i] = idx[j]; idx[j] = (int16_t)tmp;
	}
	slot = head;
	for (i = 0; i < n; i++) {
		*slot = idx[i];
		slot = &t->n[idx[i]].next;
	}
	*slot = -1;
}

/* One structural change; returns a short name for the statistics. */
static void mutate_tree(struct tree *t)
{
	struct ref r[MAXNODES];
	int n = collect(t, &t->first, r, 0, MAXNODES);
	struct ref *p = n ? &r[rnd((uint32_t)n)] : NULL;
	struct node *nd = p ? &t->n[p->idx] : NULL;
	int i, k, depth;

	switch (rnd(15)) {
	case 0:		/* drop */
		if (p)
			*p->slot = nd->next;
		break;
	case 1:		/* duplicate (the copy shares the children) */
		if (p && (i = node_new(t, 0, NULL, 0)) >= 0) {
			nd = &t->n[p->idx];
			t->n[i] = *nd;
			nd->next = (int16_t)i;
		}
		break;
	case 2:		/* retype */
		if (nd)
			nd->type = random_type(t);
		break;
	case 3:		/* new payload length */
		if (nd && !nd->nest) {
			k = chance(50) ? (int)rnd(nd->dlen + 1) : (int)rnd(MAXDATA + 1);
			if (k > nd->dlen)
				rnd_bytes(nd->data + nd->dlen, (size_t)(k - nd->dlen));
			nd->dlen = (uint8_t)k;
		}
		break;
	case 4:		/* random payload */
		if (nd && !nd->nest)
			rnd_bytes(nd->data, nd->dlen);
		break;
	case 5:		/* hostile value */
		if (nd && !nd->nest)
			hostile_value(nd);
		break;
	case 6:		/* wrap in nests, maybe deep */
		if (!p)
			break;
		depth = chance(20) ? 1 + (int)rnd(40) : 1;
		for (k = 0; k < depth; k++) {
			i = node_new(t, chance(70) ? t->n[p->idx].type : random_type(t),
				     NULL, 0);
			if (i < 0)
				break;
			t->n[i].nest = 1;
			t->n[i].type |= chance(50) ? NLA_F_NESTED : 0;
			t->n[i].next = t->n[p->idx].next;
			t->n[p->idx].next = -1;
			t->n[i].first = (int16_t)p->idx;
			*p->slot = (int16_t)i;
			p->idx = i;
		}
		break;
	case 7:		/* a nest becomes a leaf of garbage, or a leaf a nest */
		if (!nd)
			break;
		if (nd->nest) {
			nd->nest = 0;
			nd->dlen = (uint8_t)rnd(MAXDATA + 1);
			rnd_bytes(nd->data, nd->dlen);
		} else {
			nd->nest = 1;
			nd->first = -1;
			put(t, &nd->first, (uint16_t)rnd(6), nd->data, nd->dlen);
		}
		break;
	case 8:		/* reorder */
		if (p)
			shuffle(t, p->head);
		break;
	case 9:		/* unknown attribute */
		i = node_new(t, random_type(t), NULL, rnd(MAXDATA + 1));
		if (i >= 0) {
			rnd_bytes(t->n[i].data, t->n[i].dlen);
			list_add(t, p ? p->head : &t->first, i);
		}
		break;
	case 10:	/* nla_len that lies */
		if (nd) {
			switch (rnd(4)) {
			case 0: nd->lie = (int32_t)rnd(NLA_HDRLEN); break;
			case 1: nd->lie = 0xffff; break;
			case 2: nd->lie = NLA_HDRLEN + nd->dlen + 1 + (int32_t)rnd(64); break;
			default: nd->lie = (int32_t)rnd(65536);
			}
		}
		break;
	case 11:	/* nest flag toggled on the type only */
		if (nd)
			nd->type ^= NLA_F_NESTED;
		break;
	case 12:	/* empty nest */
		if (nd && nd->nest)
			nd->first = -1;
		break;
	case 13:	/* many copies of one attribute */
		if (p) {
			k = 2 + (int)rnd(70);
			for (i = 0; i < k; i++) {
				int c = node_new(t, 0, NULL, 0);

				if (c < 0)
					break;
				t->n[c] = t->n[p->idx];
				t->n[p->idx].next = (int16_t)c;
			}
		}
		break;
	default:	/* the whole list reversed */
		shuffle(t, &t->first);
	}
}

static void mutate_header(struct tree *t, uint16_t family)
{
	static const uint16_t fl[] = {
		NLM_F_DUMP, NLM_F_ACK, NLM_F_ECHO, NLM_F_REQUEST, NLM_F_MULTI,
		NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND,
		NLM_F_DUMP_INTR, NLM_F_NONREC,
	};

	switch (rnd(6)) {
	case 0:		/* another command, defined or not */
		t->cmd = (uint8_t)(chance(70) ? rnd(NP_CMD_MAX + 3) : rnd(256));
		break;
	case 1:
		t->version = (uint8_t)rnd(256);
		break;
	case 2:
		t->reserved = (uint16_t)rnd(65536);
		break;
	case 3:		/* flag bits: dump on a doit, no REQUEST, ... */
		t->nlflags ^= fl[rnd(sizeof(fl) / sizeof(fl[0]))];
		break;
	case 4:
		t->nlflags = (uint16_t)rnd(65536);
		break;
	default:	/* a control type: ignored, or answered with an error */
		t->nltype = chance(50) ? (uint16_t)(1 + rnd(NLMSG_MIN_TYPE - 1)) : family;
	}
}

/* ---- netlink plumbing ------------------------------------------------------- */

static int nl_open(int proto)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, sz = 1 << 20;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

typedef void (*msg_fn)(const struct nlmsghdr *nlh, void *arg);

/*
 * Send @len bytes and read the answers to @seq until its ACK, error or
 * NLMSG_DONE. Returns 0 or -errno from the kernel, -ETIMEDOUT if nothing
 * came for 10 s.
 */
static int nl_talk(int fd, void *buf, size_t len, uint32_t seq, msg_fn fn,
		   void *arg)
{
	static uint8_t rbuf[65536];
	struct timeval tv = { .tv_sec = 10 };
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, buf, len, 0) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *nlh;

		n = recv(fd, rbuf, sizeof(rbuf), 0);
		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		for (nlh = (struct nlmsghdr *)rbuf; NLMSG_OK(nlh, (size_t)n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (fn)
				fn(nlh, arg);
		}
	}
}

static uint32_t seqno = 1;

/* A request built by hand: header, then attributes appended. */
struct req {
	uint8_t buf[4096];
	size_t len;
};

static void *req_init(struct req *r, uint16_t type, uint16_t flags,
		      size_t hdrlen)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)r->buf;

	memset(r->buf, 0, NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen));
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	nlh->nlmsg_seq = seqno++;
	r->len = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);
	return r->buf + NLMSG_HDRLEN;
}

static struct nlattr *req_put(struct req *r, uint16_t type, const void *d,
			      size_t len)
{
	struct nlattr *a = (struct nlattr *)(r->buf + r->len);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy(r->buf + r->len + NLA_HDRLEN, d, len);
	r->len += NLA_ALIGN(NLA_HDRLEN + len);
	return a;
}

static void req_end_nest(struct req *r, struct nlattr *a)
{
	a->nla_len = (uint16_t)(r->buf + r->len - (uint8_t *)a);
}

static int req_talk(int fd, struct req *r, msg_fn fn, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)r->buf;

	nlh->nlmsg_len = (uint32_t)r->len;
	return nl_talk(fd, r->buf, r->len, nlh->nlmsg_seq, fn, arg);
}

static const struct nlattr *attr_find(const void *start, size_t len,
				      uint16_t type)
{
	const struct nlattr *a = start;

	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= (size_t)NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const uint8_t *)a + NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

#define NLA_DATA(a) ((const uint8_t *)(a) + NLA_HDRLEN)
#define NLA_PLEN(a) ((size_t)((a)->nla_len - NLA_HDRLEN))

static void family_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *a;

	a = attr_find((const uint8_t *)NLMSG_DATA(nlh) + GENL_HDRLEN,
		      nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN,
		      CTRL_ATTR_FAMILY_ID);
	if (a)
		memcpy(arg, NLA_DATA(a), 2);
}

static int genl_family(int fd, uint16_t *id)
{
	struct req r;
	struct genlmsghdr *g = req_init(&r, GENL_ID_CTRL, 0, GENL_HDRLEN);

	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	req_put(&r, CTRL_ATTR_FAMILY_NAME, NODEPLANE_GENL_NAME,
		sizeof(NODEPLANE_GENL_NAME));
	*id = 0;
	return req_talk(fd, &r, family_cb, id) ?: (*id ? 0 : -ENOENT);
}

/* rtnetlink */

static int link_add(int rt, const char *name, uint32_t group)
{
	struct req r;
	struct nlattr *li;

	req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
		 sizeof(struct ifinfomsg));
	req_put(&r, IFLA_IFNAME, name, strlen(name) + 1);
	if (group)
		req_put(&r, IFLA_GROUP, &group, 4);
	li = req_put(&r, IFLA_LINKINFO | NLA_F_NESTED, NULL, 0);
	req_put(&r, IFLA_INFO_KIND, "nodeplane", sizeof("nodeplane"));
	req_end_nest(&r, li);
	return req_talk(rt, &r, NULL, NULL);
}

static int link_set(int rt, int ifindex, unsigned int flags, bool del)
{
	struct req r;
	struct ifinfomsg *ifi;

	ifi = req_init(&r, del ? RTM_DELLINK : RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	ifi->ifi_change = del ? 0 : IFF_UP;
	return req_talk(rt, &r, NULL, NULL);
}

/* Every device of @group in one unregister batch. */
static int group_del(int rt, uint32_t group)
{
	struct req r;

	req_init(&r, RTM_DELLINK, 0, sizeof(struct ifinfomsg));
	req_put(&r, IFLA_GROUP, &group, 4);
	return req_talk(rt, &r, NULL, NULL);
}

static int addr_add(int rt, int ifindex, int family, const void *addr,
		    uint8_t plen)
{
	struct req r;
	struct ifaddrmsg *ifa;
	size_t alen = family == AF_INET ? 4 : 16;

	ifa = req_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_flags = IFA_F_NODAD;
	ifa->ifa_index = (uint32_t)ifindex;
	req_put(&r, IFA_LOCAL, addr, alen);
	req_put(&r, IFA_ADDRESS, addr, alen);
	return req_talk(rt, &r, NULL, NULL);
}

struct linklist {
	int n;
	int idx[64];
	char names[64][IFNAMSIZ];
};

static void links_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct linklist *l = arg;
	const struct ifinfomsg *ifi = NLMSG_DATA(nlh);
	const uint8_t *attrs = (const uint8_t *)ifi + NLMSG_ALIGN(sizeof(*ifi));
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(sizeof(*ifi));
	const struct nlattr *li, *kind, *name;

	if (nlh->nlmsg_type != RTM_NEWLINK || l->n >= 64)
		return;
	li = attr_find(attrs, len, IFLA_LINKINFO);
	if (!li)
		return;
	kind = attr_find(NLA_DATA(li), NLA_PLEN(li), IFLA_INFO_KIND);
	if (!kind || NLA_PLEN(kind) < 9 || memcmp(NLA_DATA(kind), "nodeplane", 9))
		return;
	name = attr_find(attrs, len, IFLA_IFNAME);
	snprintf(l->names[l->n], IFNAMSIZ, "%.*s",
		 name ? (int)NLA_PLEN(name) : 1, name ? (const char *)NLA_DATA(name) : "?");
	l->idx[l->n++] = ifi->ifi_index;
}

/* The links of kind "nodeplane" in this netns. */
static int nodeplane_links(int rt, struct linklist *l)
{
	struct req r;

	l->n = 0;
	req_init(&r, RTM_GETLINK, NLM_F_DUMP, sizeof(struct ifinfomsg));
	return req_talk(rt, &r, links_cb, l);
}

/* nodeplane requests used by the harness itself */

struct counts {
	int64_t devs, peers, masq, lb_fe, lb_staged;
};

static void info_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct counts *c = arg;
	const struct nlattr *n, *a;
	uint32_t v;

	n = attr_find((const uint8_t *)NLMSG_DATA(nlh) + GENL_HDRLEN,
		      nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, NP_INFO_A_COUNTS);
	if (!n)
		return;
#define GET(field, type) do {						\
		a = attr_find(NLA_DATA(n), NLA_PLEN(n), type);		\
		if (a && NLA_PLEN(a) == 4) {				\
			memcpy(&v, NLA_DATA(a), 4);			\
			c->field = v;					\
		}							\
	} while (0)
	GET(devs, NP_COUNT_A_OVERLAY_DEVICES);
	GET(peers, NP_COUNT_A_OVERLAY_PEERS);
	GET(masq, NP_COUNT_A_MASQ_CIDRS);
	GET(lb_fe, NP_COUNT_A_LB_FRONTENDS);
	GET(lb_staged, NP_COUNT_A_LB_STAGED);
#undef GET
}

static int np_info(int fd, uint16_t fam, struct counts *c)
{
	struct req r;
	struct genlmsghdr *g = req_init(&r, fam, 0, GENL_HDRLEN);
	uint32_t abi = NODEPLANE_GENL_VERSION;

	g->cmd = NP_CMD_INFO_GET;
	g->version = NODEPLANE_GENL_VERSION;
	req_put(&r, NP_INFO_A_ABI_VERSION, &abi, 4);
	c->devs = c->peers = c->masq = c->lb_fe = c->lb_staged = -1;
	return req_talk(fd, &r, info_cb, c);
}

static int np_simple(int fd, uint16_t fam, struct tree *t)
{
	static uint8_t buf[16384];
	uint32_t seq = seqno++;
	size_t len = serialize(t, buf, sizeof(buf), seq);

	(void)fam;
	return nl_talk(fd, buf, len, seq, NULL, NULL);
}

/* ---- fuzzing one request ------------------------------------------------- */

static uint64_t loc_msgs;

static int bucket(uint8_t cmd)
{
	return cmd <= NP_CMD_MAX ? cmd : NP_CMD_MAX + 1;
}

/* Read whatever is queued (dumps go on while we read); never blocks. */
static void drain(int fd, uint32_t seq0, uint32_t seq1, int *err)
{
	static uint8_t rbuf[65536];
	ssize_t n;

	for (;;) {
		struct nlmsghdr *nlh;

		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			return;
		}
		for (nlh = (struct nlmsghdr *)rbuf; NLMSG_OK(nlh, (size_t)n);
		     nlh = NLMSG_NEXT(nlh, n))
			if ((nlh->nlmsg_type == NLMSG_ERROR ||
			     nlh->nlmsg_type == NLMSG_DONE) &&
			    nlh->nlmsg_seq >= seq0 && nlh->nlmsg_seq < seq1 &&
			    *err == 1)	/* an ack, or the end of a dump */
				memcpy(err, NLMSG_DATA(nlh), sizeof(*err));
	}
}

/* Build, maybe mutate, send one datagram of 1..3 requests; count them. */
static void fuzz_one(int fd, uint16_t fam, const struct ctx *c, uint32_t *seq)
{
	static struct tree t;
	static uint8_t buf[65536];
	size_t off = 0, len, cut;
	unsigned int nmsg = chance(40) ? 2 + rnd(5) : 1, i, m;
	uint32_t seq0 = *seq;
	uint8_t firstcmd = 0;
	bool mutated = false;
	int err = 1;

	for (i = 0; i < nmsg && off + 16384 <= sizeof(buf); i++) {
		uint8_t cmd = pick_cmd();

		build(&t, fam, cmd, c);
		if (chance(50)) {
			mutated = true;
			for (m = 1 + rnd(3); m; m--) {
				if (chance(80))
					mutate_tree(&t);
				else
					mutate_header(&t, fam);
			}
		}
		len = serialize(&t, buf + off, 16384, (*seq)++);
		if (i == 0)
			firstcmd = t.cmd;
		add(&sh->sent[bucket(t.cmd)], 1);
		if (mutated && chance(10)) {	/* nlmsg_len or datagram cut */
			struct nlmsghdr *nlh = (struct nlmsghdr *)(buf + off);

			if (chance(50))
				nlh->nlmsg_len = rnd((uint32_t)len + 8);
			else
				len = rnd((uint32_t)len);
		}
		off += NLMSG_ALIGN(len);
		if (mutated && chance(10) && off > 4)
			rnd_bytes(buf + rnd((uint32_t)off), 1 + rnd(3));
	}
	add(&sh->msgs, i);
	loc_msgs += i;
	add(&sh->datagrams, 1);
	if (mutated)
		add(&sh->mutated, i);
	cut = off;
	if (send(fd, buf, cut, 0) < 0 && errno != ENOBUFS)
		return;
	drain(fd, seq0, *seq, &err);
	if (!err)
		add(&sh->ok[bucket(firstcmd)], 1);
}

/* ---- processes ------------------------------------------------------------- */

static uint64_t opt_seed;
static unsigned int opt_slots = 3, opt_workers = 4, opt_racers = 2, opt_traffic = 1;

static void die_child(const char *fmt, ...)
{
	va_list ap;
	char msg[200];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!sh->fail[0])
		snprintf(sh->fail, sizeof(sh->fail), "%s", msg);
	fprintf(stderr, "np-fuzz: %s\n", msg);
	_exit(1);
}

static int open_genl(uint16_t *fam)
{
	int fd = nl_open(NETLINK_GENERIC);
	int err;

	if (fd < 0)
		die_child("netlink socket: %s", strerror(errno));
	err = genl_family(fd, fam);
	if (err)
		die_child("genl family %s: %s", NODEPLANE_GENL_NAME, strerror(-err));
	return fd;
}

static void worker(unsigned int slot, unsigned int w)
{
	struct ctx c = { .slot = (int)slot, .worker = (int)w,
			 .si = slot < MAX_SLOTS ? &sh->slot[slot] : NULL };
	uint16_t fam;
	int fd = open_genl(&fam);
	uint32_t seq = 1;

	seed_for(opt_seed, 1, slot * MAX_WORKERS + w, 0);
	while (!stopping())
		fuzz_one(fd, fam, &c, &seq);
	_exit(0);
}

static void sleep_ms(unsigned int ms);
static void drain(int fd, uint32_t seq0, uint32_t seq1, int *err);
static int open_genl(uint16_t *fam);

/*
 * Valid PEER_NEW, PEER_DEL and OVERLAY_GET on the slot's live devices and
 * nothing else, as fast as it goes: the requests most likely to be between
 * finding a device and using it when the churner deletes that device.
 */
static void racer(unsigned int slot, unsigned int r)
{
	static const uint8_t mix[] = {
		NP_CMD_PEER_NEW, NP_CMD_PEER_NEW, NP_CMD_PEER_NEW, NP_CMD_PEER_DEL,
		NP_CMD_OVERLAY_GET, NP_CMD_OVERLAY_SET,
	};
	struct ctx c = { .slot = (int)slot, .worker = (int)(8 + r),
			 .si = &sh->slot[slot] };
	static struct tree t;
	static uint8_t buf[16384];
	uint16_t fam;
	int fd = open_genl(&fam), err, k;
	uint32_t seq = 1;
	size_t len;
	uint8_t cmd;

	seed_for(opt_seed, 5, slot * MAX_WORKERS + r, 0);
	while (!stopping()) {
		cmd = mix[rnd(sizeof(mix))];
		build(&t, fam, cmd, &c);
		if (cmd != NP_CMD_OVERLAY_GET)
			t.nlflags &= (uint16_t)~NLM_F_DUMP;
		k = c.si->ifidx[NROUTED + rnd(NDEVS - NROUTED)];
		if (chance(20))
			k = c.si->ifidx[rnd(NROUTED)];
		if (k > 0 && t.first >= 0 &&
		    t.n[t.first].type == NP_PEER_A_IFINDEX)	/* a live one */
			memcpy(t.n[t.first].data, &k, 4);
		len = serialize(&t, buf, sizeof(buf), seq);
		add(&sh->sent[cmd], 1);
		add(&sh->msgs, 1);
		add(&sh->datagrams, 1);
		if (send(fd, buf, len, 0) < 0)
			continue;
		err = 1;
		drain(fd, seq, seq + 1, &err);
		seq++;
		if (!err)
			add(&sh->ok[cmd], 1);
	}
	_exit(0);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void up_lo(int rt)
{
	link_set(rt, 1, IFF_UP, false);
}

/* A device, configured, up, addressed, with @npeers valid peers. */
static int device_make(int rt, int gfd, uint16_t fam, const char *name,
		       unsigned int d, unsigned int npeers, struct slotinfo *si)
{
	static struct tree t;
	uint8_t a[16] = { 0 }, mac[6];
	unsigned int k;
	int ifindex, err;

	err = link_add(rt, name, d < NROUTED ? 0 : BARE_GROUP);
	if (err)
		return err;
	ifindex = (int)if_nametoindex(name);
	if (!ifindex)
		return -ENODEV;
	add(&sh->devs_created, 1);
	tree_init(&t, fam, NP_CMD_OVERLAY_SET, NLM_F_REQUEST | NLM_F_ACK);
	put_u32(&t, &t.first, NP_OVERLAY_A_IFINDEX, (uint32_t)ifindex);
	a[0] = 127; a[3] = 1;
	put(&t, &t.first, NP_OVERLAY_A_LOCAL4, a, 4);
	memset(a, 0, 16); a[15] = 1;
	put(&t, &t.first, NP_OVERLAY_A_LOCAL6, a, 16);
	mac[0] = 0x02; mac[1] = 0xee; mac[2] = (uint8_t)rnd(256);
	mac[3] = (uint8_t)rnd(256); mac[4] = (uint8_t)d; mac[5] = 1;
	put(&t, &t.first, NP_OVERLAY_A_MAC, mac, 6);
	if (si)
		memcpy(si->mac[d], mac, 6);
	err = np_simple(gfd, fam, &t);
	if (err && err != -ENODEV)
		fprintf(stderr, "np-fuzz: OVERLAY_SET %s: %s\n", name, strerror(-err));
	if (d < NROUTED) {	/* the traffic goes through these */
		link_set(rt, ifindex, IFF_UP, false);
		a[0] = 10; a[1] = (uint8_t)(244 + d); a[2] = 0; a[3] = 1;
		addr_add(rt, ifindex, AF_INET, a, 16);
		memset(a, 0, 16);
		a[0] = 0xfd; a[2] = 0x02; a[3] = (uint8_t)(0x44 + d); a[15] = 1;
		addr_add(rt, ifindex, AF_INET6, a, 48);
	}
	if (si)
		__atomic_store_n(&si->ifidx[d], ifindex, __ATOMIC_RELEASE);
	for (k = 0; k < npeers; k++) {
		bool v6 = k % 4 == 3;

		tree_init(&t, fam, NP_CMD_PEER_NEW, NLM_F_REQUEST | NLM_F_ACK);
		put_u32(&t, &t.first, NP_PEER_A_IFINDEX, (uint32_t)ifindex);
		mac[0] = 0x02; mac[1] = 0xcc; mac[2] = (uint8_t)d;
		mac[3] = (uint8_t)(k >> 8); mac[4] = (uint8_t)k; mac[5] = 7;
		put(&t, &t.first, NP_PEER_A_MAC, mac, 6);
		memset(a, 0, 16);
		if (v6) {
			a[15] = 1;
			put(&t, &t.first, NP_PEER_A_ENDPOINT6, a, 16);
			a[15] = 0;
			a[0] = 0xfd; a[2] = 0x02; a[3] = (uint8_t)(0x44 + d);
			a[6] = (uint8_t)(k >> 8); a[7] = (uint8_t)k;
			cidr_nest(&t, &t.first, NP_PEER_A_CIDR, true, a, 64);
		} else {
			a[0] = 127; a[3] = 2;
			put(&t, &t.first, NP_PEER_A_ENDPOINT4, a, 4);
			a[0] = 10; a[1] = (uint8_t)(244 + d); a[2] = (uint8_t)(128 + k % 128);
			a[3] = 0;
			cidr_nest(&t, &t.first, NP_PEER_A_CIDR, false, a, 24);
		}
		np_simple(gfd, fam, &t);
	}
	return ifindex;
}

/* Creates and deletes the slot's devices while the workers use them. */
static void churner(unsigned int slot)
{
	struct slotinfo *si = &sh->slot[slot];
	int rt = nl_open(NETLINK_ROUTE);
	uint16_t fam;
	int gfd = open_genl(&fam);
	unsigned int gen = 0, d;
	char name[IFNAMSIZ];
	int ifindex;

	if (rt < 0)
		die_child("rtnetlink socket: %s", strerror(errno));
	seed_for(opt_seed, 2, slot, 0);
	for (d = 0; d < NDEVS; d++) {
		snprintf(name, sizeof(name), "npf%u", d);
		if (device_make(rt, gfd, fam, name, d, d < NROUTED ? 16 : 2, si) < 0)
			die_child("slot %u: cannot create %s", slot, name);
	}
	while (!stopping()) {
		sleep_ms(rnd(10));
		/*
		 * The bare devices go together (one unregister batch), a
		 * routed one now and then; the workers keep using the
		 * indexes while they go.
		 */
		if (!group_del(rt, BARE_GROUP))
			add(&sh->devs_deleted, NDEVS - NROUTED);
		si->stale = si->ifidx[NROUTED + rnd(NDEVS - NROUTED)];
		for (d = NROUTED; d < NDEVS; d++)
			__atomic_store_n(&si->ifidx[d], 0, __ATOMIC_RELEASE);
		if (gen % 8 == 7) {
			d = rnd(NROUTED);
			ifindex = si->ifidx[d];
			if (ifindex > 0 && !link_set(rt, ifindex, 0, true))
				add(&sh->devs_deleted, 1);
			__atomic_store_n(&si->ifidx[d], 0, __ATOMIC_RELEASE);
			snprintf(name, sizeof(name), "npf%u", d);
			device_make(rt, gfd, fam, name, d, rnd(24), si);
		}
		for (d = NROUTED; d < NDEVS; d++) {
			snprintf(name, sizeof(name), "npf%u", d);
			ifindex = device_make(rt, gfd, fam, name, d,
					      chance(50) ? 0 : rnd(8), si);
			if (ifindex < 0 && ifindex != -EEXIST)
				fprintf(stderr, "np-fuzz: slot %u: create %s: %s\n",
					slot, name, strerror(-ifindex));
		}
		gen++;
	}
	/* leave them: the slot leader deletes what is left and checks */
	_exit(0);
}

/* UDP through the devices' routes (10.244/16, 10.245/16, fd00:244::/47). */
static void traffic(unsigned int slot)
{
	int s4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int s6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
	char payload[256];
	unsigned int i;

	seed_for(opt_seed, 3, slot, 0);
	memset(payload, 'x', sizeof(payload));
	while (!stopping()) {
		/* a trickle by default: a packet crosses the stack twice */
		for (i = 0; i < opt_traffic; i++) {
			uint8_t *b = (uint8_t *)&a4.sin_addr;

			b[0] = 10; b[1] = (uint8_t)(244 + rnd(2));
			b[2] = (uint8_t)rnd(256); b[3] = (uint8_t)(1 + rnd(254));
			sendto(s4, payload, 1 + rnd(sizeof(payload)), MSG_DONTWAIT,
			       (struct sockaddr *)&a4, sizeof(a4));
			b = a6.sin6_addr.s6_addr;
			memset(b, 0, 16);
			b[0] = 0xfd; b[2] = 0x02; b[3] = (uint8_t)(0x44 + rnd(2));
			b[6] = 0; b[7] = (uint8_t)rnd(64); b[15] = (uint8_t)(1 + rnd(254));
			sendto(s6, payload, 1 + rnd(sizeof(payload)), MSG_DONTWAIT,
			       (struct sockaddr *)&a6, sizeof(a6));
		}
		add(&sh->pkts, 2 * opt_traffic);
		sleep_ms(20);
	}
	_exit(0);
}

/* LB frontend keys from an LB_GET dump: the key attributes, verbatim. */
#define MAX_LB_KEYS 1024

struct lb_keys {
	int n;
	struct {
		uint8_t fam, proto;
		uint16_t port;
		uint8_t local[16];
		uint8_t llen;		/* 0: no local address */
	} k[MAX_LB_KEYS];
};

static void lb_keys_cb(const struct nlmsghdr *nlh, void *arg)
{
	const uint8_t *p = (const uint8_t *)NLMSG_DATA(nlh) + GENL_HDRLEN;
	size_t len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	const struct nlattr *f, *pr, *po, *l;
	struct lb_keys *ks = arg;

	if (attr_find(p, len, NP_LB_A_STAGE) || ks->n >= MAX_LB_KEYS)
		return;		/* a continuation, or full */
	f = attr_find(p, len, NP_LB_A_FAMILY);
	pr = attr_find(p, len, NP_LB_A_PROTO);
	po = attr_find(p, len, NP_LB_A_PORT);
	if (!f || !pr || !po)
		return;
	ks->k[ks->n].fam = *NLA_DATA(f);
	ks->k[ks->n].proto = *NLA_DATA(pr);
	memcpy(&ks->k[ks->n].port, NLA_DATA(po), 2);
	l = attr_find(p, len, NP_LB_A_LOCAL4);
	if (!l)
		l = attr_find(p, len, NP_LB_A_LOCAL6);
	ks->k[ks->n].llen = 0;
	if (l && NLA_PLEN(l) <= 16) {
		ks->k[ks->n].llen = (uint8_t)NLA_PLEN(l);
		memcpy(ks->k[ks->n].local, NLA_DATA(l), NLA_PLEN(l));
	}
	ks->n++;
}

/* Delete every LB frontend of the netns (dump, then one DEL each). */
static int lb_delete_all(int fd, uint16_t fam)
{
	static struct lb_keys ks;
	struct genlmsghdr *g;
	struct req r;
	int i, err;

	ks.n = 0;
	g = req_init(&r, fam, NLM_F_DUMP, GENL_HDRLEN);
	g->cmd = NP_CMD_LB_GET;
	g->version = NODEPLANE_GENL_VERSION;
	err = req_talk(fd, &r, lb_keys_cb, &ks);
	if (err)
		return err;
	for (i = 0; i < ks.n; i++) {
		g = req_init(&r, fam, 0, GENL_HDRLEN);
		g->cmd = NP_CMD_LB_DEL;
		g->version = NODEPLANE_GENL_VERSION;
		req_put(&r, NP_LB_A_FAMILY, &ks.k[i].fam, 1);
		req_put(&r, NP_LB_A_PROTO, &ks.k[i].proto, 1);
		req_put(&r, NP_LB_A_PORT, &ks.k[i].port, 2);
		if (ks.k[i].llen)
			req_put(&r, ks.k[i].llen == 4 ? NP_LB_A_LOCAL4 :
				NP_LB_A_LOCAL6, ks.k[i].local, ks.k[i].llen);
		err = req_talk(fd, &r, NULL, NULL);
		if (err)
			return err;
	}
	return 0;
}

/* Delete what the slot left, then check that nothing of it remains. */
static void slot_check(unsigned int slot, int rt, int gfd, uint16_t fam)
{
	static struct tree t;
	struct linklist l;
	struct counts c;
	int i, err;
	char *msg = sh->slot_fail[slot];

	if (nodeplane_links(rt, &l) == 0)
		for (i = 0; i < l.n; i++)
			link_set(rt, l.idx[i], 0, true);
	tree_init(&t, fam, NP_CMD_MASQ_SET, NLM_F_REQUEST | NLM_F_ACK);
	err = np_simple(gfd, fam, &t);
	if (err)
		snprintf(msg, 200, "MASQ_SET without CIDRs: %s", strerror(-err));
	err = lb_delete_all(gfd, fam);
	if (err)
		snprintf(msg, 200, "LB frontends' deletion: %s", strerror(-err));
	err = np_info(gfd, fam, &c);
	if (err)
		snprintf(msg, 200, "INFO_GET: %s", strerror(-err));
	else if (c.devs || c.peers || c.masq || c.lb_fe || c.lb_staged)
		snprintf(msg, 200, "INFO counts after deleting everything: devices %" PRId64
			 " peers %" PRId64 " masq_cidrs %" PRId64 " lb_frontends %" PRId64
			 " lb_staged %" PRId64 " (want 0 0 0 0 0)",
			 c.devs, c.peers, c.masq, c.lb_fe, c.lb_staged);
	err = nodeplane_links(rt, &l);
	if (err)
		snprintf(msg, 200, "RTM_GETLINK: %s", strerror(-err));
	else if (l.n)
		snprintf(msg, 200, "%d nodeplane link(s) left, first %s", l.n, l.names[0]);
	printf("np-fuzz: slot %u: after cleanup devices %" PRId64 " peers %" PRId64
	       " masq_cidrs %" PRId64 " lb_frontends %" PRId64 " lb_staged %" PRId64
	       ", nodeplane links %d\n",
	       slot, c.devs, c.peers, c.masq, c.lb_fe, c.lb_staged, l.n);
}

static void slot_leader(unsigned int slot)
{
	pid_t kids[2 * MAX_WORKERS + 2];
	unsigned int n = 0, w;
	uint16_t fam;
	int rt, gfd, st;
	pid_t p;

	if (unshare(CLONE_NEWNET) < 0)
		die_child("unshare(CLONE_NEWNET): %s", strerror(errno));
	rt = nl_open(NETLINK_ROUTE);
	if (rt < 0)
		die_child("rtnetlink socket: %s", strerror(errno));
	up_lo(rt);
	gfd = open_genl(&fam);
	if ((p = fork()) == 0)
		churner(slot);
	kids[n++] = p;
	/* the workers start once the devices are there */
	while (!sh->slot[slot].ifidx[NDEVS - 1] && !stopping())
		sleep_ms(5);
	if ((p = fork()) == 0)
		traffic(slot);
	kids[n++] = p;
	for (w = 0; w < opt_workers; w++) {
		if ((p = fork()) == 0)
			worker(slot, w);
		kids[n++] = p;
	}
	for (w = 0; w < opt_racers; w++) {
		if ((p = fork()) == 0)
			racer(slot, w);
		kids[n++] = p;
	}
	st = 0;
	for (w = 0; w < n; w++) {
		int s;

		if (waitpid(kids[w], &s, 0) > 0 && !(WIFEXITED(s) && WEXITSTATUS(s) == 0))
			st = 1;
	}
	if (st && !sh->slot_fail[slot][0])
		snprintf(sh->slot_fail[slot], 200, "a process of the slot failed");
	slot_check(slot, rt, gfd, fam);
	sh->slot_done[slot] = 1;
	_exit(0);
}

/* Short-lived netns with devices, peers and masquerade, never cleaned up. */
static void netns_churner(void)
{
	unsigned int gen = 0;

	while (!stopping()) {
		pid_t p = fork();
		int st;

		if (p == 0) {
			struct ctx c = { .slot = MAX_SLOTS, .worker = 0 };
			uint16_t fam;
			int rt, gfd, i;
			uint32_t seq = 1;
			static struct tree t;

			seed_for(opt_seed, 4, 0, gen);
			if (unshare(CLONE_NEWNET) < 0)
				die_child("unshare(CLONE_NEWNET): %s", strerror(errno));
			rt = nl_open(NETLINK_ROUTE);
			up_lo(rt);
			gfd = open_genl(&fam);
			device_make(rt, gfd, fam, "npf0", 0, rnd(32), NULL);
			if (chance(50))
				device_make(rt, gfd, fam, "npf1", 1, rnd(32), NULL);
			build(&t, fam, NP_CMD_MASQ_SET, &c);
			np_simple(gfd, fam, &t);
			for (i = 0; i < 20; i++)
				fuzz_one(gfd, fam, &c, &seq);
			_exit(0);	/* the kernel tears the netns down */
		}
		if (p > 0 && waitpid(p, &st, 0) > 0)
			add(&sh->netns_created, 1);
		gen++;
		sleep_ms(rnd(50));
	}
	_exit(0);
}

/* ---- selftest (host) ------------------------------------------------------ */

/* Does the list at @p (@len bytes) match @tab exactly? */
static int check_attrs(const uint8_t *p, size_t len, const struct aspec *tab,
		       uint16_t max)
{
	while (len) {
		const struct nlattr *a = (const struct nlattr *)p;
		const struct aspec *s;
		size_t plen;

		if (len < NLA_HDRLEN || a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return -1;
		plen = a->nla_len - NLA_HDRLEN;
		s = spec_of(tab, a->nla_type & NLA_TYPE_MASK);
		if (!s || s->type > max || !s->req)
			return -2;
		if (s->kind == K_NEST) {
			if (!(a->nla_type & NLA_F_NESTED) ||
			    check_attrs(p + NLA_HDRLEN, plen, s->nest, s->nest_max))
				return -3;
		} else if (s->len && plen != s->len &&
			   !(plen == 0 && (s->type == NP_OVERLAY_A_LOCAL4 ||
					   s->type == NP_OVERLAY_A_LOCAL6) &&
			     tab == overlay_tab)) {
			return -4;
		}
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		p += NLA_ALIGN(a->nla_len);
		len -= NLA_ALIGN(a->nla_len);
	}
	return 0;
}

static int selftest(void)
{
	static struct tree t;
	static uint8_t buf[65536 + 64];
	struct slotinfo si = { .ifidx = { 5, 6 }, .stale = 4 };
	struct ctx c = { .slot = 0, .worker = 1, .si = &si };
	unsigned int i, bad = 0, cmdseen[NP_CMD_MAX + 1] = { 0 };
	size_t len;

	seed_for(opt_seed, 9, 0, 0);
	for (i = 0; i < 200000; i++) {
		uint8_t cmd = (uint8_t)(1 + i % NP_CMD_MAX);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int r;

		build(&t, 0x42, cmd, &c);
		memset(buf + 65536, 0xa5, 64);
		len = serialize(&t, buf, 65536, i);
		if (nlh->nlmsg_len != len || len > 65536 || (len & 3)) {
			fprintf(stderr, "selftest: %s: length %zu\n", cmds[cmd].name, len);
			bad++;
			continue;
		}
		r = check_attrs(buf + NLMSG_HDRLEN + GENL_HDRLEN,
				len - NLMSG_HDRLEN - GENL_HDRLEN, cmds[cmd].tab,
				cmds[cmd].max);
		if (r) {
			fprintf(stderr, "selftest: valid %s does not parse (%d)\n",
				cmds[cmd].name, r);
			bad++;
		}
		cmdseen[cmd]++;
		mutate_tree(&t);
		mutate_tree(&t);
		mutate_header(&t, 0x42);
		len = serialize(&t, buf, 65536, i);
		if (len > 65536 || buf[65536] != 0xa5) {
			fprintf(stderr, "selftest: mutated %s overran its buffer\n",
				cmds[cmd].name);
			bad++;
		}
	}
	for (i = 1; i <= NP_CMD_MAX; i++)
		if (cmds[i].name && !cmdseen[i]) {	/* no spec: POLICY, so far */
			fprintf(stderr, "selftest: command %u never built\n", i);
			bad++;
		}
	/* the mutator must actually produce what the table rejects */
	for (i = 0, len = 0; i < 2000; i++) {
		build(&t, 0x42, NP_CMD_PEER_NEW, &c);
		mutate_tree(&t);
		serialize(&t, buf, 65536, i);
		if (check_attrs(buf + NLMSG_HDRLEN + GENL_HDRLEN,
				((struct nlmsghdr *)buf)->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN,
				peer_tab, NP_PEER_A_MAX))
			len++;
	}
	if (len < 200) {
		fprintf(stderr, "selftest: only %zu of 2000 mutated PEER_NEW break the table\n", len);
		bad++;
	}
	printf("selftest: %u problems (seed %" PRIu64 ")\n", bad, opt_seed);
	return bad ? 1 : 0;
}

/* ---- main ------------------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void kmsg(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s", line + 3);
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) < 0) {
			/* the console copy is a convenience */
		}
		close(fd);
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: np-fuzz [--seed N] [--messages N] [--seconds S] [--slots N]\n"
		"               [--workers N] [--racers N] [--traffic N] | --selftest\n"
		"  --traffic N: N IPv4 + N IPv6 packets per 20 ms per netns (default 1)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t max_msgs = 0, last = 0;
	double secs = 0, t0, t, lastlog;
	pid_t kids[MAX_SLOTS + 1];
	unsigned int n = 0, i, distinct = 0, specced = 0;
	bool self = false;
	int fails = 0, st;
	struct counts c;
	uint16_t fam;
	int gfd;

	opt_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	for (i = 1; i < (unsigned int)argc; i++) {
		const char *a = argv[i], *v = i + 1 < (unsigned int)argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--selftest")) { self = true; continue; }
		if (!v)
			usage();
		if (!strcmp(a, "--seed")) opt_seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--messages")) max_msgs = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--seconds")) secs = strtod(v, NULL);
		else if (!strcmp(a, "--slots")) opt_slots = (unsigned int)atoi(v);
		else if (!strcmp(a, "--workers")) opt_workers = (unsigned int)atoi(v);
		else if (!strcmp(a, "--racers")) opt_racers = (unsigned int)atoi(v);
		else if (!strcmp(a, "--traffic")) opt_traffic = (unsigned int)atoi(v);
		else usage();
		i++;
	}
	if (!opt_slots || opt_slots > MAX_SLOTS || !opt_workers ||
	    opt_workers > MAX_WORKERS || opt_racers > MAX_WORKERS)
		usage();
	if (self)
		return selftest();
	if (!max_msgs && secs <= 0)
		usage();

	setvbuf(stdout, NULL, _IOLBF, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(sh, 0, sizeof(*sh));
	signal(SIGPIPE, SIG_IGN);
	kmsg("<4>np-fuzz: seed %" PRIu64 " (replay: --seed %" PRIu64 "), %u netns x %u workers, "
	     "stop at %" PRIu64 " messages / %.0f s\n", opt_seed, opt_seed, opt_slots,
	     opt_workers, max_msgs, secs);

	t0 = now();
	for (i = 0; i < opt_slots; i++) {
		pid_t p = fork();

		if (p == 0)
			slot_leader(i);
		kids[n++] = p;
	}
	{
		pid_t p = fork();

		if (p == 0)
			netns_churner();
		kids[n++] = p;
	}
	lastlog = t0;
	for (;;) {
		uint64_t m = __atomic_load_n(&sh->msgs, __ATOMIC_RELAXED);

		sleep_ms(100);
		t = now();
		if ((max_msgs && m >= max_msgs) || (secs > 0 && t - t0 >= secs) || sh->fail[0])
			break;
		if (t - lastlog >= 10) {
			kmsg("<4>np-fuzz: %.0f s, %" PRIu64 " messages (%.0f/s), %" PRIu64
			     " devices deleted, %" PRIu64 " netns\n", t - t0, m,
			     (double)(m - last) / (t - lastlog), sh->devs_deleted,
			     sh->netns_created);
			last = m;
			lastlog = t;
		}
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	t = now() - t0;
	for (i = 0; i < n; i++) {
		if (waitpid(kids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "np-fuzz: process %u ended badly (status %#x)\n", i, st);
			fails++;
		}
	}
	printf("np-fuzz: seed %" PRIu64 "\n", opt_seed);
	printf("np-fuzz: messages %" PRIu64 " (mutated %" PRIu64 ", datagrams %" PRIu64
	       ") in %.1f s, %.0f/s\n", sh->msgs, sh->mutated, sh->datagrams, t,
	       (double)sh->msgs / t);
	/* Commands without a tree spec (the POLICY ones, so far) are only
	 * sent as random command numbers: not counted as distinct. */
	for (i = 0; i < BUCKETS; i++) {
		char name[16];

		if (i >= 1 && i <= NP_CMD_MAX && cmds[i].name) {
			specced++;
			if (sh->ok[i])
				distinct++;
		}
		if (i == 0 || i > NP_CMD_MAX)
			snprintf(name, sizeof(name), "%s", i ? "cmd > max" : "cmd 0");
		else if (cmds[i].name)
			snprintf(name, sizeof(name), "%s", cmds[i].name);
		else
			snprintf(name, sizeof(name), "cmd %u", i);
		if (sh->sent[i])
			printf("np-fuzz:   %-12s sent %8" PRIu64 "  accepted %8" PRIu64 "\n",
			       name, sh->sent[i], sh->ok[i]);
	}
	printf("np-fuzz: distinct commands accepted %u of %u\n", distinct, specced);
	printf("np-fuzz: devices created %" PRIu64 " deleted %" PRIu64 ", netns %" PRIu64
	       ", packets sent %" PRIu64 "\n", sh->devs_created, sh->devs_deleted,
	       sh->netns_created, sh->pkts);
	for (i = 0; i < opt_slots; i++) {
		if (!sh->slot_done[i]) {
			printf("np-fuzz: FAIL slot %u did not finish its checks\n", i);
			fails++;
		} else if (sh->slot_fail[i][0]) {
			printf("np-fuzz: FAIL slot %u: %s\n", i, sh->slot_fail[i]);
			fails++;
		}
	}
	if (sh->fail[0]) {
		printf("np-fuzz: FAIL %s\n", sh->fail);
		fails++;
	}
	/* the init netns was never touched: all zero */
	gfd = open_genl(&fam);
	if (np_info(gfd, fam, &c) || c.devs || c.peers || c.masq) {
		printf("np-fuzz: FAIL init netns counts devices %" PRId64 " peers %" PRId64
		       " masq_cidrs %" PRId64 "\n", c.devs, c.peers, c.masq);
		fails++;
	}
	if (distinct != specced) {
		printf("np-fuzz: FAIL only %u of %u commands were ever accepted\n",
		       distinct, specced);
		fails++;
	}
	kmsg("<4>np-fuzz: done: %" PRIu64 " messages in %.0f s, %d failure(s)\n",
	     sh->msgs, t, fails);
	printf("np-fuzz: %s\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}
