#!/usr/bin/env bats
# vfio-pci isolation: memory decode turned off by COMMAND writes of any
# size, power state changes through PMCSR, INTx disable in config space
# racing SET_IRQS, reads whose user buffer is a mapping of the device's own
# BAR, and two first accesses to a BAR at once.  The checks live in
# tests/uapi/pci-isolation (TAP output); expected values come from sysfs
# (the edu's ID register from its specification).
#
# The INTx race is best run with the VM booted with slub_debug so that a
# use-after-free of the interrupt context shows as a kernel report:
#   tests/vm/run --append 'slub_debug=FZPU' -- bats tests/bats/pci-isolation.bats
# (tests/run-all does so on our stack; the debug kernels have KASAN).
# Without either, a NULL dereference still fails the run; a quiet
# use-after-free may not.
# bats file_tags=stock

load helpers

setup_file() {
	load_stack
}

setup() {
	requires root stack iommu
	BOUND=()
}

# Devices go back to their host driver (virtio-pci, e1000) for the files
# that follow (bind_test, restore_bound: helpers.bash).
teardown() {
	restore_bound
}

@test "isolation: a COMMAND write of 1, 2 or 4 bytes turning memory decode off zaps mappings and fails BAR reads" {
	requires edu
	bind_test "$(edu_solo)"
	vrun bounded 60 "$UAPI_DIR/pci-isolation" cmd "$(edu_solo)"
	assert_success
	refute_output --partial "not ok"
}

@test "isolation: D3hot through PMCSR refuses BAR access; back in D0 the BARs and command are intact" {
	local dev
	dev=$(pci_find $VIRTIO_NET_VENDOR $VIRTIO_NET_DEVICE) || skip "test requires the virtio-net-pci device of tests/vm/run"
	bind_test "$dev"
	vrun bounded 60 "$UAPI_DIR/pci-isolation" pm "$dev"
	assert_success
	refute_output --partial "not ok"
}

@test "isolation: INTx disable from config space racing SET_IRQS INTx on/off" {
	requires edu
	# KASAN (the debug kernels) sees a use-after-free without slub_debug.
	grep -q slub_debug /proc/cmdline || [ -d /sys/kernel/debug/kasan ] ||
		dmesg | grep -q 'KernelAddressSanitizer initialized' ||
		echo "# no slub_debug on the kernel command line: a quiet use-after-free may go unseen" >&3
	bind_test "$(edu_solo)"
	vrun bounded 60 "$UAPI_DIR/pci-isolation" intx "$(edu_solo)" 5
	assert_success
	refute_output --partial "not ok"
}

@test "isolation: ROM, BAR and config reads into an unfaulted mapping of the device's own BAR0 complete" {
	local dev
	dev=$(pci_find $E1000_VENDOR $E1000_DEVICE) || skip "test requires the e1000 of tests/vm/run"
	bind_test "$dev"
	# e1000 BAR0 0x5200: the multicast table, 512 bytes of plain storage
	vrun bounded 60 "$UAPI_DIR/pci-isolation" rom "$dev" 0x5200 512
	assert_success
	refute_output --partial "not ok"
}

# Stock (6.1 and 6.12) requests and maps a BAR on its first access without
# a lock, so of two threads making that first access at once one can fail
# with EBUSY.  Ours serializes it (barmap_lock).  On stock the test runs
# and, if the race shows, is skipped as a known stock hole with what it saw.
@test "isolation: two first BAR reads at once on a fresh device fd both succeed" {
	requires edu
	bind_test "$(edu_solo)"
	vrun bounded 60 "$UAPI_DIR/pci-isolation" barmap "$(edu_solo)" 5
	if [ "$VFIOCTL_STACK" = stock ] && [ "$status" -ne 0 ] &&
		grep -q '^not ok .* every first read of BAR0' <<<"$output"; then
		skip "known stock hole: the first BAR access is not serialized ($(grep -m1 'not ok' <<<"$output"))"
	fi
	assert_success
	refute_output --partial "not ok"
}
