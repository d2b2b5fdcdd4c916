# SPDX-License-Identifier: GPL-2.0-only
# The event loop's own test (loop.c is in NPD_SRCS of the Makefile).
TEST_NAMES += test_loop

$(O)/tests/test_loop: $(O)/tests/test_loop.o $(O)/loop.o $(O)/log.o
	$(CC) $(LDFLAGS) -o $@ $^
