// SPDX-License-Identifier: GPL-2.0-only
/*
 * type1-util.c - helpers shared by type1-test and type1-bench.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

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
