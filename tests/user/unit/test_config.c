// SPDX-License-Identifier: GPL-2.0-only
/* daemon/config.c: YAML file, flags, node name sources, --check-config output. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "config.h"

#define F "/etc/nodeplane/config.yaml"

static struct np_config cfg;

/* Fake environment for np_config_finish. */
static const char *env_k3s, *env_node, *env_host;

static char *fake_getenv(const char *name)
{
	if (!strcmp(name, "K3S_NODE_NAME"))
		return (char *)env_k3s;
	if (!strcmp(name, "NODE_NAME"))
		return (char *)env_node;
	return NULL;
}

static int fake_gethostname(char *name, size_t len)
{
	if (!env_host) {
		errno = EPERM;
		return -1;
	}
	snprintf(name, len, "%s", env_host);
	return 0;
}

static const struct np_config_env fake_env = { fake_getenv, fake_gethostname };

static void env_set(const char *k3s, const char *node, const char *host)
{
	env_k3s = k3s;
	env_node = node;
	env_host = host;
}

/* Parses text as F; returns the parser's result. */
static int parse(const char *text)
{
	np_config_init(&cfg);
	return np_config_parse_string(&cfg, F, text, strlen(text));
}

/* Parses text and returns the error text ("" if none). */
static const char *parse_err(const char *text)
{
	parse(text);
	return cfg.err;
}

static int args(char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return np_config_parse_args(&cfg, argc, argv);
}

static char out[4096];

static const char *print_cfg(void)
{
	FILE *f = fmemopen(out, sizeof(out), "w");

	np_config_print(&cfg, f);
	fclose(f);
	return out;
}

#define DEFAULTS_AFTER_NAME \
	"node-ip:\n" \
	"node-external-ip:\n" \
	"disable:\n" \
	"kubeconfig:\n" \
	"manifests-dir: /var/lib/nodeplane/manifests\n" \
	"data-dir: /var/lib/nodeplane\n" \
	"vxlan-vni: 1\n" \
	"vxlan-port: 8472\n" \
	"overlay-source-check: true\n"

TEST(defaults)
{
	env_set(NULL, NULL, "node-a");
	np_config_init(&cfg);
	CHECK_INT(np_config_finish(&cfg, &fake_env), 0);
	CHECK_STR(print_cfg(),
		  "cluster-cidr: 10.42.0.0/16\n"
		  "service-cidr: 10.43.0.0/16\n"
		  "flannel-backend: vxlan\n"
		  "flannel-ipv6-masq: false\n"
		  "flannel-external-ip: false\n"
		  "flannel-iface:\n"
		  "node-name: node-a\n"
		  DEFAULTS_AFTER_NAME);
}

TEST(empty_file_is_defaults)
{
	CHECK_INT(parse(""), 0);
	CHECK_STR(cfg.err, "");
	CHECK_INT(parse("# only a comment\n"), 0);
	CHECK_INT(parse("---\n"), 0);
	CHECK_INT(cfg.vxlan_port, 8472);
	CHECK_STR(cfg.cluster_cidr.v4.text, "10.42.0.0/16");
}

TEST(every_key_good)
{
	env_set(NULL, NULL, "ignored");
	CHECK_INT(parse("cluster-cidr: 10.1.0.0/16,2001:cafe:42::/56\n"
			"service-cidr:\n  - 10.2.0.0/16\n  - \"2001:cafe:43::0/112\"\n"
			"flannel-backend: host-gw\n"
			"flannel-ipv6-masq: true\n"
			"flannel-external-ip: true\n"
			"flannel-iface: eth1\n"
			"node-name: worker-1\n"
			"node-ip: 192.0.2.10, 2001:db8::10\n"
			"node-external-ip: [203.0.113.7]\n"
			"disable: [traefik, servicelb]\n"
			"kubeconfig: /etc/rancher/k3s/k3s.yaml\n"
			"manifests-dir: /srv/manifests\n"
			"data-dir: /srv/np\n"
			"vxlan-vni: 16777215\n"
			"vxlan-port: 4789\n"
			"overlay-source-check: false\n"), 0);
	CHECK_INT(np_config_finish(&cfg, &fake_env), 0);
	CHECK_STR(print_cfg(),
		  "cluster-cidr: 10.1.0.0/16,2001:cafe:42::/56\n"
		  "service-cidr: 10.2.0.0/16,2001:cafe:43::/112\n"
		  "flannel-backend: host-gw\n"
		  "flannel-ipv6-masq: true\n"
		  "flannel-external-ip: true\n"
		  "flannel-iface: eth1\n"
		  "node-name: worker-1\n"
		  "node-ip: 192.0.2.10,2001:db8::10\n"
		  "node-external-ip: 203.0.113.7\n"
		  "disable: traefik,servicelb\n"
		  "kubeconfig: /etc/rancher/k3s/k3s.yaml\n"
		  "manifests-dir: /srv/manifests\n"
		  "data-dir: /srv/np\n"
		  "vxlan-vni: 16777215\n"
		  "vxlan-port: 4789\n"
		  "overlay-source-check: false\n");
	CHECK_INT(cfg.backend, NP_BACKEND_HOST_GW);
	CHECK_INT(cfg.node_ip.has6, 1);
	CHECK_INT(cfg.service_cidr.v6.prefix, 112);
	CHECK_INT(parse("flannel-backend: wireguard-native\nvxlan-vni: 0\n"), 0);
	CHECK_INT(cfg.backend, NP_BACKEND_WIREGUARD_NATIVE);
	CHECK_INT(cfg.vxlan_vni, 0);
	CHECK_INT(parse("flannel-backend: none\nvxlan-port: 1\n"), 0);
	CHECK_INT(cfg.backend, NP_BACKEND_NONE);
	CHECK_INT(cfg.vxlan_port, 1);
	CHECK_INT(cfg.overlay_src_check, 1);	/* on by default */
	CHECK_INT(parse("overlay-source-check: true\n"), 0);
	CHECK_INT(cfg.overlay_src_check, 1);
}

TEST(every_key_bad)
{
	CHECK_STR(parse_err("\n\n\n\n\n\nflannel-backend: ipsec\n"),
		  F ":7: flannel-backend: expected one of vxlan, host-gw, wireguard-native, none, got \"ipsec\"\n");
	CHECK_STR(parse_err("cluster-cidr: 10.42.0.0\n"),
		  F ":1: cluster-cidr: expected an IPv4 or IPv6 CIDR (ADDRESS/PREFIX), got \"10.42.0.0\"\n");
	CHECK_STR(parse_err("a: 1\nservice-cidr: 10.43.0.0/33\n"),
		  F ":1: a: unknown key\n"
		  F ":2: service-cidr: expected an IPv4 or IPv6 CIDR (ADDRESS/PREFIX), got \"10.43.0.0/33\"\n");
	CHECK_STR(parse_err("service-cidr: fd00::/129\n"),
		  F ":1: service-cidr: expected an IPv4 or IPv6 CIDR (ADDRESS/PREFIX), got \"fd00::/129\"\n");
	CHECK_STR(parse_err("cluster-cidr: \"\"\n"),
		  F ":1: cluster-cidr: expected an IPv4 or IPv6 CIDR (ADDRESS/PREFIX), got \"\"\n");
	CHECK_STR(parse_err("flannel-ipv6-masq: maybe\n"),
		  F ":1: flannel-ipv6-masq: expected true or false, got \"maybe\"\n");
	CHECK_STR(parse_err("flannel-external-ip: 1\n"),
		  F ":1: flannel-external-ip: expected true or false, got \"1\"\n");
	CHECK_STR(parse_err("\noverlay-source-check: off\n"),
		  F ":2: overlay-source-check: expected true or false, got \"off\"\n");
	CHECK_STR(parse_err("overlay-source-check: [false]\n"),
		  F ":1: overlay-source-check: expected a single value, got a sequence\n");
	CHECK_STR(parse_err("overlay-source-check: false\noverlay-source-check: true\n"),
		  F ":2: overlay-source-check: duplicate key (first at line 1)\n");
	CHECK_STR(parse_err("flannel-iface: averyveryverylongname\n"),
		  F ":1: flannel-iface: expected an interface name of 1 to 15 characters, got \"averyveryverylongname\"\n");
	CHECK_STR(parse_err("flannel-iface: [eth0]\n"),
		  F ":1: flannel-iface: expected a single value, got a sequence\n");
	CHECK_STR(parse_err("node-name: {a: b}\n"),
		  F ":1: node-name: expected a single value, got a mapping\n");
	CHECK_STR(parse_err("node-ip: 10.0.0.1/24\n"),
		  F ":1: node-ip: expected an IPv4 or IPv6 address, got \"10.0.0.1/24\"\n");
	CHECK_STR(parse_err("node-external-ip:\n  - 1.2.3.4\n  - nope\n"),
		  F ":3: node-external-ip: expected an IPv4 or IPv6 address, got \"nope\"\n");
	CHECK_STR(parse_err("disable: traefik,,servicelb\n"),
		  F ":1: disable: expected a name of 1 to 63 characters, got \"\"\n");
	CHECK_STR(parse_err("disable:\n  - [x]\n"),
		  F ":2: disable: expected a single value in the sequence, got a sequence\n");
	CHECK_STR(parse_err("kubeconfig: \"\"\n"),
		  F ":1: kubeconfig: expected a path, got \"\"\n");
	CHECK_STR(parse_err("manifests-dir:\n"),
		  F ":1: manifests-dir: expected a path, got \"\"\n");
	CHECK_STR(parse_err("vxlan-vni: 16777216\n"),
		  F ":1: vxlan-vni: expected an integer from 0 to 16777215, got \"16777216\"\n");
	CHECK_STR(parse_err("vxlan-vni: -1\n"),
		  F ":1: vxlan-vni: expected an integer from 0 to 16777215, got \"-1\"\n");
	CHECK_STR(parse_err("vxlan-port: 0\n"),
		  F ":1: vxlan-port: expected an integer from 1 to 65535, got \"0\"\n");
	CHECK_STR(parse_err("vxlan-port: 65536\n"),
		  F ":1: vxlan-port: expected an integer from 1 to 65535, got \"65536\"\n");
	CHECK_STR(parse_err("vxlan-port: 80x\n"),
		  F ":1: vxlan-port: expected an integer from 1 to 65535, got \"80x\"\n");
	CHECK_STR(parse_err("vxlan-port: 1\nvxlan-port: 2\n"),
		  F ":2: vxlan-port: duplicate key (first at line 1)\n");
	CHECK_INT(cfg.nerr, 1);
	CHECK_INT(parse("vxlan-port: 0\n"), -1);
}

TEST(sequences_and_comma_strings)
{
	struct np_config a;

	CHECK_INT(parse("cluster-cidr: 10.1.0.0/16, fd00:1::/56\n"), 0);
	a = cfg;
	CHECK_INT(parse("cluster-cidr: [10.1.0.0/16, \"fd00:1::/56\"]\n"), 0);
	CHECK_STR(cfg.cluster_cidr.v4.text, a.cluster_cidr.v4.text);
	CHECK_STR(cfg.cluster_cidr.v6.text, "fd00:1::/56");
	CHECK_INT(parse("cluster-cidr:\n  - fd00:1::/56\n"), 0);
	CHECK_INT(cfg.cluster_cidr.has4, 0);	/* replaces the default */
	CHECK_INT(cfg.cluster_cidr.has6, 1);
	CHECK_INT(parse("disable: traefik\n"), 0);
	CHECK_INT(cfg.n_disable, 1);
	CHECK_INT(parse("disable:\n  - a,b\n  - c\n"), 0);
	CHECK_INT(cfg.n_disable, 3);
	CHECK_STR(cfg.disable[2], "c");
}

TEST(dual_stack_two_of_a_family)
{
	CHECK_STR(parse_err("cluster-cidr: 10.1.0.0/16,10.2.0.0/16\n"),
		  F ":1: cluster-cidr: expected at most one IPv4 and one IPv6 value, got \"10.1.0.0/16\" and \"10.2.0.0/16\"\n");
	CHECK_STR(parse_err("node-ip:\n  - fd00::1\n  - 10.0.0.1\n  - fd00::2\n"),
		  F ":4: node-ip: expected at most one IPv4 and one IPv6 value, got \"fd00::1\" and \"fd00::2\"\n");
	np_config_init(&cfg);
	CHECK_INT(args((char *[]){ "--service-cidr", "fd00::/112",
				   "--service-cidr=fd01::/112", NULL }), -1);
	CHECK_STR(cfg.err, "--service-cidr: expected at most one IPv4 and one IPv6 value, got \"fd00::/112\" and \"fd01::/112\"\n");
}

TEST(flags_override_file)
{
	CHECK_INT(parse("cluster-cidr: 10.1.0.0/16,fd00::/56\n"
			"flannel-backend: host-gw\n"
			"flannel-ipv6-masq: true\n"
			"disable: [traefik]\n"
			"vxlan-port: 4789\n"
			"overlay-source-check: false\n"), 0);
	CHECK_INT(cfg.overlay_src_check, 0);
	CHECK_INT(args((char *[]){ "--cluster-cidr=10.9.0.0/16",
				   "--flannel-backend", "vxlan",
				   "--flannel-ipv6-masq=false",
				   "--flannel-external-ip",
				   "--disable", "servicelb", "--disable=metrics-server",
				   "--vxlan-port", "8472", "--node-name=n1",
				   "--overlay-source-check", NULL }), 0);
	CHECK_STR(cfg.err, "");
	CHECK_STR(cfg.cluster_cidr.v4.text, "10.9.0.0/16");
	CHECK_INT(cfg.cluster_cidr.has6, 0);
	CHECK_INT(cfg.backend, NP_BACKEND_VXLAN);
	CHECK_INT(cfg.ipv6_masq, 0);
	CHECK_INT(cfg.external_ip, 1);
	CHECK_INT(cfg.n_disable, 2);
	CHECK_STR(cfg.disable[0], "servicelb");
	CHECK_STR(cfg.disable[1], "metrics-server");
	CHECK_INT(cfg.vxlan_port, 8472);
	CHECK_STR(cfg.node_name, "n1");
	CHECK_INT(cfg.overlay_src_check, 1);
	CHECK_INT(args((char *[]){ "--overlay-source-check=false", NULL }), 0);
	CHECK_INT(cfg.overlay_src_check, 0);
}

TEST(flag_errors)
{
	np_config_init(&cfg);
	CHECK_INT(args((char *[]){ "--flannel-backend=ipsec", "--bogus=1",
				   "stray", "--vxlan-vni", "x",
				   "--flannel-ipv6-masq=yes",
				   "--overlay-source-check=no", "--kubeconfig", NULL }), -1);
	CHECK_STR(cfg.err,
		  "--flannel-backend: expected one of vxlan, host-gw, wireguard-native, none, got \"ipsec\"\n"
		  "unknown option '--bogus'\n"
		  "unexpected argument 'stray'\n"
		  "--vxlan-vni: expected an integer from 0 to 16777215, got \"x\"\n"
		  "--flannel-ipv6-masq: expected true or false, got \"yes\"\n"
		  "--overlay-source-check: expected true or false, got \"no\"\n"
		  "--kubeconfig: expected a value\n");
	CHECK_INT(cfg.nerr, 7);
}

TEST(node_name_precedence)
{
	np_config_init(&cfg);
	env_set("from-k3s", "from-node", "from-host");
	CHECK_INT(np_config_finish(&cfg, &fake_env), 0);
	CHECK_STR(cfg.node_name, "from-k3s");

	np_config_init(&cfg);
	env_set("", "from-node", "from-host");
	CHECK_INT(np_config_finish(&cfg, &fake_env), 0);
	CHECK_STR(cfg.node_name, "from-node");

	np_config_init(&cfg);
	env_set(NULL, NULL, "from-host");
	CHECK_INT(np_config_finish(&cfg, &fake_env), 0);
	CHECK_STR(cfg.node_name, "from-host");

	CHECK_INT(parse("node-name: from-file\n"), 0);
	env_set("from-k3s", "from-node", "from-host");
	CHECK_INT(np_config_finish(&cfg, &fake_env), 0);
	CHECK_STR(cfg.node_name, "from-file");

	CHECK_INT(parse("node-name: from-file\n"), 0);
	CHECK_INT(args((char *[]){ "--node-name", "from-flag", NULL }), 0);
	CHECK_INT(np_config_finish(&cfg, &fake_env), 0);
	CHECK_STR(cfg.node_name, "from-flag");
}

TEST(localhost_refused)
{
	np_config_init(&cfg);
	env_set(NULL, NULL, "localhost");
	CHECK_INT(np_config_finish(&cfg, &fake_env), -1);
	CHECK_STR(cfg.err, "node name \"localhost\" (from the hostname) is refused: set a unique name with --node-name\n");

	np_config_init(&cfg);
	env_set("LOCALHOST", NULL, "h");
	CHECK_INT(np_config_finish(&cfg, &fake_env), -1);
	CHECK_CONTAINS(cfg.err, "(from K3S_NODE_NAME)");
	CHECK_CONTAINS(cfg.err, "--node-name");

	CHECK_INT(parse("node-name: \"\"\n"), 0);
	CHECK_INT(np_config_finish(&cfg, &fake_env), -1);
	CHECK_STR(cfg.err, "node name \"\" (from node-name) is refused: set a unique name with --node-name\n");

	np_config_init(&cfg);
	env_set(NULL, NULL, NULL);
	CHECK_INT(np_config_finish(&cfg, &fake_env), -1);
	CHECK_CONTAINS(cfg.err, "gethostname: ");
	CHECK_CONTAINS(cfg.err, "--node-name");
}

TEST(unknown_key)
{
	CHECK_STR(parse_err("flannel-backend: vxlan\n\nflannel-bakend: vxlan\n"),
		  F ":3: flannel-bakend: unknown key\n");
	CHECK_STR(parse_err("[a]: 1\n"),
		  F ":1: expected a key name, got a sequence\n");
}

TEST(malformed_yaml)
{
	CHECK_STR(parse_err("node-name: a\nkubeconfig: b: c\n"),
		  F ":2: invalid YAML: mapping values are not allowed in this context\n");
	CHECK_STR(parse_err("disable: [a,\nnode-name: x\n"),
		  F ":3: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1)\n");
	CHECK_STR(parse_err("- a\n- b\n"),
		  F ":1: expected a mapping of keys to values\n");
	CHECK_INT(parse("\"unterminated\n"), -1);
}

TEST(check_config_output)
{
	CHECK_INT(parse("cluster-cidr: 2001:cafe:42::/56,10.42.0.0/16\n"
			"flannel-iface: eth0\n"
			"node-ip: 2001:DB8:0:0::1\n"), 0);
	env_set(NULL, "n2", "h");
	CHECK_INT(np_config_finish(&cfg, &fake_env), 0);
	CHECK_STR(print_cfg(),
		  "cluster-cidr: 10.42.0.0/16,2001:cafe:42::/56\n"
		  "service-cidr: 10.43.0.0/16\n"
		  "flannel-backend: vxlan\n"
		  "flannel-ipv6-masq: false\n"
		  "flannel-external-ip: false\n"
		  "flannel-iface: eth0\n"
		  "node-name: n2\n"
		  "node-ip: 2001:db8::1\n"
		  "node-external-ip:\n"
		  "disable:\n"
		  "kubeconfig:\n"
		  "manifests-dir: /var/lib/nodeplane/manifests\n"
		  "data-dir: /var/lib/nodeplane\n"
		  "vxlan-vni: 1\n"
		  "vxlan-port: 8472\n"
		  "overlay-source-check: true\n");
}

TEST(parse_file)
{
	char path[] = "/tmp/np_test_config_XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fputs("vxlan-vni: 7\nvxlan-port: 99999\n", f);
	fclose(f);
	np_config_init(&cfg);
	CHECK_INT(np_config_parse_file(&cfg, path, false), -1);
	CHECK_INT(cfg.vxlan_vni, 7);
	{
		char want[256];

		snprintf(want, sizeof(want),
			 "%s:2: vxlan-port: expected an integer from 1 to 65535, got \"99999\"\n", path);
		unlink(path);
		CHECK_STR(cfg.err, want);
	}
	np_config_init(&cfg);
	CHECK_INT(np_config_parse_file(&cfg, path, true), 0);
	CHECK_INT(np_config_parse_file(&cfg, path, false), -1);
	CHECK_CONTAINS(cfg.err, ": No such file or directory");
}

int main(void)
{
	RUN(defaults);
	RUN(empty_file_is_defaults);
	RUN(every_key_good);
	RUN(every_key_bad);
	RUN(sequences_and_comma_strings);
	RUN(dual_stack_two_of_a_family);
	RUN(flags_override_file);
	RUN(flag_errors);
	RUN(node_name_precedence);
	RUN(localhost_refused);
	RUN(unknown_key);
	RUN(malformed_yaml);
	RUN(check_config_output);
	RUN(parse_file);
	return check_summary();
}
