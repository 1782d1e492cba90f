# The reliability campaign (issue 8): an ioctl fuzzer, a concurrency and
# fault stress test and a second process probing objects it does not own,
# all run by tests/bats/fuzz.bats in the VM.  Short
# runs are part of the normal suite; `make fuzz-long` boots one VM with
# slub_debug=FZPU and runs the same file for at least ten minutes.
noinst_PROGRAMS += tests/fuzz/ioctl-fuzz tests/fuzz/stress tests/fuzz/intruder
tests_fuzz_ioctl_fuzz_SOURCES = tests/fuzz/ioctl-fuzz.c \
	tests/fuzz/fuzz-targets.c tests/fuzz/fuzz-targets.h \
	libvfioctl/errno-name.c libvfioctl/errno-name.h
tests_fuzz_ioctl_fuzz_LDADD = -lpthread
# stress and intruder map DMA and read VmLck with the type1 test's helpers.
tests_fuzz_stress_SOURCES = tests/fuzz/stress.c \
	tests/fuzz/fuzz-targets.c tests/fuzz/fuzz-targets.h \
	tests/uapi/type1-util.c tests/uapi/type1-util.h
tests_fuzz_stress_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/uapi
tests_fuzz_intruder_SOURCES = tests/fuzz/intruder.c \
	tests/fuzz/fuzz-targets.c tests/fuzz/fuzz-targets.h \
	tests/uapi/type1-util.c tests/uapi/type1-util.h
tests_fuzz_intruder_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/uapi

# fuzz-short: the suite's short run alone (about 90 s of tests).
fuzz-short: all
	$(top_srcdir)/tests/vm/run --cpus 1 --kernel $(FUZZ_KERNEL) \
		--stack $(FUZZ_STACK) -- \
		bats --tap --timing $(top_srcdir)/tests/bats/fuzz.bats

# fuzz-long: FUZZ_MINUTES of fuzzing and stress (split 3:2), then the same
# kernel-log and module-unload checks as the short run.  One vCPU: the
# machine is shared; the fuzzer's processes still interleave in the guest.
FUZZ_KERNEL ?= 6.12
FUZZ_STACK ?= ours
FUZZ_MINUTES ?= 10
fuzz-long: all
	$(top_srcdir)/tests/vm/run --cpus 1 --kernel $(FUZZ_KERNEL) \
		--stack $(FUZZ_STACK) --append slub_debug=FZPU -- \
		env VFIOCTL_FUZZ_SECONDS=$$(($(FUZZ_MINUTES) * 36)) \
		VFIOCTL_STRESS_SECONDS=$$(($(FUZZ_MINUTES) * 12)) \
		bats --tap --timing $(top_srcdir)/tests/bats/fuzz.bats
.PHONY: fuzz-short fuzz-long
