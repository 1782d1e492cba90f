# Host unit tests of the pci area (TAP; see tests/local.mk).

# vfio-pci's capability walker (kmod/pci/vfio_pci_capwalk.c) is pure code
# that also builds in userspace, against vfio_pci_capwalk_shim.h.
CAPWALK_SRC = kmod/pci/vfio_pci_capwalk.c kmod/pci/vfio_pci_capwalk.h \
	kmod/pci/vfio_pci_capwalk_shim.h
check_PROGRAMS += tests/unit/pci-capwalk
tests_unit_pci_capwalk_SOURCES = tests/unit/pci-capwalk.c $(CAPWALK_SRC)
tests_unit_pci_capwalk_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/kmod/pci
TESTS += tests/unit/pci-capwalk

# libFuzzer target for the walker, built with clang outside libtool;
# `make fuzz-quick-capwalk` is a bounded run, pci-capwalk-fuzz.sh calls it.
tests/fuzz/capwalk-fuzz: $(srcdir)/tests/fuzz/capwalk-fuzz.c \
		$(addprefix $(srcdir)/,$(CAPWALK_SRC))
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CC)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -I$(srcdir)/kmod/pci -o $@ \
		$(srcdir)/tests/fuzz/capwalk-fuzz.c \
		$(srcdir)/kmod/pci/vfio_pci_capwalk.c
fuzz-quick-capwalk: tests/fuzz/capwalk-fuzz
	tests/fuzz/capwalk-fuzz -runs=300000 -max_total_time=10 -max_len=4096 \
		-print_final_stats=0
TESTS += tests/unit/pci-capwalk-fuzz.sh
CLEANFILES += tests/fuzz/capwalk-fuzz
EXTRA_DIST += tests/fuzz/capwalk-fuzz.c tests/unit/pci-capwalk-fuzz.sh
.PHONY: fuzz-quick-capwalk
