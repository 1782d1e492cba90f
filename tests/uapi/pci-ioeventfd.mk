# pci-ioeventfd: VFIO_DEVICE_IOEVENTFD on the edu device
# (tests/bats/pci-ioeventfd.bats).
noinst_PROGRAMS += tests/uapi/pci-ioeventfd
tests_uapi_pci_ioeventfd_SOURCES = tests/uapi/pci-ioeventfd.c \
	tests/uapi/pci-util.c tests/uapi/pci-util.h \
	tests/uapi/tap-util.c tests/uapi/tap-util.h
