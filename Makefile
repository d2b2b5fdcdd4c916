# nodeplane: top-level build and test entry points. See README.md.
#
#   make            module (kmod/nodeplane.ko), nodeplaned, nodeplanectl
#   make check      every test tier; ends with "N passed, N failed, N skipped"
#   make demo       builds everything and shows the module working in a VM
#   make bench      benchmarks in one VM boot, one BENCH line per figure
#   make vm-shell   a shell in the test VM with the module installed
#   make deps       installs the Debian packages a fresh machine lacks
#
# KDIR is the kbuild tree to build against: by default the newest installed
# Debian headers (never `uname -r`: the build host is not the target).

KDIR ?= $(shell scripts/kdir.sh)
export KDIR

.PHONY: all module daemon deps check check-unit check-dkms check-kunit \
	check-vm check-harness demo bench vm-shell install-dkms clean fuzz

all: module daemon

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

daemon:
	$(MAKE) -C daemon

deps:
	scripts/deps.sh

# The tiers, each runnable alone; `check` runs them all and sums them up.
check-unit: daemon
	$(MAKE) -C daemon test
	tests/apiserver/selftest.sh
	tests/check-selftest.sh
	tests/user/netpol_run.py selftest
	tests/user/netpol_run.py trace-check daemon/nodeplanectl
check-dkms:
	tests/dkms/test.sh
check-kunit:
	tests/kunit/run
check-vm: all
	$(MAKE) -C tests/fuzz
	tests/vm/run --timeout 900 tests/user/integration/*.sh
check-harness:
	tests/vm/selftest.sh
check: deps
	@$(MAKE) --no-print-directory all >/dev/null
	@scripts/check.sh unit dkms kunit vm harness

demo: deps all
	tests/vm/run --timeout 300 scripts/demo.sh

# Not part of `check`. NP_BENCH_* variables (see tests/bench/bench.sh) size
# the run, e.g. `make bench NP_BENCH_SAMPLES=2` for a quick look.
bench: deps all
	$(MAKE) -C tests/bench
	tests/bench/run

# The netlink fuzzer alone in the VM for FUZZ_SECONDS (docs/fuzz.md), freed
# slab objects poisoned; FUZZ_SEED=N replays the requests of a run.
FUZZ_SECONDS ?= 300
FUZZ_TRAFFIC ?= 4
fuzz: all
	$(MAKE) -C tests/fuzz
	NP_VM_APPEND="np_fuzz_seconds=$(FUZZ_SECONDS) np_fuzz_traffic=$(FUZZ_TRAFFIC) slub_debug=P$(if $(FUZZ_SEED), np_fuzz_seed=$(FUZZ_SEED))" \
		tests/vm/run --timeout $$(($(FUZZ_SECONDS) + 300)) \
		--results build/vm/fuzz --log build/vm/fuzz-console.log \
		tests/user/integration/fuzz.sh

vm-shell: all
	tests/vm/shell

# Installs the sources into /usr/src and builds/installs with DKMS (root).
install-dkms:
	scripts/install-dkms.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C daemon clean
	$(MAKE) -C tests/bench clean
	rm -rf build
