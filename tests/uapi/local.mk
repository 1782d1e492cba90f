# UAPI test programs run by the bats suite inside the VM.  Built by plain
# `make` (noinst) so the VM suite finds them in the build tree; each area
# keeps its own list.
noinst_PROGRAMS =
include tests/uapi/core.mk
include tests/uapi/type1.mk
include tests/uapi/pci.mk
include tests/uapi/pci-sriov.mk
include tests/uapi/pci-isolation.mk
include tests/uapi/pci-lowpower.mk
include tests/uapi/pci-mmap.mk
include tests/uapi/pci-ioeventfd.mk
include tests/uapi/pci-irqbypass.mk
include tests/uapi/pci-msix.mk
include tests/uapi/dpdk.mk
include tests/fuzz/fuzz.mk
