/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The model's kinds other than Node (which model.h defines): Service,
 * EndpointSlice, Pod, Namespace and NetworkPolicy, holding the fields the
 * ServiceLB, hostPort and NetworkPolicy reconcilers use, and the indexes
 * over them. Included by model.h; include model.h, not this file.
 *
 * Decoding applies the API server's defaults, so that an object from a
 * manifests file (never defaulted) reads like the same object from the API:
 * a missing protocol is TCP, a missing Service type is ClusterIP, a
 * missing targetPort is the port, a missing traffic policy is Cluster,
 * missing policyTypes are [Ingress] (+ Egress when egress rules exist),
 * a namespaced object without metadata.namespace (or with "") is in
 * "default". Labels are kept sorted by key.
 *
 * Enums a newer API may extend (protocol, Service type, traffic
 * policies, EndpointSlice addressType, Pod phase, policyTypes) read a
 * value this version does not know as their UNKNOWN value; reconcilers
 * must not open traffic on it. Other malformed fields make the object
 * invalid (see model.h).
 *
 * An object with neither apiVersion nor kind is taken to be of the kind
 * the caller names (items of a List come so); with either, both must be
 * the kind's. An upsert that changes no decoded field leaves the stored
 * object as it was, resourceVersion included (meta.resource_version is
 * that of the last change).
 */
#ifndef _NP_MODEL_TYPES_H
#define _NP_MODEL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Values are the IP protocol numbers. */
enum np_proto {
	NP_PROTO_UNKNOWN = 0,		/* a protocol this version does not know */
	NP_PROTO_TCP = 6,
	NP_PROTO_UDP = 17,
	NP_PROTO_SCTP = 132,
};

/* "TCP", "UDP", "SCTP". */
const char *np_proto_name(enum np_proto proto);

/* An IntOrString port: a number (name NULL), or a named port (num 0).
 * Both unset (0, NULL) where the field is optional and absent. */
struct np_port_ref {
	uint16_t num;
	char *name;
};

/* ------------------------------------------------------------ Service */

enum np_svc_type {
	NP_SVC_CLUSTER_IP,
	NP_SVC_NODE_PORT,
	NP_SVC_LOAD_BALANCER,
	NP_SVC_EXTERNAL_NAME,
	NP_SVC_UNKNOWN,			/* a type this version does not know */
};

enum np_traffic_policy {
	NP_TRAFFIC_CLUSTER,
	NP_TRAFFIC_LOCAL,
	NP_TRAFFIC_UNKNOWN,
};

enum np_session_affinity {
	NP_AFFINITY_NONE,
	NP_AFFINITY_CLIENT_IP,
	NP_AFFINITY_UNKNOWN,		/* a value this version does not know */
};

/* sessionAffinityConfig.clientIP.timeoutSeconds when absent. */
#define NP_AFFINITY_TIMEOUT_DEFAULT 10800
#define NP_AFFINITY_TIMEOUT_MAX 86400

struct np_service_port {
	char *name;			/* "" when unnamed */
	enum np_proto proto;
	uint16_t port;
	struct np_port_ref target;	/* defaults to port */
	uint16_t node_port;		/* 0: none */
};

struct np_service {
	struct np_meta meta;
	enum np_svc_type type;
	bool headless;			/* spec.clusterIP "None" */
	/* spec.clusterIPs (or spec.clusterIP), one per family, in order. */
	struct np_addr cluster_ips[2];
	size_t n_cluster_ips;
	/* spec.ipFamilies (AF_INET/AF_INET6) in order; when absent, the
	 * families of the cluster IPs. */
	int ip_families[2];
	size_t n_ip_families;
	struct np_service_port *ports;
	size_t n_ports;
	struct np_addr *external_ips;	/* spec.externalIPs */
	size_t n_external_ips;
	enum np_traffic_policy external_traffic_policy;
	enum np_traffic_policy internal_traffic_policy;
	uint16_t health_check_node_port;	/* 0: none */
	char *lb_class;			/* spec.loadBalancerClass, or NULL */
	/* spec.loadBalancerSourceRanges, or else the annotation
	 * service.beta.kubernetes.io/load-balancer-source-ranges (comma
	 * list); empty: no restriction. */
	struct np_cidr *lb_source_ranges;
	size_t n_lb_source_ranges;
	/* status.loadBalancer.ingress[].ip (hostname-only entries skipped). */
	struct np_addr *lb_ingress;
	size_t n_lb_ingress;
	enum np_session_affinity session_affinity;	/* absent: None */
	/* sessionAffinityConfig.clientIP.timeoutSeconds, 1..86400; absent:
	 * 10800 (whatever the affinity, as the API server defaults it). */
	uint32_t affinity_timeout;
	bool alloc_lb_node_ports;	/* allocateLoadBalancerNodePorts; absent: true */
	/* The annotation svccontroller.k3s.cattle.io/tolerations as written
	 * (NULL when absent): servicelb/ parses and validates it, so that a
	 * bad one leaves the Service valid but not served. */
	char *tolerations_ann;
	/* metadata.deletionTimestamp is set: the Service is being deleted
	 * and waits for its finalizers. Kept (with lb_finalizer) on an
	 * invalid Service too, so that its finalizer can still be removed. */
	bool terminating;
	/* metadata.finalizers holds NP_LB_FINALIZER. */
	bool lb_finalizer;
};

#define NP_LB_SOURCE_RANGES_ANN \
	"service.beta.kubernetes.io/load-balancer-source-ranges"
#define NP_TOLERATIONS_ANN "svccontroller.k3s.cattle.io/tolerations"
/* The upstream service controller's finalizer, which ServiceLB's leader
 * adds to the Services it manages (kube/svcwrite.h writes it). */
#define NP_LB_FINALIZER "service.kubernetes.io/load-balancer-cleanup"

/* ------------------------------------------------------ EndpointSlice */

#define NP_SERVICE_NAME_LABEL "kubernetes.io/service-name"

enum np_slice_addr_type {
	NP_SLICE_IPV4,
	NP_SLICE_IPV6,
	NP_SLICE_FQDN,			/* addresses not kept */
	NP_SLICE_UNKNOWN,		/* addresses not kept */
};

struct np_endpoint {
	struct np_addr *addrs;		/* endpoints[].addresses */
	size_t n_addrs;
	bool ready;			/* conditions; absent: true */
	bool serving;			/* absent: true */
	bool terminating;		/* absent: false */
	char *node_name;		/* or NULL */
	char *zone;			/* or NULL */
	bool target_pod;		/* targetRef.kind is "Pod" */
	char *target_name;		/* targetRef.name, or NULL */
};

struct np_endpoint_port {
	char *name;			/* "" when unnamed */
	enum np_proto proto;
	uint16_t port;			/* 0: unset */
};

struct np_endpointslice {
	struct np_meta meta;
	char *service_name;		/* label kubernetes.io/service-name, or NULL */
	enum np_slice_addr_type addr_type;
	struct np_endpoint *endpoints;
	size_t n_endpoints;
	struct np_endpoint_port *ports;
	size_t n_ports;
};

/* ---------------------------------------------------------------- Pod */

enum np_pod_phase {
	NP_POD_PENDING,			/* also when status.phase is absent */
	NP_POD_RUNNING,
	NP_POD_SUCCEEDED,
	NP_POD_FAILED,
	NP_POD_UNKNOWN,			/* also a phase this version does not know */
};

/* spec.containers[].ports[], all containers in order. */
struct np_container_port {
	char *name;			/* "" when unnamed */
	enum np_proto proto;
	uint16_t container_port;
	uint16_t host_port;		/* 0: none */
	struct np_addr host_ip;		/* family 0: any (also for "0.0.0.0"
					   or "::", as portmap reads them) */
};

struct np_pod {
	struct np_meta meta;
	char *node_name;		/* spec.nodeName, or NULL */
	bool host_network;		/* spec.hostNetwork */
	bool terminating;		/* metadata.deletionTimestamp set */
	enum np_pod_phase phase;
	bool ready;			/* condition Ready is "True" */
	/* status.podIPs (or status.podIP), one per family, in order. */
	struct np_addr pod_ips[2];
	size_t n_pod_ips;
	/* status.hostIPs (or status.hostIP), one per family, in order. */
	struct np_addr host_ips[2];
	size_t n_host_ips;
	struct np_container_port *ports;
	size_t n_ports;
};

/* ---------------------------------------------------------- Namespace */

struct np_namespace {
	struct np_meta meta;		/* labels are what policies select */
};

/* ------------------------------------------------------ NetworkPolicy */

enum np_sel_op {
	NP_SEL_IN,
	NP_SEL_NOT_IN,
	NP_SEL_EXISTS,
	NP_SEL_DOES_NOT_EXIST,
};

struct np_sel_expr {
	char *key;
	enum np_sel_op op;
	char **values;			/* In/NotIn: at least one */
	size_t n_values;
};

/* A LabelSelector; empty (no labels, no expressions) matches everything. */
struct np_selector {
	struct np_kv *match_labels;	/* sorted by key */
	size_t n_match_labels;
	struct np_sel_expr *exprs;
	size_t n_exprs;
};

/* Whether labels (n of them, any order) satisfy s. */
bool np_selector_match(const struct np_selector *s, const struct np_kv *labels,
		       size_t n);
/* The same with the labels read through label(key, ctx) (NULL: absent). */
bool np_selector_match_fn(const struct np_selector *s,
			  const char *(*label)(const char *key,
					       const void *ctx),
			  const void *ctx);

struct np_ipblock {
	struct np_cidr cidr;
	struct np_cidr *except;		/* each a strict subset of cidr */
	size_t n_except;
};

/* One from/to entry. Either an ipBlock, or pod and/or namespace selectors
 * (both present: AND; only pod: the policy's namespace; only namespace:
 * every pod of the matching namespaces). */
struct np_netpol_peer {
	bool has_pod_sel;
	struct np_selector pod_sel;
	bool has_ns_sel;
	struct np_selector ns_sel;
	bool has_ipblock;
	struct np_ipblock ipblock;
};

struct np_netpol_port {
	enum np_proto proto;		/* defaults to TCP */
	struct np_port_ref port;	/* unset: every port of proto */
	uint16_t end_port;		/* 0: none; else >= port.num */
};

/* One rule: peers AND ports; no peers = any peer; no ports = any port
 * and protocol. */
struct np_netpol_rule {
	struct np_netpol_peer *peers;
	size_t n_peers;
	struct np_netpol_port *ports;
	size_t n_ports;
};

#define NP_POLICY_INGRESS	(1U << 0)
#define NP_POLICY_EGRESS	(1U << 1)
#define NP_POLICY_UNKNOWN	(1U << 2)	/* a type this version does not know */

struct np_networkpolicy {
	struct np_meta meta;
	struct np_selector pod_selector;
	unsigned int policy_types;	/* NP_POLICY_*, defaulted */
	struct np_netpol_rule *ingress;
	size_t n_ingress;
	struct np_netpol_rule *egress;
	size_t n_egress;
};

/* ------------------------------------------------------------ Indexes */

struct np_model;

/*
 * Walks over an index, in no fixed order, with fn as np_model_foreach's:
 * stops and returns fn's value when it is nonzero; 0 when the walk ends.
 * The model must not change during the walk. Namespaced walks (pods,
 * services, slices, policies of one namespace) are np_model_foreach()
 * with ns set.
 */
/* Pods whose spec.nodeName is node. */
int np_model_foreach_pod_on_node(const struct np_model *m, const char *node,
				 int (*fn)(const void *obj, void *ctx),
				 void *ctx);
/* EndpointSlices of ns labelled kubernetes.io/service-name=service. */
int np_model_foreach_slice_of_service(const struct np_model *m,
				      const char *ns, const char *service,
				      int (*fn)(const void *obj, void *ctx),
				      void *ctx);
/* Pods with ip among their pod IPs (hostNetwork pods included: their pod
 * IPs are the node's). */
int np_model_foreach_pod_with_ip(const struct np_model *m,
				 const struct np_addr *ip,
				 int (*fn)(const void *obj, void *ctx),
				 void *ctx);
/* The pod that owns ip: not hostNetwork, not Succeeded or Failed; NULL if
 * none (if several, a running one, else any). */
const struct np_pod *np_model_pod_by_ip(const struct np_model *m,
					const struct np_addr *ip);

#endif /* _NP_MODEL_TYPES_H */
