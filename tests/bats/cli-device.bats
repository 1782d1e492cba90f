#!/usr/bin/env bats
# vfioctl device info: regions, interrupts and reset of the solo edu,
# read through libvfioctl, and the refusals around it.
# bats file_tags=stock

load helpers

setup() {
	requires root stack edu iommu
	SOLO=$(edu_solo)
	SOLO_G=$(iommu_group_of "$SOLO")
	export VFIOCTL_RUNDIR=$BATS_TEST_TMPDIR/run
	HOLDER=
}

teardown() {
	[ -z "$HOLDER" ] || { kill "$HOLDER"; wait "$HOLDER" 2>/dev/null; }
	unbind_all "$SOLO"
	return 0
}

@test "device info: edu's BAR0, config space and MSI through libvfioctl" {
	vrun "$VFIOCTL" group attach "$SOLO_G"
	assert_success
	vrun "$VFIOCTL" device info "$SOLO" --json
	assert_success
	# edu: a 1 MiB MMIO BAR0, config space, INTx and one MSI vector.
	run jq -e '.schema_version == 1 and .device.pci' <<<"$output"
	assert_success
	vrun "$VFIOCTL" device info "$SOLO" --json
	run jq -e '.device.regions[] | select(.name == "BAR0") | .size == 1048576 and .read and .write and .mmap' <<<"$output"
	assert_success
	vrun "$VFIOCTL" device info "$SOLO" --json
	run jq -e '.device.regions[] | select(.name == "CONFIG") | .size > 0 and (.mmap | not)' <<<"$output"
	assert_success
	vrun "$VFIOCTL" device info "$SOLO" --json
	run jq -e '.device.irqs[] | select(.name == "MSI") | .count == 1 and .eventfd' <<<"$output"
	assert_success
	vrun "$VFIOCTL" device info "$SOLO"
	assert_success
	assert_output --regexp "BAR0 +1048576 rwm"
	# Short addresses are accepted.
	vrun "$VFIOCTL" device info "${SOLO#0000:}" --json
	assert_success
}

@test "device info: a device whose group is not attached exits 3" {
	unbind_all "$SOLO"
	vrun "$VFIOCTL" device info "$SOLO"
	assert_failure 3
	assert_output --partial "attach its group first"
}

@test "device info: a group held by another process exits 4" {
	vrun "$VFIOCTL" group attach "$SOLO_G"
	assert_success
	sleep 600 3<>"/dev/vfio/$SOLO_G" &
	HOLDER=$!
	sleep 0.5
	vrun "$VFIOCTL" device info "$SOLO"
	assert_failure 4
	assert_output --partial "another process holds the group"
}

@test "device info: usage errors exit 2" {
	vrun "$VFIOCTL" device info
	assert_failure 2
	vrun "$VFIOCTL" device info not-an-address
	assert_failure 2
	vrun "$VFIOCTL" device frob "$SOLO"
	assert_failure 2
}
