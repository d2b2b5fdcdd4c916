# SPDX-License-Identifier: GPL-2.0-only
# The Kubernetes API client (kube/): kubeconfig, libcurl multi on the loop,
# list + watch into the model, node status patches.
KUBE_SRCS  := kube/kubeconfig.c kube/kube.c kube/http.c kube/watch.c \
              kube/patch.c
NPD_SRCS   += $(KUBE_SRCS)
TEST_NAMES += test_kubeconfig

$(O)/tests/test_kubeconfig: $(O)/tests/test_kubeconfig.o \
		$(O)/kube/kubeconfig.o $(O)/yamljson.o
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LIBS)
