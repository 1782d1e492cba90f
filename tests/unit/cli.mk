# Host unit tests of the cli area (TAP; see tests/local.mk).
check_PROGRAMS += tests/unit/cli-plan
tests_unit_cli_plan_SOURCES = tests/unit/cli-plan.c
tests_unit_cli_plan_LDADD = cli/libvfioctl-cli.la

TESTS += tests/unit/cli-plan tests/unit/cli-fixture.sh
EXTRA_DIST += tests/unit/cli-fixture.sh tests/fixtures/mksysfs.py \
	tests/fixtures/bench-list.sh
TESTS += tests/unit/cli-hints.sh
EXTRA_DIST += tests/unit/cli-hints.sh
