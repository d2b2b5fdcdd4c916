/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the model: the decoding context shared by the per-kind decoders
 * (decode.c), canonical forms for change detection (canon.c), and the
 * per-kind operations the store (store.c) calls. Not for other parts.
 */
#ifndef _NP_MODEL_INTERNAL_H
#define _NP_MODEL_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "model/model.h"

/* Limits of names (Kubernetes: DNS subdomain / label). */
#define NP_NAME_MAX	253
#define NP_NS_MAX	63

/*
 * One decoding. Errors read "Kind ns/name: path: what"; the path grows as
 * the decoder descends (dec_push*) and shrinks back (dec_pop).
 */
struct dec {
	const char *kind;		/* "Node" */
	const char *ns;			/* "" for cluster-scoped */
	const char *name;		/* NULL until known */
	char *err;
	size_t errlen;
	char path[512];
	size_t plen;
};

/* Each returns the previous path length, for dec_pop. */
size_t dec_push(struct dec *d, const char *key);	/* .key */
size_t dec_push_idx(struct dec *d, size_t i);		/* [i] */
size_t dec_push_mapkey(struct dec *d, const char *key);	/* ["key"] */
void dec_pop(struct dec *d, size_t len);

/* Writes "Kind ns/name: path: what" to err; returns -EINVAL. */
int dec_fail(struct dec *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same with the value's JSON text first: "\"10.42.x\" is not a CIDR". */
int dec_fail_val(struct dec *d, const cJSON *v, const char *what);
/* -ENOMEM, with "out of memory" in err. */
int dec_nomem(struct dec *d);

/* parent[key], NULL when absent or JSON null. */
const cJSON *dec_get(const cJSON *parent, const char *key);

/*
 * Typed reads. The _val forms check v at the current path; the others
 * read parent[key] with key pushed on the path, and leave *out alone (or
 * NULL/0) when the key is absent. All return 0, -EINVAL or -ENOMEM.
 */
int dec_object(struct dec *d, const cJSON *parent, const char *key,
	       const cJSON **out);
int dec_array(struct dec *d, const cJSON *parent, const char *key,
	      const cJSON **out);
int dec_str_val(struct dec *d, const cJSON *v, const char **out);
int dec_str_ref(struct dec *d, const cJSON *parent, const char *key,
		const char **out);
/* A malloc'd copy, or NULL when absent. */
int dec_str(struct dec *d, const cJSON *parent, const char *key, char **out);
int dec_bool(struct dec *d, const cJSON *parent, const char *key, bool *out);
/* 1..65535 (0 allowed when zero_ok); absent: *out = 0. */
int dec_port(struct dec *d, const cJSON *parent, const char *key,
	     bool zero_ok, uint16_t *out);
/* TCP, UDP or SCTP; absent: TCP; another string: NP_PROTO_UNKNOWN. */
int dec_proto(struct dec *d, const cJSON *parent, const char *key,
	      enum np_proto *out);
/* A port number or an IANA service name; absent: {0, NULL}. */
int dec_port_ref(struct dec *d, const cJSON *parent, const char *key,
		 struct np_port_ref *out);
/* An enum from its API spelling: names[i] -> i; absent: *out unchanged. */
int dec_enum_val(struct dec *d, const cJSON *v, const char *const *names,
		 size_t n, int *out);
int dec_enum(struct dec *d, const cJSON *parent, const char *key,
	     const char *const *names, size_t n, int *out);
/*
 * The same for an enum a newer API may extend: a string that is none of
 * names gives *out = n (the caller's UNKNOWN value), not an error, so a
 * newer object stays in the model and reconcilers can fail closed on it.
 * Anything but a string is still an error.
 */
int dec_enum_open(struct dec *d, const cJSON *parent, const char *key,
		  const char *const *names, size_t n, int *out);
int dec_addr_val(struct dec *d, const cJSON *v, struct np_addr *out);
int dec_cidr_val(struct dec *d, const cJSON *v, struct np_cidr *out);
int dec_cidr_text(struct dec *d, const char *s, struct np_cidr *out);
/* Up to two addresses of distinct families from an array of strings
 * (item_key NULL) or of objects {item_key: "addr"}. */
int dec_addr_pair(struct dec *d, const cJSON *arr, const char *item_key,
		  struct np_addr out[2], size_t *n);
/* metadata: name, namespace, uid, resourceVersion, labels. */
int dec_meta(struct dec *d, const cJSON *obj, bool namespaced,
	     struct np_meta *m);
/* metadata.annotations[key] as a string, or NULL; call at the top level
 * of the object (errors name the path from the current one). */
int dec_annotation(struct dec *d, const cJSON *obj, const char *key,
		   const char **out);
int dec_selector(struct dec *d, const cJSON *v, struct np_selector *sel);

char *dec_strdup(const char *s);
/* calloc of n items of size, n may be 0 (then NULL, not an error). */
int dec_calloc(struct dec *d, size_t n, size_t size, void **out);
/*
 * The array parent[key] into a calloc'd array of size-byte items, each
 * decoded by item(d, v, elem, arg) with [i] on the path. *n counts the
 * items handed to item(), the failed one included (free them all).
 * Absent: *out = NULL, *n = 0.
 */
typedef int dec_item_fn(struct dec *d, const cJSON *v, void *elem,
			const void *arg);
int dec_list(struct dec *d, const cJSON *parent, const char *key,
	     size_t size, dec_item_fn *item, const void *arg,
	     void **out, size_t *n);
/*
 * The fields a Service port and an EndpointSlice port share: v must be an
 * object; name ("" when absent), protocol (absent: TCP), port (absent: 0).
 */
int dec_port_item(struct dec *d, const cJSON *v, char **name,
		  enum np_proto *proto, uint16_t *port);

void np_meta_free(struct np_meta *m);
void np_selector_free(struct np_selector *s);
void np_kv_sort(struct np_kv *kv, size_t n);

/* A canonical byte form of the decoded fields (not resourceVersion). */
struct canon {
	uint8_t *buf;
	size_t len, cap;
	bool nomem;
};

void canon_bytes(struct canon *c, const void *p, size_t n);
void canon_u32(struct canon *c, uint32_t v);
void canon_str(struct canon *c, const char *s);	/* NULL differs from "" */
void canon_addr(struct canon *c, const struct np_addr *a);
void canon_cidr(struct canon *c, const struct np_cidr *p);
void canon_port_ref(struct canon *c, const struct np_port_ref *r);
void canon_meta(struct canon *c, const struct np_meta *m);
void canon_selector(struct canon *c, const struct np_selector *s);
/* Whether the canonical forms of a and b (of kind) are equal. */
bool np_model_obj_equal(enum np_kind kind, const void *a, const void *b);

/* Per kind: decode (obj already checked for apiVersion/kind and d's name
 * set), canonical form, free. */
struct np_kind_ops {
	size_t size;
	int (*decode)(struct dec *d, const cJSON *obj, void *out);
	void (*canon)(struct canon *c, const void *obj);
	void (*free)(void *obj);
};

extern const struct np_kind_ops np_node_ops, np_service_ops,
	np_endpointslice_ops, np_pod_ops, np_namespace_ops,
	np_networkpolicy_ops;

const struct np_kind_ops *np_kind_ops(enum np_kind kind);
/* The apiVersion a kind is served as: "v1", "discovery.k8s.io/v1", ... */
const char *np_kind_api_version(enum np_kind kind);

/*
 * Decodes obj as kind into a new object (*out, freed with
 * np_model_obj_free). Whatever the result, *ns and *name point at the
 * object's namespace and name when obj is of kind and they could be read
 * and are valid names (into obj, or ""), else NULL.
 */
int np_model_decode(enum np_kind kind, const cJSON *obj, void **out,
		    const char **ns, const char **name, char *err,
		    size_t errlen);
void np_model_obj_free(enum np_kind kind, void *obj);
/* The invalid marker of an object of kind that failed to decode (why:
 * the error). 0 or -ENOMEM. */
int np_model_invalid_new(enum np_kind kind, const cJSON *obj, const char *ns,
			 const char *name, const char *why, void **out);
/* What of a Service's deletion can be read from obj whatever else fails
 * (decode_service.c): terminating and lb_finalizer, for its marker. */
struct np_service;
void np_service_deletion_peek(const cJSON *obj, struct np_service *s);

#endif /* _NP_MODEL_INTERNAL_H */
