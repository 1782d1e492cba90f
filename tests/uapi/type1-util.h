/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * type1-util.h - shared helpers of the type1 UAPI test and benchmark:
 * container/group setup, DMA map/unmap wrappers, TAP-style checks.
 */
#ifndef TYPE1_UTIL_H
#define TYPE1_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <linux/vfio.h>

extern int t1_failures;
extern int t1_count;

/* One TAP line per check; failures are counted, never fatal. */
#define CHECK(cond, ...)						\
	do {								\
		t1_count++;						\
		if (cond) {						\
			printf("ok %d - ", t1_count);			\
		} else {						\
			t1_failures++;					\
			printf("not ok %d - ", t1_count);		\
		}							\
		printf(__VA_ARGS__);					\
		printf("  (%s:%d)\n", __FILE__, __LINE__);		\
		fflush(stdout);						\
	} while (0)

/* Check that a -errno style result equals @want (0 or -E...). */
#define CHECK_ERR(got, want, what)					\
	do {								\
		int _g = (got), _w = (want);				\
		CHECK(_g == _w, "%s: got %d (%s), want %d (%s)", what,	\
		      _g, _g ? strerror(-_g) : "ok", _w,		\
		      _w ? strerror(-_w) : "ok");			\
	} while (0)

/* Fatal setup failure: print a bail-out line and exit 2. */
void t1_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

int t1_open_container(void);
int t1_open_group(int group);
/* Attach @group_fd to @container; returns 0 or -errno. */
int t1_set_container(int group_fd, int container);
int t1_set_iommu(int container, int type);

/* Container with the given groups attached and the IOMMU type set. */
int t1_setup(const int *groups, int ngroups, int type, int *group_fds);

int t1_map(int container, uint64_t vaddr, uint64_t iova, uint64_t size,
	   uint32_t flags);
int t1_unmap(int container, uint64_t iova, uint64_t size, uint32_t flags,
	     uint64_t *unmapped);

/* Anonymous, populated, page-aligned memory (@align must be a power of 2). */
void *t1_alloc(size_t size, size_t align);
void t1_free(void *p, size_t size);

/* VmLck (mm->locked_vm, where type1 charges pins) of process @pid in
 * KiB, 0 meaning this process; -1 if it cannot be read. */
long t1_vmlck_kib(pid_t pid);

/* CLOCK_MONOTONIC in ns. */
int64_t t1_now_ns(void);

/*
 * Populated anonymous memory in 4 KiB pages (MADV_NOHUGEPAGE): the most
 * runs and IOMMU entries per byte.  With @scatter the pages are faulted
 * in a scrambled order so that they are also physically scattered.
 */
uint64_t t1_alloc_small_pages(uint64_t size, bool scatter);

/*
 * The longest stretch without a schedule point during one MAP_DMA or
 * UNMAP_DMA: t1_stall_start() pins the caller to CPU 0 and forks a sleeper
 * there that sleeps 1 ms again and again; t1_stall_measure() maps (read
 * only) or unmaps [iova, iova + size) and returns the sleeper's worst
 * wake-up overshoot in ns during it (*took: the ioctl's time, *ret: its
 * result, 0 or -errno).  Shared by type1-test stall and type1-bench.
 */
struct t1_stall {
	volatile int phase;		/* 0 warm up, 1 measure, 2 stop */
	volatile int64_t max_ns;	/* worst overshoot of a 1 ms sleep */
	pid_t pid;			/* the sleeper */
	/*
	 * Of the last t1_stall_measure(): how often the mapper was switched
	 * out involuntarily during the ioctl (getrusage ru_nivcsw).  With a
	 * non-preemptible kernel that happens only at a schedule point
	 * (cond_resched(), might_sleep()) with the sleeper waiting, so an
	 * ioctl that never yields scores 0, whatever TCG's timing does.
	 */
	long yields;
};

struct t1_stall *t1_stall_start(void);
int64_t t1_stall_measure(struct t1_stall *st, int c, uint64_t b,
			 uint64_t iova, uint64_t size, bool map,
			 int64_t *took, int *ret);
void t1_stall_stop(struct t1_stall *st);

#endif
