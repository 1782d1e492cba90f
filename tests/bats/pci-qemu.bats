#!/usr/bin/env bats
# A real client: QEMU's own vfio-pci device, nested in the test VM.  QEMU
# opens the container and group, maps its guest RAM through type1 and
# realizes the device; no guest OS runs (-S): the qtest protocol drives
# config space (0xcf8/0xcfc) and reads the edu ID register through the
# passed-through BAR.
# bats file_tags=stock

load helpers

setup() {
	requires root stack iommu edu
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
	SOLO=$(edu_solo)
}

teardown() {
	[ "$(driver_of "$SOLO")" != vfio-pci ] || unbind_all "$SOLO"
}

# qtest_edu - run QEMU with the edu passed through at 00:04.0 and feed it
# qtest commands: read vendor/device, place BAR0 at 0xc0000000, enable
# memory decode, read the ID register, liveness register round trip.
# QEMU does not exit when the qtest channel closes (libqtest kills it), so
# wait for all eleven answers, then stop the QEMU we started.  QEMU's
# stderr comes back as "stderr: " lines, except the line its SIGTERM
# handler prints and qtest's own GLib timer assertion (both stacks, 6.1 and 6.12).
qtest_edu() {
	local out=$BATS_TEST_TMPDIR/qtest.out log=$BATS_TEST_TMPDIR/qtest.log
	local err=$BATS_TEST_TMPDIR/qtest.err
	local pid i n=0
	qemu-system-x86_64 -S -qtest stdio -qtest-log "$log" -machine q35 \
		-accel tcg -display none -nodefaults -m 128M \
		-device "vfio-pci,host=$SOLO,bus=pcie.0,addr=0x4" \
		>"$out" 2>"$err" <<-'QTEST' &
	outl 0xcf8 0x80002000
	inl 0xcfc
	outl 0xcf8 0x80002010
	outl 0xcfc 0xc0000000
	outl 0xcf8 0x80002010
	inl 0xcfc
	outl 0xcf8 0x80002004
	outw 0xcfc 0x0006
	readl 0xc0000000
	writel 0xc0000004 0x12345678
	readl 0xc0000004
	QTEST
	pid=$!
	for i in $(seq 300); do
		n=$(grep -c '^OK' "$out" || true)
		[ "$n" -lt 11 ] && kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	cat "$out"
	grep -Ev '^qemu-system-x86_64: (terminating on signal 15 from pid [0-9]+|GLib: g_timer_elapsed: assertion .timer != NULL. failed)' "$err" |
		sed 's/^/stderr: /'
	[ "$n" -eq 11 ]
}

@test "nested QEMU realizes -device vfio-pci and reads the edu ID through the BAR" {
	vrun bind_vfio "$SOLO"
	assert_success
	vrun qtest_edu
	assert_success
	# vendor 0x1234, device 0x11e8 through vfio's config region
	assert_line --regexp '^OK 0x0*11e81234$'
	# BAR0 as programmed by the "guest" (size bits masked: 1 MiB BAR)
	assert_line --regexp '^OK 0x0*c0000000$'
	# the edu identification register, then the liveness complement
	assert_line --regexp '^OK 0x0*10000ed$'
	assert_line --regexp '^OK 0x0*edcba987$'
	# Nothing on stderr from realize to exit: in particular no
	# "VFIO_MAP_DMA failed" when the BAR (a VM_PFNMAP mmap) is mapped
	# for peer-to-peer DMA as the "guest" enables memory decode.
	refute_line --regexp '^stderr: '
}
