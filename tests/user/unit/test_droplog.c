// SPDX-License-Identifier: GPL-2.0-only
/*
 * Drop log lines (netpol/droplog.h): the exact text for TCP over IPv4 and
 * UDP over IPv6 in both directions, the per pod and direction limit (a
 * burst of 10, then 10 a minute), and the count of drops not logged (the
 * module's suppressed ones and those the limit held back) on the next
 * line.
 */
#include <stdio.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/nodeplane.h>

#include "check.h"
#include "netpol/droplog.h"

static struct np_pol_drop drop(const char *name, const char *ep,
			       const char *s, const char *d, uint8_t dir,
			       uint8_t proto, uint32_t suppressed)
{
	struct np_pol_drop x = { .dir = dir, .proto = proto, .sport = 40112,
				 .dport = 80, .suppressed = suppressed };

	snprintf(x.name, sizeof(x.name), "%s", name);
	np_addr_parse(ep, &x.endpoint);
	np_addr_parse(s, &x.saddr);
	np_addr_parse(d, &x.daddr);
	return x;
}

TEST(lines_name_the_pod_direction_flow_and_peer)
{
	struct np_droplog *dl = np_droplog_new();
	struct np_pol_drop d;
	char buf[512];

	d = drop("x/web", "10.42.0.7", "10.42.1.3", "10.42.0.7",
		 NP_POL_DIR_INGRESS, IPPROTO_TCP, 0);
	CHECK(np_droplog_event(dl, &d, "y/client", 0, buf, sizeof(buf)));
	CHECK_STR(buf, "DROP by policy x/web ingress: tcp 10.42.1.3:40112 -> 10.42.0.7:80 from y/client");
	d = drop("x/client", "fd00::9", "fd00::9", "fd00::1",
		 NP_POL_DIR_EGRESS, IPPROTO_UDP, 0);
	d.dport = 53;
	CHECK(np_droplog_event(dl, &d, NULL, 0, buf, sizeof(buf)));
	CHECK_STR(buf, "DROP by policy x/client egress: udp [fd00::9]:40112 -> [fd00::1]:53 to -");
	d = drop("", "10.42.0.7", "10.42.1.3", "10.42.0.7",
		 NP_POL_DIR_INGRESS, IPPROTO_ICMP, 0);
	CHECK(np_droplog_event(dl, &d, NULL, 0, buf, sizeof(buf)));
	CHECK_STR(buf, "DROP by policy 10.42.0.7 ingress: icmp 10.42.1.3 -> 10.42.0.7 from -");
	np_droplog_free(dl);
}

TEST(limit_per_pod_and_direction_counts_what_it_holds)
{
	struct np_droplog *dl = np_droplog_new();
	struct np_pol_drop in, eg;
	char buf[512];
	int i, logged = 0;

	in = drop("x/web", "10.42.0.7", "10.42.1.3", "10.42.0.7",
		  NP_POL_DIR_INGRESS, IPPROTO_TCP, 0);
	eg = drop("x/web", "10.42.0.7", "10.42.0.7", "10.42.1.3",
		  NP_POL_DIR_EGRESS, IPPROTO_TCP, 0);
	for (i = 0; i < 12; i++)
		logged += np_droplog_event(dl, &in, NULL, 1000, buf,
					   sizeof(buf));
	CHECK_INT(logged, 10);
	/* the other direction has its own bucket */
	CHECK(np_droplog_event(dl, &eg, NULL, 1000, buf, sizeof(buf)));
	/* 5.9 s later: no token yet */
	CHECK(!np_droplog_event(dl, &in, NULL, 6900, buf, sizeof(buf)));
	/* 6 s: one token; the module had suppressed 4 before this one */
	in.suppressed = 4;
	CHECK(np_droplog_event(dl, &in, NULL, 7000, buf, sizeof(buf)));
	CHECK_STR(buf, "DROP by policy x/web ingress: tcp 10.42.1.3:40112 -> 10.42.0.7:80 from - (7 more not logged)");
	in.suppressed = 0;
	CHECK(!np_droplog_event(dl, &in, NULL, 7001, buf, sizeof(buf)));
	/* a quiet minute and more refills the whole burst */
	for (i = 0, logged = 0; i < 11; i++)
		logged += np_droplog_event(dl, &in, NULL, 200000, buf,
					   sizeof(buf));
	CHECK_INT(logged, 10);
	np_droplog_free(dl);
}

int main(void)
{
	RUN(lines_name_the_pod_direction_flow_and_peer);
	RUN(limit_per_pod_and_direction_counts_what_it_holds);
	return check_summary();
}
