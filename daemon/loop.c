// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event loop: epoll, and timers kept in a list sorted by due time
 * behind one timerfd armed for the earliest. A daemon has tens of timers,
 * not thousands, so a sorted list is enough.
 *
 * A removed np_io may still have an event in the batch epoll_wait
 * returned: np_loop_del() marks such events stale by pointer, so a
 * callback never runs for a watch that is gone.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

#define NP_LOOP_BATCH 32

struct np_loop {
	int epfd;
	bool stop;
	int status;
	struct np_io tfd;		/* the timerfd */
	struct np_timer *timers;	/* armed, sorted by due_ms */
	uint64_t tfd_due;		/* what the timerfd is armed for, 0: off */
	struct epoll_event evs[NP_LOOP_BATCH];
	int nevs, cur;			/* the batch being dispatched */
};

uint64_t np_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void tfd_program(struct np_loop *lp)
{
	struct itimerspec its = { 0 };
	uint64_t due = lp->timers ? lp->timers->due_ms : 0;

	if (due == lp->tfd_due)
		return;
	lp->tfd_due = due;
	if (due) {
		/* Absolute, so a late arm never drifts; 0 would disarm. */
		its.it_value.tv_sec = (time_t)(due / 1000);
		its.it_value.tv_nsec = (long)(due % 1000) * 1000000;
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	if (timerfd_settime(lp->tfd.fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		np_log_error("timerfd_settime: %s", strerror(errno));
}

static void timer_unlink(struct np_loop *lp, struct np_timer *t)
{
	struct np_timer **pp;

	for (pp = &lp->timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->next = NULL;
	t->armed = false;
}

void np_timer_cancel(struct np_loop *lp, struct np_timer *t)
{
	if (!t->armed)
		return;
	timer_unlink(lp, t);
	tfd_program(lp);
}

void np_timer_arm(struct np_loop *lp, struct np_timer *t, uint64_t ms)
{
	struct np_timer **pp;

	if (t->armed)
		timer_unlink(lp, t);
	t->due_ms = np_now_ms() + ms;
	for (pp = &lp->timers; *pp && (*pp)->due_ms <= t->due_ms;
	     pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	t->armed = true;
	tfd_program(lp);
}

static void tfd_ready(struct np_io *io, uint32_t events)
{
	struct np_loop *lp = (struct np_loop *)((char *)io -
						offsetof(struct np_loop, tfd));
	uint64_t expirations, now;
	struct np_timer *t;

	(void)events;
	if (read(io->fd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		np_log_error("reading the timerfd: %s", strerror(errno));
	lp->tfd_due = 0;
	now = np_now_ms();
	/* One at a time: a callback may arm or cancel any timer. */
	while (!lp->stop && (t = lp->timers) && t->due_ms <= now) {
		timer_unlink(lp, t);
		t->fire(t);
	}
	tfd_program(lp);
}

int np_loop_new(struct np_loop **out)
{
	struct np_loop *lp = calloc(1, sizeof(*lp));

	if (!lp)
		return -ENOMEM;
	lp->tfd.fd = -1;
	lp->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (lp->epfd < 0)
		goto err;
	lp->tfd.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	lp->tfd.ready = tfd_ready;
	if (lp->tfd.fd < 0 || np_loop_add(lp, &lp->tfd, EPOLLIN) < 0)
		goto err;
	*out = lp;
	return 0;
err:
	np_loop_free(lp);
	return -errno;
}

void np_loop_free(struct np_loop *lp)
{
	if (!lp)
		return;
	if (lp->tfd.fd >= 0)
		close(lp->tfd.fd);
	if (lp->epfd >= 0)
		close(lp->epfd);
	free(lp);
}

int np_loop_add(struct np_loop *lp, struct np_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	return epoll_ctl(lp->epfd, EPOLL_CTL_ADD, io->fd, &ev) < 0 ? -errno : 0;
}

int np_loop_mod(struct np_loop *lp, struct np_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	return epoll_ctl(lp->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0 ? -errno : 0;
}

int np_loop_del(struct np_loop *lp, struct np_io *io)
{
	int i, ret;

	ret = epoll_ctl(lp->epfd, EPOLL_CTL_DEL, io->fd, NULL) < 0 ? -errno : 0;
	for (i = lp->cur; i < lp->nevs; i++)
		if (lp->evs[i].data.ptr == io)
			lp->evs[i].data.ptr = NULL;
	return ret;
}

void np_loop_stop(struct np_loop *lp, int status)
{
	lp->stop = true;
	lp->status = status;
}

int np_loop_run(struct np_loop *lp)
{
	lp->stop = false;
	while (!lp->stop) {
		lp->nevs = epoll_wait(lp->epfd, lp->evs, NP_LOOP_BATCH, -1);
		if (lp->nevs < 0 && errno == EINTR)
			continue;
		if (lp->nevs < 0) {
			np_log_error("epoll_wait: %s", strerror(errno));
			lp->nevs = 0;
			return -1;
		}
		for (lp->cur = 0; lp->cur < lp->nevs && !lp->stop; lp->cur++) {
			struct np_io *io = lp->evs[lp->cur].data.ptr;

			if (io)
				io->ready(io, lp->evs[lp->cur].events);
		}
		lp->nevs = 0;
	}
	return lp->status;
}
