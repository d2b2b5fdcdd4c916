/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Kubernetes API client: kubeconfig (kubeconfig.c), HTTPS through
 * libcurl's multi interface driven by nodeplaned's loop (http.c), list +
 * watch of each kind into the model (watch.c), and writes (patch.c).
 * TLS is always verified against the kubeconfig's CA (or the service
 * account's ca.crt); nothing here ever turns verification off.
 */
#ifndef _NP_KUBE_H
#define _NP_KUBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

struct np_loop;

/* Where and how to reach the API server. PEM blobs are NUL-terminated. */
struct np_kubeconfig {
	char *server;		/* "https://127.0.0.1:6443" (no trailing '/') */
	char *ca_pem;		/* certificate-authority(-data) contents */
	char *cert_pem;		/* client-certificate(-data), or NULL */
	char *key_pem;		/* client-key(-data), or NULL */
	char *token;		/* bearer token (token / tokenFile), or NULL */
	char *tls_server_name;	/* tls-server-name, or NULL */
	/*
	 * Where it came from, to read it again: the kubeconfig's path, ""
	 * for the in-cluster service account, NULL when built by hand (never
	 * re-read).
	 */
	char *source;
};

/*
 * Loads path (a kubeconfig: YAML, current-context -> cluster + user;
 * certificate-authority-data / certificate-authority, client-certificate-
 * data / client-certificate, client-key-data / client-key, token /
 * tokenFile; relative file names are relative to the kubeconfig's
 * directory). path NULL or "": the in-cluster service account
 * (KUBERNETES_SERVICE_HOST/_PORT, /var/run/secrets/kubernetes.io/
 * serviceaccount/{token,ca.crt}). 0, or -1 with err naming the file, the
 * key and what is wrong ("k3s.yaml: users[0].user.client-key-data: not
 * base64").
 */
int np_kubeconfig_load(const char *path, struct np_kubeconfig *kc,
		       char *err, size_t errlen);
void np_kubeconfig_free(struct np_kubeconfig *kc);

struct np_kube;

/* Timings, settable by tests; np_kube_new() starts from these defaults. */
struct np_kube_opts {
	unsigned int connect_timeout_ms;	/* 5000 */
	unsigned int request_timeout_ms;	/* 30000, non-watch requests */
	unsigned int watch_timeout_s;		/* 300: timeoutSeconds of a watch */
	unsigned int idle_timeout_ms;		/* 90000: a watch with no byte
						   (bookmarks come every ~60 s) */
	unsigned int backoff_min_ms;		/* 500 */
	unsigned int backoff_max_ms;		/* 30000 */
	unsigned int reload_ms;			/* 60000: credentials re-read */
};

/*
 * The client copies kc. When kc->source is set, the client reads it again
 * (np_kubeconfig_load: the kubeconfig and every file it names, or the
 * service account's token and ca.crt) every reload_ms and after a 401
 * (then the request is sent once more if the credentials changed), and
 * takes what changed: a new token or client certificate goes into the
 * next requests; a new server, CA or tls-server-name reconnects every
 * watch. A certificate and key that do not match (a rotation half
 * written), or a file that cannot be read, keep the current credentials.
 */
int np_kube_new(struct np_loop *lp, const struct np_kubeconfig *kc,
		const struct np_kube_opts *opts, struct np_kube **out);
/* Reads kc->source again now (SIGHUP). 0, or -1 (logged: kept as is). */
int np_kube_reload(struct np_kube *k);
/* Stops every request; no callback runs afterwards. */
void np_kube_free(struct np_kube *k);

/*
 * Lists then watches kind (all namespaces) into m: the list is framed by
 * np_model_sync_begin/_end; watch events become upsert/delete; BOOKMARK
 * events only advance the resourceVersion; 410 Gone (an HTTP status or an
 * ERROR event) relists; any other failure reconnects. Relists and
 * reconnects wait a jittered exponential backoff. Malformed objects are
 * logged (kind, namespace/name, field) and skipped. See watch.c.
 */
int np_kube_watch(struct np_kube *k, enum np_kind kind, struct np_model *m);
/*
 * The same for only the objects field_selector selects (e.g.
 * "spec.nodeName=n1"; NULL or "": all), sent as the fieldSelector of
 * every list and watch. To change it: unwatch, then watch again (the
 * list that follows drops from the model what no longer matches).
 * -EINVAL also for a selector over 1024 bytes.
 */
int np_kube_watch_fields(struct np_kube *k, enum np_kind kind,
			 struct np_model *m, const char *field_selector);
/* Stops watching kind; what the model holds of it stays. */
void np_kube_unwatch(struct np_kube *k, enum np_kind kind);

/* Called when a write completes: http_status 2xx on success; 0 when no
 * HTTP answer came (err says why). */
typedef void (*np_kube_done_fn)(void *ctx, long http_status, const char *err);

/*
 * PATCH /api/v1/nodes/<name>/status with a strategic-merge patch
 * (Content-Type application/strategic-merge-patch+json). patch is copied.
 * done may be NULL.
 */
int np_kube_patch_node_status(struct np_kube *k, const char *name,
			      const char *patch, np_kube_done_fn done,
			      void *ctx);

#endif /* _NP_KUBE_H */
