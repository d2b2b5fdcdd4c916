# SPDX-License-Identifier: GPL-2.0-only
# The ServiceLB and hostPort reconcilers on the runner (the glue between
# the planners, the runner, the kernel's LB table and the API writes).
LB_GLUE_SRCS := servicelb/reconcile.c hostport/reconcile.c
NPD_SRCS     += $(LB_GLUE_SRCS)
