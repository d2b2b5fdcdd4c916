// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Kubernetes API client's life cycle: a copy of the kubeconfig, the
 * request prefix (with tls-server-name through CURLOPT_CONNECT_TO, see
 * http.c), the bearer token header, the timings, and the jitter source of
 * the watchers' backoff.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kube/kube_int.h"
#include "log.h"

static const struct np_kube_opts opts_default = {
	.connect_timeout_ms = 5000,
	.request_timeout_ms = 30000,
	.watch_timeout_s = 300,
	.idle_timeout_ms = 90000,
	.backoff_min_ms = 500,
	.backoff_max_ms = 30000,
};

static int dup_opt(const char *s, char **out)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static int copy_kc(struct np_kubeconfig *dst, const struct np_kubeconfig *src)
{
	memset(dst, 0, sizeof(*dst));
	if (dup_opt(src->server, &dst->server) ||
	    dup_opt(src->ca_pem, &dst->ca_pem) ||
	    dup_opt(src->cert_pem, &dst->cert_pem) ||
	    dup_opt(src->key_pem, &dst->key_pem) ||
	    dup_opt(src->token, &dst->token) ||
	    dup_opt(src->tls_server_name, &dst->tls_server_name))
		return -ENOMEM;
	return 0;
}

/*
 * With tls-server-name: requests go to https://<tls-server-name>:<port>/...
 * and CURLOPT_CONNECT_TO sends them to the server's real host and port.
 */
static int setup_base(struct np_kube *k)
{
	const char *sni = k->kc.tls_server_name;
	char *host = NULL, *port = NULL, *url = NULL, *entry = NULL;
	CURLU *u;
	size_t n;
	int ret = -EINVAL;

	if (!sni) {
		k->base_url = strdup(k->kc.server);
		return k->base_url ? 0 : -ENOMEM;
	}
	u = curl_url();
	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, k->kc.server, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ||
	    curl_url_set(u, CURLUPART_HOST, sni, 0) ||
	    curl_url_get(u, CURLUPART_URL, &url, 0)) {
		np_log_error("kube: server \"%s\" with tls-server-name \"%s\": "
			     "cannot build the request URL", k->kc.server, sni);
		goto out;
	}
	if (asprintf(&entry, "%s:%s:%s:%s", sni, port, host, port) < 0) {
		entry = NULL;
		ret = -ENOMEM;
		goto out;
	}
	k->connect_to = curl_slist_append(NULL, entry);
	n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	k->base_url = strndup(url, n);
	ret = k->connect_to && k->base_url ? 0 : -ENOMEM;
out:
	free(entry);
	curl_free(host);
	curl_free(port);
	curl_free(url);
	curl_url_cleanup(u);
	return ret;
}

int np_kube_new(struct np_loop *lp, const struct np_kubeconfig *kc,
		const struct np_kube_opts *opts, struct np_kube **out)
{
	struct np_kube *k;
	int r;

	if (!kc->server || !kc->ca_pem)
		return -EINVAL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -ENOMEM;
	k = calloc(1, sizeof(*k));
	if (!k) {
		curl_global_cleanup();
		return -ENOMEM;
	}
	k->lp = lp;
	k->opts = opts_default;
	if (opts) {
		/* Zero fields keep their default. */
#define OPT(f) if (opts->f) k->opts.f = opts->f
		OPT(connect_timeout_ms);
		OPT(request_timeout_ms);
		OPT(watch_timeout_s);
		OPT(idle_timeout_ms);
		OPT(backoff_min_ms);
		OPT(backoff_max_ms);
#undef OPT
	}
	if (k->opts.backoff_max_ms < k->opts.backoff_min_ms)
		k->opts.backoff_max_ms = k->opts.backoff_min_ms;
	k->rng = np_now_ms() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	if (!k->rng)
		k->rng = 1;
	r = copy_kc(&k->kc, kc);
	if (!r)
		r = setup_base(k);
	if (!r && kc->token &&
	    asprintf(&k->auth_header, "Authorization: Bearer %s",
		     kc->token) < 0) {
		k->auth_header = NULL;
		r = -ENOMEM;
	}
	if (!r)
		r = kube_http_init(k);
	if (r) {
		np_kube_free(k);
		return r;
	}
	*out = k;
	return 0;
}

void np_kube_free(struct np_kube *k)
{
	if (!k)
		return;
	kube_http_fini(k);
	kube_watch_free_all(k);
	free(k->base_url);
	if (k->auth_header) {
		explicit_bzero(k->auth_header, strlen(k->auth_header));
		free(k->auth_header);
	}
	curl_slist_free_all(k->connect_to);
	np_kubeconfig_free(&k->kc);
	free(k);
	curl_global_cleanup();
}

uint64_t kube_jitter(struct np_kube *k, uint64_t d)
{
	uint64_t x = k->rng;

	/* xorshift64 */
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	k->rng = x;
	if (d < 2)
		return d;
	return d / 2 + x % (d - d / 2 + 1);
}
