/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tests/bench/bench_sock.h: what the TCP benchmark tools (rr.c, cps.c)
 * share: the clock, the dual-stack listening socket and the command line
 * "NAME server PORT | NAME client HOST PORT SECONDS".
 */
#ifndef _NP_BENCH_SOCK_H
#define _NP_BENCH_SOCK_H

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A socket listening on PORT, IPv4 and IPv6; -1 (said on stderr) if not. */
static inline int bench_listen(const char *who, const char *port, int backlog)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	int s, zero = 0, one = 1;

	a.sin6_port = htons(atoi(port));
	s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, backlog)) {
		perror(who);
		return -1;
	}
	return s;
}

static inline int bench_main(int argc, char **argv, const char *name,
			     int (*serve)(const char *port),
			     int (*client)(const char *host, const char *port,
					   double secs))
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return serve(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "client"))
		return client(argv[2], argv[3], atof(argv[4]));
	fprintf(stderr, "usage: %s server PORT | %s client HOST PORT SECONDS\n",
		name, name);
	return 2;
}

#endif /* _NP_BENCH_SOCK_H */
