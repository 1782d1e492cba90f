#!/usr/bin/env bats
# The VGA region of vfio-pci (VFIO_PCI_VGA_REGION_INDEX) and its part in
# the VGA arbiter, on QEMU's std VGA (1234:1111, class 0x0300) behind the
# root port 00:16.0 (tests/vm/run), and on edu for the refusal.  Stock
# vfio-pci (CONFIG_VFIO_PCI_VGA=y in Debian) is the oracle.  The checks
# through the region live in tests/uapi/pci-vga (TAP output).
# bats file_tags=stock

load helpers

VGA_VENDOR=0x1234
VGA_DEVICE=0x1111

# vga_device - the address of QEMU's std VGA (class 0x0300), or nothing
vga_device() {
	local d v id c
	for d in /sys/bus/pci/devices/*; do
		read -r v <"$d/vendor" && read -r id <"$d/device" &&
			read -r c <"$d/class" || continue
		[ "$v" = "$VGA_VENDOR" ] && [ "$id" = "$VGA_DEVICE" ] &&
			[ "${c:0:6}" = 0x0300 ] && { echo "${d##*/}"; return 0; }
	done
	return 0
}

# arbiter_line - the VGA arbiter's state of $VGA
arbiter_line() {
	"$UAPI_DIR/pci-vga" arbiter "$VGA"
}

setup_file() {
	load_stack
	VGA=$(vga_device)
	# the driver the guest gave it at boot (bochs-drm, if udev loaded it)
	VGA_HOST_DRIVER=
	[ -z "$VGA" ] || VGA_HOST_DRIVER=$(driver_of "$VGA")
	export VGA VGA_HOST_DRIVER
}

teardown_file() {
	[ -n "$VGA" ] || return 0
	[ "$(driver_of "$VGA")" != vfio-pci ] || unbind_all "$VGA"
	# back to the guest's own driver
	[ -z "$VGA_HOST_DRIVER" ] || echo "$VGA" >/sys/bus/pci/drivers_probe
}

setup() {
	requires root stack iommu
	[ -n "$VGA" ] || skip "no VGA device (tests/vm/run puts QEMU's std VGA at 05:00.0)"
}

teardown() {
	local d
	for d in $(edu_devices); do
		[ "$(driver_of "$d")" != vfio-pci ] || unbind_all "$d"
	done
	if [ "$(cat /sys/module/vfio_pci/parameters/disable_vga 2>/dev/null)" = Y ]; then
		[ "$(driver_of "$VGA")" != vfio-pci ] || unbind_all "$VGA"
		reload_vfio_pci
	fi
}

@test "pci: the VGA device is a VGA-class function alone in its group" {
	vrun cat "/sys/bus/pci/devices/$VGA/class"
	assert_output 0x030000
	[ "$(group_size "$(iommu_group_of "$VGA")")" -eq 1 ] || fail "$VGA shares its IOMMU group"
	# vfio-pci offers the region unless told not to (default N, read-only)
	vrun cat /sys/module/vfio_pci/parameters/disable_vga
	assert_output N
	vrun stat -c %a /sys/module/vfio_pci/parameters/disable_vga
	assert_output 444
}

@test "pci: VGA region info, ports and memory through the region, clipping, EINVAL outside" {
	vrun bind_vfio "$VGA"
	assert_success
	vrun "$UAPI_DIR/pci-vga" region "$VGA"
	assert_success
	refute_output --partial "not ok"
	assert_output --partial "VGA region size 0xc0000"
	# the arbiter: we decode everything, and no lock is left behind
	vrun arbiter_line
	assert_success
	assert_output --regexp "PCI:$VGA,decodes=io\+mem,owns=[a-z+]*,locks=none\(0:0\)"
}

@test "pci: a second user of the region finds the arbiter free" {
	vrun bind_vfio "$VGA"
	assert_success
	local i
	for i in 1 2; do
		vrun "$UAPI_DIR/pci-vga" region "$VGA"
		assert_success
		refute_output --partial "not ok"
	done
	vrun arbiter_line
	assert_output --regexp "locks=none\(0:0\)"
}

@test "pci: no VGA region on a non-VGA device (edu): EINVAL" {
	requires edu
	local edu
	edu=$(edu_solo)
	vrun bind_vfio "$edu"
	assert_success
	vrun "$UAPI_DIR/pci-vga" none "$edu"
	assert_success
	refute_output --partial "not ok"
	assert_output --partial "REGION_INFO of the VGA index fails with Invalid argument"
}

@test "pci: disable_vga=1: no VGA region, legacy decodes given up behind the bridge while bound" {
	reload_vfio_pci disable_vga=1
	vrun cat /sys/module/vfio_pci/parameters/disable_vga
	assert_output Y
	vrun bind_vfio "$VGA"
	assert_success
	vrun "$UAPI_DIR/pci-vga" none "$VGA"
	assert_success
	refute_output --partial "not ok"
	# the only VGA device below its root port: the decode callback says
	# it needs no legacy range, so the arbiter can route it elsewhere
	vrun arbiter_line
	assert_output --regexp "PCI:$VGA,decodes=none,"
	# unbound, it decodes everything again
	unbind_all "$VGA"
	vrun arbiter_line
	assert_output --regexp "PCI:$VGA,decodes=io\+mem,"
}
