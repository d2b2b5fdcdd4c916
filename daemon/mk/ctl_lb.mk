# SPDX-License-Identifier: GPL-2.0-only
# nodeplanectl's JSON output (-j: info, lb show) is written with cJSON:
# nodeplanectl and the unit tests that link the CLI objects need it.
NL_LIBS    += $(shell $(PKG_CONFIG) --libs libcjson)

# The LB client without a module, and nodeplanectl lb's words and output.
TEST_NAMES += test_lb_nl test_lb_ctl
