# pci-lowpower: the low-power VFIO_DEVICE_FEATUREs of vfio-pci
# (tests/bats/pci-lowpower.bats).
noinst_PROGRAMS += tests/uapi/pci-lowpower
tests_uapi_pci_lowpower_SOURCES = tests/uapi/pci-lowpower.c \
	tests/uapi/pci-util.c tests/uapi/pci-util.h \
	tests/uapi/tap-util.c tests/uapi/tap-util.h
