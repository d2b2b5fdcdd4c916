/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Buffer-level parsing for libnpnl: the extended-ACK parser, attribute sets
 * (policy + names + required attributes) and the reply parsers of each
 * command. These work on bytes, never on a socket, so the unit tests feed
 * them hand-built messages. Reply parsers of new commands go here too.
 */
#ifndef _NP_MSG_H
#define _NP_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <netlink/attr.h>

#include "nl/nl.h"

/* One attribute set (one enum of the uapi header) as this client sees it. */
struct np_nl_attr_set {
	const char *what;		/* for messages: "INFO_GET reply" */
	int maxtype;			/* highest attribute type known */
	const char *const *names;	/* [maxtype + 1], NULL entries allowed */
	const struct nla_policy *policy;/* [maxtype + 1], for replies */
	uint64_t required;		/* bit t: attribute t must be present */
};

extern const struct np_nl_attr_set np_nl_info_attrs;
extern const struct np_nl_attr_set np_nl_count_attrs;
extern const struct np_nl_attr_set np_nl_overlay_attrs;
extern const struct np_nl_attr_set np_nl_ostat_attrs;
extern const struct np_nl_attr_set np_nl_peer_attrs;
extern const struct np_nl_attr_set np_nl_peer_cidr_attrs;
extern const struct np_nl_attr_set np_nl_masq_attrs;
extern const struct np_nl_attr_set np_nl_masq_cidr_attrs;
extern const struct np_nl_attr_set np_nl_lb_attrs;
extern const struct np_nl_attr_set np_nl_pol_attrs;

/* NP_CIDR_A_* names and reply policy, shared by the sets of each nest. */
extern const char *const np_nl_cidr_names[];
extern const struct nla_policy np_nl_cidr_policy[];

/* The attribute set of cmd's top level, or NULL. */
const struct np_nl_attr_set *np_nl_cmd_attrs(uint8_t cmd);
/* "1 (NP_INFO_A_ABI_VERSION)" or "5" into buf; returns buf. */
const char *np_nl_attr_ref(const struct np_nl_attr_set *set, uint32_t type,
			   char *buf, size_t len);

/*
 * Parses the attribute stream head/len into tb[0..set->maxtype] and
 * validates it against set: policy (lengths, NUL-terminated strings) and
 * required attributes. Attributes above maxtype are ignored (the ABI is
 * append-only). On failure fills err naming the attribute, returns -EBADMSG.
 */
int np_nl_attr_parse(struct nlattr **tb, const struct np_nl_attr_set *set,
		     const void *head, size_t len, struct np_err *err);

/*
 * Parses an NLMSG_ERROR or NLMSG_DONE message of len readable bytes into
 * err: err->err is the reported errno (0 for a plain ACK) and err->msg the
 * kernel's NLMSGERR_ATTR_MSG plus what OFFS, MISS_TYPE, MISS_NEST and
 * POLICY say, attributes named from set (the request's top-level set,
 * may be NULL). The request is assumed to be generic netlink. Returns
 * err->err, or -EBADMSG (with err set) when the message is malformed.
 */
int np_nl_extack_parse(const struct nlmsghdr *nlh, size_t len,
		       const struct np_nl_attr_set *set, struct np_err *err);

/* Parses an NP_CMD_INFO_GET reply of len readable bytes. */
int np_nl_info_parse(const struct nlmsghdr *nlh, size_t len,
		     struct np_info *out, struct np_err *err);

/*
 * Copies the NUL-terminated string src into dst (len bytes), replacing
 * control characters with '?': names from the kernel end up in logs and in
 * line-based script output.
 */
void np_nl_printable(char *dst, size_t len, const char *src);
/*
 * The top-level attributes of a generic-netlink reply of len readable bytes:
 * checks the lengths, parses and validates them into tb with set (whose
 * name appears in errors), and sets *head and *alen to the attribute bytes
 * for callers that walk repeated attributes.
 */
int np_nl_reply_parse(const struct nlmsghdr *nlh, size_t len,
		      const struct np_nl_attr_set *set, struct nlattr **tb,
		      const void **head, size_t *alen, struct np_err *err);
/*
 * Parses and validates one NP_CIDR_A_* nest (set: the nest's, for names):
 * exactly one of ADDR4 and ADDR6, PREFIXLEN within the family's bits.
 */
int np_nl_cidr_parse(const struct nlattr *nest,
		     const struct np_nl_attr_set *set, struct np_cidr *out,
		     struct np_err *err);
/*
 * Adds c as a nest of type (NLA_F_NESTED set); 0, -EMSGSIZE, or -EINVAL
 * when c is of no address family.
 */
int np_nl_cidr_put(struct nl_msg *msg, int type, const struct np_cidr *c);
/*
 * np_nl_open() for any generic-netlink family (tests drive the request
 * machinery against a kernel family on hosts without nodeplane.ko).
 */
int np_nl_open_family(struct np_nl **out, const char *name,
		      struct np_err *err);

/*
 * Raises libnl's default message size to size for the requests that
 * follow; returns what np_nl_msg_size_restore() puts back (0: nothing).
 */
size_t np_nl_msg_size_raise(size_t size);
void np_nl_msg_size_restore(size_t old);

/* Tests: pretend the family had another id (a stale one after a reload). */
void np_nl_set_family_id(struct np_nl *nl, int id);

#endif /* _NP_MSG_H */
