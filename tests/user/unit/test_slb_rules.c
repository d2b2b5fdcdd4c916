// SPDX-License-Identifier: GPL-2.0-only
/*
 * servicelb/: each K3s rule (servicelb.md §3.3, §3.5) and each rule of
 * node-contract.md §4 on a model built from API JSON, judged by the
 * whole plan of a node as text (see slb_fix.h): which Services are ours,
 * tolerations (the annotation and the built-in ones), Ready and
 * schedulable nodes, the enablelb allow-list, lbpool, port claims (older
 * object wins, conflicts reported), frontends, backends, flags,
 * affinity and source ranges.
 */
#include "slb_fix.h"

#define T1 "2024-01-01T00:00:01Z"
#define T2 "2024-01-01T00:00:02Z"
#define T3 "2024-01-01T00:00:03Z"

#define HTTP "{'name':'http','port':80,'protocol':'TCP','targetPort':8080}"
#define SLICE_HTTP "{'name':'http','port':8080,'protocol':'TCP'}"
#define WEB_A "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr 10.42.2.5:8080/r] r[]"
#define WEB_B "tcp/80 slb HMO a0 b[10.42.1.5:8080/r 10.42.2.5:8080/lr] r[]"

/* Nodes a and b, Service web (tcp/80, Cluster) with an endpoint on each. */
static const char *base(const char *svc_meta, const char *svc_spec)
{
	const char *e;

	fresh();
	if (*(e = node("a", "10.0.0.1", "", "")) ||
	    *(e = node("b", "10.0.0.2", "", "")) ||
	    *(e = lbsvc("web", T1, svc_meta, HTTP, svc_spec)) ||
	    *(e = slice("web-1", "web", "IPv4", SLICE_HTTP,
			EP("10.42.1.5", "a", true, true, false) ","
			EP("10.42.2.5", "b", true, true, false))))
		return e;
	return "";
}

/* ------------------------------------------------------------ Tolerations */

static char terr[256];

static int tparse(const char *text, struct np_tolerations *t)
{
	return np_tolerations_parse(text, t, terr, sizeof(terr));
}

TEST(tolerations_json_and_yaml_lists_parse)
{
	struct np_tolerations t;

	CHECK_INT(tparse("[{\"key\":\"gpu\",\"operator\":\"Exists\","
			 "\"effect\":\"NoSchedule\"}]", &t), 0);
	CHECK_INT(t.n, 1);
	CHECK_STR(t.v[0].key, "gpu");
	CHECK_INT(t.v[0].op, NP_TOL_EXISTS);
	CHECK_INT(t.v[0].effect, NP_TAINT_NO_SCHEDULE);
	np_tolerations_free(&t);
	CHECK_INT(tparse("- key: arch\n  operator: Equal\n  value: arm64\n"
			 "  effect: NoExecute\n  tolerationSeconds: 30\n"
			 "- operator: Exists\n", &t), 0);
	CHECK_INT(t.n, 2);
	CHECK_STR(t.v[0].key, "arch");
	CHECK_STR(t.v[0].value, "arm64");
	CHECK_INT(t.v[0].op, NP_TOL_EQUAL);
	CHECK_INT(t.v[0].effect, NP_TAINT_NO_EXECUTE);
	CHECK_STR(t.v[1].key, "");
	CHECK_INT(t.v[1].op, NP_TOL_EXISTS);
	CHECK_INT(t.v[1].effect, NP_TOL_ANY_EFFECT);
	np_tolerations_free(&t);
	CHECK_INT(tparse("[{key: a, value: b}]", &t), 0);	/* flow YAML */
	CHECK_INT(t.n, 1);
	np_tolerations_free(&t);
	CHECK_INT(tparse("", &t), 0);
	CHECK_INT(t.n, 0);
	CHECK_INT(tparse("null", &t), 0);
	CHECK_INT(t.n, 0);
	CHECK_INT(tparse(NULL, &t), 0);
	CHECK_INT(t.n, 0);
	CHECK_INT(tparse("{\"key\":\"a\"}", &t), -EINVAL);
	CHECK_STR(terr, "is not a list");
	CHECK_INT(tparse("[1]", &t), -EINVAL);
	CHECK_STR(terr, "[0]: is not an object");
	CHECK_INT(tparse("[{\"key\": 5}]", &t), -EINVAL);
	CHECK_STR(terr, "[0].key: is not a string");
	CHECK_INT(tparse("[{\"key\": \"a\"", &t), -EINVAL);
	CHECK_CONTAINS(terr, "annotation:");
	CHECK_INT(t.n, 0);
}

TEST(tolerations_empty_operator_is_equal)
{
	struct np_tolerations t;
	struct np_taint taint = { "k", "v", NP_TAINT_NO_SCHEDULE };

	CHECK_INT(tparse("[{\"key\":\"k\",\"value\":\"v\"}]", &t), 0);
	CHECK_INT(t.v[0].op, NP_TOL_EQUAL);
	CHECK(np_toleration_matches(&t.v[0], &taint));
	taint.value = "w";
	CHECK(!np_toleration_matches(&t.v[0], &taint));
	np_tolerations_free(&t);
}

TEST(tolerations_empty_key_requires_exists)
{
	struct np_tolerations t;
	struct np_taint taint = { "anything", "x", NP_TAINT_NO_EXECUTE };

	CHECK_INT(tparse("[{\"operator\":\"Equal\",\"value\":\"v\"}]", &t),
		  -EINVAL);
	CHECK_STR(terr, "[0].operator: must be Exists when key is empty");
	CHECK_INT(tparse("[{\"value\":\"v\"}]", &t), -EINVAL);
	CHECK_INT(tparse("[{\"operator\":\"Exists\"}]", &t), 0);
	CHECK(np_toleration_matches(&t.v[0], &taint));	/* every key */
	np_tolerations_free(&t);
}

TEST(tolerations_exists_forbids_value)
{
	struct np_tolerations t;

	CHECK_INT(tparse("[{\"key\":\"a\"},{\"key\":\"k\",\"operator\":"
			 "\"Exists\",\"value\":\"v\"}]", &t), -EINVAL);
	CHECK_STR(terr, "[1].value: must be empty when operator is Exists");
	CHECK_INT(t.n, 0);
}

TEST(tolerations_unknown_operator_or_effect_invalid)
{
	struct np_tolerations t;

	CHECK_INT(tparse("[{\"key\":\"k\",\"operator\":\"Gt\"}]", &t), -EINVAL);
	CHECK_STR(terr, "[0].operator: \"Gt\" is not Equal or Exists");
	CHECK_INT(tparse("[{\"key\":\"k\",\"effect\":\"NoRun\"}]", &t),
		  -EINVAL);
	CHECK_STR(terr, "[0].effect: \"NoRun\" is not NoSchedule, "
		  "PreferNoSchedule or NoExecute");
}

TEST(tolerations_seconds_only_with_noexecute)
{
	struct np_tolerations t;

	CHECK_INT(tparse("[{\"key\":\"k\",\"effect\":\"NoSchedule\","
			 "\"tolerationSeconds\":5}]", &t), -EINVAL);
	CHECK_STR(terr, "[0].tolerationSeconds: only with effect NoExecute");
	CHECK_INT(tparse("[{\"key\":\"k\",\"effect\":\"NoExecute\","
			 "\"tolerationSeconds\":1.5}]", &t), -EINVAL);
	CHECK_STR(terr, "[0].tolerationSeconds: is not an integer");
	CHECK_INT(tparse("[{\"key\":\"k\",\"effect\":\"NoExecute\","
			 "\"tolerationSeconds\":5}]", &t), 0);
	np_tolerations_free(&t);
}

TEST(invalid_tolerations_annotation_leaves_service_valid_not_served)
{
	const struct np_service *s;

	CHECK_STR(base("'annotations':{'" NP_TOLERATIONS_ANN "':"
		       "'[{\\'operator\\':\\'Exists\\',\\'value\\':\\'x\\'}]'}",
		       ""), "");
	s = np_model_get(m, NP_KIND_SERVICE, "default", "web");
	CHECK(s && !s->meta.invalid);
	CHECK_STR(s->tolerations_ann,
		  "[{\"operator\":\"Exists\",\"value\":\"x\"}]");
	CHECK_STR(slb("a"), "");
	CHECK_INT(last_rep.n_unserved, 1);
	CHECK_STR(last_rep.unserved[0].svc->name, "web");
	CHECK_STR(last_rep.unserved[0].why, "annotation " NP_TOLERATIONS_ANN
		  ": [0].value: must be empty when operator is Exists");
	/* Fixed: served again. */
	CHECK_STR(base("'annotations':{'" NP_TOLERATIONS_ANN "':"
		       "'[{\\'operator\\':\\'Exists\\'}]'}", ""), "");
	CHECK_STR(slb("a"), WEB_A);
	CHECK_INT(last_rep.n_unserved, 0);
}

/* ----------------------------------------------------------- Eligibility */

TEST(only_loadbalancer_without_class_is_served)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(slb("a"), WEB_A);
	CHECK_STR(slb("b"), WEB_B);
	CHECK_STR(base("", "'loadBalancerClass':'example.com/lb'"), "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(up(NP_KIND_SERVICE,
		     "{'metadata':{'name':'web','namespace':'default'},"
		     "'spec':{'type':'NodePort','clusterIPs':['10.43.0.10'],"
		     "'ports':[" HTTP "]}}"), "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(up(NP_KIND_SERVICE,
		     "{'metadata':{'name':'web','namespace':'default'},"
		     "'spec':{'clusterIPs':['10.43.0.10'],'ports':[" HTTP "]}}"),
		  "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(up(NP_KIND_SERVICE,
		     "{'metadata':{'name':'web','namespace':'default'},"
		     "'spec':{'type':'LoadBalancer','clusterIPs':['10.43.0.10'],"
		     "'ports':[" HTTP "]}}"), "");
	CHECK_STR(slb("a"), WEB_A);
	/* An invalid Service (marker): not served. */
	CHECK(*up(NP_KIND_SERVICE,
		  "{'metadata':{'name':'web','namespace':'default'},"
		  "'spec':{'type':'LoadBalancer','ports':[{'port':0}]}}"));
	CHECK_STR(slb("a"), "");
}

TEST(node_not_ready_not_eligible)
{
	static const char *const states[] = {
		"[{'type':'Ready','status':'False'}]",
		"[{'type':'Ready','status':'Unknown'}]",
		"[{'type':'Ready','status':'Maybe'}]",
		"[{'type':'MemoryPressure','status':'False'}]",
	};
	size_t i;

	for (i = 0; i < 4; i++) {
		CHECK_STR(base("", ""), "");
		CHECK_STR(up(NP_KIND_NODE,
			     "{'metadata':{'name':'a'},'status':{'conditions':"
			     "%s,'addresses':[{'type':'InternalIP',"
			     "'address':'10.0.0.1'}]}}", states[i]), "");
		CHECK_STR(slb("a"), "");
		CHECK_STR(slb("b"), WEB_B);
	}
}

TEST(node_unschedulable_not_eligible)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(node("a", "10.0.0.1", "", "'unschedulable':true"), "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(node("a", "10.0.0.1", "", "'unschedulable':false"), "");
	CHECK_STR(slb("a"), WEB_A);
}

TEST(noschedule_and_noexecute_taints_exclude_node)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(node("a", "10.0.0.1", "", "'taints':[{'key':'gpu',"
		       "'value':'true','effect':'NoSchedule'}]"), "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(node("a", "10.0.0.1", "", "'taints':[{'key':'gpu',"
		       "'effect':'NoExecute'}]"), "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(slb("b"), WEB_B);
}

TEST(prefer_noschedule_taint_does_not_exclude)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(node("a", "10.0.0.1", "", "'taints':[{'key':'gpu',"
		       "'effect':'PreferNoSchedule'}]"), "");
	CHECK_STR(slb("a"), WEB_A);
}

TEST(control_plane_taints_tolerated_built_in)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(node("a", "10.0.0.1", "", "'taints':["
		       "{'key':'node-role.kubernetes.io/control-plane','effect':'NoSchedule'},"
		       "{'key':'node-role.kubernetes.io/master','value':'true','effect':'NoSchedule'},"
		       "{'key':'CriticalAddonsOnly','value':'true','effect':'NoExecute'},"
		       "{'key':'node.kubernetes.io/disk-pressure','effect':'NoSchedule'}]"),
		  "");
	CHECK_STR(slb("a"), WEB_A);
	/* control-plane NoExecute is not among them. */
	CHECK_STR(node("a", "10.0.0.1", "", "'taints':["
		       "{'key':'node-role.kubernetes.io/control-plane','effect':'NoExecute'}]"),
		  "");
	CHECK_STR(slb("a"), "");
}

TEST(annotation_toleration_admits_tainted_node)
{
	CHECK_STR(base("'annotations':{'" NP_TOLERATIONS_ANN "':"
		       "'- key: arch\\n  value: arm64\\n  effect: NoSchedule\\n'}",
		       ""), "");
	CHECK_STR(node("a", "10.0.0.1", "", "'taints':[{'key':'arch',"
		       "'value':'arm64','effect':'NoSchedule'}]"), "");
	CHECK_STR(slb("a"), WEB_A);
	/* Another value is not tolerated by Equal. */
	CHECK_STR(node("a", "10.0.0.1", "", "'taints':[{'key':'arch',"
		       "'value':'riscv','effect':'NoSchedule'}]"), "");
	CHECK_STR(slb("a"), "");
}

TEST(unknown_taint_effect_excludes_node)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(node("a", "10.0.0.1", "", "'taints':[{'key':'x',"
		       "'effect':'NoRoute'}]"), "");
	CHECK_STR(slb("a"), "");
	/* Tolerated only by a toleration of every effect. */
	CHECK_STR(lbsvc("web", T1, "'annotations':{'" NP_TOLERATIONS_ANN
			"':'[{\\'key\\':\\'x\\',\\'operator\\':\\'Exists\\'}]'}",
			HTTP, ""), "");
	CHECK_STR(slb("a"), WEB_A);
}

TEST(enablelb_any_label_key_turns_allow_list_on)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(node("c", "10.0.0.3", "'" NP_ENABLELB_LABEL "':'false'", ""),
		  "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(slb("b"), "");
	CHECK_STR(slb("c"), "");
	CHECK_STR(node("b", "10.0.0.2", "'" NP_ENABLELB_LABEL "':'true'", ""),
		  "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(slb("b"), WEB_B);
	/* The key gone from every node: every node again. */
	CHECK_INT(np_model_delete(m, NP_KIND_NODE, "", "c"), 0);
	CHECK_STR(node("b", "10.0.0.2", "", ""), "");
	CHECK_STR(slb("a"), WEB_A);
}

TEST(lbpool_service_label_needs_node_label)
{
	CHECK_STR(base("'labels':{'" NP_LBPOOL_LABEL "':'p1'}", ""), "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(node("a", "10.0.0.1", "'" NP_LBPOOL_LABEL "':'p1'", ""), "");
	CHECK_STR(node("b", "10.0.0.2", "'" NP_LBPOOL_LABEL "':'p2'", ""), "");
	CHECK_STR(slb("a"), WEB_A);
	CHECK_STR(slb("b"), "");
	/* With the allow-list on, the pool node needs enablelb=true too. */
	CHECK_STR(node("a", "10.0.0.1", "'" NP_LBPOOL_LABEL "':'p1','"
		       NP_ENABLELB_LABEL "':'false'", ""), "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(node("a", "10.0.0.1", "'" NP_LBPOOL_LABEL "':'p1','"
		       NP_ENABLELB_LABEL "':'true'", ""), "");
	CHECK_STR(slb("a"), WEB_A);
}

TEST(lbpool_unlabelled_service_uses_every_node)
{
	CHECK_STR(base("'labels':{'" NP_LBPOOL_LABEL "':''}", ""), "");
	CHECK_STR(node("a", "10.0.0.1", "'" NP_LBPOOL_LABEL "':'p1'", ""), "");
	CHECK_STR(slb("a"), WEB_A);
	CHECK_STR(slb("b"), WEB_B);
}

TEST(eligibility_reasons)
{
	struct np_slb_svcs svcs;
	const struct np_node *a;

	CHECK_STR(base("", ""), "");
	CHECK_STR(node("a", "10.0.0.1", "", "'taints':[{'key':'k',"
		       "'effect':'NoSchedule'}],'unschedulable':true"), "");
	CHECK_INT(np_slb_svcs_build(m, &svcs), 0);
	CHECK_INT(svcs.n, 1);
	a = np_model_node(m, "a");
	CHECK_INT(np_slb_eligible(&svcs.v[0], a, false), NP_SLB_TAINTED);
	CHECK_INT(np_slb_eligible(&svcs.v[0], NULL, false), NP_SLB_NO_NODE);
	CHECK_STR(np_slb_why_str(NP_SLB_TAINTED), "node taint not tolerated");
	np_slb_svcs_free(&svcs);
	CHECK_STR(node("a", "10.0.0.1", "", "'unschedulable':true"), "");
	CHECK_INT(np_slb_svcs_build(m, &svcs), 0);
	a = np_model_node(m, "a");
	CHECK_INT(np_slb_eligible(&svcs.v[0], a, false), NP_SLB_UNSCHEDULABLE);
	CHECK_INT(np_slb_placeable(&svcs.v[0], a, false), NP_SLB_ELIGIBLE);
	np_slb_svcs_free(&svcs);
}

/* ---------------------------------------------------------------- Claims */

#define WEB2 "{'name':'http','port':80,'protocol':'TCP'}"

TEST(older_service_keeps_the_port)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(lbsvc("old", "2023-06-01T00:00:00Z", "", WEB2, ""), "");
	CHECK_STR(slb("a"), "tcp/80 slb HMO a0 b[] r[]");
	CHECK_STR(conflicts_str(&last_rep, "a"),
		  "Service default/web: tcp/80 on node a is held by Service "
		  "default/old (older)");
	/* web made older (a recreated "old" is younger): web wins. */
	CHECK_STR(lbsvc("old", "2025-06-01T00:00:00Z", "", WEB2, ""), "");
	CHECK_STR(slb("a"), WEB_A);
	CHECK_STR(conflicts_str(&last_rep, "a"),
		  "Service default/old: tcp/80 on node a is held by Service "
		  "default/web (older)");
}

TEST(same_age_namespace_name_breaks_the_tie)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(lbsvc("aaa", T1, "", WEB2, ""), "");
	CHECK_STR(slb("a"), "tcp/80 slb HMO a0 b[] r[]");
	CHECK_STR(conflicts_str(&last_rep, "a"),
		  "Service default/web: tcp/80 on node a is held by Service "
		  "default/aaa (older)");
	CHECK_STR(up(NP_KIND_SERVICE,
		     "{'metadata':{'name':'aaa','namespace':'zzz',"
		     "'creationTimestamp':'" T1 "'},'spec':{'type':"
		     "'LoadBalancer','clusterIPs':['10.43.0.11'],'ports':["
		     WEB2 "]}}"), "");
	CHECK_INT(np_model_delete(m, NP_KIND_SERVICE, "default", "aaa"), 0);
	CHECK_STR(slb("a"), WEB_A);
	CHECK_STR(conflicts_str(&last_rep, "a"),
		  "Service zzz/aaa: tcp/80 on node a is held by Service "
		  "default/web (older)");
}

TEST(different_protocols_do_not_conflict)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(lbsvc("dns", "2020-01-01T00:00:00Z", "",
			"{'name':'d','port':80,'protocol':'UDP'},"
			"{'name':'s','port':80,'protocol':'SCTP'}", ""), "");
	CHECK_STR(slb("a"), WEB_A "\n"
		  "udp/80 slb HMO a0 b[] r[]\n"
		  "sctp/80 slb HMO a0 b[] r[]");
	CHECK_INT(last_rep.n_conflicts, 0);
}

TEST(hostport_pod_older_than_service_blocks_it)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(pod("hp", "2020-01-01T00:00:00Z", "a", "Running",
		      "{'ip':'10.42.1.9'}",
		      "{'containerPort':8000,'hostPort':80}", ""), "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(conflicts_str(&last_rep, "a"),
		  "Service default/web: tcp/80 on node a is held by Pod "
		  "default/hp (older)");
	/* Only on that node. */
	CHECK_STR(slb("b"), WEB_B);
	CHECK_STR(hp("a"), "tcp/80 hp HO a0 b[10.42.1.9:8000/lr] r[]");
}

TEST(service_older_than_hostport_pod_blocks_the_pod)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(pod("hp", "2025-01-01T00:00:00Z", "a", "Running",
		      "{'ip':'10.42.1.9'}",
		      "{'containerPort':8000,'hostPort':80,'hostIP':'10.0.0.1'}",
		      ""), "");
	CHECK_STR(slb("a"), WEB_A);
	CHECK_STR(hp("a"), "");
	CHECK_STR(conflicts_str(&last_rep, "a"),
		  "Pod default/hp: tcp/10.0.0.1:80 on node a is held by "
		  "Service default/web (older)");
}

TEST(wildcard_hostip_conflicts_with_any_specific_ones_do_not)
{
	struct np_port_want any = { { 0 }, NP_PROTO_TCP, 80 };
	struct np_port_want a1 = { { 0 }, NP_PROTO_TCP, 80 }, a2 = a1, b6 = a1;
	struct np_port_want udp = { { 0 }, NP_PROTO_UDP, 80 };

	CHECK_INT(np_addr_parse("10.0.0.1", &a1.host_ip), 0);
	CHECK_INT(np_addr_parse("10.0.0.2", &a2.host_ip), 0);
	CHECK_INT(np_addr_parse("fd00::1", &b6.host_ip), 0);
	CHECK(np_port_want_conflict(&any, &a1));
	CHECK(np_port_want_conflict(&b6, &any));
	CHECK(np_port_want_conflict(&a1, &a1));
	CHECK(!np_port_want_conflict(&a1, &a2));
	CHECK(!np_port_want_conflict(&a1, &b6));
	CHECK(!np_port_want_conflict(&any, &udp));
	/* Two pods on distinct hostIPs both forwarded. */
	fresh();
	CHECK_STR(node("a", "10.0.0.1", "", ""), "");
	CHECK_STR(pod("p1", T1, "a", "Running", "{'ip':'10.42.1.8'}",
		      "{'containerPort':80,'hostPort':80,'hostIP':'10.0.0.1'}",
		      ""), "");
	CHECK_STR(pod("p2", T2, "a", "Running", "{'ip':'10.42.1.9'}",
		      "{'containerPort':80,'hostPort':80,'hostIP':'10.0.0.2'}",
		      ""), "");
	CHECK_STR(hp("a"),
		  "tcp/10.0.0.1:80 hp H a0 b[10.42.1.8:80/lr] r[]\n"
		  "tcp/10.0.0.2:80 hp H a0 b[10.42.1.9:80/lr] r[]");
	/* A younger wildcard pod loses to both. */
	CHECK_STR(pod("p3", T3, "a", "Running", "{'ip':'10.42.1.10'}",
		      "{'containerPort':80,'hostPort':80}", ""), "");
	CHECK_STR(hp("a"),
		  "tcp/10.0.0.1:80 hp H a0 b[10.42.1.8:80/lr] r[]\n"
		  "tcp/10.0.0.2:80 hp H a0 b[10.42.1.9:80/lr] r[]");
	CHECK_STR(conflicts_str(&last_rep, "a"),
		  "Pod default/p3: tcp/80 on node a is held by Pod default/p1 (older)\n"
		  "Pod default/p3: tcp/80 on node a is held by Pod default/p2 (older)");
}

TEST(loser_holds_no_port)
{
	/* x (oldest) holds 80; y wants 80 and 443 and loses all of it;
	 * z wants 443, which y does not hold. */
	CHECK_STR(base("", ""), "");
	CHECK_INT(np_model_delete(m, NP_KIND_SERVICE, "default", "web"), 0);
	CHECK_STR(lbsvc("x", T1, "", "{'name':'a','port':80}", ""), "");
	CHECK_STR(lbsvc("y", T2, "", "{'name':'a','port':80},"
			"{'name':'b','port':443}", ""), "");
	CHECK_STR(lbsvc("z", T3, "", "{'name':'b','port':443}", ""), "");
	CHECK_STR(slb("a"), "tcp/80 slb HMO a0 b[] r[]\n"
		  "tcp/443 slb HMO a0 b[] r[]");
	CHECK_STR(conflicts_str(&last_rep, "a"),
		  "Service default/y: tcp/80 on node a is held by Service "
		  "default/x (older)");
}

TEST(terminated_pod_holds_no_port)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(pod("hp", "2020-01-01T00:00:00Z", "a", "Succeeded",
		      "{'ip':'10.42.1.9'}",
		      "{'containerPort':8000,'hostPort':80}", ""), "");
	CHECK_STR(slb("a"), WEB_A);
	CHECK_STR(pod("hp", "2020-01-01T00:00:00Z", "a", "Failed",
		      "{'ip':'10.42.1.9'}",
		      "{'containerPort':8000,'hostPort':80}", ""), "");
	CHECK_STR(slb("a"), WEB_A);
	/* Pending without an IP yet: it holds the port (the scheduler
	 * counted it), though nothing is forwarded to it. */
	CHECK_STR(pod("hp", "2020-01-01T00:00:00Z", "a", "Pending", "",
		      "{'containerPort':8000,'hostPort':80}", ""), "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(hp("a"), "");
}

TEST(hostnetwork_pod_holds_its_ports)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(pod("hn", "2020-01-01T00:00:00Z", "a", "Running",
		      "{'ip':'10.0.0.1'}",
		      "{'containerPort':80,'hostPort':80}",
		      "'hostNetwork':true"), "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(hp("a"), "");
	CHECK_STR(conflicts_str(&last_rep, "a"),
		  "Service default/web: tcp/80 on node a is held by Pod "
		  "default/hn (older)");
}

TEST(not_ready_node_keeps_service_claims)
{
	/* The Service stays placed on a NotReady node (not served there),
	 * so a younger hostPort pod does not get its port. */
	CHECK_STR(base("", ""), "");
	CHECK_STR(up(NP_KIND_NODE,
		     "{'metadata':{'name':'a'},'status':{'conditions':"
		     "[{'type':'Ready','status':'False'}]}}"), "");
	CHECK_STR(pod("hp", T3, "a", "Running", "{'ip':'10.42.1.9'}",
		      "{'containerPort':8000,'hostPort':80}", ""), "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(hp("a"), "");
	/* A tainted node: the Service is not placed, the pod serves. */
	CHECK_STR(node("a", "10.0.0.1", "", "'taints':[{'key':'k',"
		       "'effect':'NoSchedule'}]"), "");
	CHECK_STR(hp("a"), "tcp/80 hp HO a0 b[10.42.1.9:8000/lr] r[]");
}

/* ------------------------------------------------------------------ Plan */

TEST(cluster_policy_every_usable_endpoint_masq_remote)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(slb("a"), WEB_A);
	CHECK_STR(slb("b"), WEB_B);
	/* A node with no endpoint serves too. */
	CHECK_STR(node("c", "10.0.0.3", "", ""), "");
	CHECK_STR(slb("c"), "tcp/80 slb HMO a0 b[10.42.1.5:8080/r "
		  "10.42.2.5:8080/r] r[]");
}

TEST(local_policy_only_local_endpoints)
{
	CHECK_STR(base("", "'externalTrafficPolicy':'Local'"), "");
	CHECK_STR(slb("a"), "tcp/80 slb HLO a0 b[10.42.1.5:8080/lr] r[]");
	CHECK_STR(slb("b"), "tcp/80 slb HLO a0 b[10.42.2.5:8080/lr] r[]");
}

TEST(local_without_local_endpoint_not_served)
{
	CHECK_STR(base("", "'externalTrafficPolicy':'Local'"), "");
	CHECK_STR(node("c", "10.0.0.3", "", ""), "");
	CHECK_STR(slb("c"), "");
	/* A local endpoint neither ready nor serving does not count. */
	CHECK_STR(slice("web-2", "web", "IPv4", SLICE_HTTP,
			EP("10.42.3.5", "c", false, false, true)), "");
	CHECK_STR(slb("c"), "");
	/* Serving and terminating does (kube-proxy's fallback). */
	CHECK_STR(slice("web-2", "web", "IPv4", SLICE_HTTP,
			EP("10.42.3.5", "c", false, true, true)), "");
	CHECK_STR(slb("c"), "tcp/80 slb HLO a0 b[10.42.3.5:8080/lt] r[]");
}

TEST(terminating_serving_endpoints_flagged_others_dropped)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(slice("web-2", "web", "IPv4", SLICE_HTTP,
			EP("10.42.1.6", "a", false, true, true) ","
			EP("10.42.1.7", "a", false, false, true) ","
			EP("10.42.1.8", "a", false, false, false) ","
			EP("10.42.1.9", "a", false, true, false)), "");
	CHECK_STR(slb("a"), "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr "
		  "10.42.1.6:8080/lt 10.42.2.5:8080/r] r[]");
}

TEST(endpoint_port_matched_by_name_and_protocol)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(slice("web-2", "web", "IPv4",
			"{'name':'http','port':9000,'protocol':'UDP'},"
			"{'name':'other','port':9001,'protocol':'TCP'}",
			EP("10.42.1.6", "a", true, true, false)), "");
	CHECK_STR(slb("a"), WEB_A);
	CHECK_STR(slice("web-2", "web", "IPv4",
			"{'name':'other','port':9001,'protocol':'TCP'},"
			"{'name':'http','port':9000,'protocol':'TCP'}",
			EP("10.42.1.6", "a", true, true, false)), "");
	CHECK_STR(slb("a"), "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr "
		  "10.42.1.6:9000/lr 10.42.2.5:8080/r] r[]");
	/* A slice of another Service is not ours. */
	CHECK_STR(slice("x-1", "x", "IPv4", SLICE_HTTP,
			EP("10.42.1.99", "a", true, true, false)), "");
	CHECK_STR(slb("a"), "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr "
		  "10.42.1.6:9000/lr 10.42.2.5:8080/r] r[]");
}

TEST(dual_stack_one_frontend_per_family)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(lbsvc_fam("web", T1, "", "'IPv6','IPv4'",
			    "'fd43::10','10.43.0.10'", HTTP, ""), "");
	CHECK_STR(slice("web-6", "web", "IPv6", SLICE_HTTP,
			EP("fd42:1::5", "a", true, true, false)), "");
	CHECK_STR(slb("a"), WEB_A "\n"
		  "tcp/80/ipv6 slb HM a0 b[[fd42:1::5]:8080/lr] r[]");
	/* Single-stack IPv6: the IPv4 slice is not used. */
	CHECK_STR(lbsvc_fam("web", T1, "", "'IPv6'", "'fd43::10'", HTTP, ""),
		  "");
	CHECK_STR(slb("a"), "tcp/80/ipv6 slb HM a0 b[[fd42:1::5]:8080/lr] r[]");
}

TEST(client_ip_affinity_timeout)
{
	CHECK_STR(base("", "'sessionAffinity':'ClientIP'"), "");
	CHECK_STR(slb("a"), "tcp/80 slb HMO a10800 b[10.42.1.5:8080/lr "
		  "10.42.2.5:8080/r] r[]");
	CHECK_STR(lbsvc("web", T1, "", HTTP, "'sessionAffinity':'ClientIP',"
			"'sessionAffinityConfig':{'clientIP':"
			"{'timeoutSeconds':60}}"), "");
	CHECK_STR(slb("a"), "tcp/80 slb HMO a60 b[10.42.1.5:8080/lr "
		  "10.42.2.5:8080/r] r[]");
	CHECK_STR(lbsvc("web", T1, "", HTTP, "'sessionAffinity':'None',"
			"'sessionAffinityConfig':{'clientIP':"
			"{'timeoutSeconds':60}}"), "");
	CHECK_STR(slb("a"), WEB_A);
}

TEST(unknown_policy_or_affinity_not_served)
{
	CHECK_STR(base("", "'externalTrafficPolicy':'Nearest'"), "");
	CHECK_STR(slb("a"), "");
	CHECK_INT(last_rep.n_unserved, 1);
	CHECK_STR(last_rep.unserved[0].why, "spec.externalTrafficPolicy: a "
		  "value this version does not know");
	CHECK_STR(base("", "'sessionAffinity':'Cookie'"), "");
	CHECK_STR(slb("a"), "");
	CHECK_STR(last_rep.unserved[0].why, "spec.sessionAffinity: a value "
		  "this version does not know");
}

TEST(source_ranges_family_filtered_and_normalised)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(lbsvc_fam("web", T1, "", "'IPv4','IPv6'",
			    "'10.43.0.10','fd43::10'", HTTP,
			    "'loadBalancerSourceRanges':['192.0.2.77/24',"
			    "'2001:db8::1/64','198.51.100.0/25']"), "");
	CHECK_STR(slb("a"), "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr "
		  "10.42.2.5:8080/r] r[192.0.2.0/24 198.51.100.0/25]\n"
		  "tcp/80/ipv6 slb HM a0 b[] r[2001:db8::/64]");
}

TEST(source_ranges_default_any_means_no_ranges)
{
	/* Exactly 0.0.0.0/0 (K3s adds ::/0 for IPv6): any source in both. */
	CHECK_STR(base("", ""), "");
	CHECK_STR(lbsvc_fam("web", T1, "", "'IPv4','IPv6'",
			    "'10.43.0.10','fd43::10'", HTTP,
			    "'loadBalancerSourceRanges':['0.0.0.0/0']"), "");
	CHECK_STR(slb("a"), WEB_A "\ntcp/80/ipv6 slb HM a0 b[] r[]");
	/* A family's /0 among others: any for that family. */
	CHECK_STR(lbsvc_fam("web", T1, "", "'IPv4','IPv6'",
			    "'10.43.0.10','fd43::10'", HTTP,
			    "'loadBalancerSourceRanges':['10.0.0.0/8',"
			    "'0.0.0.0/0','::/0']"), "");
	CHECK_STR(slb("a"), WEB_A "\ntcp/80/ipv6 slb HM a0 b[] r[]");
}

TEST(source_ranges_family_without_range_not_served)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(lbsvc_fam("web", T1, "", "'IPv4','IPv6'",
			    "'10.43.0.10','fd43::10'", HTTP,
			    "'loadBalancerSourceRanges':['10.0.0.0/8']"), "");
	CHECK_STR(slb("a"), "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr "
		  "10.42.2.5:8080/r] r[10.0.0.0/8]");
}

TEST(source_ranges_annotation_when_field_unset)
{
	CHECK_STR(base("'annotations':{'" NP_LB_SOURCE_RANGES_ANN "':"
		       "'10.1.0.0/16, 10.2.0.0/16'}", ""), "");
	CHECK_STR(slb("a"), "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr "
		  "10.42.2.5:8080/r] r[10.1.0.0/16 10.2.0.0/16]");
	CHECK_STR(base("'annotations':{'" NP_LB_SOURCE_RANGES_ANN "':"
		       "'10.1.0.0/16'}",
		       "'loadBalancerSourceRanges':['10.3.0.0/16']"), "");
	CHECK_STR(slb("a"), "tcp/80 slb HMO a0 b[10.42.1.5:8080/lr "
		  "10.42.2.5:8080/r] r[10.3.0.0/16]");
}

TEST(unknown_protocol_port_skipped)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(lbsvc("web", T1, "", HTTP ",{'name':'q','port':81,"
			"'protocol':'QUIC'}", ""), "");
	CHECK_STR(slb("a"), WEB_A);
}

TEST(duplicate_endpoint_ready_wins)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(slice("web-2", "web", "IPv4", SLICE_HTTP,
			EP("10.42.1.5", "a", false, true, true)), "");
	CHECK_STR(slb("a"), WEB_A);
}

TEST(self_node_unknown_or_invalid_plans_nothing)
{
	CHECK_STR(base("", ""), "");
	CHECK_STR(slb("nosuch"), "");
	CHECK(*up(NP_KIND_NODE, "{'metadata':{'name':'a'},'spec':"
		  "{'podCIDRs':['x']}}"));
	CHECK_STR(slb("a"), "");
}

int main(void)
{
	RUN(tolerations_json_and_yaml_lists_parse);
	RUN(tolerations_empty_operator_is_equal);
	RUN(tolerations_empty_key_requires_exists);
	RUN(tolerations_exists_forbids_value);
	RUN(tolerations_unknown_operator_or_effect_invalid);
	RUN(tolerations_seconds_only_with_noexecute);
	RUN(invalid_tolerations_annotation_leaves_service_valid_not_served);
	RUN(only_loadbalancer_without_class_is_served);
	RUN(node_not_ready_not_eligible);
	RUN(node_unschedulable_not_eligible);
	RUN(noschedule_and_noexecute_taints_exclude_node);
	RUN(prefer_noschedule_taint_does_not_exclude);
	RUN(control_plane_taints_tolerated_built_in);
	RUN(annotation_toleration_admits_tainted_node);
	RUN(unknown_taint_effect_excludes_node);
	RUN(enablelb_any_label_key_turns_allow_list_on);
	RUN(lbpool_service_label_needs_node_label);
	RUN(lbpool_unlabelled_service_uses_every_node);
	RUN(eligibility_reasons);
	RUN(older_service_keeps_the_port);
	RUN(same_age_namespace_name_breaks_the_tie);
	RUN(different_protocols_do_not_conflict);
	RUN(hostport_pod_older_than_service_blocks_it);
	RUN(service_older_than_hostport_pod_blocks_the_pod);
	RUN(wildcard_hostip_conflicts_with_any_specific_ones_do_not);
	RUN(loser_holds_no_port);
	RUN(terminated_pod_holds_no_port);
	RUN(hostnetwork_pod_holds_its_ports);
	RUN(not_ready_node_keeps_service_claims);
	RUN(cluster_policy_every_usable_endpoint_masq_remote);
	RUN(local_policy_only_local_endpoints);
	RUN(local_without_local_endpoint_not_served);
	RUN(terminating_serving_endpoints_flagged_others_dropped);
	RUN(endpoint_port_matched_by_name_and_protocol);
	RUN(dual_stack_one_frontend_per_family);
	RUN(client_ip_affinity_timeout);
	RUN(unknown_policy_or_affinity_not_served);
	RUN(source_ranges_family_filtered_and_normalised);
	RUN(source_ranges_default_any_means_no_ranges);
	RUN(source_ranges_family_without_range_not_served);
	RUN(source_ranges_annotation_when_field_unset);
	RUN(unknown_protocol_port_skipped);
	RUN(duplicate_endpoint_ready_wins);
	RUN(self_node_unknown_or_invalid_plans_nothing);
	np_slb_report_free(&last_rep);
	np_model_free(m);
	return check_summary();
}
