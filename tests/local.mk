# Host unit tests (TAP through automake's tap-driver) and the VM suite.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
# Script tests find sources and built programs apart (VPATH, distcheck).
AM_TESTS_ENVIRONMENT = top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)'; export top_srcdir top_builddir;
EXTRA_DIST += tests/bats tests/vm
include tests/uapi/local.mk
include tests/unit/lib.mk
include tests/unit/cli.mk

# Benchmarks (not timed tests): run in the VM with one vCPU, where TCG
# timings were seen to agree within ~5% across boots; ours and stock in the
# same boot where a file compares them.  Results go to the TAP comments.
BENCH_KERNEL ?= 6.1
bench: all
	$(top_srcdir)/tests/vm/run --cpus 1 --kernel $(BENCH_KERNEL) --stack ours -- \
		env VFIOCTL_BENCH=1 bats --tap $(wildcard $(top_srcdir)/tests/bats/*-bench.bats)
