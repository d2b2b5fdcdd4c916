// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostport/: this node's hostPort mappings as portmap installs them
 * (servicelb.md §4, node-contract.md §4 "hostPort"), as frontends of
 * owner hostport, judged by the node's whole plan as text (slb_fix.h):
 * which pods, hostIP and families, hairpin and localhost, and the port
 * claims shared with ServiceLB.
 */
#include "slb_fix.h"

#define T1 "2024-01-01T00:00:01Z"
#define T2 "2024-01-01T00:00:02Z"

static const char *one(const char *phase, const char *ips, const char *ports,
		       const char *spec)
{
	const char *e;

	fresh();
	if (*(e = node("a", "10.0.0.1", "", "")))
		return e;
	return pod("p", T1, "a", phase, ips, ports, spec);
}

TEST(hostport_running_pod_forwarded)
{
	CHECK_STR(one("Running", "{'ip':'10.42.1.5'}",
		      "{'containerPort':8080,'hostPort':80},"
		      "{'containerPort':53,'hostPort':5353,'protocol':'UDP'},"
		      "{'containerPort':3868,'hostPort':3868,'protocol':'SCTP'},"
		      "{'containerPort':9090}", ""), "");
	CHECK_STR(hp("a"),
		  "tcp/80 hp HO a0 b[10.42.1.5:8080/lr] r[]\n"
		  "udp/5353 hp HO a0 b[10.42.1.5:53/lr] r[]\n"
		  "sctp/3868 hp HO a0 b[10.42.1.5:3868/lr] r[]");
	CHECK_INT(last_rep.n_conflicts, 0);
	/* ServiceLB plans none of it. */
	CHECK_STR(slb("a"), "");
}

TEST(hostport_hostip_specific_local)
{
	CHECK_STR(one("Running", "{'ip':'10.42.1.5'}",
		      "{'containerPort':8080,'hostPort':80,'hostIP':'10.0.0.1'}",
		      ""), "");
	CHECK_STR(hp("a"), "tcp/10.0.0.1:80 hp H a0 b[10.42.1.5:8080/lr] r[]");
	/* 0.0.0.0 and :: are every address, as unset. */
	CHECK_STR(one("Running", "{'ip':'10.42.1.5'},{'ip':'fd42:1::5'}",
		      "{'containerPort':8080,'hostPort':80,'hostIP':'0.0.0.0'},"
		      "{'containerPort':8081,'hostPort':81,'hostIP':'::'}",
		      ""), "");
	CHECK_STR(hp("a"),
		  "tcp/80 hp HO a0 b[10.42.1.5:8080/lr] r[]\n"
		  "tcp/81 hp HO a0 b[10.42.1.5:8081/lr] r[]\n"
		  "tcp/80/ipv6 hp H a0 b[[fd42:1::5]:8080/lr] r[]\n"
		  "tcp/81/ipv6 hp H a0 b[[fd42:1::5]:8081/lr] r[]");
}

TEST(hostport_hostip_other_family_skipped)
{
	CHECK_STR(one("Running", "{'ip':'10.42.1.5'},{'ip':'fd42:1::5'}",
		      "{'containerPort':8080,'hostPort':80,'hostIP':'fd00::1'},"
		      "{'containerPort':8081,'hostPort':81,'hostIP':'10.0.0.1'}",
		      ""), "");
	CHECK_STR(hp("a"),
		  "tcp/10.0.0.1:81 hp H a0 b[10.42.1.5:8081/lr] r[]\n"
		  "tcp/[fd00::1]:80 hp H a0 b[[fd42:1::5]:8080/lr] r[]");
	/* A single-stack pod with a hostIP of the other family: nothing. */
	CHECK_STR(one("Running", "{'ip':'10.42.1.5'}",
		      "{'containerPort':8080,'hostPort':80,'hostIP':'fd00::1'}",
		      ""), "");
	CHECK_STR(hp("a"), "");
}

TEST(hostport_dual_stack_pod_one_frontend_per_family)
{
	CHECK_STR(one("Running", "{'ip':'fd42:1::5'},{'ip':'10.42.1.5'}",
		      "{'containerPort':8080,'hostPort':80}", ""), "");
	CHECK_STR(hp("a"),
		  "tcp/80 hp HO a0 b[10.42.1.5:8080/lr] r[]\n"
		  "tcp/80/ipv6 hp H a0 b[[fd42:1::5]:8080/lr] r[]");
}

TEST(hostport_localhost_ipv4_only_without_hostip)
{
	CHECK_STR(one("Running", "{'ip':'fd42:1::5'}",
		      "{'containerPort':8080,'hostPort':80}", ""), "");
	CHECK_STR(hp("a"), "tcp/80/ipv6 hp H a0 b[[fd42:1::5]:8080/lr] r[]");
	CHECK_STR(one("Running", "{'ip':'10.42.1.5'}",
		      "{'containerPort':8080,'hostPort':80,'hostIP':'10.0.0.1'}",
		      ""), "");
	CHECK_STR(hp("a"), "tcp/10.0.0.1:80 hp H a0 b[10.42.1.5:8080/lr] r[]");
}

TEST(hostport_pending_with_ip_served_without_ip_not)
{
	CHECK_STR(one("Pending", "{'ip':'10.42.1.5'}",
		      "{'containerPort':8080,'hostPort':80}", ""), "");
	CHECK_STR(hp("a"), "tcp/80 hp HO a0 b[10.42.1.5:8080/lr] r[]");
	CHECK_STR(one("Pending", "", "{'containerPort':8080,'hostPort':80}",
		      ""), "");
	CHECK_STR(hp("a"), "");
	/* No status at all: Pending, no IP. */
	fresh();
	CHECK_STR(node("a", "10.0.0.1", "", ""), "");
	CHECK_STR(up(NP_KIND_POD, "{'metadata':{'name':'p'},'spec':"
		     "{'nodeName':'a','containers':[{'name':'c','ports':"
		     "[{'containerPort':80,'hostPort':80}]}]}}"), "");
	CHECK_STR(hp("a"), "");
}

TEST(hostport_terminal_and_unknown_phases_not_served)
{
	static const char *const phases[] = {
		"Succeeded", "Failed", "Unknown", "Evicted"
	};
	size_t i;

	for (i = 0; i < 4; i++) {
		CHECK_STR(one(phases[i], "{'ip':'10.42.1.5'}",
			      "{'containerPort':8080,'hostPort':80}", ""), "");
		CHECK_STR(hp("a"), "");
	}
	/* Terminating (deletionTimestamp) but running: still served. */
	fresh();
	CHECK_STR(node("a", "10.0.0.1", "", ""), "");
	CHECK_STR(up(NP_KIND_POD, "{'metadata':{'name':'p','deletionTimestamp':"
		     "'2024-01-01T00:00:09Z'},'spec':{'nodeName':'a',"
		     "'containers':[{'name':'c','ports':[{'containerPort':80,"
		     "'hostPort':80}]}]},'status':{'phase':'Running',"
		     "'podIP':'10.42.1.5'}}"), "");
	CHECK_STR(hp("a"), "tcp/80 hp HO a0 b[10.42.1.5:80/lr] r[]");
}

TEST(hostport_hostnetwork_not_forwarded)
{
	CHECK_STR(one("Running", "{'ip':'10.0.0.1'}",
		      "{'containerPort':80,'hostPort':80}",
		      "'hostNetwork':true"), "");
	CHECK_STR(hp("a"), "");
}

TEST(hostport_other_nodes_pods_ignored)
{
	CHECK_STR(one("Running", "{'ip':'10.42.1.5'}",
		      "{'containerPort':8080,'hostPort':80}", ""), "");
	CHECK_STR(node("b", "10.0.0.2", "", ""), "");
	CHECK_STR(hp("b"), "");
	CHECK_STR(up(NP_KIND_POD, "{'metadata':{'name':'unscheduled'},"
		     "'spec':{'containers':[{'name':'c','ports':"
		     "[{'containerPort':80,'hostPort':81}]}]},"
		     "'status':{'phase':'Pending'}}"), "");
	CHECK_STR(hp("a"), "tcp/80 hp HO a0 b[10.42.1.5:8080/lr] r[]");
}

TEST(hostport_unknown_protocol_ignored)
{
	CHECK_STR(one("Running", "{'ip':'10.42.1.5'}",
		      "{'containerPort':8080,'hostPort':80,'protocol':'QUIC'}",
		      ""), "");
	CHECK_STR(hp("a"), "");
}

TEST(hostport_repeat_within_pod_dropped)
{
	/* The first mapping of a key is kept (portmap appends: the first
	 * rule matches). */
	CHECK_STR(one("Running", "{'ip':'10.42.1.5'}",
		      "{'containerPort':8081,'hostPort':80},"
		      "{'containerPort':8080,'hostPort':80}", ""), "");
	CHECK_STR(hp("a"), "tcp/80 hp HO a0 b[10.42.1.5:8081/lr] r[]");
}

TEST(hostport_loses_to_older_service_and_older_pod)
{
	CHECK_STR(one("Running", "{'ip':'10.42.1.5'}",
		      "{'containerPort':8080,'hostPort':80},"
		      "{'containerPort':9000,'hostPort':9000}", ""), "");
	CHECK_STR(lbsvc("web", "2020-01-01T00:00:00Z", "",
			"{'name':'h','port':80}", ""), "");
	CHECK_STR(hp("a"), "");
	CHECK_STR(conflicts_str(&last_rep, "a"),
		  "Pod default/p: tcp/80 on node a is held by Service "
		  "default/web (older)");
	CHECK_INT(np_model_delete(m, NP_KIND_SERVICE, "default", "web"), 0);
	CHECK_STR(hp("a"), "tcp/80 hp HO a0 b[10.42.1.5:8080/lr] r[]\n"
		  "tcp/9000 hp HO a0 b[10.42.1.5:9000/lr] r[]");
	CHECK_STR(pod("older", "2020-01-01T00:00:00Z", "a", "Running",
		      "{'ip':'10.42.1.6'}",
		      "{'containerPort':9000,'hostPort':9000,'protocol':'TCP'}",
		      ""), "");
	CHECK_STR(hp("a"), "tcp/9000 hp HO a0 b[10.42.1.6:9000/lr] r[]");
	CHECK_STR(conflicts_str(&last_rep, "a"),
		  "Pod default/p: tcp/9000 on node a is held by Pod "
		  "default/older (older)");
}

TEST(hostport_servicelb_disabled_no_service_claims)
{
	CHECK_STR(one("Running", "{'ip':'10.42.1.5'}",
		      "{'containerPort':8080,'hostPort':80}", ""), "");
	CHECK_STR(lbsvc("web", "2020-01-01T00:00:00Z", "",
			"{'name':'h','port':80}", ""), "");
	CHECK_STR(hp("a"), "");
	CHECK_STR(hp_with("a", false),
		  "tcp/80 hp HO a0 b[10.42.1.5:8080/lr] r[]");
	CHECK_INT(last_rep.n_conflicts, 0);
	/* Pods still compete among themselves. */
	CHECK_STR(pod("older", "2019-01-01T00:00:00Z", "a", "Running",
		      "{'ip':'10.42.1.6'}",
		      "{'containerPort':80,'hostPort':80}", ""), "");
	CHECK_STR(hp_with("a", false),
		  "tcp/80 hp HO a0 b[10.42.1.6:80/lr] r[]");
	CHECK_INT(last_rep.n_conflicts, 1);
}

TEST(hostport_independent_of_own_node_object)
{
	/* The Node of self unknown: pods are still forwarded (no Service
	 * can claim there). */
	fresh();
	CHECK_STR(pod("p", T2, "a", "Running", "{'ip':'10.42.1.5'}",
		      "{'containerPort':8080,'hostPort':80}", ""), "");
	CHECK_STR(lbsvc("web", T1, "", "{'name':'h','port':80}", ""), "");
	CHECK_STR(hp("a"), "tcp/80 hp HO a0 b[10.42.1.5:8080/lr] r[]");
}

int main(void)
{
	RUN(hostport_running_pod_forwarded);
	RUN(hostport_hostip_specific_local);
	RUN(hostport_hostip_other_family_skipped);
	RUN(hostport_dual_stack_pod_one_frontend_per_family);
	RUN(hostport_localhost_ipv4_only_without_hostip);
	RUN(hostport_pending_with_ip_served_without_ip_not);
	RUN(hostport_terminal_and_unknown_phases_not_served);
	RUN(hostport_hostnetwork_not_forwarded);
	RUN(hostport_other_nodes_pods_ignored);
	RUN(hostport_unknown_protocol_ignored);
	RUN(hostport_repeat_within_pod_dropped);
	RUN(hostport_loses_to_older_service_and_older_pod);
	RUN(hostport_servicelb_disabled_no_service_claims);
	RUN(hostport_independent_of_own_node_object);
	np_slb_report_free(&last_rep);
	np_model_free(m);
	return check_summary();
}
