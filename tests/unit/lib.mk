# Host unit tests of the lib area (TAP; see tests/local.mk).

# The examples append to noinst_PROGRAMS, which tests/uapi/local.mk sets
# before this file is read.
include examples/local.mk

# Run inside the test VM by tests/bats/lib-*.bats, so built by plain make.
noinst_PROGRAMS += tests/unit/lib-vm-test
tests_unit_lib_vm_test_SOURCES = tests/unit/lib-vm-test.c
tests_unit_lib_vm_test_LDADD = libvfioctl/libvfioctl.la

# Host unit tests: TAP programs, the LD_PRELOAD fake kernel, and scripts.
LIB_TEST_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFAKE_VFIO_SO='"$(abs_top_builddir)/tests/unit/preload/.libs/fake-vfio.so"'

check_LTLIBRARIES += tests/unit/preload/fake-vfio.la
tests_unit_preload_fake_vfio_la_SOURCES = tests/unit/preload/fake-vfio.c
tests_unit_preload_fake_vfio_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
tests_unit_preload_fake_vfio_la_LDFLAGS = -module -avoid-version -shared \
	-rpath /nowhere
tests_unit_preload_fake_vfio_la_LIBADD = -ldl -lpthread

check_PROGRAMS += tests/unit/lib-caps
tests_unit_lib_caps_SOURCES = tests/unit/lib-caps.c tests/unit/lib-test.h
tests_unit_lib_caps_LDADD = libvfioctl/libvfioctl-internal.la

TESTS += tests/unit/lib-caps

check_PROGRAMS += tests/unit/lib-fake
tests_unit_lib_fake_SOURCES = tests/unit/lib-fake.c tests/unit/lib-test.h
tests_unit_lib_fake_CPPFLAGS = $(LIB_TEST_CPPFLAGS)
tests_unit_lib_fake_LDADD = libvfioctl/libvfioctl-internal.la -ldl -lpthread
TESTS += tests/unit/lib-fake

check_PROGRAMS += tests/unit/lib-errno
tests_unit_lib_errno_SOURCES = tests/unit/lib-errno.c tests/unit/lib-test.h
tests_unit_lib_errno_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/libvfioctl
tests_unit_lib_errno_LDADD = libvfioctl/libvfioctl-internal.la
TESTS += tests/unit/lib-errno

# Every export called with NULL; the list is checked against the .sym.
check_PROGRAMS += tests/unit/lib-null
tests_unit_lib_null_SOURCES = tests/unit/lib-null.c tests/unit/lib-test.h
tests_unit_lib_null_CPPFLAGS = $(AM_CPPFLAGS) \
	-DLIBVFIOCTL_SYM='"$(abs_top_srcdir)/libvfioctl/libvfioctl.sym"'
tests_unit_lib_null_LDADD = libvfioctl/libvfioctl.la
TESTS += tests/unit/lib-null

check_PROGRAMS += tests/unit/lib-threads
tests_unit_lib_threads_SOURCES = tests/unit/lib-threads.c tests/unit/lib-test.h
tests_unit_lib_threads_CPPFLAGS = $(LIB_TEST_CPPFLAGS) -I$(top_srcdir)/libvfioctl
tests_unit_lib_threads_LDADD = libvfioctl/libvfioctl-internal.la -ldl -lpthread
TESTS += tests/unit/lib-threads

check_PROGRAMS += tests/unit/lib-linkage
tests_unit_lib_linkage_SOURCES = tests/unit/lib-linkage.c tests/unit/lib-test.h
tests_unit_lib_linkage_CPPFLAGS = $(LIB_TEST_CPPFLAGS)
tests_unit_lib_linkage_LDADD = libvfioctl/libvfioctl.la -ldl
TESTS += tests/unit/lib-linkage

# The scripts find the source tree from their own path and the build
# tree as the directory make runs them in.
TESTS += tests/unit/lib-symbols.sh tests/unit/lib-header.sh \
	tests/unit/lib-musl.sh tests/unit/lib-man.sh
EXTRA_DIST += tests/unit/lib-symbols.sh tests/unit/lib-header.sh \
	tests/unit/lib-musl.sh tests/unit/lib-man.sh

# libFuzzer target for the capability walker, built with clang outside
# libtool.  `make fuzz-quick` is a bounded run; lib-fuzz.sh calls it.
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -include $(top_builddir)/config.h \
	-I$(top_srcdir)/libvfioctl -I$(top_srcdir)/include
tests/fuzz/caps-fuzz: $(srcdir)/tests/fuzz/caps-fuzz.c \
		$(srcdir)/libvfioctl/caps.c $(srcdir)/libvfioctl/libvfioctl-private.h
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CC)$(CLANG) $(FUZZ_FLAGS) -o $@ $(srcdir)/tests/fuzz/caps-fuzz.c \
		$(srcdir)/libvfioctl/caps.c
fuzz-quick: tests/fuzz/caps-fuzz
	tests/fuzz/caps-fuzz -runs=200000 -max_total_time=30 -max_len=2048 \
		-print_final_stats=0
CLEANFILES += tests/fuzz/caps-fuzz
EXTRA_DIST += tests/fuzz/caps-fuzz.c tests/unit/lib-fuzz.sh
TESTS += tests/unit/lib-fuzz.sh
