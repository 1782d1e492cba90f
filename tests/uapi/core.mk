# UAPI test programs of the core area (see tests/uapi/local.mk).
noinst_PROGRAMS += tests/uapi/core-test
tests_uapi_core_test_SOURCES = tests/uapi/core-test.c kmod/test/vfio_test.h
noinst_PROGRAMS += tests/uapi/core-nldump
tests_uapi_core_nldump_SOURCES = tests/uapi/core-nldump.c
tests_uapi_core_nldump_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS)
tests_uapi_core_nldump_LDADD = $(LIBNL_LIBS)
