# SPDX-License-Identifier: GPL-2.0-only
# The YAML->JSON reader and the manifests-directory source of cluster state.
NPD_SRCS   += yamljson.c manifests.c
TEST_NAMES += test_yamljson test_manifests

$(O)/tests/test_yamljson: $(O)/tests/test_yamljson.o $(O)/yamljson.o
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)

# Against a fake of the model defined in the test itself.
$(O)/tests/test_manifests: $(O)/tests/test_manifests.o $(O)/manifests.o \
		$(O)/yamljson.o $(O)/loop.o $(O)/log.o
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)

# With the real model, over the example directory fixtures/manifests.
# (model.mk is read after this file: its MODEL_OBJS is still empty here.)
MF_MODEL_OBJS := $(patsubst %.c,$(O)/%.o,$(wildcard model/*.c))
TEST_NAMES += test_manifests_model
$(O)/tests/test_manifests_model.o: CPPFLAGS += \
	-DNP_FIXTURES='"$(abspath $(UNITDIR))/fixtures"'
$(O)/tests/test_manifests_model: $(O)/tests/test_manifests_model.o \
		$(O)/manifests.o $(O)/yamljson.o $(O)/loop.o $(O)/log.o \
		$(MF_MODEL_OBJS) $(O)/addr.o
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)
