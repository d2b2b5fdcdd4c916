// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event loop (daemon/loop.c): timers fire once, in due order, and may
 * re-arm or cancel timers, including themselves; a watch removed while its
 * event is pending in the same batch is not called; np_loop_run can run
 * again after np_loop_stop.
 */
#include <stddef.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "check.h"
#include "loop.h"

#define container_of(p, T, m) ((T *)((char *)(p) - offsetof(T, m)))

static struct np_loop *lp;
static char order[64];
static size_t n_order;

struct tmr {
	struct np_timer t;
	char tag;
	int rearm;		/* re-arm this many more times */
	struct np_timer *cancel;	/* cancelled when this one fires */
	bool stop;		/* stops the loop when it fires */
};

static void fired(struct np_timer *t)
{
	struct tmr *x = container_of(t, struct tmr, t);

	if (n_order + 1 < sizeof(order))
		order[n_order++] = x->tag;
	order[n_order] = '\0';
	if (x->cancel)
		np_timer_cancel(lp, x->cancel);
	if (x->rearm-- > 0)
		np_timer_arm(lp, t, 1);
	if (x->stop)
		np_loop_stop(lp, 7);
}

static void reset(void)
{
	n_order = 0;
	order[0] = '\0';
}

TEST(timers_fire_in_due_order_once)
{
	struct tmr a = { .t.fire = fired, .tag = 'a' };
	struct tmr b = { .t.fire = fired, .tag = 'b' };
	struct tmr c = { .t.fire = fired, .tag = 'c' };
	struct tmr end = { .t.fire = fired, .tag = '.', .stop = true };

	reset();
	np_timer_arm(lp, &c.t, 30);
	np_timer_arm(lp, &a.t, 10);
	np_timer_arm(lp, &b.t, 20);
	np_timer_arm(lp, &end.t, 60);
	CHECK(np_timer_armed(&a.t));
	CHECK_INT(np_loop_run(lp), 7);
	CHECK_STR(order, "abc.");
	CHECK(!np_timer_armed(&a.t));
}

/* Even a late wake-up fires what is due in due order, so the order below
 * holds however slow the host is. */
TEST(rearm_and_run_again)
{
	struct tmr end = { .t.fire = fired, .tag = '.', .stop = true };
	struct tmr again = { .t.fire = fired, .tag = 'r', .rearm = 2 };

	reset();
	np_timer_arm(lp, &again.t, 1);
	np_timer_arm(lp, &end.t, 40);
	/* Re-arming moves a timer: armed twice, it fires once. */
	np_timer_arm(lp, &end.t, 300);
	CHECK_INT(np_loop_run(lp), 7);
	CHECK_STR(order, "rrr.");
}

TEST(cancel_from_a_callback)
{
	struct tmr end = { .t.fire = fired, .tag = '.', .stop = true };
	struct tmr victim = { .t.fire = fired, .tag = 'v' };
	struct tmr killer = { .t.fire = fired, .tag = 'k', .cancel = &victim.t };

	reset();
	np_timer_arm(lp, &victim.t, 20);
	np_timer_arm(lp, &killer.t, 10);
	np_timer_arm(lp, &end.t, 30);
	CHECK_INT(np_loop_run(lp), 7);
	CHECK_STR(order, "k.");
	CHECK(!np_timer_armed(&victim.t));
}

struct pipe_io {
	struct np_io io;
	int calls;
	struct pipe_io *other;	/* removed by this one's callback */
};

static void io_ready(struct np_io *io, uint32_t events)
{
	struct pipe_io *p = container_of(io, struct pipe_io, io);
	char buf[8];

	(void)events;
	p->calls++;
	if (read(io->fd, buf, sizeof(buf)) < 0)
		return;
	if (p->other) {
		np_loop_del(lp, &p->other->io);
		p->other->other = NULL;
		np_loop_del(lp, io);
	}
}

TEST(watch_removed_while_pending_is_not_called)
{
	struct tmr end = { .t.fire = fired, .tag = '.', .stop = true };
	struct pipe_io x = { 0 }, y = { 0 };
	int p1[2], p2[2];

	reset();
	CHECK_INT(pipe(p1), 0);
	CHECK_INT(pipe(p2), 0);
	x.io = (struct np_io){ .fd = p1[0], .ready = io_ready };
	y.io = (struct np_io){ .fd = p2[0], .ready = io_ready };
	x.other = &y;
	y.other = &x;
	CHECK_INT(np_loop_add(lp, &x.io, EPOLLIN), 0);
	CHECK_INT(np_loop_add(lp, &y.io, EPOLLIN), 0);
	/* Both readable before the loop runs: one batch holds both events. */
	CHECK_INT((int)write(p1[1], "x", 1), 1);
	CHECK_INT((int)write(p2[1], "y", 1), 1);
	np_timer_arm(lp, &end.t, 30);
	CHECK_INT(np_loop_run(lp), 7);
	CHECK_INT(x.calls + y.calls, 1);
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
}

int main(void)
{
	if (np_loop_new(&lp) < 0) {
		printf("FAIL setup: np_loop_new\n");
		return 1;
	}
	RUN(timers_fire_in_due_order_once);
	RUN(rearm_and_run_again);
	RUN(cancel_from_a_callback);
	RUN(watch_removed_while_pending_is_not_called);
	np_loop_free(lp);
	return check_summary();
}
