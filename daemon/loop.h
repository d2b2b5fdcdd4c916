/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nodeplaned's one event loop: epoll over file descriptors, plus one-shot
 * timers on CLOCK_MONOTONIC (one timerfd for all of them). Everything runs
 * on the loop's thread; callbacks may add, change and remove watches and
 * timers, including their own.
 *
 *   struct np_io io = { .fd = fd, .ready = on_ready };
 *   np_loop_add(lp, &io, EPOLLIN);
 *   struct np_timer t = { .fire = on_timer };
 *   np_timer_arm(lp, &t, 250);            // fires once, 250 ms from now
 */
#ifndef _NP_LOOP_H
#define _NP_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct np_loop;

/* One file descriptor; embed it in your own struct (container_of). */
struct np_io {
	int fd;
	void (*ready)(struct np_io *io, uint32_t events);	/* EPOLL* */
};

/* One one-shot timer; embed it in your own struct. Zero-initialise. */
struct np_timer {
	void (*fire)(struct np_timer *t);
	/* Private. */
	uint64_t due_ms;
	bool armed;
	struct np_timer *next;
};

int np_loop_new(struct np_loop **out);
/* Frees the loop; watches and timers still registered are forgotten. */
void np_loop_free(struct np_loop *lp);
int np_loop_add(struct np_loop *lp, struct np_io *io, uint32_t events);
int np_loop_mod(struct np_loop *lp, struct np_io *io, uint32_t events);
/* Removes io; safe from any callback, also for an io whose event is pending. */
int np_loop_del(struct np_loop *lp, struct np_io *io);
/* (Re)arms t to fire once, ms milliseconds from now. */
void np_timer_arm(struct np_loop *lp, struct np_timer *t, uint64_t ms);
void np_timer_cancel(struct np_loop *lp, struct np_timer *t);
static inline bool np_timer_armed(const struct np_timer *t)
{
	return t->armed;
}
/* CLOCK_MONOTONIC in milliseconds. */
uint64_t np_now_ms(void);
/* Runs until np_loop_stop(); returns the status given there, or -1 on a
 * failed epoll_wait. */
int np_loop_run(struct np_loop *lp);
void np_loop_stop(struct np_loop *lp, int status);

#endif /* _NP_LOOP_H */
