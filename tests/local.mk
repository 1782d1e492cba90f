# Host unit tests (TAP through automake's tap-driver) and the VM suite.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
# Script tests find sources and built programs apart (VPATH, distcheck).
AM_TESTS_ENVIRONMENT = top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)'; export top_srcdir top_builddir;
EXTRA_DIST += tests/bats tests/vm
include tests/uapi/local.mk
include tests/unit/lib.mk
include tests/unit/cli.mk
include tests/unit/pci.mk

# Benchmarks (not timed tests), ours against stock: tests/bench/run boots
# the VM with one vCPU (TCG timings with two were bimodal between boots)
# BENCH_BOOTS times per kernel (vCPU pinned to a host CPU of its own); in
# each boot the *-bench.bats files alternate the stacks in pairs, ours-stock
# and the stock-stock noise floor.  Medians, ratios with 95% confidence
# intervals and the noise floor go to build/bench/bench.{md,json}, the
# curves to build/bench/dma-{size,live}.svg; docs/benchmarks.md explains
# them.
BENCH_KERNELS ?= 6.12
BENCH_BOOTS ?= 3
BENCH_ROUNDS ?= 3
EXTRA_DIST += tests/bench
# report.py's statistics on fixed samples (needs python3 only).
TESTS += tests/unit/bench-report.py
EXTRA_DIST += tests/unit/bench-report.py
bench: all
	BENCH_KERNELS='$(BENCH_KERNELS)' BENCH_BOOTS='$(BENCH_BOOTS)' \
	BENCH_ROUNDS='$(BENCH_ROUNDS)' BENCH_OUT='$(abs_top_builddir)/build/bench' \
		$(top_srcdir)/tests/bench/run

# tests/vm/stall-watch (the guest's watch for tasks stuck in state D),
# tried on the host's /proc against a task held in D by tests/unit/dstate.
check_PROGRAMS += tests/unit/dstate
tests_unit_dstate_SOURCES = tests/unit/dstate.c
TESTS += tests/unit/vm-stall-watch.sh
EXTRA_DIST += tests/unit/vm-stall-watch.sh
