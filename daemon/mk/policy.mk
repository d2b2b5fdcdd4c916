# SPDX-License-Identifier: GPL-2.0-only
# NetworkPolicy around the compiler: the netlink client (nl/policy.c,
# nl/pol_obj.c, nl/events.c are in NL_SRCS), and its unit tests.

# The POLICY client without a module: builder, chunking, parser, events.
TEST_NAMES += test_pol_nl

# The reconciler (netpol/reconcile.c) on the runner; the compiler it calls
# (np_netpol_compile, netpol/netpol.h) is given by main.c.
NETPOL_RC_SRCS := netpol/reconcile.c
NPD_SRCS   += $(NETPOL_RC_SRCS)

# The reconciler on the real runner, model and loop, with hand-built plans
# against a fake kernel.
TEST_NAMES += test_netpol_rc
$(O)/tests/test_netpol_rc: $(O)/tests/test_netpol_rc.o \
		$(NETPOL_RC_SRCS:%.c=$(O)/%.o) $$(MODEL_OBJS) \
		$(O)/reconcile/runner.o $(O)/reconcile/table.o \
		$(O)/reconcile/diff.o $(O)/loop.o $(O)/log.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)

# Drop log lines (rate-limited per pod and direction).
NPD_SRCS   += netpol/droplog.c
TEST_NAMES += test_droplog
$(O)/tests/test_droplog: $(O)/tests/test_droplog.o $(O)/netpol/droplog.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS)
