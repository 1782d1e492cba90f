# Host unit tests (TAP through automake's tap-driver) and the VM suite.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
EXTRA_DIST += tests/bats tests/vm
include tests/uapi/local.mk
include tests/unit/lib.mk
include tests/unit/cli.mk
