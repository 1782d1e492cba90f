#!/usr/bin/env bats
# A real client: DPDK (Debian's 22.11) drives the edu through its own VFIO
# layer the way its poll-mode drivers do.  rte_vfio_setup_device() opens the
# container and the group, sets type1 and maps all DPDK memory with
# VFIO_IOMMU_MAP_DMA; tests/uapi/dpdk-client then mmaps BAR0, reads the ID
# and liveness registers and runs an edu DMA round trip through the IOMMU on
# rte_malloc() memory.  No hugepages: --no-huge, and IOVA as VA with a low
# --base-virtaddr so that DPDK's IOVAs fit edu's 28-bit DMA mask.
# bats file_tags=stock

load helpers

DPDK_CLIENT=$UAPI_DIR/dpdk-client
DPDK_EAL=(--iova-mode=va --no-huge -m 64 --base-virtaddr=0x1000000
	--no-shconf -l 0 --no-pci --no-telemetry)

setup() {
	requires root stack iommu edu
	[ -x "$DPDK_CLIENT" ] ||
		skip "tests/uapi/dpdk-client not built (configure found no libdpdk; install libdpdk-dev)"
	# Debian's DPDK is built for corei7: its EAL refuses a CPU without
	# SSE4.2 (tests/vm/run gives the VM such a CPU).
	grep -qw sse4_2 /proc/cpuinfo ||
		fail "the CPU lacks SSE4.2, which Debian's DPDK requires"
	SOLO=$(edu_solo)
	GROUP=$(iommu_group_of "$SOLO")
}

teardown() {
	[ "$(driver_of "$SOLO")" != vfio-pci ] || unbind_all "$SOLO"
}

@test "DPDK sets up the edu through VFIO type1 and DMAs through the IOMMU" {
	vrun bind_vfio "$SOLO"
	assert_success
	vrun "$DPDK_CLIENT" "${DPDK_EAL[@]}" -- "$SOLO"
	assert_success
	refute_line --partial 'not ok'
	assert_line --partial "is in IOMMU group $GROUP"
	# DPDK's EAL: VFIO found, the type1 backend chosen for the container
	assert_line 'EAL: VFIO support initialized'
	assert_line 'EAL: Using IOMMU type 1 (Type 1)'
	assert_line --regexp '^ok [0-9]+ - rte_vfio_setup_device: '
	# while DPDK held the device: the container and the group node
	assert_line --regexp '^# fd: [0-9]+ -> /dev/vfio/vfio$'
	assert_line --regexp "^# fd: [0-9]+ -> /dev/vfio/$GROUP\$"
	assert_line --regexp '^ok [0-9]+ - edu ID register through the mmap: 0x010000ed$'
	assert_line --regexp '^ok [0-9]+ - edu liveness register: 0xedcba987$'
	assert_line --regexp '^ok [0-9]+ - DMA round trip through the IOMMU: data intact$'
	assert_line --regexp '^ok [0-9]+ - rte_vfio_release_device$'
	assert_line --regexp '^ok [0-9]+ - rte_eal_cleanup$'
	# DPDK released the group: it opens again (EBUSY while anyone holds it)
	assert_equal "$(driver_of "$SOLO")" vfio-pci
	vrun bash -c "exec 3<>/dev/vfio/$GROUP"
	assert_success
}
