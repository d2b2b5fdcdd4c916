# SPDX-License-Identifier: GPL-2.0-only
# NetworkPolicy around the compiler: the netlink client (nl/policy.c,
# nl/pol_obj.c, nl/events.c are in NL_SRCS), and its unit tests.

# The POLICY client without a module: builder, chunking, parser, events.
TEST_NAMES += test_pol_nl
