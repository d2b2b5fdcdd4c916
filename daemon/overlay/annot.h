/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flannel's Node annotations (spec/overlay.md §2.1): the backend-data
 * encodings written byte for byte as flannel's Go structs marshal them,
 * their decoding with Go's rules (keys matched case-insensitively, unknown
 * keys ignored, the last of duplicate keys wins), and the strategic-merge
 * patch of metadata.annotations that publishes them. Pure: no I/O.
 */
#ifndef _NP_ANNOT_H
#define _NP_ANNOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "model/model.h"

#define NP_ANNOT_VALUE_LEN 128
#define NP_ANNOT_WHY_LEN 160
#define NP_ANNOT_KEY_LEN 32		/* X25519 key */
#define NP_ANNOT_KEY_B64_LEN 45		/* 44 characters and the NUL */

/* The annotations nodeplaned writes, in the order a patch lists them. */
enum np_ann {
	NP_ANN_KUBE_SUBNET_MANAGER,
	NP_ANN_BACKEND_TYPE,
	NP_ANN_BACKEND_DATA,
	NP_ANN_BACKEND_V6_DATA,
	NP_ANN_PUBLIC_IP,
	NP_ANN_PUBLIC_IPV6,
	NP_ANN_PUBLIC_IP_OVERWRITE,
	NP_ANN_PUBLIC_IPV6_OVERWRITE,
	NP_ANN_N
};

/* A set of annotation values; only those with set[i] are written. */
struct np_annots {
	bool set[NP_ANN_N];
	char v[NP_ANN_N][NP_ANNOT_VALUE_LEN];
};

/* "flannel.alpha.coreos.com/backend-data", ... */
const char *np_annot_name(enum np_ann a);
/* The Node's current value of a (NULL when absent). */
const char *np_annot_current(const struct np_flannel_ann *cur, enum np_ann a);
/* Sets a to value; -ENAMETOOLONG if it does not fit. */
int np_annots_put(struct np_annots *s, enum np_ann a, const char *value);
/* Every value set in want is present with that value in cur. */
bool np_annots_match(const struct np_annots *want,
		     const struct np_flannel_ann *cur);
/* Same keys set, same values. */
bool np_annots_equal(const struct np_annots *a, const struct np_annots *b);
/*
 * {"metadata":{"annotations":{"<key>":"<value>",...}}} with every value
 * set in s, in enum order. malloc'd, NULL on allocation failure.
 */
char *np_annot_patch(const struct np_annots *s);

/* backend-data of vxlan: {"VNI":1,"VtepMAC":"02:bb:00:00:00:04"}. */
struct np_annot_vxlan {
	uint32_t vni;
	uint8_t mac[NP_MAC_LEN];
};

/* backend-data of wireguard: {"PublicKey":"<base64>","Port":51820}. */
struct np_annot_wg {
	uint8_t key[NP_ANNOT_KEY_LEN];
	char key_b64[NP_ANNOT_KEY_B64_LEN];	/* canonical base64 */
	uint16_t port;				/* 0: absent or 0 */
};

/* Encoders; return the length written or -ENOSPC. */
int np_annot_vxlan_encode(const struct np_annot_vxlan *d, char *buf,
			  size_t len);
int np_annot_wg_encode(const uint8_t key[NP_ANNOT_KEY_LEN], uint16_t port,
		       char *buf, size_t len);

/*
 * Decoders: 0, or -EINVAL with why filled ("VtepMAC: \"x\" is not a
 * MAC address"). vxlan needs a VtepMAC (a JSON string Go's net.ParseMAC
 * reads as 6 bytes, unicast); VNI, when present, an integer 0..16777215.
 * wireguard needs a PublicKey (standard base64 of 32 bytes); Port, when
 * present, an integer 0..65535. A JSON null for a field leaves it unset
 * (Go's rule), which for VtepMAC and PublicKey is an error here.
 */
int np_annot_vxlan_decode(const char *s, struct np_annot_vxlan *out,
			  char *why, size_t whylen);
int np_annot_wg_decode(const char *s, struct np_annot_wg *out, char *why,
		       size_t whylen);

/* Standard base64 of a 32-byte key (44 characters); buf holds
 * NP_ANNOT_KEY_B64_LEN. */
const char *np_annot_key_b64(const uint8_t key[NP_ANNOT_KEY_LEN], char *buf);
/* 0, or -1 unless s is exactly the canonical base64 of 32 bytes. */
int np_annot_key_parse(const char *s, uint8_t key[NP_ANNOT_KEY_LEN]);

#endif /* _NP_ANNOT_H */
