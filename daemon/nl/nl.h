/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libnpnl: the netlink client of nodeplane.ko, shared by nodeplanectl and
 * nodeplaned. One struct np_nl is one generic-netlink socket bound to the
 * "nodeplane" family in the caller's network namespace.
 *
 * Conventions: functions return 0 or a negative errno and, on failure, fill
 * the caller's struct np_err (err->err is the positive errno, err->msg the
 * kernel's extack text or our own explanation; it may be empty).
 * This header pulls in no libnl header: the callbacks of np_nl_request()
 * see libnl's struct nl_msg only as an opaque pointer.
 */
#ifndef _NP_NL_H
#define _NP_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct nl_msg;
struct nlmsghdr;

#define NP_ERR_MSG_LEN 256

struct np_err {
	int err;			/* positive errno, 0 when none */
	char msg[NP_ERR_MSG_LEN];	/* extack text or explanation, "" if none */
};

#define NP_INFO_VERSION_LEN 64

/* The answer to NP_CMD_INFO_GET. */
struct np_info {
	uint32_t abi;				/* ABI the module speaks */
	char version[NP_INFO_VERSION_LEN];	/* module version, control
						   characters replaced by '?' */
	uint32_t features;			/* NP_FEATURE_F_* enabled */
	int have_counts;			/* the module sent NP_INFO_A_COUNTS */
	uint64_t requests;			/* requests in this netns */
	uint32_t have;				/* NP_INFO_HAVE_*: optional counts sent */
	uint32_t overlay_devices;		/* nodeplane devices */
	uint32_t overlay_peers;			/* peers over all devices */
	uint32_t masq_cidrs;			/* cluster CIDRs for masquerade */
	uint32_t disabled;			/* NP_FEATURE_F_* switched off */
	uint32_t max_devices;			/* per-netns limits */
	uint32_t max_peers;
	uint32_t max_cidrs;
	/* NP_INFO_HAVE_GENERATION / _LB_COUNTS / _LB_LIMITS */
	uint64_t generation;			/* LB state generation */
	uint32_t lb_frontends;			/* published frontends */
	uint32_t lb_backends;
	uint32_t lb_ranges;
	uint32_t lb_staged;
	uint32_t max_frontends;
	uint32_t max_backends;
	uint32_t max_ranges;
};

/* struct np_info.have: what newer modules add (counts, and more). */
enum {
	NP_INFO_HAVE_OVERLAY_DEVICES = 1U << 0,
	NP_INFO_HAVE_OVERLAY_PEERS = 1U << 1,
	NP_INFO_HAVE_MASQ_CIDRS = 1U << 2,
	NP_INFO_HAVE_DISABLED = 1U << 3,	/* NP_INFO_A_DISABLED */
	NP_INFO_HAVE_LIMITS = 1U << 4,		/* NP_INFO_A_LIMITS */
	NP_INFO_HAVE_GENERATION = 1U << 5,	/* NP_INFO_A_GENERATION */
	NP_INFO_HAVE_LB_COUNTS = 1U << 6,	/* NP_COUNT_A_LB_* */
	NP_INFO_HAVE_LB_LIMITS = 1U << 7,	/* NP_LIMIT_A_LB_* */
};

struct np_nl;

/*
 * Opens a generic-netlink socket, resolves family "nodeplane" and enables
 * extended ACKs. Fails with -ENOENT when the family does not exist (module
 * not loaded and not autoloadable by this caller).
 */
int np_nl_open(struct np_nl **out, struct np_err *err);
void np_nl_close(struct np_nl *nl);

/*
 * Module reloads. Unloading the module removes its family; loading it
 * again registers the family under a new id. np_nl_request() looks the
 * name up again when the kernel answers ENOENT or EOPNOTSUPP (and before
 * each request while the family is gone), so the connection follows the
 * family by itself. The generation counts the changes of the id (gone
 * counts as one): a caller that sees it move knows the module's state
 * was lost and must be programmed again from scratch.
 */
unsigned int np_nl_generation(const struct np_nl *nl);
/* The family id in use; 0 while the family is gone. */
int np_nl_family_id(const struct np_nl *nl);
/* Looks the family up now (e.g. on nlctrl's NEWFAMILY event). 0, or
 * -ENOENT when it is gone (err says so), or another negative errno. */
int np_nl_resolve(struct np_nl *nl, struct np_err *err);

/* Adds the request's attributes to msg; returns 0 or a negative errno. */
typedef int (*np_nl_build_fn)(struct nl_msg *msg, void *ctx);
/*
 * Parses one reply message (nlh->nlmsg_len bytes, already checked to be of
 * the nodeplane family); returns 0 or a negative errno after filling err.
 */
typedef int (*np_nl_parse_fn)(const struct nlmsghdr *nlh, void *ctx,
			      struct np_err *err);

/*
 * Sends one request for cmd (with NLM_F_ACK) and reads until its ACK or
 * error. build may be NULL (no attributes), parse may be NULL (replies are
 * ignored). After the first parse failure later replies are skipped but the
 * socket is still drained up to the ACK, so the connection stays usable.
 */
int np_nl_request(struct np_nl *nl, uint8_t cmd, np_nl_build_fn build,
		  np_nl_parse_fn parse, void *ctx, struct np_err *err);

/*
 * Sends cmd with exactly the attribute bytes given (no padding added), for
 * tests that need malformed requests. Replies are ignored; returns 0 when
 * the module accepted the request.
 */
int np_nl_send_raw(struct np_nl *nl, uint8_t cmd, const void *attrs,
		   size_t len, struct np_err *err);

/* NP_CMD_INFO_GET, announcing NODEPLANE_GENL_VERSION. */
int np_nl_info_get(struct np_nl *nl, struct np_info *out, struct np_err *err);

/* Error helpers. */
void np_err_clear(struct np_err *err);
/* Sets err and returns -errnum. */
int np_err_set(struct np_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "<msg> (<strerror>)", or "<strerror>" when msg is empty. */
const char *np_err_str(const struct np_err *err, char *buf, size_t len);
/* Maps a libnl error code (NLE_*, either sign) to a positive errno. */
int np_nl_errno(int nlerr);

/*
 * Names of the features set in mask, joined by sep, unknown bits appended as
 * one hexadecimal number; "none" when mask is 0. Returns the length the full
 * string needs (like snprintf); buf is always terminated when len > 0.
 */
int np_nl_features_str(char *buf, size_t len, uint32_t mask, const char *sep);

/*
 * Overlay devices, peers and masquerade (NP_CMD_OVERLAY_*, NP_CMD_PEER_*,
 * NP_CMD_MASQ_*). Plain structs, shared by nodeplanectl and the daemon's
 * reconcilers; addresses are in network byte order, integers in host order.
 */
#define NP_IFNAME_LEN 16		/* IFNAMSIZ */
#define NP_PEER_CIDRS_MAX 64		/* pod CIDRs of one peer (the module's limit) */
#define NP_MASQ_CIDRS_MAX 8		/* the ABI allows one per family */

/* struct np_overlay_cfg.has: which fields are set (sent, or received). */
enum {
	NP_OVERLAY_HAS_VNI = 1U << 0,
	NP_OVERLAY_HAS_PORT = 1U << 1,
	NP_OVERLAY_HAS_LOCAL4 = 1U << 2,	/* local4.family 0: clear it */
	NP_OVERLAY_HAS_LOCAL6 = 1U << 3,	/* local6.family 0: clear it */
	NP_OVERLAY_HAS_MAC = 1U << 4,
	NP_OVERLAY_HAS_MAC6 = 1U << 5,
	NP_OVERLAY_HAS_FLAGS = 1U << 6,
	NP_OVERLAY_HAS_PEERS = 1U << 7,		/* replies only */
	NP_OVERLAY_HAS_STATS = 1U << 8,		/* replies only */
};

/* NP_OSTAT_A_TX_PACKETS .. NP_OSTAT_A_RX_BAD_SRC, in that order. */
#define NP_OSTAT_FIRST 2		/* NP_OSTAT_A_TX_PACKETS */
#define NP_OSTAT_N 14

/*
 * One overlay device: what NP_CMD_OVERLAY_SET sends (fields in has) and
 * what NP_CMD_OVERLAY_GET answers.
 */
struct np_overlay_cfg {
	uint32_t ifindex;
	char ifname[NP_IFNAME_LEN];	/* replies; control characters as '?' */
	uint32_t has;			/* NP_OVERLAY_HAS_* */
	uint32_t vni;
	uint16_t port;
	struct np_addr local4;
	struct np_addr local6;
	uint8_t mac[NP_MAC_LEN];
	uint8_t mac6[NP_MAC_LEN];
	uint32_t flags;			/* NP_OVERLAY_F_* */
	uint32_t flags_given;		/* nodeplanectl: the bits of flags its
					 * words set (the others are kept) */
	uint32_t peers;
	uint32_t stats_have;		/* bit i: stats[i] was sent */
	uint64_t stats[NP_OSTAT_N];	/* index: NP_OSTAT_A_* - NP_OSTAT_FIRST */
};

/* One peer (NP_CMD_PEER_NEW request, NP_CMD_PEER_GET reply). */
struct np_peer {
	uint32_t ifindex;
	uint8_t mac[NP_MAC_LEN];
	struct np_addr endpoint;
	unsigned int n_cidrs;
	struct np_cidr cidrs[NP_PEER_CIDRS_MAX];
};

/* The masquerade configuration (NP_CMD_MASQ_SET and _GET). */
struct np_masq {
	unsigned int n_cidrs;
	struct np_cidr cidrs[NP_MASQ_CIDRS_MAX];
	uint32_t flags;			/* NP_MASQ_F_* */
};

struct np_overlay_list {
	struct np_overlay_cfg *v;
	size_t n;
};

struct np_peer_list {
	struct np_peer *v;
	size_t n;
};

void np_overlay_list_free(struct np_overlay_list *l);
void np_peer_list_free(struct np_peer_list *l);
/* Orders peers by MAC (memcmp), for qsort. */
int np_peer_cmp_mac(const void *a, const void *b);
/* "tx_packets" .. "rx_bad_src" for NP_OSTAT_A_* - NP_OSTAT_FIRST. */
const char *np_nl_ostat_name(unsigned int i);

/* NP_CMD_OVERLAY_SET with the fields in cfg->has (PEERS, STATS ignored). */
int np_nl_overlay_set(struct np_nl *nl, const struct np_overlay_cfg *cfg,
		      struct np_err *err);
/* NP_CMD_OVERLAY_GET for one device. */
int np_nl_overlay_get(struct np_nl *nl, uint32_t ifindex,
		      struct np_overlay_cfg *out, struct np_err *err);
/* NP_CMD_OVERLAY_GET dump: every device, in the module's order. */
int np_nl_overlay_dump(struct np_nl *nl, struct np_overlay_list *out,
		       struct np_err *err);
int np_nl_peer_new(struct np_nl *nl, const struct np_peer *peer,
		   struct np_err *err);
int np_nl_peer_del(struct np_nl *nl, uint32_t ifindex,
		   const uint8_t mac[NP_MAC_LEN], struct np_err *err);
/* NP_CMD_PEER_GET dump of one device's peers, sorted by MAC. */
int np_nl_peer_dump(struct np_nl *nl, uint32_t ifindex,
		    struct np_peer_list *out, struct np_err *err);
int np_nl_masq_set(struct np_nl *nl, const struct np_masq *masq,
		   struct np_err *err);
int np_nl_masq_get(struct np_nl *nl, struct np_masq *out, struct np_err *err);

/*
 * Request builders (the attributes after the genetlink header), exported
 * for the unit tests. Return 0, -EMSGSIZE, or -EINVAL for an address of no
 * family where one is required (peer endpoint, CIDRs).
 */
int np_nl_overlay_set_build(struct nl_msg *msg,
			    const struct np_overlay_cfg *cfg);
int np_nl_peer_new_build(struct nl_msg *msg, const struct np_peer *peer);
int np_nl_peer_del_build(struct nl_msg *msg, uint32_t ifindex,
			 const uint8_t mac[NP_MAC_LEN]);
int np_nl_masq_set_build(struct nl_msg *msg, const struct np_masq *masq);

/*
 * Reply parsers: one message of len readable bytes. Every attribute is
 * validated; a missing or malformed one fails with -EBADMSG and err naming
 * it. Attributes this client does not know are ignored.
 */
int np_nl_overlay_parse(const struct nlmsghdr *nlh, size_t len,
			struct np_overlay_cfg *out, struct np_err *err);
int np_nl_peer_parse(const struct nlmsghdr *nlh, size_t len,
		     struct np_peer *out, struct np_err *err);
int np_nl_masq_parse(const struct nlmsghdr *nlh, size_t len,
		     struct np_masq *out, struct np_err *err);


/*
 * ServiceLB and hostPort frontends (NP_CMD_LB_*): see the uapi header.
 * A frontend is canonical when its backends are sorted by
 * np_lb_backend_cmp and its ranges by np_cidr_cmp, without duplicates;
 * np_lb_frontend_canon() makes it so. Planners produce canonical
 * frontends, np_nl_lb_dump() returns canonical ones, so equal
 * configurations compare equal with np_lb_frontend_same().
 */
#define NP_LBSTAT_FIRST 2		/* NP_LBSTAT_A_PACKETS */
#define NP_LBSTAT_N 6			/* PACKETS .. DROP_NAT */

struct np_lb_backend {
	struct np_addr addr;		/* of the frontend's family */
	uint16_t port;
	uint32_t flags;			/* NP_LBB_F_* */
};

struct np_lb_frontend {
	/* the key */
	int family;			/* AF_INET or AF_INET6 */
	uint8_t proto;			/* IPPROTO_TCP, _UDP, _SCTP */
	uint16_t port;
	struct np_addr local;		/* family 0: every local address */
	/* the configuration */
	uint8_t owner;			/* NP_LB_OWNER_* */
	uint32_t flags;			/* NP_LB_F_* */
	uint32_t affinity;		/* seconds, 0: none */
	struct np_lb_backend *backends;	/* malloc'd, owned */
	size_t n_backends;
	struct np_cidr *ranges;		/* malloc'd, owned; none: any source */
	size_t n_ranges;
	/* replies only */
	uint64_t generation;
	uint32_t stats_have;		/* bit i: stats[i] was sent */
	uint64_t stats[NP_LBSTAT_N];	/* index: NP_LBSTAT_A_* - NP_LBSTAT_FIRST */
};

struct np_lb_list {
	struct np_lb_frontend *v;
	size_t n;
};

/* Frees the arrays of fe (not fe itself) and zeroes them. */
void np_lb_frontend_clear(struct np_lb_frontend *fe);
/* Every frontend's arrays, then the list's. */
void np_lb_list_free(struct np_lb_list *l);
/* Deep copy; 0 or -ENOMEM (dst untouched then). */
int np_lb_frontend_copy(struct np_lb_frontend *dst,
			const struct np_lb_frontend *src);
/* Orders by key: family, proto, port, local (no address first). */
int np_lb_frontend_cmp_key(const struct np_lb_frontend *a,
			   const struct np_lb_frontend *b);
/* The same for qsort over struct np_lb_frontend. */
int np_lb_frontend_qcmp(const void *a, const void *b);
/* Orders backends by address, port, flags. */
int np_lb_backend_cmp(const void *a, const void *b);
/* Sorts backends and ranges and drops exact duplicates. */
void np_lb_frontend_canon(struct np_lb_frontend *fe);
/* Same key and configuration (owner, flags, affinity, backends, ranges);
 * both must be canonical. Replies-only fields are not compared. */
bool np_lb_frontend_same(const struct np_lb_frontend *a,
			 const struct np_lb_frontend *b);
/* "tcp/80", "udp/[2001:db8::1]:53", "sctp/10.0.0.1:3868" into buf. */
const char *np_lb_key_str(const struct np_lb_frontend *fe, char *buf,
			  size_t len);
/* "packets" .. "drop_nat" for NP_LBSTAT_A_* - NP_LBSTAT_FIRST. */
const char *np_nl_lbstat_name(unsigned int i);

/*
 * NP_CMD_LB_SET of the whole frontend, staged in chunks when it does not
 * fit one message (the module publishes it at once at the last chunk).
 * expect_gen 0: no precondition; else -ESTALE when the netns's
 * generation differs. *gen (may be NULL) is the generation after the op.
 */
int np_nl_lb_set(struct np_nl *nl, const struct np_lb_frontend *fe,
		 uint64_t expect_gen, uint64_t *gen, struct np_err *err);
/* NP_CMD_LB_DEL of key's key (-ENOENT when absent); when key->owner is
 * not 0 only if the frontend has that owner (-EPERM, nothing changed). */
int np_nl_lb_del(struct np_nl *nl, const struct np_lb_frontend *key,
		 uint64_t expect_gen, uint64_t *gen, struct np_err *err);
/* NP_CMD_LB_GET dump: every frontend, continuation messages merged,
 * canonical, sorted by key. */
int np_nl_lb_dump(struct np_nl *nl, struct np_lb_list *out,
		  struct np_err *err);

/*
 * The pieces of np_nl_lb_set() and np_nl_lb_dump(), exported for the unit
 * tests. One message carries at most NP_NL_LB_CHUNK backends and ranges
 * together (backends first); larger frontends are staged in chunks of
 * that many entries. Messages are allocated with NP_NL_LB_MSG_SIZE bytes,
 * enough for a chunk of IPv6 entries.
 */
#define NP_NL_LB_CHUNK 1000
#define NP_NL_LB_MSG_SIZE 65536

/* One message of a frontend: entries [backend, +n_backends) and
 * [range, +n_ranges), and its NP_LB_STAGE_F_* (0: the only message). */
struct np_lb_chunk {
	uint32_t stage;
	size_t backend, n_backends;
	size_t range, n_ranges;
};

/* How many messages fe needs at per entries each (0: NP_NL_LB_CHUNK). */
size_t np_nl_lb_nchunks(const struct np_lb_frontend *fe, size_t per);
/* Message i (0-based) of those. */
void np_nl_lb_chunk(const struct np_lb_frontend *fe, size_t per, size_t i,
		    struct np_lb_chunk *c);
/*
 * NP_CMD_LB_SET attributes of chunk c: the key always; OWNER (when not
 * 0), FLAGS and AFFINITY unless c->stage has APPEND; c's backends and
 * ranges; STAGE when not 0; GENERATION when expect_gen is not 0.
 * -EINVAL for a family other than AF_INET/AF_INET6 or an address of
 * another family than fe's, -EMSGSIZE when msg is full.
 */
int np_nl_lb_set_build(struct nl_msg *msg, const struct np_lb_frontend *fe,
		       const struct np_lb_chunk *c, uint64_t expect_gen);
/* NP_CMD_LB_DEL: the key of fe, OWNER when key->owner is not 0 (the
 * kernel then deletes only a frontend of that owner: -EPERM otherwise),
 * GENERATION when expect_gen is not 0. */
int np_nl_lb_del_build(struct nl_msg *msg, const struct np_lb_frontend *key,
		       uint64_t expect_gen);
/* The LB_SET (cmd NP_CMD_LB_SET) or LB_DEL reply: its generation. */
int np_nl_lb_gen_parse(const struct nlmsghdr *nlh, size_t len, uint8_t cmd,
		       uint64_t *gen, struct np_err *err);
/*
 * One LB_GET reply message into out (arrays malloc'd; cleared on failure)
 * and its NP_LB_A_STAGE into *stage (0 or NP_LB_STAGE_F_APPEND). Every
 * attribute is validated (-EBADMSG naming it); unknown ones are ignored.
 */
int np_nl_lb_parse(const struct nlmsghdr *nlh, size_t len,
		   struct np_lb_frontend *out, uint32_t *stage,
		   struct np_err *err);
/*
 * Adds a parsed message to l, taking fe's arrays: a new frontend, or with
 * stage APPEND more entries of the last one, which must have fe's key and
 * the same value of each of NP_LB_A_OWNER, _FLAGS and _AFFINITY whose bit
 * (1 << type) is in present (those the continuation carried). -EBADMSG
 * otherwise.
 */
int np_nl_lb_merge(struct np_lb_list *l, struct np_lb_frontend *fe,
		   uint32_t stage, uint32_t present, struct np_err *err);
/* np_nl_lb_parse() and np_nl_lb_merge() of one reply message. */
int np_nl_lb_reply_merge(struct np_lb_list *l, const struct nlmsghdr *nlh,
			 size_t len, struct np_err *err);
/* Canonicalises and sorts l by key; -EBADMSG when a key repeats. */
int np_nl_lb_list_finish(struct np_lb_list *l, struct np_err *err);

/*
 * NetworkPolicy (NP_CMD_POLICY_*): see the uapi header. The state of a
 * netns is a class map (prefix -> class) and endpoints (one per local pod
 * address) with rules. An endpoint is canonical when its rules are sorted
 * by (dir, cls) with one rule per (dir, cls) and each rule's ports sorted
 * by (proto, first, last), merged, an all-ports entry of a protocol alone
 * for it; np_pol_endpoint_canon() makes it so (union semantics: rules of
 * one (dir, cls) add up, a rule without ports allows everything). The
 * reconciler canonicalises what it plans and np_nl_pol_dump() returns
 * canonical endpoints, so equal configurations compare equal with
 * np_pol_endpoint_same().
 */
#define NP_PSTAT_FIRST 2		/* NP_PSTAT_A_INGRESS_ALLOWED */
#define NP_PSTAT_N 4			/* INGRESS_ALLOWED .. EGRESS_DROPPED */

/* One (protocol, port range) of a rule; first 0: every port of proto. */
struct np_pol_port {
	uint8_t proto;			/* IPPROTO_TCP, _UDP, _SCTP */
	uint16_t first, last;		/* 1 <= first <= last, or both 0 */
};

/* Peers of class cls (0: any peer) on ports (none: every protocol/port). */
struct np_pol_rule {
	uint8_t dir;			/* NP_POL_DIR_* */
	uint32_t cls;
	struct np_pol_port *ports;	/* malloc'd, owned */
	size_t n_ports;
};

struct np_pol_endpoint {
	struct np_addr addr;		/* the key */
	char *name;			/* "namespace/pod", malloc'd; NULL: none */
	uint32_t flags;			/* NP_PEP_F_INGRESS | _EGRESS; in a
					   transaction NP_PEP_F_DELETE alone
					   removes it */
	struct np_pol_rule *rules;	/* malloc'd, owned */
	size_t n_rules;
	/* replies only */
	uint32_t stats_have;		/* bit i: stats[i] was sent */
	uint64_t stats[NP_PSTAT_N];	/* index: NP_PSTAT_A_* - NP_PSTAT_FIRST */
};

/* One class map entry; cls 0 in a transaction removes the prefix. */
struct np_pol_class {
	struct np_cidr cidr;		/* host bits cleared */
	uint32_t cls;
};

/* The policy state of a netns (NP_CMD_POLICY_GET dump), both lists
 * sorted by key, endpoints canonical. */
struct np_pol_state {
	uint64_t generation;		/* the last message's */
	struct np_pol_class *classes;
	size_t n_classes;
	struct np_pol_endpoint *endpoints;
	size_t n_endpoints;
};

/*
 * One transaction (NP_CMD_POLICY_SET chunks, the last one commits): the
 * class changes and the endpoints (replaced as a whole, or removed with
 * flags NP_PEP_F_DELETE). Shallow: the caller owns every array.
 */
struct np_pol_txn {
	const struct np_pol_class *classes;
	size_t n_classes;
	const struct np_pol_endpoint *endpoints;
	size_t n_endpoints;
};

/* NP_PEP_NAME_MAX + NUL (asserted in nl/policy.c). */
#define NP_PEP_NAME_MAX_LEN 321

/* A drop notification (NP_CMD_POLICY_DROP). */
struct np_pol_drop {
	uint8_t dir;			/* NP_POL_DIR_* of the failed check */
	struct np_addr endpoint;	/* the endpoint whose check failed */
	char name[NP_PEP_NAME_MAX_LEN];	/* its name, "" if none; control
					   characters as '?' */
	struct np_addr saddr, daddr;
	uint8_t proto;
	uint16_t sport, dport;		/* 0 when not sent */
	uint32_t suppressed;		/* drops not reported before this */
};

void np_pol_endpoint_clear(struct np_pol_endpoint *ep);
void np_pol_state_free(struct np_pol_state *st);
/* Deep copy; 0 or -ENOMEM (dst left clear). */
int np_pol_endpoint_copy(struct np_pol_endpoint *dst,
			 const struct np_pol_endpoint *src);
/* Orders by address (qsort over struct np_pol_endpoint). */
int np_pol_endpoint_qcmp(const void *a, const void *b);
/* Orders by prefix (qsort over struct np_pol_class). */
int np_pol_class_qcmp(const void *a, const void *b);
/* Makes ep canonical (see above); 0 or -ENOMEM (ep unchanged). */
int np_pol_endpoint_canon(struct np_pol_endpoint *ep);
/* Same key, name, isolation and rules; both canonical. */
bool np_pol_endpoint_same(const struct np_pol_endpoint *a,
			  const struct np_pol_endpoint *b);
/* "tcp/80", "udp/53-54", or "sctp" (every port) of one port entry. */
const char *np_pol_port_str(const struct np_pol_port *p, char *buf,
			    size_t len);
/* "ingress_allowed" .. "egress_dropped" for NP_PSTAT_A_* - NP_PSTAT_FIRST. */
const char *np_nl_pstat_name(unsigned int i);
/* "ingress" / "egress". */
const char *np_pol_dir_name(uint8_t dir);

/*
 * The chunking of a transaction: messages of at most msg bytes (the
 * netlink header included), nests of at most attr bytes (an attribute's
 * length is 16 bits). An endpoint that does not fit continues in more
 * NP_POL_A_ENDPOINT nests with NP_PEP_F_APPEND (in the same message or
 * the next), a rule that does not fit continues as more rules of the same
 * (dir, class) with the rest of its ports. 0 fields: the defaults.
 */
#define NP_NL_POL_MSG_SIZE 65536
/* The connection's socket buffers: above every request's size (conn.c). */
#define NP_NL_SOCK_BUF (4 * 65536)
#define NP_NL_POL_ATTR_MAX 65535
struct np_nl_pol_limits {
	size_t msg;
	size_t attr;
};

/* Where the next chunk of a transaction starts (all 0: the first). */
struct np_nl_pol_pos {
	size_t cls, ep, rule, port;
	bool cont;		/* endpoint ep has had its first nest */
};

/*
 * The NP_CMD_POLICY_SET attributes of the chunk of txn at *pos into msg
 * (which holds the netlink and genl headers and room for lim->msg bytes):
 * GENERATION expect_gen when not 0, as many class entries and endpoint
 * nests as fit, NP_POL_A_STAGE = MORE unless the transaction ends with
 * it. *pos moves past what was added, *last says whether it ended. An
 * empty transaction is one message without entries (a commit of
 * nothing). 0, -EINVAL (an address or prefix of no family, a direction,
 * class or protocol out of range, a name over NP_PEP_NAME_MAX; err says
 * which), or -EMSGSIZE (the limits cannot hold one entry).
 */
int np_nl_pol_chunk_build(struct nl_msg *msg, const struct np_pol_txn *txn,
			  const struct np_nl_pol_limits *lim,
			  uint64_t expect_gen, struct np_nl_pol_pos *pos,
			  bool *last, struct np_err *err);

/*
 * Parses one POLICY_GET reply (request false) or POLICY_SET request
 * (request true: STAGE allowed, NP_PEP_F_DELETE endpoints, any number of
 * nests) and adds it to st (merging NP_PEP_F_APPEND continuations into
 * the endpoint before them, which must have their key). Every attribute
 * is validated (-EBADMSG naming it); unknown ones are ignored. *stage
 * (may be NULL) receives NP_POL_A_STAGE. st keeps what was added before
 * a failure (np_pol_state_free it).
 */
int np_nl_pol_msg_merge(struct np_pol_state *st, const struct nlmsghdr *nlh,
			size_t len, bool request, uint32_t *stage,
			struct np_err *err);
/* Canonicalises and sorts st; -EBADMSG when a key repeats, -ENOMEM. */
int np_nl_pol_state_finish(struct np_pol_state *st, struct np_err *err);
/* A POLICY_SET reply: its generation (-EBADMSG without). */
int np_nl_pol_gen_parse(const struct nlmsghdr *nlh, size_t len,
			uint64_t *gen, struct np_err *err);
/* A POLICY_DROP notification; -EBADMSG naming a malformed attribute. */
int np_nl_pol_drop_parse(const struct nlmsghdr *nlh, size_t len,
			 struct np_pol_drop *out, struct np_err *err);

/*
 * NP_CMD_POLICY_SET of txn as one transaction (chunked), expect_gen 0:
 * no precondition, else -ESTALE when the policy generation moved; *gen
 * (may be NULL) the generation after the commit. On failure the module
 * drops the open transaction (the chunks before are never published);
 * err says which chunk of how many and the kernel's extack.
 */
int np_nl_pol_set(struct np_nl *nl, const struct np_pol_txn *txn,
		  uint64_t expect_gen, uint64_t *gen, struct np_err *err);
/* NP_CMD_POLICY_GET dump (retried when interrupted): st sorted and
 * canonical. */
int np_nl_pol_dump(struct np_nl *nl, struct np_pol_state *st,
		   struct np_err *err);

/*
 * The "events" multicast group (NP_CMD_POLICY_DROP notifications of the
 * caller's netns). A socket of its own, non-blocking: poll its fd for
 * input, then np_nl_events_read(). After a module reload the group must
 * be joined again: close and open.
 */
struct np_nl_events;
int np_nl_events_open(struct np_nl_events **out, struct np_err *err);
void np_nl_events_close(struct np_nl_events *ev);
int np_nl_events_fd(const struct np_nl_events *ev);
/*
 * Reads every pending notification and calls fn for each drop; 0 when
 * none is left, -ENOBUFS when the socket overran (notifications were
 * lost: the next ones still come), another negative errno on failure.
 * Malformed notifications are counted in *bad (may be NULL), the last
 * one's error in err.
 */
int np_nl_events_read(struct np_nl_events *ev,
		      void (*fn)(void *ctx, const struct np_pol_drop *d),
		      void *ctx, unsigned long *bad, struct np_err *err);

/* Restarts of a dump the kernel marked interrupted before np_nl_dump gives up. */
#define NP_NL_DUMP_TRIES 5

/*
 * Dumps cmd (NLM_F_DUMP): build adds the request's attributes (may be
 * NULL), parse sees each reply message of every part. A dump the kernel
 * marks interrupted (NLM_F_DUMP_INTR) is discarded, reset(ctx) is called
 * and the dump restarted, up to NP_NL_DUMP_TRIES times; then -EINTR.
 */
int np_nl_dump(struct np_nl *nl, uint8_t cmd, np_nl_build_fn build,
	       np_nl_parse_fn parse, void (*reset)(void *ctx), void *ctx,
	       struct np_err *err);

#endif /* _NP_NL_H */
