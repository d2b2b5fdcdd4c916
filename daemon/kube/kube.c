// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Kubernetes API client's life cycle: a copy of the kubeconfig, the
 * request prefix (with tls-server-name through CURLOPT_CONNECT_TO, see
 * http.c), the bearer token header, the timings, and the jitter source of
 * the watchers' backoff.
 *
 * Credentials are not frozen at start: the kubeconfig (or the service
 * account) is read again every reload_ms (60 s, as client-go re-reads a
 * token file every minute), after a 401, and on np_kube_reload()
 * (SIGHUP). A projected service-account token (rotated hourly), a
 * tokenFile, client-certificate/client-key files rewritten by a
 * rotation, or K3s's k3s.yaml rewritten with a renewed certificate are
 * all taken without a restart. New credentials go into the next requests;
 * open watches keep their authenticated connections. A new server, CA or
 * tls-server-name reconnects every watch.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kube/kube_int.h"
#include "log.h"

static const struct np_kube_opts opts_default = {
	.connect_timeout_ms = 5000,
	.request_timeout_ms = 30000,
	.watch_timeout_s = 300,
	.idle_timeout_ms = 90000,
	.backoff_min_ms = 500,
	.backoff_max_ms = 30000,
	.reload_ms = 60000,
};

#define RELOAD_MIN_MS	1000	/* 401s re-read at most this often */

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
	    dup_opt(src->tls_server_name, &dst->tls_server_name) ||
	    dup_opt(src->source, &dst->source))
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

static bool str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

static void free_secret(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* Whether the PEM private key belongs to the PEM certificate. */
static bool cert_key_match(const char *cert_pem, const char *key_pem)
{
	BIO *cb = BIO_new_mem_buf(cert_pem, -1);
	BIO *kb = BIO_new_mem_buf(key_pem, -1);
	X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *pk = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	bool ok = x && pk && X509_check_private_key(x, pk) == 1;

	X509_free(x);
	EVP_PKEY_free(pk);
	BIO_free(cb);
	BIO_free(kb);
	return ok;
}

static void reload_failed(struct np_kube *k, const char *why)
{
	if (!strcmp(k->reload_err, why))
		return;
	snprintf(k->reload_err, sizeof(k->reload_err), "%s", why);
	np_log_warning("kube: reading the credentials again: %s; keeping the "
		       "current ones", why);
}

int kube_creds_refresh(struct np_kube *k, const char *why, bool force)
{
	struct np_kubeconfig nk, old;
	bool endpoint, creds;
	char err[512], *hdr = NULL;
	struct curl_slist *old_ct;
	char *old_base;
	uint64_t now = np_now_ms();

	if (!k->kc.source)
		return 0;
	if (!force && now - k->last_reload_ms < RELOAD_MIN_MS)
		return 0;
	k->last_reload_ms = now;
	if (np_kubeconfig_load(*k->kc.source ? k->kc.source : NULL, &nk, err,
			       sizeof(err))) {
		reload_failed(k, err);
		return -1;
	}
	if (nk.cert_pem && !cert_key_match(nk.cert_pem, nk.key_pem)) {
		snprintf(err, sizeof(err), "%s: the client certificate and key "
			 "do not match (a rotation half written?)",
			 *k->kc.source ? k->kc.source : "in-cluster");
		np_kubeconfig_free(&nk);
		reload_failed(k, err);
		return -1;
	}
	k->reload_err[0] = '\0';
	endpoint = str_differs(nk.server, k->kc.server) ||
		   str_differs(nk.ca_pem, k->kc.ca_pem) ||
		   str_differs(nk.tls_server_name, k->kc.tls_server_name);
	creds = str_differs(nk.token, k->kc.token) ||
		str_differs(nk.cert_pem, k->kc.cert_pem) ||
		str_differs(nk.key_pem, k->kc.key_pem);
	if (!endpoint && !creds) {
		np_kubeconfig_free(&nk);
		return 0;
	}
	if (nk.token && asprintf(&hdr, "Authorization: Bearer %s",
				 nk.token) < 0) {
		np_kubeconfig_free(&nk);
		reload_failed(k, "out of memory");
		return -1;
	}
	old = k->kc;
	old_ct = k->connect_to;
	old_base = k->base_url;
	k->kc = nk;
	if (endpoint) {
		k->connect_to = NULL;
		k->base_url = NULL;
		if (setup_base(k)) {
			curl_slist_free_all(k->connect_to);
			free(k->base_url);
			free_secret(hdr);
			k->kc = old;
			k->connect_to = old_ct;
			k->base_url = old_base;
			np_kubeconfig_free(&nk);
			reload_failed(k, "the new server cannot be used");
			return -1;
		}
		free(old_base);
		if (old_ct) {
			if (k->n_old_connect_to == 8) {
				/* Drop the oldest: long finished by now. */
				curl_slist_free_all(k->old_connect_to[0]);
				memmove(k->old_connect_to, k->old_connect_to + 1,
					7 * sizeof(k->old_connect_to[0]));
				k->n_old_connect_to--;
			}
			k->old_connect_to[k->n_old_connect_to++] = old_ct;
		}
	}
	free_secret(k->auth_header);
	k->auth_header = hdr;
	k->cred_gen++;
	np_log_info("kube: %s read again (%s): taking%s%s%s",
		    *k->kc.source ? k->kc.source :
		    "the in-cluster service account", why,
		    str_differs(old.token, nk.token) ? " a new token" : "",
		    str_differs(old.cert_pem, nk.cert_pem) ||
		    str_differs(old.key_pem, nk.key_pem) ?
		    " a new client certificate" : "",
		    endpoint ? " a new server, CA or tls-server-name" : "");
	np_kubeconfig_free(&old);
	if (endpoint)
		kube_watch_reconnect_all(k);
	return 1;
}

static void reload_fire(struct np_timer *t)
{
	struct np_kube *k = (struct np_kube *)(void *)((char *)t -
				offsetof(struct np_kube, reload_timer));

	kube_creds_refresh(k, "periodic", true);
	np_timer_arm(k->lp, &k->reload_timer, k->opts.reload_ms);
}

int np_kube_reload(struct np_kube *k)
{
	if (!k->kc.source)
		return 0;
	return kube_creds_refresh(k, "reload", true) < 0 ? -1 : 0;
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
		OPT(reload_ms);
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
	k->reload_timer.fire = reload_fire;
	if (k->kc.source)
		np_timer_arm(lp, &k->reload_timer, k->opts.reload_ms);
	*out = k;
	return 0;
}

void np_kube_free(struct np_kube *k)
{
	if (!k)
		return;
	kube_http_fini(k);
	kube_watch_free_all(k);
	np_timer_cancel(k->lp, &k->reload_timer);
	while (k->n_old_connect_to)
		curl_slist_free_all(k->old_connect_to[--k->n_old_connect_to]);
	free(k->base_url);
	free_secret(k->auth_header);
	curl_slist_free_all(k->connect_to);
	np_kubeconfig_free(&k->kc);
	free(k);
	curl_global_cleanup();
}

uint64_t kube_rand(struct np_kube *k, uint64_t n)
{
	uint64_t x = k->rng;

	/* xorshift64 */
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	k->rng = x;
	return n ? x % n : 0;
}

uint64_t kube_jitter(struct np_kube *k, uint64_t d)
{
	if (d < 2)
		return d;
	return d / 2 + kube_rand(k, d - d / 2 + 1);
}
