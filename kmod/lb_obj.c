// SPDX-License-Identifier: GPL-2.0
/*
 * LB frontend objects (lb.h): allocation, the backends array and the
 * source-range set filled chunk by chunk (staging), the per-CPU counters'
 * sum, and freeing. No netfilter here: tests/kunit/lb_obj_test.c builds
 * objects against a reference.
 */
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/nodeplane.h>

#include "lb.h"

atomic_t np_lb_nobjects = ATOMIC_INIT(0);

struct np_lb_fe *np_lb_fe_new(void)
{
	struct np_lb_fe *fe = kzalloc(sizeof(*fe), GFP_KERNEL_ACCOUNT);

	if (!fe)
		return NULL;
	atomic_inc(&np_lb_nobjects);
	INIT_HLIST_NODE(&fe->hnode);
	INIT_LIST_HEAD(&fe->snode);
	mutex_init(&fe->rlock);
	np_lpm_init(&fe->ranges, &fe->rlock, NULL, 0);
	return fe;
}

/* Frees @fe now: it is unpublished, or a grace period has passed. */
void np_lb_fe_free(struct np_lb_fe *fe)
{
	mutex_lock(&fe->rlock);
	np_lpm_destroy(&fe->ranges);
	mutex_unlock(&fe->rlock);
	mutex_destroy(&fe->rlock);
	np_lb_core_free_index(fe);
	kvfree(fe->be);
	if (fe->own_stats)
		free_percpu(fe->stats);
	if (fe->own_aff)
		kvfree(fe->aff);
	kfree(fe);
	atomic_dec(&np_lb_nobjects);
}

/* A range value: any non-NULL pointer; the table is a set. */
#define RANGE_PRESENT ((void *)1)

int np_lb_fe_add_range(struct np_lb_fe *fe, u8 fam, const u8 *addr, u8 plen)
{
	unsigned int before = fe->ranges.count[fam];
	void *old;
	int err;

	mutex_lock(&fe->rlock);
	err = np_lpm_insert(&fe->ranges, fam, addr, plen, RANGE_PRESENT, &old);
	mutex_unlock(&fe->rlock);
	if (!err)
		fe->nranges += fe->ranges.count[fam] - before;
	return err;
}

int np_lb_fe_add_backends(struct np_lb_fe *fe, const struct np_lb_be *be,
			  u32 n)
{
	u32 cap;
	void *p;

	if (!n)
		return 0;
	if (fe->nbe + n > fe->cap_be) {
		cap = max3(fe->nbe + n, 2 * fe->cap_be, 16U);
		p = kvrealloc(fe->be, fe->cap_be * sizeof(*fe->be),
			      cap * sizeof(*fe->be), GFP_KERNEL_ACCOUNT);
		if (!p)
			return -ENOMEM;
		fe->be = p;
		fe->cap_be = cap;
	}
	memcpy(&fe->be[fe->nbe], be, n * sizeof(*be));
	fe->nbe += n;
	return 0;
}

/*
 * Before publishing: give back the room the chunks' doubling left (a
 * 1,024-backend frontend sent as 1,000 + 24 would keep 2,000 slots). A
 * failed shrink keeps the larger array: nothing is lost but memory.
 */
void np_lb_fe_trim(struct np_lb_fe *fe)
{
	void *p;

	if (!fe->nbe || fe->cap_be == fe->nbe)
		return;
	/* kvrealloc() of 6.1 never shrinks: a new array and a copy. */
	p = kvmalloc_array(fe->nbe, sizeof(*fe->be), GFP_KERNEL_ACCOUNT);
	if (!p)
		return;
	memcpy(p, fe->be, fe->nbe * sizeof(*fe->be));
	kvfree(fe->be);
	fe->be = p;
	fe->cap_be = fe->nbe;
}

void np_lb_stats_sum(const struct np_lb_fe *fe, u64 *out)
{
	unsigned int start;
	int cpu, i;

	memset(out, 0, sizeof(u64) * __NP_LB_COUNTERS);
	if (!fe->stats)
		return;
	for_each_possible_cpu(cpu) {
		const struct np_lb_pcpu *p = per_cpu_ptr(fe->stats, cpu);
		u64 v[__NP_LB_COUNTERS];

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			for (i = 0; i < __NP_LB_COUNTERS; i++)
				v[i] = u64_stats_read(&p->c[i]);
		} while (u64_stats_fetch_retry(&p->syncp, start));
		for (i = 0; i < __NP_LB_COUNTERS; i++)
			out[i] += v[i];
	}
}

