// SPDX-License-Identifier: GPL-2.0-only
/*
 * daemon/manifests.c against a recording fake of the model: the exact
 * sync_begin / upsert / sync_end sequence of each scan of a temporary
 * directory (files, edits, deletions, broken files, duplicates), the
 * exact log lines, and the inotify path (editor-style write and rename,
 * the directory moved away and back) through the real event loop.
 *
 * The fake records one line per scan:
 *   "Node[n1 n2@b !n3] Service[default/web] EndpointSlice[] Pod[] ..."
 * (an object name, "@" the value of its label "from" when it has one, "!"
 * for an object the fake rejects because it has the label "bad"), and
 * "+Node:n1" for an upsert outside a sync.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "logcap.h"
#include "log.h"
#include "loop.h"
#include "manifests.h"
#include "model/model.h"

/* ---- the fake model ---------------------------------------------------- */

struct np_model {
	int unused;
};

static struct np_model fake_model;
static char rec[16384];
static int scans;		/* sync_end of the last kind, or partial feeds */
static void (*on_scan)(void);	/* called after each recorded scan */

static const struct {
	const char *name, *api;
	bool namespaced;
} kinds[NP_KIND_COUNT] = {
	[NP_KIND_NODE] = { "Node", "v1", false },
	[NP_KIND_SERVICE] = { "Service", "v1", true },
	[NP_KIND_ENDPOINTSLICE] = { "EndpointSlice", "discovery.k8s.io/v1",
				    true },
	[NP_KIND_POD] = { "Pod", "v1", true },
	[NP_KIND_NAMESPACE] = { "Namespace", "v1", false },
	[NP_KIND_NETWORKPOLICY] = { "NetworkPolicy", "networking.k8s.io/v1",
				    true },
};

const char *np_kind_name(enum np_kind kind)
{
	return kinds[kind].name;
}

int np_kind_of(const char *api_version, const char *kind)
{
	int i;

	for (i = 0; i < NP_KIND_COUNT; i++)
		if (!strcmp(kinds[i].name, kind) &&
		    !strcmp(kinds[i].api, api_version))
			return i;
	return -1;
}

bool np_kind_namespaced(enum np_kind kind)
{
	return kinds[kind].namespaced;
}

static void rec_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void rec_add(const char *fmt, ...)
{
	size_t n = strlen(rec);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rec + n, sizeof(rec) - n, fmt, ap);
	va_end(ap);
}

static bool in_sync;

void np_model_sync_begin(struct np_model *m, enum np_kind kind)
{
	(void)m;
	in_sync = true;
	rec_add("%s%s[", kind ? " " : "", kinds[kind].name);
}

void np_model_sync_end(struct np_model *m, enum np_kind kind)
{
	(void)m;
	in_sync = false;
	rec_add("]");
	if (kind == NP_KIND_COUNT - 1) {
		rec_add("\n");
		scans++;
		if (on_scan)
			on_scan();
	}
}

int np_model_upsert(struct np_model *m, enum np_kind kind, const cJSON *obj,
		    char *err, size_t errlen)
{
	const cJSON *meta = cJSON_GetObjectItem(obj, "metadata");
	const cJSON *labels = cJSON_GetObjectItem(meta, "labels");
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(meta,
								    "name"));
	const char *ns = cJSON_GetStringValue(cJSON_GetObjectItem(meta,
								  "namespace"));
	const char *from = cJSON_GetStringValue(cJSON_GetObjectItem(labels,
								    "from"));
	char id[256];
	bool bad = cJSON_GetObjectItem(labels, "bad") != NULL;

	(void)m;
	snprintf(id, sizeof(id), "%s%s%s%s%s%s", bad ? "!" : "",
		 ns ? ns : "", ns ? "/" : "", name, from ? "@" : "",
		 from ? from : "");
	if (in_sync) {
		size_t n = strlen(rec);

		rec_add("%s%s", rec[n - 1] == '[' ? "" : " ", id);
	} else {
		rec_add("+%s:%s ", kinds[kind].name, id);
	}
	if (bad) {
		snprintf(err, errlen, "%s %s: metadata.labels.bad: rejected",
			 kinds[kind].name, name);
		return -EINVAL;
	}
	return 0;
}

/* ---- helpers ------------------------------------------------------------ */

#define REST " EndpointSlice[] Pod[] Namespace[] NetworkPolicy[]\n"
#define EMPTY "Node[] Service[]" REST

static char dir[256];
static char path[512];

static const char *p(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(p(name), "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int rm_one(const char *fpath, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(fpath);
}

static void dir_new(void)
{
	snprintf(dir, sizeof(dir), "/tmp/np-manifests-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(2);
	}
	rec[0] = '\0';
	scans = 0;
	on_scan = NULL;
}

static void dir_rm(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The clock of the missing-file rule, when a test sets it. */
static uint64_t fake_ms;

static uint64_t fake_now(void)
{
	return fake_ms;
}

/* A loop and a source over dir; the first scan runs in here. */
static struct np_loop *lp;
static struct np_manifests *mf;

static int start(void)
{
	if (np_loop_new(&lp) < 0)
		return -1;
	return np_manifests_new(lp, dir, &fake_model, &mf);
}

static void stop(void)
{
	np_manifests_free(mf);
	mf = NULL;
	np_loop_free(lp);
	lp = NULL;
	dir_rm();
	dup2(orig_stderr, STDERR_FILENO);
}

/* rec, then cleared. */
static const char *take(void)
{
	static char out[sizeof(rec)];

	snprintf(out, sizeof(out), "%s", rec);
	rec[0] = '\0';
	return out;
}

#define NODE(name, extra) \
	"apiVersion: v1\nkind: Node\nmetadata:\n  name: " name "\n" extra

/* ---- tests -------------------------------------------------------------- */

TEST(scans_every_manifest_file)
{
	dir_new();
	put("a.yaml",
	    "# two objects and things to skip\n"
	    NODE("n1", "  labels: {from: a}\n")
	    "---\n"
	    "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
	    "---\n"
	    "---\n"
	    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n");
	put("b.json", "{\"apiVersion\": \"v1\", \"kind\": \"Node\","
		      " \"metadata\": {\"name\": \"n2\"}}\n");
	put("c.yml",
	    "apiVersion: v1\nkind: NodeList\nitems:\n"
	    "- metadata: {name: n3}\n"
	    "---\n"
	    "apiVersion: v1\nkind: List\nitems:\n"
	    "- {apiVersion: v1, kind: Pod,\n"
	    "   metadata: {name: p1, namespace: kube-system}}\n"
	    "- {apiVersion: v1, kind: ConfigMap, metadata: {name: cm}}\n");
	put("target.txt", "apiVersion: v1\nkind: Namespace\n"
			  "metadata: {name: ns1}\n");
	CHECK_INT(symlink("target.txt", p("link.yaml")), 0);
	put(".hidden.yaml", NODE("hidden", ""));
	put("notes.txt", NODE("txt", ""));
	put("a.yaml~", NODE("backup", ""));
	CHECK_INT(mkdir(p("sub.yaml"), 0700), 0);
	CHECK_INT(mkfifo(p("fifo.yaml"), 0600), 0);
	log_start();
	CHECK_INT(start(), 0);
	CHECK_STR(log_stop(dir), "nodeplaned: info: manifests: reading D\n");
	CHECK_STR(take(), "Node[n1@a n2 n3] Service[default/web] "
			  "EndpointSlice[] Pod[kube-system/p1] Namespace[ns1] "
			  "NetworkPolicy[]\n");
	/* Nothing changed: the same feed (the model filters non-changes). */
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take(), "Node[n1@a n2 n3] Service[default/web] "
			  "EndpointSlice[] Pod[kube-system/p1] Namespace[ns1] "
			  "NetworkPolicy[]\n");
	stop();
}

TEST(ignored_kinds_are_debug_logged)
{
	dir_new();
	put("a.yaml", "apiVersion: apps/v1\nkind: Deployment\n"
		      "metadata: {name: d}\n---\n"
		      "apiVersion: v1\nkind: List\nitems:\n"
		      "- {apiVersion: v1, kind: ConfigMap}\n"
		      "---\n"
		      "apiVersion: discovery.k8s.io/v1beta1\n"
		      "kind: EndpointSlice\nmetadata: {name: old}\n");
	np_log_set_level(NP_LOG_DEBUG);
	log_start();
	CHECK_INT(start(), 0);
	np_log_set_level(NP_LOG_INFO);
	CHECK_STR(log_stop(dir),
		  "nodeplaned: info: manifests: reading D\n"
		  "nodeplaned: debug: D/a.yaml:1: ignoring apps/v1 Deployment "
		  "(not a kind nodeplane uses)\n"
		  "nodeplaned: debug: D/a.yaml:5: items[0]: ignoring v1 "
		  "ConfigMap (not a kind nodeplane uses)\n"
		  "nodeplaned: debug: D/a.yaml:10: ignoring "
		  "discovery.k8s.io/v1beta1 EndpointSlice (not a kind "
		  "nodeplane uses)\n");
	CHECK_STR(take(), EMPTY);
	stop();
}

TEST(edits_and_deletions)
{
	dir_new();
	put("a.yaml", NODE("n1", "") "---\n" NODE("n2", ""));
	put("b.yaml", NODE("n3", ""));
	CHECK_INT(start(), 0);
	CHECK_STR(take(), "Node[n1 n2 n3] Service[]" REST);
	/* n2 dropped from a.yaml, n1 changed. */
	put("a.yaml", NODE("n1", "  labels: {from: edit}\n"));
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take(), "Node[n1@edit n3] Service[]" REST);
	/* b.yaml deleted: kept at the first scan that misses it, deleted
	 * at one 1 s later. */
	np_manifests_set_clock(mf, fake_now);
	fake_ms = 5000;
	CHECK_INT(unlink(p("b.yaml")), 0);
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take(), "Node[n1@edit n3] Service[]" REST);
	fake_ms += 1000;
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take(), "Node[n1@edit] Service[]" REST);
	/* Every file deleted: a sync of nothing, after the same delay. */
	CHECK_INT(unlink(p("a.yaml")), 0);
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take(), "Node[n1@edit] Service[]" REST);
	fake_ms += 1000;
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take(), EMPTY);
	stop();
}

/*
 * `rm f; cp g f`: the scan that runs in between (inotify's IN_DELETE
 * comes first) must not delete f's objects: only a scan at least 1 s
 * after the first scan that missed a file deletes them. Driven with a
 * fake clock, scan by scan.
 */
TEST(missing_file_deleted_at_second_scan_1s_later)
{
	dir_new();
	put("a.yaml", NODE("n1", ""));
	put("b.yaml", NODE("n2", "") "---\n" NODE("n3", ""));
	CHECK_INT(start(), 0);
	np_manifests_set_clock(mf, fake_now);
	fake_ms = 10000;
	CHECK_STR(take(), "Node[n1 n2 n3] Service[]" REST);
	/* rm b.yaml: the scan in between keeps n2 and n3. */
	CHECK_INT(unlink(p("b.yaml")), 0);
	log_start();
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(log_stop(dir), "nodeplaned: info: D/b.yaml: missing; keeping "
		  "its 2 objects until a scan 1000 ms later still misses it\n");
	CHECK_STR(take(), "Node[n1 n2 n3] Service[]" REST);
	/* cp: back with new content; nothing was ever deleted. */
	put("b.yaml", NODE("n2", "  labels: {from: copy}\n"));
	fake_ms += 300;
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take(), "Node[n1 n2@copy] Service[]" REST);
	/* Gone again at 10300, seen back at 10800, gone at 11200: the
	 * clock restarts at each disappearance. */
	CHECK_INT(unlink(p("b.yaml")), 0);
	fake_ms += 200;
	CHECK_INT(np_manifests_rescan(mf), 0);		/* 10500: first miss */
	CHECK_STR(take(), "Node[n1 n2@copy] Service[]" REST);
	put("b.yaml", NODE("n2", "  labels: {from: copy}\n"));
	fake_ms += 300;
	CHECK_INT(np_manifests_rescan(mf), 0);		/* 10800: back */
	CHECK_STR(take(), "Node[n1 n2@copy] Service[]" REST);
	CHECK_INT(unlink(p("b.yaml")), 0);
	fake_ms += 400;
	CHECK_INT(np_manifests_rescan(mf), 0);		/* 11200: first miss */
	CHECK_STR(take(), "Node[n1 n2@copy] Service[]" REST);
	fake_ms += 999;
	CHECK_INT(np_manifests_rescan(mf), 0);		/* 12199: 999 ms */
	CHECK_STR(take(), "Node[n1 n2@copy] Service[]" REST);
	fake_ms += 1;
	log_start();
	CHECK_INT(np_manifests_rescan(mf), 0);		/* 12200: 1000 ms */
	CHECK_STR(log_stop(dir), "nodeplaned: info: D/b.yaml: missing in two "
		  "scans at least 1000 ms apart: its objects are deleted\n");
	CHECK_STR(take(), "Node[n1] Service[]" REST);
	/* and stays deleted */
	fake_ms += 5000;
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take(), "Node[n1] Service[]" REST);
	stop();
}

TEST(broken_file_keeps_its_objects)
{
	dir_new();
	put("a.yaml", NODE("n1", "") "---\n" NODE("n2", ""));
	put("b.yaml", NODE("n3", ""));
	CHECK_INT(start(), 0);
	CHECK_STR(take(), "Node[n1 n2 n3] Service[]" REST);
	/* A typo in a.yaml: its two objects stay; b.yaml's change goes on. */
	put("a.yaml", NODE("n1", "") "---\n" NODE("n2", "  labels: x: y\n"));
	put("b.yaml", NODE("n3", "  labels: {from: b}\n"));
	log_start();
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(log_stop(dir),
		  "nodeplaned: error: D/a.yaml:10:12: mapping values are not "
		  "allowed in this context\n"
		  "nodeplaned: warning: D/a.yaml: keeping the 2 objects of its "
		  "last good read\n");
	CHECK_STR(take(), "Node[n1 n2 n3@b] Service[]" REST);
	/* Still broken on the next scan: still kept. */
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take(), "Node[n1 n2 n3@b] Service[]" REST);
	/* Fixed. */
	put("a.yaml", NODE("n2", ""));
	log_start();
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(log_stop(dir), "");
	CHECK_STR(take(), "Node[n2 n3@b] Service[]" REST);
	/* Unreadable (a bad byte) counts as broken too. */
	put("b.yaml", NODE("n3", "  labels: {from: \"\xff\"}\n"));
	log_start();
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(log_stop(dir),
		  "nodeplaned: error: D/b.yaml:5:19: invalid leading UTF-8 "
		  "octet (byte 0xff)\n"
		  "nodeplaned: warning: D/b.yaml: keeping the 1 object of its "
		  "last good read\n");
	CHECK_STR(take(), "Node[n2 n3@b] Service[]" REST);
	stop();
}

TEST(broken_at_start_deletes_nothing)
{
	dir_new();
	put("a.yaml", NODE("n1", ""));
	put("b.yaml", NODE("n2", "") "  labels: [\n");
	log_start();
	CHECK_INT(start(), 0);
	CHECK_STR(log_stop(dir),
		  "nodeplaned: info: manifests: reading D\n"
		  "nodeplaned: error: D/b.yaml:6:1: did not find expected node "
		  "content (while parsing a flow node at line 6, column 1)\n"
		  "nodeplaned: warning: manifests: not deleting anything until "
		  "every file of D can be read\n");
	/* Upserts without a sync: nothing deleted, no kind synced. */
	CHECK_STR(take(), "+Node:n1 ");
	CHECK_INT(scans, 0);
	put("b.yaml", NODE("n2", ""));
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take(), "Node[n1 n2] Service[]" REST);
	/* Once synced, a new broken file does not hold back the rest. */
	put("c.yaml", "{");
	CHECK_INT(unlink(p("a.yaml")), 0);
	np_manifests_set_clock(mf, fake_now);
	fake_ms = 1000;
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take(), "Node[n1 n2] Service[]" REST);	/* first miss */
	fake_ms += 1000;
	log_start();
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(log_stop(dir),
		  "nodeplaned: error: D/c.yaml:2:1: did not find expected node "
		  "content (while parsing a flow node at line 2, column 1)\n"
		  "nodeplaned: info: D/a.yaml: missing in two scans at least "
		  "1000 ms apart: its objects are deleted\n");
	CHECK_STR(take(), "Node[n2] Service[]" REST);
	stop();
}

TEST(malformed_objects_are_skipped)
{
	dir_new();
	put("a.yaml",
	    NODE("n1", "")
	    "---\n"
	    NODE("n2", "  labels: {bad: x}\n")
	    "---\n"
	    "apiVersion: v1\nkind: Node\nmetadata: {}\n"
	    "---\n"
	    "- a list\n"
	    "---\n"
	    "just a string\n"
	    "---\n"
	    "kind: Node\nmetadata: {name: noapi}\n"
	    "---\n"
	    "apiVersion: v1\nkind: List\nitems:\n"
	    "- " "{apiVersion: v1, kind: Node, metadata: {name: n3}}\n"
	    "- " "{apiVersion: v1, kind: Node, metadata: {name: n4, "
	    "labels: {bad: y}}}\n"
	    "- 5\n"
	    "---\n"
	    "apiVersion: v1\nkind: Service\n"
	    "metadata: {name: s, namespace: [x]}\n"
	    "---\n"
	    "apiVersion: v1\nkind: ServiceList\nitems: {}\n");
	log_start();
	CHECK_INT(start(), 0);
	CHECK_STR(log_stop(dir),
		  "nodeplaned: info: manifests: reading D\n"
		  "nodeplaned: error: D/a.yaml:12: Node: metadata.name is "
		  "missing or not a string\n"
		  "nodeplaned: error: D/a.yaml:16: an object (a mapping) was "
		  "expected, not a list\n"
		  "nodeplaned: error: D/a.yaml:18: an object (a mapping) was "
		  "expected, not a string\n"
		  "nodeplaned: error: D/a.yaml:20: \"apiVersion\" is missing or "
		  "not a string\n"
		  "nodeplaned: error: D/a.yaml:23: items[2]: an object (a "
		  "mapping) was expected, not a number\n"
		  "nodeplaned: error: D/a.yaml:30: Service s: "
		  "metadata.namespace is a list, not a string\n"
		  "nodeplaned: error: D/a.yaml:34: ServiceList: items is an "
		  "object, not a list\n"
		  "nodeplaned: error: D/a.yaml:6: Node n2: metadata.labels.bad: "
		  "rejected\n"
		  "nodeplaned: error: D/a.yaml:23: items[1]: Node n4: "
		  "metadata.labels.bad: rejected\n");
	CHECK_STR(take(), "Node[n1 !n2 n3 !n4] Service[]" REST);
	stop();
}

TEST(duplicates_first_file_wins)
{
	dir_new();
	put("a.yaml", NODE("n1", "  labels: {from: a}\n") "---\n"
		      "apiVersion: v1\nkind: Service\n"
		      "metadata: {name: web, namespace: default}\n");
	put("b.yaml", "# b\n" NODE("n2", "") "---\n"
		      NODE("n1", "  labels: {from: b}\n") "---\n"
		      "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
		      "---\n"
		      "apiVersion: v1\nkind: Service\n"
		      "metadata: {name: web, namespace: other}\n"
		      "---\n"
		      "apiVersion: v1\nkind: Namespace\n"
		      "metadata: {name: web}\n");
	/* Sorted by name, so "0.yaml" comes first and wins over a.yaml. */
	put("0.yaml", "apiVersion: v1\nkind: List\nitems:\n"
		      "- apiVersion: v1\n  kind: Node\n"
		      "  metadata: {name: n2, labels: {from: zero}}\n");
	log_start();
	CHECK_INT(start(), 0);
	CHECK_STR(log_stop(dir),
		  "nodeplaned: info: manifests: reading D\n"
		  "nodeplaned: error: D/b.yaml:7: Node n1 is also defined at "
		  "D/a.yaml:1; the first is used\n"
		  "nodeplaned: error: D/b.yaml:2: Node n2 is also defined at "
		  "D/0.yaml:1: items[0]; the first is used\n"
		  "nodeplaned: error: D/b.yaml:13: Service default/web is also "
		  "defined at D/a.yaml:7; the first is used\n");
	CHECK_STR(take(), "Node[n2@zero n1@a] Service[default/web "
			  "other/web] EndpointSlice[] Pod[] Namespace[web] "
			  "NetworkPolicy[]\n");
	/* The first one removed: the other takes over (once a.yaml is
	 * missing for 1 s). */
	CHECK_INT(unlink(p("a.yaml")), 0);
	np_manifests_set_clock(mf, fake_now);
	fake_ms = 1000;
	CHECK_INT(np_manifests_rescan(mf), 0);
	fake_ms += 1000;
	take();
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(take(), "Node[n2@zero n1@b] Service[default/web "
			  "other/web] EndpointSlice[] Pod[] Namespace[web] "
			  "NetworkPolicy[]\n");
	stop();
}

TEST(missing_directory_is_retried)
{
	char base[256];

	dir_new();
	snprintf(base, sizeof(base), "%s", dir);
	/* The source watches base/m, which does not exist yet. */
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/m");
	log_start();
	CHECK_INT(start(), 0);
	CHECK_STR(log_stop(dir),
		  "nodeplaned: info: manifests: reading D\n"
		  "nodeplaned: error: manifests directory D: No such file or "
		  "directory; trying again every 2 s\n");
	CHECK_STR(take(), "");
	/* Logged once, not on every retry. */
	log_start();
	CHECK_INT(np_manifests_rescan(mf), -ENOENT);
	CHECK_STR(log_stop(dir), "");
	CHECK_INT(mkdir(dir, 0700), 0);
	put("a.yaml", NODE("n1", ""));
	log_start();
	CHECK_INT(np_manifests_rescan(mf), 0);
	CHECK_STR(log_stop(dir), "nodeplaned: info: manifests directory D: read\n");
	CHECK_STR(take(), "Node[n1] Service[]" REST);
	/* Gone again: the model keeps what it has. */
	CHECK_INT(unlink(p("a.yaml")), 0);
	CHECK_INT(rmdir(dir), 0);
	log_start();
	CHECK_INT(np_manifests_rescan(mf), -ENOENT);
	log_stop(dir);
	CHECK_STR(take(), "");
	snprintf(dir, sizeof(dir), "%s", base);
	stop();
}

/* The inotify path, as a script of steps run from the loop. */
static int step;
static char moved[300];

static void stop_now(struct np_timer *t)
{
	(void)t;
	np_loop_stop(lp, 1);	/* the safety net: the script stalled */
}

static void bring_back(struct np_timer *t)
{
	(void)t;
	/* The directory comes back with a new file: found by the retry. */
	if (rename(moved, dir) == 0)
		put("c.yaml", NODE("n5", ""));
}

static struct np_timer safety = { .fire = stop_now };
static struct np_timer later = { .fire = bring_back };

static void next_step(void)
{
	switch (++step) {
	case 1:
		/* Scan after the editor-style changes: delete b.yaml. */
		unlink(p("b.yaml"));
		break;
	case 2:
		/* The scan of the deletion keeps n2; the one 1 s later
		 * (armed by it) drops it. */
		break;
	case 3:
		/* Move the directory away; come back in 100 ms. */
		rename(dir, moved);
		np_timer_arm(lp, &later, 100);
		break;
	default:
		np_loop_stop(lp, 0);
		break;
	}
}

TEST(inotify_rescans_once_per_burst)
{
	char tmp[512];
	int fd;

	dir_new();
	snprintf(moved, sizeof(moved), "%s.moved", dir);
	put("a.yaml", NODE("n1", ""));
	CHECK_INT(start(), 0);
	CHECK_STR(take(), "Node[n1] Service[]" REST);
	/* An editor: swap file, temporary file renamed over a.yaml, and a
	 * new file written in place; all before the loop runs. */
	put(".a.yaml.swp", "x");
	put("a.yaml.tmp", NODE("n1", "  labels: {from: editor}\n"));
	snprintf(tmp, sizeof(tmp), "%s", p("a.yaml.tmp"));
	CHECK_INT(rename(tmp, p("a.yaml")), 0);
	fd = open(p("b.yaml"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, NODE("n2", ""), strlen(NODE("n2", ""))),
		  (long)strlen(NODE("n2", "")));
	close(fd);
	put("notes.txt", "not a manifest");
	step = 0;
	on_scan = next_step;
	np_timer_arm(lp, &safety, 10000);
	log_start();
	CHECK_INT(np_loop_run(lp), 0);
	CHECK_STR(log_stop(dir),
		  "nodeplaned: info: D/b.yaml: missing; keeping its 1 object "
		  "until a scan 1000 ms later still misses it\n"
		  "nodeplaned: info: D/b.yaml: missing in two scans at least "
		  "1000 ms apart: its objects are deleted\n"
		  "nodeplaned: warning: manifests directory D was removed or "
		  "moved\n"
		  "nodeplaned: error: manifests directory D: No such file or "
		  "directory; trying again every 2 s\n"
		  "nodeplaned: info: manifests directory D: read\n");
	np_timer_cancel(lp, &safety);
	np_timer_cancel(lp, &later);
	/* One scan per burst, and the missing file's second look; none for
	 * the moved directory. */
	CHECK_STR(take(), "Node[n1@editor n2] Service[]" REST
			  "Node[n1@editor n2] Service[]" REST
			  "Node[n1@editor] Service[]" REST
			  "Node[n1@editor n5] Service[]" REST);
	stop();
	rmdir(moved);
}

/* A ConfigMap volume: names are links through "..data", which the kubelet
 * swaps atomically to a new hidden directory. */
static void stop_loop(void)
{
	np_loop_stop(lp, 0);
}

TEST(configmap_volume_swap)
{
	char link[512];

	dir_new();
	CHECK_INT(mkdir(p("..v1"), 0700), 0);
	put("..v1/nodes.yaml", NODE("n1", ""));
	CHECK_INT(symlink("..v1", p("..data")), 0);
	CHECK_INT(symlink("..data/nodes.yaml", p("nodes.yaml")), 0);
	CHECK_INT(start(), 0);
	CHECK_STR(take(), "Node[n1] Service[]" REST);
	/* The kubelet's update: new directory, "..data_tmp" renamed over
	 * "..data". */
	CHECK_INT(mkdir(p("..v2"), 0700), 0);
	put("..v2/nodes.yaml", NODE("n1", "") "---\n" NODE("n2", ""));
	CHECK_INT(symlink("..v2", p("..data_tmp")), 0);
	snprintf(link, sizeof(link), "%s", p("..data_tmp"));
	CHECK_INT(rename(link, p("..data")), 0);
	on_scan = stop_loop;
	np_timer_arm(lp, &safety, 10000);
	CHECK_INT(np_loop_run(lp), 0);
	np_timer_cancel(lp, &safety);
	CHECK_STR(take(), "Node[n1 n2] Service[]" REST);
	stop();
}

int main(void)
{
	orig_stderr = dup(STDERR_FILENO);
	RUN(scans_every_manifest_file);
	RUN(ignored_kinds_are_debug_logged);
	RUN(edits_and_deletions);
	RUN(missing_file_deleted_at_second_scan_1s_later);
	RUN(broken_file_keeps_its_objects);
	RUN(broken_at_start_deletes_nothing);
	RUN(malformed_objects_are_skipped);
	RUN(duplicates_first_file_wins);
	RUN(missing_directory_is_retried);
	RUN(inotify_rescans_once_per_burst);
	RUN(configmap_volume_swap);
	return check_summary();
}
