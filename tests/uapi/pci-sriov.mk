# pci-sriov: vfio-pci on SR-IOV PFs and VFs (tests/bats/pci-sriov.bats).
noinst_PROGRAMS += tests/uapi/pci-sriov
tests_uapi_pci_sriov_SOURCES = tests/uapi/pci-sriov.c \
	tests/uapi/pci-util.c tests/uapi/pci-util.h \
	tests/uapi/tap-util.c tests/uapi/tap-util.h
