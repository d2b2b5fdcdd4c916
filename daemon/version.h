/* SPDX-License-Identifier: GPL-2.0-only */
/* The nodeplane release these binaries belong to (top-level VERSION file). */
#ifndef _NP_VERSION_H
#define _NP_VERSION_H

extern const char np_version[];

#endif /* _NP_VERSION_H */
