// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fake-vfio.so - an LD_PRELOAD shim that plays the VFIO kernel for the
 * library's unit tests, in the style of kmod's testsuite.  It wraps
 * open() and ioctl(): nodes named .../vfio/vfio and .../vfio/<N> (regular
 * files in the test's fake /dev) become a container and groups, and
 * GET_DEVICE_FD hands out a memfd as the device, so region I/O and mmap
 * work.  Replies are built the way the kernel builds them, including the
 * argsz dance, so the library's growth and retry logic is exercised.
 *
 * Tests steer it through the fake_vfio_*() functions, found with dlsym().
 * Like the kernel, it serializes its own state: one lock around every
 * fake ioctl, open and close, so threaded tests see a consistent kernel.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/vfio.h>
#include <linux/vfio_zdev.h>

#define EXPORT __attribute__((visibility("default")))

/* The controls (tests reach them with dlsym()). */
void fake_vfio_set_extensions(uint32_t mask);
void fake_vfio_set_group_flags(uint32_t flags);
void fake_vfio_set_corrupt(int corrupt);
void fake_vfio_fail_ioctl(unsigned long req, int err);
void fake_vfio_fail_open(const char *suffix, int err);
int fake_vfio_count(unsigned long req);
const struct vfio_irq_set *fake_vfio_last_irq_set(const int32_t **fds);
int fake_vfio_kvm_has_group(int group_fd);
int open64(const char *path, int flags, ...);
int openat64(int dirfd, const char *path, int flags, ...);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
#define MAX_FDS 1024
#define MAX_COUNTED 64

/* A file named kvm-vm plays a KVM VM for the KVM-VFIO device. */
enum kind { NONE, CONTAINER, GROUP, DEVICE, KVM_VM, KVM_DEV };

static struct {
	enum kind kind[MAX_FDS];
	int container_of_group[MAX_FDS];	/* group fd -> container fd */
	int group_number[MAX_FDS];		/* group fd -> N of /dev/vfio/N */
	uint32_t extensions;		/* bit n: CHECK_EXTENSION(n) == 1 */
	int iommu_type;
	int groups;
	uint32_t group_flags;
	char device_name[64];
	int corrupt;			/* 1: IOMMU info chain loops */
	unsigned int maps;
	uint64_t mapped;
	struct {
		unsigned long req;
		int err;
	} fail[8];
	int nr_fail;
	char fail_open_suffix[64];
	int fail_open_err;
	struct {
		unsigned long req;
		int count;
	} counted[MAX_COUNTED];
	struct vfio_irq_set last_set;
	int32_t last_fds[16];
	bool kvm_dev_created;
	bool kvm_has_group[MAX_FDS];	/* group fd added to the KVM device */
	bool init;
} st;

static pthread_mutex_t big = PTHREAD_MUTEX_INITIALIZER;

static void init(void)
{
	if (st.init)
		return;
	st.init = true;
	st.extensions = 1u << VFIO_TYPE1_IOMMU | 1u << VFIO_TYPE1v2_IOMMU |
			1u << VFIO_UNMAP_ALL;
	st.group_flags = VFIO_GROUP_FLAGS_VIABLE;
	strcpy(st.device_name, "0000:01:00.0");
}

/* ------------------------------------------------------------ controls */

EXPORT void fake_vfio_set_extensions(uint32_t mask)
{
	init();
	st.extensions = mask;
}

EXPORT void fake_vfio_set_group_flags(uint32_t flags)
{
	init();
	st.group_flags = flags;
}

EXPORT void fake_vfio_set_corrupt(int corrupt)
{
	init();
	st.corrupt = corrupt;
}

EXPORT void fake_vfio_fail_ioctl(unsigned long req, int err)
{
	init();
	if (st.nr_fail < 8) {
		st.fail[st.nr_fail].req = req;
		st.fail[st.nr_fail++].err = err;
	}
}

EXPORT void fake_vfio_fail_open(const char *suffix, int err)
{
	init();
	strncpy(st.fail_open_suffix, suffix, sizeof(st.fail_open_suffix) - 1);
	st.fail_open_err = err;
}

EXPORT int fake_vfio_count(unsigned long req)
{
	int i;

	for (i = 0; i < MAX_COUNTED; i++)
		if (st.counted[i].req == req)
			return st.counted[i].count;
	return 0;
}

EXPORT const struct vfio_irq_set *fake_vfio_last_irq_set(const int32_t **fds)
{
	*fds = st.last_fds;
	return &st.last_set;
}

EXPORT int fake_vfio_kvm_has_group(int group_fd)
{
	return group_fd >= 0 && group_fd < MAX_FDS && st.kvm_has_group[group_fd];
}

static void count(unsigned long req)
{
	int i;

	for (i = 0; i < MAX_COUNTED; i++) {
		if (st.counted[i].req == req || !st.counted[i].req) {
			st.counted[i].req = req;
			st.counted[i].count++;
			return;
		}
	}
}

/* ---------------------------------------------------------------- open */

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return b && a >= b && strcmp(s + a - b, suffix) == 0;
}

static void track(int fd, const char *path)
{
	const char *base = strrchr(path, '/'), *p;

	if (fd < 0 || fd >= MAX_FDS || !base || base - path < 5)
		return;
	st.kind[fd] = NONE;
	if (ends_with(path, "/kvm-vm")) {
		st.kind[fd] = KVM_VM;
		return;
	}
	/* Only nodes inside a ".../vfio/" directory. */
	if (strncmp(base - 5, "/vfio", 5) != 0)
		return;
	base++;
	if (strcmp(base, "vfio") == 0) {
		st.kind[fd] = CONTAINER;
		return;
	}
	if (strncmp(base, "noiommu-", 8) == 0)
		base += 8;
	for (p = base; *p; p++)
		if (*p < '0' || *p > '9')
			return;
	if (p != base) {
		st.kind[fd] = GROUP;
		st.container_of_group[fd] = -1;
		st.group_number[fd] = atoi(base);
	}
}

typedef int (*openat_fn)(int, const char *, int, ...);

static int do_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	static openat_fn real;
	int fd;

	init();
	if (!real)
		real = (openat_fn)dlsym(RTLD_NEXT, "openat");
	if (st.fail_open_err && ends_with(path, st.fail_open_suffix)) {
		errno = st.fail_open_err;
		return -1;
	}
	fd = real(dirfd, path, flags, mode);
	pthread_mutex_lock(&big);
	track(fd, path);
	pthread_mutex_unlock(&big);
	return fd;
}

#define MODE_ARG(flags, mode) do {					\
		va_list ap;						\
		mode = 0;						\
		if ((flags) & (O_CREAT | O_TMPFILE)) {			\
			va_start(ap, flags);				\
			mode = va_arg(ap, mode_t);			\
			va_end(ap);					\
		}							\
	} while (0)

EXPORT int open(const char *path, int flags, ...)
{
	mode_t mode;

	MODE_ARG(flags, mode);
	return do_openat(AT_FDCWD, path, flags, mode);
}

EXPORT int open64(const char *path, int flags, ...)
{
	mode_t mode;

	MODE_ARG(flags, mode);
	return do_openat(AT_FDCWD, path, flags, mode);
}

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode;

	MODE_ARG(flags, mode);
	return do_openat(dirfd, path, flags, mode);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode;

	MODE_ARG(flags, mode);
	return do_openat(dirfd, path, flags, mode);
}

EXPORT int __open_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0);
}

EXPORT int __open64_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0);
}

/* --------------------------------------------------------------- ioctl */

/* Appends a capability to @buf at *@off and links it from *@prev_next. */
static void *add_cap(char *buf, size_t *off, uint32_t **prev_next,
		     uint16_t id, size_t size)
{
	struct vfio_info_cap_header *h = (void *)(buf + *off);

	h->id = id;
	h->version = 1;
	h->next = 0;
	if (*prev_next)
		**prev_next = (uint32_t)*off;
	*prev_next = &h->next;
	*off += (size + 7) & ~(size_t)7;
	return h;
}

/*
 * Copies a reply of @need bytes built in @tmp out the way the kernel does:
 * the whole of it if argsz allows, else the fixed part with argsz raised
 * and cap_offset cleared.
 */
static int reply(void *arg, const void *tmp, size_t fixed, size_t need,
		 uint32_t *cap_offset_in_tmp)
{
	uint32_t argsz;

	memcpy(&argsz, arg, sizeof(argsz));
	if (argsz < fixed) {
		errno = EINVAL;
		return -1;
	}
	if (argsz < need) {
		*cap_offset_in_tmp = 0;
		memcpy(arg, tmp, fixed);
		memcpy(arg, &(uint32_t){ (uint32_t)need }, sizeof(uint32_t));
		return 0;
	}
	memcpy((char *)arg + 4, (const char *)tmp + 4, need - 4);
	return 0;
}

static int iommu_info(void *arg)
{
	char tmp[512] = { 0 };
	struct vfio_iommu_type1_info *info = (void *)tmp;
	struct vfio_iommu_type1_info_cap_iova_range *r;
	struct vfio_iommu_type1_info_dma_avail *a;
	uint32_t *prev = NULL;
	size_t off = sizeof(*info);

	if (!st.iommu_type) {
		errno = EINVAL;	/* as stock: no backend, no ioctl */
		return -1;
	}
	info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info->iova_pgsizes = 0x40201000;
	info->cap_offset = (uint32_t)off;
	r = add_cap(tmp, &off, &prev, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
		    sizeof(*r) + 2 * sizeof(r->iova_ranges[0]));
	r->nr_iovas = 2;
	r->iova_ranges[0].start = 0;
	r->iova_ranges[0].end = 0xfedfffff;
	r->iova_ranges[1].start = 0xfef00000;
	r->iova_ranges[1].end = (1ULL << 48) - 1;
	a = add_cap(tmp, &off, &prev, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
		    sizeof(*a));
	a->avail = 65535 - st.maps;
	if (st.corrupt)
		a->header.next = info->cap_offset;	/* a loop */
	info->argsz = (uint32_t)off;
	return reply(arg, tmp, sizeof(*info), off, &info->cap_offset);
}

static int device_info(void *arg)
{
	char tmp[256] = { 0 };
	struct vfio_device_info *info = (void *)tmp;
	uint32_t *prev = NULL;
	size_t off = sizeof(*info);
	struct vfio_device_info_cap_zpci_base *zpci;

	info->flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET |
		      VFIO_DEVICE_FLAGS_CAPS;
	info->num_regions = VFIO_PCI_NUM_REGIONS;
	info->num_irqs = VFIO_PCI_NUM_IRQS;
	info->cap_offset = (uint32_t)off;
	add_cap(tmp, &off, &prev, 42, 16);	/* unknown to the library */
	zpci = add_cap(tmp, &off, &prev, VFIO_DEVICE_INFO_CAP_ZPCI_BASE,
		       sizeof(*zpci));
	zpci->start_dma = 0x1000;
	zpci->end_dma = 0xffffffff;
	return reply(arg, tmp, sizeof(*info), off, &info->cap_offset);
}

#define REGION_SHIFT 20	/* region offsets in the memfd */

static int region_info(void *arg)
{
	char tmp[256] = { 0 };
	struct vfio_region_info *info = (void *)tmp;
	struct vfio_region_info_cap_sparse_mmap *s;
	struct vfio_region_info_cap_type *t;
	uint32_t *prev = NULL;
	size_t off = sizeof(*info);

	memcpy(info, arg, sizeof(*info));
	if (info->index >= VFIO_PCI_NUM_REGIONS) {
		errno = EINVAL;
		return -1;
	}
	info->offset = (uint64_t)info->index << REGION_SHIFT;
	info->cap_offset = 0;
	switch (info->index) {
	case VFIO_PCI_BAR0_REGION_INDEX:
		info->size = 0x4000;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE |
			      VFIO_REGION_INFO_FLAG_MMAP |
			      VFIO_REGION_INFO_FLAG_CAPS;
		info->cap_offset = (uint32_t)off;
		s = add_cap(tmp, &off, &prev, VFIO_REGION_INFO_CAP_SPARSE_MMAP,
			    sizeof(*s) + 2 * sizeof(s->areas[0]));
		s->nr_areas = 2;
		s->areas[0].offset = 0;
		s->areas[0].size = 0x1000;
		s->areas[1].offset = 0x3000;
		s->areas[1].size = 0x1000;
		add_cap(tmp, &off, &prev, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE,
			sizeof(struct vfio_info_cap_header));
		break;
	case VFIO_PCI_BAR2_REGION_INDEX:
		info->size = 0x1000;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_MMAP |
			      VFIO_REGION_INFO_FLAG_CAPS;
		info->cap_offset = (uint32_t)off;
		t = add_cap(tmp, &off, &prev, VFIO_REGION_INFO_CAP_TYPE,
			    sizeof(*t));
		t->type = 0x8086;
		t->subtype = 3;
		break;
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info->size = 256;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
		break;
	default:
		info->size = 0;
		info->flags = 0;
	}
	info->argsz = (uint32_t)off;
	return reply(arg, tmp, sizeof(*info), off, &info->cap_offset);
}

static int irq_info(void *arg)
{
	static const unsigned int counts[] = { 1, 1, 8, 1, 1 };
	struct vfio_irq_info *info = arg;

	if (info->argsz < sizeof(*info) || info->index >= VFIO_PCI_NUM_IRQS) {
		errno = EINVAL;
		return -1;
	}
	info->count = counts[info->index];
	info->flags = VFIO_IRQ_INFO_EVENTFD;
	if (info->index == VFIO_PCI_INTX_IRQ_INDEX)
		info->flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else
		info->flags |= VFIO_IRQ_INFO_NORESIZE;
	return 0;
}

static int hot_reset_info(void *arg)
{
	struct vfio_pci_hot_reset_info *h = arg;
	const unsigned int n = 2;
	unsigned int i;

	if (h->argsz < sizeof(*h) + n * sizeof(h->devices[0])) {
		h->count = n;
		errno = ENOSPC;
		return -1;
	}
	h->count = n;
	for (i = 0; i < n; i++) {
		h->devices[i].group_id = 12 + i;
		h->devices[i].segment = 0;
		h->devices[i].bus = 1;
		h->devices[i].devfn = (uint8_t)i;
	}
	return 0;
}

/* Like the kernel: every group hot_reset_info names must be passed. */
static int hot_reset(void *arg)
{
	const struct vfio_pci_hot_reset *r = arg;
	bool seen[2] = { false, false };
	uint32_t i;
	int gfd, n;

	if (r->argsz < sizeof(*r) + r->count * sizeof(r->group_fds[0]) ||
	    r->flags) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < r->count; i++) {
		gfd = r->group_fds[i];
		if (gfd < 0 || gfd >= MAX_FDS || st.kind[gfd] != GROUP) {
			errno = EINVAL;
			return -1;
		}
		n = st.group_number[gfd] - 12;
		if (n >= 0 && n < 2)
			seen[n] = true;
	}
	if (!seen[0] || !seen[1]) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	int i, dfd;

	count(req);
	for (i = 0; i < st.nr_fail; i++)
		if (st.fail[i].req == req) {
			errno = st.fail[i].err;
			return -1;
		}
	switch (st.kind[fd]) {
	case CONTAINER:
		switch (req) {
		case VFIO_GET_API_VERSION:
			return VFIO_API_VERSION;
		case VFIO_CHECK_EXTENSION:
			return (uintptr_t)arg < 32 &&
			       (st.extensions >> (uintptr_t)arg & 1);
		case VFIO_SET_IOMMU:
			if (!st.groups || st.iommu_type || (uintptr_t)arg >= 32 ||
			    !(st.extensions >> (uintptr_t)arg & 1)) {
				errno = EINVAL;
				return -1;
			}
			st.iommu_type = (int)(uintptr_t)arg;
			return 0;
		case VFIO_IOMMU_GET_INFO:
			return iommu_info(arg);
		case VFIO_IOMMU_MAP_DMA:
			if (!st.iommu_type) {
				errno = EINVAL;
				return -1;
			}
			st.maps++;
			st.mapped += ((struct vfio_iommu_type1_dma_map *)arg)->size;
			return 0;
		case VFIO_IOMMU_UNMAP_DMA: {
			struct vfio_iommu_type1_dma_unmap *u = arg;

			if (u->flags & VFIO_DMA_UNMAP_FLAG_ALL || u->iova == 0) {
				u->size = st.mapped;
				st.mapped = 0;
				st.maps = 0;
			} else {
				u->size = 0;
			}
			return 0;
		}
		}
		break;
	case GROUP:
		switch (req) {
		case VFIO_GROUP_GET_STATUS:
			((struct vfio_group_status *)arg)->flags =
				st.group_flags |
				(st.container_of_group[fd] >= 0 ?
				 VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
			return 0;
		case VFIO_GROUP_SET_CONTAINER:
			if (st.container_of_group[fd] >= 0) {
				errno = EINVAL;
				return -1;
			}
			if (!(st.group_flags & VFIO_GROUP_FLAGS_VIABLE)) {
				errno = EPERM;
				return -1;
			}
			st.container_of_group[fd] = *(int *)arg;
			st.groups++;
			return 0;
		case VFIO_GROUP_UNSET_CONTAINER:
			if (st.container_of_group[fd] < 0) {
				errno = EINVAL;
				return -1;
			}
			st.container_of_group[fd] = -1;
			st.groups--;
			return 0;
		case VFIO_GROUP_GET_DEVICE_FD:
			if (st.container_of_group[fd] < 0 || !st.iommu_type) {
				errno = EINVAL;
				return -1;
			}
			if (strcmp(arg, st.device_name) != 0) {
				errno = ENODEV;
				return -1;
			}
			dfd = memfd_create("fake-vfio-device", MFD_CLOEXEC);
			if (dfd < 0 || dfd >= MAX_FDS)
				return -1;
			if (ftruncate(dfd, (off_t)VFIO_PCI_NUM_REGIONS << REGION_SHIFT) < 0)
				return -1;
			st.kind[dfd] = DEVICE;
			return dfd;
		}
		break;
	case DEVICE:
		switch (req) {
		case VFIO_DEVICE_GET_INFO:
			return device_info(arg);
		case VFIO_DEVICE_GET_REGION_INFO:
			return region_info(arg);
		case VFIO_DEVICE_GET_IRQ_INFO:
			return irq_info(arg);
		case VFIO_DEVICE_SET_IRQS: {
			struct vfio_irq_set *s = arg;

			st.last_set = *s;
			if (s->flags & VFIO_IRQ_SET_DATA_EVENTFD && s->count <= 16)
				memcpy(st.last_fds, s->data, s->count * 4);
			return 0;
		}
		case VFIO_DEVICE_RESET:
			return 0;
		case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO:
			return hot_reset_info(arg);
		case VFIO_DEVICE_PCI_HOT_RESET:
			return hot_reset(arg);
		}
		break;
	case KVM_VM:
		if (req == KVM_CREATE_DEVICE) {
			struct kvm_create_device *cd = arg;

			if (cd->type != KVM_DEV_TYPE_VFIO) {
				errno = ENODEV;
				return -1;
			}
			if (st.kvm_dev_created) {
				errno = EBUSY;	/* one per VM */
				return -1;
			}
			dfd = memfd_create("fake-kvm-vfio", MFD_CLOEXEC);
			if (dfd < 0 || dfd >= MAX_FDS)
				return -1;
			st.kvm_dev_created = true;
			st.kind[dfd] = KVM_DEV;
			cd->fd = (uint32_t)dfd;
			return 0;
		}
		break;
	case KVM_DEV:
		if (req == KVM_SET_DEVICE_ATTR) {
			const struct kvm_device_attr *a = arg;
			int32_t gfd;

			if (a->group != KVM_DEV_VFIO_GROUP) {
				errno = ENXIO;
				return -1;
			}
			memcpy(&gfd, (const void *)(uintptr_t)a->addr, sizeof(gfd));
			if (gfd < 0 || gfd >= MAX_FDS || st.kind[gfd] != GROUP) {
				errno = fcntl(gfd, F_GETFD) < 0 ? EBADF : EINVAL;
				return -1;
			}
			if (a->attr == KVM_DEV_VFIO_GROUP_ADD) {
				if (st.kvm_has_group[gfd]) {
					errno = EEXIST;
					return -1;
				}
				st.kvm_has_group[gfd] = true;
				return 0;
			}
			if (a->attr == KVM_DEV_VFIO_GROUP_DEL) {
				if (!st.kvm_has_group[gfd]) {
					errno = ENOENT;
					return -1;
				}
				st.kvm_has_group[gfd] = false;
				return 0;
			}
			errno = ENXIO;
			return -1;
		}
		break;
	case NONE:
		break;
	}
	errno = ENOTTY;
	return -1;
}

typedef int (*ioctl_fn)(int, unsigned long, ...);

EXPORT int ioctl(int fd, unsigned long req, ...)
{
	static ioctl_fn real;
	va_list ap;
	void *arg;

	init();
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	pthread_mutex_lock(&big);
	if (fd >= 0 && fd < MAX_FDS && st.kind[fd] != NONE) {
		int rc = fake_ioctl(fd, req, arg), err = errno;

		pthread_mutex_unlock(&big);
		errno = err;
		return rc;
	}
	pthread_mutex_unlock(&big);
	if (!real)
		real = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
	return real(fd, req, arg);
}

EXPORT int close(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "close");
	pthread_mutex_lock(&big);
	if (fd >= 0 && fd < MAX_FDS) {
		if (st.kind[fd] == GROUP && st.container_of_group[fd] >= 0)
			st.groups--;
		st.kvm_has_group[fd] = false;
		st.kind[fd] = NONE;
	}
	pthread_mutex_unlock(&big);
	return real(fd);
}
