# SPDX-License-Identifier: GPL-2.0-only
# The Kubernetes API client's write side (kube/): generic requests, the
# per-key write queue, Events and Leases; their test against the test API
# server (python3, openssl: see the test's header).
KUBE_WRITE_SRCS := kube/request.c kube/writeq.c kube/events.c kube/lease.c \
                   kube/node_lease.c kube/svcwrite.c
NPD_SRCS   += $(KUBE_WRITE_SRCS)

TEST_NAMES += test_kube_write
$(O)/tests/test_kube_write.o: CPPFLAGS += -DNP_TOPDIR='"$(abspath $(TOPDIR))"'
$(O)/tests/test_kube_write: $(O)/tests/test_kube_write.o \
		$(KUBE_WRITE_SRCS:%.c=$(O)/%.o) $(O)/kube/kubeconfig.o \
		$(O)/kube/kube.o $(O)/kube/http.o $(O)/kube/watch.o \
		$(O)/kube/patch.o $$(MODEL_OBJS) $(O)/yamljson.o $(O)/addr.o \
		$(O)/loop.o $(O)/log.o $(O)/config.o $(VER_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)
