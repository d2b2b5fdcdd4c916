# SPDX-License-Identifier: GPL-2.0-only
# The YAML->JSON reader and the manifests-directory source of cluster state.
NPD_SRCS   += yamljson.c
TEST_NAMES += test_yamljson

$(O)/tests/test_yamljson: $(O)/tests/test_yamljson.o $(O)/yamljson.o
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)
