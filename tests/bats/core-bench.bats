#!/usr/bin/env bats
# VFIO core benchmark (not a timed test): N synthetic groups in one
# container, cost per open / SET_CONTAINER / GET_DEVICE_FD at 16 and 4096
# groups.  Lookups are by xarray/idr, so the cost should stay flat.  The
# numbers go to the TAP stream as comments and to $BATS_RUN_TMPDIR.

load helpers

CORE_TEST=$UAPI_DIR/core-test

setup() {
	requires ours root
	! module_loaded vfio_test || rmmod vfio_test
}

teardown() {
	! module_loaded vfio_test || rmmod vfio_test
}

bench() {
	local n=$1
	vrun insmod "$VFIOCTL_KMOD_DIR/vfio_test.ko" nr_groups="$n" multi=1
	assert_success
	vrun "$CORE_TEST" bench --count "$n" --type 0x7e57
	assert_success
	assert_output --partial "groups=$n "
	grep '^groups=' <<<"$output" | sed 's/^/# /' >&3
	rmmod vfio_test
}

@test "core bench: 16 groups in one container" {
	bench 16
}

@test "core bench: 4096 groups in one container" {
	bench 4096
}
