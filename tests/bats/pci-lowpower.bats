#!/usr/bin/env bats
# vfio-pci's low-power device features (VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY,
# _ENTRY_WITH_WAKEUP, _EXIT) on the virtio-net-pci of tests/vm/run, which has
# a PM capability (runtime suspend takes it to D3hot; the VM has no D3cold).
# The checks live in tests/uapi/pci-lowpower (TAP output); power states come
# from sysfs (power/runtime_status, power_state), the config state from the
# raw config space.  About 5 s per run.
# bats file_tags=stock

load helpers

setup_file() {
	load_stack
}

setup() {
	requires root stack iommu
	BOUND=()
}

# The device goes back to virtio-pci for the files that follow (bind_test,
# restore_bound: helpers.bash), and vfio-pci to its default parameters.
teardown() {
	restore_bound
	if [ "$(cat /sys/module/vfio_pci/parameters/disable_idle_d3 2>/dev/null)" = Y ]; then
		reload_vfio_pci
	fi
}

@test "lowpower: probe, errnos, entry/exit, SIGBUS, wakeup eventfd, PMCSR D3hot, close in low power" {
	local dev
	dev=$(pci_find $VIRTIO_NET_VENDOR $VIRTIO_NET_DEVICE) || skip "test requires the virtio-net-pci device of tests/vm/run"
	bind_test "$dev"
	vrun bounded 60 "$UAPI_DIR/pci-lowpower" "$dev"
	assert_success
	refute_output --partial "not ok"
}

@test "lowpower: a function bound to vfio-pci and not open runtime-suspends; it works again after unbind" {
	local dev status
	dev=$(pci_find $VIRTIO_NET_VENDOR $VIRTIO_NET_DEVICE) || skip "test requires the virtio-net-pci device of tests/vm/run"
	bind_test "$dev"
	for _ in $(seq 100); do
		status=$(cat "/sys/bus/pci/devices/$dev/power/runtime_status")
		[ "$status" = suspended ] && break
		sleep 0.05
	done
	[ "$status" = suspended ] || fail "$dev runtime_status '$status', not suspended, while bound and closed"
	if [ -r "/sys/bus/pci/devices/$dev/power_state" ]; then
		assert_equal "$(cat "/sys/bus/pci/devices/$dev/power_state")" D3hot
	fi
	# back to virtio-pci: the PCI core resumes it for the host driver
	unbind_all "$dev"
	echo "$dev" >/sys/bus/pci/drivers_probe
	BOUND=()
	[ "$(driver_of "$dev")" = virtio-pci ] || fail "$dev did not go back to virtio-pci"
	assert_equal "$(cat "/sys/bus/pci/devices/$dev/power/runtime_status")" active
}

@test "lowpower: disable_idle_d3=1: a bound, closed function stays in D0; low power still suspends it" {
	local dev status
	dev=$(pci_find $VIRTIO_NET_VENDOR $VIRTIO_NET_DEVICE) || skip "test requires the virtio-net-pci device of tests/vm/run"
	reload_vfio_pci disable_idle_d3=1
	assert_equal "$(cat /sys/module/vfio_pci/parameters/disable_idle_d3)" Y
	bind_test "$dev"
	# the default suspends it within ~100 ms (the test above)
	sleep 1
	status=$(cat "/sys/bus/pci/devices/$dev/power/runtime_status")
	[ "$status" = active ] || fail "$dev runtime_status '$status' while bound and closed with disable_idle_d3=1"
	if [ -r "/sys/bus/pci/devices/$dev/power_state" ]; then
		assert_equal "$(cat "/sys/bus/pci/devices/$dev/power_state")" D0
	fi
	# everything else as without it; the closes leave it active
	vrun bounded 60 "$UAPI_DIR/pci-lowpower" "$dev" --no-idle-d3
	assert_success
	refute_output --partial "not ok"
}
