# UAPI test programs of the core area (see tests/uapi/local.mk).
noinst_PROGRAMS += tests/uapi/core-test
tests_uapi_core_test_SOURCES = tests/uapi/core-test.c kmod/test/vfio_test.h
tests_uapi_core_test_CFLAGS = $(AM_CFLAGS) -pthread
tests_uapi_core_test_LDADD = -lpthread
noinst_PROGRAMS += tests/uapi/core-nldump
tests_uapi_core_nldump_SOURCES = tests/uapi/core-nldump.c
tests_uapi_core_nldump_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS)
tests_uapi_core_nldump_LDADD = $(LIBNL_LIBS)
noinst_PROGRAMS += tests/uapi/core-nlblock
tests_uapi_core_nlblock_SOURCES = tests/uapi/core-nlblock.c \
	tests/uapi/type1-util.c tests/uapi/type1-util.h
tests_uapi_core_nlblock_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) -pthread
tests_uapi_core_nlblock_LDADD = $(LIBNL_LIBS) -lpthread
