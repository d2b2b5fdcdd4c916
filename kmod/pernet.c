// SPDX-License-Identifier: GPL-2.0
/* Per network namespace state: one struct np_net per netns. */
#include <linux/module.h>
#include <net/netns/generic.h>

#include "pernet.h"

static unsigned int np_net_id __read_mostly;

struct np_net *np_pernet(const struct net *net)
{
	return net_generic(net, np_net_id);
}

static int __net_init np_net_init(struct net *net)
{
	struct np_net *nn = np_pernet(net);

	mutex_init(&nn->lock);
	atomic64_set(&nn->requests, 0);
	return 0;
}

static void __net_exit np_net_exit(struct net *net)
{
	struct np_net *nn = np_pernet(net);

	mutex_destroy(&nn->lock);
}

static struct pernet_operations np_net_ops = {
	.init = np_net_init,
	.exit = np_net_exit,
	.id = &np_net_id,
	.size = sizeof(struct np_net),
};

int np_pernet_init(void)
{
	return register_pernet_subsys(&np_net_ops);
}

void np_pernet_exit(void)
{
	unregister_pernet_subsys(&np_net_ops);
}
