#!/usr/bin/env bats
# Persistence at boot, replayed in the VM: a --force record (with its
# reason) is honoured by the boot path (the service's ExecStart) and only
# a forced record takes a device the host uses; the udev rule vfioctl
# writes from the records keeps the host driver (e1000, loaded in the
# guest) off the NIC at its add event; a bind failing halfway through a
# group at boot is rolled back.
# bats file_tags=stock

load helpers

E1000_VENDOR=0x8086
E1000_DEVICE=0x100e

pci_find() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = "$1" ] && [ "$(cat "$d/device")" = "$2" ] &&
			{ basename "$d"; return 0; }
	done
	return 1
}

netdev_of() { ls "/sys/bus/pci/devices/$1/net" 2>/dev/null | head -n 1; }
override_of() { cat "/sys/bus/pci/devices/$1/driver_override"; }

# The boot path: the unit's ExecStart with this build's binary, its output
# going to the journal as far as vfioctl can tell.
boot_apply() {
	local exec
	exec=$(sed -n 's/^ExecStart=//p' "$VFIOCTL_TOP/contrib/vfioctl-persist.service.in")
	exec=${exec/@sbindir@\/vfioctl/$VFIOCTL}
	vrun env JOURNAL_STREAM=8:1 $exec
}

# nic_to_host - the NIC back on e1000, up with a documentation address
# (no peer: the VM's network is restricted), so the host "uses" it.
nic_to_host() {
	local ifc
	unbind_all "$NIC"
	modprobe e1000
	echo "$NIC" >/sys/bus/pci/drivers_probe
	[ "$(driver_of "$NIC")" = e1000 ] || fail "$NIC did not go back to e1000"
	# udev renames the new eth0 (enp0s18): name it only once that is done.
	udevadm settle --timeout=30 || true
	ifc=$(netdev_of "$NIC")
	[ -n "$ifc" ] || fail "$NIC has no interface on e1000"
	ip link set "$ifc" up
	ip addr add 192.0.2.10/24 dev "$ifc"
}

setup() {
	requires root stack iommu
	export VFIOCTL_CONFDIR=$BATS_TEST_TMPDIR/vfioctl.d
	export VFIOCTL_RUNDIR=$BATS_TEST_TMPDIR/run
	export VFIOCTL_UDEV_RULES=/run/udev/rules.d/61-vfioctl-persist-test.rules
	mkdir -p /run/udev/rules.d
	NIC=$(pci_find $E1000_VENDOR $E1000_DEVICE) || skip "test requires the e1000 of tests/vm/run"
	ORIG_DRIVER=$(driver_of "$NIC")
	NIC_G=$(iommu_group_of "$NIC")
	[ "$(group_size "$NIC_G")" -eq 1 ] || skip "the e1000 is not alone in its group"
	CONF=$VFIOCTL_CONFDIR/$NIC.conf
	REASON="e1000 goes to the router VM (test)"
}

teardown() {
	local ifc d
	[ -n "${NIC:-}" ] || return 0	# setup skipped
	rm -f "$VFIOCTL_UDEV_RULES"
	udevadm control --reload 2>/dev/null
	for d in $(edu_devices); do unbind_all "$d"; done
	unbind_all "$NIC"
	if [ "${ORIG_DRIVER:-}" = e1000 ]; then
		modprobe e1000
		echo "$NIC" >/sys/bus/pci/drivers_probe
		ifc=$(netdev_of "$NIC")
		[ -z "$ifc" ] || ip addr flush dev "$ifc"
	fi
	return 0
}

@test "attach --force --persist --reason on a NIC the host uses: forced record, udev rule, persist list" {
	nic_to_host
	vrun "$VFIOCTL" group attach "$NIC_G" --persist
	assert_failure 4
	vrun "$VFIOCTL" group attach "$NIC_G" --force --persist
	assert_failure 2
	assert_output --partial "--force --persist needs --reason TEXT"
	vrun "$VFIOCTL" group attach "$NIC_G" --force --persist --reason "$REASON"
	assert_success
	assert_output --partial "persisted: $CONF (forced)"
	assert_equal "$(driver_of "$NIC")" vfio-pci
	run cat "$CONF"
	assert_line forced=yes
	assert_line "reason=$REASON"
	assert_line "device=$NIC 8086:100e"
	run cat "$VFIOCTL_UDEV_RULES"
	assert_line --partial "KERNEL==\"$NIC\", ATTR{vendor}==\"0x8086\", ATTR{device}==\"0x100e\", ATTR{driver_override}=\"vfio-pci\""
	vrun "$VFIOCTL" persist list --json
	assert_success
	run jq -e --arg k "$NIC" --argjson g "$NIC_G" --arg r "$REASON" '.records[0] | .key == $k and .group == $g and .forced and .reason == $r and .matches and .attached' <<<"$output"
	assert_success
}

@test "boot path (ExecStart) honours the recorded --force, logs the reason; an unforced record is refused" {
	nic_to_host
	vrun "$VFIOCTL" group attach "$NIC_G" --force --persist --reason "$REASON"
	assert_success
	# "Reboot": the host driver has the NIC again, and uses it.
	nic_to_host
	rm -rf "$VFIOCTL_RUNDIR"
	vrun "$VFIOCTL" group show "$NIC_G" --json
	run jq -e '.group.host_use | length == 1' <<<"$output"
	assert_success
	boot_apply
	assert_success
	assert_output --partial "<6>$CONF: group $NIC_G to vfio-pci, forced as recorded: $REASON"
	assert_output --partial "<6>$NIC: e1000 -> vfio-pci"
	assert_output --partial "<6>group $NIC_G attached to vfio-pci (1 device moved)"
	assert_equal "$(driver_of "$NIC")" vfio-pci
	# The same record without forced=yes does not pass host use.
	nic_to_host
	rm -rf "$VFIOCTL_RUNDIR"
	sed -i 's/^forced=yes$/forced=no/' "$CONF"
	boot_apply
	assert_failure 4
	assert_output --partial "<3>vfioctl: group $NIC_G not attached"
	assert_equal "$(driver_of "$NIC")" e1000
}

@test "udev rule at add time: vfio-pci gets the NIC before e1000 can bind it" {
	udevadm control --ping 2>/dev/null || skip "no udevd in the VM"
	nic_to_host
	[ -e /sys/module/e1000/initstate ] || skip "e1000 is built in here, not a module"
	vrun "$VFIOCTL" group attach "$NIC_G" --force --persist --reason "$REASON"
	assert_success
	udevadm control --reload
	# As at boot before udev loads modules: no driver, no override, and
	# no e1000 module.
	unbind_all "$NIC"
	modprobe -r e1000 || skip "cannot unload e1000"
	assert_equal "$(driver_of "$NIC")" ""
	udevadm trigger --action=add --settle "/sys/bus/pci/devices/$NIC"
	udevadm settle
	assert_equal "$(override_of "$NIC")" vfio-pci
	assert_equal "$(driver_of "$NIC")" vfio-pci
	# The host driver loaded now (as 80-drivers.rules loads it) still
	# cannot take the NIC, even when the kernel probes it again.
	modprobe e1000
	echo "$NIC" >/sys/bus/pci/drivers_probe 2>/dev/null || true
	assert_equal "$(driver_of "$NIC")" vfio-pci
	# Without the record (and so without the rule) e1000 wins: the check
	# above can fail.
	vrun "$VFIOCTL" persist remove "$NIC"
	assert_success
	[ ! -e "$VFIOCTL_UDEV_RULES" ] || fail "$VFIOCTL_UDEV_RULES survived persist remove"
	udevadm control --reload
	unbind_all "$NIC"
	udevadm trigger --action=add --settle "/sys/bus/pci/devices/$NIC"
	udevadm settle
	echo "$NIC" >/sys/bus/pci/drivers_probe 2>/dev/null || true
	assert_equal "$(driver_of "$NIC")" e1000
}

@test "boot path: a --force record of the edu pair is applied; a bind failing on the second edu rolls the first back" {
	requires edu
	local pair g conf
	pair=($(edu_pair))
	g=$(iommu_group_of "${pair[0]}")
	conf=$VFIOCTL_CONFDIR/${pair[0]}.conf
	vrun "$VFIOCTL" group attach "$g" --force --persist --reason "edu pair for a test VM"
	assert_success
	run cat "$conf"
	assert_line forced=yes
	unbind_all "${pair[@]}"
	rm -rf "$VFIOCTL_RUNDIR"
	VFIOCTL_TEST_FAIL_BIND=${pair[1]} boot_apply
	assert_failure 1
	assert_output --partial "<6>${pair[0]}: (no driver) -> vfio-pci"
	assert_output --partial "<3>vfioctl: group $g: ${pair[1]} failed (errno 19, No such device) with 1 of 2 moved; rolling back"
	assert_output --partial "<6>group $g: rolled back; every member is on the driver it had before"
	assert_equal "$(driver_of "${pair[0]}")" ""
	assert_equal "$(driver_of "${pair[1]}")" ""
	assert_equal "$(override_of "${pair[0]}")" "(null)"
	boot_apply
	assert_success
	assert_output --partial "forced as recorded: edu pair for a test VM"
	assert_equal "$(driver_of "${pair[0]}")" vfio-pci
	assert_equal "$(driver_of "${pair[1]}")" vfio-pci
}
