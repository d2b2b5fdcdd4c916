/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flannel's subnet.env (spec/overlay.md §2.2, §6.2): the file the flannel
 * CNI plugin bundled in K3s reads to configure cni0 and host-local IPAM.
 * K3s with --flannel-backend=none writes none, so the overlay writes it as
 * flannel's WriteSubnetFile does, in flannel's key order:
 *
 *   FLANNEL_NETWORK=10.42.0.0/16          (IPv4 cluster-cidr)
 *   FLANNEL_SUBNET=10.42.1.1/24           (first host of the v4 podCIDR)
 *   FLANNEL_IPV6_NETWORK=2001:db8:42::/56
 *   FLANNEL_IPV6_SUBNET=2001:db8:42:1::1/64
 *   FLANNEL_MTU=1450                      (the overlay MTU)
 *   FLANNEL_IPMASQ=true
 *
 * The path is /run/flannel/subnet.env unless the environment variable
 * NODEPLANE_SUBNET_ENV names another file (tests, read-only roots).
 */
#ifndef _NP_SUBNETENV_H
#define _NP_SUBNETENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define NP_SUBNETENV_PATH "/run/flannel/subnet.env"
#define NP_SUBNETENV_ENV "NODEPLANE_SUBNET_ENV"
#define NP_SUBNETENV_LEN 512

struct np_subnetenv {
	bool fam4, fam6;
	struct np_cidr cluster4, cluster6;	/* cluster-cidr per family */
	struct np_cidr pod4, pod6;		/* own podCIDRs */
	uint32_t mtu;
	bool ipmasq;
};

/* The path: $NODEPLANE_SUBNET_ENV if set and not empty, else the default. */
const char *np_subnetenv_path(void);

/*
 * The file's text into buf (NUL-terminated). Pure. 0, or -ENOSPC when
 * buf is too small, -EINVAL when no family is on.
 */
int np_subnetenv_format(const struct np_subnetenv *in, char *buf, size_t len);

/*
 * Makes path hold exactly text: nothing when it already does (1),
 * else a temporary file in the same directory (created 0755 if missing),
 * fsync'd and renamed over path (0). A negative errno on failure, with
 * what failed in why.
 */
int np_subnetenv_write(const char *path, const char *text, char *why,
		       size_t why_len);

#endif /* _NP_SUBNETENV_H */
