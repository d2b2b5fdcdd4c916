# SPDX-License-Identifier: GPL-2.0-only
# Module reloads as libnpnl's connection sees them (nl/conn.c), against
# the host kernel's "netdev" family.
TEST_NAMES += test_nl_reload

$(O)/tests/test_nl_reload: $(O)/tests/test_nl_reload.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)
