// SPDX-License-Identifier: GPL-2.0-only
/*
 * The class map from the peer sets' contributions, in one sweep.
 *
 * Every peer set puts prefixes in the tree: a pod address (/32, /128)
 * with a plus, an ipBlock its cidr with a plus and each except with a
 * minus. An address whose longest match is prefix p belongs to the peer
 * sets of p's nearest ancestor, plus those p adds, less those p takes away
 * (an ipBlock's excepts lie strictly inside its cidr, so its plus is always
 * above its minuses). Sorted by np_cidr_cmp (address, then length), the
 * prefixes come in tree pre-order: a stack of the ancestors whose set
 * differs from their parent's gives each prefix its set in time
 * O(prefixes x log + total set sizes), never comparing prefixes pairwise.
 * A prefix whose set is its ancestor's adds nothing to the longest-prefix
 * lookup and is left out; the others get the class of their set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netpol/internal.h"

#define MAX_DEPTH 130			/* /0../128 */

struct frame {
	struct np_cidr net;
	uint32_t *set;
	size_t n;
	uint32_t cls;
};

static int contrib_cmp(const void *pa, const void *pb)
{
	const struct npc_contrib *a = pa, *b = pb;
	int r = np_cidr_cmp(&a->net, &b->net);

	if (r)
		return r;
	if (a->ps != b->ps)
		return a->ps < b->ps ? -1 : 1;
	return (int)a->minus - (int)b->minus;
}

static int u32_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return (a > b) - (a < b);
}

/* Whether up is a strict ancestor of net. */
static bool above(const struct np_cidr *up, const struct np_cidr *net)
{
	return up->prefixlen < net->prefixlen &&
	       np_cidr_contains(up, &net->addr);
}

/*
 * out = (parent + plus) - minus, all sorted: the group v[0..n) sorted by
 * peer set (a minus wins over a plus of the same set). Returns the size.
 */
static size_t apply(const uint32_t *parent, size_t np,
		    const struct npc_contrib *v, size_t n, uint32_t *out)
{
	size_t i = 0, j = 0, o = 0;

	while (i < np || j < n) {
		bool in = false, minus = false;
		uint32_t id;

		if (j >= n || (i < np && parent[i] <= v[j].ps))
			id = parent[i];
		else
			id = v[j].ps;
		if (i < np && parent[i] == id) {
			in = true;
			i++;
		}
		for (; j < n && v[j].ps == id; j++) {
			if (v[j].minus)
				minus = true;
			else
				in = true;
		}
		if (in && !minus)
			out[o++] = id;
	}
	return o;
}

static int push_prefix(struct np_netpol_plan *plan, size_t *cap,
		       const struct np_cidr *net, uint32_t cls)
{
	if (plan->n_prefixes == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct np_netpol_prefix *p = realloc(plan->prefixes,
						     ncap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		plan->prefixes = p;
		*cap = ncap;
	}
	plan->prefixes[plan->n_prefixes].cidr = *net;
	plan->prefixes[plan->n_prefixes++].cls = cls;
	return 0;
}

int npc_prefixes(struct np_netpol_classes *c, struct npc_contrib *v, size_t n,
		 struct np_netpol_plan *plan, uint32_t **used, size_t *n_used)
{
	struct frame st[MAX_DEPTH];
	size_t depth = 0, i = 0, cap = 0, k;
	uint32_t *u = NULL;
	int ret = 0;

	*used = NULL;
	*n_used = 0;
	npc_sort(v, n, sizeof(*v), contrib_cmp);
	while (i < n) {
		const struct np_cidr *net = &v[i].net;
		const uint32_t *pset = NULL;
		size_t g = i, pn = 0, sn;
		uint32_t pcls = 0, *set;

		while (g < n && !np_cidr_cmp(&v[g].net, net))
			g++;
		while (depth && !above(&st[depth - 1].net, net))
			free(st[--depth].set);
		if (depth) {
			pset = st[depth - 1].set;
			pn = st[depth - 1].n;
			pcls = st[depth - 1].cls;
		}
		set = malloc((pn + g - i + 1) * sizeof(*set));
		if (!set) {
			ret = -ENOMEM;
			break;
		}
		sn = apply(pset, pn, &v[i], g - i, set);
		if (sn == pn && (!pn || !memcmp(set, pset, pn * sizeof(*set)))) {
			/* Nothing changes below this prefix: not a frame. */
			free(set);
			i = g;
			continue;
		}
		ret = npc_cls_get(c, set, sn, &pcls);
		if (!ret)
			ret = push_prefix(plan, &cap, net, pcls);
		if (ret || depth == MAX_DEPTH) {
			free(set);
			ret = ret ? ret : -EINVAL;
			break;
		}
		st[depth].net = *net;
		st[depth].set = set;
		st[depth].n = sn;
		st[depth++].cls = pcls;
		i = g;
	}
	while (depth)
		free(st[--depth].set);
	if (ret)
		return ret;
	if (plan->n_prefixes) {
		u = malloc(plan->n_prefixes * sizeof(*u));
		if (!u)
			return -ENOMEM;
	}
	for (k = 0; k < plan->n_prefixes; k++)
		u[k] = plan->prefixes[k].cls;
	npc_sort(u, plan->n_prefixes, sizeof(*u), u32_cmp);
	for (i = k = 0; i < plan->n_prefixes; i++)
		if (!k || u[k - 1] != u[i])
			u[k++] = u[i];
	*used = u;
	*n_used = k;
	return 0;
}
