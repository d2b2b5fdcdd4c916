# SPDX-License-Identifier: GPL-2.0-only
# The reconciler runner (reconcile/): the sorted diff, the runner every
# reconciler plugs into, and nlctrl's family events.
RECONCILE_SRCS := reconcile/diff.c reconcile/runner.c reconcile/table.c \
                  reconcile/lb_items.c \
                  reconcile/famwatch.c
NPD_SRCS   += $(RECONCILE_SRCS)

# The diff against a brute-force reference on random lists.
TEST_NAMES += test_diff
$(O)/tests/test_diff: $(O)/tests/test_diff.o $(O)/reconcile/diff.o
	$(CC) $(LDFLAGS) -o $@ $^

# The runner with fake reconcilers, on the real model and event loop.
TEST_NAMES += test_runner
RUNNER_MODEL_OBJS := $(patsubst %.c,$(O)/%.o,$(wildcard model/*.c))
$(O)/tests/test_runner: $(O)/tests/test_runner.o $(O)/reconcile/runner.o \
		$(O)/reconcile/table.o \
		$(O)/reconcile/diff.o $(RUNNER_MODEL_OBJS) $(O)/loop.o \
		$(O)/log.o $(O)/addr.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)

# A table of LB frontends (reconcile/lb_items.c) through the runner, all
# built with AddressSanitizer: the cur list must own deep copies.
TEST_NAMES += test_runner_lb
RUNNER_LB_ASAN_SRCS := $(UNITDIR)/test_runner_lb.c reconcile/runner.c \
	reconcile/table.c reconcile/diff.c reconcile/lb_items.c \
	$(MODEL_SRCS) loop.c log.c addr.c nl/lb_obj.c nl/err.c
$(O)/tests/test_runner_lb: $(RUNNER_LB_ASAN_SRCS) $(wildcard reconcile/*.h) \
		$(wildcard model/*.h) nl/nl.h
	@mkdir -p $(@D)
	$(CC) $(NP_CPPFLAGS) -I$(UNITDIR) $(CPPFLAGS) $(NP_CFLAGS) -O1 -g \
		-fsanitize=address -fno-omit-frame-pointer -o $@ \
		$(RUNNER_LB_ASAN_SRCS) $(ALL_LIBS)
