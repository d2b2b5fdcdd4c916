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
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_sock.h"

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int serve(const char *port)
{
	int s, c;
	char b;

	s = bench_listen("rr server", port, 8);
	if (s < 0)
		return 1;
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
	t0 = bench_now();
	do {
		for (i = 0; i < 16; i++, n++)
			if (xact(fd))
				goto broken;
		t = bench_now();
	} while (t - t0 < secs);
	printf("%.1f\n", n / (t - t0));
	return 0;
broken:
	fprintf(stderr, "rr client: the connection broke after %ld transactions\n", n);
	return 1;
}

int main(int argc, char **argv)
{
	return bench_main(argc, argv, "rr", serve, client);
}
