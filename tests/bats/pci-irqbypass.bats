#!/usr/bin/env bats
# irqbypass: each MSI/MSI-X trigger eventfd is registered as an irq-bypass
# producer (token: the eventfd) so that KVM, the consumer, can post the
# interrupt.  KVM cannot run in this TCG guest, so what is checked is the
# producer side: registration and unregistration with every enable,
# disable and vector change, counted through irqbypass.ko's refcnt (it
# takes a reference per registered producer; tests/uapi/pci-irqbypass),
# and that vfio-pci and KVM meet at the same irqbypass module.
# bats file_tags=stock

load helpers

setup_file() {
	load_stack
}

setup() {
	requires root stack iommu
	BOUND=()
	[ -x "$UAPI_DIR/pci-irqbypass" ] || fail "tests/uapi/pci-irqbypass not built"
}

teardown() {
	restore_bound
}

# virtio_net - the virtio-net-pci of tests/vm/run
virtio_net() { pci_find $VIRTIO_NET_VENDOR $VIRTIO_NET_DEVICE; }

@test "irqbypass: vfio-pci depends on irqbypass, whose producer and consumer exports resolve" {
	local m sym
	# the module that calls irq_bypass_register_producer
	if [ "$VFIOCTL_STACK" = ours ]; then m=vfio_pci; else m=vfio_pci_core; fi
	module_loaded irqbypass || fail "irqbypass is not loaded with the stack"
	vrun bash -c "ls /sys/module/irqbypass/holders"
	assert_success
	assert_output --partial "$m"
	for sym in irq_bypass_register_producer irq_bypass_unregister_producer \
		   irq_bypass_register_consumer irq_bypass_unregister_consumer; do
		grep -q " $sym\b" /proc/kallsyms || fail "$sym is not exported"
	done
	if [ "$VFIOCTL_STACK" = ours ]; then
		vrun modinfo -F depends "$VFIOCTL_KMOD_DIR/vfio-pci.ko"
		assert_success
		assert_output --partial irqbypass
	fi
	# KVM, the consumer, loads beside us on the same irqbypass (kvm.ko
	# loads without VMX; kvm_intel would not in this TCG guest).  The
	# debug kernels keep kvm (tests/vm/debug-kernel.modules); a kernel
	# built without it can check only the producer side above.
	modprobe -n kvm 2>/dev/null ||
		skip "kvm.ko is not built for $(uname -r): the consumer half is not checked here"
	local had_kvm=1
	module_loaded kvm || had_kvm=0
	vrun modprobe kvm
	assert_success
	vrun bash -c "ls /sys/module/irqbypass/holders"
	assert_output --partial kvm
	assert_output --partial "$m"
	[ "$had_kvm" = 1 ] || rmmod kvm
}

@test "irqbypass: MSI-X vectors register and unregister producers with every enable, disable and vector change (virtio-net)" {
	local dev
	dev=$(virtio_net) || skip "test requires the virtio-net-pci device of tests/vm/run"
	bind_test "$dev"
	vrun bounded 60 "$UAPI_DIR/pci-irqbypass" "$dev" msix
	assert_success
	refute_output --partial "not ok"
}

@test "irqbypass: MSI registers and unregisters a producer (edu)" {
	requires edu
	local dev
	dev=$(edu_solo)
	bind_test "$dev"
	vrun bounded 60 "$UAPI_DIR/pci-irqbypass" "$dev" msi
	assert_success
	refute_output --partial "not ok"
}
