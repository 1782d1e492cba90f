#!/usr/bin/env bats
# type1 beyond plain MAP/UNMAP, as a VMM uses it: peer-to-peer maps of BAR
# mmaps (VM_PFNMAP), VFIO_UPDATE_VADDR (live update), dirty-page tracking.
# The work is done by tests/uapi/type1-test; every test runs on the stock
# stack too, the oracle.
# bats file_tags=stock

load helpers

T1=$UAPI_DIR/type1-test

setup_file() {
	requires stack iommu edu root
	local pair
	SOLO=$(edu_solo)
	pair=($(edu_pair))
	PAIR0=${pair[0]}
	PAIR1=${pair[1]}
	bind_vfio "$SOLO" "$PAIR0" "$PAIR1"
	G_SOLO=$(iommu_group_of "$SOLO")
	G_PAIR=$(iommu_group_of "$PAIR0")
	export SOLO PAIR0 PAIR1 G_SOLO G_PAIR
}

teardown_file() {
	unbind_all $(edu_devices)
}

setup() {
	requires stack iommu edu root
	[ -c "/dev/vfio/$G_SOLO" ] || skip "vfio-pci did not register IOMMU group $G_SOLO with the core"
}

@test "type1 p2p: MAP_DMA of BAR mmaps, no locked_vm, unmap after munmap and close" {
	vrun "$T1" p2p "$G_SOLO:$SOLO" "$G_PAIR:$PAIR0"
	assert_success
}

@test "type1 p2p: a device reads another device's registers by DMA through the IOMMU" {
	dmesg -C
	vrun "$T1" p2p "$G_SOLO:$SOLO" "$G_PAIR:$PAIR0" dma
	assert_success
	run dmesg
	refute_output --partial "DMAR: [DMA"
}

@test "type1 vaddr: UPDATE_VADDR errnos, DMA across an invalid vaddr, locked_vm follows the owner" {
	vrun "$T1" vaddr "$G_SOLO:$SOLO"
	assert_success
	grep '^# CHECK_EXTENSION' <<<"$output" | sed "s/^# /# stack=$VFIOCTL_STACK kernel=$KERNEL_SERIES /" >&3
}

@test "type1 nesting: CHECK_EXTENSION and SET_IOMMU(VFIO_TYPE1_NESTING_IOMMU)" {
	vrun "$T1" nesting "$G_SOLO"
	grep '^# ' <<<"$output" | sed "s/^# /# stack=$VFIOCTL_STACK kernel=$KERNEL_SERIES /" >&3
	assert_success
}

@test "type1 dirty: DIRTY_PAGES start/stop/get-bitmap, unmap with the bitmap, migration cap" {
	# Stock 6.1 and 6.12 over-report a mapping that starts inside a bitmap word
	# once it has been reported (stale bits): exact layout on ours only.
	local exact=
	[ "$VFIOCTL_STACK" != ours ] || exact=exact
	vrun "$T1" dirty "$G_SOLO" $exact
	assert_success
}
