/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_PERNET_H
#define _NP_PERNET_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <net/net_namespace.h>

/*
 * Everything nodeplane keeps for one network namespace. Readers on the
 * packet path use RCU; every writer holds @lock.
 */
struct np_net {
	struct mutex lock;	/* serialises all writers in this netns */
	atomic64_t requests;	/* genl requests handled in this netns */
	/* overlay state goes here */
	/* masquerade state goes here */
};

struct np_net *np_pernet(const struct net *net);
int np_pernet_init(void);
void np_pernet_exit(void);

#endif /* _NP_PERNET_H */
