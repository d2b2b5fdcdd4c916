// SPDX-License-Identifier: GPL-2.0-only
/*
 * HTTPS requests to the API server through libcurl's multi interface,
 * driven by nodeplaned's loop: libcurl's socket callback adds, changes and
 * removes np_io watches, its timer callback arms one np_timer, and events
 * go back through curl_multi_socket_action().
 *
 * TLS: the kubeconfig's CA from memory (CURLOPT_CAINFO_BLOB) and nothing
 * else (the built-in CA file and path are cleared), peer and host name
 * always verified, the client certificate and key from memory (PEM blobs),
 * a bearer token as an Authorization header. libcurl 7.88 cannot set the
 * TLS server name apart from the URL's host, so tls-server-name is done
 * with CURLOPT_CONNECT_TO (kube.c): the URL names tls-server-name (SNI and
 * certificate check use it) and the connection goes to the kubeconfig
 * server's host and port. The Host header then carries tls-server-name,
 * which the API server does not look at.
 *
 * The PEM blobs are copied into each request (CURL_BLOB_COPY): the
 * client's credentials may be replaced while requests are in flight
 * (kube.c). A 401 makes the client read its credentials again; when they
 * changed, the request is sent once more with them (req_resend()).
 *
 * Timeouts: connect_timeout_ms for connecting (with TLS), an overall
 * request_timeout_ms for lists and writes, and for watches an idle timer:
 * a watch that received no byte for idle_timeout_ms is ended (bookmarks
 * keep a healthy watch busy).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <cjson/cJSON.h>

#include "kube/kube_int.h"
#include "log.h"
#include "version.h"

#define ERR_BODY_MAX	(64U << 10)	/* kept of a non-2xx answer */

struct kube_sock {
	struct np_io io;
	struct np_kube *k;
	curl_socket_t fd;
	struct kube_sock *next;
};

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

static bool ok_status(long status)
{
	return status >= 200 && status < 300;
}

static void process(struct np_kube *k);

static void multi_action(struct np_kube *k, curl_socket_t fd, int flags)
{
	int running;
	CURLMcode mc;

	mc = curl_multi_socket_action(k->multi, fd, flags, &running);
	if (mc != CURLM_OK)
		np_log_error("kube: curl_multi_socket_action: %s",
			     curl_multi_strerror(mc));
	process(k);
}

static void sock_ready(struct np_io *io, uint32_t events)
{
	struct kube_sock *ks = container_of(io, struct kube_sock, io);
	int flags = 0;

	if (events & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	/* ks may be freed inside: use nothing of it afterwards. */
	multi_action(ks->k, ks->fd, flags);
}

static void sock_unlink(struct np_kube *k, struct kube_sock *ks)
{
	struct kube_sock **pp;

	for (pp = &k->socks; *pp; pp = &(*pp)->next) {
		if (*pp == ks) {
			*pp = ks->next;
			break;
		}
	}
}

static int sock_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
		   void *socketp)
{
	struct np_kube *k = userp;
	struct kube_sock *ks = socketp;
	uint32_t events = 0;
	int r;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (ks) {
			np_loop_del(k->lp, &ks->io);
			sock_unlink(k, ks);
			free(ks);
		}
		return 0;
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		events |= EPOLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		events |= EPOLLOUT;
	if (ks)
		return np_loop_mod(k->lp, &ks->io, events) ? -1 : 0;
	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return -1;
	ks->io.fd = fd;
	ks->io.ready = sock_ready;
	ks->fd = fd;
	ks->k = k;
	r = np_loop_add(k->lp, &ks->io, events);
	if (r) {
		np_log_error("kube: watching socket %d: %s", fd, strerror(-r));
		free(ks);
		return -1;
	}
	ks->next = k->socks;
	k->socks = ks;
	curl_multi_assign(k->multi, fd, ks);
	return 0;
}

static void curl_timer_fire(struct np_timer *t)
{
	struct np_kube *k = container_of(t, struct np_kube, curl_timer);

	multi_action(k, CURL_SOCKET_TIMEOUT, 0);
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct np_kube *k = userp;

	(void)multi;
	if (timeout_ms < 0)
		np_timer_cancel(k->lp, &k->curl_timer);
	else
		np_timer_arm(k->lp, &k->curl_timer, (uint64_t)timeout_ms);
	return 0;
}

/* libcurl's write callback: only buffers (see kube_int.h). */
static size_t write_cb(char *p, size_t size, size_t nmemb, void *ud)
{
	struct kube_req *r = ud;
	size_t n = size * nmemb, max, cap;
	char *nb;

	if (!r->status)
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
	r->last_rx_ms = np_now_ms();
	max = ok_status(r->status) ? r->max : ERR_BODY_MAX;
	if (r->len + n > max) {
		if (!ok_status(r->status)) {
			n = max - r->len;	/* keep the start, drop the rest */
			if (!n)
				return size * nmemb;
		} else {
			r->overflow = true;
			return CURL_WRITEFUNC_ERROR;
		}
	}
	if (r->len + n + 1 > r->cap) {
		cap = r->cap ? r->cap : 16384;
		while (cap < r->len + n + 1)
			cap *= 2;
		nb = realloc(r->buf, cap);
		if (!nb)
			return CURL_WRITEFUNC_ERROR;
		r->buf = nb;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
	r->buf[r->len] = '\0';
	r->fresh = true;
	return size * nmemb;
}

/*
 * libcurl's header callback: the blank line ending a final (non-1xx)
 * header block makes the status known, and a stream's data hook runs then
 * even before any body byte (a watch learns it is connected).
 */
static size_t header_cb(char *p, size_t size, size_t nmemb, void *ud)
{
	struct kube_req *r = ud;
	size_t n = size * nmemb;
	long status = 0;

	r->last_rx_ms = np_now_ms();
	if (n > 2 || (n && p[0] != '\r' && p[0] != '\n'))
		return n;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200) {
		r->status = status;
		r->fresh = true;
	}
	return n;
}

static void req_unlink(struct kube_req *r)
{
	struct kube_req **pp;

	for (pp = &r->k->reqs; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	}
}

static void req_free(struct kube_req *r)
{
	if (r->easy)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->headers);
	free(r->url);
	free(r->path);
	free(r->method);
	free(r->content_type);
	free(r->buf);
	free(r);
}

static int req_setup(struct kube_req *r, const char *body);

/*
 * After a 401: sends r once more on its easy handle (the body stays set
 * there) with the client's current credentials. false if that failed (r
 * untouched but off libcurl: finish it).
 */
static bool req_resend(struct kube_req *r)
{
	struct np_kube *k = r->k;
	char *url;

	curl_multi_remove_handle(k->multi, r->easy);
	if (asprintf(&url, "%s%s", k->base_url, r->path) < 0)
		return false;
	free(r->url);
	r->url = url;
	curl_slist_free_all(r->headers);
	r->headers = NULL;
	r->len = 0;
	if (r->buf)
		r->buf[0] = '\0';
	r->status = 0;
	r->fresh = false;
	r->overflow = false;
	r->err[0] = '\0';
	r->curl_err[0] = '\0';
	r->cred_gen = k->cred_gen;
	r->auth_retried = true;
	if (req_setup(r, NULL) ||
	    curl_multi_add_handle(k->multi, r->easy) != CURLM_OK)
		return false;
	if (r->idle_ms) {
		r->last_rx_ms = np_now_ms();
		np_timer_arm(k->lp, &r->idle, r->idle_ms);
	}
	np_log_debug("kube: %s %s: 401, sending it again with the new "
		     "credentials", r->method ? r->method : "GET", r->path);
	return true;
}

/* Takes r off libcurl and the list; runs done(err); frees r. */
static void req_finish(struct kube_req *r, const char *err)
{
	struct np_kube *k = r->k;
	long status = 0;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status)
		r->status = status;
	req_unlink(r);
	curl_multi_remove_handle(k->multi, r->easy);
	np_timer_cancel(k->lp, &r->idle);
	if (r->done)
		r->done(r, r->status, err);
	req_free(r);
}

void kube_req_cancel(struct kube_req *r)
{
	r->done = NULL;
	req_finish(r, NULL);
}

void kube_req_consume(struct kube_req *r, size_t n)
{
	if (n >= r->len) {
		r->len = 0;
	} else {
		memmove(r->buf, r->buf + n, r->len - n);
		r->len -= n;
	}
	if (r->buf)
		r->buf[r->len] = '\0';
}

/* Runs r's data hook if it has new bytes; false if r ended there. */
static bool req_pump(struct kube_req *r)
{
	if (!r->fresh || r->mode != KUBE_REQ_STREAM || !ok_status(r->status))
		return true;
	r->fresh = false;
	if (r->data(r) == 0)
		return true;
	req_finish(r, r->err);
	return false;
}

static void req_done(struct kube_req *r, CURLcode rc)
{
	struct np_kube *k = r->k;
	long status = 0;

	if (!req_pump(r))
		return;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OK && status == 401 && !r->auth_retried) {
		/* Rotated credentials? Read them again; resend if new. */
		kube_creds_refresh(k, "HTTP 401", false);
		if (r->cred_gen != k->cred_gen && req_resend(r))
			return;
	}
	if (rc == CURLE_OK) {
		req_finish(r, NULL);
		return;
	}
	if (r->overflow)
		snprintf(r->err, sizeof(r->err), r->mode == KUBE_REQ_STREAM ?
			 "a line longer than %zu bytes" :
			 "an answer larger than %zu bytes", r->max);
	else
		snprintf(r->err, sizeof(r->err), "%s", r->curl_err[0] ?
			 r->curl_err : curl_easy_strerror(rc));
	req_finish(r, r->err);
}

/*
 * After libcurl ran: hand new bytes to the stream consumers, then end the
 * requests libcurl has finished. Hooks may start requests (added at the
 * head of the list) and end their own.
 */
static void process(struct np_kube *k)
{
	struct kube_req *r, *next;
	CURLMsg *msg;
	char *priv;
	int left;

	for (r = k->reqs; r; r = next) {
		next = r->next;
		req_pump(r);
	}
	while ((msg = curl_multi_info_read(k->multi, &left))) {
		CURLcode rc = msg->data.result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		priv = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		if (priv)
			req_done((struct kube_req *)(void *)priv, rc);
	}
}

static void idle_fire(struct np_timer *t)
{
	struct kube_req *r = container_of(t, struct kube_req, idle);
	uint64_t now = np_now_ms();

	if (now - r->last_rx_ms < r->idle_ms) {
		np_timer_arm(r->k->lp, t, r->last_rx_ms + r->idle_ms - now);
		return;
	}
	snprintf(r->err, sizeof(r->err), "no data for %u ms", r->idle_ms);
	req_finish(r, r->err);
}

/* Sets r's options from the client's current settings; body NULL keeps
 * the one set before. */
static int req_setup(struct kube_req *r, const char *body)
{
	const char *method = r->method, *content_type = r->content_type;
	unsigned int timeout_ms = r->timeout_ms;
	const struct np_kube *k = r->k;
	const struct np_kubeconfig *kc = &k->kc;
	struct curl_blob ca = {
		.data = kc->ca_pem, .len = strlen(kc->ca_pem),
		.flags = CURL_BLOB_COPY,
	};
	struct curl_slist *h;
	char ua[64], ct[128];
	CURL *e = r->easy;
	CURLcode rc = CURLE_OK;

#define SET(opt, val) do {					\
	if (rc == CURLE_OK)					\
		rc = curl_easy_setopt(e, opt, val);		\
} while (0)
	snprintf(ua, sizeof(ua), "nodeplaned/%s", np_version);
	SET(CURLOPT_URL, r->url);
	SET(CURLOPT_PRIVATE, r);
	SET(CURLOPT_WRITEFUNCTION, write_cb);
	SET(CURLOPT_WRITEDATA, r);
	SET(CURLOPT_HEADERFUNCTION, header_cb);
	SET(CURLOPT_HEADERDATA, r);
	SET(CURLOPT_ERRORBUFFER, r->curl_err);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_USERAGENT, ua);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)k->opts.connect_timeout_ms);
	if (timeout_ms)
		SET(CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_TCP_KEEPIDLE, 30L);
	SET(CURLOPT_TCP_KEEPINTVL, 10L);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	/* Only the kubeconfig's CA; always verify. */
	SET(CURLOPT_CAINFO, NULL);
	SET(CURLOPT_CAPATH, NULL);
	SET(CURLOPT_CAINFO_BLOB, &ca);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (kc->cert_pem && kc->key_pem) {
		struct curl_blob cert = {
			.data = kc->cert_pem, .len = strlen(kc->cert_pem),
			.flags = CURL_BLOB_COPY,
		};
		struct curl_blob key = {
			.data = kc->key_pem, .len = strlen(kc->key_pem),
			.flags = CURL_BLOB_COPY,
		};

		SET(CURLOPT_SSLCERT_BLOB, &cert);
		SET(CURLOPT_SSLCERTTYPE, "PEM");
		SET(CURLOPT_SSLKEY_BLOB, &key);
		SET(CURLOPT_SSLKEYTYPE, "PEM");
	}
	if (k->connect_to)
		SET(CURLOPT_CONNECT_TO, k->connect_to);
	if (method)
		SET(CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		SET(CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		SET(CURLOPT_COPYPOSTFIELDS, body);
	}
#undef SET
	if (rc != CURLE_OK) {
		snprintf(r->err, sizeof(r->err), "%s", curl_easy_strerror(rc));
		return -1;
	}
	h = curl_slist_append(NULL, "Accept: application/json");
	if (h && k->auth_header)
		h = curl_slist_append(h, k->auth_header);
	if (h && content_type) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
		h = curl_slist_append(h, ct);
	}
	if (h && body)
		h = curl_slist_append(h, "Expect:");
	if (!h) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		return -1;
	}
	r->headers = h;
	rc = curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	if (rc != CURLE_OK) {
		snprintf(r->err, sizeof(r->err), "%s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

struct kube_req *kube_req_start(struct np_kube *k, const char *path,
				const char *method, const char *body,
				const char *content_type,
				enum kube_req_mode mode, unsigned int timeout_ms,
				unsigned int idle_ms,
				kube_data_fn *data, kube_done_fn *done,
				void *ctx, char *err, size_t errlen)
{
	struct kube_req *r = calloc(1, sizeof(*r));
	CURLMcode mc;

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->k = k;
	r->mode = mode;
	r->data = data;
	r->done = done;
	r->ctx = ctx;
	r->max = mode == KUBE_REQ_STREAM ? (16U << 20) : (256U << 20);
	r->idle_ms = idle_ms;
	r->idle.fire = idle_fire;
	r->timeout_ms = timeout_ms;
	r->cred_gen = k->cred_gen;
	r->easy = curl_easy_init();
	r->path = strdup(path);
	r->method = method ? strdup(method) : NULL;
	r->content_type = content_type ? strdup(content_type) : NULL;
	if (!r->easy || !r->path || (method && !r->method) ||
	    (content_type && !r->content_type) ||
	    asprintf(&r->url, "%s%s", k->base_url, path) < 0) {
		r->url = NULL;
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	if (req_setup(r, body)) {
		snprintf(err, errlen, "%s", r->err);
		goto err;
	}
	mc = curl_multi_add_handle(k->multi, r->easy);
	if (mc != CURLM_OK) {
		snprintf(err, errlen, "%s", curl_multi_strerror(mc));
		goto err;
	}
	r->next = k->reqs;
	k->reqs = r;
	if (idle_ms) {
		r->last_rx_ms = np_now_ms();
		np_timer_arm(k->lp, &r->idle, idle_ms);
	}
	return r;
err:
	req_free(r);
	return NULL;
}

void kube_status_text(long status, const char *body, size_t len, char *out,
		      size_t outlen)
{
	cJSON *st = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(st, "message");

	if (cJSON_IsString(msg) && msg->valuestring[0])
		snprintf(out, outlen, "HTTP %ld: %s", status,
			 msg->valuestring);
	else
		snprintf(out, outlen, "HTTP %ld", status);
	cJSON_Delete(st);
}

int kube_http_init(struct np_kube *k)
{
	CURLMcode mc = CURLM_OK;

	k->curl_timer.fire = curl_timer_fire;
	k->multi = curl_multi_init();
	if (!k->multi)
		return -ENOMEM;
	mc = curl_multi_setopt(k->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	if (mc == CURLM_OK)
		mc = curl_multi_setopt(k->multi, CURLMOPT_SOCKETDATA, k);
	if (mc == CURLM_OK)
		mc = curl_multi_setopt(k->multi, CURLMOPT_TIMERFUNCTION,
				       timer_cb);
	if (mc == CURLM_OK)
		mc = curl_multi_setopt(k->multi, CURLMOPT_TIMERDATA, k);
	if (mc != CURLM_OK) {
		np_log_error("kube: curl_multi_setopt: %s",
			     curl_multi_strerror(mc));
		curl_multi_cleanup(k->multi);
		k->multi = NULL;
		return -EINVAL;
	}
	return 0;
}

void kube_http_fini(struct np_kube *k)
{
	struct kube_sock *ks;

	while (k->reqs)
		kube_req_cancel(k->reqs);
	if (k->multi)
		curl_multi_cleanup(k->multi);
	k->multi = NULL;
	np_timer_cancel(k->lp, &k->curl_timer);
	/* Sockets libcurl closed without telling us. */
	while ((ks = k->socks)) {
		k->socks = ks->next;
		np_loop_del(k->lp, &ks->io);
		free(ks);
	}
}
