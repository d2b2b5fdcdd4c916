// SPDX-License-Identifier: GPL-2.0-only
/*
 * What each reconciler reads from the API, and when it is enabled. The
 * daemon watches the union over the enabled ones (np_kube_kinds), again
 * at every reload. The kinds are the reconciler's own declaration (the
 * same constant it gives the runner in its struct np_rc_ops .kinds), so
 * the two cannot drift apart.
 *
 * To add a reconciler, add a line with the constant its struct np_rc_ops
 * .kinds uses (reconcile/runner.h) and when it is enabled: ServiceLB will
 * read Services, EndpointSlices, Nodes and Pods unless `disable` names
 * "servicelb" (every node's Pods: the leader's status replays the port
 * claims of every node); hostPort this node's Pods (its node_kinds:
 * watched with fieldSelector=spec.nodeName=<node> when no enabled
 * reconciler reads other nodes' Pods); NetworkPolicy Pods, Namespaces
 * and NetworkPolicies unless `disable` names "network-policy".
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "kube/kinds.h"
#include "model/model.h"
#include "hostport/hostport.h"
#include "netpol/reconcile.h"
#include "overlay/overlay.h"
#include "servicelb/servicelb.h"

struct reader {
	const char *name;
	uint32_t kinds;		/* 1U << NP_KIND_* */
	bool (*enabled)(const struct np_config *c);
	uint32_t node_kinds;	/* of kinds, those read for this node only */
};

/* flannel-backend none: the overlay does nothing at all (overlay.h). */
static bool overlay_enabled(const struct np_config *c)
{
	return c->backend != NP_BACKEND_NONE;
}

static bool servicelb_enabled(const struct np_config *c)
{
	return !np_config_disabled(c, "servicelb");
}

static bool hostport_enabled(const struct np_config *c)
{
	return !np_config_disabled(c, "hostport");
}

static bool netpol_enabled(const struct np_config *c)
{
	return !np_config_disabled(c, "network-policy");
}

static const struct reader readers[] = {
	{ "overlay", NP_OVERLAY_KINDS, overlay_enabled, 0 },
	{ "servicelb", NP_SLB_KINDS, servicelb_enabled, 0 },
	{ "hostport", NP_HOSTPORT_KINDS, hostport_enabled,
	  NP_HOSTPORT_NODE_KINDS },
	/* every Pod of the cluster: peers are cluster-wide */
	{ "netpol", NP_NETPOL_KINDS, netpol_enabled, 0 },
};

uint32_t np_kube_kinds(const struct np_config *c)
{
	uint32_t kinds = 0;
	size_t i;

	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (readers[i].enabled(c))
			kinds |= readers[i].kinds;
	return kinds;
}

uint32_t np_kube_kinds_node_only(const struct np_config *c)
{
	uint32_t kinds = 0, all = 0;
	size_t i;

	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		if (!readers[i].enabled(c))
			continue;
		kinds |= readers[i].kinds & readers[i].node_kinds;
		all |= readers[i].kinds & ~readers[i].node_kinds;
	}
	return kinds & ~all;
}

void np_kube_kinds_str(uint32_t kinds, char *buf, size_t len)
{
	size_t o = 0;
	unsigned int k;

	if (len)
		buf[0] = '\0';
	for (k = 0; k < NP_KIND_COUNT && o < len; k++) {
		if (!(kinds & (1U << k)))
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
				      np_kind_name((enum np_kind)k));
	}
	if (!o)
		snprintf(buf, len, "none");
}
