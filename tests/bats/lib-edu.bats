#!/usr/bin/env bats
# libvfioctl against a real VFIO stack: the library test program and the
# VMM-style edu DMA + MSI example, on the edu device that is alone in its
# IOMMU group.
# bats file_tags=stock

load helpers

LIBTEST=$VFIOCTL_TOP/tests/unit/lib-vm-test
EDU_EXAMPLE=$VFIOCTL_TOP/examples/vfio-edu-dma

setup() {
	requires root stack edu iommu
	load_stack
	SOLO=$(edu_solo)
	bind_vfio "$SOLO"
}

teardown() {
	[ -z "${SOLO:-}" ] || unbind_all "$SOLO"
}

@test "lib: library test program passes on the solo edu device" {
	vrun "$LIBTEST" "$SOLO"
	assert_success
	refute_output --partial "not ok"
	assert_output --regexp '1\.\.[0-9]+'
}

@test "lib: edu example moves data RAM -> device -> RAM with MSI completion" {
	vrun "$EDU_EXAMPLE" "$SOLO"
	assert_success
	assert_output --partial "MSI received"
	assert_output --partial "verified 2048 bytes"
	assert_output --partial "OK: all checks passed"
}

@test "lib: edu example fails cleanly with an actionable error when the device is not on vfio-pci" {
	unbind_all "$SOLO"
	vrun "$EDU_EXAMPLE" "$SOLO"
	assert_failure 1
	assert_output --partial "no device of group"
	assert_output --partial "vfio-pci"
}

@test "lib: EBUSY on group open names the process that holds the group" {
	local n
	n=$(iommu_group_of "$SOLO")
	# A shell holds the group node open while the example (which does not
	# inherit the descriptor) tries it.
	vrun bash -c "exec 3<>/dev/vfio/$n; \"$EDU_EXAMPLE\" \"$SOLO\" 3<&-; echo holder=\$\$"
	assert_output --partial "Device or resource busy (EBUSY)"
	holder=$(echo "$output" | sed -n 's/^holder=//p')
	assert_output --partial "pid $holder (bash) has it open"
	assert_output --partial "FAILED"
}

@test "lib: ENOMEM on DMA map explains RLIMIT_MEMLOCK with the figures" {
	# Without CAP_IPC_LOCK, type1 charges pinned pages to RLIMIT_MEMLOCK.
	vrun bash -c "ulimit -l 0; exec setpriv --bounding-set=-ipc_lock --inh-caps=-ipc_lock \"$EDU_EXAMPLE\" \"$SOLO\""
	assert_failure 1
	assert_output --partial "VFIO_IOMMU_MAP_DMA on container /dev/vfio/vfio: Cannot allocate memory (ENOMEM)"
	assert_output --partial "RLIMIT_MEMLOCK is 0 KiB"
	assert_output --partial "CAP_IPC_LOCK"
}

@test "lib: PCI hot reset of an edu device of the pair, with its own group" {
	local pair
	pair=($(edu_pair))
	[ "${#pair[@]}" -ge 2 ] || skip "no edu pair in this VM"
	bind_vfio "${pair[@]}"
	vrun "$LIBTEST" hot-reset "${pair[0]}"
	unbind_all "${pair[@]}"
	assert_success
	refute_output --partial "not ok"
	assert_output --partial "hot reset info lists"
}
