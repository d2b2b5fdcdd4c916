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
 * Tests SKIP when python3 or openssl is missing.
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

#include "check.h"
#include "kube/kube.h"
#include "kube/kube_int.h"
#include "log.h"
#include "loop.h"
#include "model/model.h"

#ifndef NP_TOPDIR
#define NP_TOPDIR ".."
#endif
#define APISERVER	NP_TOPDIR "/tests/apiserver/apiserver.py"
#define MKCERTS		NP_TOPDIR "/tests/apiserver/mkcerts.sh"
#define WAIT_MS		15000	/* deadline of every wait */

static char dir[256];		/* temporary directory */
static char setup_err[2048];	/* why every test SKIPs/FAILs, or "" */
static pid_t server_pid;
static int api_port, ctl_port;
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

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static char *slurp(const char *path)
{
	char *buf = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");
	ssize_t n;

	if (!f)
		return NULL;
	n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

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
	char certs[512], fixtures[512], state[512], logf[512], path[1024];
	char *text, *p;
	uint64_t end;
	int fd;

	snprintf(certs, sizeof(certs), "%s/certs", dir);
	snprintf(fixtures, sizeof(fixtures), "%s/fixtures", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(logf, sizeof(logf), "%s/apiserver.log", dir);
	mkdir(fixtures, 0700);
	snprintf(path, sizeof(path), "%s/nodes.json", fixtures);
	if (write_file(path, nodes_json))
		return -1;
	snprintf(path, sizeof(path), "%s/namespaces.json", fixtures);
	if (write_file(path, namespaces_json))
		return -1;
	server_pid = fork();
	if (server_pid < 0)
		return -1;
	if (server_pid == 0) {
		fd = open(logf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("python3", "python3", APISERVER, "--listen",
		       "127.0.0.1:0", "--control", "127.0.0.1:0", "--certs",
		       certs, "--fixtures", fixtures, "--bookmark-interval",
		       "1", "--state-file", state, "--verbose", (char *)NULL);
		_exit(127);
	}
	end = np_now_ms() + 20000;
	while (access(state, R_OK)) {
		if (np_now_ms() > end || waitpid(server_pid, NULL, WNOHANG))
			return -1;
		usleep(50000);
	}
	text = slurp(state);
	if (!text)
		return -1;
	p = strstr(text, "api_port=");
	api_port = p ? atoi(p + 9) : 0;
	p = strstr(text, "control_port=");
	ctl_port = p ? atoi(p + 13) : 0;
	free(text);
	return api_port > 0 && ctl_port > 0 ? 0 : -1;
}

static void stop_server(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
		server_pid = 0;
	}
}

/* ---- the control API ---- */

struct buf {
	char *p;
	size_t n;
};

static size_t buf_write(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;
	char *nb = realloc(b->p, b->n + size * n + 1);

	if (!nb)
		return 0;
	memcpy(nb + b->n, p, size * n);
	b->n += size * n;
	nb[b->n] = '\0';
	b->p = nb;
	return size * n;
}

/* A control request; its JSON answer (free with cJSON_Delete), or NULL. */
static cJSON *ctl(const char *method, const char *path, const char *body)
{
	struct buf b = { NULL, 0 };
	char url[512];
	CURL *e = curl_easy_init();
	long status = 0;
	cJSON *j = NULL;

	if (!e)
		return NULL;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", ctl_port, path);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, buf_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	if (body)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	else if (strcmp(method, "GET"))
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
	if (curl_easy_perform(e) == CURLE_OK) {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
		if (status == 200 && b.p)
			j = cJSON_Parse(b.p);
	}
	curl_easy_cleanup(e);
	free(b.p);
	return j;
}

/* A control request whose answer does not matter beyond success. */
static bool ctl_ok(const char *method, const char *path, const char *body)
{
	cJSON *j = ctl(method, path, body);

	cJSON_Delete(j);
	return j != NULL;
}

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
	if (setup_err[0])						\
		SKIP("%s", setup_err);					\
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
	CHECK_INT(stat_of("lists", "nodes"), lists + 1);
	CHECK(stat_of("gone", "nodes") >= 1);
}

TEST(relist_on_error_event_410)
{
	long lists = stat_of("lists", "nodes");
	long gone = stat_of("gone", "nodes");

	NEED_SETUP();
	CHECK(ctl_ok("POST", "/error410mode?mode=event", NULL));
	CHECK(ctl_ok("POST", "/down", NULL));
	CHECK(put_node("node-e", "10.42.4.0/24"));
	CHECK(ctl_ok("POST", "/compact", NULL));
	CHECK(ctl_ok("POST", "/up", NULL));
	lists_want = lists + 1;
	if (!wait_for(lists_reached))
		CHECK_FAIL("no relist after an ERROR 410 event");
	if (!wait_node("node-e", "10.42.4.0/24"))
		CHECK_FAIL("node-e never arrived after the relist");
	CHECK(ctl_ok("POST", "/error410mode?mode=http", NULL));
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

static void tests(void)
{
	RUN(initial_list_lands_in_the_model);
	RUN(put_is_an_upsert);
	RUN(delete_is_a_delete);
	RUN(large_event_spans_many_reads);
	RUN(burst_of_events);
	RUN(clean_watch_end_rewatches);
	RUN(drop_rewatches_without_relisting);
	RUN(relist_on_http_410);
	RUN(relist_on_error_event_410);
	RUN(bookmark_advances_the_rv);
	RUN(slow_responses_converge);
	RUN(server_away_then_back);
	RUN(patch_node_status);
	RUN(patch_comes_back_through_the_watch);
	RUN(patch_errors_reach_the_caller);
	RUN(kubeconfig_variants_authenticate);
	RUN(tls_server_name);
	RUN(tls_is_verified);
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

	if (system("command -v python3 >/dev/null 2>&1 && "
		   "command -v openssl >/dev/null 2>&1")) {
		snprintf(setup_err, sizeof(setup_err),
			 "python3 or openssl not found");
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
