#!/usr/bin/env bats
# A real client with a real PMD: Debian's dpdk-testpmd drives QEMU's e1000
# (82540EM, DPDK's net_e1000_em) through VFIO -- type1 container, IOVA as
# VA, the device's own INTx (it has no MSI) -- and transmits in txonly mode.
# The e1000 writes each TX descriptor's done bit back through the IOMMU and
# the PMD only reuses a descriptor once it sees that bit, so more packets
# sent than the ring holds proves the device's DMA works both ways.
# No hugepages: --no-huge with a low --base-virtaddr keeps DPDK's IOVAs
# inside the emulated IOMMU's 39-bit address width.  Two lcores (testpmd
# wants one for forwarding) share CPU 0, so one vCPU is enough.  No
# --tx-first: it turns the link-state interrupt off, and that interrupt is
# what exercises INTx here.
# bats file_tags=stock

load helpers

E1000_VENDOR=0x8086
E1000_DEVICE=0x100e
TXD=128

setup() {
	requires root stack iommu
	command -v dpdk-testpmd >/dev/null ||
		skip "dpdk-testpmd not installed (Debian package dpdk-dev)"
	# Debian's DPDK is built for corei7 (tests/vm/run gives the VM such a CPU).
	grep -qw sse4_2 /proc/cpuinfo ||
		fail "the CPU lacks SSE4.2, which Debian's DPDK requires"
	NIC=$(e1000_device)
	[ -n "$NIC" ] || fail "no e1000 (8086:100e) in the VM (tests/vm/run adds one)"
	GROUP=$(iommu_group_of "$NIC")
	# The guest's own e1000 driver normally has it; give it back afterwards.
	ORIG_DRIVER=$(driver_of "$NIC")
}

teardown() {
	[ -n "${NIC:-}" ] || return 0
	[ "$(driver_of "$NIC")" != vfio-pci ] || unbind_all "$NIC"
	[ -z "$ORIG_DRIVER" ] || echo "$NIC" >/sys/bus/pci/drivers_probe
}

# e1000_device - the PCI address of the 82540EM.
e1000_device() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = "$E1000_VENDOR" ] &&
			[ "$(cat "$d/device")" = "$E1000_DEVICE" ] && basename "$d"
	done | head -n 1
}

# wait_log PID LOG REGEX SECONDS - wait until LOG has a line matching REGEX,
# process PID has exited or SECONDS have passed.
wait_log() {
	local deadline=$((SECONDS + $4))
	while [ $SECONDS -lt $deadline ] && kill -0 "$1" 2>/dev/null &&
		! grep -qE "$3" "$2"; do
		sleep 0.5
	done
}

# run_testpmd ADDR SECONDS - run testpmd in txonly mode on ADDR, let it
# forward for SECONDS once it says so, then press enter (as a user would) so
# that it stops, prints its statistics and closes the port.  Prints its log.
run_testpmd() {
	local fifo=$BATS_TEST_TMPDIR/stdin log=$BATS_TEST_TMPDIR/testpmd.log
	local pid rc
	# if testpmd has died, the enter below must not kill us with SIGPIPE
	trap '' PIPE
	mkfifo "$fifo"
	# stdbuf: testpmd's stdout goes to a file; line-buffer it so that its
	# "Press enter to exit" shows up when it is printed.
	timeout 90 stdbuf -oL dpdk-testpmd --lcores 0@0,1@0 --iova-mode=va \
		--vfio-intr=legacy --no-huge -m 64 --base-virtaddr=0x1000000 \
		--no-shconf --no-telemetry -a "$1" -- \
		--forward-mode=txonly --txd=$TXD --rxd=$TXD \
		--total-num-mbufs=2048 <"$fifo" >"$log" 2>&1 &
	pid=$!
	exec 4>"$fifo"
	wait_log "$pid" "$log" '^Press enter to exit' 60
	# The link comes up (QEMU's autonegotiation) while it forwards: the
	# e1000 raises INTx, which reaches DPDK through VFIO's eventfd.
	wait_log "$pid" "$log" 'link state change event' 20
	sleep "$2"
	echo >&4 2>/dev/null
	exec 4>&-
	wait "$pid"
	rc=$?
	cat "$log"
	return "$rc"
}

@test "testpmd probes the e1000 through VFIO and transmits with no DMA fault" {
	vrun bind_vfio "$NIC"
	assert_success
	local before
	before=$(dmesg | wc -l)

	vrun run_testpmd "$NIC" 3
	assert_success
	# DPDK's EAL: VFIO with the type1 backend, and the e1000 PMD probed it
	assert_line 'EAL: VFIO support initialized'
	assert_line 'EAL: Using IOMMU type 1 (Type 1)'
	assert_line "EAL: Probe PCI driver: net_e1000_em (8086:100e) device: $NIC (socket -1)"
	# the port came up and forwarding ran until we stopped it
	assert_line --regexp '^Port 0: ([0-9A-F]{2}:){5}[0-9A-F]{2}$'
	assert_line 'Press enter to exit'
	# INTx (the e1000 has no MSI; --vfio-intr=legacy) delivered the link
	# state change through VFIO
	assert_line 'Port 0: link state change event'
	assert_line 'Port 0 is closed'
	assert_line 'Bye...'
	refute_line --partial 'Error'
	local tx
	tx=$(sed -n 's/^ *TX-packets: *\([0-9]*\) .*/\1/p' <<<"$output" | head -n 1)
	[ -n "$tx" ] || fail "testpmd printed no TX-packets count"
	echo "# TX-packets: $tx (ring: $TXD descriptors)" >&3
	[ "$tx" -gt "$TXD" ] ||
		fail "only $tx packets sent: the e1000 never completed its TX ring"

	# no IOMMU fault while the e1000 did DMA
	run bash -c "dmesg | tail -n +$((before + 1))"
	refute_output --regexp 'DMAR|DMA (Read|Write)|fault'

	# testpmd released the device: still on vfio-pci, and the group opens
	# again (EBUSY while anyone holds it)
	assert_equal "$(driver_of "$NIC")" vfio-pci
	vrun bash -c "exec 3<>/dev/vfio/$GROUP"
	assert_success
}
