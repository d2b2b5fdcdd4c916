// SPDX-License-Identifier: GPL-2.0
/*
 * The pure decisions of the LB data path (lb.h): key hashing, the backend
 * selection lists and index built when a frontend is committed, the choice
 * of a backend for a new connection (ClientIP affinity included) and the
 * masquerade decision. No skb, no conntrack, no netns: tests/kunit/
 * lb_core_test.c checks them against references.
 */
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/nodeplane.h>

#include "lb.h"

#define KEY_SEED 0x6e706c62	/* "nplb": frontends are set by root only */

u32 np_lb_core_key_hash(u8 fam, u8 proto, u16 port, const u8 *local)
{
	u32 h = jhash_3words(fam, proto, port, KEY_SEED);

	return local ? jhash(local, np_lb_alen(fam), h) : h;
}

bool np_lb_core_key_eq(const struct np_lb_fe *fe, u8 fam, u8 proto, u16 port,
		       const u8 *local)
{
	if (fe->fam != fam || fe->proto != proto || fe->port != port ||
	    fe->has_local != !!local)
		return false;
	return !local || !memcmp(fe->local, local, np_lb_alen(fam));
}

static u32 be_hash(u8 fam, const u8 *addr, __be16 port)
{
	return jhash(addr, np_lb_alen(fam), (__force u32)port ^ KEY_SEED);
}

/* In the scope of the frontend (LOCAL_ONLY: local backends only)? */
static bool in_scope(const struct np_lb_fe *fe, const struct np_lb_be *be)
{
	return !(fe->flags & NP_LB_F_LOCAL_ONLY) || (be->flags & NP_LBB_F_LOCAL);
}

static bool is_ready(const struct np_lb_fe *fe, const struct np_lb_be *be)
{
	return in_scope(fe, be) && (be->flags & NP_LBB_F_READY);
}

static bool is_fallback(const struct np_lb_fe *fe, const struct np_lb_be *be)
{
	return in_scope(fe, be) && !(be->flags & NP_LBB_F_READY) &&
	       (be->flags & NP_LBB_F_TERMINATING);
}

void np_lb_core_free_index(struct np_lb_fe *fe)
{
	kvfree(fe->sel);
	kvfree(fe->bidx);
	fe->sel = NULL;
	fe->bidx = NULL;
	fe->nready = 0;
	fe->nterm = 0;
	fe->bidx_mask = 0;
}

int np_lb_core_finish(struct np_lb_fe *fe, u32 *dup)
{
	u32 i, n = 0, size, h, j;

	np_lb_core_free_index(fe);
	if (!fe->nbe)
		return 0;
	size = roundup_pow_of_two(2 * fe->nbe);
	fe->bidx = kvcalloc(size, sizeof(*fe->bidx), GFP_KERNEL_ACCOUNT);
	fe->sel = kvcalloc(fe->nbe, sizeof(*fe->sel), GFP_KERNEL_ACCOUNT);
	if (!fe->bidx || !fe->sel) {
		np_lb_core_free_index(fe);
		return -ENOMEM;
	}
	fe->bidx_mask = size - 1;
	for (i = 0; i < fe->nbe; i++) {
		const struct np_lb_be *b = &fe->be[i];

		h = be_hash(fe->fam, b->addr, b->port);
		for (j = 0; j <= fe->bidx_mask; j++) {
			u32 *slot = &fe->bidx[(h + j) & fe->bidx_mask];
			const struct np_lb_be *o;

			if (!*slot) {
				*slot = i + 1;
				break;
			}
			o = &fe->be[*slot - 1];
			if (o->port == b->port &&
			    !memcmp(o->addr, b->addr, np_lb_alen(fe->fam))) {
				*dup = i;
				np_lb_core_free_index(fe);
				return -EEXIST;
			}
		}
	}
	for (i = 0; i < fe->nbe; i++)
		if (is_ready(fe, &fe->be[i]))
			fe->sel[n++] = i;
	fe->nready = n;
	for (i = 0; i < fe->nbe; i++)
		if (is_fallback(fe, &fe->be[i]))
			fe->sel[n++] = i;
	fe->nterm = n - fe->nready;
	return 0;
}

int np_lb_core_be_find(const struct np_lb_fe *fe, const u8 *addr,
		       __be16 port)
{
	u32 h, j, v;

	if (!fe->bidx)
		return -1;
	h = be_hash(fe->fam, addr, port);
	for (j = 0; j <= fe->bidx_mask; j++) {
		v = fe->bidx[(h + j) & fe->bidx_mask];
		if (!v)
			return -1;
		if (fe->be[v - 1].port == port &&
		    !memcmp(fe->be[v - 1].addr, addr, np_lb_alen(fe->fam)))
			return v - 1;
	}
	return -1;
}

bool np_lb_core_be_usable(const struct np_lb_fe *fe, u32 i)
{
	if (i >= fe->nbe)
		return false;
	if (fe->nready)
		return is_ready(fe, &fe->be[i]);
	return is_fallback(fe, &fe->be[i]);
}

u32 np_lb_core_aff_slot(u8 fam, const u8 *client)
{
	return jhash(client, np_lb_alen(fam), KEY_SEED) & (NP_LB_AFF_SLOTS - 1);
}

/* The backend @client was given, if the entry is live and still usable. */
static int aff_lookup(struct np_lb_fe *fe, const u8 *client,
		      unsigned long now, struct np_lb_aff_slot **slotp)
{
	struct np_lb_aff_slot *slot, copy;
	unsigned int alen = np_lb_alen(fe->fam), seq;
	int i;

	slot = &fe->aff->slot[np_lb_core_aff_slot(fe->fam, client)];
	*slotp = slot;
	do {
		seq = read_seqbegin(&fe->aff->lock);
		copy = *slot;
	} while (read_seqretry(&fe->aff->lock, seq));
	if (!copy.last || memcmp(copy.addr, client, alen) ||
	    time_after(now, copy.last + (unsigned long)fe->affinity * HZ))
		return -1;
	i = copy.be_hint;
	if (i >= fe->nbe || fe->be[i].port != copy.be_port ||
	    memcmp(fe->be[i].addr, copy.be_addr, alen))
		i = np_lb_core_be_find(fe, copy.be_addr, copy.be_port);
	if (i < 0 || !np_lb_core_be_usable(fe, i))
		return -1;
	if (now - copy.last >= HZ) {	/* refresh at most once a second */
		write_seqlock_bh(&fe->aff->lock);
		if (!memcmp(slot->addr, client, alen))
			slot->last = now;
		write_sequnlock_bh(&fe->aff->lock);
	}
	return i;
}

int np_lb_core_choose(struct np_lb_fe *fe, const u8 *client, u32 rnd,
		      unsigned long now)
{
	struct np_lb_aff_slot *slot = NULL;
	unsigned int alen = np_lb_alen(fe->fam);
	int i;

	if (fe->aff && fe->affinity) {
		i = aff_lookup(fe, client, now, &slot);
		if (i >= 0)
			return i;
	}
	if (fe->nready)
		i = fe->sel[rnd % fe->nready];
	else if (fe->nterm)
		i = fe->sel[fe->nready + rnd % fe->nterm];
	else
		return -1;
	if (slot) {
		write_seqlock_bh(&fe->aff->lock);
		memcpy(slot->addr, client, alen);
		memcpy(slot->be_addr, fe->be[i].addr, alen);
		slot->be_port = fe->be[i].port;
		slot->be_hint = i;
		slot->last = now ? now : 1;
		write_sequnlock_bh(&fe->aff->lock);
	}
	return i;
}

enum np_lb_masq_verdict np_lb_core_masq_decide(u8 fam, u32 fe_flags,
					       u8 be_flags, const u8 *client,
					       const u8 *backend)
{
	if (fe_flags & NP_LB_F_MASQ_ALL)
		return NP_LB_MASQ_ALL;
	if (fam == NP_LPM_V4 && client[0] == 127)
		return NP_LB_MASQ_LOCALHOST;
	if ((fe_flags & NP_LB_F_HAIRPIN) &&
	    !memcmp(client, backend, np_lb_alen(fam)))
		return NP_LB_MASQ_HAIRPIN;
	if ((fe_flags & NP_LB_F_MASQ_REMOTE) && !(be_flags & NP_LBB_F_LOCAL))
		return NP_LB_MASQ_REMOTE;
	return NP_LB_MASQ_KEEP;
}
