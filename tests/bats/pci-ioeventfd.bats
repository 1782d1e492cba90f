#!/usr/bin/env bats
# VFIO_DEVICE_IOEVENTFD: a write to a BAR offset done by the kernel when
# an eventfd is signalled.  The checks live in tests/uapi/pci-ioeventfd
# (TAP output) on the solo edu device's BAR0: the write lands (edu's
# liveness register reads back its inverse), assignment keyed on offset,
# size and data, stock's errnos and limit of 1000, no write while memory
# decode is off, none after de-assignment or close; and, on the
# virtio-net (which has a PM capability), none while in D3hot.
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
	# the virtio-net goes back to its host driver
	if [ -n "${NET:-}" ] && [ "$(driver_of "$NET")" = vfio-pci ]; then
		unbind_all "$NET"
		echo "$NET" >/sys/bus/pci/drivers_probe || true
	fi
}

@test "pci-ioeventfd: eventfd-triggered BAR writes on edu, stock's errnos and limits" {
	vrun bind_vfio "$SOLO"
	assert_success
	vrun bounded 120 "$UAPI_DIR/pci-ioeventfd" edu "$SOLO"
	assert_success
	refute_output --partial "not ok"
}

# virtio-net-pci: the only function of tests/vm/run with a PM capability
@test "pci-ioeventfd: no write while the function is in D3hot (virtio-net)" {
	local d v id dev=
	for d in /sys/bus/pci/devices/*; do
		read -r v <"$d/vendor" && read -r id <"$d/device" || continue
		[ "$v" = 0x1af4 ] && [ "$id" = 0x1041 ] && { dev=${d##*/}; break; }
	done
	[ -n "$dev" ] || skip "test requires the virtio-net-pci device of tests/vm/run"
	NET=$dev
	vrun bind_vfio "$dev"
	assert_success
	vrun bounded 120 "$UAPI_DIR/pci-ioeventfd" d3 "$dev"
	assert_success
	refute_output --partial "not ok"
}
