# UAPI test programs of the type1 area (see tests/uapi/local.mk).
noinst_PROGRAMS += tests/uapi/type1-test tests/uapi/type1-bench
tests_uapi_type1_test_SOURCES = tests/uapi/type1-test.c \
	tests/uapi/type1-util.c tests/uapi/type1-util.h
tests_uapi_type1_bench_SOURCES = tests/uapi/type1-bench.c \
	tests/uapi/type1-util.c tests/uapi/type1-util.h
