// SPDX-License-Identifier: GPL-2.0
/*
 * nodeplane_kunit.ko: the KUnit suites of tests/kunit/ (the files named
 * *_test.c). Each suite registers itself with kunit_test_suite(); KUnit
 * runs them all when the module is loaded, before its (absent) init
 * function.
 */
#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nodeplane KUnit suites");
