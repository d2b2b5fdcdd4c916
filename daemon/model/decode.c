// SPDX-License-Identifier: GPL-2.0-only
/*
 * Decoding API objects (cJSON) into the model's structs: the checks every
 * kind shares (apiVersion/kind, metadata, labels, strings, numbers, ports,
 * protocols, addresses, prefixes, selectors), each error naming the
 * object, the field path and what is wrong:
 *   Node node-b: spec.podCIDRs[1]: "10.42.x" is not a CIDR
 * Unknown fields are ignored; JSON null reads as absent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/internal.h"

size_t dec_push(struct dec *d, const char *key)
{
	size_t old = d->plen;

	snprintf(d->path + d->plen, sizeof(d->path) - d->plen, "%s%s",
		 d->plen ? "." : "", key);
	d->plen = strnlen(d->path, sizeof(d->path));
	return old;
}

size_t dec_push_idx(struct dec *d, size_t i)
{
	size_t old = d->plen;

	snprintf(d->path + d->plen, sizeof(d->path) - d->plen, "[%zu]", i);
	d->plen = strnlen(d->path, sizeof(d->path));
	return old;
}

size_t dec_push_mapkey(struct dec *d, const char *key)
{
	size_t old = d->plen;

	snprintf(d->path + d->plen, sizeof(d->path) - d->plen, "[\"%s\"]",
		 key);
	d->plen = strnlen(d->path, sizeof(d->path));
	return old;
}

void dec_pop(struct dec *d, size_t len)
{
	d->plen = len;
	d->path[len] = '\0';
}

static int dec_vfail(struct dec *d, const char *fmt, va_list ap)
{
	size_t o = 0;
	int n;

	if (!d->err || !d->errlen)
		return -EINVAL;
	if (d->name && *d->ns)
		n = snprintf(d->err, d->errlen, "%s %s/%s: ", d->kind, d->ns,
			     d->name);
	else if (d->name)
		n = snprintf(d->err, d->errlen, "%s %s: ", d->kind, d->name);
	else
		n = snprintf(d->err, d->errlen, "%s: ", d->kind);
	o = n < 0 ? 0 : (size_t)n;
	if (o < d->errlen && d->plen) {
		n = snprintf(d->err + o, d->errlen - o, "%s: ", d->path);
		o += n < 0 ? 0 : (size_t)n;
	}
	if (o < d->errlen)
		vsnprintf(d->err + o, d->errlen - o, fmt, ap);
	return -EINVAL;
}

int dec_fail(struct dec *d, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = dec_vfail(d, fmt, ap);
	va_end(ap);
	return ret;
}

#define VAL_SHOWN 64

int dec_fail_val(struct dec *d, const cJSON *v, const char *what)
{
	char *text = cJSON_PrintUnformatted(v);
	int ret;

	if (!text)
		return dec_fail(d, "value %s", what);
	if (strlen(text) > VAL_SHOWN)
		ret = dec_fail(d, "%.*s... %s", VAL_SHOWN, text, what);
	else
		ret = dec_fail(d, "%s %s", text, what);
	cJSON_free(text);
	return ret;
}

int dec_nomem(struct dec *d)
{
	dec_fail(d, "out of memory");
	return -ENOMEM;
}

char *dec_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int dec_calloc(struct dec *d, size_t n, size_t size, void **out)
{
	*out = NULL;
	if (!n)
		return 0;
	*out = calloc(n, size);
	return *out ? 0 : dec_nomem(d);
}

int dec_list(struct dec *d, const cJSON *parent, const char *key,
	     size_t size, dec_item_fn *item, const void *arg,
	     void **out, size_t *n)
{
	const cJSON *list, *v;
	size_t p;
	int ret;

	*out = NULL;
	*n = 0;
	ret = dec_array(d, parent, key, &list);
	if (ret || !list)
		return ret;
	ret = dec_calloc(d, (size_t)cJSON_GetArraySize(list), size, out);
	if (ret)
		return ret;
	p = dec_push(d, key);
	cJSON_ArrayForEach(v, list) {
		size_t q = dec_push_idx(d, *n);

		ret = item(d, v, (char *)*out + *n * size, arg);
		(*n)++;
		dec_pop(d, q);
		if (ret)
			break;
	}
	dec_pop(d, p);
	return ret;
}

int dec_port_item(struct dec *d, const cJSON *v, char **name,
		  enum np_proto *proto, uint16_t *port)
{
	int ret;

	if (!cJSON_IsObject(v))
		return dec_fail_val(d, v, "is not an object");
	ret = dec_str(d, v, "name", name);
	if (!ret && !*name && !(*name = strdup("")))
		ret = dec_nomem(d);
	if (!ret)
		ret = dec_proto(d, v, "protocol", proto);
	if (!ret)
		ret = dec_port(d, v, "port", false, port);
	return ret;
}

const cJSON *dec_get(const cJSON *parent, const char *key)
{
	const cJSON *v;

	if (!cJSON_IsObject(parent))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(parent, key);
	return cJSON_IsNull(v) ? NULL : v;
}

/* Reads parent[key] with a type check; absent: *out NULL. */
static int dec_typed(struct dec *d, const cJSON *parent, const char *key,
		     int (*is)(const cJSON *), const char *what,
		     const cJSON **out)
{
	const cJSON *v = dec_get(parent, key);
	size_t p;
	int ret = 0;

	*out = NULL;
	if (!v)
		return 0;
	if (!is(v)) {
		p = dec_push(d, key);
		ret = dec_fail_val(d, v, what);
		dec_pop(d, p);
		return ret;
	}
	*out = v;
	return 0;
}

static int is_object(const cJSON *v)
{
	return cJSON_IsObject(v);
}

static int is_array(const cJSON *v)
{
	return cJSON_IsArray(v);
}

int dec_object(struct dec *d, const cJSON *parent, const char *key,
	       const cJSON **out)
{
	return dec_typed(d, parent, key, is_object, "is not an object", out);
}

int dec_array(struct dec *d, const cJSON *parent, const char *key,
	      const cJSON **out)
{
	return dec_typed(d, parent, key, is_array, "is not a list", out);
}

int dec_str_val(struct dec *d, const cJSON *v, const char **out)
{
	if (!cJSON_IsString(v) || !v->valuestring)
		return dec_fail_val(d, v, "is not a string");
	*out = v->valuestring;
	return 0;
}

int dec_str_ref(struct dec *d, const cJSON *parent, const char *key,
		const char **out)
{
	const cJSON *v = dec_get(parent, key);
	size_t p;
	int ret;

	*out = NULL;
	if (!v)
		return 0;
	p = dec_push(d, key);
	ret = dec_str_val(d, v, out);
	dec_pop(d, p);
	return ret;
}

int dec_str(struct dec *d, const cJSON *parent, const char *key, char **out)
{
	const char *s;
	int ret;

	*out = NULL;
	ret = dec_str_ref(d, parent, key, &s);
	if (ret || !s)
		return ret;
	*out = strdup(s);
	return *out ? 0 : dec_nomem(d);
}

int dec_bool(struct dec *d, const cJSON *parent, const char *key, bool *out)
{
	const cJSON *v = dec_get(parent, key);
	size_t p;
	int ret;

	if (!v)
		return 0;
	if (!cJSON_IsBool(v)) {
		p = dec_push(d, key);
		ret = dec_fail_val(d, v, "is not a boolean");
		dec_pop(d, p);
		return ret;
	}
	*out = cJSON_IsTrue(v);
	return 0;
}

/* An integer in lo..hi. */
static bool int_in(const cJSON *v, double lo, double hi)
{
	return cJSON_IsNumber(v) && v->valuedouble >= lo &&
	       v->valuedouble <= hi &&
	       v->valuedouble == (double)(long)v->valuedouble;
}

int dec_port(struct dec *d, const cJSON *parent, const char *key,
	     bool zero_ok, uint16_t *out)
{
	const cJSON *v = dec_get(parent, key);
	size_t p;
	int ret;

	*out = 0;
	if (!v)
		return 0;
	if (!int_in(v, zero_ok ? 0 : 1, 65535)) {
		p = dec_push(d, key);
		ret = dec_fail_val(d, v, "is not a port number");
		dec_pop(d, p);
		return ret;
	}
	*out = (uint16_t)v->valuedouble;
	return 0;
}

int dec_enum_val(struct dec *d, const cJSON *v, const char *const *names,
		 size_t n, int *out)
{
	char what[256];
	size_t i, o;

	if (cJSON_IsString(v))
		for (i = 0; i < n; i++)
			if (!strcmp(v->valuestring, names[i])) {
				*out = (int)i;
				return 0;
			}
	o = (size_t)snprintf(what, sizeof(what), "is not one of");
	for (i = 0; i < n && o < sizeof(what); i++)
		o += (size_t)snprintf(what + o, sizeof(what) - o, "%s %s",
				      i ? "," : "", names[i]);
	return dec_fail_val(d, v, what);
}

int dec_enum_open(struct dec *d, const cJSON *parent, const char *key,
		  const char *const *names, size_t n, int *out)
{
	const cJSON *v = dec_get(parent, key);
	size_t i, p;
	int ret;

	if (!v)
		return 0;
	if (!cJSON_IsString(v)) {
		p = dec_push(d, key);
		ret = dec_fail_val(d, v, "is not a string");
		dec_pop(d, p);
		return ret;
	}
	for (i = 0; i < n; i++)
		if (!strcmp(v->valuestring, names[i]))
			break;
	*out = (int)i;		/* n: a value this version does not know */
	return 0;
}

int dec_enum(struct dec *d, const cJSON *parent, const char *key,
	     const char *const *names, size_t n, int *out)
{
	const cJSON *v = dec_get(parent, key);
	size_t p;
	int ret;

	if (!v)
		return 0;
	p = dec_push(d, key);
	ret = dec_enum_val(d, v, names, n, out);
	dec_pop(d, p);
	return ret;
}

int dec_proto(struct dec *d, const cJSON *parent, const char *key,
	      enum np_proto *out)
{
	static const char *const names[] = { "TCP", "UDP", "SCTP" };
	static const enum np_proto protos[] = {
		NP_PROTO_TCP, NP_PROTO_UDP, NP_PROTO_SCTP, NP_PROTO_UNKNOWN
	};
	int i = 0, ret;

	ret = dec_enum_open(d, parent, key, names, 3, &i);
	if (!ret)
		*out = protos[i];
	return ret;
}

/* IANA_SVC_NAME: 1-15 of [a-z0-9-], a letter, no '-' at an end, no "--". */
static bool svc_name_ok(const char *s)
{
	size_t n = strlen(s), i;
	bool letter = false;

	if (!n || n > 15 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] >= 'a' && s[i] <= 'z')
			letter = true;
		else if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '-')
			return false;
		if (s[i] == '-' && s[i + 1] == '-')
			return false;
	}
	return letter;
}

int dec_port_ref(struct dec *d, const cJSON *parent, const char *key,
		 struct np_port_ref *out)
{
	const cJSON *v = dec_get(parent, key);
	size_t p;
	int ret = 0;

	out->num = 0;
	out->name = NULL;
	if (!v)
		return 0;
	p = dec_push(d, key);
	if (int_in(v, 1, 65535)) {
		out->num = (uint16_t)v->valuedouble;
	} else if (cJSON_IsString(v) && svc_name_ok(v->valuestring)) {
		out->name = strdup(v->valuestring);
		if (!out->name)
			ret = dec_nomem(d);
	} else {
		ret = dec_fail_val(d, v, "is not a port number or name");
	}
	dec_pop(d, p);
	return ret;
}

int dec_addr_val(struct dec *d, const cJSON *v, struct np_addr *out)
{
	if (!cJSON_IsString(v) || np_addr_parse(v->valuestring, out) < 0)
		return dec_fail_val(d, v, "is not an IP address");
	return 0;
}

int dec_cidr_val(struct dec *d, const cJSON *v, struct np_cidr *out)
{
	if (!cJSON_IsString(v) || np_cidr_parse(v->valuestring, out) < 0)
		return dec_fail_val(d, v, "is not a CIDR");
	return 0;
}

int dec_cidr_text(struct dec *d, const char *s, struct np_cidr *out)
{
	if (np_cidr_parse(s, out) < 0)
		return dec_fail(d, "\"%s\" is not a CIDR", s);
	return 0;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

int dec_addr_pair(struct dec *d, const cJSON *arr, const char *item_key,
		  struct np_addr out[2], size_t *n)
{
	const cJSON *item, *v;
	size_t i = 0, p, q;
	int ret = 0;

	*n = 0;
	cJSON_ArrayForEach(item, arr) {
		struct np_addr a;

		p = dec_push_idx(d, i++);
		v = item;
		q = d->plen;
		if (item_key) {
			if (!cJSON_IsObject(item)) {
				ret = dec_fail_val(d, item, "is not an object");
				goto out;
			}
			dec_push(d, item_key);
			v = dec_get(item, item_key);
			if (!v) {
				ret = dec_fail(d, "missing");
				goto out;
			}
		}
		ret = dec_addr_val(d, v, &a);
		if (ret)
			goto out;
		if (*n == 2 || (*n == 1 && out[0].family == a.family)) {
			dec_pop(d, q);
			ret = dec_fail(d, "a second %s address",
				       family_name(a.family));
			goto out;
		}
		out[(*n)++] = a;
		dec_pop(d, p);
	}
	return 0;
out:
	dec_pop(d, p);
	return ret;
}

/* A name: non-empty, at most max bytes, no '/'. */
static int dec_name(struct dec *d, const cJSON *meta, const char *key,
		    size_t max, char **out)
{
	const cJSON *v = dec_get(meta, key);
	size_t p = dec_push(d, key);
	int ret = 0;

	if (!v)
		ret = dec_fail(d, "missing");
	else if (!cJSON_IsString(v) || !*v->valuestring ||
		 strlen(v->valuestring) > max || strchr(v->valuestring, '/'))
		ret = dec_fail_val(d, v, "is not a valid name");
	else if (!(*out = strdup(v->valuestring)))
		ret = dec_nomem(d);
	dec_pop(d, p);
	return ret;
}

static int dec_labels(struct dec *d, const cJSON *labels, struct np_meta *m)
{
	const cJSON *item;
	size_t n = (size_t)cJSON_GetArraySize(labels), i = 0, p;
	int ret;

	ret = dec_calloc(d, n, sizeof(*m->labels), (void **)&m->labels);
	if (ret)
		return ret;
	cJSON_ArrayForEach(item, labels) {
		p = dec_push_mapkey(d, item->string);
		if (!cJSON_IsString(item)) {
			ret = dec_fail_val(d, item, "is not a string");
			dec_pop(d, p);
			return ret;
		}
		dec_pop(d, p);
		m->labels[i].key = strdup(item->string);
		m->labels[i].value = strdup(item->valuestring);
		m->n_labels = ++i;
		if (!m->labels[i - 1].key || !m->labels[i - 1].value)
			return dec_nomem(d);
	}
	np_kv_sort(m->labels, m->n_labels);
	return 0;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned int mo, unsigned int dd)
{
	int64_t era;
	unsigned int yoe, doy, doe;

	y -= mo <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* n decimal digits at s into *out. */
static bool digits(const char *s, size_t n, unsigned int *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (unsigned int)(s[i] - '0');
	}
	return true;
}

int np_rfc3339_parse(const char *s, int64_t *out)
{
	static const unsigned char mdays[] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	unsigned int y, mo, dd, h, mi, se, oh = 0, om = 0;
	int64_t t;
	int sign = 0;

	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &dd) ||
	    (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &se))
		return -1;
	s += 19;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '+' ? 1 : -1;
		if (!digits(s + 1, 2, &oh) || s[3] != ':' ||
		    !digits(s + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		s += 6;
	} else {
		return -1;
	}
	if (*s || mo < 1 || mo > 12 || dd < 1 || dd > mdays[mo - 1] ||
	    (mo == 2 && dd == 29 && !(y % 4 == 0 && (y % 100 || y % 400 == 0))) ||
	    h > 23 || mi > 59 || se > 60)
		return -1;
	t = days_from_civil(y, mo, dd) * 86400 + h * 3600 + mi * 60 + se;
	*out = t - sign * (int64_t)(oh * 3600 + om * 60);
	return 0;
}

int dec_meta(struct dec *d, const cJSON *obj, bool namespaced,
	     struct np_meta *m)
{
	const cJSON *meta, *labels, *v;
	const char *ts;
	size_t p;
	int ret;

	p = d->plen;
	ret = dec_object(d, obj, "metadata", &meta);
	if (ret)
		return ret;
	dec_push(d, "metadata");
	if (!meta) {
		ret = dec_fail(d, "missing");
		goto out;
	}
	ret = dec_name(d, meta, "name", NP_NAME_MAX, &m->name);
	if (ret)
		goto out;
	v = dec_get(meta, "namespace");
	if (namespaced && v && !(cJSON_IsString(v) && !*v->valuestring)) {
		ret = dec_name(d, meta, "namespace", NP_NS_MAX, &m->ns);
	} else {
		m->ns = strdup(namespaced ? "default" : "");
		if (!m->ns)
			ret = dec_nomem(d);
	}
	if (!ret)
		ret = dec_str(d, meta, "uid", &m->uid);
	if (!ret)
		ret = dec_str(d, meta, "resourceVersion", &m->resource_version);
	if (!ret)
		ret = dec_str_ref(d, meta, "creationTimestamp", &ts);
	if (!ret && ts && np_rfc3339_parse(ts, &m->created) < 0) {
		dec_push(d, "creationTimestamp");
		ret = dec_fail(d, "\"%s\" is not an RFC 3339 time", ts);
	}
	if (!ret)
		ret = dec_object(d, meta, "labels", &labels);
	if (!ret && labels) {
		dec_push(d, "labels");
		ret = dec_labels(d, labels, m);
	}
out:
	dec_pop(d, p);
	return ret;
}

int dec_annotation(struct dec *d, const cJSON *obj, const char *key,
		   const char **out)
{
	const cJSON *ann, *v;
	size_t p;
	int ret = 0;

	*out = NULL;
	ann = dec_get(dec_get(obj, "metadata"), "annotations");
	v = dec_get(ann, key);
	if (!v)
		return 0;
	p = dec_push(d, "metadata");
	dec_push(d, "annotations");
	if (!cJSON_IsObject(ann)) {
		ret = dec_fail_val(d, ann, "is not an object");
	} else {
		dec_push_mapkey(d, key);
		ret = dec_str_val(d, v, out);
	}
	dec_pop(d, p);
	return ret;
}

void np_meta_free(struct np_meta *m)
{
	size_t i;

	for (i = 0; i < m->n_labels; i++) {
		free(m->labels[i].key);
		free(m->labels[i].value);
	}
	free(m->labels);
	free(m->ns);
	free(m->name);
	free(m->uid);
	free(m->resource_version);
	free(m->invalid_why);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------- One object */

/* apiVersion and kind: both absent (items of a List carry neither) or
 * both those of kind. */
static int dec_type(struct dec *d, enum np_kind kind, const cJSON *obj)
{
	const cJSON *av = dec_get(obj, "apiVersion"), *k = dec_get(obj, "kind");
	const char *want_av = np_kind_api_version(kind);
	size_t p;
	int ret = 0;

	if (!av && !k)
		return 0;
	if (!k || !cJSON_IsString(k) || strcmp(k->valuestring, d->kind)) {
		char what[64];

		snprintf(what, sizeof(what), "is not %s", d->kind);
		p = dec_push(d, "kind");
		ret = k ? dec_fail_val(d, k, what) : dec_fail(d, "missing");
		dec_pop(d, p);
		return ret;
	}
	if (!av || !cJSON_IsString(av) || strcmp(av->valuestring, want_av)) {
		char what[64];

		snprintf(what, sizeof(what), "is not %s", want_av);
		p = dec_push(d, "apiVersion");
		ret = av ? dec_fail_val(d, av, what) : dec_fail(d, "missing");
		dec_pop(d, p);
	}
	return ret;
}

int np_model_decode(enum np_kind kind, const cJSON *obj, void **out,
		    const char **ns, const char **name, char *err,
		    size_t errlen)
{
	const struct np_kind_ops *ops = np_kind_ops(kind);
	bool namespaced = np_kind_namespaced(kind);
	struct dec d = { .kind = np_kind_name(kind), .ns = "", .err = err,
			 .errlen = errlen };
	const cJSON *meta, *v;
	void *o;
	int ret;

	*out = NULL;
	*ns = *name = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!ops)
		return -EINVAL;
	if (!cJSON_IsObject(obj))
		return dec_fail(&d, "not a JSON object");
	meta = dec_get(obj, "metadata");
	v = dec_get(meta, "name");
	if (cJSON_IsString(v) && *v->valuestring)
		d.name = v->valuestring;
	if (namespaced) {
		v = dec_get(meta, "namespace");
		d.ns = cJSON_IsString(v) && *v->valuestring ? v->valuestring :
			"default";
	}
	ret = dec_type(&d, kind, obj);
	if (ret)
		return ret;	/* not this kind: no name to store it under */
	if (d.name && strlen(d.name) <= NP_NAME_MAX && !strchr(d.name, '/') &&
	    strlen(d.ns) <= NP_NS_MAX && !strchr(d.ns, '/')) {
		*ns = d.ns;
		*name = d.name;
	}
	o = calloc(1, ops->size);
	if (!o)
		return dec_nomem(&d);
	ret = dec_meta(&d, obj, namespaced, o);
	if (!ret)
		ret = ops->decode(&d, obj, o);
	if (ret) {
		ops->free(o);
		free(o);
		return ret;
	}
	*out = o;
	return 0;
}

int np_model_invalid_new(enum np_kind kind, const cJSON *obj, const char *ns,
			 const char *name, const char *why, void **out)
{
	const struct np_kind_ops *ops = np_kind_ops(kind);
	const cJSON *rv = dec_get(dec_get(obj, "metadata"), "resourceVersion");
	struct np_meta *m;

	*out = NULL;
	if (!ops)
		return -EINVAL;
	m = calloc(1, ops->size);
	if (!m)
		return -ENOMEM;
	m->invalid = true;
	m->ns = strdup(ns);
	m->name = strdup(name);
	m->invalid_why = strdup(why && *why ? why : "invalid");
	if (cJSON_IsString(rv))
		m->resource_version = strdup(rv->valuestring);
	if (kind == NP_KIND_SERVICE)
		np_service_deletion_peek(obj, (struct np_service *)m);
	if (!m->ns || !m->name || !m->invalid_why ||
	    (cJSON_IsString(rv) && !m->resource_version)) {
		np_model_obj_free(kind, m);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

void np_model_obj_free(enum np_kind kind, void *obj)
{
	const struct np_kind_ops *ops = np_kind_ops(kind);

	if (!obj || !ops)
		return;
	ops->free(obj);
	free(obj);
}
