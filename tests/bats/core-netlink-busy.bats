#!/usr/bin/env bats
# Ours only: the "vfioctl" generic netlink family while a container is busy.
# type1 holds its lock for a whole MAP_DMA; the family's handlers must not
# wait for it (they read the container's counters without the lock), and
# they run without genl_mutex (parallel_ops), so other generic netlink
# families (nlctrl, nl80211, devlink, ...) never queue behind a VMM's map.
# Program: tests/uapi/core-nlblock (TAP).

load helpers

NLBLOCK=$UAPI_DIR/core-nlblock

setup_file() {
	requires ours iommu edu root
	SOLO=$(edu_solo)
	bind_vfio "$SOLO"
	G_SOLO=$(iommu_group_of "$SOLO")
	export SOLO G_SOLO
}

teardown_file() {
	echo N >/sys/module/vfio_iommu_type1/parameters/disable_hugepages || true
	unbind_all "$SOLO"
}

@test "core: netlink (ours and nlctrl) answers within 1 s during a long MAP_DMA" {
	# disable_hugepages=Y and unfaulted, non-THP memory: the map pins
	# and maps page by page, seconds under TCG.  A family that waited
	# for the container (or held genl_mutex while waiting) would answer
	# only when the map ends (6-7 s here).  The bound leaves TCG room:
	# the worst answers seen were 22/32 ms (6.1) and 102/173 ms (6.12).
	echo Y >/sys/module/vfio_iommu_type1/parameters/disable_hugepages
	ulimit -l unlimited
	vrun "$NLBLOCK" "$G_SOLO" 768 1000
	[ "$status" -ne 77 ] || skip "the map was too quick to overlap: ${lines[*]}"
	grep '^# MAP_DMA' <<<"$output" | sed "s/^# /# kernel=$KERNEL_SERIES /" >&3
	assert_success
	assert_output --partial "vfioctl container dump answered within"
	assert_output --partial "nlctrl GETFAMILY (another genl family) answered within"
	refute_output --partial "not ok"
}
