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
	$(top_srcdir)/tests/vm/run --cpus 1 --kernel $(or $(FUZZ_KERNEL),6.12) \
		--stack $(FUZZ_STACK) -- \
		bats --tap --timing $(top_srcdir)/tests/bats/fuzz.bats

# fuzz-long: FUZZ_MINUTES of fuzzing and stress (split 3:2), then the same
# kernel-log and module-unload checks as the short run, in one boot per
# kernel of FUZZ_KERNELS: Debian's 6.12 with slub_debug=FZPU, then the 6.12
# debug kernel (KASAN, lockdep, kmemleak...; built by tests/vm/debug-kernel
# if it is not cached, about 45 minutes once), where the run ends with the
# kmemleak scan of tests/bats/kmemleak-debug.bats.  Any kernel report fails
# the run (tests/vm/run).  One vCPU: the machine is shared; the fuzzer's
# processes still interleave in the guest.  FUZZ_KERNEL=K is FUZZ_KERNELS=K.
# Each kernel's TAP goes to build/fuzz-long/KERNEL.tap, printed after its
# VM (QEMU writes the guest's output from the start of its stdout's file,
# over whatever was there: see tests/vm/run).
FUZZ_KERNELS ?= 6.12 6.12-debug
FUZZ_STACK ?= ours
FUZZ_MINUTES ?= 10
fuzz-long: all
	@st=0; kernels='$(if $(FUZZ_KERNEL),$(FUZZ_KERNEL),$(FUZZ_KERNELS))'; \
	mkdir -p build/fuzz-long; \
	for k in $$kernels; do \
		case $$k in \
		*-debug) $(top_srcdir)/tests/vm/debug-kernel build $${k%-debug} || exit 1; \
			append=; extra=$(top_srcdir)/tests/bats/kmemleak-debug.bats ;; \
		*) append='--append slub_debug=FZPU'; extra= ;; \
		esac; \
		log=build/fuzz-long/$$k.tap; : >$$log; \
		echo "fuzz-long: kernel $$k, $(FUZZ_STACK) stack, $(FUZZ_MINUTES) minutes: $$log"; \
		$(top_srcdir)/tests/vm/run --cpus 1 --kernel $$k \
			--stack $(FUZZ_STACK) $$append -- \
			env VFIOCTL_FUZZ_SECONDS=$$(($(FUZZ_MINUTES) * 36)) \
			VFIOCTL_STRESS_SECONDS=$$(($(FUZZ_MINUTES) * 12)) \
			bats --tap --timing $(top_srcdir)/tests/bats/fuzz.bats $$extra \
			>>$$log 2>&1 && r=passed || { r=FAILED; st=1; }; \
		cat $$log; echo "fuzz-long: kernel $$k: $$r"; \
	done; exit $$st
.PHONY: fuzz-short fuzz-long
