# SPDX-License-Identifier: GPL-2.0-only
# The ServiceLB and hostPort planners (servicelb/, hostport/): pure, no I/O.
SLB_SRCS   := servicelb/tolerations.c servicelb/eligible.c \
              servicelb/claims.c servicelb/lblist.c servicelb/plan.c \
              servicelb/status.c hostport/plan.c
NPD_SRCS   += $(SLB_SRCS)
SLB_TESTS  := test_slb_model test_slb_rules test_hostport_plan \
              test_slb_status test_slb_random
TEST_NAMES += $(SLB_TESTS)

# MODEL_OBJS comes from model.mk; the link rules expand it late (second
# expansion) so the order the mk files are read in does not matter.
SLB_OBJS   := $(SLB_SRCS:%.c=$(O)/%.o)
SLB_DEPS    = $(SLB_OBJS) $(MODEL_OBJS) $(O)/yamljson.o $(O)/addr.o \
              $(O)/nl/lb_obj.o
$(SLB_TESTS:%=$(O)/tests/%.o): CPPFLAGS += \
	-DNP_FIXTURES='"$(abspath $(UNITDIR))/fixtures"'
.SECONDEXPANSION:
$(SLB_TESTS:%=$(O)/tests/%): $(O)/tests/$$(@F).o $$(SLB_DEPS)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)
