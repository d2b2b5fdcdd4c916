/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NP_NETLINK_H
#define _NP_NETLINK_H

int np_netlink_init(void);
void np_netlink_exit(void);

#endif /* _NP_NETLINK_H */
