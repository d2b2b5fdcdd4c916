// SPDX-License-Identifier: GPL-2.0-only
/*
 * daemon/kube/ against the test API server (tests/apiserver/apiserver.py,
 * certificates and kubeconfigs from tests/apiserver/mkcerts.sh), on free
 * loopback ports in a temporary directory: list + watch into the real
 * model, watch events, 410 relists (HTTP and ERROR event), dropped
 * connections, bookmarks, slow responses, the server away and back, node
 * status patches, every kubeconfig variant, and refused TLS.
 *
 * The tests run as a coroutine (ucontext) on nodeplaned's loop: waiting
 * means yielding to the loop for a while, so the client under test runs
 * exactly as in the daemon. The server is driven through its plain-HTTP
 * control port with a blocking libcurl handle. Every wait has a generous
 * deadline and fails naming what never happened; nothing asserts timing.
 * Tests SKIP when python3 or openssl is missing; any other set-up failure
 * (mkcerts.sh, apiserver.py, or our own kubeconfig loader and client) is
 * a FAIL of every test.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <curl/curl.h>

#include "apiserver_fix.h"
#include "check.h"
#include "config.h"
#include "kube/kinds.h"
#include "kube/kube.h"
#include "kube/kube_int.h"
#include "logcap.h"
#include "log.h"
#include "loop.h"
#include "model/model.h"

#define WAIT_MS		15000	/* deadline of every wait */

static char dir[256];		/* temporary directory */
static char setup_skip[256];	/* a missing prerequisite: every test SKIPs */
static char setup_err[2048];	/* set-up failed: every test FAILs */
static struct np_loop *lp;
static struct np_model *m;
static struct np_kube *k;	/* k3s.yaml client: Nodes, Namespaces, Services */

static const struct np_kube_opts opts = {
	.connect_timeout_ms = 2000,
	.request_timeout_ms = 5000,
	.watch_timeout_s = 5,		/* clean watch ends happen too */
	.idle_timeout_ms = 4000,	/* the server bookmarks every second */
	.backoff_min_ms = 100,
	.backoff_max_ms = 800,
};

/* ---- the coroutine ---- */

static ucontext_t main_uc, test_uc;
static struct np_timer resume;
static bool tests_done;

static void resume_fire(struct np_timer *t)
{
	(void)t;
	swapcontext(&main_uc, &test_uc);
	if (tests_done)
		np_loop_stop(lp, 0);
}

/* Lets the loop run for ms. */
static void yield_ms(unsigned int ms)
{
	np_timer_arm(lp, &resume, ms);
	swapcontext(&test_uc, &main_uc);
}

/* Runs the loop until cond() holds (true) or WAIT_MS passed (false). */
static bool wait_for(bool (*cond)(void))
{
	uint64_t end = np_now_ms() + WAIT_MS;

	while (!cond()) {
		if (np_now_ms() > end)
			return false;
		yield_ms(20);
	}
	return true;
}

/* ---- files and the server ---- */

/* The kubeconfigs name port 6443; the server listens elsewhere. */
static int fix_port(const char *path)
{
	char *text = slurp(path), *p, port[16], *out;
	const char *from = "https://127.0.0.1:6443";
	int r;

	if (!text)
		return -1;
	p = strstr(text, from);
	if (!p) {
		free(text);
		return -1;
	}
	snprintf(port, sizeof(port), "%d", api_port);
	if (asprintf(&out, "%.*shttps://127.0.0.1:%s%s", (int)(p - text), text,
		     port, p + strlen(from)) < 0) {
		free(text);
		return -1;
	}
	r = write_file(path, out);
	free(out);
	free(text);
	return r;
}

static const char nodes_json[] =
	"{\"kind\": \"NodeList\", \"apiVersion\": \"v1\", \"items\": [\n"
	" {\"metadata\": {\"name\": \"node-a\"},\n"
	"  \"spec\": {\"podCIDR\": \"10.42.0.0/24\", "
	"\"podCIDRs\": [\"10.42.0.0/24\"]},\n"
	"  \"status\": {\"addresses\": [{\"type\": \"InternalIP\", "
	"\"address\": \"192.168.50.1\"}]}},\n"
	" {\"metadata\": {\"name\": \"node-b\"},\n"
	"  \"spec\": {\"podCIDRs\": [\"10.42.1.0/24\"]},\n"
	"  \"status\": {\"addresses\": [{\"type\": \"InternalIP\", "
	"\"address\": \"192.168.50.2\"}]}},\n"
	" {\"metadata\": {\"name\": \"node-bad\"},\n"
	"  \"spec\": {\"podCIDRs\": [\"not-a-cidr\"]}},\n"
	" {\"metadata\": {\"name\": \"node-c\"},\n"
	"  \"spec\": {\"podCIDRs\": [\"10.42.2.0/24\"]}}\n"
	"]}\n";

static const char namespaces_json[] =
	"[{\"kind\": \"Namespace\", \"metadata\": {\"name\": \"default\"}},\n"
	" {\"kind\": \"Namespace\", \"metadata\": {\"name\": \"kube-system\"}}]\n";

static int run_mkcerts(const char *sub)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "bash %s %s/%s --server "
		 "https://127.0.0.1:6443 >%s/mkcerts.log 2>&1", MKCERTS, dir,
		 sub, dir);
	return system(cmd) ? -1 : 0;
}

static int start_server(void)
{
	static const char *const files[][2] = {
		{ "nodes.json", nodes_json },
		{ "namespaces.json", namespaces_json },
		{ NULL, NULL },
	};
	static const char *const extra[] = { "--bookmark-interval", "1", NULL };

	return apiserver_start(dir, files, extra);
}

/* ---- the control API (apiserver_fix.h: ctl, ctl_ok) ---- */

/* stats.<table>.<key> (e.g. "lists", "nodes"); -1 when unavailable. */
static long stat_of(const char *table, const char *key)
{
	cJSON *j = ctl("GET", "/stats", NULL);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, table);
	const cJSON *v = key ? cJSON_GetObjectItemCaseSensitive(t, key) : t;
	long r = cJSON_IsNumber(v) ? (long)v->valuedouble : -1;

	cJSON_Delete(j);
	return r;
}

/* GET /stats/KEY as text (static buffer), "" when unavailable. */
static const char *stat_text(const char *key)
{
	static char text[256];
	cJSON *j = ctl("GET", "/stats", NULL);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	snprintf(text, sizeof(text), "%s", cJSON_IsString(v) ?
		 v->valuestring : "");
	cJSON_Delete(j);
	return text;
}

static char *node_json(const char *name, const char *cidr)
{
	char *s;

	if (asprintf(&s, "{\"kind\": \"Node\", \"apiVersion\": \"v1\", "
		     "\"metadata\": {\"name\": \"%s\"}, \"spec\": "
		     "{\"podCIDRs\": [\"%s\"]}}", name, cidr) < 0)
		return NULL;
	return s;
}

static bool put_node(const char *name, const char *cidr)
{
	char *s = node_json(name, cidr);
	bool ok = s && ctl_ok("PUT", "/objects", s);

	free(s);
	return ok;
}

static bool delete_node(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/objects/nodes/%s", name);
	return ctl_ok("DELETE", path, NULL);
}

/* ---- model conditions ---- */

static const char *want_name;	/* the node a condition looks at */
static const char *want_cidr;	/* its expected first pod CIDR */

static bool node_present(void)
{
	const struct np_node *n = np_model_node(m, want_name);
	char text[64];

	if (!n)
		return false;
	if (!want_cidr)
		return true;
	if (!n->n_pod_cidrs)
		return false;
	np_cidr_str(&n->pod_cidrs[0], text, sizeof(text));
	return !strcmp(text, want_cidr);
}

static bool node_absent(void)
{
	return !np_model_node(m, want_name);
}

static bool all_synced(void)
{
	return np_model_synced(m, NP_KIND_NODE) &&
	       np_model_synced(m, NP_KIND_NAMESPACE) &&
	       np_model_synced(m, NP_KIND_SERVICE);
}

static bool wait_node(const char *name, const char *cidr)
{
	want_name = name;
	want_cidr = cidr;
	return wait_for(node_present);
}

static bool wait_no_node(const char *name)
{
	want_name = name;
	return wait_for(node_absent);
}

static long lists_want;

static bool lists_reached(void)
{
	return stat_of("lists", "nodes") >= lists_want;
}

static long starts_want;

/* A Nodes watch open again, started after starts_want - 1 others. */
static bool nodes_watching(void)
{
	return stat_of("watchesStarted", "nodes") >= starts_want &&
	       stat_of("watches", "nodes") == 1;
}

/* ---- patches ---- */

struct done_rec {
	bool done;
	long status;
	char err[512];
};

static struct done_rec *cur_done;

static void on_done(void *ctx, long status, const char *err)
{
	struct done_rec *d = ctx;

	d->done = true;
	d->status = status;
	snprintf(d->err, sizeof(d->err), "%s", err ? err : "");
}

static bool patch_done(void)
{
	return cur_done->done;
}

/* Patches nodes/<name>/status through kube and waits for the answer. */
static bool patch_wait(struct np_kube *kc, const char *name,
		       const char *patch, struct done_rec *d)
{
	memset(d, 0, sizeof(*d));
	cur_done = d;
	if (np_kube_patch_node_status(kc, name, patch, on_done, d))
		return false;
	return wait_for(patch_done);
}

/* ---- tests ---- */

#define NEED_SETUP() do {						\
	if (setup_skip[0])						\
		SKIP("%s", setup_skip);					\
	if (setup_err[0])						\
		CHECK_FAIL("set-up: %s", setup_err);			\
} while (0)

TEST(initial_list_lands_in_the_model)
{
	const struct np_node *n;
	char text[64];

	NEED_SETUP();
	if (!wait_for(all_synced))
		CHECK_FAIL("Nodes/Namespaces/Services never synced");
	/* node-bad is malformed: logged and kept as an invalid marker. */
	CHECK_INT(np_model_count(m, NP_KIND_NODE), 4);
	CHECK_INT(np_model_count(m, NP_KIND_NAMESPACE), 2);
	CHECK_INT(np_model_count(m, NP_KIND_SERVICE), 0);
	n = np_model_node(m, "node-a");
	CHECK(n);
	CHECK_INT(n->n_pod_cidrs, 1);
	np_cidr_str(&n->pod_cidrs[0], text, sizeof(text));
	CHECK_STR(text, "10.42.0.0/24");
	CHECK_INT(n->n_internal_ips, 1);
	CHECK(np_model_node(m, "node-bad"));
	CHECK(np_model_node(m, "node-bad")->meta.invalid);
	CHECK(np_model_get(m, NP_KIND_NAMESPACE, "", "kube-system"));
	CHECK_INT(stat_of("lists", "nodes"), 1);
	CHECK_INT(stat_of("lists", "namespaces"), 1);
	CHECK(kube_watch_rv(k, NP_KIND_NODE));
}

TEST(put_is_an_upsert)
{
	NEED_SETUP();
	CHECK(put_node("node-d", "10.42.3.0/24"));
	if (!wait_node("node-d", "10.42.3.0/24"))
		CHECK_FAIL("node-d (ADDED) never reached the model");
	CHECK(put_node("node-d", "10.42.33.0/24"));
	if (!wait_node("node-d", "10.42.33.0/24"))
		CHECK_FAIL("node-d's new pod CIDR (MODIFIED) never reached "
			   "the model");
	CHECK_INT(np_model_count(m, NP_KIND_NODE), 5);
}

TEST(delete_is_a_delete)
{
	NEED_SETUP();
	CHECK(delete_node("node-d"));
	if (!wait_no_node("node-d"))
		CHECK_FAIL("node-d (DELETED) still in the model");
	CHECK_INT(np_model_count(m, NP_KIND_NODE), 4);
}

TEST(drop_rewatches_without_relisting)
{
	long lists = stat_of("lists", "nodes");

	NEED_SETUP();
	starts_want = stat_of("watchesStarted", "nodes") + 1;
	CHECK(ctl_ok("POST", "/drop", NULL));
	CHECK(put_node("node-f", "10.42.5.0/24"));
	if (!wait_node("node-f", NULL))
		CHECK_FAIL("node-f, put during the drop, never arrived");
	if (!wait_for(nodes_watching))
		CHECK_FAIL("no new Nodes watch after the drop");
	CHECK_INT(stat_of("lists", "nodes"), lists);
	CHECK_INT(stat_of("gone", "nodes"), 0);
}

/* The watch's RV falls behind the compaction while the server is away. */
TEST(relist_on_http_410)
{
	long lists = stat_of("lists", "nodes");

	NEED_SETUP();
	CHECK(ctl_ok("POST", "/error410mode?mode=http", NULL));
	CHECK(ctl_ok("POST", "/down", NULL));
	CHECK(delete_node("node-c"));
	CHECK(ctl_ok("POST", "/compact", NULL));
	CHECK(ctl_ok("POST", "/up", NULL));
	lists_want = lists + 1;
	if (!wait_for(lists_reached))
		CHECK_FAIL("no relist after the compaction (lists %ld)",
			   stat_of("lists", "nodes"));
	if (!wait_no_node("node-c"))
		CHECK_FAIL("node-c, deleted while away, is still in the "
			   "model after the relist");
	CHECK(wait_for(all_synced));
	CHECK(ctl_ok("POST", "/error410mode?mode=event", NULL));
	CHECK_INT(stat_of("lists", "nodes"), lists + 1);
	CHECK(stat_of("gone", "nodes") >= 1);
}

TEST(relist_on_error_event_410)
{
	long lists = stat_of("lists", "nodes");
	long gone = stat_of("gone", "nodes");

	NEED_SETUP();
	/* The server's default: an ERROR event, as kube-apiserver 1.3x. */
	CHECK_STR(stat_text("error410mode"), "event");
	CHECK(ctl_ok("POST", "/down", NULL));
	CHECK(put_node("node-e", "10.42.4.0/24"));
	CHECK(ctl_ok("POST", "/compact", NULL));
	CHECK(ctl_ok("POST", "/up", NULL));
	lists_want = lists + 1;
	if (!wait_for(lists_reached))
		CHECK_FAIL("no relist after an ERROR 410 event");
	if (!wait_node("node-e", "10.42.4.0/24"))
		CHECK_FAIL("node-e never arrived after the relist");
	CHECK(stat_of("gone", "nodes") > gone);
	CHECK_INT(stat_of("lists", "nodes"), lists + 1);
}

static const char *bm_rv;

static bool rv_reached(void)
{
	const char *rv = kube_watch_rv(k, NP_KIND_NODE);

	return rv && !strcmp(rv, bm_rv);
}

/*
 * A change of another kind moves the global RV; only a BOOKMARK brings the
 * Nodes watch there. Compacting to it and cutting the connection must then
 * re-watch from the bookmark without a relist.
 */
TEST(bookmark_advances_the_rv)
{
	cJSON *res;
	const cJSON *rv;
	char saved[64];
	long lists, gone;

	NEED_SETUP();
	res = ctl("PUT", "/objects", "{\"kind\": \"Service\", \"metadata\": "
		  "{\"name\": \"dns\", \"namespace\": \"kube-system\"}, "
		  "\"spec\": {\"clusterIP\": \"10.43.0.10\"}}");
	rv = cJSON_GetObjectItemCaseSensitive(res, "resourceVersion");
	CHECK(cJSON_IsString(rv));
	snprintf(saved, sizeof(saved), "%s", rv->valuestring);
	cJSON_Delete(res);
	bm_rv = saved;
	CHECK(ctl_ok("POST", "/bookmark", NULL));
	if (!wait_for(rv_reached))
		CHECK_FAIL("the Nodes watch's RV never became %s (it is %s)",
			   saved, kube_watch_rv(k, NP_KIND_NODE));
	lists = stat_of("lists", "nodes");
	gone = stat_of("gone", "nodes");
	starts_want = stat_of("watchesStarted", "nodes") + 1;
	CHECK(ctl_ok("POST", "/down", NULL));
	CHECK(ctl_ok("POST", "/compact", NULL));
	CHECK(ctl_ok("POST", "/up", NULL));
	if (!wait_for(nodes_watching))
		CHECK_FAIL("the Nodes watch never came back");
	CHECK_INT(stat_of("gone", "nodes"), gone);
	CHECK_INT(stat_of("lists", "nodes"), lists);
}

TEST(slow_responses_converge)
{
	NEED_SETUP();
	CHECK(ctl_ok("POST", "/delay?ms=300", NULL));
	CHECK(ctl_ok("POST", "/drop", NULL));
	CHECK(put_node("node-g", "10.42.6.0/24"));
	if (!wait_node("node-g", NULL))
		CHECK_FAIL("node-g never arrived with slow responses");
	CHECK(delete_node("node-g"));
	if (!wait_no_node("node-g"))
		CHECK_FAIL("node-g's delete never arrived with slow "
			   "responses");
	CHECK(ctl_ok("POST", "/delay?ms=0", NULL));
}

TEST(server_away_then_back)
{
	long lists = stat_of("lists", "nodes");

	NEED_SETUP();
	CHECK(ctl_ok("POST", "/down", NULL));
	CHECK(put_node("node-h", "10.42.7.0/24"));
	CHECK(delete_node("node-a"));
	yield_ms(2500);		/* several failed reconnects */
	/* Nothing changes while away; the kind stays synced. */
	CHECK(np_model_node(m, "node-a"));
	CHECK(!np_model_node(m, "node-h"));
	CHECK(np_model_synced(m, NP_KIND_NODE));
	CHECK(ctl_ok("POST", "/up", NULL));
	if (!wait_node("node-h", NULL))
		CHECK_FAIL("node-h never arrived after the server came back");
	if (!wait_no_node("node-a"))
		CHECK_FAIL("node-a is still in the model after the server "
			   "came back");
	CHECK_INT(stat_of("lists", "nodes"), lists);
}

TEST(patch_node_status)
{
	static const char patch[] =
		"{\"metadata\":{\"annotations\":{"
		"\"flannel.alpha.coreos.com/backend-type\":\"vxlan\","
		"\"flannel.alpha.coreos.com/public-ip\":\"192.168.50.2\"}}}";
	const cJSON *md, *ann, *v, *last;
	struct done_rec d;
	cJSON *obj, *list;

	NEED_SETUP();
	CHECK(ctl_ok("DELETE", "/patches", NULL));
	if (!patch_wait(k, "node-b", patch, &d))
		CHECK_FAIL("the PATCH never completed");
	CHECK_STR(d.err, "");
	CHECK_INT(d.status, 200);
	obj = ctl("GET", "/objects/nodes/node-b", NULL);
	md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	ann = cJSON_GetObjectItemCaseSensitive(md, "annotations");
	v = cJSON_GetObjectItemCaseSensitive(ann,
		"flannel.alpha.coreos.com/backend-type");
	CHECK(cJSON_IsString(v));
	CHECK_STR(v->valuestring, "vxlan");
	cJSON_Delete(obj);
	list = ctl("GET", "/patches", NULL);
	CHECK_INT(cJSON_GetArraySize(list), 1);
	last = cJSON_GetArrayItem(list, 0);
	CHECK_STR(cJSON_GetObjectItemCaseSensitive(last, "path")->valuestring,
		  "/api/v1/nodes/node-b/status");
	CHECK_STR(cJSON_GetObjectItemCaseSensitive(last,
		  "contentType")->valuestring,
		  "application/strategic-merge-patch+json");
	CHECK_STR(cJSON_GetObjectItemCaseSensitive(last, "body")->valuestring,
		  patch);
	cJSON_Delete(list);
}

static bool node_b_annotated(void)
{
	const struct np_node *n = np_model_node(m, "node-b");

	return n && n->flannel.backend_type &&
	       !strcmp(n->flannel.backend_type, "vxlan");
}

TEST(patch_comes_back_through_the_watch)
{
	NEED_SETUP();
	if (!wait_for(node_b_annotated))
		CHECK_FAIL("node-b's patched annotation never reached the "
			   "model");
}

TEST(patch_errors_reach_the_caller)
{
	struct done_rec d;

	NEED_SETUP();
	if (!patch_wait(k, "nope", "{}", &d))
		CHECK_FAIL("the PATCH never completed");
	CHECK_INT(d.status, 404);
	CHECK_STR(d.err, "HTTP 404: nodes \"nope\" not found");
	CHECK_INT(np_kube_patch_node_status(k, "Bad/Name", "{}", NULL, NULL),
		  -EINVAL);
}

/* A client from kubeconfig-<variant>.yaml (mutate may change it). */
static int client(const char *variant, void (*mutate)(struct np_kubeconfig *),
		  struct np_kube **out, char *err, size_t errlen)
{
	struct np_kubeconfig kc;
	char path[512];
	int r;

	snprintf(path, sizeof(path), "%s/certs/kubeconfig-%s.yaml", dir,
		 variant);
	if (np_kubeconfig_load(path, &kc, err, errlen))
		return -1;
	if (mutate)
		mutate(&kc);
	r = np_kube_new(lp, &kc, &opts, out);
	np_kubeconfig_free(&kc);
	if (r)
		snprintf(err, errlen, "np_kube_new: %s", strerror(-r));
	return r ? -1 : 0;
}

static struct np_model *m2;

static bool m2_synced(void)
{
	return np_model_synced(m2, NP_KIND_NODE);
}

TEST(kubeconfig_variants_authenticate)
{
	static const char *const variants[] = {
		"k3s", "files", "token", "tokenfile",
	};
	long token = stat_of("auth", "token");
	long rejected = stat_of("auth", "rejected");
	struct np_kube *kv;
	struct done_rec d;
	char err[1024];
	size_t i;
	bool ok;

	NEED_SETUP();
	for (i = 0; i < 4; i++) {
		if (client(variants[i], NULL, &kv, err, sizeof(err)))
			CHECK_FAIL("%s: %s", variants[i], err);
		ok = patch_wait(kv, "node-b", "{}", &d);
		np_kube_free(kv);
		if (!ok)
			CHECK_FAIL("%s: the PATCH never completed",
				   variants[i]);
		if (d.status != 200)
			CHECK_FAIL("%s: HTTP %ld: %s", variants[i], d.status,
				   d.err);
	}
	/*
	 * 200 means authenticated (the server answers 401 otherwise). The
	 * main client's watches use the certificate too, so only the token
	 * count is exact.
	 */
	CHECK_INT(stat_of("auth", "token"), token + 2);
	CHECK_INT(stat_of("auth", "rejected"), rejected);

	/* A token client lists and watches as well. */
	if (client("token", NULL, &kv, err, sizeof(err)))
		CHECK_FAIL("token: %s", err);
	m2 = np_model_new();
	CHECK(m2);
	CHECK_INT(np_kube_watch(kv, NP_KIND_NODE, m2), 0);
	CHECK_INT(np_kube_watch(kv, NP_KIND_NODE, m2), -EEXIST);
	ok = wait_for(m2_synced);
	np_kube_free(kv);
	CHECK(ok);
	CHECK_INT(np_model_count(m2, NP_KIND_NODE), np_model_count(m,
		  NP_KIND_NODE));
	np_model_free(m2);
}

static void sni_localhost(struct np_kubeconfig *kc)
{
	kc->tls_server_name = strdup("localhost");
}

static void sni_wrong(struct np_kubeconfig *kc)
{
	kc->tls_server_name = strdup("wrong.example");
}

static void bad_token(struct np_kubeconfig *kc)
{
	free(kc->token);
	kc->token = strdup("not-the-token");
	free(kc->source);	/* built by hand: never read again */
	kc->source = NULL;
}

/* Runs one no-op PATCH through a mutated client. */
static bool try_client(const char *variant,
		       void (*mutate)(struct np_kubeconfig *),
		       struct done_rec *d, char *err, size_t errlen)
{
	struct np_kube *kv;
	bool ok;

	if (client(variant, mutate, &kv, err, errlen))
		return false;
	ok = patch_wait(kv, "node-b", "{}", d);
	np_kube_free(kv);
	if (!ok)
		snprintf(err, errlen, "the PATCH never completed");
	return ok;
}

TEST(tls_server_name)
{
	struct done_rec d;
	char err[1024];

	NEED_SETUP();
	/* Connects to 127.0.0.1, verifies the certificate for localhost. */
	if (!try_client("k3s", sni_localhost, &d, err, sizeof(err)))
		CHECK_FAIL("%s", err);
	CHECK_STR(d.err, "");
	CHECK_INT(d.status, 200);
	if (!try_client("k3s", sni_wrong, &d, err, sizeof(err)))
		CHECK_FAIL("%s", err);
	CHECK_INT(d.status, 0);
	CHECK_CONTAINS(d.err, "wrong.example");
}

TEST(tls_is_verified)
{
	struct done_rec d;
	char err[1024], other[512];
	long rejected = stat_of("auth", "rejected");

	NEED_SETUP();
	/* The kubeconfig of another cluster CA: the server is not trusted. */
	if (run_mkcerts("other"))
		CHECK_FAIL("mkcerts.sh for a second CA failed");
	snprintf(other, sizeof(other), "%s/other/kubeconfig-k3s.yaml", dir);
	CHECK_INT(fix_port(other), 0);
	{
		struct np_kubeconfig kc;
		struct np_kube *kv;
		bool ok;

		if (np_kubeconfig_load(other, &kc, err, sizeof(err)))
			CHECK_FAIL("%s", err);
		CHECK_INT(np_kube_new(lp, &kc, &opts, &kv), 0);
		np_kubeconfig_free(&kc);
		ok = patch_wait(kv, "node-b", "{}", &d);
		np_kube_free(kv);
		CHECK(ok);
	}
	CHECK_INT(d.status, 0);
	CHECK_CONTAINS(d.err, "SSL certificate problem");

	if (!try_client("token", bad_token, &d, err, sizeof(err)))
		CHECK_FAIL("%s", err);
	CHECK_INT(d.status, 401);
	CHECK_STR(d.err, "HTTP 401: Unauthorized");
	CHECK_INT(stat_of("auth", "rejected"), rejected + 1);
}

/* One event far larger than a TLS record or a libcurl write. */
TEST(large_event_spans_many_reads)
{
	size_t big = 300000;
	char *pad = malloc(big + 1), *obj;
	bool ok;

	NEED_SETUP();
	CHECK(pad);
	memset(pad, 'x', big);
	pad[big] = '\0';
	if (asprintf(&obj, "{\"kind\": \"Node\", \"metadata\": {\"name\": "
		     "\"node-big\", \"annotations\": {\"example.com/pad\": "
		     "\"%s\"}}, \"spec\": {\"podCIDRs\": [\"10.42.9.0/24\"]}}",
		     pad) < 0)
		obj = NULL;
	free(pad);
	CHECK(obj);
	ok = ctl_ok("PUT", "/objects", obj);
	free(obj);
	CHECK(ok);
	if (!wait_node("node-big", "10.42.9.0/24"))
		CHECK_FAIL("node-big (a 300 kB event) never reached the model");
	CHECK(delete_node("node-big"));
	if (!wait_no_node("node-big"))
		CHECK_FAIL("node-big's delete never reached the model");
}

static bool burst_arrived(void)
{
	char name[32];
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "burst-%02d", i);
		if (!np_model_node(m, name))
			return false;
	}
	return true;
}

static bool burst_gone(void)
{
	char name[32];
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "burst-%02d", i);
		if (np_model_node(m, name))
			return false;
	}
	return true;
}

/* Many events back to back: several per read. */
TEST(burst_of_events)
{
	char *list = NULL, *item, *tmp, name[32];
	size_t n0 = np_model_count(m, NP_KIND_NODE);
	int i;
	bool ok;

	NEED_SETUP();
	list = strdup("{\"kind\": \"List\", \"items\": [");
	for (i = 0; i < 40 && list; i++) {
		snprintf(name, sizeof(name), "burst-%02d", i);
		item = node_json(name, "10.42.10.0/24");
		tmp = list;
		if (!item || asprintf(&list, "%s%s%s", tmp, i ? "," : "",
				      item) < 0)
			list = NULL;
		free(tmp);
		free(item);
	}
	CHECK(list);
	tmp = list;
	if (asprintf(&list, "%s]}", tmp) < 0)
		list = NULL;
	free(tmp);
	CHECK(list);
	ok = ctl_ok("PUT", "/objects", list);
	free(list);
	CHECK(ok);
	if (!wait_for(burst_arrived))
		CHECK_FAIL("not all of 40 nodes put at once arrived");
	CHECK_INT(np_model_count(m, NP_KIND_NODE), n0 + 40);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "burst-%02d", i);
		CHECK(delete_node(name));
	}
	if (!wait_for(burst_gone))
		CHECK_FAIL("not all of 40 deleted nodes left the model");
	CHECK_INT(np_model_count(m, NP_KIND_NODE), n0);
}

static bool rewatched(void)
{
	return stat_of("watchesStarted", "nodes") >= starts_want;
}

/* timeoutSeconds runs out: a new watch from the last RV, no relist. */
TEST(clean_watch_end_rewatches)
{
	long lists = stat_of("lists", "nodes");
	long dropped = stat_of("dropped", NULL);

	NEED_SETUP();
	starts_want = stat_of("watchesStarted", "nodes") + 1;
	if (!wait_for(rewatched))
		CHECK_FAIL("the Nodes watch was not renewed after its "
			   "timeoutSeconds");
	CHECK(put_node("node-i", "10.42.8.0/24"));
	if (!wait_node("node-i", NULL))
		CHECK_FAIL("node-i never arrived on the renewed watch");
	CHECK_INT(stat_of("lists", "nodes"), lists);
	CHECK_INT(stat_of("dropped", NULL), dropped);
}

/* ---- the request log (GET /requests) ---- */

/* The log from entry `from` on (a mark from req_mark()). */
static cJSON *req_log(int from)
{
	cJSON *log = ctl("GET", "/requests", NULL);

	while (cJSON_IsArray(log) && from-- > 0)
		cJSON_DeleteItemFromArray(log, 0);
	return log;
}

/* The log's length now: what comes later is the test's own. */
static int req_mark(void)
{
	cJSON *log = ctl("GET", "/requests", NULL);
	int n = cJSON_IsArray(log) ? cJSON_GetArraySize(log) : -1;

	cJSON_Delete(log);
	return n;
}

/* The query value key of request entry e, or NULL. */
static const char *req_q(const cJSON *e, const char *key)
{
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(e, "query");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(q, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *req_s(const cJSON *e, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/*
 * "LIST /api/v1/nodes" / "WATCH ..." lines of the requests made with
 * auth (cert or token), in order, sorted and unique when uniq.
 */
static void req_summary(const cJSON *log, const char *auth, char *out,
			size_t len)
{
	const cJSON *e;
	size_t o = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(e, log) {
		char line[256];

		if (strcmp(req_s(e, "auth"), auth))
			continue;
		snprintf(line, sizeof(line), "%s %s;", req_q(e, "watch") ?
			 "WATCH" : "LIST", req_s(e, "path"));
		if (strstr(out, line))
			continue;
		o += (size_t)snprintf(out + o, len - o, "%s", line);
		if (o >= len)
			break;
	}
}

/* The first list of Nodes: any version (the watch cache), then pages. */
TEST(first_list_is_at_resource_version_0)
{
	cJSON *log;
	const cJSON *e;
	bool found = false;

	NEED_SETUP();
	log = ctl("GET", "/requests", NULL);
	CHECK(cJSON_IsArray(log));
	cJSON_ArrayForEach(e, log) {
		if (strcmp(req_s(e, "path"), "/api/v1/nodes") ||
		    req_q(e, "watch"))
			continue;
		found = true;
		break;
	}
	if (!found) {
		cJSON_Delete(log);
		CHECK_FAIL("no list of Nodes in the request log");
	}
	{
		char rv[64], lim[64];

		snprintf(rv, sizeof(rv), "%s", req_q(e, "resourceVersion") ?
			 req_q(e, "resourceVersion") : "(unset)");
		snprintf(lim, sizeof(lim), "%s", req_q(e, "limit") ?
			 req_q(e, "limit") : "(unset)");
		cJSON_Delete(log);
		CHECK_STR(rv, "0");
		CHECK_STR(lim, "500");
	}
}

/*
 * The 410 relists of relist_on_http_410 and relist_on_error_event_410
 * asked for "not older than" the last RV, without a limit (served from
 * the watch cache), never for resourceVersion=0 again.
 */
TEST(relist_is_not_older_than_the_last_rv)
{
	cJSON *log;
	const cJSON *e;
	int lists = 0, at_rv = 0, at_zero = 0, limited = 0;

	NEED_SETUP();
	log = ctl("GET", "/requests", NULL);
	CHECK(cJSON_IsArray(log));
	cJSON_ArrayForEach(e, log) {
		const char *rv = req_q(e, "resourceVersion");

		if (strcmp(req_s(e, "path"), "/api/v1/nodes") ||
		    req_q(e, "watch") || strcmp(req_s(e, "auth"), "cert"))
			continue;
		lists++;
		if (rv && !strcmp(rv, "0"))
			at_zero++;
		else if (rv && *rv)
			at_rv++;
		if (rv && *rv && strcmp(rv, "0") && req_q(e, "limit"))
			limited++;
	}
	cJSON_Delete(log);
	CHECK_INT(at_zero, 1);
	CHECK(at_rv >= 2);
	CHECK_INT(limited, 0);
	CHECK_INT(lists, at_zero + at_rv);
}

/* ---- watched kinds follow the enabled reconcilers ---- */

static struct np_model *m3;

static bool m3_nodes_synced(void)
{
	return np_model_synced(m3, NP_KIND_NODE);
}

/* Watches the kinds np_kube_kinds() gives for cfg, as main.c does. */
static int watch_for_config(struct np_kube *kv, const struct np_config *c,
			    struct np_model *mm)
{
	uint32_t kinds = np_kube_kinds(c);
	unsigned int i;
	int r;

	for (i = 0; i < NP_KIND_COUNT; i++) {
		if (!(kinds & (1U << i)))
			continue;
		r = np_kube_watch(kv, (enum np_kind)i, mm);
		if (r)
			return r;
	}
	return 0;
}

TEST(only_the_enabled_reconcilers_kinds_are_watched)
{
	struct np_config cfg;
	struct np_kube *kv;
	char err[1024], sum[1024], text[128];
	cJSON *log;
	int mark;
	bool ok;

	NEED_SETUP();
	np_config_init(&cfg);
	/* By default ServiceLB and hostPort read Services, EndpointSlices
	 * and Pods besides, NetworkPolicy Namespaces and NetworkPolicies. */
	CHECK_INT(np_kube_kinds(&cfg), 1U << NP_KIND_NODE |
		  1U << NP_KIND_SERVICE | 1U << NP_KIND_ENDPOINTSLICE |
		  1U << NP_KIND_POD | 1U << NP_KIND_NAMESPACE |
		  1U << NP_KIND_NETWORKPOLICY);
	np_kube_kinds_str(np_kube_kinds(&cfg), text, sizeof(text));
	CHECK_STR(text, "Node, Service, EndpointSlice, Pod, Namespace, NetworkPolicy");
	CHECK_INT(np_kube_kinds_node_only(&cfg), 0);
	/* without ServiceLB, NetworkPolicy still reads every Pod (peers
	 * are cluster-wide) */
	strcpy(cfg.disable[cfg.n_disable++], "servicelb");
	CHECK_INT(np_kube_kinds_node_only(&cfg), 0);
	strcpy(cfg.disable[cfg.n_disable++], "network-policy");
	/* hostPort alone: Services still claim ports (Nodes, Services, Pods) */
	CHECK_INT(np_kube_kinds(&cfg), 1U << NP_KIND_NODE |
		  1U << NP_KIND_SERVICE | 1U << NP_KIND_POD);
	/* ... and only this node's Pods then (ServiceLB's leader replays
	 * every node's port claims: with it, every Pod) */
	CHECK_INT(np_kube_kinds_node_only(&cfg), 1U << NP_KIND_POD);
	strcpy(cfg.disable[cfg.n_disable++], "hostport");
	CHECK_INT(np_kube_kinds_node_only(&cfg), 0);
	/* The overlay (every backend but none) reads Nodes only. */
	CHECK_INT(np_kube_kinds(&cfg), 1U << NP_KIND_NODE);
	np_kube_kinds_str(np_kube_kinds(&cfg), text, sizeof(text));
	CHECK_STR(text, "Node");
	cfg.backend = NP_BACKEND_NONE;
	CHECK_INT(np_kube_kinds(&cfg), 0);
	np_kube_kinds_str(0, text, sizeof(text));
	CHECK_STR(text, "none");
	cfg.backend = NP_BACKEND_WIREGUARD_NATIVE;

	/* What a token client with that set asks the server for. */
	mark = req_mark();
	CHECK(mark >= 0);
	if (client("token", NULL, &kv, err, sizeof(err)))
		CHECK_FAIL("token: %s", err);
	m3 = np_model_new();
	CHECK(m3);
	CHECK_INT(watch_for_config(kv, &cfg, m3), 0);
	starts_want = 0;
	ok = wait_for(m3_nodes_synced);
	yield_ms(300);		/* anything else it would start, it starts */
	log = req_log(mark);
	np_kube_free(kv);
	np_model_free(m3);
	CHECK(ok);
	req_summary(log, "token", sum, sizeof(sum));
	cJSON_Delete(log);
	CHECK_STR(sum, "LIST /api/v1/nodes;WATCH /api/v1/nodes;");
}

/* ---- hostPort's Pods: this node's only ---- */

static struct np_model *m4;

static bool m4_has_p1a(void)
{
	return np_model_get(m4, NP_KIND_POD, "default", "p1a") != NULL;
}

static bool m4_has_p1b(void)
{
	return np_model_get(m4, NP_KIND_POD, "default", "p1b") != NULL;
}

static bool put_pod(const char *name, const char *node)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"kind\": \"Pod\", \"apiVersion\": "
		 "\"v1\", \"metadata\": {\"name\": \"%s\", \"namespace\": "
		 "\"default\"}, \"spec\": {\"nodeName\": \"%s\", "
		 "\"containers\": [{\"name\": \"c\", \"image\": \"i\"}]}}",
		 name, node);
	return ctl_ok("PUT", "/objects", body);
}

/*
 * Pods watched with fieldSelector=spec.nodeName=n1 (hostPort alone):
 * every list and watch of Pods carries it, and only n1's Pods reach the
 * model, listed or watched.
 */
TEST(pods_of_this_node_only)
{
	struct np_kube *kv;
	char err[1024];
	const cJSON *e;
	cJSON *log;
	int mark, lists = 0, watches = 0, bad = 0;
	bool ok;

	NEED_SETUP();
	CHECK(put_pod("p1a", "n1"));
	CHECK(put_pod("p2a", "n2"));
	mark = req_mark();
	CHECK(mark >= 0);
	if (client("token", NULL, &kv, err, sizeof(err)))
		CHECK_FAIL("token: %s", err);
	m4 = np_model_new();
	CHECK(m4);
	CHECK_INT(np_kube_watch_fields(kv, NP_KIND_POD, m4, "spec.nodeName=n1"),
		  0);
	/* after the list (waited for: else a slow list could carry p1b
	 * and no watch be logged yet), through the watch */
	CHECK(wait_for(m4_has_p1a));
	CHECK(put_pod("p2b", "n2"));
	CHECK(put_pod("p1b", "n1"));
	ok = wait_for(m4_has_p1b);
	log = req_log(mark);
	cJSON_ArrayForEach(e, log) {
		const char *fs = req_q(e, "fieldSelector");

		if (strcmp(req_s(e, "path"), "/api/v1/pods"))
			continue;
		if (req_q(e, "watch"))
			watches++;
		else
			lists++;
		if (!fs || strcmp(fs, "spec.nodeName=n1"))
			bad++;
	}
	cJSON_Delete(log);
	CHECK(ok);
	CHECK(np_model_get(m4, NP_KIND_POD, "default", "p1a"));
	CHECK(!np_model_get(m4, NP_KIND_POD, "default", "p2a"));
	CHECK(!np_model_get(m4, NP_KIND_POD, "default", "p2b"));
	np_kube_free(kv);
	np_model_free(m4);
	m4 = NULL;
	CHECK(lists >= 1);
	CHECK(watches >= 1);
	CHECK_INT(bad, 0);
	CHECK_INT(np_kube_watch_fields(k, NP_KIND_POD, m4, NULL), -EINVAL);
}

/* ---- 410 relists back off ---- */

/* The delays of "Nodes: ... relisting in N ms" lines, in order. */
static int relist_delays(const char *text, long *out, int max)
{
	const char *p = text;
	int n = 0;

	while (n < max && (p = strstr(p, "Nodes: watch from RV ")) != NULL) {
		const char *eol = strchr(p, '\n');
		const char *in = strstr(p, ", relisting in ");

		if (in && (!eol || in < eol))
			out[n++] = strtol(in + 15, NULL, 10);
		p = eol ? eol + 1 : p + 1;
	}
	return n;
}

static long gone_want;

static bool gone_reached(void)
{
	return stat_of("gone", "nodes") >= gone_want;
}

TEST(relists_after_410_back_off)
{
	long lists = stat_of("lists", "nodes");
	long delays[8];
	const char *text;
	int n, i;
	bool ok;

	NEED_SETUP();
	/* A healthy watch first (an event): no 410 streak before. */
	CHECK(put_node("bo-1", "10.42.30.0/24"));
	if (!wait_node("bo-1", NULL))
		CHECK_FAIL("bo-1 never arrived");
	CHECK(delete_node("bo-1"));
	if (!wait_no_node("bo-1"))
		CHECK_FAIL("bo-1's delete never arrived");
	lists = stat_of("lists", "nodes");
	gone_want = stat_of("gone", "nodes") + 4;
	/* Four watches in a row answer 410; each relist waits longer. */
	CHECK(ctl_ok("POST", "/expire-watches?n=4&plural=nodes", NULL));
	np_log_set_level(NP_LOG_INFO);
	log_start();
	starts_want = stat_of("watchesStarted", "nodes") + 1;
	ok = ctl_ok("POST", "/drop", NULL) && wait_for(gone_reached);
	lists_want = lists + 4;
	ok = ok && wait_for(lists_reached) && wait_for(all_synced);
	text = log_stop(dir);
	np_log_set_level(getenv("NP_TEST_VERBOSE") ? NP_LOG_DEBUG :
			 NP_LOG_ERROR);
	if (!ok)
		CHECK_FAIL("four 410s and four relists never happened (gone "
			   "%ld, lists %ld)", stat_of("gone", "nodes"),
			   stat_of("lists", "nodes"));
	n = relist_delays(text, delays, 8);
	CHECK_INT(n, 4);
	/* backoff_min_ms 100 doubling, jittered into [d/2, d]. */
	for (i = 0; i < n; i++) {
		long d = 100L << i;

		if (delays[i] < d / 2 || delays[i] > d)
			CHECK_FAIL("relist %d waited %ld ms, expected %ld..%ld",
				   i + 1, delays[i], d / 2, d);
	}
}

/* ---- watch events split across chunks ---- */

TEST(events_split_across_chunks)
{
	static const char *const names[] = { "sp-1", "sp-2", "sp-3" };
	char *list = NULL, *a, *b, *c;
	size_t i;
	bool ok;

	NEED_SETUP();
	CHECK(ctl_ok("POST", "/chunking?mode=split", NULL));
	a = node_json(names[0], "10.42.20.0/24");
	b = node_json(names[1], "10.42.21.0/24");
	c = node_json(names[2], "10.42.22.0/24");
	if (a && b && c && asprintf(&list, "{\"kind\": \"List\", \"items\": "
				    "[%s, %s, %s]}", a, b, c) < 0)
		list = NULL;
	free(a);
	free(b);
	free(c);
	CHECK(list);
	ok = ctl_ok("PUT", "/objects", list);
	free(list);
	CHECK(ok);
	for (i = 0; i < 3; i++)
		if (!wait_node(names[i], NULL))
			CHECK_FAIL("%s (an event split across chunks) never "
				   "arrived", names[i]);
	CHECK(wait_node("sp-2", "10.42.21.0/24"));
	for (i = 0; i < 3; i++)
		CHECK(delete_node(names[i]));
	for (i = 0; i < 3; i++)
		if (!wait_no_node(names[i]))
			CHECK_FAIL("%s's split DELETED event never arrived",
				   names[i]);
	CHECK(ctl_ok("POST", "/chunking?mode=event", NULL));
}

/* ---- credentials read again ---- */

static char old_token[128];
static struct np_kube *kr;	/* a client of one credentials test */

/* Writes token into certs/token (the tokenFile) and the server's list. */
static bool rotate_token(const char *token)
{
	char path[512], line[160];

	snprintf(path, sizeof(path), "%s/certs/token", dir);
	snprintf(line, sizeof(line), "%s\n", token);
	return !write_file(path, line) && ctl_ok("POST", "/tokens", token);
}

static bool save_token(void)
{
	char path[512], *t;

	snprintf(path, sizeof(path), "%s/certs/token", dir);
	t = slurp(path);
	if (!t)
		return false;
	t[strcspn(t, "\n")] = '\0';
	snprintf(old_token, sizeof(old_token), "%s", t);
	free(t);
	return old_token[0] != '\0';
}

/* A PATCH after the token rotated: 401, read again, sent again, 200. */
TEST(token_rotation_recovers_on_401)
{
	long rejected = stat_of("auth", "rejected");
	long token = stat_of("auth", "token");
	struct done_rec d;
	char err[1024];
	bool ok;

	NEED_SETUP();
	CHECK(save_token());
	if (client("tokenfile", NULL, &kr, err, sizeof(err)))
		CHECK_FAIL("tokenfile: %s", err);
	ok = rotate_token("rotated-token-1") &&
	     patch_wait(kr, "node-b", "{}", &d);
	np_kube_free(kr);
	kr = NULL;
	CHECK(rotate_token(old_token));
	CHECK(ok);
	CHECK_STR(d.err, "");
	CHECK_INT(d.status, 200);
	CHECK_INT(stat_of("auth", "rejected"), rejected + 1);
	CHECK_INT(stat_of("auth", "token"), token + 1);
}

static bool kr_has_new_token(void)
{
	return kr->auth_header && strstr(kr->auth_header, "rotated-token-2");
}

static bool m3_watching(void)
{
	return np_model_synced(m3, NP_KIND_NODE) &&
	       stat_of("watchesStarted", "nodes") >= starts_want &&
	       stat_of("watches", "nodes") == 2;
}

/*
 * The token file is read again every reload_ms: after a rotation the
 * watch reconnects with the new token, without a 401.
 */
TEST(token_file_read_again_periodically)
{
	struct np_kube_opts o = opts;
	struct np_kubeconfig kc;
	char path[512], err[1024];
	long rejected;
	bool ok;
	int r;

	NEED_SETUP();
	CHECK(save_token());
	o.reload_ms = 300;
	snprintf(path, sizeof(path), "%s/certs/kubeconfig-tokenfile.yaml",
		 dir);
	if (np_kubeconfig_load(path, &kc, err, sizeof(err)))
		CHECK_FAIL("%s", err);
	r = np_kube_new(lp, &kc, &o, &kr);
	np_kubeconfig_free(&kc);
	CHECK_INT(r, 0);
	m3 = np_model_new();
	CHECK(m3);
	starts_want = 0;
	ok = !np_kube_watch(kr, NP_KIND_NODE, m3) && wait_for(m3_watching);
	rejected = stat_of("auth", "rejected");
	ok = ok && rotate_token("rotated-token-2") &&
	     wait_for(kr_has_new_token);
	starts_want = stat_of("watchesStarted", "nodes") + 2;
	/* Both watches (the main client's and kr's) come back. */
	ok = ok && ctl_ok("POST", "/drop", NULL) && wait_for(m3_watching);
	CHECK(rotate_token(old_token));
	np_kube_free(kr);
	kr = NULL;
	np_model_free(m3);
	if (!ok)
		CHECK_FAIL("the new token was not read, or the watch did not "
			   "come back");
	CHECK_INT(stat_of("auth", "rejected"), rejected);
}

/* SIGHUP: np_kube_reload() reads the kubeconfig itself again. */
TEST(reload_reads_the_kubeconfig_again)
{
	struct np_kubeconfig kc;
	struct done_rec d;
	char path[512], err[1024], *text, *p, *out;
	long rejected;
	bool ok;
	int r;

	NEED_SETUP();
	CHECK(save_token());
	snprintf(path, sizeof(path), "%s/certs/kubeconfig-token.yaml", dir);
	if (np_kubeconfig_load(path, &kc, err, sizeof(err)))
		CHECK_FAIL("%s", err);
	r = np_kube_new(lp, &kc, &opts, &kr);
	np_kubeconfig_free(&kc);
	CHECK_INT(r, 0);
	/* k3s.yaml-like: the credentials are inline; rewrite them. */
	text = slurp(path);
	CHECK(text);
	p = strstr(text, old_token);
	CHECK(p);
	if (asprintf(&out, "%.*srotated-token-3%s", (int)(p - text), text,
		     p + strlen(old_token)) < 0)
		out = NULL;
	ok = out && !write_file(path, out) &&
	     ctl_ok("POST", "/tokens", "rotated-token-3");
	CHECK_INT(np_kube_reload(kr), 0);
	rejected = stat_of("auth", "rejected");
	ok = ok && patch_wait(kr, "node-b", "{}", &d);
	/* Put everything back. */
	if (write_file(path, text) || !ctl_ok("POST", "/tokens", old_token))
		ok = false;
	free(out);
	free(text);
	np_kube_free(kr);
	kr = NULL;
	CHECK(ok);
	CHECK_INT(d.status, 200);
	CHECK_INT(stat_of("auth", "rejected"), rejected);
}

static bool copy_file(const char *from, const char *to)
{
	char *t = slurp(from);
	bool ok = t && !write_file(to, t);

	free(t);
	return ok;
}

/* The PEM of certs/<name>.crt, for POST /accept-certs. */
static char *cert_pem(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/certs/%s.crt", dir, name);
	return slurp(path);
}

/*
 * Client certificate files rotated under a kubeconfig that names them:
 * read again on the 401, the request goes through with the new pair. A
 * certificate written without its key yet keeps the old pair.
 */
TEST(client_certificate_rotation)
{
	char cmd[2048], rot[512], from[600], to[600], err[1024];
	char *main_pem = NULL, *new_pem = NULL, *both = NULL;
	long certs = stat_of("auth", "cert");
	struct done_rec d1, d2, d3;
	struct np_kubeconfig kc;
	bool ok;
	int r;

	NEED_SETUP();
	snprintf(cmd, sizeof(cmd), "bash %s %s/certs --client new >>%s/"
		 "mkcerts.log 2>&1 && bash %s %s/certs --client old >>%s/"
		 "mkcerts.log 2>&1", MKCERTS, dir, dir, MKCERTS, dir, dir);
	if (system(cmd))
		CHECK_FAIL("mkcerts.sh --client failed (see %s/mkcerts.log)",
			   dir);
	/* rot/: the files kubeconfig; its pair is "old", not accepted. */
	snprintf(rot, sizeof(rot), "%s/rot", dir);
	mkdir(rot, 0700);
	ok = true;
#define CP(a, b) do {							\
	snprintf(from, sizeof(from), "%s/certs/%s", dir, a);		\
	snprintf(to, sizeof(to), "%s/%s", rot, b);			\
	ok = ok && copy_file(from, to);					\
} while (0)
	CP("kubeconfig-files.yaml", "kubeconfig-files.yaml");
	CP("ca.crt", "ca.crt");
	CP("old.crt", "client.crt");
	CP("old.key", "client.key");
	CHECK(ok);
	main_pem = cert_pem("client");
	new_pem = cert_pem("new");
	CHECK(main_pem && new_pem);
	if (asprintf(&both, "%s%s", main_pem, new_pem) < 0)
		both = NULL;
	free(main_pem);
	free(new_pem);
	CHECK(both);
	/* The main client's certificate and "new" only. */
	ok = ctl_ok("POST", "/accept-certs", both);
	free(both);
	CHECK(ok);
	snprintf(to, sizeof(to), "%s/kubeconfig-files.yaml", rot);
	if (np_kubeconfig_load(to, &kc, err, sizeof(err)))
		CHECK_FAIL("%s", err);
	r = np_kube_new(lp, &kc, &opts, &kr);
	np_kubeconfig_free(&kc);
	CHECK_INT(r, 0);
	ok = patch_wait(kr, "node-b", "{}", &d1);
	/* Half a rotation: the new certificate, the old key. */
	CP("new.crt", "client.crt");
	yield_ms(1100);		/* past the client's once-a-second re-read */
	ok = ok && patch_wait(kr, "node-b", "{}", &d2);
	CP("new.key", "client.key");
	yield_ms(1100);
	ok = ok && patch_wait(kr, "node-b", "{}", &d3);
#undef CP
	np_kube_free(kr);
	kr = NULL;
	if (!ctl_ok("POST", "/accept-certs", ""))
		ok = false;
	CHECK(ok);
	CHECK_INT(d1.status, 401);
	CHECK_INT(d2.status, 401);
	CHECK_STR(d3.err, "");
	CHECK_INT(d3.status, 200);
	CHECK(stat_of("auth", "cert") > certs);
}

/*
 * The server goes back in time (an etcd restored from a backup): a relist
 * at our RV gets 504 ResourceVersionTooLarge; the next list is a fresh
 * consistent one, and the model follows the restored server.
 */
TEST(relist_after_the_server_went_back_in_time)
{
	cJSON *log;
	const cJSON *e;
	char seq[512], line[96];
	size_t o = 0;
	int mark;

	NEED_SETUP();
	mark = req_mark();
	CHECK(mark >= 0);
	CHECK(ctl_ok("POST", "/restore?rv=5", NULL));
	CHECK(put_node("rs-1", "10.42.40.0/24"));	/* RV 6 */
	CHECK(ctl_ok("POST", "/expire-watches?n=1&plural=nodes", NULL));
	CHECK(ctl_ok("POST", "/drop", NULL));
	if (!wait_node("rs-1", "10.42.40.0/24"))
		CHECK_FAIL("rs-1, put after the restore, never arrived");
	log = req_log(mark);
	CHECK(cJSON_IsArray(log));
	seq[0] = '\0';
	cJSON_ArrayForEach(e, log) {
		const char *rv = req_q(e, "resourceVersion");

		if (strcmp(req_s(e, "path"), "/api/v1/nodes") ||
		    req_q(e, "watch") || strcmp(req_s(e, "auth"), "cert"))
			continue;
		snprintf(line, sizeof(line), "%s;", !rv ? "fresh" :
			 atol(rv) > 6 ? "ahead" : rv);
		o += (size_t)snprintf(seq + o, sizeof(seq) - o, "%s", line);
		if (o >= sizeof(seq))
			break;
	}
	cJSON_Delete(log);
	CHECK_STR(seq, "ahead;fresh;");
	CHECK(delete_node("rs-1"));
	if (!wait_no_node("rs-1"))
		CHECK_FAIL("rs-1's delete never arrived");
}

/* ---- every watch's timeoutSeconds, jittered ---- */

TEST(watch_timeouts_are_jittered)
{
	cJSON *log;
	const cJSON *e;
	int n = 0, lo = 1 << 30, hi = 0, bad = 0;

	NEED_SETUP();
	log = ctl("GET", "/requests", NULL);
	CHECK(cJSON_IsArray(log));
	cJSON_ArrayForEach(e, log) {
		const char *t = req_q(e, "timeoutSeconds");
		int v;

		if (!req_q(e, "watch"))
			continue;
		v = t ? atoi(t) : -1;
		n++;
		if (v < 5 || v > 10)
			bad++;
		if (v < lo)
			lo = v;
		if (v > hi)
			hi = v;
	}
	cJSON_Delete(log);
	/* watch_timeout_s 5: every timeoutSeconds in 5..10, not all equal. */
	CHECK(n >= 8);
	CHECK_INT(bad, 0);
	CHECK(hi > lo);
}

static void tests(void)
{
	RUN(initial_list_lands_in_the_model);
	RUN(first_list_is_at_resource_version_0);
	RUN(put_is_an_upsert);
	RUN(delete_is_a_delete);
	RUN(large_event_spans_many_reads);
	RUN(burst_of_events);
	RUN(clean_watch_end_rewatches);
	RUN(drop_rewatches_without_relisting);
	RUN(relist_on_http_410);
	RUN(relist_on_error_event_410);
	RUN(relist_is_not_older_than_the_last_rv);
	RUN(relists_after_410_back_off);
	RUN(events_split_across_chunks);
	RUN(bookmark_advances_the_rv);
	RUN(slow_responses_converge);
	RUN(server_away_then_back);
	RUN(patch_node_status);
	RUN(patch_comes_back_through_the_watch);
	RUN(patch_errors_reach_the_caller);
	RUN(kubeconfig_variants_authenticate);
	RUN(tls_server_name);
	RUN(tls_is_verified);
	RUN(only_the_enabled_reconcilers_kinds_are_watched);
	RUN(token_rotation_recovers_on_401);
	RUN(token_file_read_again_periodically);
	RUN(reload_reads_the_kubeconfig_again);
	RUN(client_certificate_rotation);
	RUN(watch_timeouts_are_jittered);
	RUN(relist_after_the_server_went_back_in_time);
	RUN(pods_of_this_node_only);
	tests_done = true;
	swapcontext(&test_uc, &main_uc);
}

static void setup(void)
{
	static const char *const variants[] = {
		"k3s", "files", "token", "tokenfile",
	};
	struct np_kubeconfig kc;
	char path[512], err[1024];
	size_t i;
	int r;

	if (system("command -v python3 >/dev/null 2>&1")) {
		snprintf(setup_skip, sizeof(setup_skip),
			 "missing: python3");
		return;
	}
	if (system("command -v openssl >/dev/null 2>&1")) {
		snprintf(setup_skip, sizeof(setup_skip), "missing: openssl");
		return;
	}
	if (run_mkcerts("certs")) {
		snprintf(setup_err, sizeof(setup_err), "mkcerts.sh failed "
			 "(see %s/mkcerts.log)", dir);
		return;
	}
	if (start_server()) {
		snprintf(setup_err, sizeof(setup_err), "apiserver.py did not "
			 "start (see %s/apiserver.log)", dir);
		return;
	}
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/certs/kubeconfig-%s.yaml",
			 dir, variants[i]);
		if (fix_port(path)) {
			snprintf(setup_err, sizeof(setup_err), "%s: no "
				 "https://127.0.0.1:6443 to rewrite", path);
			return;
		}
	}
	snprintf(path, sizeof(path), "%s/certs/kubeconfig-k3s.yaml", dir);
	if (np_kubeconfig_load(path, &kc, err, sizeof(err))) {
		snprintf(setup_err, sizeof(setup_err), "%s", err);
		return;
	}
	m = np_model_new();
	r = m ? np_kube_new(lp, &kc, &opts, &k) : -ENOMEM;
	np_kubeconfig_free(&kc);
	if (!r)
		r = np_kube_watch(k, NP_KIND_NODE, m);
	if (!r)
		r = np_kube_watch(k, NP_KIND_NAMESPACE, m);
	if (!r)
		r = np_kube_watch(k, NP_KIND_SERVICE, m);
	if (r)
		snprintf(setup_err, sizeof(setup_err), "client: %s",
			 strerror(-r));
}

int main(void)
{
	static char stack[1 << 20];
	const char *verbose = getenv("NP_TEST_VERBOSE");
	char cmd[512];
	int r;

	np_log_set_level(verbose && *verbose ? NP_LOG_DEBUG : NP_LOG_ERROR);
	orig_stderr = dup(STDERR_FILENO);
	snprintf(dir, sizeof(dir), "/tmp/np-kube-live-XXXXXX");
	if (!mkdtemp(dir) || np_loop_new(&lp)) {
		perror("setup");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	setup();
	resume.fire = resume_fire;
	getcontext(&test_uc);
	test_uc.uc_stack.ss_sp = stack;
	test_uc.uc_stack.ss_size = sizeof(stack);
	test_uc.uc_link = &main_uc;
	makecontext(&test_uc, tests, 0);
	np_timer_arm(lp, &resume, 0);
	r = np_loop_run(lp);
	np_kube_free(k);
	np_model_free(m);
	stop_server();
	np_loop_free(lp);
	if (r)
		fprintf(stderr, "loop failed\n");
	if (verbose && *verbose) {
		fprintf(stderr, "# kept %s\n", dir);
	} else {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd)) {
			/* leftovers in /tmp only */
		}
	}
	curl_global_cleanup();
	return check_summary() || r ? 1 : 0;
}
