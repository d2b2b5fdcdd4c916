// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes to the API server: PATCH /api/v1/nodes/<name>/status with a
 * strategic-merge patch. The caller learns the outcome through its done
 * callback and decides about retrying (the overlay reconciler does).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/kube_int.h"
#include "log.h"

struct kube_patch {
	np_kube_done_fn done;
	void *ctx;
	char name[256];
};

static void patch_done(struct kube_req *r, long status, const char *err)
{
	struct kube_patch *p = r->ctx;
	char why[1024];

	if (err) {
		np_log_debug("PATCH nodes/%s/status: %s", p->name, err);
		if (p->done)
			p->done(p->ctx, 0, err);
	} else if (status < 200 || status >= 300) {
		kube_status_text(status, r->buf, r->len, why, sizeof(why));
		np_log_debug("PATCH nodes/%s/status: %s", p->name, why);
		if (p->done)
			p->done(p->ctx, status, why);
	} else {
		np_log_debug("PATCH nodes/%s/status: HTTP %ld", p->name,
			     status);
		if (p->done)
			p->done(p->ctx, status, NULL);
	}
	free(p);
}

/* A Node's name is a DNS subdomain: lower-case alphanumerics, '-', '.'. */
static bool node_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 253 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-.") == n;
}

int np_kube_patch_node_status(struct np_kube *k, const char *name,
			      const char *patch, np_kube_done_fn done,
			      void *ctx)
{
	struct kube_patch *p;
	char path[320], err[256];

	if (!name || !node_name_ok(name) || !patch) {
		np_log_warning("PATCH nodes/%s/status: not a node name",
			     name ? name : "(null)");
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->done = done;
	p->ctx = ctx;
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(path, sizeof(path), "/api/v1/nodes/%s/status", name);
	if (!kube_req_start(k, path, "PATCH", patch,
			    "application/strategic-merge-patch+json",
			    KUBE_REQ_BUFFER, k->opts.request_timeout_ms, 0,
			    NULL, patch_done, p, err, sizeof(err))) {
		np_log_error("PATCH nodes/%s/status: %s", name, err);
		free(p);
		return -EIO;
	}
	return 0;
}
