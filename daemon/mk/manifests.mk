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
