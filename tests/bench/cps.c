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
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int serve(const char *port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	int s, c, zero = 0, one = 1;

	a.sin6_port = htons(atoi(port));
	s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4096)) {
		perror("cps server");
		return 1;
	}
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
	t0 = now();
	do {
		for (i = 0; i < 8; i++, n++) {
			err = one_conn(ai);
			if (err)
				goto broken;
		}
		t = now();
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
	if (argc == 3 && !strcmp(argv[1], "server"))
		return serve(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "client"))
		return client(argv[2], argv[3], atof(argv[4]));
	fprintf(stderr, "usage: cps server PORT | cps client HOST PORT SECONDS\n");
	return 2;
}
