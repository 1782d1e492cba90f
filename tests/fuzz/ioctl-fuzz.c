// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioctl-fuzz.c - random sequences of every VFIO ioctl on container, group
 * and device fds, against whichever VFIO stack is loaded (ours or stock).
 *
 *   ioctl-fuzz [--seed S] [--seconds N] [--procs P] [--threads T]
 *              [--spare-stock] [-v]
 *
 * P worker processes of T threads each share a per-process pool of fds
 * (containers, groups, devices, eventfds) and pick operations at random:
 * opens, closes in any order, dup, every container/group/device ioctl with
 * random and boundary argsz, flags, indices, IOVAs and sizes, read/write
 * and mmap of regions, COMMAND writes of every size (INTx disable against
 * SET_IRQS, decode against mmap faults), undefined ioctl numbers,
 * fork()ed children that run (and sometimes kill -9 themselves) on
 * inherited fds, and fds passed to
 * the next worker over SCM_RIGHTS.  The groups are those of the devices
 * bound to vfio-pci.
 *
 * Each thread draws its choices from a generator seeded from --seed, its
 * worker and thread number: with --procs 1 --threads 1 a run is
 * reproducible; with more, the choices are and the interleaving is not.
 *
 * Error returns are expected and only counted (an errno histogram is
 * printed at the end).  The exit status is non-zero only for something
 * that must not happen: an ioctl succeeding on an argument every VFIO must
 * reject ("VIOLATION" lines say which), a wrong answer to a query with one
 * right answer, a worker or child dying from a signal it did not send
 * itself, or a worker that does not finish (an ioctl that hangs).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "../../libvfioctl/errno-name.h"
#include "fuzz-targets.h"

#define NSLOTS		48
#define NMAPS		8
#define BUFSZ		65536
#define DMA_BUF		(2UL << 20)
#define PAGE		4096UL
#define CHILD_OPS	200
#define ERRNO_MAX	160
#define KERNEL_VADDR	0xffff888000000000ULL
#define REGION_OFF(i)	((uint64_t)(i) << 40)	/* vfio-pci's layout */
#define offsetofend(t, m) (offsetof(t, m) + sizeof(((t *)0)->m))

/* ------------------------------------------------------------ statistics */

#define OPS(X)								\
	X(OPEN_CONTAINER) X(OPEN_GROUP) X(OPEN_EVENTFD) X(CLOSE) X(DUP)	\
	X(GET_API_VERSION) X(CHECK_EXTENSION) X(SET_IOMMU)		\
	X(IOMMU_GET_INFO) X(MAP_DMA) X(UNMAP_DMA) X(DIRTY_PAGES)	\
	X(GROUP_GET_STATUS) X(GROUP_SET_CONTAINER)			\
	X(GROUP_UNSET_CONTAINER) X(GROUP_GET_DEVICE_FD)			\
	X(DEVICE_GET_INFO) X(DEVICE_GET_REGION_INFO)			\
	X(DEVICE_GET_IRQ_INFO) X(DEVICE_SET_IRQS) X(DEVICE_RESET)	\
	X(HOT_RESET_INFO) X(HOT_RESET) X(DEVICE_FEATURE)		\
	X(DEVICE_IOEVENTFD) X(REGION_READ) X(REGION_WRITE) X(MMAP)	\
	X(MUNMAP) X(RAW_IOCTL) X(UNDEFINED_IOCTL) X(SEND_FD)		\
	X(RECV_FD) X(FORK) X(REAP) X(CONFIG_COMMAND)

#define X_ENUM(n) OP_##n,
#define X_NAME(n) #n,
enum op { OPS(X_ENUM) OP_MAX };
static const char *const op_name[] = { OPS(X_NAME) };

/* Shared by every process of the run (MAP_SHARED), updated atomically. */
struct stats {
	int stop;
	uint64_t calls[OP_MAX], ok[OP_MAX];
	uint64_t err[ERRNO_MAX];	/* [0] counts successes */
	uint64_t violations, forks, self_killed, sigbus;
	uint64_t sent, received;
};
static struct stats *st;

#define INC(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)

static int verbose;

/*
 * --spare-stock: do not send what is known to crash the stock stack, so
 * that a stock run finds something new.  VFIO_DEVICE_IOEVENTFD with an
 * offset >= 2^63 oopses stock vfio-pci (6.1.0-56 seen; the upstream code
 * is unchanged): the u64 offset becomes a negative loff_t, the signed
 * shift a negative BAR index that passes "bar > BAR5" and indexes
 * vdev->barmap[] out of bounds in vfio_pci_setup_barmap().  And a
 * container shared between threads or processes: stock passes container
 * ioctls to the backend without container->group_lock, so a MAP/UNMAP
 * racing the detach of the container's last group (UNSET_CONTAINER, or
 * the close of a group or device fd) uses the freed type1 data (6.1.0-56:
 * "list_del corruption" in the iommu->lock waiter list, then BUG).  So:
 * one thread per worker, no fork, no fds passed.
 */
static bool spare_stock;

static void violation(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void violation(const char *fmt, ...)
{
	uint64_t n = __atomic_fetch_add(&st->violations, 1, __ATOMIC_RELAXED);
	char line[512];
	va_list ap;

	if (n >= 50)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "VIOLATION [pid %d]: %s\n", getpid(), line);
}

static void record(enum op op, int err)
{
	INC(st->calls[op]);
	if (!err)
		INC(st->ok[op]);
	INC(st->err[err >= 0 && err < ERRNO_MAX ? err : ERRNO_MAX - 1]);
}

/* ioctl() counted under @op; returns its result or -errno. */
static long xioctl(enum op op, int fd, unsigned long req, void *arg)
{
	long r = ioctl(fd, req, arg);
	int e = r < 0 ? errno : 0;

	record(op, e);
	return r < 0 ? -e : r;
}

/* ------------------------------------------------------------ randomness */

static __thread uint64_t rng;

static uint64_t rnd(void)
{
	return ft_next(&rng);
}

static uint32_t rn(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return rn(100) < percent;
}

/* A 64-bit value biased towards the boundaries VFIO checks. */
static uint64_t rnd_u64(void)
{
	static const uint64_t edge[] = {
		0, 1, PAGE - 1, PAGE, PAGE + 1, 2 * PAGE, 1ULL << 21,
		(1ULL << 32) - PAGE, 1ULL << 32, (1ULL << 39) - PAGE,
		1ULL << 39, 1ULL << 48, 0xfee00000ULL, 0xfef00000ULL,
		UINT64_MAX, UINT64_MAX - PAGE + 1, UINT64_MAX / 2,
		0x8000000000000000ULL,
	};

	switch (rn(4)) {
	case 0:
		return edge[rn(sizeof(edge) / sizeof(edge[0]))];
	case 1:
		return rnd();
	case 2:
		return (uint64_t)rn(64) * PAGE;
	default:
		return rnd() & ((1ULL << rn(64)) - 1);
	}
}

/* argsz around the structure's minimum and full sizes. */
static uint32_t rnd_argsz(uint32_t minsz, uint32_t fullsz)
{
	switch (rn(8)) {
	case 0:
		return 0;
	case 1:
		return minsz ? minsz - 1 - rn(minsz) : 0;
	case 2:
		return minsz;
	case 3:
		return UINT32_MAX - rn(2);
	case 4:
		return fullsz + rn(256);
	case 5:
		return rn(BUFSZ);
	default:
		return fullsz;
	}
}

static uint32_t rnd_flags(uint32_t known)
{
	switch (rn(5)) {
	case 0:
		return 0;
	case 1:
		return (uint32_t)rnd();
	case 2:
		return 1U << rn(32);
	default:
		return (uint32_t)rnd() & known;
	}
}

/* Scratch buffers: per thread, garbage-filled, big enough for any argsz
 * the kernel may write back through. */
static __thread unsigned char *buf;

static void *garbage(size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t v = rnd();

		memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
	}
	return buf;
}

/* ------------------------------------------------------------ the fd pool */

enum ftype { F_CONTAINER, F_GROUP, F_DEVICE, F_EVENTFD, F_TYPES, F_ANY };

struct slot {
	pthread_rwlock_t lock;	/* read: in use; write: being (re)placed */
	int fd;			/* -1 when free */
	int type;
	int grp;		/* index into groups[] (group, device) */
	int nregions, nirqs;	/* device: from DEVICE_GET_INFO */
};

/* Per process; a forked child inherits a copy (with the locks other
 * threads held stuck forever, which is why every lock is a trylock). */
static struct slot pool[NSLOTS];
static struct ft_group groups[FT_MAX_GROUPS];
static int ngroups;
static unsigned char *dma_buf;
static int sock_in = -1, sock_out = -1;
static int worker_id;
static bool is_child;

/* Hold a used slot of @type (any if F_ANY) for reading, or NULL. */
static struct slot *get_slot(int type)
{
	unsigned int start = rn(NSLOTS), i;

	for (i = 0; i < NSLOTS; i++) {
		struct slot *s = &pool[(start + i) % NSLOTS];

		if (pthread_rwlock_tryrdlock(&s->lock))
			continue;
		if (s->fd >= 0 && (type == F_ANY || s->type == type))
			return s;
		pthread_rwlock_unlock(&s->lock);
	}
	return NULL;
}

static void put_slot(struct slot *s)
{
	pthread_rwlock_unlock(&s->lock);
}

/* Store @fd in a free slot, or close it when the pool is full. */
static void add_fd(int fd, int type, int grp, int nregions, int nirqs)
{
	unsigned int start = rn(NSLOTS), i;

	for (i = 0; i < NSLOTS; i++) {
		struct slot *s = &pool[(start + i) % NSLOTS];

		if (pthread_rwlock_trywrlock(&s->lock))
			continue;
		if (s->fd < 0) {
			s->fd = fd;
			s->type = type;
			s->grp = grp;
			s->nregions = nregions;
			s->nirqs = nirqs;
			pthread_rwlock_unlock(&s->lock);
			return;
		}
		pthread_rwlock_unlock(&s->lock);
	}
	close(fd);
}

static void op_close(void)
{
	unsigned int start = rn(NSLOTS), i;

	for (i = 0; i < NSLOTS; i++) {
		struct slot *s = &pool[(start + i) % NSLOTS];

		if (pthread_rwlock_trywrlock(&s->lock))
			continue;
		if (s->fd >= 0) {
			record(OP_CLOSE, close(s->fd) ? errno : 0);
			s->fd = -1;
			pthread_rwlock_unlock(&s->lock);
			return;
		}
		pthread_rwlock_unlock(&s->lock);
	}
}

/* Close every fd in a random order (end of a worker or child). */
static void close_all(void)
{
	int i;

	for (i = 0; i < NSLOTS * 4; i++)
		op_close();
	for (i = 0; i < NSLOTS; i++)
		if (!pthread_rwlock_trywrlock(&pool[i].lock)) {
			if (pool[i].fd >= 0)
				close(pool[i].fd);
			pool[i].fd = -1;
			pthread_rwlock_unlock(&pool[i].lock);
		}
}

/* ------------------------------------------------------------ opens */

static void op_open_container(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR);

	record(OP_OPEN_CONTAINER, fd < 0 ? errno : 0);
	if (fd < 0) {
		violation("open /dev/vfio/vfio: %m");
		return;
	}
	add_fd(fd, F_CONTAINER, 0, 0, 0);
}

static void op_open_group(void)
{
	char path[64];
	int g = rn(ngroups), fd;

	snprintf(path, sizeof(path), "/dev/vfio/%d", groups[g].num);
	fd = open(path, O_RDWR);
	record(OP_OPEN_GROUP, fd < 0 ? errno : 0);
	if (fd >= 0)
		add_fd(fd, F_GROUP, g, 0, 0);
}

static void op_open_eventfd(void)
{
	int fd = eventfd(0, EFD_NONBLOCK);

	record(OP_OPEN_EVENTFD, fd < 0 ? errno : 0);
	if (fd >= 0)
		add_fd(fd, F_EVENTFD, 0, 0, 0);
}

static void op_dup(void)
{
	struct slot *s = get_slot(F_ANY);
	struct slot copy;
	int fd;

	if (!s)
		return;
	copy = *s;
	fd = dup(s->fd);
	put_slot(s);
	record(OP_DUP, fd < 0 ? errno : 0);
	if (fd >= 0)
		add_fd(fd, copy.type, copy.grp, copy.nregions, copy.nirqs);
}

/* ------------------------------------------------------------ container */

static void op_get_api_version(void)
{
	struct slot *s = get_slot(F_CONTAINER);
	long r;

	if (!s)
		return;
	r = xioctl(OP_GET_API_VERSION, s->fd, VFIO_GET_API_VERSION, NULL);
	if (r != VFIO_API_VERSION)
		violation("GET_API_VERSION returned %ld", r);
	put_slot(s);
}

static void op_check_extension(void)
{
	struct slot *s = get_slot(F_CONTAINER);
	unsigned long ext = chance(60) ? rn(12) : rnd_u64();
	long r;

	if (!s)
		return;
	r = xioctl(OP_CHECK_EXTENSION, s->fd, VFIO_CHECK_EXTENSION,
		   (void *)ext);
	/* No extension is numbered that high: "not supported" is 0. */
	if (ext >= 64 && r > 0)
		violation("CHECK_EXTENSION(%lu) returned %ld", ext, r);
	put_slot(s);
}

static void op_set_iommu(void)
{
	static const unsigned long types[] = { 1, 3, 3, 3, 0, 2, 6, 7, 8, 9 };
	struct slot *s = get_slot(F_CONTAINER);
	unsigned long type = chance(80) ? types[rn(10)] : rnd_u64();
	long r;

	if (!s)
		return;
	r = xioctl(OP_SET_IOMMU, s->fd, VFIO_SET_IOMMU, (void *)type);
	/* Only type1 (1, 3), its old nesting variant (6) and no-IOMMU (8)
	 * exist on x86; everything else must be refused. */
	if (r >= 0 && type != 1 && type != 3 && type != 6 && type != 8)
		violation("SET_IOMMU(%lu) succeeded", type);
	put_slot(s);
}

static void op_iommu_get_info(void)
{
	struct slot *s = get_slot(F_CONTAINER);
	struct vfio_iommu_type1_info *info = garbage(BUFSZ);
	uint32_t minsz = offsetofend(struct vfio_iommu_type1_info,
				     iova_pgsizes);
	long r;

	if (!s)
		return;
	info->argsz = rnd_argsz(minsz, sizeof(*info) + 256);
	if (info->argsz > BUFSZ && chance(90))
		info->argsz = BUFSZ;
	r = xioctl(OP_IOMMU_GET_INFO, s->fd, VFIO_IOMMU_GET_INFO, info);
	if (r >= 0 && info->argsz < minsz)
		violation("IOMMU_GET_INFO succeeded with argsz %u", info->argsz);
	else if (r >= 0 && (info->flags & VFIO_IOMMU_INFO_PGSIZES) &&
		 !(info->iova_pgsizes & PAGE))
		violation("IOMMU_GET_INFO: pgsizes 0x%llx lack 4 KiB",
			  (unsigned long long)info->iova_pgsizes);
	put_slot(s);
}

/* A vaddr in our DMA buffer, or a boundary one. */
static uint64_t rnd_vaddr(void)
{
	switch (rn(8)) {
	case 0:
		return rnd_u64();
	case 1:
		return KERNEL_VADDR + rn(64) * PAGE;
	case 2:
		return (uint64_t)(uintptr_t)dma_buf + rn(DMA_BUF);
	default:
		return (uint64_t)(uintptr_t)dma_buf + rn(DMA_BUF / PAGE) * PAGE;
	}
}

/* IOVA/size pairs: mostly a few page-sized slots so unmaps hit maps. */
static void rnd_range(__u64 *iova, __u64 *size)
{
	if (chance(70)) {
		*iova = (1ULL << 30) + rn(32) * 16 * PAGE;
		*size = (1 + rn(16)) * PAGE;
	} else {
		*iova = rnd_u64();
		*size = chance(50) ? rnd_u64() : (1 + rn(64)) * PAGE;
	}
}

static void op_map_dma(void)
{
	struct slot *s = get_slot(F_CONTAINER);
	struct vfio_iommu_type1_dma_map map = { 0 };
	uint32_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	uint32_t known = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE |
			 VFIO_DMA_MAP_FLAG_VADDR;
	uint64_t end;
	bool wrap;
	long r;

	if (!s)
		return;
	map.argsz = chance(85) ? sizeof(map) : rnd_argsz(minsz, sizeof(map));
	map.flags = chance(80) ? VFIO_DMA_MAP_FLAG_READ |
				 VFIO_DMA_MAP_FLAG_WRITE : rnd_flags(known);
	map.vaddr = rnd_vaddr();
	rnd_range(&map.iova, &map.size);
	wrap = __builtin_add_overflow(map.iova, map.size, &end) ||
	       __builtin_add_overflow(map.vaddr, map.size, &end);
	r = xioctl(OP_MAP_DMA, s->fd, VFIO_IOMMU_MAP_DMA, &map);
	if (r >= 0) {
		const char *why = NULL;
		bool vaddr_update = map.flags & VFIO_DMA_MAP_FLAG_VADDR;

		if (map.argsz < minsz)
			why = "argsz below minimum";
		else if (map.flags & ~known)
			why = "unknown flags";
		else if (!map.size)
			why = "size 0";
		else if ((map.iova | map.size) & (PAGE - 1))
			why = "unaligned iova/size";
		else if (wrap)
			why = "range wraps";
		else if (!vaddr_update &&
			 !(map.flags & (VFIO_DMA_MAP_FLAG_READ |
					VFIO_DMA_MAP_FLAG_WRITE)))
			why = "neither READ nor WRITE";
		else if (!vaddr_update && (map.vaddr & (PAGE - 1)))
			why = "unaligned vaddr";
		else if (!vaddr_update && map.vaddr >= 0x800000000000ULL)
			why = "kernel vaddr";
		if (why)
			violation("MAP_DMA succeeded: %s (argsz %u flags 0x%x vaddr 0x%llx iova 0x%llx size 0x%llx)",
				  why, map.argsz, map.flags,
				  (unsigned long long)map.vaddr,
				  (unsigned long long)map.iova,
				  (unsigned long long)map.size);
	}
	put_slot(s);
}

static void op_unmap_dma(void)
{
	struct slot *s = get_slot(F_CONTAINER);
	struct vfio_iommu_type1_dma_unmap unmap = { 0 };
	uint32_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	uint32_t known = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP |
			 VFIO_DMA_UNMAP_FLAG_ALL | VFIO_DMA_UNMAP_FLAG_VADDR;
	long r;

	if (!s)
		return;
	unmap.argsz = chance(85) ? sizeof(unmap) :
				   rnd_argsz(minsz, sizeof(unmap));
	unmap.flags = chance(80) ? (chance(10) ? VFIO_DMA_UNMAP_FLAG_ALL : 0) :
				   rnd_flags(known);
	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL && chance(70))
		unmap.iova = unmap.size = 0;
	else
		rnd_range(&unmap.iova, &unmap.size);
	r = xioctl(OP_UNMAP_DMA, s->fd, VFIO_IOMMU_UNMAP_DMA, &unmap);
	if (r >= 0) {
		if (unmap.argsz < minsz)
			violation("UNMAP_DMA succeeded with argsz %u",
				  unmap.argsz);
		else if (unmap.flags & ~known)
			violation("UNMAP_DMA succeeded with flags 0x%x",
				  unmap.flags);
	}
	put_slot(s);
}

static void op_dirty_pages(void)
{
	struct slot *s = get_slot(F_CONTAINER);
	struct vfio_iommu_type1_dirty_bitmap *d = garbage(BUFSZ);
	uint32_t known = VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
			 VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP |
			 VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	long r;

	if (!s)
		return;
	d->argsz = rnd_argsz(sizeof(*d), sizeof(*d) + 32);
	if (d->argsz > BUFSZ)
		d->argsz = BUFSZ;
	d->flags = chance(50) ? 1U << rn(3) : rnd_flags(known);
	r = xioctl(OP_DIRTY_PAGES, s->fd, VFIO_IOMMU_DIRTY_PAGES, d);
	if (r >= 0 && (d->flags & ~known))
		violation("DIRTY_PAGES succeeded with flags 0x%x", d->flags);
	else if (r >= 0 && __builtin_popcount(d->flags) > 1)
		violation("DIRTY_PAGES succeeded with several flags 0x%x",
			  d->flags);
	/* STOP again so tracking does not pin memory for the whole run. */
	if (r >= 0 && d->flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_START &&
	    chance(80)) {
		struct vfio_iommu_type1_dirty_bitmap stop = {
			.argsz = sizeof(stop),
			.flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP,
		};

		xioctl(OP_DIRTY_PAGES, s->fd, VFIO_IOMMU_DIRTY_PAGES, &stop);
	}
	put_slot(s);
}

/* ------------------------------------------------------------ group */

static void op_group_get_status(void)
{
	struct slot *s = get_slot(F_GROUP);
	struct vfio_group_status *gs = garbage(64);
	long r;

	if (!s)
		return;
	gs->argsz = rnd_argsz(sizeof(*gs), sizeof(*gs));
	r = xioctl(OP_GROUP_GET_STATUS, s->fd, VFIO_GROUP_GET_STATUS, gs);
	if (r >= 0 && gs->argsz < sizeof(*gs))
		violation("GROUP_GET_STATUS succeeded with argsz %u",
			  gs->argsz);
	else if (r >= 0 && (gs->flags & ~(VFIO_GROUP_FLAGS_VIABLE |
					  VFIO_GROUP_FLAGS_CONTAINER_SET)))
		violation("GROUP_GET_STATUS flags 0x%x", gs->flags);
	put_slot(s);
}

static void op_group_set_container(void)
{
	struct slot *s = get_slot(F_GROUP), *c = NULL;
	int type = chance(75) ? F_CONTAINER : (int)rn(F_TYPES);
	int cfd;
	long r;

	if (!s)
		return;
	if (chance(5)) {
		cfd = chance(50) ? -1 : (int)rn(1024);
		type = -1;	/* unknown: no expectation */
	} else {
		c = get_slot(type);
		if (!c) {
			put_slot(s);
			return;
		}
		cfd = c->fd;
	}
	r = xioctl(OP_GROUP_SET_CONTAINER, s->fd, VFIO_GROUP_SET_CONTAINER,
		   &cfd);
	if (r >= 0 && type >= 0 && type != F_CONTAINER)
		violation("GROUP_SET_CONTAINER succeeded with a fd of type %d",
			  type);
	if (c)
		put_slot(c);
	put_slot(s);
}

static void op_group_unset_container(void)
{
	struct slot *s = get_slot(F_GROUP);

	if (!s)
		return;
	xioctl(OP_GROUP_UNSET_CONTAINER, s->fd, VFIO_GROUP_UNSET_CONTAINER,
	       NULL);
	put_slot(s);
}

/* A device's region and IRQ counts, or vfio-pci's fixed ones. */
static void device_counts(int fd, int *nregions, int *nirqs)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	*nregions = VFIO_PCI_NUM_REGIONS;
	*nirqs = VFIO_PCI_NUM_IRQS;
	if (xioctl(OP_DEVICE_GET_INFO, fd, VFIO_DEVICE_GET_INFO, &info) >= 0) {
		*nregions = info.num_regions;
		*nirqs = info.num_irqs;
	}
}

static void op_group_get_device_fd(void)
{
	struct slot *s = get_slot(F_GROUP);
	const struct ft_group *g;
	char *name = (char *)buf;
	bool must_fail = false;
	int nregions, nirqs, grp;
	long r;

	if (!s)
		return;
	grp = s->grp;
	g = &groups[grp];
	switch (rn(10)) {
	case 0: {	/* a device of another group */
		const struct ft_group *o = &groups[rn(ngroups)];

		strcpy(name, o->dev[rn(o->ndev)]);
		must_fail = o != g;
		break;
	}
	case 1:		/* garbage */
		garbage(16);
		name[rn(16)] = '\0';
		must_fail = !strchr(name, ':');
		break;
	case 2:
		strcpy(name, "0000:ff:1f.7");
		must_fail = true;
		break;
	case 3:		/* too long, no NUL within a page */
		memset(name, 'a', 2 * PAGE);
		name[2 * PAGE] = '\0';
		must_fail = true;
		break;
	case 4:		/* a member's name with a suffix */
		snprintf(name, 64, "%s%s", g->dev[rn(g->ndev)],
			 chance(50) ? " " : "x");
		break;
	default:
		strcpy(name, g->dev[rn(g->ndev)]);
		break;
	}
	r = xioctl(OP_GROUP_GET_DEVICE_FD, s->fd, VFIO_GROUP_GET_DEVICE_FD,
		   name);
	put_slot(s);
	if (r < 0)
		return;
	if (must_fail)
		violation("GROUP_GET_DEVICE_FD(\"%.40s\") succeeded on group %d",
			  name, g->num);
	device_counts(r, &nregions, &nirqs);
	add_fd(r, F_DEVICE, grp, nregions, nirqs);
}

/* ------------------------------------------------------------ device */

static void op_device_get_info(void)
{
	struct slot *s = get_slot(F_DEVICE);
	struct vfio_device_info *info = garbage(BUFSZ);
	uint32_t minsz = offsetofend(struct vfio_device_info, num_irqs);
	long r;

	if (!s)
		return;
	info->argsz = rnd_argsz(minsz, sizeof(*info) + 64);
	if (info->argsz > BUFSZ)
		info->argsz = BUFSZ;
	r = xioctl(OP_DEVICE_GET_INFO, s->fd, VFIO_DEVICE_GET_INFO, info);
	if (r >= 0 && info->argsz < minsz)
		violation("DEVICE_GET_INFO succeeded with argsz %u",
			  info->argsz);
	else if (r >= 0 && (!(info->flags & VFIO_DEVICE_FLAGS_PCI) ||
			    info->num_regions < VFIO_PCI_NUM_REGIONS ||
			    info->num_irqs != VFIO_PCI_NUM_IRQS))
		violation("DEVICE_GET_INFO: flags 0x%x regions %u irqs %u",
			  info->flags, info->num_regions, info->num_irqs);
	put_slot(s);
}

/* An index around [0, n), sometimes far out. */
static uint32_t rnd_index(int n)
{
	if (chance(10))
		return (uint32_t)rnd_u64();
	return rn(n + 3);
}

static void op_device_get_region_info(void)
{
	struct slot *s = get_slot(F_DEVICE);
	struct vfio_region_info *ri = garbage(BUFSZ);
	uint32_t minsz = offsetofend(struct vfio_region_info, offset);
	long r;

	if (!s)
		return;
	ri->argsz = rnd_argsz(minsz, sizeof(*ri) + 64);
	if (ri->argsz > BUFSZ)
		ri->argsz = BUFSZ;
	ri->index = rnd_index(s->nregions);
	r = xioctl(OP_DEVICE_GET_REGION_INFO, s->fd,
		   VFIO_DEVICE_GET_REGION_INFO, ri);
	if (r >= 0 && ri->argsz < minsz)
		violation("GET_REGION_INFO succeeded with argsz %u", ri->argsz);
	else if (r >= 0 && ri->index >= (uint32_t)s->nregions)
		violation("GET_REGION_INFO succeeded for index %u of %d",
			  ri->index, s->nregions);
	else if (r >= 0 && ri->index < VFIO_PCI_NUM_REGIONS &&
		 ri->offset != REGION_OFF(ri->index))
		violation("GET_REGION_INFO(%u): offset 0x%llx", ri->index,
			  (unsigned long long)ri->offset);
	put_slot(s);
}

static void op_device_get_irq_info(void)
{
	struct slot *s = get_slot(F_DEVICE);
	struct vfio_irq_info *ii = garbage(64);
	uint32_t minsz = offsetofend(struct vfio_irq_info, count);
	long r;

	if (!s)
		return;
	ii->argsz = rnd_argsz(minsz, sizeof(*ii));
	ii->index = rnd_index(s->nirqs);
	r = xioctl(OP_DEVICE_GET_IRQ_INFO, s->fd, VFIO_DEVICE_GET_IRQ_INFO,
		   ii);
	if (r >= 0 && ii->argsz < minsz)
		violation("GET_IRQ_INFO succeeded with argsz %u", ii->argsz);
	else if (r >= 0 && ii->index >= (uint32_t)s->nirqs)
		violation("GET_IRQ_INFO succeeded for index %u of %d",
			  ii->index, s->nirqs);
	put_slot(s);
}

static void op_device_set_irqs(void)
{
	const uint32_t data = VFIO_IRQ_SET_DATA_TYPE_MASK;
	const uint32_t action = VFIO_IRQ_SET_ACTION_TYPE_MASK;
	struct slot *s = get_slot(F_DEVICE);
	struct vfio_irq_set *set = garbage(512);
	uint32_t minsz = offsetofend(struct vfio_irq_set, count);
	int efd[8], nefd = 0, i;
	long r;

	if (!s)
		return;
	if (chance(80))
		set->flags = (1U << rn(3)) | (1U << (3 + rn(3)));
	else
		set->flags = rnd_flags(data | action);
	set->index = chance(90) ? rn(s->nirqs) : rnd_index(s->nirqs);
	set->start = chance(80) ? 0 : (uint32_t)rnd_u64();
	set->count = chance(80) ? rn(3) : (uint32_t)rnd_u64();
	if (set->flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		for (i = 0; i < 8; i++) {
			int32_t fd = -1;

			if (chance(60)) {
				fd = eventfd(0, EFD_NONBLOCK);
				if (fd >= 0)
					efd[nefd++] = fd;
			}
			memcpy(set->data + 4 * i, &fd, 4);
		}
	}
	set->argsz = chance(85) ? sizeof(*set) + 32 :
				  rnd_argsz(minsz, sizeof(*set) + 32);
	if (set->argsz > 512 && chance(90))
		set->argsz = 512;
	r = xioctl(OP_DEVICE_SET_IRQS, s->fd, VFIO_DEVICE_SET_IRQS, set);
	if (r >= 0) {
		const char *why = NULL;

		if (set->argsz < minsz)
			why = "argsz below minimum";
		else if (set->flags & ~(data | action))
			why = "unknown flags";
		else if (__builtin_popcount(set->flags & data) != 1)
			why = "not one data type";
		else if (__builtin_popcount(set->flags & action) != 1)
			why = "not one action";
		else if (set->index >= (uint32_t)s->nirqs)
			why = "index out of range";
		if (why)
			violation("SET_IRQS succeeded: %s (argsz %u flags 0x%x index %u start %u count %u)",
				  why, set->argsz, set->flags, set->index,
				  set->start, set->count);
	}
	/* Tear interrupts down again now and then, as users do. */
	if (r >= 0 && chance(50)) {
		struct vfio_irq_set off = {
			.argsz = sizeof(off), .index = set->index,
			.flags = VFIO_IRQ_SET_DATA_NONE |
				 VFIO_IRQ_SET_ACTION_TRIGGER,
		};

		xioctl(OP_DEVICE_SET_IRQS, s->fd, VFIO_DEVICE_SET_IRQS, &off);
	}
	for (i = 0; i < nefd; i++)
		close(efd[i]);
	put_slot(s);
}

static void op_device_reset(void)
{
	struct slot *s = get_slot(F_DEVICE);

	if (!s)
		return;
	xioctl(OP_DEVICE_RESET, s->fd, VFIO_DEVICE_RESET, NULL);
	put_slot(s);
}

static void op_hot_reset_info(void)
{
	struct slot *s = get_slot(F_DEVICE);
	struct vfio_pci_hot_reset_info *hi = garbage(BUFSZ);
	uint32_t minsz = offsetofend(struct vfio_pci_hot_reset_info, count);
	long r;

	if (!s)
		return;
	hi->argsz = rnd_argsz(minsz, sizeof(*hi) + 4 * sizeof(hi->devices[0]));
	if (hi->argsz > BUFSZ)
		hi->argsz = BUFSZ;
	r = xioctl(OP_HOT_RESET_INFO, s->fd,
		   VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hi);
	if (r >= 0 && hi->argsz < minsz)
		violation("GET_PCI_HOT_RESET_INFO succeeded with argsz %u",
			  hi->argsz);
	put_slot(s);
}

static void op_hot_reset(void)
{
	struct slot *s = get_slot(F_DEVICE), *held[4];
	struct vfio_pci_hot_reset *hr = garbage(256);
	uint32_t minsz = offsetofend(struct vfio_pci_hot_reset, count);
	int nheld = 0, i;
	long r;

	if (!s)
		return;
	hr->flags = chance(90) ? 0 : (uint32_t)rnd();
	hr->count = chance(80) ? rn(4) : (uint32_t)rnd_u64();
	for (i = 0; i < 4; i++) {
		struct slot *g = chance(80) ? get_slot(F_GROUP) : NULL;

		if (g)
			held[nheld++] = g;
		hr->group_fds[i] = g ? g->fd : (int32_t)rn(1024) - 1;
	}
	hr->argsz = chance(80) ? sizeof(*hr) + 4 * hr->count :
				 rnd_argsz(minsz, sizeof(*hr) + 16);
	if (hr->argsz > 256 && chance(90))
		hr->argsz = sizeof(*hr) + 16;
	r = xioctl(OP_HOT_RESET, s->fd, VFIO_DEVICE_PCI_HOT_RESET, hr);
	if (r >= 0 && hr->argsz < minsz)
		violation("PCI_HOT_RESET succeeded with argsz %u", hr->argsz);
	else if (r >= 0 && hr->flags)
		violation("PCI_HOT_RESET succeeded with flags 0x%x", hr->flags);
	for (i = 0; i < nheld; i++)
		put_slot(held[i]);
	put_slot(s);
}

static void op_device_feature(void)
{
	const uint32_t ops = VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_SET |
			     VFIO_DEVICE_FEATURE_PROBE;
	struct slot *s = get_slot(F_DEVICE);
	struct vfio_device_feature *f = garbage(256);
	uint32_t minsz = offsetofend(struct vfio_device_feature, flags);
	uint32_t index;
	long r;

	if (!s)
		return;
	index = chance(80) ? rn(12) : (uint32_t)rnd() & VFIO_DEVICE_FEATURE_MASK;
	f->flags = index | (chance(80) ? (1U << (16 + rn(3))) : rnd_flags(ops));
	f->argsz = chance(70) ? sizeof(*f) + rn(64) :
				rnd_argsz(minsz, sizeof(*f) + 64);
	if (f->argsz > 256)
		f->argsz = 256;
	r = xioctl(OP_DEVICE_FEATURE, s->fd, VFIO_DEVICE_FEATURE, f);
	if (r >= 0 && f->argsz < minsz)
		violation("DEVICE_FEATURE succeeded with argsz %u", f->argsz);
	else if (r >= 0 && (f->flags & ~(ops | VFIO_DEVICE_FEATURE_MASK)))
		violation("DEVICE_FEATURE succeeded with flags 0x%x", f->flags);
	else if (r >= 0 && index >= 64)
		violation("DEVICE_FEATURE succeeded for feature %u", index);
	/* Leave low-power states again so the device stays usable. */
	if (r >= 0 && (f->flags & VFIO_DEVICE_FEATURE_SET)) {
		struct vfio_device_feature exit = {
			.argsz = sizeof(exit),
			.flags = VFIO_DEVICE_FEATURE_SET | 5,	/* LOW_POWER_EXIT */
		};

		xioctl(OP_DEVICE_FEATURE, s->fd, VFIO_DEVICE_FEATURE, &exit);
	}
	put_slot(s);
}

/* Is @off a BAR0 register the edu device lets anyone write?  Everything
 * from 0x80 up drives its DMA engine, which we do not point anywhere. */
static bool edu_safe_write(uint64_t off, size_t len)
{
	return off < 0x80 && len <= 0x80 - off;
}

static void op_device_ioeventfd(void)
{
	const uint32_t sizes = VFIO_DEVICE_IOEVENTFD_SIZE_MASK;
	struct slot *s = get_slot(F_DEVICE);
	struct vfio_device_ioeventfd io = { 0 };
	uint32_t minsz = offsetofend(struct vfio_device_ioeventfd, fd);
	int efd = -1;
	long r;

	if (!s)
		return;
	io.argsz = chance(85) ? sizeof(io) : rnd_argsz(minsz, sizeof(io));
	io.flags = chance(80) ? 1U << rn(4) : rnd_flags(sizes);
	/* Registers below 0x80 of BAR0: never the edu DMA engine. */
	io.offset = chance(80) ? REGION_OFF(rn(3)) + (rn(0x80) & ~7U) :
				 rnd_u64();
	if (spare_stock)
		io.offset &= ~(1ULL << 63);
	if (io.offset < REGION_OFF(1) && !edu_safe_write(io.offset, 8))
		io.offset &= 0x78;
	io.data = rnd();
	if (chance(70)) {
		efd = eventfd(0, EFD_NONBLOCK);
		io.fd = efd;
	} else {
		io.fd = chance(50) ? -1 : (int32_t)rn(1024);
	}
	r = xioctl(OP_DEVICE_IOEVENTFD, s->fd, VFIO_DEVICE_IOEVENTFD, &io);
	if (r >= 0 && io.argsz < minsz)
		violation("DEVICE_IOEVENTFD succeeded with argsz %u", io.argsz);
	else if (r >= 0 && ((io.flags & ~sizes) ||
			    __builtin_popcount(io.flags) != 1))
		violation("DEVICE_IOEVENTFD succeeded with flags 0x%x",
			  io.flags);
	/* Deregister (fd -1) now and then; the rest goes at close. */
	if (r >= 0 && efd >= 0 && chance(50)) {
		io.fd = -1;
		xioctl(OP_DEVICE_IOEVENTFD, s->fd, VFIO_DEVICE_IOEVENTFD, &io);
	}
	if (efd >= 0)
		close(efd);
	put_slot(s);
}

static void op_region_rw(bool write)
{
	static const size_t lens[] = { 1, 2, 4, 8, 3, 64, 4096 };
	struct slot *s = get_slot(F_DEVICE);
	uint32_t index;
	uint64_t off;
	size_t len = lens[rn(7)];
	ssize_t r;

	if (!s)
		return;
	index = write ? (chance(70) ? VFIO_PCI_CONFIG_REGION_INDEX : 0) :
			rnd_index(s->nregions);
	off = chance(80) ? rn(index == VFIO_PCI_CONFIG_REGION_INDEX ? 4096 :
			      0x100) : rnd_u64() & ((1ULL << 40) - 1);
	if (write && index == 0 && !edu_safe_write(off, len)) {
		off = 4;	/* the liveness register */
		len = 4;
	}
	off += REGION_OFF(index);
	garbage(len);
	if (write)
		r = pwrite(s->fd, buf, len, off);
	else
		r = pread(s->fd, buf, len, off);
	record(write ? OP_REGION_WRITE : OP_REGION_READ, r < 0 ? errno : 0);
	if (r > 0 && index >= (uint32_t)s->nregions && index < (1U << 23))
		violation("%s of region %u (of %d) returned %zd",
			  write ? "pwrite" : "pread", index, s->nregions, r);
	put_slot(s);
}

/*
 * COMMAND through the config region, 1, 2 or 4 bytes at a time: mostly
 * INTx disable flips (which mask and unmask the INTx handler that
 * SET_IRQS on another thread sets up and tears down), now and then the
 * memory and I/O decode bits (which zap the mappings other threads
 * fault in).  Bus master stays on: the edu may be mid-DMA.
 */
static void op_config_command(void)
{
	static const size_t lens[] = { 1, 2, 4 };
	struct slot *s = get_slot(F_DEVICE);
	uint16_t cmd = 0;
	uint32_t v;
	size_t len = lens[rn(3)];
	off_t off = REGION_OFF(VFIO_PCI_CONFIG_REGION_INDEX) + PCI_COMMAND;
	ssize_t r;

	if (!s)
		return;
	if (pread(s->fd, &cmd, 2, off) != 2) {
		record(OP_CONFIG_COMMAND, errno);
		put_slot(s);
		return;
	}
	cmd ^= PCI_COMMAND_INTX_DISABLE;
	if (chance(10))
		cmd ^= PCI_COMMAND_MEMORY;
	if (chance(5))
		cmd ^= PCI_COMMAND_IO;
	cmd |= PCI_COMMAND_MASTER;
	v = cmd;	/* STATUS bits written as 0: RW1C, so no change */
	r = pwrite(s->fd, &v, len, off);
	record(OP_CONFIG_COMMAND, r < 0 ? errno : 0);
	if (r >= 0 && (size_t)r != len)
		violation("COMMAND write of %zu bytes returned %zd", len, r);
	put_slot(s);
}

/* Live mappings of device regions, unmapped later in any order (a vma
 * keeps the device open past its last fd's close). */
static __thread struct { void *addr; size_t len; } maps[NMAPS];
static __thread sigjmp_buf *fault_jmp;

static void on_fault(int sig)
{
	if (fault_jmp)
		siglongjmp(*fault_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void op_mmap(void)
{
	struct slot *s = get_slot(F_DEVICE);
	uint32_t index;
	uint64_t off;
	size_t len;
	void *p;
	int i;

	if (!s)
		return;
	index = chance(70) ? 0 : rnd_index(s->nregions);
	off = chance(80) ? rn(4) * PAGE : rnd_u64() & ((1ULL << 40) - 1);
	len = chance(80) ? (1 + rn(16)) * PAGE : (size_t)rnd_u64();
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd,
		 REGION_OFF(index) + off);
	record(OP_MMAP, p == MAP_FAILED ? errno : 0);
	if (p != MAP_FAILED) {
		sigjmp_buf jb;

		if (index == VFIO_PCI_CONFIG_REGION_INDEX ||
		    index >= (uint32_t)s->nregions)
			violation("mmap of region %u (of %d) succeeded", index,
				  s->nregions);
		/* Touch it; SIGBUS is the right answer when memory decoding
		 * is off (the fuzzer writes the command register too). */
		if (sigsetjmp(jb, 1) == 0) {
			volatile uint32_t *reg = p;

			fault_jmp = &jb;
			(void)reg[0];
			if (index == 0 && off == 0)
				reg[1] = (uint32_t)rnd();
		} else {
			INC(st->sigbus);
		}
		fault_jmp = NULL;
		i = rn(NMAPS);
		if (maps[i].addr)
			munmap(maps[i].addr, maps[i].len);
		maps[i].addr = p;
		maps[i].len = len;
	}
	put_slot(s);
}

static void op_munmap(void)
{
	int i = rn(NMAPS);

	if (!maps[i].addr)
		return;
	record(OP_MUNMAP, munmap(maps[i].addr, maps[i].len) ? errno : 0);
	maps[i].addr = NULL;
}

static void munmap_all(void)
{
	int i;

	for (i = 0; i < NMAPS; i++)
		if (maps[i].addr) {
			munmap(maps[i].addr, maps[i].len);
			maps[i].addr = NULL;
		}
}

/* ------------------------------------------------------------ raw ioctls */

/* Numbers each fd type must refuse whatever the argument: group fds know
 * only GROUP_*, containers never take group or device ioctls, devices
 * never container or group ones, and nobody knows VFIO_BASE + 40..99. */
static bool must_refuse(int type, unsigned int nr)
{
	if (nr >= 40)
		return true;
	switch (type) {
	case F_GROUP:
		return nr < 3 || nr > 6;
	case F_CONTAINER:
		return (nr >= 3 && nr <= 11) || nr == 15 || nr == 16 ||
		       nr >= 18;
	case F_DEVICE:
		return nr <= 6;
	}
	return false;
}

/* An argument pointer: garbage, NULL, unmapped or the kernel's. */
static void *rnd_arg(void)
{
	switch (rn(6)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)KERNEL_VADDR;
	case 2:
		return (void *)(uintptr_t)(PAGE * (1 + rn(15)));
	default:
		return garbage(BUFSZ);
	}
}

static void op_raw_ioctl(bool undefined)
{
	int type = rn(F_TYPES);
	struct slot *s = get_slot(type);
	unsigned int nr;
	long r;

	if (!s)
		return;
	if (undefined) {
		do
			nr = rn(100);
		while (!must_refuse(type, nr));
	} else {
		/* DEVICE_RESET has its own, rarer, operation: resets are
		 * slow under emulation. */
		do
			nr = rn(24);
		while (nr == 11);
	}
	r = xioctl(undefined ? OP_UNDEFINED_IOCTL : OP_RAW_IOCTL, s->fd,
		   _IO(VFIO_TYPE, VFIO_BASE + nr), rnd_arg());
	if (r >= 0 && type != F_EVENTFD && must_refuse(type, nr))
		violation("ioctl VFIO_BASE+%u succeeded on a fd of type %d",
			  nr, type);
	put_slot(s);
}

/* ------------------------------------------------------------ fd passing */

struct fd_msg {
	int type, grp, nregions, nirqs;
};

static void op_send_fd(void)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct slot *s = get_slot(F_ANY);
	struct fd_msg m;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	ssize_t r;

	if (!s || sock_out < 0) {
		if (s)
			put_slot(s);
		return;
	}
	m = (struct fd_msg){ s->type, s->grp, s->nregions, s->nirqs };
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &s->fd, sizeof(int));
	r = sendmsg(sock_out, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	put_slot(s);
	record(OP_SEND_FD, r < 0 ? errno : 0);
	if (r >= 0)
		INC(st->sent);
}

static void op_recv_fd(void)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct fd_msg m;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	ssize_t r;
	int fd;

	if (sock_in < 0)
		return;
	r = recvmsg(sock_in, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (r < 0 && errno == EAGAIN)
		return;
	record(OP_RECV_FD, r < 0 ? errno : 0);
	cm = CMSG_FIRSTHDR(&mh);
	if (r != sizeof(m) || !cm || cm->cmsg_type != SCM_RIGHTS)
		return;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	INC(st->received);
	add_fd(fd, m.type, m.grp, m.nregions, m.nirqs);
}

/* ------------------------------------------------------------ processes */

/* The type of the file behind @fd as /proc names it, and for a group its
 * number; -1 if @fd is not open or none of ours. */
static int fd_type(int fd, int *group)
{
	char path[64], link[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	if (!strcmp(link, "/dev/vfio/vfio"))
		return F_CONTAINER;
	if (!strncmp(link, "/dev/vfio/", 10)) {
		*group = atoi(link + 10);
		return F_GROUP;
	}
	if (strstr(link, "vfio-device"))
		return F_DEVICE;
	if (strstr(link, "eventfd"))
		return F_EVENTFD;
	return -1;
}

/*
 * In a fork()ed child: the fd table and the memory were copied at two
 * different moments of fork(), and the other threads (gone in the child)
 * may have opened or closed fds in between, or held slot locks.  Re-init
 * the locks and drop every slot whose fd is no longer what it says.
 *
 * Two slots can also name the same fd: a thread closed fd N (its slot
 * not yet cleared when memory was copied) and another opened a new file
 * as N and stored it in a second slot.  Closing one would leave the other
 * with a closed fd, and an EBADF that is ours, not the kernel's (seen as
 * "GET_API_VERSION returned -9" in a 180 s run): keep one slot per fd.
 */
static void child_fix_pool(void)
{
	int i, j;

	for (i = 0; i < NSLOTS; i++) {
		struct slot *s = &pool[i];
		int num = -1;

		pthread_rwlock_init(&s->lock, NULL);
		if (s->fd < 0)
			continue;
		if (fd_type(s->fd, &num) != s->type ||
		    (s->type == F_GROUP && num != groups[s->grp].num)) {
			s->fd = -1;	/* not ours to close */
			continue;
		}
		for (j = 0; j < i; j++) {
			if (pool[j].fd == s->fd) {
				s->fd = -1;	/* the other slot owns it */
				break;
			}
		}
	}
}

static void run_ops(int n);

static void op_fork(void)
{
	uint64_t seed = rnd();
	pid_t pid;

	if (is_child)
		return;
	pid = fork();
	record(OP_FORK, pid < 0 ? errno : 0);
	if (pid)
		return;
	/* The child: this thread alone, a copy of the pool and mappings. */
	is_child = true;
	rng = seed;
	child_fix_pool();
	INC(st->forks);
	run_ops(rn(CHILD_OPS));
	if (chance(30)) {
		/* kill -9 at a random point, fds and mappings live */
		INC(st->self_killed);
		raise(SIGKILL);
	}
	if (chance(50))
		close_all();
	_exit(0);
}

/* Collect finished children; a child killed by anything but its own
 * SIGKILL crashed. */
static void reap(bool block)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, block ? 0 : WNOHANG)) > 0) {
		record(OP_REAP, 0);
		if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
			violation("child %d died from signal %d", pid,
				  WTERMSIG(status));
		else if (WIFEXITED(status) && WEXITSTATUS(status))
			violation("child %d exited %d", pid,
				  WEXITSTATUS(status));
	}
}

/* ------------------------------------------------------------ the loop */

struct weighted {
	enum op op;
	unsigned int weight;
};

static const struct weighted weights[] = {
	{ OP_OPEN_CONTAINER, 30 }, { OP_OPEN_GROUP, 40 },
	{ OP_OPEN_EVENTFD, 5 }, { OP_CLOSE, 60 }, { OP_DUP, 10 },
	{ OP_GET_API_VERSION, 10 }, { OP_CHECK_EXTENSION, 20 },
	{ OP_SET_IOMMU, 40 }, { OP_IOMMU_GET_INFO, 20 }, { OP_MAP_DMA, 80 },
	{ OP_UNMAP_DMA, 60 }, { OP_DIRTY_PAGES, 10 },
	{ OP_GROUP_GET_STATUS, 20 }, { OP_GROUP_SET_CONTAINER, 60 },
	{ OP_GROUP_UNSET_CONTAINER, 20 }, { OP_GROUP_GET_DEVICE_FD, 60 },
	{ OP_DEVICE_GET_INFO, 20 }, { OP_DEVICE_GET_REGION_INFO, 30 },
	{ OP_DEVICE_GET_IRQ_INFO, 20 }, { OP_DEVICE_SET_IRQS, 40 },
	{ OP_DEVICE_RESET, 1 }, { OP_HOT_RESET_INFO, 10 },
	{ OP_HOT_RESET, 2 }, { OP_DEVICE_FEATURE, 20 },
	{ OP_DEVICE_IOEVENTFD, 20 }, { OP_REGION_READ, 40 },
	{ OP_REGION_WRITE, 15 }, { OP_MMAP, 20 }, { OP_MUNMAP, 20 },
	{ OP_RAW_IOCTL, 40 }, { OP_UNDEFINED_IOCTL, 20 }, { OP_SEND_FD, 10 },
	{ OP_RECV_FD, 20 }, { OP_FORK, 2 }, { OP_REAP, 5 },
	{ OP_CONFIG_COMMAND, 30 },
};

static void run_op(enum op op)
{
	if (spare_stock && (op == OP_FORK || op == OP_SEND_FD))
		return;
	switch (op) {
	case OP_OPEN_CONTAINER: op_open_container(); break;
	case OP_OPEN_GROUP: op_open_group(); break;
	case OP_OPEN_EVENTFD: op_open_eventfd(); break;
	case OP_CLOSE: op_close(); break;
	case OP_CONFIG_COMMAND: op_config_command(); break;
	case OP_DUP: op_dup(); break;
	case OP_GET_API_VERSION: op_get_api_version(); break;
	case OP_CHECK_EXTENSION: op_check_extension(); break;
	case OP_SET_IOMMU: op_set_iommu(); break;
	case OP_IOMMU_GET_INFO: op_iommu_get_info(); break;
	case OP_MAP_DMA: op_map_dma(); break;
	case OP_UNMAP_DMA: op_unmap_dma(); break;
	case OP_DIRTY_PAGES: op_dirty_pages(); break;
	case OP_GROUP_GET_STATUS: op_group_get_status(); break;
	case OP_GROUP_SET_CONTAINER: op_group_set_container(); break;
	case OP_GROUP_UNSET_CONTAINER: op_group_unset_container(); break;
	case OP_GROUP_GET_DEVICE_FD: op_group_get_device_fd(); break;
	case OP_DEVICE_GET_INFO: op_device_get_info(); break;
	case OP_DEVICE_GET_REGION_INFO: op_device_get_region_info(); break;
	case OP_DEVICE_GET_IRQ_INFO: op_device_get_irq_info(); break;
	case OP_DEVICE_SET_IRQS: op_device_set_irqs(); break;
	case OP_DEVICE_RESET: op_device_reset(); break;
	case OP_HOT_RESET_INFO: op_hot_reset_info(); break;
	case OP_HOT_RESET: op_hot_reset(); break;
	case OP_DEVICE_FEATURE: op_device_feature(); break;
	case OP_DEVICE_IOEVENTFD: op_device_ioeventfd(); break;
	case OP_REGION_READ: op_region_rw(false); break;
	case OP_REGION_WRITE: op_region_rw(true); break;
	case OP_MMAP: op_mmap(); break;
	case OP_MUNMAP: op_munmap(); break;
	case OP_RAW_IOCTL: op_raw_ioctl(false); break;
	case OP_UNDEFINED_IOCTL: op_raw_ioctl(true); break;
	case OP_SEND_FD: op_send_fd(); break;
	case OP_RECV_FD: op_recv_fd(); break;
	case OP_FORK: op_fork(); break;
	case OP_REAP: reap(false); break;
	case OP_MAX: break;
	}
}

static enum op pick_op(void)
{
	static unsigned int total;
	unsigned int i, w;

	if (!total)
		for (i = 0; i < sizeof(weights) / sizeof(weights[0]); i++)
			total += weights[i].weight;
	w = rn(total);
	for (i = 0; w >= weights[i].weight; i++)
		w -= weights[i].weight;
	return weights[i].op;
}

/* @n operations, or until the run stops when @n is 0. */
static void run_ops(int n)
{
	int i;

	for (i = 0; n == 0 || i < n; i++) {
		enum op op;

		if (__atomic_load_n(&st->stop, __ATOMIC_RELAXED))
			break;
		op = pick_op();
		if (verbose > 1)
			fprintf(stderr, "[%d] %s\n", getpid(), op_name[op]);
		run_op(op);
	}
}

static unsigned long long seed;
static int nthreads = 2;

static void *thread_main(void *arg)
{
	long t = (long)arg;

	rng = seed * 1000003ULL + (uint64_t)worker_id * 64 + t;
	buf = aligned_alloc(PAGE, BUFSZ + PAGE);
	if (!buf) {
		violation("out of memory");
		return NULL;
	}
	run_ops(0);
	munmap_all();
	free(buf);
	return NULL;
}

static void worker(void)
{
	pthread_t th[16];
	struct sigaction sa = { .sa_handler = on_fault };
	long t;
	int i;

	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	for (i = 0; i < NSLOTS; i++) {
		pthread_rwlock_init(&pool[i].lock, NULL);
		pool[i].fd = -1;
	}
	dma_buf = mmap(NULL, DMA_BUF, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (dma_buf == MAP_FAILED) {
		violation("mmap DMA buffer: %m");
		_exit(1);
	}
	for (t = 1; t < nthreads; t++)
		if (pthread_create(&th[t], NULL, thread_main, (void *)t)) {
			violation("pthread_create failed");
			_exit(1);
		}
	thread_main(0);
	for (t = 1; t < nthreads; t++)
		pthread_join(th[t], NULL);
	reap(true);
	rng = seed + worker_id;
	close_all();
	_exit(0);
}

static char errname[32];

/* glibc < 2.32 and musl lack strerrorname_np(): the library's table. */
static const char *errno_label(int e)
{
	const char *n = e ? errno_name(e) : "success";

	if (n)
		return n;
	snprintf(errname, sizeof(errname), "errno %d", e);
	return errname;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ioctl-fuzz [--seed S] [--seconds N] [--procs P] [--threads T]\n"
		"                  [--spare-stock] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' },
		{ "procs", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "spare-stock", no_argument, NULL, 'S' },
		{ 0 }
	};
	int nprocs = 2, seconds = 10, socks[16][2], i, c, failed = 0;
	pid_t pids[16];
	uint64_t total = 0;
	double start, end;

	seed = (unsigned long long)time(NULL);
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 't': seconds = atoi(optarg); break;
		case 'p': nprocs = atoi(optarg); break;
		case 'T': nthreads = atoi(optarg); break;
		case 'v': verbose++; break;
		case 'S': spare_stock = true; break;
		default: usage();
		}
	}
	if (optind != argc || nprocs < 1 || nprocs > 16 || nthreads < 1 ||
	    nthreads > 16 || seconds < 0)
		usage();

	if (spare_stock)
		nthreads = 1;
	ngroups = ft_discover(groups);
	if (!ngroups) {
		fprintf(stderr, "ioctl-fuzz: no device is bound to vfio-pci\n");
		return 2;
	}
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED) {
		perror("ioctl-fuzz: mmap");
		return 2;
	}
	printf("# ioctl-fuzz: seed %llu, %d s, %d procs x %d threads%s, groups ",
	       seed, seconds, nprocs, nthreads,
	       spare_stock ? " (sparing stock: no fork, no fd passing)" : "");
	ft_print(stdout, groups, ngroups);
	printf("\n");
	fflush(stdout);

	/* A ring of sockets: worker i sends to worker i+1. */
	for (i = 0; i < nprocs; i++)
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0,
			       socks[i])) {
			perror("ioctl-fuzz: socketpair");
			return 2;
		}
	start = ft_now();
	for (i = 0; i < nprocs; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("ioctl-fuzz: fork");
			return 2;
		}
		if (!pids[i]) {
			worker_id = i;
			sock_in = socks[i][0];
			sock_out = socks[(i + 1) % nprocs][1];
			worker();
		}
	}

	while (ft_now() - start < seconds)
		usleep(100000);
	__atomic_store_n(&st->stop, 1, __ATOMIC_RELAXED);

	/* Workers finish their current operation and clean up; one that is
	 * still there two minutes later is stuck in the kernel. */
	for (i = 0; i < nprocs; i++) {
		int status;

		for (;;) {
			pid_t r = waitpid(pids[i], &status, WNOHANG);

			if (r == pids[i])
				break;
			if (ft_now() - start > seconds + 120) {
				violation("worker %d (pid %d) did not finish: hung in the kernel?",
					  i, pids[i]);
				kill(pids[i], SIGKILL);
				waitpid(pids[i], &status, 0);
				failed = 1;
				break;
			}
			usleep(100000);
		}
		if (WIFSIGNALED(status) && !failed) {
			violation("worker %d died from signal %d", i,
				  WTERMSIG(status));
		} else if (WIFEXITED(status) && WEXITSTATUS(status)) {
			violation("worker %d exited %d", i,
				  WEXITSTATUS(status));
		}
	}
	end = ft_now();

	for (i = 0; i < OP_MAX; i++)
		total += st->calls[i];
	printf("# operations: %llu in %.1f s (%.0f/s); forks %llu (%llu killed themselves), fds passed %llu/%llu, SIGBUS on mmap %llu\n",
	       (unsigned long long)total, end - start,
	       total / (end - start > 0 ? end - start : 1),
	       (unsigned long long)st->forks,
	       (unsigned long long)st->self_killed,
	       (unsigned long long)st->received,
	       (unsigned long long)st->sent,
	       (unsigned long long)st->sigbus);
	for (i = 0; i < OP_MAX; i++)
		printf("# %-26s %10llu calls %10llu ok\n", op_name[i],
		       (unsigned long long)st->calls[i],
		       (unsigned long long)st->ok[i]);
	printf("# errno:");
	for (i = 0; i < ERRNO_MAX; i++)
		if (st->err[i])
			printf(" %s %llu", errno_label(i),
			       (unsigned long long)st->err[i]);
	printf("\n# violations: %llu\n", (unsigned long long)st->violations);
	return st->violations ? 1 : 0;
}
