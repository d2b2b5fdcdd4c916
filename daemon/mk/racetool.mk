# SPDX-License-Identifier: GPL-2.0-only
# np-racetool (tests/user/tools/np-racetool.c): PEER_NEW/PEER_DEL loops for
# the kernel race cases of tests/user/integration/kmod_race.sh. The pattern
# rule for tools/%.o is in overlay_kernel.mk.

.PHONY: racetool
racetool: $(O)/tools/np-racetool
all: racetool

$(O)/tools/np-racetool: $(O)/tools/np-racetool.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS)
