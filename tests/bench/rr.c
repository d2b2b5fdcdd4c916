// SPDX-License-Identifier: GPL-2.0
/*
 * rr: TCP request/response rate, 1-byte request and 1-byte response, one at
 * a time, TCP_NODELAY on both sides (each transaction is one round trip).
 *
 *   rr server PORT               serve until killed (IPv4 and IPv6), one
 *                                forked child per connection
 *   rr client HOST PORT SECONDS  20 warm-up transactions (ARP/ND, caches),
 *                                then prints transactions per second
 *
 * Used by tests/bench/bench.sh in the test VM. It replaces a Python version
 * whose interpreter cost dominated each transaction under QEMU TCG.
 */
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int serve(const char *port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	int s, c, zero = 0, one = 1;
	char b;

	a.sin6_port = htons(atoi(port));
	s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 8)) {
		perror("rr server");
		return 1;
	}
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		if (fork() == 0) {
			close(s);
			nodelay(c);
			while (read(c, &b, 1) == 1 && write(c, &b, 1) == 1)
				;
			_exit(0);
		}
		close(c);
	}
}

/* One transaction; 0 on success. */
static int xact(int fd)
{
	char b = 'x';

	return write(fd, &b, 1) == 1 && read(fd, &b, 1) == 1 ? 0 : -1;
}

static int client(const char *host, const char *port, double secs)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	double t0, t;
	long n = 0;
	int fd, i, err;

	err = getaddrinfo(host, port, &hints, &ai);
	if (err) {
		fprintf(stderr, "rr: %s: %s\n", host, gai_strerror(err));
		return 1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		perror("rr client: connect");
		return 1;
	}
	freeaddrinfo(ai);
	nodelay(fd);
	for (i = 0; i < 20; i++)
		if (xact(fd))
			goto broken;
	t0 = now();
	do {
		for (i = 0; i < 16; i++, n++)
			if (xact(fd))
				goto broken;
		t = now();
	} while (t - t0 < secs);
	printf("%.1f\n", n / (t - t0));
	return 0;
broken:
	fprintf(stderr, "rr client: the connection broke after %ld transactions\n", n);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return serve(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "client"))
		return client(argv[2], argv[3], atof(argv[4]));
	fprintf(stderr, "usage: rr server PORT | rr client HOST PORT SECONDS\n");
	return 2;
}
