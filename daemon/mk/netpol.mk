# SPDX-License-Identifier: GPL-2.0-only
# The NetworkPolicy compiler (netpol/): pure, no I/O; and its reference
# evaluator.
NETPOL_SRCS := netpol/match.c netpol/classes.c netpol/prefixes.c \
               netpol/compile.c netpol/peersets.c netpol/rules.c \
               netpol/plan.c netpol/eval.c
NPD_SRCS    += $(NETPOL_SRCS)
NETPOL_TESTS := test_netpol_eval test_netpol_compile
TEST_NAMES  += $(NETPOL_TESTS)

# MODEL_OBJS and CJSON_LIBS come from model.mk (second expansion).
NETPOL_OBJS := $(NETPOL_SRCS:%.c=$(O)/%.o)
NETPOL_DEPS  = $(NETPOL_OBJS) $(MODEL_OBJS) $(O)/addr.o $(O)/nl/err.o
.SECONDEXPANSION:
$(NETPOL_TESTS:%=$(O)/tests/%): $(O)/tests/$$(@F).o $$(NETPOL_DEPS)
	$(CC) $(LDFLAGS) -o $@ $^ $(CJSON_LIBS)
