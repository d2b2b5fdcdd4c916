/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's WireGuard devices, through WireGuard's own generic-netlink
 * family ("wireguard", WG_CMD_GET_DEVICE / WG_CMD_SET_DEVICE, libnl-genl-3),
 * and the node's key pair (X25519 through OpenSSL's libcrypto), kept in a
 * file so that a restart or a reboot keeps the public key peers know.
 */
#ifndef _NP_WG_H
#define _NP_WG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "nl/nl.h"		/* struct np_err */

#define NP_WG_KEY_LEN 32
#define NP_WG_KEY_B64_LEN 45		/* 44 characters and the NUL */
#define NP_WG_ALLOWED_MAX 4

struct np_wg_peer {
	uint8_t pubkey[NP_WG_KEY_LEN];
	struct np_addr endpoint;	/* family 0: none */
	uint16_t port;
	uint16_t keepalive_s;		/* 0: off */
	size_t n_allowed;
	struct np_cidr allowed[NP_WG_ALLOWED_MAX];
};

struct np_wg_dev {
	uint8_t privkey[NP_WG_KEY_LEN];
	bool has_privkey;
	uint16_t listen_port;
	size_t n_peers;
	struct np_wg_peer *peers;	/* malloc'd in replies */
};

struct np_wg;

/* Resolves the "wireguard" genl family (-ENOENT: no WireGuard module). */
int np_wg_open(struct np_wg **out, struct np_err *err);
void np_wg_close(struct np_wg *wg);
/* np_nl_generation() and np_nl_resolve() of the WireGuard connection. */
unsigned int np_wg_generation(const struct np_wg *wg);
int np_wg_resolve(struct np_wg *wg, struct np_err *err);

/* The device's key, port and peers (a dump, merged over messages). */
int np_wg_get(struct np_wg *wg, const char *ifname, struct np_wg_dev *out,
	      struct np_err *err);
void np_wg_dev_free(struct np_wg_dev *dev);
/* Sets the private key and listen port; peers untouched. */
int np_wg_set_device(struct np_wg *wg, const char *ifname,
		     const uint8_t privkey[NP_WG_KEY_LEN], uint16_t port,
		     struct np_err *err);
/* Creates or updates one peer: endpoint, keepalive, and AllowedIPs
 * replaced by exactly p->allowed (WGPEER_F_REPLACE_ALLOWEDIPS). Other
 * peers are untouched, so their sessions go on. */
int np_wg_peer_set(struct np_wg *wg, const char *ifname,
		   const struct np_wg_peer *p, struct np_err *err);
/* Removes the peer with that public key (WGPEER_F_REMOVE_ME). */
int np_wg_peer_del(struct np_wg *wg, const char *ifname,
		   const uint8_t pubkey[NP_WG_KEY_LEN], struct np_err *err);

/*
 * Reads the private key (base64, one line, as `wg genkey` writes it) from
 * path, or creates it (mode 0600, parent directory 0700) with a new random
 * X25519 key; derives the public key. Errors name the file.
 */
int np_wg_key_load(const char *path, uint8_t priv[NP_WG_KEY_LEN],
		   uint8_t pub[NP_WG_KEY_LEN], struct np_err *err);
/* Standard base64 (44 characters); buf holds NP_WG_KEY_B64_LEN. */
const char *np_wg_key_b64(const uint8_t key[NP_WG_KEY_LEN], char *buf);
int np_wg_key_from_b64(const char *s, uint8_t key[NP_WG_KEY_LEN]);

#endif /* _NP_WG_H */
