# pci-isolation: config space, power state, INTx and ROM isolation of
# vfio-pci (tests/bats/pci-isolation.bats).
noinst_PROGRAMS += tests/uapi/pci-isolation
tests_uapi_pci_isolation_SOURCES = tests/uapi/pci-isolation.c \
	tests/uapi/pci-util.c tests/uapi/pci-util.h \
	tests/uapi/tap-util.c tests/uapi/tap-util.h
tests_uapi_pci_isolation_LDADD = -lpthread
