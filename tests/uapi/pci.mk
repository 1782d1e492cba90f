# UAPI test programs of the pci area (see tests/uapi/local.mk).
noinst_PROGRAMS += tests/uapi/pci-test
tests_uapi_pci_test_SOURCES = tests/uapi/pci-test.c \
	tests/uapi/pci-util.c tests/uapi/pci-util.h \
	tests/uapi/tap-util.c tests/uapi/tap-util.h
noinst_PROGRAMS += tests/uapi/pci-bench
tests_uapi_pci_bench_SOURCES = tests/uapi/pci-bench.c
noinst_PROGRAMS += tests/uapi/pci-cfgdump
tests_uapi_pci_cfgdump_SOURCES = tests/uapi/pci-cfgdump.c
noinst_PROGRAMS += tests/uapi/pci-vga
tests_uapi_pci_vga_SOURCES = tests/uapi/pci-vga.c \
	tests/uapi/pci-util.c tests/uapi/pci-util.h \
	tests/uapi/tap-util.c tests/uapi/tap-util.h
