# SPDX-License-Identifier: GPL-2.0-only
# The overlay reconciler (overlay/): annotations, public IP, the pure plan,
# and the backends that apply it (vxlan, host-gw, wireguard-native).
NPD_SRCS   += overlay/annot.c
TEST_NAMES += test_annot

$(O)/tests/test_annot: $(O)/tests/test_annot.o $(O)/overlay/annot.o $(O)/addr.o
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS) -lm
