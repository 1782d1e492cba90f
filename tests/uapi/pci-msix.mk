# pci-msix-grow: MSI-X vectors added while enabled, MSI-X BAR capabilities
# (tests/bats/pci-msix.bats).
noinst_PROGRAMS += tests/uapi/pci-msix-grow
tests_uapi_pci_msix_grow_SOURCES = tests/uapi/pci-msix-grow.c \
	tests/uapi/pci-util.c tests/uapi/pci-util.h \
	tests/uapi/tap-util.c tests/uapi/tap-util.h
