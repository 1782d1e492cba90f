#!/usr/bin/env bats
# vfio-pci userspace ABI on QEMU's edu devices: info, regions, config-space
# virtualization, BAR access, SET_IRQS, interrupts, reset, hot reset and
# removal while held.  The checks live in tests/uapi/pci-test (TAP output);
# expected values come from sysfs and the edu specification.
# bats file_tags=stock

load helpers

setup_file() {
	load_stack
}

setup() {
	requires root stack iommu edu
	SOLO=$(edu_solo)
	PAIR=($(edu_pair))
}

teardown() {
	local d
	for d in $(edu_devices); do
		[ "$(driver_of "$d")" != vfio-pci ] || unbind_all "$d"
	done
}

@test "pci: device, region and irq info, BAR0, config space, SET_IRQS errnos, DMA, reset" {
	vrun bind_vfio "$SOLO" "${PAIR[@]}"
	assert_success
	vrun "$UAPI_DIR/pci-test" info "$SOLO" "${PAIR[0]}"
	assert_success
	refute_output --partial "not ok"
}

@test "pci: MSI and INTx delivered to eventfds, mask/unmask, loopback" {
	vrun bind_vfio "$SOLO"
	assert_success
	vrun "$UAPI_DIR/pci-test" irq "$SOLO"
	assert_success
	refute_output --partial "not ok"
}

@test "ours: INTx stays disabled in hardware without a handler, pending or closed" {
	requires ours
	# The solo edu has a reset (secondary bus reset); the pair has none,
	# so there the interrupt outlives the close.
	vrun bind_vfio "$SOLO" "${PAIR[@]}"
	assert_success
	vrun "$UAPI_DIR/pci-test" quiet "$SOLO"
	assert_success
	refute_output --partial "not ok"
	vrun "$UAPI_DIR/pci-test" quiet "${PAIR[0]}"
	assert_success
	refute_output --partial "not ok"
	assert_output --regexp "closed with an interrupt raised: INTx disabled \(cmd 0x[0-9a-f]+, status 0x[0-9a-f]*[89a-f]\)"
}

@test "pci: the edu pair shares a group; hot reset covers both; the group fds it takes" {
	# the solo edu's group, opened without a container, is the unrelated
	# group in the list
	vrun bind_vfio "${PAIR[@]}" "$SOLO"
	assert_success
	vrun "$UAPI_DIR/pci-test" pair "${PAIR[@]}" "$SOLO"
	assert_success
	refute_output --partial "not ok"
	vrun "$UAPI_DIR/pci-test" info "${PAIR[1]}"
	assert_success
}

@test "pci: unbind while held fires REQ and completes after close" {
	vrun bind_vfio "$SOLO"
	assert_success
	vrun "$UAPI_DIR/pci-test" unbind "$SOLO"
	assert_success
	refute_output --partial "not ok"
	[ -z "$(driver_of "$SOLO")" ] || fail "$SOLO still bound"
	# and it binds again
	vrun bind_vfio "$SOLO"
	assert_success
}
