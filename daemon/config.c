// SPDX-License-Identifier: GPL-2.0-only
/* nodeplaned configuration: see config.h and docs/config.md. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml.h>

#include "config.h"

enum kind { K_CIDR, K_IP, K_BACKEND, K_BOOL, K_IFACE, K_NAME, K_LIST,
	    K_PATH, K_VNI, K_PORT };

struct key {
	const char *name;
	enum kind kind;
	size_t off;
};

#define OFF(f) offsetof(struct np_config, f)
static const struct key keys[] = {
	{ "cluster-cidr", K_CIDR, OFF(cluster_cidr) },
	{ "service-cidr", K_CIDR, OFF(service_cidr) },
	{ "flannel-backend", K_BACKEND, OFF(backend) },
	{ "flannel-ipv6-masq", K_BOOL, OFF(ipv6_masq) },
	{ "flannel-external-ip", K_BOOL, OFF(external_ip) },
	{ "flannel-iface", K_IFACE, OFF(iface) },
	{ "node-name", K_NAME, OFF(node_name) },
	{ "node-ip", K_IP, OFF(node_ip) },
	{ "node-external-ip", K_IP, OFF(node_external_ip) },
	{ "disable", K_LIST, OFF(disable) },
	{ "kubeconfig", K_PATH, OFF(kubeconfig) },
	{ "manifests-dir", K_PATH, OFF(manifests_dir) },
	{ "data-dir", K_PATH, OFF(data_dir) },
	{ "vxlan-vni", K_VNI, OFF(vxlan_vni) },
	{ "vxlan-port", K_PORT, OFF(vxlan_port) },
	{ "overlay-source-check", K_BOOL, OFF(overlay_src_check) },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const backends[] = {
	[NP_BACKEND_VXLAN] = "vxlan",
	[NP_BACKEND_HOST_GW] = "host-gw",
	[NP_BACKEND_WIREGUARD_NATIVE] = "wireguard-native",
	[NP_BACKEND_NONE] = "none",
};

/* Where a value came from: file:line, or a flag when file is NULL. */
struct loc {
	const char *file;
	unsigned long line;
	const char *key;
};

const char *np_backend_name(enum np_backend b)
{
	return (unsigned)b < 4 ? backends[b] : "?";
}

static void addr_default(struct np_cfg_addrs *a, const char *text, int prefix)
{
	memset(a, 0, sizeof(*a));
	a->has4 = true;
	a->v4.family = AF_INET;
	inet_pton(AF_INET, text, a->v4.addr);
	a->v4.prefix = prefix;
	snprintf(a->v4.text, sizeof(a->v4.text), "%s/%d", text, prefix);
}

void np_config_init(struct np_config *c)
{
	memset(c, 0, sizeof(*c));
	addr_default(&c->cluster_cidr, "10.42.0.0", 16);
	addr_default(&c->service_cidr, "10.43.0.0", 16);
	c->backend = NP_BACKEND_VXLAN;
	snprintf(c->data_dir, sizeof(c->data_dir), "/var/lib/nodeplane");
	c->vxlan_vni = 1;
	c->vxlan_port = 8472;
	c->overlay_src_check = true;
}

static void verr(struct np_config *c, const struct loc *l, const char *fmt,
		 va_list ap)
{
	size_t n = strlen(c->err), room = sizeof(c->err) - n;
	int k;

	c->nerr++;
	if (room < 2)
		return;
	if (l && l->file && l->key)
		k = snprintf(c->err + n, room, "%s:%lu: %s: ", l->file,
			     l->line, l->key);
	else if (l && l->file)
		k = snprintf(c->err + n, room, "%s:%lu: ", l->file, l->line);
	else if (l && l->key)
		k = snprintf(c->err + n, room, "--%s: ", l->key);
	else
		k = 0;
	if (k < 0 || (size_t)k >= room)
		goto nl;
	n += (size_t)k;
	room -= (size_t)k;
	k = vsnprintf(c->err + n, room, fmt, ap);
	if (k < 0 || (size_t)k >= room)
		goto nl;
	n += (size_t)k;
	c->err[n++] = '\n';
	c->err[n] = '\0';
	return;
nl:
	c->err[sizeof(c->err) - 2] = '\n';
	c->err[sizeof(c->err) - 1] = '\0';
}

static __attribute__((format(printf, 3, 4)))
int err(struct np_config *c, const struct loc *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(c, l, fmt, ap);
	va_end(ap);
	return -1;
}

/* ADDR or ADDR/PREFIX into a; want_prefix selects which one is expected. */
static int parse_addr(const char *s, bool want_prefix, struct np_cfg_addr *a)
{
	char buf[64], canon[INET6_ADDRSTRLEN], *slash, *end;
	long p = -1;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if ((slash != NULL) != want_prefix)
		return -1;
	if (slash) {
		*slash = '\0';
		if (!slash[1] || slash[1] == '+' || slash[1] == '-')
			return -1;
		errno = 0;
		p = strtol(slash + 1, &end, 10);
		if (*end || errno)
			return -1;
	}
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, a->addr) == 1)
		a->family = AF_INET6;
	else
		return -1;
	if (slash && p > (a->family == AF_INET ? 32 : 128))
		return -1;
	a->prefix = (int)p;
	inet_ntop(a->family, a->addr, canon, sizeof(canon));
	if (slash)
		snprintf(a->text, sizeof(a->text), "%s/%d", canon, a->prefix & 0xff);
	else
		snprintf(a->text, sizeof(a->text), "%s", canon);
	return 0;
}

static int add_addr(struct np_config *c, const struct loc *l, bool cidr,
		    struct np_cfg_addrs *as, const char *s)
{
	struct np_cfg_addr a;
	bool *has;

	if (parse_addr(s, cidr, &a) < 0)
		return err(c, l, cidr ?
			   "expected an IPv4 or IPv6 CIDR (ADDRESS/PREFIX), got \"%s\"" :
			   "expected an IPv4 or IPv6 address, got \"%s\"", s);
	has = a.family == AF_INET ? &as->has4 : &as->has6;
	if (*has)
		return err(c, l, "expected at most one IPv4 and one IPv6 value, got \"%s\" and \"%s\"",
			   (a.family == AF_INET ? &as->v4 : &as->v6)->text,
			   a.text);
	*has = true;
	*(a.family == AF_INET ? &as->v4 : &as->v6) = a;
	return 0;
}

static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return *end || errno || *v < min || *v > max ? -1 : 0;
}

/* Clears a key's value before the first item of a new assignment. */
static void reset(struct np_config *c, const struct key *k)
{
	void *p = (char *)c + k->off;

	if (k->kind == K_CIDR || k->kind == K_IP)
		memset(p, 0, sizeof(struct np_cfg_addrs));
	else if (k->kind == K_LIST)
		c->n_disable = 0;
}

/* One scalar item of key k (a list key's comma string is split here). */
static int set_item(struct np_config *c, const struct key *k,
		    const struct loc *l, const char *s)
{
	void *p = (char *)c + k->off;
	unsigned long v;
	size_t i;

	switch (k->kind) {
	case K_CIDR:
	case K_IP:
	case K_LIST: {
		char *dup = strdup(s), *rest = dup, *tok;
		int rc = 0;

		if (!dup)
			return err(c, l, "out of memory");
		if (!*s)
			rc = err(c, l, k->kind == K_LIST ?
				 "expected a list of names, got \"\"" :
				 k->kind == K_CIDR ?
				 "expected an IPv4 or IPv6 CIDR (ADDRESS/PREFIX), got \"\"" :
				 "expected an IPv4 or IPv6 address, got \"\"");
		while (*s && !rc && (tok = strsep(&rest, ",")) != NULL) {
			while (*tok == ' ')
				tok++;
			for (i = strlen(tok); i && tok[i - 1] == ' '; i--)
				tok[i - 1] = '\0';
			if (k->kind != K_LIST) {
				rc = add_addr(c, l, k->kind == K_CIDR, p, tok);
			} else if (!*tok || strlen(tok) >= sizeof(c->disable[0])) {
				rc = err(c, l, "expected a name of 1 to %zu characters, got \"%s\"",
					 sizeof(c->disable[0]) - 1, tok);
			} else if (c->n_disable == NP_CONFIG_MAX_DISABLE) {
				rc = err(c, l, "expected at most %d names",
					 NP_CONFIG_MAX_DISABLE);
			} else {
				strcpy(c->disable[c->n_disable++], tok);
			}
		}
		free(dup);
		return rc;
	}
	case K_BACKEND:
		for (i = 0; i < 4; i++)
			if (!strcmp(s, backends[i])) {
				c->backend = (enum np_backend)i;
				return 0;
			}
		return err(c, l, "expected one of vxlan, host-gw, wireguard-native, none, got \"%s\"", s);
	case K_BOOL:
		if (!strcmp(s, "true"))
			*(bool *)p = true;
		else if (!strcmp(s, "false"))
			*(bool *)p = false;
		else
			return err(c, l, "expected true or false, got \"%s\"", s);
		return 0;
	case K_IFACE:
		if (!*s || strlen(s) >= sizeof(c->iface) || strchr(s, '/') ||
		    strchr(s, ' ') || !strcmp(s, ".") || !strcmp(s, ".."))
			return err(c, l, "expected an interface name of 1 to 15 characters, got \"%s\"", s);
		strcpy(c->iface, s);
		return 0;
	case K_NAME:
		if (strlen(s) >= sizeof(c->node_name))
			return err(c, l, "expected a name of at most %zu characters, got \"%s\"",
				   sizeof(c->node_name) - 1, s);
		strcpy(c->node_name, s);
		c->node_name_set = true;
		return 0;
	case K_PATH:
		if (!*s || strlen(s) >= NP_CONFIG_PATH_LEN)
			return err(c, l, "expected a path, got \"%s\"", s);
		strcpy(p, s);
		return 0;
	case K_VNI:
		if (parse_uint(s, 0, 16777215, &v) < 0)
			return err(c, l, "expected an integer from 0 to 16777215, got \"%s\"", s);
		c->vxlan_vni = (uint32_t)v;
		return 0;
	case K_PORT:
		if (parse_uint(s, 1, 65535, &v) < 0)
			return err(c, l, "expected an integer from 1 to 65535, got \"%s\"", s);
		c->vxlan_port = (uint16_t)v;
		return 0;
	}
	return -1;
}

static const struct key *find_key(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == len && !strncmp(keys[i].name, name, len))
			return &keys[i];
	return NULL;
}

static bool is_multi(const struct key *k)
{
	return k->kind == K_CIDR || k->kind == K_IP || k->kind == K_LIST;
}

static unsigned long line_of(const yaml_node_t *n)
{
	return (unsigned long)n->start_mark.line + 1;
}

static int parse_value(struct np_config *c, yaml_document_t *doc,
		       const struct key *k, const char *file, yaml_node_t *v)
{
	struct loc l = { file, line_of(v), k->name };
	yaml_node_item_t *it;
	int rc = 0;

	reset(c, k);
	if (v->type == YAML_SCALAR_NODE)
		return set_item(c, k, &l, (const char *)v->data.scalar.value);
	if (v->type != YAML_SEQUENCE_NODE || !is_multi(k))
		return err(c, &l, "expected a single value, got a %s",
			   v->type == YAML_SEQUENCE_NODE ? "sequence" : "mapping");
	for (it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(doc, *it);

		l.line = line_of(e);
		if (e->type != YAML_SCALAR_NODE)
			rc |= err(c, &l, "expected a single value in the sequence, got a %s",
				  e->type == YAML_SEQUENCE_NODE ? "sequence" : "mapping");
		else
			rc |= set_item(c, k, &l, (const char *)e->data.scalar.value);
	}
	return rc;
}

int np_config_parse_string(struct np_config *c, const char *name,
			   const char *text, size_t len)
{
	unsigned long seen[NKEYS] = { 0 };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	yaml_node_pair_t *pr;
	int rc = 0;

	if (!yaml_parser_initialize(&parser))
		return err(c, NULL, "%s: out of memory", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		struct loc l = { name, parser.problem_mark.line + 1, NULL };

		if (parser.context)
			err(c, &l, "invalid YAML: %s (%s at line %lu)",
			    parser.problem ? parser.problem : "error",
			    parser.context,
			    (unsigned long)parser.context_mark.line + 1);
		else
			err(c, &l, "invalid YAML: %s",
			    parser.problem ? parser.problem : "error");
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root || (root->type == YAML_SCALAR_NODE &&
		      !root->data.scalar.length))
		goto out;	/* empty: defaults */
	if (root->type != YAML_MAPPING_NODE) {
		struct loc l = { name, line_of(root), NULL };

		rc = err(c, &l, "expected a mapping of keys to values");
		goto out;
	}
	for (pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *kn = yaml_document_get_node(&doc, pr->key);
		yaml_node_t *vn = yaml_document_get_node(&doc, pr->value);
		struct loc l = { name, line_of(kn), NULL };
		const struct key *k;

		if (kn->type != YAML_SCALAR_NODE) {
			rc = err(c, &l, "expected a key name, got a %s",
				 kn->type == YAML_SEQUENCE_NODE ? "sequence" : "mapping");
			continue;
		}
		l.key = (const char *)kn->data.scalar.value;
		k = find_key(l.key, kn->data.scalar.length);
		if (!k) {
			rc = err(c, &l, "unknown key");
			continue;
		}
		if (seen[k - keys]) {
			rc = err(c, &l, "duplicate key (first at line %lu)",
				 seen[k - keys]);
			continue;
		}
		seen[k - keys] = l.line;
		if (parse_value(c, &doc, k, name, vn) < 0)
			rc = -1;
	}
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

int np_config_parse_file(struct np_config *c, const char *path, bool optional)
{
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	FILE *f = fopen(path, "re");
	int rc;

	if (!f) {
		if (optional && errno == ENOENT)
			return 0;
		return err(c, NULL, "%s: %s", path, strerror(errno));
	}
	for (;;) {
		if (cap - len < 4096) {
			char *t = realloc(text, cap += 65536);

			if (!t) {
				free(text);
				fclose(f);
				return err(c, NULL, "%s: out of memory", path);
			}
			text = t;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		rc = err(c, NULL, "%s: read error", path);
	} else {
		rc = np_config_parse_string(c, path, text, len);
	}
	free(text);
	fclose(f);
	return rc;
}

int np_config_parse_args(struct np_config *c, int argc, char **argv)
{
	int i, rc = 0;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *eq, *val;
		const struct key *k;
		struct loc l = { NULL, 0, NULL };
		size_t klen;

		if (strncmp(a, "--", 2) || !a[2]) {
			rc = err(c, NULL, "unexpected argument '%s'", a);
			continue;
		}
		eq = strchr(a + 2, '=');
		klen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		k = find_key(a + 2, klen);
		if (!k) {
			rc = err(c, NULL, "unknown option '%.*s'", (int)klen + 2, a);
			continue;
		}
		l.key = k->name;
		if (eq) {
			val = eq + 1;
		} else if (k->kind == K_BOOL) {
			val = "true";
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			rc = err(c, &l, "expected a value");
			continue;
		}
		/* The first flag replaces the file's value; repeats append. */
		if (!is_multi(k) || !(c->flag_seen & (1u << (k - keys))))
			reset(c, k);
		c->flag_seen |= 1u << (k - keys);
		if (set_item(c, k, &l, val) < 0)
			rc = -1;
	}
	return rc;
}

static int real_gethostname(char *name, size_t len)
{
	return gethostname(name, len);
}

int np_config_finish(struct np_config *c, const struct np_config_env *env)
{
	static const char *const vars[] = { "K3S_NODE_NAME", "NODE_NAME" };
	char *(*get)(const char *) = env ? env->getenv : getenv;
	int (*host)(char *, size_t) = env ? env->gethostname : real_gethostname;
	const char *from = "node-name";
	char buf[NP_CONFIG_NAME_LEN];
	size_t i;

	if (!c->manifests_dir[0] &&
	    (size_t)snprintf(c->manifests_dir, sizeof(c->manifests_dir),
			     "%s/manifests", c->data_dir) >= sizeof(c->manifests_dir))
		return err(c, NULL, "data-dir: too long for manifests-dir below it");
	if (!c->node_name_set) {
		for (i = 0; i < 2; i++) {
			const char *v = get(vars[i]);

			if (v && *v) {
				from = vars[i];
				snprintf(buf, sizeof(buf), "%s", v);
				break;
			}
		}
		if (i == 2) {
			from = "the hostname";
			if (host(buf, sizeof(buf)) < 0)
				return err(c, NULL, "gethostname: %s; set --node-name",
					   strerror(errno));
			buf[sizeof(buf) - 1] = '\0';
		}
		strcpy(c->node_name, buf);
	}
	if (!c->node_name[0] || !strcasecmp(c->node_name, "localhost"))
		return err(c, NULL, "node name \"%s\" (from %s) is refused: set a unique name with --node-name",
			   c->node_name, from);
	return c->nerr ? -1 : 0;
}

/* "key: value", or "key:" for an empty value. */
static void kv(FILE *f, const char *key, const char *val)
{
	fprintf(f, "%s:%s%s\n", key, *val ? " " : "", val);
}

static void kv_addrs(FILE *f, const char *key, const struct np_cfg_addrs *a)
{
	char buf[160];

	snprintf(buf, sizeof(buf), "%s%s%s", a->has4 ? a->v4.text : "",
		 a->has4 && a->has6 ? "," : "", a->has6 ? a->v6.text : "");
	kv(f, key, buf);
}

void np_config_print(const struct np_config *c, FILE *f)
{
	char buf[NP_CONFIG_MAX_DISABLE * 64 + 16];
	size_t i, n = 0;

	kv_addrs(f, "cluster-cidr", &c->cluster_cidr);
	kv_addrs(f, "service-cidr", &c->service_cidr);
	kv(f, "flannel-backend", np_backend_name(c->backend));
	kv(f, "flannel-ipv6-masq", c->ipv6_masq ? "true" : "false");
	kv(f, "flannel-external-ip", c->external_ip ? "true" : "false");
	kv(f, "flannel-iface", c->iface);
	kv(f, "node-name", c->node_name);
	kv_addrs(f, "node-ip", &c->node_ip);
	kv_addrs(f, "node-external-ip", &c->node_external_ip);
	buf[0] = '\0';
	for (i = 0; i < c->n_disable; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      i ? "," : "", c->disable[i]);
	kv(f, "disable", buf);
	kv(f, "kubeconfig", c->kubeconfig);
	kv(f, "manifests-dir", c->manifests_dir);
	kv(f, "data-dir", c->data_dir);
	fprintf(f, "vxlan-vni: %" PRIu32 "\n", c->vxlan_vni);
	fprintf(f, "vxlan-port: %u\n", (unsigned)c->vxlan_port);
	kv(f, "overlay-source-check", c->overlay_src_check ? "true" : "false");
}

bool np_config_disabled(const struct np_config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_disable; i++)
		if (!strcmp(c->disable[i], name))
			return true;
	return false;
}
