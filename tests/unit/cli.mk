# Host unit tests of the cli area (TAP; see tests/local.mk).
check_PROGRAMS += tests/unit/cli-plan
tests_unit_cli_plan_SOURCES = tests/unit/cli-plan.c
tests_unit_cli_plan_LDADD = cli/libvfioctl-cli.la

TESTS += tests/unit/cli-plan tests/unit/cli-fixture.sh
EXTRA_DIST += tests/unit/cli-fixture.sh tests/fixtures/mksysfs.py \
	tests/fixtures/bench-list.sh
TESTS += tests/unit/cli-hints.sh
EXTRA_DIST += tests/unit/cli-hints.sh

# LD_PRELOAD that makes the fixture's bind/unbind/drivers_probe files act
# (cli-fixture.sh: a group half attached, then rolled back).
check_LTLIBRARIES += tests/unit/cli-fakebind.la
tests_unit_cli_fakebind_la_SOURCES = tests/unit/cli-fakebind.c
tests_unit_cli_fakebind_la_LDFLAGS = -module -avoid-version -shared \
	-rpath /nowhere
tests_unit_cli_fakebind_la_LIBADD = -ldl
