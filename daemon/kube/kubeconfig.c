// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kubeconfig loading: current-context -> context -> cluster + user, the
 * way kubectl resolves them, for the subset nodeplaned supports (CA,
 * client certificate and key, bearer token; inline data or files), or the
 * in-cluster service account. Anything that would weaken TLS
 * (insecure-skip-tls-verify, plain http) and credential plugins (exec,
 * auth-provider) are refused with an error naming file, key and reason:
 *
 *   k3s.yaml: users[0].user.client-key-data: not valid base64
 *   k3s.yaml: current-context "x": no such context
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/kube.h"
#include "yamljson.h"

#define NP_SA_DIR	"/var/run/secrets/kubernetes.io/serviceaccount"
#define KC_FILE_MAX	(4U << 20)	/* kubeconfig */
#define KC_PART_MAX	(1U << 20)	/* a certificate, key or token */

struct kc_ctx {
	const char *path;	/* the kubeconfig, as named in errors */
	char *dir;		/* its directory, for relative file names */
	char *err;
	size_t errlen;
};

static int kc_fail(struct kc_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int kc_fail(struct kc_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, c->errlen, "%s: ", c->path);
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Reads a whole file (at most max bytes) into a NUL-terminated buffer.
 * 0, or -errno (-EFBIG when too large).
 */
static int read_file(const char *file, size_t max, char **out, size_t *lenp)
{
	size_t len = 0, cap = 4096;
	char *buf, *nb;
	ssize_t r;
	int fd, e;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (len + 1 >= cap) {
			if (cap > max) {
				e = -EFBIG;
				goto err;
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				e = -ENOMEM;
				goto err;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = -errno;
			goto err;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > max) {
		e = -EFBIG;
		goto err;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	if (lenp)
		*lenp = len;
	return 0;
err:
	close(fd);
	free(buf);
	return e;
}

static const char *errtext(int e)
{
	return e == -EFBIG ? "file too large" : strerror(-e);
}

/*
 * Strict base64 (RFC 4648 standard alphabet, padded). Line breaks are
 * skipped, as Go's decoder does; any other character outside the alphabet,
 * misplaced padding or a truncated group is an error. Returns a malloc'd
 * NUL-terminated buffer, or NULL (errno EINVAL or ENOMEM).
 */
static char *b64_decode(const char *in, size_t *outlen)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(in), o = 0, q = 0, pad = 0;
	unsigned char quad[4];
	bool done = false;
	char *out = malloc(n / 4 * 3 + 4);

	if (!out) {
		errno = ENOMEM;
		return NULL;
	}
	for (; *in; in++) {
		const char *p;

		if (*in == '\n' || *in == '\r')
			continue;
		if (done)		/* data after the padded last group */
			goto bad;
		if (*in == '=') {
			/* Only in the last two places of a group. */
			if (q < 2)
				goto bad;
			quad[q++] = 0;
			pad++;
		} else {
			p = memchr(alphabet, *in, 64);
			if (pad || !p)
				goto bad;
			quad[q++] = (unsigned char)(p - alphabet);
		}
		if (q == 4) {
			out[o++] = (char)(quad[0] << 2 | quad[1] >> 4);
			out[o++] = (char)((quad[1] & 0xf) << 4 | quad[2] >> 2);
			out[o++] = (char)((quad[2] & 0x3) << 6 | quad[3]);
			o -= pad;
			q = 0;
			done = pad > 0;
		}
	}
	if (q || o == 0)
		goto bad;
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return out;
bad:
	free(out);
	errno = EINVAL;
	return NULL;
}

/* Whether buf holds a PEM block (and no NUL before its end). */
static bool is_pem(const char *buf, size_t len)
{
	return strlen(buf) == len && strstr(buf, "-----BEGIN ") &&
	       strstr(buf, "-----END ");
}

/* The absolute form of a file name from the kubeconfig. */
static char *kc_file_path(struct kc_ctx *c, const char *name)
{
	char *p;

	if (name[0] == '/' || !c->dir)
		return strdup(name);
	if (asprintf(&p, "%s/%s", c->dir, name) < 0)
		return NULL;
	return p;
}

/* A string-valued key of obj, or NULL when absent or null. -1 if it is
 * something else than a string. */
static int kc_str(struct kc_ctx *c, const cJSON *obj, const char *key,
		  const char *where, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return kc_fail(c, "%s.%s: expected a string", where, key);
	*out = v->valuestring;
	return 0;
}

/*
 * Loads one PEM item: "<key>-data" (base64) or "<key>" (a file). *out is
 * left NULL when neither is given.
 */
static int kc_pem(struct kc_ctx *c, const cJSON *obj, const char *where,
		  const char *key, char **out)
{
	char dkey[64], *file, *buf;
	const char *data, *name;
	size_t len;
	int r;

	*out = NULL;
	snprintf(dkey, sizeof(dkey), "%s-data", key);
	if (kc_str(c, obj, dkey, where, &data) ||
	    kc_str(c, obj, key, where, &name))
		return -1;
	if (data && *data) {
		buf = b64_decode(data, &len);
		if (!buf && errno == ENOMEM)
			return kc_fail(c, "%s.%s: out of memory", where, dkey);
		if (!buf)
			return kc_fail(c, "%s.%s: not valid base64", where,
				       dkey);
		if (!is_pem(buf, len)) {
			free(buf);
			return kc_fail(c, "%s.%s: not a PEM block", where,
				       dkey);
		}
		*out = buf;
		return 0;
	}
	if (!name || !*name)
		return 0;
	file = kc_file_path(c, name);
	if (!file)
		return kc_fail(c, "%s.%s: out of memory", where, key);
	r = read_file(file, KC_PART_MAX, &buf, &len);
	if (r) {
		kc_fail(c, "%s.%s: %s: %s", where, key, file, errtext(r));
		free(file);
		return -1;
	}
	if (!is_pem(buf, len)) {
		kc_fail(c, "%s.%s: %s: not a PEM block", where, key, file);
		free(file);
		free(buf);
		return -1;
	}
	free(file);
	*out = buf;
	return 0;
}

/*
 * A token goes into an HTTP header: trailing line breaks and blanks (from a
 * file) are dropped; anything but visible ASCII is refused.
 */
static bool token_clean(char *t)
{
	size_t n = strlen(t);

	while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' ||
		     t[n - 1] == ' ' || t[n - 1] == '\t'))
		t[--n] = '\0';
	if (!n)
		return false;
	for (; *t; t++)
		if (*t < 0x21 || *t > 0x7e)
			return false;
	return true;
}

static int kc_token_file(struct kc_ctx *c, const char *where, const char *key,
			 const char *name, char **out)
{
	char *file, *buf;
	int r;

	file = kc_file_path(c, name);
	if (!file)
		return kc_fail(c, "%s.%s: out of memory", where, key);
	r = read_file(file, KC_PART_MAX, &buf, NULL);
	if (r) {
		kc_fail(c, "%s.%s: %s: %s", where, key, file, errtext(r));
		free(file);
		return -1;
	}
	if (!token_clean(buf)) {
		kc_fail(c, "%s.%s: %s: %s", where, key, file,
			*buf ? "token holds characters not allowed in an "
			       "HTTP header" : "empty");
		free(file);
		free(buf);
		return -1;
	}
	free(file);
	*out = buf;
	return 0;
}

/* Finds the entry of list (clusters, contexts, users) called name, and
 * the key holding its body (cluster, context, user). */
static int kc_find(struct kc_ctx *c, const cJSON *root, const char *list,
		   const char *body, const char *name, const cJSON **out,
		   int *index)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, list);
	const cJSON *e;
	int i = 0;

	*out = NULL;
	if (arr && !cJSON_IsNull(arr) && !cJSON_IsArray(arr))
		return kc_fail(c, "%s: expected a list", list);
	cJSON_ArrayForEach(e, arr) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
		const cJSON *b;

		if (!cJSON_IsObject(e))
			return kc_fail(c, "%s[%d]: expected a mapping", list,
				       i);
		if (!cJSON_IsString(n))
			return kc_fail(c, "%s[%d].name: expected a string",
				       list, i);
		if (!strcmp(n->valuestring, name)) {
			b = cJSON_GetObjectItemCaseSensitive(e, body);
			if (!cJSON_IsObject(b))
				return kc_fail(c, "%s[%d].%s: %s", list, i,
					       body, b && !cJSON_IsNull(b) ?
					       "expected a mapping" :
					       "missing");
			*out = b;
			*index = i;
			return 0;
		}
		i++;
	}
	return 0;
}

/* Only https (we never talk to the API in clear); no trailing '/'. */
static int kc_server(struct kc_ctx *c, const char *where, const char *server,
		     char **out)
{
	size_t n;

	if (!server || !*server)
		return kc_fail(c, "%s.server: missing", where);
	if (strncmp(server, "https://", 8) || !server[8])
		return kc_fail(c, "%s.server: \"%s\": not an https:// URL",
			       where, server);
	for (n = 0; server[n]; n++)
		if ((unsigned char)server[n] <= 0x20 || server[n] == 0x7f)
			return kc_fail(c, "%s.server: \"%s\": not a URL",
				       where, server);
	while (n > 8 && server[n - 1] == '/')
		n--;
	*out = strndup(server, n);
	if (!*out)
		return kc_fail(c, "%s.server: out of memory", where);
	return 0;
}

static int kc_cluster(struct kc_ctx *c, const cJSON *cl, int idx,
		      struct np_kubeconfig *kc)
{
	const cJSON *insecure;
	const char *server, *sni;
	char where[64];

	snprintf(where, sizeof(where), "clusters[%d].cluster", idx);
	insecure = cJSON_GetObjectItemCaseSensitive(cl, "insecure-skip-tls-verify");
	if (insecure && !cJSON_IsNull(insecure) && !cJSON_IsFalse(insecure)) {
		if (!cJSON_IsTrue(insecure))
			return kc_fail(c, "%s.insecure-skip-tls-verify: "
				       "expected true or false", where);
		return kc_fail(c, "%s.insecure-skip-tls-verify: refused: "
			       "nodeplaned always verifies the API server's "
			       "certificate", where);
	}
	if (kc_str(c, cl, "server", where, &server) ||
	    kc_server(c, where, server, &kc->server))
		return -1;
	if (kc_str(c, cl, "tls-server-name", where, &sni))
		return -1;
	if (sni && *sni) {
		if (strpbrk(sni, "/:@[] \t\r\n"))
			return kc_fail(c, "%s.tls-server-name: \"%s\": not a "
				       "host name", where, sni);
		kc->tls_server_name = strdup(sni);
		if (!kc->tls_server_name)
			return kc_fail(c, "%s: out of memory", where);
	}
	if (kc_pem(c, cl, where, "certificate-authority", &kc->ca_pem))
		return -1;
	if (!kc->ca_pem)
		return kc_fail(c, "%s: neither certificate-authority-data nor "
			       "certificate-authority is set", where);
	return 0;
}

static int kc_user(struct kc_ctx *c, const cJSON *u, int idx,
		   struct np_kubeconfig *kc)
{
	static const char *const unsupported[] = {
		"exec", "auth-provider", "username", "password",
	};
	const char *token, *token_file;
	char where[64];
	size_t i;

	snprintf(where, sizeof(where), "users[%d].user", idx);
	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(
			u, unsupported[i]);

		if (v && !cJSON_IsNull(v))
			return kc_fail(c, "%s.%s: not supported (use a client "
				       "certificate or a token)", where,
				       unsupported[i]);
	}
	if (kc_pem(c, u, where, "client-certificate", &kc->cert_pem) ||
	    kc_pem(c, u, where, "client-key", &kc->key_pem))
		return -1;
	if (kc->cert_pem && !kc->key_pem)
		return kc_fail(c, "%s: a client certificate without "
			       "client-key-data or client-key", where);
	if (kc->key_pem && !kc->cert_pem)
		return kc_fail(c, "%s: a client key without "
			       "client-certificate-data or client-certificate",
			       where);
	if (kc_str(c, u, "token", where, &token) ||
	    kc_str(c, u, "tokenFile", where, &token_file))
		return -1;
	if (token && *token) {
		kc->token = strdup(token);
		if (!kc->token)
			return kc_fail(c, "%s.token: out of memory", where);
		if (!token_clean(kc->token))
			return kc_fail(c, "%s.token: holds characters not "
				       "allowed in an HTTP header", where);
	} else if (token_file && *token_file) {
		if (kc_token_file(c, where, "tokenFile", token_file,
				  &kc->token))
			return -1;
	}
	return 0;
}

static int kc_resolve(struct kc_ctx *c, const cJSON *root,
		      struct np_kubeconfig *kc)
{
	const cJSON *ctx, *cl, *u;
	const char *cur, *cname, *uname;
	char where[64];
	int ci, i;

	if (!cJSON_IsObject(root))
		return kc_fail(c, "not a kubeconfig (expected a mapping)");
	if (kc_str(c, root, "current-context", "", &cur))
		return -1;
	if (!cur || !*cur)
		return kc_fail(c, "current-context: not set");
	if (kc_find(c, root, "contexts", "context", cur, &ctx, &ci))
		return -1;
	if (!ctx)
		return kc_fail(c, "current-context \"%s\": no such context",
			       cur);
	snprintf(where, sizeof(where), "contexts[%d].context", ci);
	if (kc_str(c, ctx, "cluster", where, &cname) ||
	    kc_str(c, ctx, "user", where, &uname))
		return -1;
	if (!cname || !*cname)
		return kc_fail(c, "%s.cluster: missing", where);
	if (kc_find(c, root, "clusters", "cluster", cname, &cl, &i))
		return -1;
	if (!cl)
		return kc_fail(c, "%s.cluster \"%s\": no such cluster", where,
			       cname);
	if (kc_cluster(c, cl, i, kc))
		return -1;
	if (!uname || !*uname)
		return 0;	/* anonymous, as kubectl allows */
	if (kc_find(c, root, "users", "user", uname, &u, &i))
		return -1;
	if (!u)
		return kc_fail(c, "%s.user \"%s\": no such user", where,
			       uname);
	return kc_user(c, u, i, kc);
}

static int kc_load_file(struct kc_ctx *c, struct np_kubeconfig *kc)
{
	struct np_yaml_doc *docs = NULL;
	char *text, *slash;
	size_t len, n = 0;
	int r;

	r = read_file(c->path, KC_FILE_MAX, &text, &len);
	if (r)
		return kc_fail(c, "%s", errtext(r));
	slash = strrchr(c->path, '/');
	c->dir = slash ? strndup(c->path, (size_t)(slash - c->path)) : NULL;
	if (slash && slash == c->path) {
		free(c->dir);
		c->dir = strdup("");	/* "/k.yaml": files are "/x" */
	}
	if (slash && !c->dir) {
		free(text);
		return kc_fail(c, "out of memory");
	}
	if (np_yaml_parse(c->path, text, len, &docs, &n, c->err,
			  c->errlen)) {
		free(text);
		return -1;
	}
	free(text);
	if (n == 0 || !docs[0].root)
		r = kc_fail(c, "empty");
	else if (n > 1)
		r = kc_fail(c, "%zu YAML documents, expected one", n);
	else
		r = kc_resolve(c, docs[0].root, kc);
	np_yaml_docs_free(docs, n);
	return r;
}

/* In-cluster: the pod's service account and the service's env. */
static int kc_load_incluster(struct kc_ctx *c, struct np_kubeconfig *kc)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = getenv("NP_SERVICEACCOUNT_DIR");
	char *end, file[4096];
	size_t len;
	long p;
	int r;

	if (!dir || !*dir)
		dir = NP_SA_DIR;
	if (!host || !*host || !port || !*port)
		return kc_fail(c, "KUBERNETES_SERVICE_HOST and "
			       "KUBERNETES_SERVICE_PORT are not set (not in a "
			       "pod? give a kubeconfig)");
	if (strpbrk(host, "/@[] \t\r\n?#"))
		return kc_fail(c, "KUBERNETES_SERVICE_HOST: \"%s\": not a "
			       "host", host);
	errno = 0;
	p = strtol(port, &end, 10);
	if (errno || *end || p < 1 || p > 65535)
		return kc_fail(c, "KUBERNETES_SERVICE_PORT: \"%s\": not a "
			       "port", port);
	if (asprintf(&kc->server, strchr(host, ':') ? "https://[%s]:%ld" :
		     "https://%s:%ld", host, p) < 0) {
		kc->server = NULL;
		return kc_fail(c, "out of memory");
	}
	snprintf(file, sizeof(file), "%s/token", dir);
	r = read_file(file, KC_PART_MAX, &kc->token, NULL);
	if (r)
		return kc_fail(c, "%s: %s", file, errtext(r));
	if (!token_clean(kc->token))
		return kc_fail(c, "%s: %s", file, *kc->token ?
			       "token holds characters not allowed in an "
			       "HTTP header" : "empty");
	snprintf(file, sizeof(file), "%s/ca.crt", dir);
	r = read_file(file, KC_PART_MAX, &kc->ca_pem, &len);
	if (r)
		return kc_fail(c, "%s: %s", file, errtext(r));
	if (!is_pem(kc->ca_pem, len))
		return kc_fail(c, "%s: not a PEM block", file);
	return 0;
}

int np_kubeconfig_load(const char *path, struct np_kubeconfig *kc,
		       char *err, size_t errlen)
{
	struct kc_ctx c = { .path = path, .err = err, .errlen = errlen };
	int r;

	memset(kc, 0, sizeof(*kc));
	if (errlen)
		err[0] = '\0';
	if (!path || !*path) {
		c.path = "in-cluster";
		r = kc_load_incluster(&c, kc);
	} else {
		r = kc_load_file(&c, kc);
	}
	free(c.dir);
	if (!r) {
		kc->source = strdup(path ? path : "");
		if (!kc->source)
			r = kc_fail(&c, "out of memory");
	}
	if (r)
		np_kubeconfig_free(kc);
	return r;
}

static void free_secret(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

void np_kubeconfig_free(struct np_kubeconfig *kc)
{
	free(kc->server);
	free(kc->ca_pem);
	free(kc->cert_pem);
	free_secret(kc->key_pem);
	free_secret(kc->token);
	free(kc->tls_server_name);
	free(kc->source);
	memset(kc, 0, sizeof(*kc));
}
