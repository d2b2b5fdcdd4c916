// SPDX-License-Identifier: GPL-2.0
/*
 * cps: new TCP connections per second, one at a time: connect(), then
 * close() with SO_LINGER 0 (an RST: no TIME_WAIT on the client, whose
 * ephemeral ports would otherwise run out). Each connection is a new
 * conntrack entry, so each pays the NAT lookup once: the figure compares
 * NAT mechanisms' per-connection cost (tests/bench/lb_bench.sh).
 *
 *   cps server PORT               accept and close until killed (IPv4 and
 *                                 IPv6)
 *   cps client HOST PORT SECONDS  20 warm-up connections, then prints
 *                                 connections per second
 *
 * A connection that fails (refused, reset, unreachable), or a run that
 * takes SECONDS + 30 s, ends the client with exit status 1 and no figure:
 * a setup that does not forward gives an error, never a rate.
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_sock.h"

static int serve(const char *port)
{
	int s, c;

	s = bench_listen("cps server", port, 4096);
	if (s < 0)
		return 1;
	for (;;) {
		c = accept(s, NULL, NULL);
		if (c >= 0)
			close(c);
	}
}

/* One connection, opened and reset; 0 on success. */
static int one_conn(const struct addrinfo *ai)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd, err = 0;

	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen))
		err = -errno;
	close(fd);
	return err;
}

static void too_long(int sig)
{
	(void)sig;
	static const char m[] = "cps client: out of time (a connection hung)\n";

	if (write(2, m, sizeof(m) - 1) < 0)
		_exit(1);
	_exit(1);
}

static int client(const char *host, const char *port, double secs)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	double t0, t;
	long n = 0;
	int i, err;

	err = getaddrinfo(host, port, &hints, &ai);
	if (err) {
		fprintf(stderr, "cps: %s: %s\n", host, gai_strerror(err));
		return 1;
	}
	signal(SIGALRM, too_long);
	alarm((unsigned int)secs + 30);
	for (i = 0; i < 20; i++) {
		err = one_conn(ai);
		if (err)
			goto broken;
	}
	t0 = bench_now();
	do {
		for (i = 0; i < 8; i++, n++) {
			err = one_conn(ai);
			if (err)
				goto broken;
		}
		t = bench_now();
	} while (t - t0 < secs);
	printf("%.1f\n", n / (t - t0));
	freeaddrinfo(ai);
	return 0;
broken:
	fprintf(stderr, "cps client: connection %ld to %s port %s: %s\n", n,
		host, port, strerror(-err));
	freeaddrinfo(ai);
	return 1;
}

int main(int argc, char **argv)
{
	return bench_main(argc, argv, "cps", serve, client);
}
