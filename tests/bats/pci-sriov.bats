#!/usr/bin/env bats
# vfio-pci on SR-IOV functions, on QEMU's NVMe controller with two VFs
# (tests/vm/run): a VF's IDs and memory decode, a PF with VFs refused, and
# the VF token of a PF on vfio-pci (enable_sriov).  The VFIO checks live in
# tests/uapi/pci-sriov (TAP output); expected values come from sysfs.
# bats file_tags=stock

load helpers

NVME_VENDOR=0x1b36
NVME_DEVICE=0x0010
PARAM=/sys/module/vfio_pci/parameters/enable_sriov

# sriov_pf - the NVMe PF (the one function with an SR-IOV capability)
sriov_pf() {
	local d v id
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/sriov_totalvfs" ] || continue
		read -r v <"$d/vendor" && read -r id <"$d/device" || continue
		[ "$v" = "$NVME_VENDOR" ] && [ "$id" = "$NVME_DEVICE" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# vf_of PF N - the address of PF's VF N
vf_of() {
	local l
	l=$(readlink "/sys/bus/pci/devices/$1/virtfn$2") || return 1
	echo "${l##*/}"
}

# sriov_host_vfs PF N - N VFs on the PF left on its host driver (nvme),
# probed by no driver
sriov_host_vfs() {
	local p=/sys/bus/pci/devices/$1
	[ "$(driver_of "$1")" = nvme ] || { echo "PF $1 is not on nvme" >&2; return 1; }
	echo 0 >"$p/sriov_drivers_autoprobe"
	echo "$2" >"$p/sriov_numvfs"
}

# dmesg_count REGEX - how many kernel log lines match
dmesg_count() {
	dmesg | grep -c -- "$1" || true
}

setup_file() {
	load_stack
}

setup() {
	requires root stack iommu
	PF=$(sriov_pf) || skip "test requires QEMU's SR-IOV NVMe controller"
}

# Whatever a test left: VFs gone, the PF back on nvme, defaults restored.
teardown() {
	local p=/sys/bus/pci/devices/$PF
	if [ "$(cat "$p/sriov_numvfs")" != 0 ]; then
		if [ -z "$(driver_of "$PF")" ]; then
			echo >"$p/driver_override"
			echo nvme >"$p/driver_override"
			echo "$PF" >/sys/bus/pci/drivers_probe || true
		fi
		[ "$(driver_of "$PF")" != vfio-pci ] || echo Y >"$PARAM"
		echo 0 >"$p/sriov_numvfs" || true
	fi
	[ ! -w "$PARAM" ] || echo N >"$PARAM"
	[ "$(driver_of "$PF")" = nvme ] || {
		unbind_all "$PF"
		echo "$PF" >/sys/bus/pci/drivers_probe || true
	}
	echo >"$p/driver_override"
	echo 1 >"$p/sriov_drivers_autoprobe"
}

@test "sriov: a VF's vendor and device IDs through VFIO are the PF's, not the hardware's 0xffff" {
	vrun sriov_host_vfs "$PF" 1
	assert_success
	VF=$(vf_of "$PF" 0)
	vrun bind_vfio "$VF"
	assert_success
	vrun bounded 60 "$UAPI_DIR/pci-sriov" ids "$VF"
	assert_success
	refute_output --partial "not ok"
}

@test "sriov: a VF shows memory enabled and its virtual COMMAND memory bit never gates its BARs (no_command_memory)" {
	vrun sriov_host_vfs "$PF" 1
	assert_success
	VF=$(vf_of "$PF" 0)
	vrun bind_vfio "$VF"
	assert_success
	vrun bounded 60 "$UAPI_DIR/pci-sriov" mem "$VF" "$PF"
	assert_success
	refute_output --partial "not ok"
}

@test "sriov: binding a PF with VFs enabled is refused with EBUSY, and the log says why" {
	vrun sriov_host_vfs "$PF" 1
	assert_success
	before=$(dmesg_count "$PF: Cannot bind to PF with SR-IOV enabled")
	echo vfio-pci >"/sys/bus/pci/devices/$PF/driver_override"
	echo "$PF" >"/sys/bus/pci/devices/$PF/driver/unbind"
	vrun bash -c "echo $PF >/sys/bus/pci/drivers/vfio-pci/bind"
	assert_failure
	assert_output --partial "Device or resource busy"
	assert_equal "$(driver_of "$PF")" ""
	after=$(dmesg_count "$PF: Cannot bind to PF with SR-IOV enabled")
	assert_equal "$after" "$((before + 1))"
}

@test "sriov: a PF on vfio-pci creates no VF without enable_sriov (ENOENT)" {
	vrun bind_vfio "$PF"
	assert_success
	assert_equal "$(cat "$PARAM")" N
	vrun bash -c "echo 1 >/sys/bus/pci/devices/$PF/sriov_numvfs"
	assert_failure
	assert_output --partial "No such file or directory"
	assert_equal "$(cat "/sys/bus/pci/devices/$PF/sriov_numvfs")" 0
}

@test "sriov: enable_sriov, the VF token: VFs of a PF on vfio-pci open only with the PF's token" {
	echo Y >"$PARAM"
	vrun bind_vfio "$PF"
	assert_success
	vrun bounded 120 "$UAPI_DIR/pci-sriov" token "$PF"
	assert_success
	refute_output --partial "not ok"
	assert_equal "$(cat "/sys/bus/pci/devices/$PF/sriov_numvfs")" 0
	run dmesg
	assert_output --partial "$PF: Captured SR-IOV VF"
}
