# SPDX-License-Identifier: GPL-2.0-only
# The overlay reconciler (overlay/): annotations, public IP, the pure plan,
# and the backends that apply it (vxlan, host-gw, wireguard-native).
NPD_SRCS   += overlay/annot.c overlay/pubip.c overlay/plan.c \
              overlay/vxlan.c overlay/hostgw.c overlay/wgnative.c \
              overlay/overlay.c overlay/subnetenv.c overlay/b64key.c
TEST_NAMES += test_annot test_pubip test_plan test_subnetenv

$(O)/tests/test_annot: $(O)/tests/test_annot.o $(O)/overlay/annot.o \
		$(O)/overlay/b64key.o $(O)/addr.o
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS) -lm

# pubip.o with a fake rtnetlink inside the test (no overlay/rtnl.o).
$(O)/tests/test_pubip: $(O)/tests/test_pubip.o $(O)/overlay/pubip.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)

$(O)/tests/test_plan: $(O)/tests/test_plan.o $(O)/overlay/plan.o $(O)/overlay/annot.o $(O)/model/hmap.o \
		$(O)/overlay/b64key.o $(O)/addr.o $(O)/reconcile/diff.o
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS) -lm

$(O)/tests/test_subnetenv: $(O)/tests/test_subnetenv.o $(O)/overlay/subnetenv.o $(O)/addr.o
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)

# overlay.c's passes on the real runner, model and loop, the kernel faked.
TEST_NAMES += test_overlay_gate
GATE_MODEL_OBJS := $(patsubst %.c,$(O)/%.o,$(wildcard model/*.c))
$(O)/tests/test_overlay_gate: $(O)/tests/test_overlay_gate.o \
		$(O)/overlay/overlay.o $(O)/overlay/plan.o $(O)/overlay/annot.o \
		$(O)/overlay/b64key.o $(GATE_MODEL_OBJS) \
		$(O)/reconcile/runner.o $(O)/reconcile/table.o $(O)/reconcile/diff.o \
		$(O)/loop.o $(O)/log.o $(O)/config.o $(O)/addr.o $(O)/nl/err.o
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS) -lm
