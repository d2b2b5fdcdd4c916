// SPDX-License-Identifier: GPL-2.0-only
/*
 * NetworkPolicy (networking.k8s.io/v1): podSelector, policyTypes (with the
 * API server's defaulting), ingress/egress rules with their peers
 * (selectors, ipBlock with except) and ports (protocol, number or name,
 * endPort); its canonical form and free.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"

static int dec_ipblock(struct dec *d, const cJSON *v, struct np_ipblock *b)
{
	const cJSON *cidr, *list, *item;
	char buf[NP_CIDR_STRLEN];
	size_t p, i = 0;
	int ret;

	if (!cJSON_IsObject(v))
		return dec_fail_val(d, v, "is not an object");
	cidr = dec_get(v, "cidr");
	p = dec_push(d, "cidr");
	ret = cidr ? dec_cidr_val(d, cidr, &b->cidr) : dec_fail(d, "missing");
	dec_pop(d, p);
	if (!ret)
		ret = dec_array(d, v, "except", &list);
	if (ret || !list)
		return ret;
	ret = dec_calloc(d, (size_t)cJSON_GetArraySize(list),
			 sizeof(*b->except), (void **)&b->except);
	if (ret)
		return ret;
	p = dec_push(d, "except");
	cJSON_ArrayForEach(item, list) {
		size_t q = dec_push_idx(d, i++);
		struct np_cidr *e = &b->except[b->n_except++];

		ret = dec_cidr_val(d, item, e);
		if (!ret && (!np_cidr_contains(&b->cidr, &e->addr) ||
			     e->prefixlen <= b->cidr.prefixlen))
			ret = dec_fail(d, "%s is not a strict subset of %s",
				       item->valuestring,
				       np_cidr_str(&b->cidr, buf, sizeof(buf)));
		dec_pop(d, q);
		if (ret)
			break;
	}
	dec_pop(d, p);
	return ret;
}

static int dec_peer(struct dec *d, const cJSON *v, struct np_netpol_peer *pe)
{
	const cJSON *ps, *ns, *ib;
	size_t p;
	int ret;

	if (!cJSON_IsObject(v))
		return dec_fail_val(d, v, "is not an object");
	ps = dec_get(v, "podSelector");
	ns = dec_get(v, "namespaceSelector");
	ib = dec_get(v, "ipBlock");
	if (!ps && !ns && !ib)
		return dec_fail(d, "no podSelector, namespaceSelector or ipBlock");
	if (ib && (ps || ns))
		return dec_fail(d, "ipBlock together with a selector");
	ret = 0;
	if (ps) {
		p = dec_push(d, "podSelector");
		pe->has_pod_sel = true;
		ret = dec_selector(d, ps, &pe->pod_sel);
		dec_pop(d, p);
	}
	if (!ret && ns) {
		p = dec_push(d, "namespaceSelector");
		pe->has_ns_sel = true;
		ret = dec_selector(d, ns, &pe->ns_sel);
		dec_pop(d, p);
	}
	if (!ret && ib) {
		p = dec_push(d, "ipBlock");
		pe->has_ipblock = true;
		ret = dec_ipblock(d, ib, &pe->ipblock);
		dec_pop(d, p);
	}
	return ret;
}

static int dec_np_port(struct dec *d, const cJSON *v, struct np_netpol_port *pp)
{
	size_t p;
	int ret;

	if (!cJSON_IsObject(v))
		return dec_fail_val(d, v, "is not an object");
	ret = dec_proto(d, v, "protocol", &pp->proto);
	if (!ret)
		ret = dec_port_ref(d, v, "port", &pp->port);
	if (!ret)
		ret = dec_port(d, v, "endPort", false, &pp->end_port);
	if (ret || !pp->end_port)
		return ret;
	p = dec_push(d, "endPort");
	if (!pp->port.num)
		ret = dec_fail(d, "needs a numeric port");
	else if (pp->end_port < pp->port.num)
		ret = dec_fail(d, "%u is less than port %u", pp->end_port,
			       pp->port.num);
	dec_pop(d, p);
	return ret;
}

static int dec_rule(struct dec *d, const cJSON *v, const char *peers_key,
		    struct np_netpol_rule *r)
{
	const cJSON *list, *item;
	size_t p;
	int ret;

	if (!cJSON_IsObject(v))
		return dec_fail_val(d, v, "is not an object");
	ret = dec_array(d, v, peers_key, &list);
	if (!ret && list)
		ret = dec_calloc(d, (size_t)cJSON_GetArraySize(list),
				 sizeof(*r->peers), (void **)&r->peers);
	if (ret)
		return ret;
	p = dec_push(d, peers_key);
	cJSON_ArrayForEach(item, list) {
		size_t q = dec_push_idx(d, r->n_peers);

		ret = dec_peer(d, item, &r->peers[r->n_peers++]);
		dec_pop(d, q);
		if (ret)
			break;
	}
	dec_pop(d, p);
	if (!ret)
		ret = dec_array(d, v, "ports", &list);
	if (!ret && list)
		ret = dec_calloc(d, (size_t)cJSON_GetArraySize(list),
				 sizeof(*r->ports), (void **)&r->ports);
	if (ret)
		return ret;
	p = dec_push(d, "ports");
	cJSON_ArrayForEach(item, list) {
		size_t q = dec_push_idx(d, r->n_ports);

		ret = dec_np_port(d, item, &r->ports[r->n_ports++]);
		dec_pop(d, q);
		if (ret)
			break;
	}
	dec_pop(d, p);
	return ret;
}

static int dec_rules(struct dec *d, const cJSON *spec, const char *key,
		     const char *peers_key, struct np_netpol_rule **rules,
		     size_t *n)
{
	const cJSON *list, *item;
	size_t p;
	int ret;

	ret = dec_array(d, spec, key, &list);
	if (ret || !list)
		return ret;
	ret = dec_calloc(d, (size_t)cJSON_GetArraySize(list), sizeof(**rules),
			 (void **)rules);
	if (ret)
		return ret;
	p = dec_push(d, key);
	cJSON_ArrayForEach(item, list) {
		size_t q = dec_push_idx(d, *n);

		ret = dec_rule(d, item, peers_key, &(*rules)[(*n)++]);
		dec_pop(d, q);
		if (ret)
			break;
	}
	dec_pop(d, p);
	return ret;
}

static int dec_policy_types(struct dec *d, const cJSON *spec,
			    struct np_networkpolicy *np)
{
	static const char *const names[] = { "Ingress", "Egress" };
	const cJSON *list, *item;
	size_t p, i = 0;
	int ret = 0;

	ret = dec_array(d, spec, "policyTypes", &list);
	if (ret)
		return ret;
	if (!list || !cJSON_GetArraySize(list)) {
		/* The API server's default. */
		np->policy_types = NP_POLICY_INGRESS;
		if (np->n_egress)
			np->policy_types |= NP_POLICY_EGRESS;
		return 0;
	}
	p = dec_push(d, "policyTypes");
	cJSON_ArrayForEach(item, list) {
		size_t q = dec_push_idx(d, i++);

		if (!cJSON_IsString(item))
			ret = dec_fail_val(d, item, "is not a string");
		else if (!strcmp(item->valuestring, names[0]))
			np->policy_types |= NP_POLICY_INGRESS;
		else if (!strcmp(item->valuestring, names[1]))
			np->policy_types |= NP_POLICY_EGRESS;
		else
			np->policy_types |= NP_POLICY_UNKNOWN;
		dec_pop(d, q);
		if (ret)
			break;
	}
	dec_pop(d, p);
	return ret;
}

static int networkpolicy_decode(struct dec *d, const cJSON *obj, void *out)
{
	struct np_networkpolicy *np = out;
	const cJSON *spec, *sel;
	size_t p;
	int ret;

	ret = dec_object(d, obj, "spec", &spec);
	if (ret)
		return ret;
	p = dec_push(d, "spec");
	if (!spec) {
		ret = dec_fail(d, "missing");
		goto out;
	}
	sel = dec_get(spec, "podSelector");
	if (sel) {
		size_t q = dec_push(d, "podSelector");

		ret = dec_selector(d, sel, &np->pod_selector);
		dec_pop(d, q);
	}
	if (!ret)
		ret = dec_rules(d, spec, "ingress", "from", &np->ingress,
				&np->n_ingress);
	if (!ret)
		ret = dec_rules(d, spec, "egress", "to", &np->egress,
				&np->n_egress);
	if (!ret)
		ret = dec_policy_types(d, spec, np);
out:
	dec_pop(d, p);
	return ret;
}

static void canon_rules(struct canon *c, const struct np_netpol_rule *rules,
			size_t n)
{
	size_t i, j, k;

	canon_u32(c, (uint32_t)n);
	for (i = 0; i < n; i++) {
		const struct np_netpol_rule *r = &rules[i];

		canon_u32(c, (uint32_t)r->n_peers);
		for (j = 0; j < r->n_peers; j++) {
			const struct np_netpol_peer *pe = &r->peers[j];

			canon_u32(c, (uint32_t)(pe->has_pod_sel |
						pe->has_ns_sel << 1 |
						pe->has_ipblock << 2));
			canon_selector(c, &pe->pod_sel);
			canon_selector(c, &pe->ns_sel);
			canon_cidr(c, &pe->ipblock.cidr);
			canon_u32(c, (uint32_t)pe->ipblock.n_except);
			for (k = 0; k < pe->ipblock.n_except; k++)
				canon_cidr(c, &pe->ipblock.except[k]);
		}
		canon_u32(c, (uint32_t)r->n_ports);
		for (j = 0; j < r->n_ports; j++) {
			canon_u32(c, r->ports[j].proto);
			canon_port_ref(c, &r->ports[j].port);
			canon_u32(c, r->ports[j].end_port);
		}
	}
}

static void networkpolicy_canon(struct canon *c, const void *obj)
{
	const struct np_networkpolicy *np = obj;

	canon_meta(c, &np->meta);
	canon_selector(c, &np->pod_selector);
	canon_u32(c, np->policy_types);
	canon_rules(c, np->ingress, np->n_ingress);
	canon_rules(c, np->egress, np->n_egress);
}

static void free_rules(struct np_netpol_rule *rules, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < rules[i].n_peers; j++) {
			np_selector_free(&rules[i].peers[j].pod_sel);
			np_selector_free(&rules[i].peers[j].ns_sel);
			free(rules[i].peers[j].ipblock.except);
		}
		free(rules[i].peers);
		for (j = 0; j < rules[i].n_ports; j++)
			free(rules[i].ports[j].port.name);
		free(rules[i].ports);
	}
	free(rules);
}

static void networkpolicy_free(void *obj)
{
	struct np_networkpolicy *np = obj;

	np_meta_free(&np->meta);
	np_selector_free(&np->pod_selector);
	free_rules(np->ingress, np->n_ingress);
	free_rules(np->egress, np->n_egress);
}

const struct np_kind_ops np_networkpolicy_ops = {
	.size = sizeof(struct np_networkpolicy),
	.decode = networkpolicy_decode,
	.canon = networkpolicy_canon,
	.free = networkpolicy_free,
};
