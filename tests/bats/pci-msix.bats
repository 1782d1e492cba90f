#!/usr/bin/env bats
# MSI-X with real clients, on the modern virtio-net-pci of tests/vm/run
# (04:00.0: MSI-X with 4 vectors, the table in BAR1, on a slirp network
# restricted to the guest).
#
# DPDK's net_virtio PMD (Debian's 22.11) takes the port through VFIO with
# --vfio-intr=msix and RX interrupts (tests/uapi/dpdk-virtio): it enables
# MSI-X through VFIO_DEVICE_SET_IRQS, the program sends an ARP request for
# slirp's gateway and sleeps in epoll until the RX vector's eventfd fires
# on the reply; /proc/interrupts must count that interrupt on the vector.
#
# Growing MSI-X while enabled (tests/uapi/pci-msix-grow): what stock does
# differs by kernel, and ours follows it (kmod/compat/compat.h,
# VFIOCTL_MSI_CTX_PER_TABLE).  6.1 refuses any vector past those enabled
# (EINVAL; a VMM disables and enables again); 6.12 allocates the vector
# while MSI-X stays enabled where the MSI-X domain can (here: x86's vector
# domain under intel-iommu interrupt remapping) and then leaves NORESIZE
# out of the MSI-X IRQ info.
# bats file_tags=stock

load helpers

DPDK_VIRTIO=$UAPI_DIR/dpdk-virtio

setup() {
	requires root stack iommu
	NVME_PF=
	NET=$(virtio_net) || skip "test requires the virtio-net-pci device of tests/vm/run"
	ORIG_DRIVER=$(driver_of "$NET")
}

teardown() {
	if [ -n "${NVME_PF:-}" ]; then
		[ "$(driver_of "$NVME_PF")" != vfio-pci ] || unbind_all "$NVME_PF"
		[ -z "$NVME_DRIVER" ] || echo "$NVME_PF" >/sys/bus/pci/drivers_probe
	fi
	[ -n "${NET:-}" ] || return 0
	[ "$(driver_of "$NET")" != vfio-pci ] || unbind_all "$NET"
	[ -z "$ORIG_DRIVER" ] || echo "$NET" >/sys/bus/pci/drivers_probe
}

# virtio_net - the virtio-net-pci of tests/vm/run
virtio_net() { pci_find $VIRTIO_NET_VENDOR $VIRTIO_NET_DEVICE; }

@test "DPDK net_virtio takes RX interrupts through VFIO MSI-X (ARP to slirp's gateway)" {
	[ -x "$DPDK_VIRTIO" ] ||
		skip "tests/uapi/dpdk-virtio not built (configure found no libdpdk; install libdpdk-dev)"
	# Debian's DPDK is built for corei7 (tests/vm/run gives the VM such a CPU).
	grep -qw sse4_2 /proc/cpuinfo ||
		fail "the CPU lacks SSE4.2, which Debian's DPDK requires"
	vrun bind_vfio "$NET"
	assert_success
	local before
	before=$(dmesg | wc -l)

	# IOVA as VA, no hugepages, low base address: DPDK's IOVAs stay inside
	# the emulated IOMMU's 39-bit address width (as pci-testpmd.bats).
	vrun bounded 90 "$DPDK_VIRTIO" --iova-mode=va --no-huge -m 64 \
		--base-virtaddr=0x1000000 --no-shconf --no-telemetry -l 0 \
		-a "$NET" --vfio-intr=msix -- "$NET"
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/dpdk.out"
	refute_line --partial 'not ok'
	assert_line 'EAL: VFIO support initialized'
	assert_line 'EAL: Using IOMMU type 1 (Type 1)'
	assert_line "EAL: Probe PCI driver: net_virtio (1af4:1041) device: $NET (socket -1)"
	assert_line --regexp '^ok [0-9]+ - port 0 is driven by net_virtio'
	assert_line --regexp "^ok [0-9]+ - /proc/interrupts has vfio-msix\\[0\\] and \\[1\\] of $NET"
	assert_line --regexp '^ok [0-9]+ - rte_epoll_wait: the RX interrupt arrived'
	# slirp's gateway answers from its special MAC, 52:55 then its IP
	assert_line --regexp '^ok [0-9]+ - ARP reply: 10.0.2.2 is at 52:55:0A:00:02:02$'
	assert_line --regexp "^ok [0-9]+ - vfio-msix\\[1\\]\\($NET\\), the RX vector, counted the interrupt"
	assert_line --regexp '^ok [0-9]+ - stats: [1-9][0-9]* packets transmitted$'
	assert_line --regexp '^ok [0-9]+ - stats: [1-9][0-9]* packets received$'
	assert_line --regexp "^ok [0-9]+ - no vfio-msix line of $NET left after rte_eth_dev_stop"
	assert_line --regexp '^ok [0-9]+ - rte_eal_cleanup'
	# net_virtio (22.11) disables the interrupts in dev_stop and again in
	# dev_close; the second VFIO_DEVICE_SET_IRQS (DATA_NONE, count 0) finds
	# MSI-X off, and stock (6.1 and 6.12) and ours refuse it with EINVAL,
	# which DPDK logs.  That line, once, after the stop: nothing else from
	# DPDK (lines that are not the program's TAP) about an error, a
	# warning or a failure, VFIO's above all.
	local disable='EAL: Error disabling MSI-X interrupts for fd [0-9]+'
	run awk -v re="^$disable\$" '/^ok [0-9]+ - rte_eth_dev_stop / { s = NR }
		$0 ~ re { n++; if (s && NR > s) after++ }
		END { print n + 0, after + 0 }' <<<"$output"
	assert_output '1 1'
	output=$(cat "$BATS_TEST_TMPDIR/dpdk.out")
	run grep -vE -e '^(ok|not ok) [0-9]+ - |^# |^1\.\.' -e "^$disable\$" <<<"$output"
	refute_output --regexp '[Ee]rror|[Ww]arn|[Ff]ail|[Cc]annot|[Uu]nable'

	# no IOMMU fault while the device did DMA
	run bash -c "dmesg | tail -n +$((before + 1))"
	refute_output --regexp 'DMAR|DMA (Read|Write)|fault'
}

@test "MSI-X grows while enabled as stock does on this kernel; MSI-X BAR capabilities" {
	[ -x "$UAPI_DIR/pci-msix-grow" ] || fail "tests/uapi/pci-msix-grow not built"
	case "$KERNEL_SERIES" in
	6.1|6.12) ;;
	*) skip "stock's behaviour is known for 6.1 and 6.12 only" ;;
	esac
	vrun bind_vfio "$NET"
	assert_success
	vrun bounded 60 "$UAPI_DIR/pci-msix-grow" "$NET" "$KERNEL_SERIES"
	assert_success
	refute_line --partial 'not ok'
	assert_line --regexp '^1\.\.[0-9]+$'
	assert_line --regexp '^ok [0-9]+ - BAR1 holds the MSI-X table: MMAP and MSIX_MAPPABLE'
	assert_line --regexp '^ok [0-9]+ - vector 2.s eventfd fired$'
	if [ "$KERNEL_SERIES" = 6.12 ]; then
		assert_line --regexp '^ok [0-9]+ - vector 0 kept its irq while MSI-X grew'
	else
		assert_line --regexp '^ok [0-9]+ - eventfds on vectors 0-[0-9]+ while enabled: Invalid argument'
	fi
}

# ------------------------------------------------ nested QEMU on the NVMe

# the nested machine's physical memory (-m 128M): MSI-X message target,
# admin submission and completion queues, Identify buffer
MSI_ADDR=0x100000
MSI_DATA=0x4e564d45
ASQ=0x200000
ACQ=0x201000
IDBUF=0x202000
BAR0=0xc0000000

# nvme_pf - the SR-IOV NVMe PF of tests/vm/run
nvme_pf() { pci_find $NVME_VENDOR $NVME_DEVICE; }

# cfg_byte ADDR OFF - one byte of ADDR's config space, in decimal
cfg_byte() {
	od -An -tu1 -j "$2" -N1 "/sys/bus/pci/devices/$1/config" | tr -d ' '
}

# msix_cap ADDR - the config offset of ADDR's MSI-X capability
msix_cap() {
	local pos guard=48
	pos=$(cfg_byte "$1" 0x34)
	while [ "$pos" -ge 64 ] && [ $((guard--)) -gt 0 ]; do
		[ "$(cfg_byte "$1" "$pos")" -eq 17 ] && { echo "$pos"; return 0; }
		pos=$(($(cfg_byte "$1" $((pos + 1))) & ~3))
	done
	return 1
}

# msix_count ADDR VECTOR - /proc/interrupts' count of vfio-msix[VECTOR](ADDR)
msix_count() {
	awk -v tag="vfio-msix[$2]($1)" 'index($0, tag) {
		n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i
		print n; found = 1 } END { if (!found) print -1 }' /proc/interrupts
}

# qt_start ADDR - start QEMU with ADDR passed through at 00:04.0 and a
# qtest channel on a FIFO; qt sends commands one at a time.
qt_start() {
	QT_OUT=$BATS_TEST_TMPDIR/qtest.out QT_ERR=$BATS_TEST_TMPDIR/qtest.err
	local fifo=$BATS_TEST_TMPDIR/qtest.in
	mkfifo "$fifo"
	qemu-system-x86_64 -S -qtest stdio -qtest-log "$BATS_TEST_TMPDIR/qtest.log" \
		-machine q35 -accel tcg \
		-display none -nodefaults -m 128M \
		-device "vfio-pci,host=$1,bus=pcie.0,addr=0x4" \
		<"$fifo" >"$QT_OUT" 2>"$QT_ERR" &
	QT_PID=$!
	exec 5>"$fifo"
	QT_N=0
}

# qt CMD... - send one qtest command, wait (30 s at most) for its answer;
# QT_VAL is the answer's value (decimal) if it has one.  Logs both.
qt() {
	local i ans
	echo "$*" >&5 || return 1
	QT_N=$((QT_N + 1))
	for i in $(seq 300); do
		ans=$(grep -E '^(OK|FAIL|ERR)' "$QT_OUT" | sed -n "${QT_N}p")
		[ -z "$ans" ] || break
		kill -0 "$QT_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "qt: $* -> ${ans:-(no answer)}"
	QT_VAL=
	[[ "$ans" == OK* ]] || return 1
	set -- $ans
	[ -z "${2:-}" ] || QT_VAL=$(($2))
}

# qt_stop - stop the QEMU qt_start started; print its stderr as "stderr: "
# lines, but for the line its SIGTERM handler prints and qtest's GLib
# timer assertion (as tests/bats/pci-qemu.bats).
qt_stop() {
	exec 5>&-
	kill "$QT_PID" 2>/dev/null
	wait "$QT_PID" 2>/dev/null
	grep -Ev '^qemu-system-x86_64: (terminating on signal 15 from pid [0-9]+|GLib: g_timer_elapsed: assertion .timer != NULL. failed)' "$QT_ERR" |
		sed 's/^/stderr: /'
	return 0
}

# nested_nvme PF - the nested "guest" (qtest) programs the NVMe: BAR0,
# MSI-X vector 0 aimed at RAM, admin queues, Identify Controller; it waits
# for the MSI-X write and the completion.  Prints what it saw.
nested_nvme() {
	local pf=$1 cap table tbl i cfg=0x80002000 ctl
	cap=$(msix_cap "$pf") || { echo "no MSI-X capability on $pf"; return 1; }
	table=$(od -An -tu4 -j $((cap + 4)) -N4 "/sys/bus/pci/devices/$pf/config" | tr -d ' ')
	[ $((table & 7)) -eq 0 ] || { echo "MSI-X table not in BAR0"; return 1; }
	tbl=$((BAR0 + (table & ~7)))
	echo "MSI-X capability at $cap, table at BAR0+$((table & ~7))"
	qt_start "$pf"
	# 64-bit BAR0, memory decode and bus mastering
	qt outl 0xcf8 $((cfg + 0x10)) && qt outl 0xcfc $BAR0 &&
		qt outl 0xcf8 $((cfg + 0x14)) && qt outl 0xcfc 0 &&
		qt outl 0xcf8 $((cfg + 0x04)) && qt outw 0xcfc 0x0006 || return 1
	# MSI-X entry 0: address, data, unmasked; then MSI-X enable
	qt writel $tbl $MSI_ADDR && qt writel $((tbl + 4)) 0 &&
		qt writel $((tbl + 8)) $MSI_DATA && qt writel $((tbl + 12)) 0 || return 1
	qt outl 0xcf8 $((cfg + (cap & ~3))) &&
		qt outw $((0xcfc + (cap & 3) + 2)) 0x8000 || return 1
	qt outl 0xcf8 $((cfg + (cap & ~3))) &&
		qt inw $((0xcfc + (cap & 3) + 2)) || return 1
	ctl=$QT_VAL
	echo "MSI-X control after enable: $(printf 0x%x "$ctl")"
	# admin queues of 4 entries, CC.EN with 64/16-byte I/O entries
	qt writel $((BAR0 + 0x24)) 0x00030003 && qt writeq $((BAR0 + 0x28)) $ASQ &&
		qt writeq $((BAR0 + 0x30)) $ACQ &&
		qt writel $((BAR0 + 0x14)) 0x00460001 || return 1
	for i in $(seq 50); do
		qt readl $((BAR0 + 0x1c)) || return 1
		[ $((QT_VAL & 1)) -eq 1 ] && break
		sleep 0.1
	done
	echo "CSTS: $(printf 0x%x "$QT_VAL")"
	# Identify Controller, command ID 0x1234, into IDBUF; ring SQ0's doorbell
	qt writel $ASQ 0x12340006 && qt writeq $((ASQ + 24)) $IDBUF &&
		qt writel $((ASQ + 40)) 1 && qt writel $((BAR0 + 0x1000)) 1 || return 1
	for i in $(seq 100); do
		qt readl $MSI_ADDR || return 1
		[ "$QT_VAL" -eq $((MSI_DATA)) ] && break
		sleep 0.2
	done
	echo "MSI-X message at $MSI_ADDR: $(printf 0x%x "$QT_VAL")"
	qt readl $((ACQ + 8)) && echo "completion DW2: $(printf 0x%x "$QT_VAL")"
	qt readl $((ACQ + 12)) && echo "completion DW3: $(printf 0x%x "$QT_VAL")"
	qt readw $IDBUF && echo "Identify VID: $(printf 0x%x "$QT_VAL")"
	echo "host vfio-msix[0]($pf): $(msix_count "$pf" 0)"
	# the nested "guest" turns MSI-X off again
	qt outl 0xcf8 $((cfg + (cap & ~3))) &&
		qt outw $((0xcfc + (cap & 3) + 2)) 0 || return 1
	echo "host vfio-msix[0]($pf) after disable: $(msix_count "$pf" 0)"
}

# nested_run PF - nested_nvme, then stop QEMU whatever happened
nested_run() {
	local rc=0
	nested_nvme "$1" || rc=$?
	qt_stop
	return $rc
}

@test "nested QEMU: -device vfio-pci on the NVMe, MSI-X programmed by the guest, Identify completes with an interrupt" {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
	local pf
	pf=$(nvme_pf) || skip "test requires the SR-IOV NVMe of tests/vm/run"
	[ "$(cat "/sys/bus/pci/devices/$pf/sriov_numvfs")" = 0 ] || fail "$pf has VFs enabled"
	NVME_PF=$pf NVME_DRIVER=$(driver_of "$pf")
	vrun bind_vfio "$pf"
	assert_success
	vrun bounded 240 nested_run "$pf"
	assert_success
	# Nothing on stderr from realize to exit (as pci-qemu.bats)
	refute_line --regexp '^stderr: '
	# MSI-X enabled in the nested machine's view (bit 15)
	assert_line --regexp '^MSI-X control after enable: 0x[89a-f][0-9a-f]{3}$'
	assert_line 'CSTS: 0x1'
	# the interrupt: QEMU's vfio handler got the eventfd and wrote the
	# vector's message where the "guest" aimed it
	assert_line "MSI-X message at $MSI_ADDR: $(printf 0x%x $MSI_DATA)"
	# the completion: SQ 0 head 1; command 0x1234, phase 1, status 0
	assert_line 'completion DW2: 0x1'
	assert_line 'completion DW3: 0x11234'
	# what Identify Controller returned through the IOMMU: QEMU's PCI vendor
	assert_line 'Identify VID: 0x1b36'
	# the host side: the interrupt came in on vfio-pci's MSI-X vector 0,
	# and the guest's disable took the vector away
	assert_line --regexp "^host vfio-msix\\[0\\]\\($pf\\): [1-9][0-9]*$"
	assert_line "host vfio-msix[0]($pf) after disable: -1"
}
