/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The model: a typed in-memory store of the cluster objects nodeplaned
 * needs, holding only the fields the reconcilers use, with the indexes they
 * need. Sources (kube/ for the API, manifests.c for a directory) feed it
 * API-shaped JSON objects; reconcilers read it and subscribe to changes.
 * It includes no netlink, libcurl or libyaml header (only cJSON's).
 *
 * Rules:
 * - np_model_upsert() decodes one object (as the API serves it: the whole
 *   object with apiVersion, kind, metadata, spec, status). A malformed
 *   object is reported in err ("Node node-b: spec.podCIDRs[1]: \"x\" is not
 *   a CIDR") and, when its name can be read, stored as an invalid marker
 *   (meta.invalid, meta.invalid_why) in place of any earlier version:
 *   reconcilers see it through the usual lookups, walks and
 *   notifications, and must fail closed on it (an invalid NetworkPolicy
 *   isolates its namespace; an invalid Node is not programmed). A valid
 *   version later replaces the marker. An object without a readable name
 *   is only reported.
 * - Subscribers are called after the store changed, once per object
 *   whose decoded fields changed (an upsert that changes nothing, e.g. only
 *   resourceVersion or a field the model does not keep, is silent). old is
 *   NULL for an add, new is NULL for a delete; old is valid only during
 *   the call; the objects are read-only.
 * - A list (or a manifests rescan) is framed by np_model_sync_begin/_end:
 *   objects of that kind not upserted in between are deleted at _end (with
 *   notifications), and the kind becomes synced; the first time, its
 *   subscribers are called once more with old and new both NULL.
 *   Reconcilers apply nothing before every kind they read is synced (an
 *   unreachable API at start must not look like an empty cluster, nor a
 *   half-read list like the cluster).
 * - Pointers returned stay valid until the next change of that object;
 *   copy what you keep across loop iterations.
 */
#ifndef _NP_MODEL_H
#define _NP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "addr.h"

enum np_kind {
	NP_KIND_NODE,
	NP_KIND_SERVICE,
	NP_KIND_ENDPOINTSLICE,
	NP_KIND_POD,
	NP_KIND_NAMESPACE,
	NP_KIND_NETWORKPOLICY,
	NP_KIND_COUNT
};

/* "Node", "Service", "EndpointSlice", "Pod", "Namespace", "NetworkPolicy". */
const char *np_kind_name(enum np_kind kind);
/* The kind of an object from its "apiVersion" and "kind"; -1 if not one of ours. */
int np_kind_of(const char *api_version, const char *kind);
/* Collection path on the API server: "/api/v1/nodes",
 * "/apis/discovery.k8s.io/v1/endpointslices", ... (all namespaces). */
const char *np_kind_path(enum np_kind kind);
/* Whether the kind is namespaced (everything but Node and Namespace). */
bool np_kind_namespaced(enum np_kind kind);

struct np_kv {
	char *key;
	char *value;
};

/* What every object has. ns is "" for cluster-scoped kinds. */
struct np_meta {
	char *ns;
	char *name;
	char *uid;
	char *resource_version;
	struct np_kv *labels;
	size_t n_labels;
	/* metadata.creationTimestamp (RFC 3339) in seconds since the epoch
	 * (UTC, fraction dropped); 0 when absent. */
	int64_t created;
	/* The object failed to decode: only ns, name (and resource_version
	 * when readable) are set, every other field is zero; invalid_why is
	 * the decoder's error. */
	bool invalid;
	char *invalid_why;
};

/* An RFC 3339 time ("2024-10-14T09:13:40Z", with an optional fraction
 * and a Z or +hh:mm offset) into seconds since the epoch; 0 or -1. */
int np_rfc3339_parse(const char *s, int64_t *out);

/* The value of label key, or NULL. */
const char *np_meta_label(const struct np_meta *m, const char *key);

#define NP_FLANNEL_ANN "flannel.alpha.coreos.com/"

/* flannel.alpha.coreos.com/<x> annotations of a Node; NULL when absent. */
struct np_flannel_ann {
	char *kube_subnet_manager;	/* kube-subnet-manager */
	char *backend_type;		/* backend-type */
	char *backend_data;		/* backend-data */
	char *backend_v6_data;		/* backend-v6-data */
	char *public_ip;		/* public-ip */
	char *public_ipv6;		/* public-ipv6 */
	char *public_ip_overwrite;	/* public-ip-overwrite */
	char *public_ipv6_overwrite;	/* public-ipv6-overwrite */
};

/* spec.taints[].effect */
enum np_taint_effect {
	NP_TAINT_NO_SCHEDULE,
	NP_TAINT_PREFER_NO_SCHEDULE,
	NP_TAINT_NO_EXECUTE,
	NP_TAINT_UNKNOWN,		/* an effect this version does not know */
};

struct np_taint {
	char *key;
	char *value;			/* "" when absent */
	enum np_taint_effect effect;
};

/* A condition's status: absent reads as unknown. */
enum np_cond {
	NP_COND_UNKNOWN,		/* "Unknown", absent, or another value */
	NP_COND_TRUE,
	NP_COND_FALSE,
};

struct np_node {
	struct np_meta meta;
	/* spec.podCIDRs, or spec.podCIDR when that is empty: at most one per
	 * family, in the order given. */
	struct np_cidr pod_cidrs[2];
	size_t n_pod_cidrs;
	/* status.addresses of type InternalIP / ExternalIP, in order. */
	struct np_addr internal_ips[2];
	size_t n_internal_ips;
	struct np_addr external_ips[2];
	size_t n_external_ips;
	struct np_flannel_ann flannel;
	bool unschedulable;		/* spec.unschedulable */
	struct np_taint *taints;	/* spec.taints, in order */
	size_t n_taints;
	enum np_cond ready;		/* status.conditions[type=Ready] */
};

/* The other kinds (struct np_service, np_endpointslice, np_pod,
 * np_namespace, np_networkpolicy) are in model/types.h. */
#include "model/types.h"

struct np_model;

struct np_model *np_model_new(void);
void np_model_free(struct np_model *m);

/* 0 stored (or unchanged); -EINVAL malformed (err filled, object skipped);
 * -ENOMEM. kind must match the object's apiVersion/kind. */
int np_model_upsert(struct np_model *m, enum np_kind kind, const cJSON *obj,
		    char *err, size_t errlen);
/* 0, or -ENOENT when not stored. ns "" or NULL for cluster-scoped kinds. */
int np_model_delete(struct np_model *m, enum np_kind kind, const char *ns,
		    const char *name);
void np_model_sync_begin(struct np_model *m, enum np_kind kind);
void np_model_sync_end(struct np_model *m, enum np_kind kind);
bool np_model_synced(const struct np_model *m, enum np_kind kind);

/* The object, cast to its struct (np_node, ...), or NULL. */
const void *np_model_get(const struct np_model *m, enum np_kind kind,
			 const char *ns, const char *name);
static inline const struct np_node *np_model_node(const struct np_model *m,
						  const char *name)
{
	return np_model_get(m, NP_KIND_NODE, "", name);
}
size_t np_model_count(const struct np_model *m, enum np_kind kind);

/* Calls fn for each object of kind (ns NULL: all namespaces) in no fixed
 * order; stops and returns fn's value when fn returns nonzero. The model
 * must not change during the walk. */
typedef int (*np_model_iter_fn)(const void *obj, void *ctx);
int np_model_foreach(const struct np_model *m, enum np_kind kind,
		     const char *ns, np_model_iter_fn fn, void *ctx);

typedef void (*np_model_cb)(void *ctx, enum np_kind kind, const void *old,
			    const void *new_obj);
/*
 * kinds: a mask of 1U << NP_KIND_*. 0, -EINVAL (cb NULL) or -ENOMEM.
 * Both may be called from a callback: a subscriber added then is called
 * from the next change on; one removed then is not called again, not even
 * for the change in progress.
 */
int np_model_subscribe(struct np_model *m, uint32_t kinds, np_model_cb cb,
		       void *ctx);
/* Removes the (first) subscription of cb with ctx. 0 or -ENOENT. */
int np_model_unsubscribe(struct np_model *m, np_model_cb cb, void *ctx);

#endif /* _NP_MODEL_H */
