#!/usr/bin/env bats
# VFIO core benchmark, ours only (stock has no vfio_test module): N
# synthetic groups in one container, cost per group open, SET_CONTAINER
# (group attach) and GET_DEVICE_FD (device lookup) at 16 and 4096 groups.
# Lookups are by xarray/idr, so the cost should stay flat.  One TAP comment
# per run, the cost of the last 16 operations (done with N-16 already in):
#   # bench stack=ours round=R prog=core groups=N open_ns=X set_container_ns=X get_device_fd_ns=X
# tests/bench/report.py turns them into medians and spreads.

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
	local n=$1 r rounds=${VFIOCTL_BENCH_ROUNDS:-2}
	vrun insmod "$VFIOCTL_KMOD_DIR/vfio_test.ko" nr_groups="$n" multi=1
	assert_success
	for ((r = 0; r < rounds; r++)); do
		vrun "$CORE_TEST" bench --count "$n" --type 0x7e57
		assert_success
		assert_output --partial "groups=$n "
		grep "^groups=$n last16: " <<<"$output" |
			sed "s/^groups=$n last16: /# bench stack=ours round=$r prog=core groups=$n /" >&3
	done
	rmmod vfio_test
}

@test "core bench: 16 groups in one container" {
	bench 16
}

@test "core bench: 4096 groups in one container" {
	bench 4096
}
