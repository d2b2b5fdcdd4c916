# SPDX-License-Identifier: GPL-2.0-only
# The Kubernetes API client (kube/): kubeconfig, libcurl multi on the loop,
# list + watch into the model, node status patches.
KUBE_SRCS  := kube/kubeconfig.c kube/kube.c kube/http.c kube/watch.c \
              kube/kinds.c \
              kube/patch.c
NPD_SRCS   += $(KUBE_SRCS)
TEST_NAMES += test_kubeconfig

$(O)/tests/test_kubeconfig: $(O)/tests/test_kubeconfig.o \
		$(O)/kube/kubeconfig.o $(O)/yamljson.o
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)

# Against the test API server (python3, openssl): see the test's header.
# The model's objects are known only once model.mk is read: second
# expansion.
TEST_NAMES += test_kube_live
KUBE_OBJS  := $(KUBE_SRCS:%.c=$(O)/%.o)
$(O)/tests/test_kube_live.o: CPPFLAGS += -DNP_TOPDIR='"$(abspath $(TOPDIR))"'
.SECONDEXPANSION:
$(O)/tests/test_kube_live: $(O)/tests/test_kube_live.o $(KUBE_OBJS) \
		$$(MODEL_OBJS) $(O)/yamljson.o $(O)/addr.o $(O)/loop.o \
		$(O)/log.o $(O)/config.o $(VER_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)
