// SPDX-License-Identifier: GPL-2.0-only
/*
 * daemon/manifests.c with the real model: the example directory
 * (fixtures/manifests) decoded into the model, and the model's change
 * notifications for a copy of it that is rescanned, edited, broken and
 * pruned (only real changes notify).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "logcap.h"
#include "log.h"
#include "loop.h"
#include "manifests.h"
#include "model/model.h"

#define FIXTURES NP_FIXTURES "/manifests"

static const char *const files[] = {
	"00-namespaces.yaml", "nodes.yaml", "services.json", "web.yml",
	"README",
};

static char dir[256], path[512];
static char notes[4096];

static const char *p(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static char *slurp(const char *fpath)
{
	FILE *f = fopen(fpath, "r");
	char *buf = calloc(1, 65536);

	if (f && buf)
		buf[fread(buf, 1, 65535, f)] = '\0';
	if (f)
		fclose(f);
	return buf;
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(p(name), "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* "+Node node-a", "~Service default/web", "-..." per notification. */
static void note(void *ctx, enum np_kind kind, const void *old,
		 const void *new_obj)
{
	const struct np_meta *m = new_obj ? new_obj : old;
	size_t n = strlen(notes);

	(void)ctx;
	if (!m) {		/* the kind's first complete list */
		snprintf(notes + n, sizeof(notes) - n, "=%s\n",
			 np_kind_name(kind));
		return;
	}
	snprintf(notes + n, sizeof(notes) - n, "%c%s %s%s%s\n",
		 !old ? '+' : !new_obj ? '-' : '~', np_kind_name(kind), m->ns,
		 *m->ns ? "/" : "", m->name);
}

static uint64_t fake_ms;

static uint64_t fake_now(void)
{
	return fake_ms;
}

static const char *take_notes(void)
{
	static char out[sizeof(notes)];

	snprintf(out, sizeof(out), "%s", notes);
	notes[0] = '\0';
	return out;
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* take_notes() with its lines sorted (deletions come in no fixed order). */
static const char *take_sorted_notes(void)
{
	static char out[sizeof(notes)];
	char *lines[64], *save = NULL, *l;
	size_t n = 0, i, o = 0;

	for (l = strtok_r(notes, "\n", &save); l && n < 64;
	     l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	qsort(lines, n, sizeof(*lines), line_cmp);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s\n",
				      lines[i]);
	notes[0] = '\0';
	return out;
}

TEST(example_directory_decodes)
{
	struct np_model *m = np_model_new();
	struct np_manifests *mf = NULL;
	const struct np_node *n;
	struct np_loop *lp = NULL;
	char buf[64];
	int k;

	CHECK(m);
	CHECK_INT(np_loop_new(&lp), 0);
	log_start();
	CHECK_INT(np_manifests_new(lp, FIXTURES, m, &mf), 0);
	CHECK_STR(log_stop(FIXTURES), "nodeplaned: info: manifests: reading D\n");
	for (k = 0; k < NP_KIND_COUNT; k++)
		CHECK(np_model_synced(m, (enum np_kind)k));
	CHECK_INT(np_model_count(m, NP_KIND_NODE), 3);
	CHECK_INT(np_model_count(m, NP_KIND_SERVICE), 1);
	CHECK_INT(np_model_count(m, NP_KIND_ENDPOINTSLICE), 1);
	CHECK_INT(np_model_count(m, NP_KIND_POD), 0);
	CHECK_INT(np_model_count(m, NP_KIND_NAMESPACE), 2);
	CHECK_INT(np_model_count(m, NP_KIND_NETWORKPOLICY), 0);

	n = np_model_node(m, "node-b");
	CHECK(n);
	CHECK_INT(n->n_pod_cidrs, 2);
	CHECK_STR(np_cidr_str(&n->pod_cidrs[0], buf, sizeof(buf)),
		  "10.42.1.0/24");
	CHECK_STR(np_cidr_str(&n->pod_cidrs[1], buf, sizeof(buf)),
		  "2001:cafe:42:1::/64");
	CHECK_INT(n->n_internal_ips, 2);
	CHECK_STR(np_addr_str(&n->internal_ips[1], buf, sizeof(buf)),
		  "2001:db8:50::2");
	CHECK_STR(n->flannel.backend_v6_data,
		  "{\"VNI\":1,\"VtepMAC\":\"02:bb:00:00:00:06\"}");
	CHECK_STR(n->flannel.public_ipv6, "2001:db8:50::2");
	n = np_model_node(m, "node-c");
	CHECK(n);
	CHECK_INT(n->n_pod_cidrs, 1);
	CHECK_STR(np_cidr_str(&n->pod_cidrs[0], buf, sizeof(buf)),
		  "10.42.2.0/24");
	CHECK(n->flannel.backend_data == NULL);
	CHECK(np_model_get(m, NP_KIND_SERVICE, "default", "web"));
	CHECK(np_model_get(m, NP_KIND_ENDPOINTSLICE, "default", "web-abc12"));
	CHECK(np_model_get(m, NP_KIND_NAMESPACE, "", "kube-system"));
	np_manifests_free(mf);
	np_loop_free(lp);
	np_model_free(m);
}

TEST(changes_notify_once)
{
	struct np_model *m = np_model_new();
	struct np_manifests *mf = NULL;
	struct np_loop *lp = NULL;
	char *nodes, *s;
	size_t i;

	CHECK(m);
	snprintf(dir, sizeof(dir), "/tmp/np-manifests-model-XXXXXX");
	CHECK(mkdtemp(dir));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char src[512];

		snprintf(src, sizeof(src), "%s/%s", FIXTURES, files[i]);
		s = slurp(src);
		CHECK(s);
		put(files[i], s);
		free(s);
	}
	CHECK_INT(np_model_subscribe(m, ~0U, note, NULL), 0);
	CHECK_INT(np_loop_new(&lp), 0);
	notes[0] = '\0';
	CHECK_INT(np_manifests_new(lp, dir, m, &mf), 0);
	CHECK_STR(take_notes(),
		  "+Node node-a\n+Node node-b\n+Node node-c\n=Node\n"
		  "+Service default/web\n=Service\n"
		  "+EndpointSlice default/web-abc12\n=EndpointSlice\n=Pod\n"
		  "+Namespace default\n+Namespace kube-system\n=Namespace\n"
		  "=NetworkPolicy\n");

	/* A rescan of the same files changes nothing. */
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take_notes(), "");

	/* node-c gets its CIDR changed: one update. */
	nodes = slurp(p("nodes.yaml"));
	CHECK(nodes);
	s = strstr(nodes, "podCIDR: 10.42.2.0/24");
	CHECK(s);
	s[15] = '9';		/* 10.42.9.0/24 */
	put("nodes.yaml", nodes);
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take_notes(), "~Node node-c\n");

	/* nodes.yaml broken: nothing changes, it is logged. */
	put("nodes.yaml", "apiVersion: v1\nkind: Node\n  metadata: x\n");
	log_start();
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(log_stop(dir),
		  "nodeplaned: error: D/nodes.yaml:3:11: mapping values are "
		  "not allowed in this context\n"
		  "nodeplaned: warning: D/nodes.yaml: keeping the 3 objects of "
		  "its last good read\n");
	CHECK_STR(take_notes(), "");
	CHECK_INT(np_model_count(m, NP_KIND_NODE), 3);

	/* A malformed Node in a new file: the model's error, with where. */
	put("bad.yaml", "apiVersion: v1\nkind: Node\n"
			"metadata: {name: node-x}\n"
			"spec: {podCIDRs: [nope]}\n");
	log_start();
	CHECK_INT(np_manifests_rescan(mf), 0);
	log_stop(dir);
	CHECK_CONTAINS(logs, "nodeplaned: error: D/bad.yaml:1: Node node-x: "
			     "spec.podCIDRs[0]: ");
	/* stored as an invalid marker, which reconcilers see */
	CHECK_STR(take_notes(), "+Node node-x\n");
	CHECK(np_model_node(m, "node-x"));
	CHECK(np_model_node(m, "node-x")->meta.invalid);
	CHECK_CONTAINS(np_model_node(m, "node-x")->meta.invalid_why,
		       "Node node-x: spec.podCIDRs[0]: ");

	/* Deleted files: their objects are deleted, by the first scan at
	 * least 1 s after the first that missed the files. */
	np_manifests_set_clock(mf, fake_now);
	fake_ms = 1000;
	CHECK_INT(unlink(p("services.json")), 0);
	CHECK_INT(unlink(p("nodes.yaml")), 0);
	CHECK_INT(unlink(p("bad.yaml")), 0);
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take_notes(), "");
	fake_ms += 1000;
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take_sorted_notes(),
		  "-Node node-a\n-Node node-b\n-Node node-c\n-Node node-x\n"
		  "-Service default/web\n");
	free(nodes);

	np_manifests_free(mf);
	np_loop_free(lp);
	np_model_free(m);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(p(files[i]));
	rmdir(dir);
}

int main(void)
{
	orig_stderr = dup(STDERR_FILENO);
	RUN(example_directory_decodes);
	RUN(changes_notify_once);
	return check_summary();
}
