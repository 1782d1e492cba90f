# Host unit tests (TAP) and the VM suite.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
include tests/uapi/local.mk
EXTRA_DIST += tests/bats tests/vm
