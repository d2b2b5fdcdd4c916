// SPDX-License-Identifier: GPL-2.0-only
/*
 * servicelb/status.c: status.loadBalancer.ingress as K3s computes it
 * (servicelb.md §3.4, node-contract.md §4): which nodes serve a Service
 * (eligible, port claims won, Local with a ready Pod endpoint, nodeplaned
 * alive there), ExternalIPs over InternalIPs, family filter and order,
 * string sort, the Event text and the status object written.
 */
#include "slb_fix.h"

#define T1 "2024-01-01T00:00:01Z"
#define HTTP "{'name':'http','port':80,'protocol':'TCP','targetPort':8080}"
#define INT(ip) "{'type':'InternalIP','address':'" ip "'}"
#define EXT(ip) "{'type':'ExternalIP','address':'" ip "'}"

static const char *node_addrs(const char *name, const char *addrs)
{
	return up(NP_KIND_NODE,
		  "{'metadata':{'name':'%s'},'status':{'conditions':"
		  "[{'type':'Ready','status':'True'}],'addresses':[%s]}}",
		  name, addrs);
}

/* Nodes a, b, c (10.0.0.1, .2, .10) and Service web (Cluster). */
static const char *base(const char *spec)
{
	const char *e;

	fresh();
	if (*(e = node("a", "10.0.0.1", "", "")) ||
	    *(e = node("b", "10.0.0.2", "", "")) ||
	    *(e = node("c", "10.0.0.10", "", "")) ||
	    *(e = lbsvc("web", T1, "", HTTP, spec)))
		return e;
	return "";
}

/* Names of nodes where nodeplaned does not run, comma-separated. */
static const char *dead = "";

static bool alive(const char *node_name, void *ctx)
{
	const char *d = ctx;
	size_t n = strlen(node_name);

	while ((d = strstr(d, node_name)))
		if ((d[n] == ',' || !d[n]) && (d == ctx || d[-1] == ','))
			return false;
		else
			d += n;
	return true;
}

/* The status of default/<name> as "[a b] n=<serving>", or an error. */
static const char *status(const char *name)
{
	static char buf[1024];
	const struct np_service *s;
	struct np_slb_status st;
	char l[900];
	int ret;

	s = np_model_get(m, NP_KIND_SERVICE, "default", name);
	if (!s)
		return "(no such service)";
	ret = np_slb_status(m, s, alive, (void *)dead, &st);
	if (ret) {
		snprintf(buf, sizeof(buf), "(error %d)", ret);
		return buf;
	}
	np_slb_status_str(&st, l, sizeof(l));
	snprintf(buf, sizeof(buf), "%s n=%zu", l, st.n_serving);
	np_slb_status_free(&st);
	return buf;
}

TEST(status_internal_ips_of_serving_nodes)
{
	dead = "";
	CHECK_STR(base(""), "");
	CHECK_STR(status("web"), "[10.0.0.1 10.0.0.10 10.0.0.2] n=3");
}

TEST(status_sorted_as_strings_per_family)
{
	dead = "";
	fresh();
	CHECK_STR(node_addrs("n1", INT("10.0.0.9") "," INT("fd00::a")), "");
	CHECK_STR(node_addrs("n2", INT("10.0.0.10") "," INT("fd00::9")), "");
	CHECK_STR(node_addrs("n3", INT("9.0.0.1") "," INT("fd00::10")), "");
	CHECK_STR(lbsvc_fam("web", T1, "", "'IPv4','IPv6'",
			    "'10.43.0.10','fd43::10'", HTTP, ""), "");
	CHECK_STR(status("web"), "[10.0.0.10 10.0.0.9 9.0.0.1 fd00::10 "
		  "fd00::9 fd00::a] n=3");
}

TEST(status_families_in_ipfamilies_order)
{
	dead = "";
	fresh();
	CHECK_STR(node_addrs("n1", INT("10.0.0.1") "," INT("fd00::1")), "");
	CHECK_STR(lbsvc_fam("web", T1, "", "'IPv6','IPv4'",
			    "'fd43::10','10.43.0.10'", HTTP, ""), "");
	CHECK_STR(status("web"), "[fd00::1 10.0.0.1] n=1");
}

TEST(status_family_filtered)
{
	dead = "";
	fresh();
	CHECK_STR(node_addrs("n1", INT("10.0.0.1") "," INT("fd00::1")), "");
	CHECK_STR(lbsvc("web", T1, "", HTTP, ""), "");
	CHECK_STR(status("web"), "[10.0.0.1] n=1");
	CHECK_STR(lbsvc_fam("web", T1, "", "'IPv6'", "'fd43::10'", HTTP, ""),
		  "");
	CHECK_STR(status("web"), "[fd00::1] n=1");
}

TEST(status_external_ips_win_when_any_node_has_one)
{
	dead = "";
	CHECK_STR(base(""), "");
	CHECK_STR(node_addrs("b", INT("10.0.0.2") "," EXT("203.0.113.2")), "");
	CHECK_STR(status("web"), "[203.0.113.2] n=3");
	/* K3s picks the set before the family filter: an IPv6 Service with
	 * only an IPv4 ExternalIP among its nodes gets nothing. */
	CHECK_STR(node_addrs("a", INT("10.0.0.1") "," INT("fd00::1")), "");
	CHECK_STR(lbsvc_fam("web", T1, "", "'IPv6'", "'fd43::10'", HTTP, ""),
		  "");
	CHECK_STR(status("web"), "[] n=3");
}

TEST(status_dedups_shared_ips)
{
	dead = "";
	CHECK_STR(base(""), "");
	CHECK_STR(node_addrs("a", INT("10.0.0.1") "," EXT("203.0.113.9")), "");
	CHECK_STR(node_addrs("b", INT("10.0.0.2") "," EXT("203.0.113.9")), "");
	CHECK_STR(status("web"), "[203.0.113.9] n=3");
}

TEST(status_local_only_nodes_with_ready_pod_endpoint)
{
	dead = "";
	CHECK_STR(base("'externalTrafficPolicy':'Local'"), "");
	CHECK_STR(status("web"), "[] n=0");
	CHECK_STR(up(NP_KIND_ENDPOINTSLICE,
		     "{'metadata':{'name':'web-1','labels':"
		     "{'kubernetes.io/service-name':'web'}},'addressType':'IPv4',"
		     "'ports':[{'name':'http','port':8080}],'endpoints':["
		     EP("10.42.1.5", "a", true, true, false) ","
		     "{'addresses':['10.42.2.5'],'nodeName':'b',"
		     "'conditions':{'ready':true}},"
		     EP("10.42.3.5", "c", false, true, true) "]}"), "");
	CHECK_STR(status("web"), "[10.0.0.1] n=1");
	/* Cluster: every node. */
	CHECK_STR(lbsvc("web", T1, "", HTTP, ""), "");
	CHECK_STR(status("web"), "[10.0.0.1 10.0.0.10 10.0.0.2] n=3");
}

TEST(status_dead_node_dropped)
{
	CHECK_STR(base(""), "");
	dead = "b";
	CHECK_STR(status("web"), "[10.0.0.1 10.0.0.10] n=2");
	dead = "a,b,c";
	CHECK_STR(status("web"), "[] n=0");
	dead = "";
}

TEST(status_ineligible_nodes_dropped)
{
	dead = "";
	CHECK_STR(base(""), "");
	CHECK_STR(node("c", "10.0.0.10", "", "'taints':[{'key':'k',"
		       "'effect':'NoExecute'}]"), "");
	CHECK_STR(node("b", "10.0.0.2", "", "'unschedulable':true"), "");
	CHECK_STR(status("web"), "[10.0.0.1] n=1");
	CHECK_STR(node("a", "10.0.0.1", "'" NP_ENABLELB_LABEL "':'false'", ""),
		  "");
	CHECK_STR(status("web"), "[] n=0");
}

TEST(status_port_conflict_loser_node_dropped)
{
	dead = "";
	CHECK_STR(base(""), "");
	CHECK_STR(pod("hp", "2020-01-01T00:00:00Z", "b", "Running",
		      "{'ip':'10.42.2.9'}",
		      "{'containerPort':8000,'hostPort':80}", ""), "");
	CHECK_STR(status("web"), "[10.0.0.1 10.0.0.10] n=2");
}

TEST(status_unservable_or_not_wanted)
{
	const struct np_service *s;
	struct np_slb_status st;

	dead = "";
	CHECK_STR(base(""), "");
	CHECK_STR(lbsvc("web", T1, "'annotations':{'" NP_TOLERATIONS_ANN
			"':'[{\\'value\\':\\'x\\'}]'}", HTTP, ""), "");
	CHECK_STR(status("web"), "[] n=0");
	CHECK_STR(lbsvc("web", T1, "", HTTP, "'loadBalancerClass':'x/y'"), "");
	s = np_model_get(m, NP_KIND_SERVICE, "default", "web");
	CHECK_INT(np_slb_status(m, s, NULL, NULL, &st), -EINVAL);
	CHECK_INT(st.n, 0);
}

TEST(status_event_text)
{
	const struct np_service *s;
	struct np_slb_status st;
	const char *type, *reason;
	char msg[512];

	dead = "";
	CHECK_STR(base(""), "");
	CHECK_STR(lbsvc("web", T1, "", HTTP, ""), "");
	s = np_model_get(m, NP_KIND_SERVICE, "default", "web");
	CHECK_INT(np_slb_status(m, s, alive, (void *)"", &st), 0);
	np_slb_status_event(s, &st, &type, &reason, msg, sizeof(msg));
	CHECK_STR(type, "Normal");
	CHECK_STR(reason, "UpdatedLoadBalancer");
	CHECK_STR(msg, "Updated LoadBalancer with new IPs: [] -> "
		  "[10.0.0.1 10.0.0.10 10.0.0.2]");
	np_slb_status_free(&st);
	CHECK_INT(np_slb_status(m, s, alive, (void *)"a,b,c", &st), 0);
	np_slb_status_event(s, &st, &type, &reason, msg, sizeof(msg));
	CHECK_STR(type, "Warning");
	CHECK_STR(reason, "UnAvailableLoadBalancer");
	CHECK_STR(msg, "There are no available nodes for LoadBalancer");
	np_slb_status_free(&st);
}

TEST(status_current_compares_what_the_service_holds)
{
	const struct np_service *s;
	struct np_slb_status st;
	const char *type, *reason;
	char msg[512];

	dead = "";
	CHECK_STR(base(""), "");
	CHECK_STR(up(NP_KIND_SERVICE,
		     "{'metadata':{'name':'web','namespace':'default'},"
		     "'spec':{'type':'LoadBalancer','clusterIPs':['10.43.0.10'],"
		     "'ports':[" HTTP "]},'status':{'loadBalancer':{'ingress':"
		     "[{'ip':'10.0.0.1','ipMode':'VIP'},{'ip':'10.0.0.10'},"
		     "{'ip':'10.0.0.2'}]}}}"), "");
	s = np_model_get(m, NP_KIND_SERVICE, "default", "web");
	CHECK_INT(np_slb_status(m, s, alive, (void *)"", &st), 0);
	CHECK(np_slb_status_current(s, &st));
	np_slb_status_free(&st);
	CHECK_INT(np_slb_status(m, s, alive, (void *)"c", &st), 0);
	CHECK(!np_slb_status_current(s, &st));
	np_slb_status_event(s, &st, &type, &reason, msg, sizeof(msg));
	CHECK_STR(msg, "Updated LoadBalancer with new IPs: "
		  "[10.0.0.1 10.0.0.10 10.0.0.2] -> [10.0.0.1 10.0.0.2]");
	np_slb_status_free(&st);
}

TEST(status_json_shape)
{
	struct np_slb_status st = { 0 };
	char *ips[] = { "10.0.0.1", "fd00::1" };
	char *text;
	cJSON *j;

	j = np_slb_status_json(&st);
	CHECK(j);
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	CHECK_STR(text, "{\"loadBalancer\":{}}");
	free(text);
	st.ips = ips;
	st.n = 2;
	j = np_slb_status_json(&st);
	CHECK(j);
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	CHECK_STR(text, "{\"loadBalancer\":{\"ingress\":["
		  "{\"ip\":\"10.0.0.1\",\"ipMode\":\"VIP\"},"
		  "{\"ip\":\"fd00::1\",\"ipMode\":\"VIP\"}]}}");
	free(text);
}

static int collect(const struct np_service *s, const struct np_slb_status *st,
		   void *ctx)
{
	char *buf = ctx, l[256];

	np_slb_status_str(st, l, sizeof(l));
	snprintf(buf + strlen(buf), 1024 - strlen(buf), "%s/%s %s;",
		 s->meta.ns, s->meta.name, l);
	return 0;
}

TEST(status_all_walks_wanted_services_sorted)
{
	char buf[1024] = "";

	dead = "";
	CHECK_STR(base(""), "");
	CHECK_STR(lbsvc("aaa", "2025-01-01T00:00:00Z", "",
			"{'name':'h','port':80}", ""), "");
	CHECK_STR(lbsvc("zzz", T1, "", "{'name':'h','port':81}",
			"'loadBalancerClass':'x/y'"), "");
	CHECK_STR(node("c", "10.0.0.10", "", "'taints':[{'key':'k',"
		       "'effect':'NoExecute'}]"), "");
	CHECK_INT(np_slb_status_all(m, alive, (void *)"", collect, buf), 0);
	CHECK_STR(buf, "default/aaa [];default/web [10.0.0.1 10.0.0.2];");
}

int main(void)
{
	RUN(status_internal_ips_of_serving_nodes);
	RUN(status_sorted_as_strings_per_family);
	RUN(status_families_in_ipfamilies_order);
	RUN(status_family_filtered);
	RUN(status_external_ips_win_when_any_node_has_one);
	RUN(status_dedups_shared_ips);
	RUN(status_local_only_nodes_with_ready_pod_endpoint);
	RUN(status_dead_node_dropped);
	RUN(status_ineligible_nodes_dropped);
	RUN(status_port_conflict_loser_node_dropped);
	RUN(status_unservable_or_not_wanted);
	RUN(status_event_text);
	RUN(status_current_compares_what_the_service_holds);
	RUN(status_json_shape);
	RUN(status_all_walks_wanted_services_sorted);
	np_slb_report_free(&last_rep);
	np_model_free(m);
	return check_summary();
}
