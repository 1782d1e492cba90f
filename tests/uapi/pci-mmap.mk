# pci-mmap: lifetime of BAR mappings (fork, mremap, reset) on the edu
# device (tests/bats/pci-mmap.bats).
noinst_PROGRAMS += tests/uapi/pci-mmap
tests_uapi_pci_mmap_SOURCES = tests/uapi/pci-mmap.c \
	tests/uapi/pci-util.c tests/uapi/pci-util.h \
	tests/uapi/tap-util.c tests/uapi/tap-util.h
