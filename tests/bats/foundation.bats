#!/usr/bin/env bats
# Foundation: the modules load and unload cleanly, /dev/vfio/vfio comes and
# goes with our core, and the VM topology is what the suite expects.
# bats file_tags=stock

load helpers

setup_file() {
	# Every test here (re)loads what it needs.
	:
}

teardown() {
	# The updates/ test swaps the module index; never leave it swapped.
	if [ -d "$BATS_TEST_TMPDIR/modules-index" ]; then
		rm -rf "/lib/modules/$(uname -r)/updates/vfioctl"
		cp -p "$BATS_TEST_TMPDIR"/modules-index/modules.* "/lib/modules/$(uname -r)/"
	fi
	for d in $(edu_devices); do
		[ "$(driver_of "$d")" != vfio-pci ] || unbind_all "$d"
	done
	load_stack
}

@test "VM topology: three edu devices, one alone, two sharing a group" {
	requires edu iommu
	run edu_devices
	assert_equal "$(echo "$output" | wc -l)" 3
	run edu_solo
	assert_success
	solo=$output
	run edu_pair
	assert_equal "$(echo "$output" | wc -l)" 2
	pair=($output)
	assert_equal "$(iommu_group_of "${pair[0]}")" "$(iommu_group_of "${pair[1]}")"
	refute [ "$(iommu_group_of "$solo")" = "$(iommu_group_of "${pair[0]}")" ]
	# The solo edu sits behind a PCIe root port, so it can be reset.
	run readlink -f "/sys/bus/pci/devices/$solo/.."
	assert_output --regexp '/0000:00:10\.0$'
}

@test "the stack under test is loaded" {
	requires stack
	for m in vfio vfio_iommu_type1 vfio_pci; do
		module_loaded "$m" || fail "module $m is not loaded"
	done
	[ -c /dev/vfio/vfio ] || fail "/dev/vfio/vfio missing"
}

@test "ours: modules carry our version and the vfioctl netlink family" {
	requires ours
	for m in vfio vfio_iommu_type1 vfio_pci; do
		run cat "/sys/module/$m/version"
		assert_success
		assert_output --regexp -- '-vfioctl$'
		# Out-of-tree modules taint the kernel with O.
		run cat "/sys/module/$m/taint"
		assert_output --partial O
	done
	run genl_family_present vfioctl
	assert_success
}

@test "ours: /dev/vfio/vfio is 0666, appears with vfio and disappears on unload" {
	requires ours root
	run stat -c '%a %t:%T' /dev/vfio/vfio
	assert_output "666 a:c4"
	vrun unload_stack
	assert_success
	[ ! -e /dev/vfio/vfio ] || fail "/dev/vfio/vfio still present after rmmod vfio"
	module_loaded vfio && fail "vfio still loaded"
	vrun load_stack
	assert_success
	[ -c /dev/vfio/vfio ] || fail "/dev/vfio/vfio missing after reload"
}

@test "ours: unload order is enforced (vfio is in use while vfio_iommu_type1 is loaded)" {
	requires ours root
	vrun rmmod vfio
	assert_failure
	module_loaded vfio || fail "vfio was unloaded under its users"
}

@test "modules unload and reload three times in a row" {
	requires stack root
	for i in 1 2 3; do
		vrun unload_stack
		assert_success
		vrun load_stack
		assert_success
	done
}

@test "the solo edu binds to vfio-pci with driver_override + drivers_probe and gets a /dev/vfio node" {
	requires stack root edu iommu
	solo=$(edu_solo)
	vrun bind_vfio "$solo"
	assert_success
	assert_equal "$(driver_of "$solo")" vfio-pci
	g=$(iommu_group_of "$solo")
	assert_group_node "$g"
}

@test "the edu pair's group holds both devices and binds as a whole" {
	requires stack root edu iommu
	pair=($(edu_pair))
	g=$(iommu_group_of "${pair[0]}")
	run group_members "$g"
	assert_output --partial "${pair[0]}"
	assert_output --partial "${pair[1]}"
	vrun bind_vfio "${pair[@]}"
	assert_success
	assert_group_node "$g"
}

@test "ours: after install into updates/, modprobe vfio-pci loads our whole stack" {
	requires ours root
	rel=$(uname -r)
	# /lib is a throw-away overlay inside the test VM.
	dest=/lib/modules/$rel/updates/vfioctl
	vrun unload_stack
	assert_success
	mkdir -p "$dest"
	cp "$VFIOCTL_KMOD_DIR"/vfio.ko "$VFIOCTL_KMOD_DIR"/vfio_iommu_type1.ko \
		"$VFIOCTL_KMOD_DIR"/vfio-pci.ko "$dest/"
	# A full depmod reads every module over the VM's 9p root (minutes
	# under TCG).  Index a copy of the VFIO part of the tree instead -
	# ours in updates/ beside the kernel's own VFIO modules and their
	# dependencies - where updates/ must still win over kernel/, and use
	# that index; teardown puts the kernel's own index back.
	backup=$BATS_TEST_TMPDIR/modules-index
	mkdir -p "$backup"
	cp -p /lib/modules/"$rel"/modules.* "$backup/"
	base=$BATS_TEST_TMPDIR/root
	mkdir -p "$base/lib/modules/$rel"
	(cd /lib/modules/"$rel" && cp -r --parents updates modules.builtin \
		modules.builtin.modinfo modules.order $(ls -d kernel/drivers/vfio \
		kernel/drivers/iommu kernel/virt 2>/dev/null) "$base/lib/modules/$rel/")
	vrun depmod -b "$base" "$rel"
	assert_success
	cp "$base/lib/modules/$rel"/modules.* /lib/modules/"$rel"/
	run modprobe --show-depends vfio-pci
	assert_output --partial "updates/vfioctl/vfio-pci.ko"
	vrun modprobe vfio-pci
	assert_success
	for m in vfio vfio_iommu_type1 vfio_pci; do
		module_loaded "$m" || fail "modprobe vfio-pci did not load $m"
		run cat "/sys/module/$m/version"
		assert_output --regexp -- '-vfioctl$'
	done
	# Back to the build-tree modules for the rest of the suite.
	vrun modprobe -r vfio-pci vfio_iommu_type1 vfio
	assert_success
}
