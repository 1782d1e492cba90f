#!/usr/bin/env bats
# VFIO core UAPI: the errno table, closing container/group/device in any
# order, single opener, holders killed, module references.  Stock is the
# oracle (solo edu on vfio-pci, type1v2); ours runs the same program on a
# vfio_test device with the mock backend until our vfio-pci registers
# devices.
# bats file_tags=stock

load helpers

CORE_TEST=$UAPI_DIR/core-test

# core_target - bind or load what the tests use; sets GROUP DEVICE TYPE.
# CORE_TARGET=edu runs ours on the solo edu with our vfio-pci and type1 too.
core_target() {
	if [ "$VFIOCTL_STACK" = stock ] || [ "${CORE_TARGET:-}" = edu ]; then
		requires edu iommu
		DEVICE=$(edu_solo)
		bind_vfio "$DEVICE"
		GROUP=$(iommu_group_of "$DEVICE")
		TYPE=3	# VFIO_TYPE1v2_IOMMU
	else
		module_loaded vfio_test || insmod "$VFIOCTL_KMOD_DIR/vfio_test.ko"
		DEVICE=vfio_test.2	# alone in the second synthetic group
		GROUP=$(basename "$(readlink /sys/bus/platform/devices/$DEVICE/iommu_group)")
		TYPE=0x7e57		# VFIO_TEST_IOMMU, the mock backend
	fi
	ARGS=(--group "$GROUP" --device "$DEVICE" --type "$TYPE")
}

setup() {
	requires stack root
	core_target
}

teardown() {
	[ -z "${HOLDER:-}" ] || { kill -9 "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null || true; }
	if [ "$VFIOCTL_STACK" = stock ] || [ "${CORE_TARGET:-}" = edu ]; then
		for d in $(edu_devices); do
			[ "$(driver_of "$d")" != vfio-pci ] || unbind_all "$d"
		done
	elif module_loaded vfio_test; then
		rmmod vfio_test
	fi
}

# start_holder - run `core-test hold` in the background until it is ready.
start_holder() {
	HOLDER_OUT=$BATS_TEST_TMPDIR/holder.out
	"$CORE_TEST" hold "${ARGS[@]}" >"$HOLDER_OUT" 2>&1 &
	HOLDER=$!
	for _ in $(seq 100); do
		grep -q '^ready' "$HOLDER_OUT" && return 0
		kill -0 "$HOLDER" 2>/dev/null || break
		sleep 0.1
	done
	cat "$HOLDER_OUT" >&2
	fail "holder did not get ready"
}

@test "core uapi: group node is a 0600 char device in /dev/vfio" {
	assert_group_node "$GROUP"
	run stat -c '%a' /dev/vfio/vfio
	assert_output 666
}

@test "core uapi: errno table of container, group and device ioctls" {
	vrun "$CORE_TEST" errno "${ARGS[@]}"
	assert_success
	refute_output --partial "not ok"
}

@test "core uapi: container, group and device close in any order (one process, fork, SCM_RIGHTS)" {
	vrun "$CORE_TEST" close-order "${ARGS[@]}"
	assert_success
	refute_output --partial "not ok"
}

@test "core uapi: two processes racing to open a group: one wins, one gets EBUSY" {
	vrun "$CORE_TEST" race "${ARGS[@]}"
	assert_success
	assert_output --partial "exactly one opener wins"
}

@test "core uapi: kill -9 of a holder releases group, container and device" {
	start_holder
	vrun "$CORE_TEST" reopen "${ARGS[@]}"
	assert_failure
	assert_output --partial "Device or resource busy"
	kill -9 "$HOLDER"
	wait "$HOLDER" || true
	HOLDER=
	vrun "$CORE_TEST" reopen "${ARGS[@]}"
	assert_success
}

@test "core uapi: open fds pin the vfio module and release it when closed" {
	base=$(cat /sys/module/vfio/refcnt)
	start_holder
	held=$(cat /sys/module/vfio/refcnt)
	# at least container, group and device fd (stock takes more)
	[ "$held" -ge "$((base + 3))" ] || fail "refcnt $base -> $held while held"
	vrun rmmod vfio
	assert_failure
	kill -9 "$HOLDER"
	wait "$HOLDER" || true
	HOLDER=
	assert_equal "$(cat /sys/module/vfio/refcnt)" "$base"
}

@test "core uapi: a group minor without a group is ENXIO" {
	read -r major minor <<<"$(tr ':' ' ' <"/sys/class/vfio/$GROUP/dev")"
	node=$BATS_TEST_TMPDIR/stale
	# a minor far from any group in use
	mknod "$node" c "$major" 4000
	vrun cat "$node"
	assert_failure
	assert_output --partial "No such device or address"
}
