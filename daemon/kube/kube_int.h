/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the Kubernetes API client: the client (kube.c), one HTTP request
 * on the curl multi handle (http.c), the per-kind watchers (watch.c).
 *
 * No code of ours runs inside a libcurl callback except buffering: the
 * write callback only appends to the request's buffer, and the request's
 * data and done hooks run after curl_multi_socket_action() has returned.
 * So hooks (and the model subscribers they reach) may start and end
 * requests freely.
 */
#ifndef _NP_KUBE_INT_H
#define _NP_KUBE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "kube/kube.h"
#include "loop.h"

struct kube_watch;
struct kube_req;

struct np_kube {
	struct np_loop *lp;
	struct np_kubeconfig kc;	/* our copy */
	struct np_kube_opts opts;
	char *base_url;			/* URL prefix of every request */
	char *auth_header;		/* "Authorization: Bearer ...", or NULL */
	struct curl_slist *connect_to;	/* tls-server-name: see http.c */
	/* Replaced connect_to lists: requests in flight may still use them
	 * (libcurl does not copy a list); freed with the client. */
	struct curl_slist *old_connect_to[8];
	unsigned int n_old_connect_to;
	/* Credentials re-read (kube.c): every opts.reload_ms and on a 401. */
	struct np_timer reload_timer;
	uint64_t last_reload_ms;
	unsigned int cred_gen;		/* bumped when credentials change */
	char reload_err[512];		/* the last failure, logged once */
	CURLM *multi;
	struct np_timer curl_timer;	/* libcurl's one timeout */
	struct kube_sock *socks;	/* sockets libcurl asked us to watch */
	struct kube_req *reqs;		/* requests in flight */
	struct kube_watch *watches[NP_KIND_COUNT];
	uint64_t rng;			/* backoff jitter */
};

/* How a request hands its body to its owner. */
enum kube_req_mode {
	KUBE_REQ_BUFFER,	/* whole body in buf, for done() */
	KUBE_REQ_STREAM,	/* data() consumes buf as it grows */
};

struct kube_req;
/* kube_req.data and kube_req.done (see there). */
typedef int kube_data_fn(struct kube_req *r);
typedef void kube_done_fn(struct kube_req *r, long status, const char *err);

struct kube_req {
	struct np_kube *k;
	CURL *easy;
	struct curl_slist *headers;
	enum kube_req_mode mode;
	char *url;
	char *path;			/* below base_url, to send it again */
	char *method;			/* NULL: GET */
	char *content_type;
	unsigned int timeout_ms;
	unsigned int cred_gen;		/* k->cred_gen when sent */
	bool auth_retried;		/* sent again after a 401 already */
	/*
	 * STREAM: called (outside libcurl) once the headers of a 2xx answer
	 * came (buf may be empty) and whenever buf has new bytes; consumes
	 * what it can with kube_req_consume(). Returns 0, or -1 to end the
	 * request with err set (done() then runs).
	 */
	kube_data_fn *data;
	/*
	 * Called once when the request ends: status is the HTTP status (0 if
	 * none came), err NULL when the exchange completed, else why it did
	 * not. buf holds the (rest of the) body. The request is freed after.
	 */
	kube_done_fn *done;
	void *ctx;
	char *buf;
	size_t len, cap, max;		/* max: buf limit; past it, an error */
	long status;
	bool fresh;			/* bytes arrived since data() ran */
	bool overflow;
	char err[CURL_ERROR_SIZE + 128];
	char curl_err[CURL_ERROR_SIZE];
	/* Idle detection (watches): end when no byte came for idle_ms. */
	unsigned int idle_ms;
	uint64_t last_rx_ms;
	struct np_timer idle;
	struct kube_req *next;
};

/*
 * Starts a GET (body NULL) or a request with method and body (copied) on
 * k->base_url + path. timeout_ms 0: no overall timeout (watches; give
 * idle_ms instead). content_type may be NULL. Returns the request (owned
 * by http.c until done() ran), or NULL with *err filled.
 */
struct kube_req *kube_req_start(struct np_kube *k, const char *path,
				const char *method, const char *body,
				const char *content_type,
				enum kube_req_mode mode, unsigned int timeout_ms,
				unsigned int idle_ms,
				kube_data_fn *data, kube_done_fn *done,
				void *ctx, char *err, size_t errlen);
/* Drops the first n bytes of r->buf (a STREAM consumer's progress). */
void kube_req_consume(struct kube_req *r, size_t n);
/* Ends r without calling done(). */
void kube_req_cancel(struct kube_req *r);

/*
 * Why a non-2xx answer failed: "HTTP 403: <Status message>" (the message
 * of a Kubernetes Status body, when there is one).
 */
void kube_status_text(long status, const char *body, size_t len, char *out,
		      size_t outlen);

int kube_http_init(struct np_kube *k);
/* Cancels every request (no callbacks) and frees libcurl's state. */
void kube_http_fini(struct np_kube *k);

/* watch.c: frees every watcher (their requests are gone already). */
void kube_watch_free_all(struct np_kube *k);
/* The resourceVersion kind's watcher would watch from now, or NULL (for
 * tests and diagnostics). */
const char *kube_watch_rv(const struct np_kube *k, enum np_kind kind);

/* A random delay in [d/2, d] (backoff jitter). */
uint64_t kube_jitter(struct np_kube *k, uint64_t d);
/* A random value in [0, n). */
uint64_t kube_rand(struct np_kube *k, uint64_t n);

/*
 * Reads k->kc.source again and takes what changed (see np_kube_new);
 * not more than once a second unless force. 1 when credentials changed,
 * 0 when not, -1 when the source could not be used (logged once per
 * distinct error; the current credentials stay).
 */
int kube_creds_refresh(struct np_kube *k, const char *why, bool force);
/* watch.c: ends every watch and list in flight and starts them again
 * (a new server or CA). */
void kube_watch_reconnect_all(struct np_kube *k);

#endif /* _NP_KUBE_INT_H */
