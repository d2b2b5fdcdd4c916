// SPDX-License-Identifier: GPL-2.0-only
/*
 * flannel's Node annotations: backend-data encodings byte for byte as Go's
 * encoding/json writes flannel's structs (fields in declaration order, no
 * spaces, numbers as numbers), decoding with Go's rules, and the
 * strategic-merge patch that publishes a set of values.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "overlay/annot.h"
#include "overlay/b64key.h"

_Static_assert(NP_ANNOT_KEY_LEN == NP_B64KEY_LEN &&
	       NP_ANNOT_KEY_B64_LEN == NP_B64KEY_STRLEN, "key sizes");

static const char *const ann_names[NP_ANN_N] = {
	[NP_ANN_KUBE_SUBNET_MANAGER] = NP_FLANNEL_ANN "kube-subnet-manager",
	[NP_ANN_BACKEND_TYPE] = NP_FLANNEL_ANN "backend-type",
	[NP_ANN_BACKEND_DATA] = NP_FLANNEL_ANN "backend-data",
	[NP_ANN_BACKEND_V6_DATA] = NP_FLANNEL_ANN "backend-v6-data",
	[NP_ANN_PUBLIC_IP] = NP_FLANNEL_ANN "public-ip",
	[NP_ANN_PUBLIC_IPV6] = NP_FLANNEL_ANN "public-ipv6",
	[NP_ANN_PUBLIC_IP_OVERWRITE] = NP_FLANNEL_ANN "public-ip-overwrite",
	[NP_ANN_PUBLIC_IPV6_OVERWRITE] = NP_FLANNEL_ANN "public-ipv6-overwrite",
};

const char *np_annot_name(enum np_ann a)
{
	return (unsigned int)a < NP_ANN_N ? ann_names[a] : "?";
}

const char *np_annot_current(const struct np_flannel_ann *cur, enum np_ann a)
{
	switch (a) {
	case NP_ANN_KUBE_SUBNET_MANAGER:
		return cur->kube_subnet_manager;
	case NP_ANN_BACKEND_TYPE:
		return cur->backend_type;
	case NP_ANN_BACKEND_DATA:
		return cur->backend_data;
	case NP_ANN_BACKEND_V6_DATA:
		return cur->backend_v6_data;
	case NP_ANN_PUBLIC_IP:
		return cur->public_ip;
	case NP_ANN_PUBLIC_IPV6:
		return cur->public_ipv6;
	case NP_ANN_PUBLIC_IP_OVERWRITE:
		return cur->public_ip_overwrite;
	case NP_ANN_PUBLIC_IPV6_OVERWRITE:
		return cur->public_ipv6_overwrite;
	case NP_ANN_N:
		break;
	}
	return NULL;
}

int np_annots_put(struct np_annots *s, enum np_ann a, const char *value)
{
	if ((unsigned int)a >= NP_ANN_N)
		return -EINVAL;
	if (strlen(value) >= sizeof(s->v[a]))
		return -ENAMETOOLONG;
	strcpy(s->v[a], value);
	s->set[a] = true;
	return 0;
}

bool np_annots_match(const struct np_annots *want,
		     const struct np_flannel_ann *cur)
{
	unsigned int i;

	for (i = 0; i < NP_ANN_N; i++) {
		const char *v;

		if (!want->set[i])
			continue;
		v = np_annot_current(cur, (enum np_ann)i);
		if (!v || strcmp(v, want->v[i]))
			return false;
	}
	return true;
}

bool np_annots_equal(const struct np_annots *a, const struct np_annots *b)
{
	unsigned int i;

	for (i = 0; i < NP_ANN_N; i++) {
		if (a->set[i] != b->set[i])
			return false;
		if (a->set[i] && strcmp(a->v[i], b->v[i]))
			return false;
	}
	return true;
}

char *np_annot_patch(const struct np_annots *s)
{
	cJSON *root, *meta, *ann;
	char *out = NULL;
	unsigned int i;

	root = cJSON_CreateObject();
	if (!root)
		return NULL;
	meta = cJSON_AddObjectToObject(root, "metadata");
	ann = meta ? cJSON_AddObjectToObject(meta, "annotations") : NULL;
	if (!ann)
		goto out;
	for (i = 0; i < NP_ANN_N; i++) {
		if (s->set[i] &&
		    !cJSON_AddStringToObject(ann, ann_names[i], s->v[i]))
			goto out;
	}
	out = cJSON_PrintUnformatted(root);
out:
	cJSON_Delete(root);
	return out;
}

/* ---- encoders ------------------------------------------------------- */

static int put(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int put(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

int np_annot_vxlan_encode(const struct np_annot_vxlan *d, char *buf,
			  size_t len)
{
	char mac[NP_MAC_STRLEN];

	return put(buf, len, "{\"VNI\":%u,\"VtepMAC\":\"%s\"}",
		   (unsigned int)d->vni, np_mac_str(d->mac, mac));
}

int np_annot_wg_encode(const uint8_t key[NP_ANNOT_KEY_LEN], uint16_t port,
		       char *buf, size_t len)
{
	char b64[NP_ANNOT_KEY_B64_LEN];

	return put(buf, len, "{\"PublicKey\":\"%s\",\"Port\":%u}",
		   np_annot_key_b64(key, b64), (unsigned int)port);
}

/* ---- base64 of keys ------------------------------------------------- */

const char *np_annot_key_b64(const uint8_t key[NP_ANNOT_KEY_LEN], char *buf)
{
	return np_b64key_str(key, buf);
}

/* Go's StdEncoding is not strict: stray low bits of the last character
 * are accepted. */
int np_annot_key_parse(const char *s, uint8_t key[NP_ANNOT_KEY_LEN])
{
	return np_b64key_parse(s, key, false);
}

/* ---- decoders ------------------------------------------------------- */

static int why_set(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int hex_byte(const char *s, uint8_t *out)
{
	int h = np_hex_digit(s[0]), l = h < 0 ? -1 : np_hex_digit(s[1]);

	if (h < 0 || l < 0)
		return -1;
	*out = (uint8_t)(h << 4 | l);
	return 0;
}

/*
 * The 6-byte forms of Go's net.ParseMAC: 01:23:45:67:89:ab,
 * 01-23-45-67-89-ab and 0123.4567.89ab, hex digits of either case.
 */
static int go_mac_parse(const char *s, uint8_t mac[NP_MAC_LEN])
{
	size_t n = strlen(s);
	unsigned int i;

	if (n == 17 && (s[2] == ':' || s[2] == '-')) {
		for (i = 0; i < NP_MAC_LEN; i++) {
			if (i && s[3 * i - 1] != s[2])
				return -1;
			if (hex_byte(s + 3 * i, &mac[i]))
				return -1;
		}
		return 0;
	}
	if (n == 14 && s[4] == '.' && s[9] == '.') {
		for (i = 0; i < NP_MAC_LEN; i++)
			if (hex_byte(s + 5 * (i / 2) + 2 * (i % 2), &mac[i]))
				return -1;
		return 0;
	}
	return -1;
}

/* An integral JSON number within 0..max, as Go decodes into an unsigned
 * field. cJSON keeps no text, so 1.0 passes for 1. */
static int go_uint(const cJSON *v, double max, uint32_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (!(d >= 0 && d <= max) || floor(d) != d)
		return -1;
	*out = (uint32_t)d;
	return 0;
}

/* Parses s as one JSON object (null: an empty one, as Go does). */
static int parse_obj(const char *s, cJSON **out, char *why, size_t whylen)
{
	const char *end = NULL;
	cJSON *j;

	if (!s || !*s)
		return why_set(why, whylen, "empty");
	j = cJSON_ParseWithOpts(s, &end, 1);
	if (!j)
		return why_set(why, whylen, "not JSON");
	if (cJSON_IsNull(j)) {
		cJSON_Delete(j);
		*out = NULL;
		return 0;
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return why_set(why, whylen, "not a JSON object");
	}
	*out = j;
	return 0;
}

int np_annot_vxlan_decode(const char *s, struct np_annot_vxlan *out,
			  char *why, size_t whylen)
{
	struct np_annot_vxlan d = { 0 };
	bool have_mac = false;
	const cJSON *f;
	cJSON *j;
	int err;

	err = parse_obj(s, &j, why, whylen);
	if (err)
		return err;
	cJSON_ArrayForEach(f, j) {
		if (!strcasecmp(f->string, "VNI")) {
			if (cJSON_IsNull(f))
				continue;
			if (go_uint(f, 16777215, &d.vni)) {
				err = why_set(why, whylen,
					      "VNI: not an integer in 0..16777215");
				goto out;
			}
		} else if (!strcasecmp(f->string, "VtepMAC")) {
			if (cJSON_IsNull(f))
				continue;
			if (!cJSON_IsString(f) ||
			    go_mac_parse(f->valuestring, d.mac)) {
				err = why_set(why, whylen,
					      "VtepMAC: not a MAC address string");
				goto out;
			}
			if (!np_mac_unicast(d.mac)) {
				err = why_set(why, whylen,
					      "VtepMAC: %s is not a unicast MAC",
					      f->valuestring);
				goto out;
			}
			have_mac = true;
		}
	}
	if (!have_mac) {
		err = why_set(why, whylen, "no VtepMAC");
		goto out;
	}
	*out = d;
out:
	cJSON_Delete(j);
	return err;
}

int np_annot_wg_decode(const char *s, struct np_annot_wg *out, char *why,
		       size_t whylen)
{
	struct np_annot_wg d = { 0 };
	bool have_key = false;
	const cJSON *f;
	uint32_t port;
	cJSON *j;
	int err;

	err = parse_obj(s, &j, why, whylen);
	if (err)
		return err;
	cJSON_ArrayForEach(f, j) {
		if (!strcasecmp(f->string, "PublicKey")) {
			if (cJSON_IsNull(f))
				continue;
			if (!cJSON_IsString(f) ||
			    np_annot_key_parse(f->valuestring, d.key)) {
				err = why_set(why, whylen,
					      "PublicKey: not a base64 WireGuard key");
				goto out;
			}
			have_key = true;
		} else if (!strcasecmp(f->string, "Port")) {
			if (cJSON_IsNull(f))
				continue;
			if (go_uint(f, 65535, &port)) {
				err = why_set(why, whylen,
					      "Port: not an integer in 0..65535");
				goto out;
			}
			d.port = (uint16_t)port;
		}
	}
	if (!have_key) {
		err = why_set(why, whylen, "no PublicKey");
		goto out;
	}
	np_annot_key_b64(d.key, d.key_b64);
	*out = d;
out:
	cJSON_Delete(j);
	return err;
}
