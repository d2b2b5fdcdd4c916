// SPDX-License-Identifier: GPL-2.0-only
/*
 * daemon/kube/'s write side against the test API server
 * (tests/apiserver/apiserver.py, certificates from mkcerts.sh) on free
 * loopback ports: generic create/get/update/patch/delete round trips with
 * their preconditions and Status errors, the write queue (coalescing, 409
 * re-read, backoff after 500s, final 4xx), Events and their series, Lease
 * leader election between two candidates in this process, node Leases.
 *
 * As test_kube_live.c: the tests run as a coroutine on nodeplaned's loop,
 * the server is driven and read through its control port (GET /writes:
 * what reached it). Every wait has a generous deadline and fails naming
 * what never happened; nothing asserts how long something took (the only
 * time figures checked are lower bounds the backoff guarantees: a timer
 * never fires early). SKIP when python3 or openssl is missing.
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
#include "kube/events.h"
#include "kube/kube.h"
#include "kube/lease.h"
#include "kube/request.h"
#include "kube/svcwrite.h"
#include "kube/writeq.h"
#include "log.h"
#include "loop.h"

#define WAIT_MS		20000	/* deadline of every wait */

static char dir[256];
static char setup_skip[256];
static char setup_err[2048];
static struct np_loop *lp;
static struct np_kube *k;

static const struct np_kube_opts opts = {
	.connect_timeout_ms = 2000,
	.request_timeout_ms = 5000,
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

static void yield_ms(unsigned int ms)
{
	np_timer_arm(lp, &resume, ms);
	swapcontext(&test_uc, &main_uc);
}

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

/* ---- the server ---- */

static const char fixtures_json[] =
	"[{\"kind\": \"Namespace\", \"metadata\": {\"name\": \"default\"}},\n"
	" {\"kind\": \"Namespace\", \"metadata\": {\"name\": \"kube-system\"}},\n"
	" {\"kind\": \"Service\", \"metadata\": {\"name\": \"lb\", "
	"\"namespace\": \"default\", \"uid\": \"uid-lb\"}, \"spec\": "
	"{\"type\": \"LoadBalancer\", \"ports\": [{\"port\": 80}]}}]\n";

static int start_server(void)
{
	static const char *const files[][2] = {
		{ "objects.json", fixtures_json },
		{ NULL, NULL },
	};

	return apiserver_start(dir, files, NULL);
}

/* The value at a dotted path ("metadata.uid", "series.count") of o. */
static const cJSON *at(const cJSON *o, const char *dotted)
{
	char part[128];
	const char *p = dotted, *dot;

	while (o && *p) {
		dot = strchr(p, '.');
		snprintf(part, sizeof(part), "%.*s",
			 (int)(dot ? (size_t)(dot - p) : strlen(p)), p);
		o = cJSON_GetObjectItemCaseSensitive(o, part);
		p = dot ? dot + 1 : p + strlen(p);
	}
	return o;
}

/* A string at a dotted path ("" when absent: never NULL). */
static const char *str_at(const cJSON *o, const char *dotted)
{
	const cJSON *v = at(o, dotted);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static long num_at(const cJSON *o, const char *dotted)
{
	const cJSON *v = at(o, dotted);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
}

/* The writes that reached the server on paths starting with prefix. */
static cJSON *writes(const char *prefix)
{
	char path[600];

	snprintf(path, sizeof(path), "/writes?path=%s", prefix);
	return ctl("GET", path, NULL);
}

static int n_writes(const char *prefix)
{
	cJSON *w = writes(prefix);
	int n = w ? cJSON_GetArraySize(w) : -1;

	cJSON_Delete(w);
	return n;
}

/* ---- results of the client ---- */

struct rec {
	bool done;
	long status;
	bool conflict;
	char reason[64];
	char err[1024];
	cJSON *obj;
};

static struct rec *cur;

static void on_result(void *ctx, const struct np_kube_result *res)
{
	struct rec *r = ctx;

	r->done = true;
	r->status = res->status;
	r->conflict = res->conflict;
	snprintf(r->reason, sizeof(r->reason), "%s", res->reason);
	snprintf(r->err, sizeof(r->err), "%s", res->err ? res->err : "");
	cJSON_Delete(r->obj);
	r->obj = res->obj ? cJSON_Duplicate(res->obj, true) : NULL;
}

static bool cur_done(void)
{
	return cur->done;
}

/* Waits for the call started into r (false: it never ended or never
 * started). */
static bool finish(struct np_kube_call *c, struct rec *r)
{
	if (!c)
		return false;
	cur = r;
	return wait_for(cur_done);
}

static void rec_reset(struct rec *r)
{
	cJSON_Delete(r->obj);
	memset(r, 0, sizeof(*r));
}

#define NEED_SETUP() do {						\
	if (setup_skip[0])						\
		SKIP("%s", setup_skip);					\
	if (setup_err[0])						\
		CHECK_FAIL("set-up: %s", setup_err);			\
} while (0)

#define SVC	"/api/v1/namespaces/default/services"

/* ---- generic requests ---- */

TEST(create_get_update_delete_round_trip)
{
	static const char body[] =
		"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":"
		"{\"name\":\"w1\"},\"spec\":{\"type\":\"LoadBalancer\","
		"\"ports\":[{\"port\":443}]}}";
	struct rec r = { 0 };
	char uid[64], rv[32], stale[32], *upd;
	cJSON *o, *spec;

	NEED_SETUP();
	if (!finish(np_kube_create(k, SVC, body, on_result, &r), &r))
		CHECK_FAIL("the create never completed");
	CHECK_STR(r.err, "");
	CHECK_INT(r.status, 201);
	CHECK_STR(str_at(r.obj, "metadata.name"), "w1");
	CHECK_INT(num_at(r.obj, "metadata.generation"), 1);
	CHECK(str_at(r.obj, "metadata.creationTimestamp")[0]);
	/* API defaulting: the port's protocol. */
	CHECK_STR(str_at(cJSON_GetArrayItem(at(r.obj, "spec.ports"), 0),
			 "protocol"), "TCP");
	snprintf(uid, sizeof(uid), "%s", str_at(r.obj, "metadata.uid"));
	snprintf(rv, sizeof(rv), "%s", str_at(r.obj, "metadata.resourceVersion"));
	CHECK(uid[0] && rv[0]);
	rec_reset(&r);
	if (!finish(np_kube_get(k, SVC "/w1", on_result, &r), &r))
		CHECK_FAIL("the get never completed");
	CHECK_INT(r.status, 200);
	CHECK_STR(str_at(r.obj, "metadata.uid"), uid);

	/* Update with the resourceVersion read: taken, generation 2. */
	spec = cJSON_GetObjectItemCaseSensitive(r.obj, "spec");
	cJSON_DeleteItemFromObjectCaseSensitive(spec, "ports");
	cJSON_AddItemToObject(spec, "ports",
			      cJSON_Parse("[{\"port\":8443,\"protocol\":\"TCP\"}]"));
	upd = cJSON_PrintUnformatted(r.obj);
	rec_reset(&r);
	if (!finish(np_kube_update(k, SVC "/w1", upd, on_result, &r), &r))
		CHECK_FAIL("the update never completed");
	CHECK_STR(r.err, "");
	CHECK_INT(r.status, 200);
	CHECK_INT(num_at(r.obj, "metadata.generation"), 2);
	CHECK(strcmp(str_at(r.obj, "metadata.resourceVersion"), rv));
	snprintf(stale, sizeof(stale), "%s", rv);

	/* The same body again: its resourceVersion is stale now. */
	rec_reset(&r);
	if (!finish(np_kube_update(k, SVC "/w1", upd, on_result, &r), &r))
		CHECK_FAIL("the stale update never completed");
	free(upd);
	CHECK_INT(r.status, 409);
	CHECK(r.conflict);
	CHECK_STR(r.reason, "Conflict");
	CHECK_STR(r.err, "PUT " SVC "/w1: HTTP 409 Conflict: Operation cannot "
		  "be fulfilled on services \"w1\": the object has been "
		  "modified; please apply your changes to the latest version "
		  "and try again");

	/* Delete: a wrong uid precondition is a conflict, the right one
	 * deletes. */
	rec_reset(&r);
	if (!finish(np_kube_delete(k, SVC "/w1", "not-the-uid", NULL,
				   on_result, &r), &r))
		CHECK_FAIL("the delete never completed");
	CHECK_INT(r.status, 409);
	CHECK(r.conflict);
	CHECK_CONTAINS(r.err, "Precondition failed: UID in precondition: "
		       "not-the-uid, UID in object meta: ");
	rec_reset(&r);
	if (!finish(np_kube_delete(k, SVC "/w1", uid, stale, on_result, &r),
		    &r))
		CHECK_FAIL("the delete never completed");
	CHECK_INT(r.status, 409);
	CHECK_CONTAINS(r.err, "Precondition failed: ResourceVersion in "
		       "precondition: ");
	rec_reset(&r);
	if (!finish(np_kube_delete(k, SVC "/w1", uid, NULL, on_result, &r),
		    &r))
		CHECK_FAIL("the delete never completed");
	CHECK_STR(r.err, "");
	CHECK_INT(r.status, 200);
	rec_reset(&r);
	if (!finish(np_kube_get(k, SVC "/w1", on_result, &r), &r))
		CHECK_FAIL("the get never completed");
	CHECK_INT(r.status, 404);
	CHECK(!r.conflict);
	CHECK_STR(r.reason, "NotFound");
	CHECK_STR(r.err, "GET " SVC "/w1: HTTP 404 NotFound: services \"w1\" "
		  "not found");
	o = ctl("GET", "/objects/services/default/w1", NULL);
	CHECK(o == NULL);
	rec_reset(&r);
}

TEST(create_twice_is_already_exists)
{
	static const char body[] =
		"{\"metadata\":{\"name\":\"lb\"},\"spec\":{\"ports\":"
		"[{\"port\":1}]}}";
	struct rec r = { 0 };

	NEED_SETUP();
	if (!finish(np_kube_create(k, SVC, body, on_result, &r), &r))
		CHECK_FAIL("the create never completed");
	CHECK_INT(r.status, 409);
	CHECK(r.conflict);
	CHECK_STR(r.reason, "AlreadyExists");
	CHECK_STR(r.err, "POST " SVC ": HTTP 409 AlreadyExists: services "
		  "\"lb\" already exists");
	rec_reset(&r);
}

TEST(invalid_is_422_with_the_fields)
{
	static const char body[] =
		"{\"metadata\":{\"name\":\"e1\"},\"type\":\"Normal\","
		"\"reason\":\"R\"}";
	struct rec r = { 0 };

	NEED_SETUP();
	if (!finish(np_kube_create(k, "/apis/events.k8s.io/v1/namespaces/"
				   "default/events", body, on_result, &r), &r))
		CHECK_FAIL("the create never completed");
	CHECK_INT(r.status, 422);
	CHECK(!r.conflict);
	CHECK_STR(r.reason, "Invalid");
	CHECK_STR(r.err, "POST /apis/events.k8s.io/v1/namespaces/default/"
		  "events: HTTP 422 Invalid: Event.events.k8s.io \"e1\" is "
		  "invalid: [eventTime: Required value, reportingController: "
		  "Required value, reportingInstance: Required value, action: "
		  "Required value]");
	rec_reset(&r);
	/* Bad input never leaves the process. */
	CHECK(np_kube_get(k, "/api/v1/nodes/a b", on_result, &r) == NULL);
	CHECK(np_kube_get(k, "http://elsewhere/", on_result, &r) == NULL);
}

TEST(patch_types_on_the_status_subresource)
{
	struct rec r = { 0 };
	char rv[32];

	NEED_SETUP();
	/* Merge patch of status through /status. */
	if (!finish(np_kube_patch(k, SVC "/lb/status", NP_KUBE_PATCH_MERGE,
				  "{\"status\":{\"loadBalancer\":{\"ingress\":"
				  "[{\"ip\":\"192.0.2.1\",\"ipMode\":\"VIP\"}]}}}",
				  NULL, on_result, &r), &r))
		CHECK_FAIL("the merge patch never completed");
	CHECK_STR(r.err, "");
	CHECK_STR(str_at(cJSON_GetArrayItem(at(r.obj,
		"status.loadBalancer.ingress"), 0), "ip"), "192.0.2.1");
	snprintf(rv, sizeof(rv), "%s", str_at(r.obj, "metadata.resourceVersion"));
	/* The status strategy: spec is not patched through /status. */
	rec_reset(&r);
	if (!finish(np_kube_patch(k, SVC "/lb/status",
				  NP_KUBE_PATCH_STRATEGIC,
				  "{\"spec\":{\"type\":\"ClusterIP\"},"
				  "\"status\":{\"loadBalancer\":{\"ingress\":"
				  "[{\"ip\":\"192.0.2.2\"}]}}}", rv,
				  on_result, &r), &r))
		CHECK_FAIL("the strategic patch never completed");
	CHECK_STR(r.err, "");
	CHECK_STR(str_at(at(r.obj, "spec"), "type"), "LoadBalancer");
	CHECK_STR(str_at(cJSON_GetArrayItem(at(r.obj,
		"status.loadBalancer.ingress"), 0), "ip"), "192.0.2.2");
	/* The resourceVersion precondition, now stale, for each type. */
	rec_reset(&r);
	if (!finish(np_kube_patch(k, SVC "/lb/status", NP_KUBE_PATCH_MERGE,
				  "{\"status\":{}}", rv, on_result, &r), &r))
		CHECK_FAIL("the stale merge patch never completed");
	CHECK_INT(r.status, 409);
	CHECK(r.conflict);
	rec_reset(&r);
	if (!finish(np_kube_patch(k, SVC "/lb", NP_KUBE_PATCH_JSON,
				  "[{\"op\":\"add\",\"path\":\"/metadata/"
				  "labels\",\"value\":{\"a\":\"b\"}}]", rv,
				  on_result, &r), &r))
		CHECK_FAIL("the stale JSON patch never completed");
	CHECK_INT(r.status, 409);
	CHECK(r.conflict);
	/* A JSON patch without precondition applies. */
	rec_reset(&r);
	if (!finish(np_kube_patch(k, SVC "/lb", NP_KUBE_PATCH_JSON,
				  "[{\"op\":\"add\",\"path\":\"/metadata/"
				  "labels\",\"value\":{\"a\":\"b\"}}]", NULL,
				  on_result, &r), &r))
		CHECK_FAIL("the JSON patch never completed");
	CHECK_STR(r.err, "");
	CHECK_STR(str_at(r.obj, "metadata.labels.a"), "b");
	/* The main resource ignores status. */
	rec_reset(&r);
	if (!finish(np_kube_patch(k, SVC "/lb", NP_KUBE_PATCH_MERGE,
				  "{\"status\":{\"loadBalancer\":null}}",
				  NULL, on_result, &r), &r))
		CHECK_FAIL("the patch never completed");
	CHECK_STR(str_at(cJSON_GetArrayItem(at(r.obj,
		"status.loadBalancer.ingress"), 0), "ip"), "192.0.2.2");
	rec_reset(&r);
}

TEST(finalizer_holds_a_deletion)
{
	static const char fin[] = "service.kubernetes.io/load-balancer-cleanup";
	struct rec r = { 0 };
	char body[256];

	NEED_SETUP();
	CHECK(ctl_ok("PUT", "/objects", "{\"kind\":\"Service\",\"metadata\":"
		     "{\"name\":\"fin\",\"namespace\":\"default\"},\"spec\":"
		     "{\"ports\":[{\"port\":80}]}}"));
	snprintf(body, sizeof(body), "{\"metadata\":{\"finalizers\":[\"%s\"]}}",
		 fin);
	if (!finish(np_kube_patch(k, SVC "/fin", NP_KUBE_PATCH_STRATEGIC, body,
				  NULL, on_result, &r), &r))
		CHECK_FAIL("the patch never completed");
	CHECK_STR(r.err, "");
	rec_reset(&r);
	if (!finish(np_kube_delete(k, SVC "/fin", NULL, NULL, on_result, &r),
		    &r))
		CHECK_FAIL("the delete never completed");
	CHECK_INT(r.status, 202);
	CHECK(str_at(r.obj, "metadata.deletionTimestamp")[0]);
	rec_reset(&r);
	if (!finish(np_kube_get(k, SVC "/fin", on_result, &r), &r))
		CHECK_FAIL("the get never completed");
	CHECK_INT(r.status, 200);
	/* The finalizer removed (as the service controller does, on the
	 * version read): the object goes. */
	rec_reset(&r);
	if (!finish(np_kube_patch(k, SVC "/fin", NP_KUBE_PATCH_MERGE,
				  "{\"metadata\":{\"finalizers\":null}}",
				  NULL, on_result, &r), &r))
		CHECK_FAIL("the patch never completed");
	CHECK_STR(r.err, "");
	rec_reset(&r);
	if (!finish(np_kube_get(k, SVC "/fin", on_result, &r), &r))
		CHECK_FAIL("the get never completed");
	CHECK_INT(r.status, 404);
	rec_reset(&r);
}

/* ---- the write queue ---- */

static struct np_kube_writeq *q;
static int q_done, q_conflicts;
static struct rec q_last;

static void q_on_done(void *ctx, const char *key,
		      const struct np_kube_result *res)
{
	(void)key;
	q_done++;
	on_result(ctx, res);
}

static bool q_idle(void)
{
	return np_kube_writeq_idle(q);
}

/* Idle with exactly one write done: what a single put ends in. */
static bool q_one_done(void)
{
	return np_kube_writeq_idle(q) && q_done == 1;
}

static int new_queue(unsigned int min_ms, unsigned int max_ms)
{
	struct np_kube_writeq_opts o = {
		.backoff_min_ms = min_ms, .backoff_max_ms = max_ms,
	};

	np_kube_writeq_free(q);
	q = NULL;
	q_done = q_conflicts = 0;
	rec_reset(&q_last);
	return np_kube_writeq_new(k, &o, &q);
}

static char *ingress_patch(int i)
{
	char *s;

	if (asprintf(&s, "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":"
		     "\"198.51.100.%d\"}]}}}", i) < 0)
		return NULL;
	return s;
}

TEST(writeq_coalesces_to_the_last_write)
{
	const char *ctype = np_kube_patch_ctype(NP_KUBE_PATCH_MERGE);
	cJSON *w, *o;
	char *p;
	int i;

	NEED_SETUP();
	CHECK_INT(new_queue(100, 1000), 0);
	CHECK(ctl_ok("DELETE", "/writes", NULL));
	/* 20 writes in a row: only the last reaches the server. */
	for (i = 1; i <= 20; i++) {
		p = ingress_patch(i);
		CHECK_INT(np_kube_writeq_put(q, "services/default/lb/status",
					     "PATCH", SVC "/lb/status", ctype, p,
					     q_on_done, NULL, &q_last), 0);
		free(p);
	}
	if (!wait_for(q_idle))
		CHECK_FAIL("the queue never became idle");
	CHECK_INT(q_done, 1);
	CHECK_INT(n_writes(SVC "/lb"), 1);
	o = ctl("GET", "/objects/services/default/lb", NULL);
	CHECK_STR(str_at(cJSON_GetArrayItem(at(o, "status.loadBalancer.ingress"),
					    0), "ip"), "198.51.100.20");
	cJSON_Delete(o);
	CHECK_INT(np_kube_writeq_stats(q)->coalesced, 19);

	/* While one is in flight (the server slowed down), 9 more: the one in
	 * flight completes, then only the last of the 9 is sent. */
	CHECK(ctl_ok("DELETE", "/writes", NULL));
	CHECK(ctl_ok("POST", "/delay?ms=400", NULL));
	p = ingress_patch(100);
	CHECK_INT(np_kube_writeq_put(q, "services/default/lb/status", "PATCH",
				     SVC "/lb/status", ctype, p, q_on_done,
				     NULL, &q_last), 0);
	free(p);
	yield_ms(100);		/* sent; its answer is 400 ms away */
	CHECK(np_kube_writeq_busy(q, "services/default/lb/status"));
	for (i = 101; i <= 109; i++) {
		p = ingress_patch(i);
		np_kube_writeq_put(q, "services/default/lb/status", "PATCH",
				   SVC "/lb/status", ctype, p, q_on_done, NULL,
				   &q_last);
		free(p);
	}
	if (!wait_for(q_idle))
		CHECK_FAIL("the queue never became idle");
	CHECK(ctl_ok("POST", "/delay?ms=0", NULL));
	w = writes(SVC "/lb");
	CHECK_INT(cJSON_GetArraySize(w), 2);
	CHECK_CONTAINS(str_at(cJSON_GetArrayItem(w, 0), "body"), "198.51.100.100");
	CHECK_CONTAINS(str_at(cJSON_GetArrayItem(w, 1), "body"), "198.51.100.109");
	cJSON_Delete(w);
	CHECK_INT(q_done, 3);
}

TEST(writeq_caps_the_writes_in_flight)
{
	struct np_kube_writeq_opts o = {
		.backoff_min_ms = 100, .max_inflight = 2,
	};
	char key[64], *p;
	int i;

	NEED_SETUP();
	np_kube_writeq_free(q);
	q = NULL;
	q_done = 0;
	CHECK_INT(np_kube_writeq_new(k, &o, &q), 0);
	CHECK(ctl_ok("DELETE", "/writes", NULL));
	CHECK(ctl_ok("POST", "/delay?ms=300", NULL));
	/* Five keys at once: two in flight, three waiting their turn. */
	for (i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "services/default/lb/status#%d", i);
		p = ingress_patch(200 + i);
		CHECK_INT(np_kube_writeq_put(q, key, "PATCH", SVC "/lb/status",
					     np_kube_patch_ctype(
						NP_KUBE_PATCH_MERGE), p,
					     q_on_done, NULL, &q_last), 0);
		free(p);
	}
	yield_ms(100);
	CHECK_INT(np_kube_writeq_stats(q)->inflight, 2);
	if (!wait_for(q_idle))
		CHECK_FAIL("the queue never became idle");
	CHECK(ctl_ok("POST", "/delay?ms=0", NULL));
	CHECK_INT(q_done, 5);
	CHECK_INT(n_writes(SVC "/lb/status"), 5);
	CHECK_INT(np_kube_writeq_stats(q)->inflight_max, 2);
	CHECK_INT(np_kube_writeq_stats(q)->inflight, 0);
}

/* The conflict callback: re-reads the Service, then puts the write again
 * with the resourceVersion read. */
static void reread_done(void *ctx, const struct np_kube_result *res)
{
	char *p;

	(void)ctx;
	q_conflicts++;
	if (res->err)
		return;
	p = np_kube_patch_with_rv(NP_KUBE_PATCH_MERGE,
				  "{\"metadata\":{\"labels\":{\"x\":\"2\"}}}",
				  str_at(res->obj, "metadata.resourceVersion"));
	np_kube_writeq_put(q, "services/default/lb", "PATCH", SVC "/lb",
			   np_kube_patch_ctype(NP_KUBE_PATCH_MERGE), p,
			   q_on_done, NULL, &q_last);
	free(p);
}

static void on_conflict(void *ctx, const char *key,
			const struct np_kube_result *res)
{
	(void)ctx;
	(void)key;
	(void)res;
	np_kube_get(k, SVC "/lb", reread_done, NULL);
}

TEST(writeq_409_rereads_and_retries)
{
	char *p;
	cJSON *w;

	NEED_SETUP();
	CHECK_INT(new_queue(100, 1000), 0);
	CHECK(ctl_ok("DELETE", "/writes", NULL));
	/* A patch on a resourceVersion long gone. */
	p = np_kube_patch_with_rv(NP_KUBE_PATCH_MERGE,
				  "{\"metadata\":{\"labels\":{\"x\":\"1\"}}}",
				  "1");
	CHECK_INT(np_kube_writeq_put(q, "services/default/lb", "PATCH",
				     SVC "/lb",
				     np_kube_patch_ctype(NP_KUBE_PATCH_MERGE),
				     p, q_on_done, on_conflict, &q_last), 0);
	free(p);
	if (!wait_for(q_one_done))
		CHECK_FAIL("the queue never finished (done %d)", q_done);
	CHECK_STR(q_last.err, "");
	CHECK_INT(q_conflicts, 1);
	CHECK_INT(np_kube_writeq_stats(q)->conflicts, 1);
	w = writes(SVC "/lb");
	CHECK_INT(cJSON_GetArraySize(w), 2);
	CHECK_INT(num_at(cJSON_GetArrayItem(w, 0), "code"), 409);
	CHECK_INT(num_at(cJSON_GetArrayItem(w, 1), "code"), 200);
	cJSON_Delete(w);
	w = ctl("GET", "/objects/services/default/lb", NULL);
	CHECK_STR(str_at(w, "metadata.labels.x"), "2");
	cJSON_Delete(w);
}

TEST(writeq_backs_off_after_500s)
{
	double t[4];
	cJSON *w;
	int i;

	NEED_SETUP();
	CHECK_INT(new_queue(200, 5000), 0);
	CHECK(ctl_ok("DELETE", "/writes", NULL));
	CHECK(ctl_ok("POST", "/fail?n=3&code=500&path=" SVC "/lb", NULL));
	CHECK_INT(np_kube_writeq_put(q, "services/default/lb", "PATCH",
				     SVC "/lb",
				     np_kube_patch_ctype(NP_KUBE_PATCH_MERGE),
				     "{\"metadata\":{\"labels\":{\"y\":\"1\"}}}",
				     q_on_done, NULL, &q_last), 0);
	if (!wait_for(q_one_done))
		CHECK_FAIL("the queue never finished (done %d)", q_done);
	CHECK_STR(q_last.err, "");
	CHECK_INT(np_kube_writeq_stats(q)->retried, 3);
	w = writes(SVC "/lb");
	CHECK_INT(cJSON_GetArraySize(w), 4);
	for (i = 0; i < 4; i++) {
		CHECK_INT(num_at(cJSON_GetArrayItem(w, i), "code"),
			  i < 3 ? 500 : 200);
		t[i] = at(cJSON_GetArrayItem(w, i), "time")->valuedouble;
	}
	cJSON_Delete(w);
	/* Exponential: 200, 400, 800 ms jittered to [d/2, d]; a timer never
	 * fires early, so the gaps are at least 100, 200, 400 ms. */
	CHECK(t[1] - t[0] >= 0.1);
	CHECK(t[2] - t[1] >= 0.2);
	CHECK(t[3] - t[2] >= 0.4);

	/* A 422 is final: one attempt, done sees it. */
	CHECK(ctl_ok("DELETE", "/writes", NULL));
	CHECK_INT(new_queue(200, 5000), 0);
	CHECK_INT(np_kube_writeq_put(q, "events/default/bad", "POST",
				     "/apis/events.k8s.io/v1/namespaces/"
				     "default/events", "application/json",
				     "{\"metadata\":{\"name\":\"bad\"}}",
				     q_on_done, NULL, &q_last), 0);
	if (!wait_for(q_one_done))
		CHECK_FAIL("the queue never finished (done %d)", q_done);
	CHECK_INT(q_last.status, 422);
	CHECK_INT(n_writes("/apis/events.k8s.io"), 1);
	CHECK_INT(np_kube_writeq_stats(q)->failed, 1);
}

/* ---- ServiceLB's writes to Services ---- */

static int svc_conflicts;

static void svc_conflict(void *ctx, const char *key,
			 const struct np_kube_result *res)
{
	(void)ctx;
	(void)res;
	if (!strcmp(key, "services/default/lb"))
		svc_conflicts++;
}

static bool svc_settled(void)
{
	return np_kube_writeq_idle(q) && q_done + svc_conflicts >= 1;
}

TEST(service_status_and_finalizer_writes)
{
	static const char *const ips[] = { "192.0.2.10", "2001:db8::1" };
	static const char *const bad[] = { "192.0.2.300" };
	const cJSON *ing, *fl;
	cJSON *o;

	NEED_SETUP();
	CHECK_INT(new_queue(100, 1000), 0);
	svc_conflicts = 0;
	CHECK_INT(np_kube_service_status(q, "default", "lb", NULL, ips, 2,
					 q_on_done, svc_conflict, &q_last), 0);
	if (!wait_for(q_one_done))
		CHECK_FAIL("the status was never written");
	CHECK_STR(q_last.err, "");
	o = ctl("GET", "/objects/services/default/lb", NULL);
	ing = at(o, "status.loadBalancer.ingress");
	CHECK_INT(cJSON_GetArraySize(ing), 2);
	CHECK_STR(str_at(cJSON_GetArrayItem(ing, 0), "ip"), "192.0.2.10");
	CHECK_STR(str_at(cJSON_GetArrayItem(ing, 0), "ipMode"), "VIP");
	CHECK_STR(str_at(cJSON_GetArrayItem(ing, 1), "ip"), "2001:db8::1");
	cJSON_Delete(o);
	CHECK_INT(np_kube_service_status(q, "default", "lb", NULL, bad, 1,
					 NULL, NULL, NULL), -EINVAL);
	CHECK_INT(np_kube_service_status(q, "default", "Bad_Name", NULL, ips,
					 1, NULL, NULL, NULL), -EINVAL);

	/* The finalizer added next to someone else's, then removed alone;
	 * a uid that is not the Service's is a conflict. */
	CHECK(ctl_ok("PUT", "/objects", "{\"kind\":\"Service\",\"metadata\":"
		     "{\"name\":\"lb\",\"namespace\":\"default\",\"uid\":"
		     "\"uid-lb\",\"finalizers\":[\"other.io/keep\"]},\"spec\":"
		     "{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":80}]}}"));
	q_done = 0;
	CHECK_INT(np_kube_service_finalizer(q, "default", "lb", "uid-lb", true,
					    q_on_done, svc_conflict, &q_last),
		  0);
	if (!wait_for(q_one_done))
		CHECK_FAIL("the finalizer was never added");
	CHECK_STR(q_last.err, "");
	o = ctl("GET", "/objects/services/default/lb", NULL);
	fl = at(o, "metadata.finalizers");
	CHECK_INT(cJSON_GetArraySize(fl), 2);
	CHECK_STR(cJSON_GetArrayItem(fl, 0)->valuestring, "other.io/keep");
	CHECK_STR(cJSON_GetArrayItem(fl, 1)->valuestring, NP_KUBE_LB_FINALIZER);
	cJSON_Delete(o);
	q_done = 0;
	CHECK_INT(np_kube_service_finalizer(q, "default", "lb", "uid-other",
					    false, q_on_done, svc_conflict,
					    &q_last), 0);
	if (!wait_for(svc_settled))
		CHECK_FAIL("the write for another uid never ended");
	CHECK_INT(svc_conflicts, 1);
	CHECK_INT(q_done, 0);
	CHECK_INT(np_kube_service_finalizer(q, "default", "Bad_Name", NULL,
					    true, NULL, NULL, NULL), -EINVAL);
	q_done = 0;
	CHECK_INT(np_kube_service_finalizer(q, "default", "lb", NULL, false,
					    q_on_done, svc_conflict, &q_last),
		  0);
	if (!wait_for(q_one_done))
		CHECK_FAIL("the finalizer was never removed");
	CHECK_STR(q_last.err, "");
	q_done = 0;
	CHECK_INT(np_kube_service_status(q, "default", "lb", NULL, NULL, 0,
					 q_on_done, svc_conflict, &q_last), 0);
	if (!wait_for(q_one_done))
		CHECK_FAIL("the status was never emptied");
	CHECK_STR(q_last.err, "");
	o = ctl("GET", "/objects/services/default/lb", NULL);
	fl = at(o, "metadata.finalizers");
	CHECK_INT(cJSON_GetArraySize(fl), 1);
	CHECK_STR(cJSON_GetArrayItem(fl, 0)->valuestring, "other.io/keep");
	CHECK(at(o, "status.loadBalancer") != NULL);
	CHECK(at(o, "status.loadBalancer.ingress") == NULL);
	cJSON_Delete(o);
}

/* ---- Events ---- */

static int64_t fake_now_us;

static int64_t fake_clock(void)
{
	return fake_now_us;
}

static const struct np_kube_objref lb_ref = {
	.api_version = "v1", .kind = "Service", .ns = "default",
	.name = "lb", .uid = "uid-lb",
};

static cJSON *events_of(void)
{
	return ctl("GET", "/objects/events", NULL);
}

TEST(event_created_then_series_updated)
{
	struct np_kube_events_opts eo = {
		.controller = NP_KUBE_EVENTS_SERVICELB, .instance = "node-a",
		.now_us = fake_clock,
	};
	struct np_kube_events *ev = NULL;
	const cJSON *e;
	cJSON *list, *w;
	int i;

	NEED_SETUP();
	CHECK_INT(new_queue(100, 1000), 0);
	CHECK(ctl_ok("DELETE", "/writes", NULL));
	fake_now_us = 1780000000LL * 1000000 + 123456;
	CHECK_INT(np_kube_events_new(q, &eo, &ev), 0);
	CHECK_INT(np_kube_event(ev, &lb_ref, NP_KUBE_EVENT_NORMAL,
				"UpdatedLoadBalancer", "EnsureLoadBalancer",
				"Updated LoadBalancer with new IPs: [] -> "
				"[192.0.2.1]"), 0);
	if (!wait_for(q_idle))
		CHECK_FAIL("the Event was never written");
	list = events_of();
	CHECK_INT(cJSON_GetArraySize(at(list, "items")), 1);
	e = cJSON_GetArrayItem(at(list, "items"), 0);
	CHECK_STR(str_at(e, "metadata.namespace"), "default");
	CHECK_STR(str_at(e, "metadata.name"), "lb.18b3d491bb8dca00");
	CHECK_STR(str_at(e, "eventTime"), "2026-05-28T20:26:40.123456Z");
	CHECK_STR(str_at(e, "reportingController"), "nodeplane.io/servicelb");
	CHECK_STR(str_at(e, "reportingInstance"), "node-a");
	CHECK_STR(str_at(e, "action"), "EnsureLoadBalancer");
	CHECK_STR(str_at(e, "reason"), "UpdatedLoadBalancer");
	CHECK_STR(str_at(e, "type"), "Normal");
	CHECK_STR(str_at(e, "note"), "Updated LoadBalancer with new IPs: [] "
		  "-> [192.0.2.1]");
	CHECK_STR(str_at(e, "regarding.kind"), "Service");
	CHECK_STR(str_at(e, "regarding.apiVersion"), "v1");
	CHECK_STR(str_at(e, "regarding.namespace"), "default");
	CHECK_STR(str_at(e, "regarding.name"), "lb");
	CHECK_STR(str_at(e, "regarding.uid"), "uid-lb");
	CHECK(at(e, "series") == NULL);
	cJSON_Delete(list);

	/* Three repeats within the window: one PATCH, count 4. */
	for (i = 0; i < 3; i++) {
		fake_now_us += 60 * 1000000LL;
		CHECK_INT(np_kube_event(ev, &lb_ref, NP_KUBE_EVENT_NORMAL,
					"UpdatedLoadBalancer",
					"EnsureLoadBalancer",
					"Updated LoadBalancer with new IPs: "
					"[] -> [192.0.2.1]"), 0);
	}
	if (!wait_for(q_idle))
		CHECK_FAIL("the series was never written");
	list = events_of();
	CHECK_INT(cJSON_GetArraySize(at(list, "items")), 1);
	e = cJSON_GetArrayItem(at(list, "items"), 0);
	CHECK_INT(num_at(e, "series.count"), 4);
	CHECK_STR(str_at(e, "series.lastObservedTime"),
		  "2026-05-28T20:29:40.123456Z");
	CHECK_STR(str_at(e, "eventTime"), "2026-05-28T20:26:40.123456Z");
	cJSON_Delete(list);
	w = writes("/apis/events.k8s.io");
	CHECK_INT(cJSON_GetArraySize(w), 2);
	CHECK_STR(str_at(cJSON_GetArrayItem(w, 0), "method"), "POST");
	CHECK_STR(str_at(cJSON_GetArrayItem(w, 1), "method"), "PATCH");
	CHECK_STR(str_at(cJSON_GetArrayItem(w, 1), "contentType"),
		  "application/strategic-merge-patch+json");
	cJSON_Delete(w);
	CHECK_INT(np_kube_event_count(ev, &lb_ref, NP_KUBE_EVENT_NORMAL,
				      "UpdatedLoadBalancer",
				      "EnsureLoadBalancer",
				      "Updated LoadBalancer with new IPs: [] "
				      "-> [192.0.2.1]"), 4);

	/* Another note: another Event. */
	CHECK_INT(np_kube_event(ev, &lb_ref, NP_KUBE_EVENT_WARNING,
				"UnAvailableLoadBalancer", "EnsureLoadBalancer",
				"There are no available nodes for "
				"LoadBalancer"), 0);
	/* Past the window (10 min after the last): a new Event again. */
	fake_now_us += 601 * 1000000LL;
	CHECK_INT(np_kube_event(ev, &lb_ref, NP_KUBE_EVENT_NORMAL,
				"UpdatedLoadBalancer", "EnsureLoadBalancer",
				"Updated LoadBalancer with new IPs: [] -> "
				"[192.0.2.1]"), 0);
	if (!wait_for(q_idle))
		CHECK_FAIL("the Events were never written");
	list = events_of();
	CHECK_INT(cJSON_GetArraySize(at(list, "items")), 3);
	cJSON_Delete(list);

	/* Invalid input is refused here. */
	CHECK_INT(np_kube_event(ev, &lb_ref, NP_KUBE_EVENT_NORMAL, "",
				"EnsureLoadBalancer", "x"), -EINVAL);
	np_kube_events_free(ev);
}

TEST(event_deleted_meanwhile_is_created_again)
{
	struct np_kube_events_opts eo = {
		.controller = NP_KUBE_EVENTS_SERVICELB, .instance = "node-b",
		.now_us = fake_clock,
	};
	struct np_kube_events *ev = NULL;
	struct np_kube_objref ref = lb_ref;
	char path[300];
	cJSON *list;

	NEED_SETUP();
	CHECK_INT(new_queue(100, 1000), 0);
	ref.name = "gone";
	fake_now_us = 1790000000LL * 1000000;
	CHECK_INT(np_kube_events_new(q, &eo, &ev), 0);
	CHECK_INT(np_kube_event(ev, &ref, NP_KUBE_EVENT_NORMAL, "R", "A",
				"n"), 0);
	if (!wait_for(q_idle))
		CHECK_FAIL("the Event was never written");
	snprintf(path, sizeof(path), "/objects/events/default/gone.%llx",
		 1790000000ULL * 1000000000ULL);
	CHECK(ctl_ok("DELETE", path, NULL));
	CHECK_INT(np_kube_event(ev, &ref, NP_KUBE_EVENT_NORMAL, "R", "A",
				"n"), 0);
	if (!wait_for(q_idle))
		CHECK_FAIL("the Event was never written again");
	list = ctl("GET", path + 0, NULL);
	CHECK(list != NULL);
	CHECK_INT(num_at(list, "series.count"), 2);
	cJSON_Delete(list);
	np_kube_events_free(ev);
}

/* ---- leader election ---- */

struct cand {
	const char *id;
	struct np_kube_leader *le;
	int started, stopped;
};

static struct cand ca = { .id = "node-a" }, cb = { .id = "node-b" },
		   cc = { .id = "node-c" };

static void cand_started(void *ctx)
{
	((struct cand *)ctx)->started++;
}

static void cand_stopped(void *ctx)
{
	((struct cand *)ctx)->stopped++;
}

static int campaign(struct cand *c)
{
	struct np_kube_leader_opts o = {
		.name = "test-leader", .identity = c->id,
		.lease_duration_s = 2, .renew_deadline_ms = 1500,
		.retry_period_ms = 250, .started = cand_started,
		.stopped = cand_stopped, .ctx = c,
	};

	return np_kube_leader_new(k, &o, &c->le);
}

static bool one_leader(void)
{
	return (ca.le && np_kube_leader_is_leader(ca.le)) +
	       (cb.le && np_kube_leader_is_leader(cb.le)) == 1;
}

static struct cand *follower;

static bool follower_leads(void)
{
	return np_kube_leader_is_leader(follower->le);
}

static cJSON *lease(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/objects/leases/kube-system/%s", name);
	return ctl("GET", path, NULL);
}

static struct rec rel;

static void rel_done(void *ctx, long status, const char *err)
{
	(void)ctx;
	rel.done = true;
	rel.status = status;
	snprintf(rel.err, sizeof(rel.err), "%s", err ? err : "");
}

static bool rel_finished(void)
{
	return rel.done;
}

TEST(leader_election_one_leader_then_takeover)
{
	struct cand *leader;
	cJSON *l;
	int i;

	NEED_SETUP();
	CHECK_INT(campaign(&ca), 0);
	CHECK_INT(campaign(&cb), 0);
	if (!wait_for(one_leader))
		CHECK_FAIL("no leader was elected");
	leader = np_kube_leader_is_leader(ca.le) ? &ca : &cb;
	follower = leader == &ca ? &cb : &ca;
	/* Exactly one, for a few renewals. */
	for (i = 0; i < 10; i++) {
		yield_ms(100);
		CHECK(np_kube_leader_is_leader(leader->le));
		CHECK(!np_kube_leader_is_leader(follower->le));
	}
	CHECK_INT(leader->started, 1);
	CHECK_INT(follower->started, 0);
	l = lease("test-leader");
	CHECK_STR(str_at(l, "spec.holderIdentity"), leader->id);
	CHECK_INT(num_at(l, "spec.leaseDurationSeconds"), 2);
	CHECK_INT(num_at(l, "spec.leaseTransitions"), 0);
	cJSON_Delete(l);
	CHECK_STR(np_kube_leader_holder(follower->le), leader->id);

	/* The leader stops renewing (gone without a word): the follower
	 * takes over once the Lease expired. */
	np_kube_leader_free(leader->le);
	leader->le = NULL;
	if (!wait_for(follower_leads))
		CHECK_FAIL("%s never took over", follower->id);
	CHECK_INT(follower->started, 1);
	l = lease("test-leader");
	CHECK_STR(str_at(l, "spec.holderIdentity"), follower->id);
	CHECK_INT(num_at(l, "spec.leaseTransitions"), 1);
	CHECK(str_at(l, "spec.renewTime")[0]);
	cJSON_Delete(l);

	/* A clean stop releases: holder empty, and a new candidate takes
	 * it at once (transitions 2). */
	memset(&rel, 0, sizeof(rel));
	CHECK_INT(np_kube_leader_release(follower->le, rel_done, NULL), 0);
	CHECK_INT(follower->stopped, 1);
	CHECK(!np_kube_leader_is_leader(follower->le));
	if (!wait_for(rel_finished))
		CHECK_FAIL("the release never completed");
	CHECK_STR(rel.err, "");
	CHECK_INT(rel.status, 200);
	l = lease("test-leader");
	CHECK_STR(str_at(l, "spec.holderIdentity"), "");
	cJSON_Delete(l);
	np_kube_leader_free(follower->le);
	follower->le = NULL;
	CHECK_INT(campaign(&cc), 0);
	follower = &cc;
	if (!wait_for(follower_leads))
		CHECK_FAIL("node-c never took the released lease");
	l = lease("test-leader");
	CHECK_STR(str_at(l, "spec.holderIdentity"), "node-c");
	CHECK_INT(num_at(l, "spec.leaseTransitions"), 2);
	cJSON_Delete(l);
	np_kube_leader_free(cc.le);
	cc.le = NULL;
}

static struct cand cd = { .id = "node-d" };

static bool d_stopped(void)
{
	return cd.stopped == 1 && !np_kube_leader_is_leader(cd.le);
}

static bool d_leads_again(void)
{
	return cd.started == 2 && np_kube_leader_is_leader(cd.le);
}

static bool d_leads(void)
{
	return np_kube_leader_is_leader(cd.le);
}

TEST(leader_steps_down_when_it_cannot_renew)
{
	struct np_kube_leader_opts o = {
		.name = "test-leader-d", .identity = "node-d",
		.lease_duration_s = 2, .renew_deadline_ms = 1500,
		.retry_period_ms = 250, .started = cand_started,
		.stopped = cand_stopped, .ctx = &cd,
	};

	NEED_SETUP();
	CHECK_INT(np_kube_leader_new(k, &o, &cd.le), 0);
	if (!wait_for(d_leads))
		CHECK_FAIL("node-d never became the leader");
	CHECK_INT(cd.started, 1);
	CHECK_INT(cd.stopped, 0);
	/* Every write to the Lease fails: past the renew deadline the leader
	 * steps down (stopped() once), though nobody else took it. */
	CHECK(ctl_ok("POST", "/fail?n=100000&code=503&path=/apis/"
		     "coordination.k8s.io/v1/namespaces/kube-system/leases/"
		     "test-leader-d", NULL));
	if (!wait_for(d_stopped))
		CHECK_FAIL("node-d never stepped down (stopped %d)", cd.stopped);
	CHECK(ctl_ok("POST", "/fail?n=0", NULL));
	/* Writes go through again: its own expired Lease, taken again. */
	if (!wait_for(d_leads_again))
		CHECK_FAIL("node-d never led again (started %d)", cd.started);
	CHECK_INT(cd.stopped, 1);
	np_kube_leader_free(cd.le);
	cd.le = NULL;
}

/* ---- node Leases ---- */

static struct np_kube_node_leases *mon;
static char changes[1024];

static void on_change(void *ctx, const char *node, bool alive)
{
	size_t n = strlen(changes);

	(void)ctx;
	snprintf(changes + n, sizeof(changes) - n, "%s%s=%s", n ? " " : "",
		 node, alive ? "alive" : "dead");
}

static bool mon_has_a(void)
{
	return np_kube_node_alive(mon, "node-a", np_now_ms());
}

static bool a_reported_dead(void)
{
	return strstr(changes, "node-a=dead") != NULL;
}

static struct np_kube_node_lease *cur_nl;

static bool nl_renewed(void)
{
	return np_kube_node_lease_renewed(cur_nl);
}

static bool mon_synced_with_old(void)
{
	return np_kube_node_leases_synced(mon) &&
	       strstr(changes, "node-fresh=alive");
}

TEST(node_leases_alive_and_expired)
{
	struct np_kube_node_lease_opts no = {
		.node = "node-a", .duration_s = 2, .renew_ms = 300,
	};
	struct np_kube_node_leases_opts mo = {
		.poll_ms = 200, .changed = on_change,
	};
	struct np_kube_node_lease *nl = NULL;
	char body[1024], old[40], fresh[40];
	uint64_t now;
	cJSON *l;

	NEED_SETUP();
	/* One Lease renewed an hour ago, one just now for an hour; one
	 * without our label (not a node Lease of ours). */
	np_kube_microtime(np_kube_wall_us() - 3600LL * 1000000, old,
			  sizeof(old));
	np_kube_microtime(np_kube_wall_us(), fresh, sizeof(fresh));
	snprintf(body, sizeof(body),
		 "[{\"kind\":\"Lease\",\"apiVersion\":\"coordination.k8s.io/v1\","
		 "\"metadata\":{\"name\":\"nodeplane-node-node-old\","
		 "\"namespace\":\"kube-system\",\"labels\":{\"nodeplane.io/"
		 "lease\":\"node\"}},\"spec\":{\"holderIdentity\":\"node-old\","
		 "\"leaseDurationSeconds\":40,\"renewTime\":\"%s\"}},"
		 "{\"kind\":\"Lease\",\"apiVersion\":\"coordination.k8s.io/v1\","
		 "\"metadata\":{\"name\":\"nodeplane-node-node-fresh\","
		 "\"namespace\":\"kube-system\",\"labels\":{\"nodeplane.io/"
		 "lease\":\"node\"}},\"spec\":{\"holderIdentity\":\"node-fresh\","
		 "\"leaseDurationSeconds\":3600,\"renewTime\":\"%s\"}},"
		 "{\"kind\":\"Lease\",\"apiVersion\":\"coordination.k8s.io/v1\","
		 "\"metadata\":{\"name\":\"other\",\"namespace\":\"kube-system\"},"
		 "\"spec\":{\"holderIdentity\":\"node-other\","
		 "\"leaseDurationSeconds\":3600,\"renewTime\":\"%s\"}}]",
		 old, fresh, fresh);
	CHECK(ctl_ok("PUT", "/objects", body));
	changes[0] = '\0';
	CHECK_INT(np_kube_node_leases_new(k, &mo, &mon), 0);
	if (!wait_for(mon_synced_with_old))
		CHECK_FAIL("the monitor never listed the Leases");
	now = np_now_ms();
	CHECK(np_kube_node_alive(mon, "node-fresh", now));
	CHECK(np_kube_node_alive(mon, "node-fresh", now + 3500 * 1000));
	CHECK(!np_kube_node_alive(mon, "node-fresh", now + 3601 * 1000));
	CHECK(!np_kube_node_alive(mon, "node-old", now));
	CHECK(!np_kube_node_alive(mon, "node-other", now));
	CHECK(!np_kube_node_alive(mon, "node-a", now));

	/* node-a's nodeplaned renews its Lease: alive. */
	CHECK_INT(np_kube_node_lease_new(k, &no, &nl), 0);
	if (!wait_for(mon_has_a))
		CHECK_FAIL("node-a's Lease never became alive");
	l = lease("nodeplane-node-node-a");
	CHECK_STR(str_at(l, "spec.holderIdentity"), "node-a");
	CHECK_INT(num_at(l, "spec.leaseDurationSeconds"), 2);
	CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
		at(l, "metadata.labels"), "nodeplane.io/lease")));
	CHECK_STR(cJSON_GetObjectItemCaseSensitive(at(l, "metadata.labels"),
		  "nodeplane.io/lease")->valuestring, "node");
	cJSON_Delete(l);
	cur_nl = nl;
	if (!wait_for(nl_renewed))
		CHECK_FAIL("node-a's Lease renewal never succeeded");

	/* It stops: the monitor reports it dead once the Lease expired. */
	np_kube_node_lease_free(nl);
	if (!wait_for(a_reported_dead))
		CHECK_FAIL("node-a's expiry was never reported (%s)", changes);
	CHECK(!np_kube_node_alive(mon, "node-a", np_now_ms()));
	CHECK_STR(changes, "node-fresh=alive node-a=alive node-a=dead");
	np_kube_node_leases_free(mon);
	mon = NULL;
}

static bool e_reported_dead(void)
{
	return strstr(changes, "node-e=dead") != NULL;
}

static bool mon_has_e(void)
{
	return np_kube_node_leases_synced(mon) &&
	       np_kube_node_alive(mon, "node-e", np_now_ms());
}

TEST(node_lease_expiry_is_reported_between_polls)
{
	struct np_kube_node_lease_opts no = {
		.node = "node-e", .duration_s = 2, .renew_ms = 300,
	};
	/* One list only within the test's deadline: the expiry must come
	 * from the monitor's own timer. */
	struct np_kube_node_leases_opts mo = {
		.poll_ms = 600000, .changed = on_change,
	};
	struct np_kube_node_lease *nl = NULL;

	NEED_SETUP();
	CHECK_INT(np_kube_node_lease_new(k, &no, &nl), 0);
	cur_nl = nl;
	if (!wait_for(nl_renewed))
		CHECK_FAIL("node-e's Lease was never written");
	changes[0] = '\0';
	CHECK_INT(np_kube_node_leases_new(k, &mo, &mon), 0);
	if (!wait_for(mon_has_e))
		CHECK_FAIL("the monitor never saw node-e alive");
	np_kube_node_lease_free(nl);
	if (!wait_for(e_reported_dead))
		CHECK_FAIL("node-e's expiry was never reported (%s)", changes);
	CHECK(!np_kube_node_alive(mon, "node-e", np_now_ms()));
	np_kube_node_leases_free(mon);
	mon = NULL;
}

static void tests(void)
{
	RUN(create_get_update_delete_round_trip);
	RUN(create_twice_is_already_exists);
	RUN(invalid_is_422_with_the_fields);
	RUN(patch_types_on_the_status_subresource);
	RUN(finalizer_holds_a_deletion);
	RUN(writeq_coalesces_to_the_last_write);
	RUN(writeq_caps_the_writes_in_flight);
	RUN(writeq_409_rereads_and_retries);
	RUN(writeq_backs_off_after_500s);
	RUN(service_status_and_finalizer_writes);
	RUN(event_created_then_series_updated);
	RUN(event_deleted_meanwhile_is_created_again);
	RUN(leader_election_one_leader_then_takeover);
	RUN(leader_steps_down_when_it_cannot_renew);
	RUN(node_leases_alive_and_expired);
	RUN(node_lease_expiry_is_reported_between_polls);
	tests_done = true;
	swapcontext(&test_uc, &main_uc);
}

static void setup(void)
{
	struct np_kubeconfig kc;
	char cmd[1024], path[512], err[1024], *text, *p, *out;
	int r;

	if (system("command -v python3 >/dev/null 2>&1")) {
		snprintf(setup_skip, sizeof(setup_skip), "missing: python3");
		return;
	}
	if (system("command -v openssl >/dev/null 2>&1")) {
		snprintf(setup_skip, sizeof(setup_skip), "missing: openssl");
		return;
	}
	snprintf(cmd, sizeof(cmd), "bash %s %s/certs --server "
		 "https://127.0.0.1:6443 >%s/mkcerts.log 2>&1", MKCERTS, dir,
		 dir);
	if (system(cmd)) {
		snprintf(setup_err, sizeof(setup_err), "mkcerts.sh failed "
			 "(see %s/mkcerts.log)", dir);
		return;
	}
	if (start_server()) {
		snprintf(setup_err, sizeof(setup_err), "apiserver.py did not "
			 "start (see %s/apiserver.log)", dir);
		return;
	}
	/* The kubeconfig names port 6443; the server listens elsewhere. */
	snprintf(path, sizeof(path), "%s/certs/kubeconfig-k3s.yaml", dir);
	text = slurp(path);
	p = text ? strstr(text, "https://127.0.0.1:6443") : NULL;
	if (!p || asprintf(&out, "%.*shttps://127.0.0.1:%d%s",
			   (int)(p - text), text, api_port,
			   p + strlen("https://127.0.0.1:6443")) < 0 ||
	    write_file(path, out)) {
		free(text);
		snprintf(setup_err, sizeof(setup_err), "%s: cannot point it "
			 "at the server", path);
		return;
	}
	free(out);
	free(text);
	if (np_kubeconfig_load(path, &kc, err, sizeof(err))) {
		snprintf(setup_err, sizeof(setup_err), "%s", err);
		return;
	}
	r = np_kube_new(lp, &kc, &opts, &k);
	np_kubeconfig_free(&kc);
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
	snprintf(dir, sizeof(dir), "/tmp/np-kube-write-XXXXXX");
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
	np_kube_leader_free(ca.le);
	np_kube_leader_free(cb.le);
	np_kube_leader_free(cc.le);
	np_kube_leader_free(cd.le);
	np_kube_node_leases_free(mon);
	np_kube_writeq_free(q);
	rec_reset(&q_last);
	np_kube_free(k);
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
