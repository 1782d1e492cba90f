#!/usr/bin/env bats
# type1 IOMMU backend through the UAPI: extensions, GET_INFO, MAP/UNMAP
# errnos and semantics, the entry limit, locked_vm accounting, and real DMA
# through the QEMU edu devices behind the emulated intel-iommu.
# The program doing the work is tests/uapi/type1-test (one subcommand per
# test, TAP output).
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
	echo 65535 >/sys/module/vfio_iommu_type1/parameters/dma_entry_limit || true
	unbind_all $(edu_devices)
}

setup() {
	requires stack iommu edu root
	# Our vfio-pci registers devices with the core only once the PCI work
	# lands; stock always does.
	[ -c "/dev/vfio/$G_SOLO" ] || skip "vfio-pci did not register IOMMU group $G_SOLO with the core"
}

@test "type1: CHECK_EXTENSION before and after SET_IOMMU" {
	# QEMU's intel-iommu has no snoop control: no domain enforces
	# cache coherency, so DMA_CC_IOMMU stays 0.
	vrun "$T1" ext "$G_SOLO" 0
	assert_success
}

@test "type1: GET_INFO argsz negotiation, IOVA_RANGE and DMA_AVAIL caps" {
	vrun "$T1" info "$G_SOLO"
	assert_success
	# Host address width 39 minus the MSI window.
	assert_output --partial "# iova range 0: 0x0-0xfedfffff"
	assert_output --partial "# iova range 1: 0xfef00000-0x7fffffffff"
	assert_output --partial "# dma_avail=65535"
}

@test "type1: MAP_DMA errnos (flags, argsz, alignment, wrap, range, EEXIST, EFAULT)" {
	vrun "$T1" map "$G_SOLO"
	assert_success
}

@test "type1: UNMAP_DMA errnos and v1 semantics (TYPE1)" {
	vrun "$T1" unmap "$G_SOLO" 1
	assert_success
}

@test "type1: UNMAP_DMA errnos and v2 semantics (TYPE1v2)" {
	vrun "$T1" unmap "$G_SOLO" 3
	assert_success
}

@test "type1: UNMAP_FLAG_ALL" {
	vrun "$T1" unmap-all "$G_SOLO"
	assert_success
}

@test "type1: dma_entry_limit gives ENOSPC" {
	local p=/sys/module/vfio_iommu_type1/parameters/dma_entry_limit
	run cat "$p"
	assert_output 65535
	echo 4 >"$p"
	vrun "$T1" limit "$G_SOLO" 4
	echo 65535 >"$p"
	assert_success
}

@test "type1: RLIMIT_MEMLOCK gives an unprivileged user ENOMEM and a log line" {
	dmesg -C
	vrun "$T1" memlock "$G_SOLO"
	assert_success
	pid=$(echo "$output" | sed -n 's/^# pid=\([0-9]*\) .*/\1/p')
	run dmesg
	assert_output --partial "RLIMIT_MEMLOCK (131072) exceeded"
	if [ "$VFIOCTL_STACK" = ours ]; then
		# Ours names the process and the request too.
		assert_output --regexp "type1-test\\[$pid\\].*RLIMIT_MEMLOCK \\(131072\\) exceeded.*1048576"
	fi
}

@test "type1: locked_vm back to start after unmap, close in every order, kill -9" {
	vrun "$T1" lockedvm "$G_SOLO" "$SOLO"
	assert_success
}

@test "type1: any holder of the container fd may unmap another mm's mapping" {
	vrun "$T1" othermm "$G_SOLO"
	assert_success
}

@test "type1: edu DMA round trip through the IOMMU, DMA to an unmapped iova blocked" {
	dmesg -C
	vrun "$T1" dma "$G_SOLO:$SOLO"
	assert_success
	# The blocked write is a DMAR fault at the unmapped destination.
	run dmesg
	assert_output --regexp "DMAR: \\[DMA Write.*\\] Request device \\[01:00.0\\] fault addr 0x1100000"
}

@test "type1: two groups in one container, DMA works for all three devices" {
	# Debian's 6.12 under QEMU's VT-d: once the bridge group has been in
	# a container before, DMA from its devices (requester alias 02:00.0)
	# faults in the next container's domain - on the stock stack exactly
	# as on ours (3 runs in one boot: 1 pass, then 2 fails, the same DMAR
	# read faults on both stacks).  It is below VFIO, so it only runs on
	# 6.1, where both stacks pass it every time.
	requires kernel:6.1
	vrun "$T1" dma "$G_SOLO:$SOLO" "$G_PAIR:$PAIR0" "$G_PAIR:$PAIR1"
	assert_success
	assert_output --partial "$PAIR1: 1024 bytes went RAM -> device -> RAM intact"
}

@test "type1: a 768 MiB MAP_DMA/UNMAP_DMA does not stall a sleeper on the same CPU" {
	# The guest kernels have voluntary preemption only: a task sharing
	# the CPU of an ioctl that never calls cond_resched() waits for the
	# whole ioctl.  disable_hugepages=Y (a run and an IOMMU mapping per
	# page) and a read-only mapping (unpinning dirties, so lock_page()s,
	# nothing) leave type1's own yields as the only ones.
	# The latency is a weak witness under TCG: a 768 MiB unmap is over in
	# 30-90 ms even without yielding, and the sleeper has been seen 85 ms
	# late around a 43 ms unmap (TCG on a loaded host), so the 250 ms
	# bound catches gross stalls only.  The strong witness is the
	# mapper's count of involuntary switches during the ioctl: with the
	# sleeper waiting every 1 ms, each schedule point switches, so an
	# ioctl that never yields counts 1-2 however slow it is (the module
	# before the chunking: 29 ms unmaps, 1-2 yields, on 6.1 and 6.12)
	# and ours must yield 3 + once per 20 ms.  Both are checked on ours
	# only; stock's numbers are printed (stock 6.12 unmaps in stretches
	# of about 20 ms).
	local p=/sys/module/vfio_iommu_type1/parameters/disable_hugepages
	local bound=250
	[ "$VFIOCTL_STACK" = ours ] || bound=
	echo Y >"$p"
	vrun "$T1" stall "$G_SOLO" 768 $bound
	echo N >"$p"
	grep '^# .*latency' <<<"$output" | sed "s/^# /# stack=$VFIOCTL_STACK kernel=$KERNEL_SERIES /" >&3
	assert_success
}

@test "type1: module parameters and their defaults as upstream" {
	local p=/sys/module/vfio_iommu_type1/parameters
	run cat "$p/dma_entry_limit"
	assert_output 65535
	run cat "$p/allow_unsafe_interrupts"
	assert_output N
	run cat "$p/disable_hugepages"
	assert_output N
	run stat -c '%a' "$p/dma_entry_limit" "$p/allow_unsafe_interrupts" "$p/disable_hugepages"
	assert_output "$(printf '644\n644\n644')"
}

@test "type1: disable_hugepages=Y (one IOMMU page per map) keeps DMA and locked_vm right" {
	local p=/sys/module/vfio_iommu_type1/parameters/disable_hugepages
	echo Y >"$p"
	vrun "$T1" dma "$G_SOLO:$SOLO"
	local st1=$status out1=$output
	vrun "$T1" lockedvm "$G_SOLO"
	echo N >"$p"
	[ "$st1" -eq 0 ] || fail "DMA with disable_hugepages=Y failed: $out1"
	assert_success
}

# latejoin_args - the pair group first, the solo group joins late.  On 6.12
# (stock too) DMA from the pair's PCIe-to-PCI bridge alias 02:00.0 faults
# ("PTE Read access is not set") once its group has been moved between
# domains with mappings present, so there only the late joiner -- the solo
# device -- is asked to DMA.
latejoin_args() {
	echo "$G_PAIR" "$G_SOLO" "$PAIR0" "$SOLO"
	[ "$KERNEL_SERIES" = 6.1 ] || echo skip-first
}

@test "type1: a group joining a container with mappings can DMA through them" {
	vrun "$T1" latejoin $(latejoin_args)
	assert_success
	assert_output --partial "$SOLO: DMA round trip through the earlier mappings"
}

@test "ours: a new IOMMU domain gets every mapping replayed (domain_per_group=Y)" {
	requires ours
	local p=/sys/module/vfio_iommu_type1/parameters/domain_per_group
	echo Y >"$p"
	vrun "$T1" latejoin $(latejoin_args)
	echo N >"$p"
	assert_success
	assert_output --partial "$SOLO: DMA round trip through the earlier mappings"
}
