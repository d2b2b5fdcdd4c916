/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nodeplaned configuration: /etc/nodeplane/config.yaml (libyaml) with K3s's
 * key names, the same keys as --flags (flags override the file), and the
 * node name from --node-name / node-name, K3S_NODE_NAME, NODE_NAME or the
 * hostname. Errors are collected, one line each, in np_config.err:
 *   FILE:LINE: KEY: what was expected, got "what"      (file)
 *   --KEY: what was expected, got "what"               (flags)
 * See docs/config.md.
 */
#ifndef _NP_CONFIG_H
#define _NP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NP_CONFIG_DEFAULT_PATH	"/etc/nodeplane/config.yaml"
#define NP_CONFIG_MAX_DISABLE	16
#define NP_CONFIG_NAME_LEN	254	/* DNS name, with the NUL */
#define NP_CONFIG_PATH_LEN	4096

enum np_backend {
	NP_BACKEND_VXLAN,
	NP_BACKEND_HOST_GW,
	NP_BACKEND_WIREGUARD_NATIVE,
	NP_BACKEND_NONE,
};

/* One address or prefix; prefix is -1 for a plain address. */
struct np_cfg_addr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	int prefix;
	char text[72];		/* canonical form */
};

/* Dual-stack value: at most one IPv4 and one IPv6. */
struct np_cfg_addrs {
	bool has4, has6;
	struct np_cfg_addr v4, v6;
};

struct np_config {
	struct np_cfg_addrs cluster_cidr, service_cidr;
	enum np_backend backend;
	bool ipv6_masq, external_ip;
	char iface[16];			/* "" = default route's interface */
	char node_name[NP_CONFIG_NAME_LEN];
	bool node_name_set;		/* by --node-name or node-name */
	struct np_cfg_addrs node_ip, node_external_ip;
	char disable[NP_CONFIG_MAX_DISABLE][64];
	size_t n_disable;
	char kubeconfig[NP_CONFIG_PATH_LEN];
	char manifests_dir[NP_CONFIG_PATH_LEN];	/* "" until finish: <data-dir>/manifests */
	char data_dir[NP_CONFIG_PATH_LEN];	/* state: WireGuard key; default /var/lib/nodeplane */
	uint32_t vxlan_vni;
	uint16_t vxlan_port;
	bool overlay_src_check;		/* vxlan: NP_OVERLAY_F_RX_SRC_CHECK */

	/* Private: which keys a flag has set already (a repeated list flag appends). */
	uint32_t flag_seen;
	int nerr;
	char err[4096];		/* "\n"-terminated lines; truncated if long */
};

/* Sources of the node name, replaceable by tests. */
struct np_config_env {
	char *(*getenv)(const char *name);
	int (*gethostname)(char *name, size_t len);
};

void np_config_init(struct np_config *c);
/* Parses YAML text; name is the file name used in errors. 0 or -1. */
int np_config_parse_string(struct np_config *c, const char *name,
			   const char *text, size_t len);
/* Parses a file; a missing file is an error only if !optional. 0 or -1. */
int np_config_parse_file(struct np_config *c, const char *path, bool optional);
/* Applies --key=value / --key value / --bool flags from argv[0..argc). */
int np_config_parse_args(struct np_config *c, int argc, char **argv);
/* Resolves the node name (env NULL: the real getenv/gethostname). */
int np_config_finish(struct np_config *c, const struct np_config_env *env);
/* "key: value" lines, in the order of docs/config.md. */
void np_config_print(const struct np_config *c, FILE *f);
const char *np_backend_name(enum np_backend b);
/* Whether `disable` names name ("servicelb", "hostport"). */
bool np_config_disabled(const struct np_config *c, const char *name);

#endif /* _NP_CONFIG_H */
