// SPDX-License-Identifier: GPL-2.0-only
/*
 * type1-util.c - helpers shared by type1-test and type1-bench.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "type1-util.h"

int t1_failures;
int t1_count;

void t1_die(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(2);
}

int t1_open_container(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		t1_die("open /dev/vfio/vfio: %m");
	return fd;
}

int t1_open_group(int group)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		t1_die("open %s: %m", path);
	return fd;
}

int t1_set_container(int group_fd, int container)
{
	return ioctl(group_fd, VFIO_GROUP_SET_CONTAINER, &container) ? -errno : 0;
}

int t1_set_iommu(int container, int type)
{
	return ioctl(container, VFIO_SET_IOMMU, type) ? -errno : 0;
}

int t1_setup(const int *groups, int ngroups, int type, int *group_fds)
{
	int container = t1_open_container();
	int i, ret;

	for (i = 0; i < ngroups; i++) {
		group_fds[i] = t1_open_group(groups[i]);
		ret = t1_set_container(group_fds[i], container);
		if (ret)
			t1_die("SET_CONTAINER group %d: %s", groups[i],
			       strerror(-ret));
		/* The first group needs the IOMMU type before others join. */
		if (i == 0) {
			ret = t1_set_iommu(container, type);
			if (ret)
				t1_die("SET_IOMMU(%d): %s", type, strerror(-ret));
		}
	}
	return container;
}

int t1_map(int container, uint64_t vaddr, uint64_t iova, uint64_t size,
	   uint32_t flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags,
		.vaddr = vaddr,
		.iova = iova,
		.size = size,
	};

	return ioctl(container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

int t1_unmap(int container, uint64_t iova, uint64_t size, uint32_t flags,
	     uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.flags = flags,
		.iova = iova,
		.size = size,
	};

	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return -errno;
	if (unmapped)
		*unmapped = unmap.size;
	return 0;
}

void *t1_alloc(size_t size, size_t align)
{
	size_t len = size + align;
	uint8_t *p, *q;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		t1_die("mmap %zu: %m", len);
	q = (uint8_t *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	/* Trim the slack so t1_free() can munmap exactly [q, q + size). */
	if (q > p)
		munmap(p, q - p);
	if (p + len > q + size)
		munmap(q + size, p + len - (q + size));
	if (align >= (2u << 20))
		madvise(q, size, MADV_HUGEPAGE);
	memset(q, 0, size);
	return q;
}

void t1_free(void *p, size_t size)
{
	munmap(p, size);
}

long t1_vmlck_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* ------------------------------------------------------------ stall */

int64_t t1_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uint64_t t1_alloc_small_pages(uint64_t size, bool scatter)
{
	uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t n = size / 4096, i, j, step;

	if (p == MAP_FAILED)
		t1_die("mmap %llu: %m", (unsigned long long)size);
	madvise(p, size, MADV_NOHUGEPAGE);
	if (!scatter || n < 2) {
		memset(p, 0x5a, size);
		return (uintptr_t)p;
	}
	/*
	 * Fault the pages in a scrambled order: the page allocator hands out
	 * frames roughly in fault order, so virtually adjacent pages get
	 * physically distant frames and every page is a pinned run of its
	 * own.  i -> i * step mod n with step odd and n a power of two (or
	 * coprime to step) visits every page once.
	 */
	step = 40503;		/* prime: coprime to any n it does not divide */
	while (n % step == 0)
		step += 2;
	for (i = 0, j = 0; i < n; i++, j = (j + step) % n)
		memset(p + j * 4096, 0x5a, 4096);
	return (uintptr_t)p;
}

/*
 * Sleep 1 ms again and again on the mapper's CPU and record by how much
 * each wake-up was late.  A non-preemptible kernel runs the mapper's ioctl
 * until it yields, so the worst overshoot is its longest stretch without
 * cond_resched().
 */
static void t1_stall_sleeper(struct t1_stall *st)
{
	struct timespec ms = { 0, 1000000 };
	int64_t t0, late;

	while (st->phase != 2) {
		t0 = t1_now_ns();
		nanosleep(&ms, NULL);
		late = t1_now_ns() - t0 - 1000000;
		if (st->phase == 1 && late > st->max_ns)
			st->max_ns = late;
	}
	_exit(0);
}

struct t1_stall *t1_stall_start(void)
{
	struct t1_stall *st;
	cpu_set_t cpus;

	/* Both on one CPU: the sleeper runs only when the mapper yields. */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		t1_die("sched_setaffinity: %m");
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		t1_die("mmap: %m");
	st->phase = 0;
	st->pid = fork();
	if (st->pid < 0)
		t1_die("fork: %m");
	if (!st->pid)
		t1_stall_sleeper(st);
	return st;
}

int64_t t1_stall_measure(struct t1_stall *st, int c, uint64_t b,
			 uint64_t iova, uint64_t size, bool map,
			 int64_t *took, int *ret)
{
	struct timespec warm = { 0, 50000000 };
	struct rusage r0, r1;
	int64_t t0;

	st->max_ns = 0;
	st->phase = 1;
	nanosleep(&warm, NULL);
	getrusage(RUSAGE_THREAD, &r0);
	t0 = t1_now_ns();
	/*
	 * Read-only for the device: unpinning then has no page to dirty, so
	 * no lock_page() whose might_sleep() would yield for the backend.
	 */
	*ret = map ? t1_map(c, b, iova, size, VFIO_DMA_MAP_FLAG_READ) :
		     t1_unmap(c, iova, size, 0, NULL);
	*took = t1_now_ns() - t0;
	getrusage(RUSAGE_THREAD, &r1);
	st->yields = r1.ru_nivcsw - r0.ru_nivcsw;
	nanosleep(&warm, NULL);
	st->phase = 0;
	return st->max_ns;
}

void t1_stall_stop(struct t1_stall *st)
{
	st->phase = 2;
	waitpid(st->pid, NULL, 0);
	munmap(st, sizeof(*st));
}
