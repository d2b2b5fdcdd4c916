/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_PERNET_H
#define _NP_PERNET_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <net/net_namespace.h>

#include "lb.h"
#include "overlay.h"
#include "policy.h"

/*
 * Everything nodeplane keeps for one network namespace. Readers on the
 * packet path use RCU; every writer holds @lock.
 */
struct np_net {
	struct mutex lock;	/* serialises all writers in this netns */
	atomic64_t requests;	/* genl requests handled in this netns */
	struct np_overlay_net overlay;	/* overlay.h; all-zero is empty */
	struct np_masq_config __rcu *masq;	/* masq.c; NULL: off */
	unsigned int masq_hooks;	/* families hooked, 1 << np_lpm_family */
	struct np_lb_net lb;		/* lb.c: ServiceLB / hostPort */
	struct np_pol_net pol;		/* policy.c: NetworkPolicy */
};

struct np_net *np_pernet(const struct net *net);
int np_pernet_init(void);
void np_pernet_exit(void);

#endif /* _NP_PERNET_H */
