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

#include <stddef.h>
#include <stdint.h>

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
};

struct np_nl;

/*
 * Opens a generic-netlink socket, resolves family "nodeplane" and enables
 * extended ACKs. Fails with -ENOENT when the family does not exist (module
 * not loaded and not autoloadable by this caller).
 */
int np_nl_open(struct np_nl **out, struct np_err *err);
void np_nl_close(struct np_nl *nl);

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

#endif /* _NP_NL_H */
