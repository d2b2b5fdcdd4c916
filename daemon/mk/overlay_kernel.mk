# SPDX-License-Identifier: GPL-2.0-only
# The kernel-facing pieces of the overlay reconciler: rtnetlink (links,
# addresses, routes), WireGuard's genetlink family and the WireGuard key
# file; their unit test, and np-ovltool, the driver of the VM test
# tests/user/integration/daemon_kernel.sh.

# Another fragment (overlay.mk) may list them too: each object only once.
NPD_SRCS += $(filter-out $(NPD_SRCS),overlay/rtnl.c overlay/wg.c overlay/wgkey.c \
					 overlay/b64key.c)

TEST_NAMES += test_wgkey

$(O)/tests/test_wgkey: $(O)/tests/test_wgkey.o $(O)/overlay/wgkey.o \
		$(O)/overlay/b64key.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)

TOOLSDIR     := $(TOPDIR)/tests/user/tools
OVLTOOL_OBJS := $(O)/overlay/rtnl.o $(O)/overlay/wg.o $(O)/overlay/wgkey.o \
		$(O)/overlay/b64key.o

.PHONY: tools
tools: $(O)/tools/np-ovltool
all: tools

$(O)/tools/%.o: $(TOOLSDIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(NP_CPPFLAGS) $(CPPFLAGS) $(NP_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/tools/np-ovltool: $(O)/tools/np-ovltool.o $(OVLTOOL_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)
