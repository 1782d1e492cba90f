#!/usr/bin/env bats
# VFIO_DEVICE_IOEVENTFD: a write to a BAR offset done by the kernel when
# an eventfd is signalled.  The checks live in tests/uapi/pci-ioeventfd
# (TAP output) on the solo edu device's BAR0: the write lands (edu's
# liveness register reads back its inverse), assignment keyed on offset,
# size and data, stock's errnos and limit of 1000, no write while memory
# decode is off, none after de-assignment or close.
# bats file_tags=stock

load helpers

setup_file() {
	load_stack
}

setup() {
	requires root stack iommu edu
	SOLO=$(edu_solo)
	[ -x "$UAPI_DIR/pci-ioeventfd" ] || fail "tests/uapi/pci-ioeventfd not built"
}

teardown() {
	[ -z "${SOLO:-}" ] || [ "$(driver_of "$SOLO")" != vfio-pci ] ||
		unbind_all "$SOLO"
}

@test "pci-ioeventfd: eventfd-triggered BAR writes on edu, stock's errnos and limits" {
	vrun bind_vfio "$SOLO"
	assert_success
	vrun bounded 120 "$UAPI_DIR/pci-ioeventfd" edu "$SOLO"
	assert_success
	refute_output --partial "not ok"
}
