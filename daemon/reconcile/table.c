// SPDX-License-Identifier: GPL-2.0-only
/*
 * One table of a reconciler in one pass: the plan (pure), the kernel's
 * items when the pass is full or the table not yet known (sorted, and
 * adopting from the previous cur what the kernel does not tell), the one
 * sorted diff, the steps (deletes first; replace in place, or remove then
 * create), and the cur list updated with what succeeded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nl/nl.h"
#include "reconcile/diff.h"
#include "reconcile/internal.h"

/* ---- items and cur lists ---------------------------------------------- */

static void *at(const struct np_rc_table *t, const void *v, size_t i)
{
	return (char *)v + i * t->size;
}

static void items_free(const struct np_rc_table *t, void *v, size_t n)
{
	size_t i;

	if (t->clear)
		for (i = 0; i < n; i++)
			t->clear(at(t, v, i));
	free(v);
}

void np_rc_cur_forget(const struct np_rc_table *t, struct np_rc_cur *c)
{
	items_free(t, c->v, c->n);
	c->v = NULL;
	c->n = 0;
	c->valid = false;
}

static int item_copy(const struct np_rc_table *t, void *dst, const void *src)
{
	if (t->copy)
		return t->copy(dst, src);
	memcpy(dst, src, t->size);
	return 0;
}

/* qsort over one table's items: cmp_key through a thread-free global. */
static const struct np_rc_table *sort_table;

static int sort_cmp(const void *a, const void *b)
{
	return sort_table->cmp_key(a, b);
}

static void sort_items(const struct np_rc_table *t, void *v, size_t n)
{
	sort_table = t;
	qsort(v, n, t->size, sort_cmp);
	sort_table = NULL;
}

/* A dump becomes cur: sorted, adopting from the old cur. */
static int cur_take(struct np_rc *rc, const struct np_rc_table *t,
		    struct np_rc_cur *c, void *fresh, size_t n)
{
	size_t i, j = 0;

	sort_items(t, fresh, n);
	if (t->adopt) {
		for (i = 0; i < n; i++) {
			void *f = at(t, fresh, i);
			int r = 1;

			/* both sorted: one merge */
			while (j < c->n &&
			       (r = t->cmp_key(at(t, c->v, j), f)) < 0)
				j++;
			if (j < c->n && r == 0 &&
			    t->adopt(rc->ctx, f, at(t, c->v, j))) {
				items_free(t, fresh, n);
				return -ENOMEM;
			}
		}
	}
	items_free(t, c->v, c->n);
	c->v = fresh;
	c->n = n;
	c->valid = true;
	return 0;
}

/* Outcome of the steps on one item, for the new cur. */
enum outcome { KEEP_CUR, TAKE_WANT, DROP };

/*
 * After the steps: cur becomes want where a step succeeded or none was
 * needed, keeps its item where one failed, loses what was removed.
 * 0, or -ENOMEM with cur unchanged.
 */
static int cur_after(const struct np_rc_table *t, struct np_rc_cur *c,
		     const void *want, size_t nw, const enum outcome *wo,
		     const bool *cur_dropped)
{
	size_t i = 0, j = 0, k = 0;
	void *out = calloc(nw + c->n + 1, t->size);
	bool *copied = calloc(nw + c->n + 1, sizeof(bool));	/* out[k] */
	bool *moved = calloc(c->n + 1, sizeof(bool));		/* cur[j] */

	if (!out || !copied || !moved)
		goto fail;
	while (i < nw || j < c->n) {
		int r = i >= nw ? 1 : j >= c->n ? -1 :
			t->cmp_key(at(t, want, i), at(t, c->v, j));

		if (r > 0) {		/* only in cur */
			if (!cur_dropped[j]) {
				memcpy(at(t, out, k++), at(t, c->v, j), t->size);
				moved[j] = true;
			}
			j++;
			continue;
		}
		if (wo[i] == TAKE_WANT) {
			if (item_copy(t, at(t, out, k), at(t, want, i)))
				goto fail;
			copied[k++] = true;
		} else if (wo[i] == KEEP_CUR && r == 0) {
			memcpy(at(t, out, k++), at(t, c->v, j), t->size);
			moved[j] = true;
		}
		i++;
		if (r == 0)
			j++;
	}
	/* committed: what cur had and out did not take is freed */
	for (j = 0; j < c->n; j++)
		if (!moved[j] && t->clear)
			t->clear(at(t, c->v, j));
	free(c->v);
	c->v = out;
	c->n = k;
	free(copied);
	free(moved);
	return 0;
fail:
	if (out && copied && t->clear)
		for (i = 0; i < k; i++)
			if (copied[i])
				t->clear(at(t, out, i));
	free(out);
	free(copied);
	free(moved);
	return -ENOMEM;
}

/* ---- one table ---------------------------------------------------------- */

/* One failure of the pass; last_error "<where>: <why>". */
static void fail_note(struct np_rc *rc, struct np_rc_pass *p,
		      const char *where, const char *why)
{
	p->counts.failed++;
	rc->st.failures++;
	snprintf(rc->st.last_error, sizeof(rc->st.last_error), "%.80s: %.170s",
		 where, why);
}

static void applied(struct np_rc *rc, const struct np_rc_table *t,
		    const char *what, const void *item)
{
	char k[160];

	rc->st.applied++;
	if (t->log)
		t->log(rc->ctx, what, item);
	else
		np_log_debug("%s: %s %s %s", rc->ops->name, t->name,
			     t->key_str(item, k, sizeof(k)), what);
}

static void step_failed(struct np_rc *rc, struct np_rc_pass *p,
			const struct np_rc_table *t, const void *item,
			const struct np_err *err)
{
	char k[160], e[NP_ERR_MSG_LEN + 64], what[NP_RC_WHY_LEN];

	t->key_str(item, k, sizeof(k));
	np_err_str(err, e, sizeof(e));
	snprintf(what, sizeof(what), "%s %s", t->name, k);
	np_log_warning("%s: %s: %s", rc->ops->name, what, e);
	fail_note(rc, p, what, e);
}

static int do_remove(struct np_rc *rc, const struct np_rc_table *t,
		     const void *item, struct np_err *err)
{
	int r;

	np_err_clear(err);
	r = t->remove(rc->ctx, item, err);
	return r == -ENOENT ? 0 : r;
}

void np_rc_table_pass(struct np_rc *rc, size_t ti, struct np_rc_pass *p)
{
	const struct np_rc_table *t = rc->ops->tables[ti];
	struct np_rc_cur *c = &rc->cur[ti];
	struct np_diff_spec spec = { .size = t->size, .cmp_key = t->cmp_key,
				     .same = t->same };
	struct np_diff_step *steps = NULL;
	enum outcome *wo = NULL;
	bool *dropped = NULL;
	const void *want = NULL;
	char e[NP_ERR_MSG_LEN + 64], es[64];
	struct np_err err;
	size_t nw = 0, ns = 0, i;
	int r;

	r = t->plan(rc->ctx, p, &want, &nw);
	if (r == NP_RC_SKIP) {
		np_rc_cur_forget(t, c);
		return;
	}
	if (r < 0) {
		snprintf(es, sizeof(es), "%s", strerror(-r));
		np_log_error("%s: cannot plan the %ss: %s", rc->ops->name,
			     t->name, es);
		fail_note(rc, p, "plan", es);
		return;
	}
	if (p->full || !c->valid) {
		void *fresh = NULL;
		size_t n = 0;

		np_err_clear(&err);
		r = t->dump(rc->ctx, &fresh, &n, &err);
		if (!r)
			r = cur_take(rc, t, c, fresh, n);
		else
			free(fresh);
		if (r) {
			if (!err.err && !err.msg[0])
				np_err_set(&err, -r, "%s", "");
			np_err_str(&err, e, sizeof(e));
			np_log_error("%s: cannot read the kernel's %ss: %s",
				     rc->ops->name, t->name, e);
			fail_note(rc, p, "dump", e);
			return;
		}
	}
	r = np_diff(&spec, want, nw, c->v, c->n, true, &steps, &ns);
	if (r) {
		np_log_error("%s: the %ss planned are %s", rc->ops->name,
			     t->name, r == -EINVAL ? "out of order or have a key twice (a bug)" : "too many (out of memory)");
		fail_note(rc, p, "diff", strerror(-r));
		return;
	}
	if (!ns)
		goto out;
	wo = calloc(nw + 1, sizeof(*wo));
	dropped = calloc(c->n + 1, sizeof(*dropped));
	if (!wo || !dropped) {
		fail_note(rc, p, t->name, "out of memory");
		goto out;
	}
	for (i = 0; i < nw; i++)
		wo[i] = TAKE_WANT;	/* same, or changed below */
	for (i = 0; i < ns; i++) {
		const struct np_diff_step *s = &steps[i];
		const void *cu = s->op != NP_DIFF_ADD ? at(t, c->v, s->cur_i) : NULL;
		const void *wa = s->op != NP_DIFF_DEL ? at(t, want, s->want_i) : NULL;

		switch (s->op) {
		case NP_DIFF_DEL:
			r = do_remove(rc, t, cu, &err);
			dropped[s->cur_i] = !r;
			if (!r)
				applied(rc, t, "removed", cu);
			else
				step_failed(rc, p, t, cu, &err);
			if (!r)
				p->counts.deleted++;
			break;
		case NP_DIFF_ADD:
			np_err_clear(&err);
			r = t->create(rc->ctx, wa, &err);
			wo[s->want_i] = r ? DROP : TAKE_WANT;
			if (!r) {
				p->counts.created++;
				applied(rc, t, "added", wa);
			} else {
				step_failed(rc, p, t, wa, &err);
			}
			break;
		case NP_DIFF_REPLACE:
			if (t->replace) {
				np_err_clear(&err);
				r = t->replace(rc->ctx, cu, wa, &err);
				wo[s->want_i] = r ? KEEP_CUR : TAKE_WANT;
			} else {
				r = do_remove(rc, t, cu, &err);
				if (r) {
					wo[s->want_i] = KEEP_CUR;
				} else {
					np_err_clear(&err);
					r = t->create(rc->ctx, wa, &err);
					wo[s->want_i] = r ? DROP : TAKE_WANT;
				}
			}
			if (!r) {
				p->counts.replaced++;
				applied(rc, t, "changed", wa);
			} else {
				step_failed(rc, p, t, wa, &err);
			}
			break;
		}
	}
	if (cur_after(t, c, want, nw, wo, dropped)) {
		np_log_error("%s: out of memory recording the %ss: the next pass reads the kernel again",
			     rc->ops->name, t->name);
		rc->full_due = true;
	}
out:
	free(steps);
	free(wo);
	free(dropped);
}

