# SPDX-License-Identifier: GPL-2.0-only
# The ServiceLB and hostPort reconcilers on the runner (the glue between
# the planners, the runner, the kernel's LB table and the API writes).
LB_GLUE_SRCS := servicelb/reconcile.c hostport/reconcile.c
NPD_SRCS     += $(LB_GLUE_SRCS)

# The reconcilers on the real runner, model and loop, against a fake
# kernel LB table and a fake API (Events, status writes).
TEST_NAMES += test_lb_glue
$(O)/tests/test_lb_glue.o: CPPFLAGS += \
	-DNP_FIXTURES='"$(abspath $(UNITDIR))/fixtures"'
.SECONDEXPANSION:
$(O)/tests/test_lb_glue: $(O)/tests/test_lb_glue.o \
		$(LB_GLUE_SRCS:%.c=$(O)/%.o) $$(SLB_OBJS) $$(MODEL_OBJS) \
		$(O)/reconcile/runner.o $(O)/reconcile/table.o \
		$(O)/reconcile/diff.o $(O)/reconcile/lb_items.o \
		$(O)/yamljson.o $(O)/loop.o $(O)/log.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)
