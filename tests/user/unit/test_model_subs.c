// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model's subscriber list changed from inside a callback: a subscriber
 * unsubscribing itself or another one, subscribing new ones (which moves
 * the array), and a change made from a callback (a nested notify). Built
 * with AddressSanitizer (mk/model.mk): a read of a freed or moved entry
 * fails the run; the counters give the exact calls expected.
 */
#include <errno.h>
#include <stdio.h>

#include "check.h"
#include "model/model.h"

static struct np_model *m;
static int calls_a, calls_b, calls_c, calls_d;

static int node(const char *name, const char *ip)
{
	char buf[512], err[256];
	cJSON *j;
	int r;

	snprintf(buf, sizeof(buf),
		 "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"%s\","
		 "\"annotations\":{\"" NP_FLANNEL_ANN "public-ip\":\"%s\"}}}",
		 name, ip);
	j = cJSON_Parse(buf);
	if (!j)
		return -ENOMEM;
	r = np_model_upsert(m, NP_KIND_NODE, j, err, sizeof(err));
	cJSON_Delete(j);
	return r;
}

static void fresh(void)
{
	np_model_free(m);
	m = np_model_new();
	calls_a = calls_b = calls_c = calls_d = 0;
}

static void cb_b(void *ctx, enum np_kind k, const void *o, const void *n)
{
	(void)ctx; (void)k; (void)o; (void)n;
	calls_b++;
}

static void cb_c(void *ctx, enum np_kind k, const void *o, const void *n)
{
	(void)ctx; (void)k; (void)o; (void)n;
	calls_c++;
}

static void cb_d(void *ctx, enum np_kind k, const void *o, const void *n)
{
	(void)ctx; (void)k; (void)o; (void)n;
	calls_d++;
}

/* A removes itself on its first call. */
static void cb_a_self(void *ctx, enum np_kind k, const void *o, const void *n)
{
	(void)k; (void)o; (void)n;
	calls_a++;
	np_model_unsubscribe(m, cb_a_self, ctx);
}

TEST(subs_unsubscribe_self_in_callback)
{
	fresh();
	CHECK_INT(np_model_subscribe(m, ~0U, cb_a_self, NULL), 0);
	CHECK_INT(np_model_subscribe(m, ~0U, cb_b, NULL), 0);
	CHECK_INT(np_model_subscribe(m, ~0U, cb_c, NULL), 0);
	CHECK_INT(node("n1", "192.0.2.1"), 0);
	CHECK_INT(calls_a, 1);
	CHECK_INT(calls_b, 1);		/* not skipped by the removal */
	CHECK_INT(calls_c, 1);
	CHECK_INT(node("n1", "192.0.2.2"), 0);
	CHECK_INT(calls_a, 1);		/* gone */
	CHECK_INT(calls_b, 2);
	CHECK_INT(calls_c, 2);
	CHECK_INT(np_model_unsubscribe(m, cb_a_self, NULL), -ENOENT);
}

/* A removes B (after it in the list) and itself. */
static void cb_a_others(void *ctx, enum np_kind k, const void *o,
			const void *n)
{
	(void)ctx; (void)k; (void)o; (void)n;
	calls_a++;
	np_model_unsubscribe(m, cb_b, NULL);
	np_model_unsubscribe(m, cb_a_others, NULL);
}

TEST(subs_unsubscribe_other_in_callback)
{
	fresh();
	CHECK_INT(np_model_subscribe(m, ~0U, cb_a_others, NULL), 0);
	CHECK_INT(np_model_subscribe(m, ~0U, cb_b, NULL), 0);
	CHECK_INT(np_model_subscribe(m, ~0U, cb_c, NULL), 0);
	CHECK_INT(node("n1", "192.0.2.1"), 0);
	CHECK_INT(calls_a, 1);
	CHECK_INT(calls_b, 0);		/* removed before its turn */
	CHECK_INT(calls_c, 1);
	CHECK_INT(node("n2", "192.0.2.2"), 0);
	CHECK_INT(calls_a, 1);
	CHECK_INT(calls_b, 0);
	CHECK_INT(calls_c, 2);
	CHECK_INT(np_model_unsubscribe(m, cb_b, NULL), -ENOENT);
	CHECK_INT(np_model_unsubscribe(m, cb_c, NULL), 0);
	CHECK_INT(node("n3", "192.0.2.3"), 0);
	CHECK_INT(calls_c, 2);
}

/* A subscribes D 100 times on its first call: the array is reallocated
 * under the running notify, and D is not called for that change. */
#define MANY 100
static void cb_a_grow(void *ctx, enum np_kind k, const void *o, const void *n)
{
	int i;

	(void)ctx; (void)k; (void)o; (void)n;
	if (calls_a++)
		return;
	for (i = 0; i < MANY; i++)
		np_model_subscribe(m, ~0U, cb_d, NULL);
}

TEST(subs_subscribe_in_callback)
{
	fresh();
	CHECK_INT(np_model_subscribe(m, ~0U, cb_a_grow, NULL), 0);
	CHECK_INT(np_model_subscribe(m, ~0U, cb_b, NULL), 0);
	CHECK_INT(node("n1", "192.0.2.1"), 0);
	CHECK_INT(calls_a, 1);
	CHECK_INT(calls_b, 1);
	CHECK_INT(calls_d, 0);
	CHECK_INT(node("n1", "192.0.2.2"), 0);
	CHECK_INT(calls_a, 2);
	CHECK_INT(calls_b, 2);
	CHECK_INT(calls_d, MANY);
}

/* A change made from a callback notifies in a nested call; A removes
 * itself there: the outer notify must neither call it again nor lose B. */
static void cb_a_nested(void *ctx, enum np_kind k, const void *o,
			const void *n)
{
	const struct np_node *nn = n;

	(void)ctx; (void)k; (void)o;
	calls_a++;
	if (nn && !strcmp(nn->meta.name, "outer")) {
		node("inner", "192.0.2.9");
	} else {
		np_model_unsubscribe(m, cb_a_nested, NULL);
		np_model_subscribe(m, ~0U, cb_d, NULL);
	}
}

TEST(subs_nested_notify)
{
	fresh();
	CHECK_INT(np_model_subscribe(m, ~0U, cb_a_nested, NULL), 0);
	CHECK_INT(np_model_subscribe(m, ~0U, cb_b, NULL), 0);
	CHECK_INT(node("outer", "192.0.2.1"), 0);
	CHECK_INT(calls_a, 2);		/* outer, then inner */
	CHECK_INT(calls_b, 2);		/* inner (nested), then outer */
	CHECK_INT(calls_d, 0);
	CHECK_INT(node("outer", "192.0.2.2"), 0);
	CHECK_INT(calls_a, 2);
	CHECK_INT(calls_b, 3);
	CHECK_INT(calls_d, 1);
}

TEST(subs_refused)
{
	fresh();
	CHECK_INT(np_model_subscribe(m, ~0U, NULL, NULL), -EINVAL);
	CHECK_INT(np_model_unsubscribe(m, cb_b, NULL), -ENOENT);
	CHECK_INT(np_model_subscribe(m, ~0U, cb_b, &calls_b), 0);
	/* the context is part of the key */
	CHECK_INT(np_model_unsubscribe(m, cb_b, NULL), -ENOENT);
	CHECK_INT(np_model_unsubscribe(m, cb_b, &calls_b), 0);
}

int main(void)
{
	RUN(subs_unsubscribe_self_in_callback);
	RUN(subs_unsubscribe_other_in_callback);
	RUN(subs_subscribe_in_callback);
	RUN(subs_nested_notify);
	RUN(subs_refused);
	np_model_free(m);
	return check_summary();
}
