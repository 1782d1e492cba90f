#!/usr/bin/env bats
# The test bed itself: the VM runs over the host's root filesystem, so the
# host's configuration must not leak into the guest's tests.  Here: a
# vfioctl udev rule installed on the host (`make install`, with the opt-in
# group access) would make the group nodes 0660 instead of the kernel's
# 0600; tests/vm/guest-init masks
# it (tests/vm/mask-udev-rules).  The rule is "installed" in a guest-only
# tmpfs over /etc/udev/rules.d, so the host is never touched.
# bats file_tags=stock

load helpers

MASK=$VFIOCTL_TOP/tests/vm/mask-udev-rules
RULES=/etc/udev/rules.d

setup() {
	requires root stack edu iommu
	command -v udevadm >/dev/null || skip "no udevadm"
	udevadm control --ping 2>/dev/null || skip "no udevd in the guest (host rules cannot apply)"
	DEV=$(edu_solo)
	GROUP=$(iommu_group_of "$DEV")
	TMPFS=
}

teardown() {
	if [ -n "$TMPFS" ]; then
		# The mask's bind mount first, then the guest-only rules dir.
		umount "$RULES/70-vfioctl.rules" 2>/dev/null || true
		umount "$RULES"
		udevadm control --reload
	fi
	unbind_all "$DEV"
}

# node_mode - the mode of a fresh group node (devtmpfs makes it 0600;
# udev only changes modes that rules set, so the node must be recreated:
# rebind the device), once udev handled its events.
node_mode() {
	unbind_all "$DEV"
	udevadm settle
	bind_vfio "$DEV" || return 1
	udevadm settle
	stat -c %a "/dev/vfio/$GROUP"
}

@test "test bed: a vfioctl udev rule installed on the host is masked in the guest" {
	mount -t tmpfs -o mode=0755 vfioctl-testbed "$RULES"
	TMPFS=1
	# A host rule that changes group nodes, as an admin's opt-in group
	# access does (contrib/70-vfioctl.rules itself leaves them 0600).
	{
		cat "$VFIOCTL_TOP/contrib/70-vfioctl.rules"
		echo 'SUBSYSTEM=="vfio", KERNEL=="[0-9]*", MODE="0660"'
	} >"$RULES/70-vfioctl.rules"
	udevadm control --reload
	bind_vfio "$DEV"
	[ -c "/dev/vfio/$GROUP" ] || skip "vfio-pci did not register $DEV (our vfio-pci is not there yet)"
	# The control: unmasked, the rule does apply in this guest.
	assert_equal "$(node_mode)" 660

	run "$MASK" --reload
	assert_success
	assert_line "$RULES/70-vfioctl.rules"
	assert_equal "$(node_mode)" 600

	# Masking twice is harmless and reports nothing new.
	run "$MASK" --reload
	assert_success
	assert_output ""
}
