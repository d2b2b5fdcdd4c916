// SPDX-License-Identifier: GPL-2.0-only
/* The only file built with -DNP_VERSION, so a new VERSION rebuilds only it. */
#include "version.h"

#ifndef NP_VERSION
#error "NP_VERSION must be defined (from the top-level VERSION file)"
#endif

const char np_version[] = NP_VERSION;
