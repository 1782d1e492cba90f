// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * container.c - /dev/vfio/vfio: API version, extensions, the IOMMU model,
 * IOMMU facts (page sizes, IOVA ranges, DMA mappings left) and DMA maps.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvfioctl-private.h"

VFIOCTL_EXPORT int vfioctl_container_open(struct vfioctl_ctx *ctx,
					  struct vfioctl_container **out)
{
	struct vfioctl_container *c;
	char path[PATH_MAX];
	int rc;

	if (!ctx || !out)
		return -EINVAL;
	rc = dev_path(ctx, path, sizeof(path), "/vfio/vfio");
	if (rc < 0)
		return vfioctl_fail(ctx, rc, "open", "container", NULL);
	c = calloc(1, sizeof(*c));
	if (!c)
		return vfioctl_fail(ctx, ENOMEM, "open", path, NULL);
	c->refcount = 1;
	snprintf(c->object, sizeof(c->object), "container %s", path);
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->attach, NULL);
	c->fd = open(path, O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		rc = errno;
		pthread_mutex_destroy(&c->lock);
		pthread_mutex_destroy(&c->attach);
		free(c);
		if (rc == ENOENT)
			return vfioctl_fail(ctx, rc, "open", path,
					    "the vfio module is not loaded (modprobe vfio-pci)");
		if (rc == EACCES || rc == EPERM)
			return vfioctl_fail(ctx, rc, "open", path,
					    "%s must be readable and writable by this user; upstream udev rules make it 0666",
					    path);
		return vfioctl_fail(ctx, rc, "open", path, NULL);
	}
	c->ctx = vfioctl_ref(ctx);
	rc = vfioctl_container_get_api_version(c);
	if (rc >= 0 && rc != VFIO_API_VERSION)
		rc = vfioctl_fail(ctx, EPROTONOSUPPORT, "VFIO_GET_API_VERSION",
				  c->object,
				  "the kernel speaks VFIO API %d, libvfioctl speaks %d",
				  rc, VFIO_API_VERSION);
	if (rc < 0) {
		vfioctl_container_unref(c);
		return rc;
	}
	dbg(ctx, "%s: fd %d\n", c->object, c->fd);
	*out = c;
	return 0;
}

/*
 * Takes over @fd, which the caller opened (or was handed) on
 * /dev/vfio/vfio: on success the container owns it and its last unref
 * closes it; on failure the fd is left alone.  The IOMMU model someone
 * else set is not known, so vfioctl_container_get_iommu_type() says 0.
 */
VFIOCTL_EXPORT int vfioctl_container_from_fd(struct vfioctl_ctx *ctx, int fd,
					     struct vfioctl_container **out)
{
	struct vfioctl_container *c;
	int rc;

	if (!ctx || !out)
		return -EINVAL;
	rc = adopt_check_fd(ctx, fd, "VFIO_GET_API_VERSION");
	if (rc < 0)
		return rc;
	rc = ioctl_noarg(fd, VFIO_GET_API_VERSION);
	if (rc < 0)
		return adopt_fail(ctx, fd, rc, "VFIO_GET_API_VERSION",
				  "VFIO container (/dev/vfio/vfio)");
	if (rc != VFIO_API_VERSION)
		return vfioctl_fail(ctx, EPROTONOSUPPORT, "VFIO_GET_API_VERSION",
				    "adopted container",
				    "fd %d speaks VFIO API %d, libvfioctl speaks %d",
				    fd, rc, VFIO_API_VERSION);
	c = calloc(1, sizeof(*c));
	if (!c)
		return vfioctl_fail(ctx, ENOMEM, "adopt", "container", NULL);
	c->refcount = 1;
	c->fd = fd;
	snprintf(c->object, sizeof(c->object), "container fd %d", fd);
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->attach, NULL);
	c->ctx = vfioctl_ref(ctx);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	dbg(ctx, "%s: adopted\n", c->object);
	*out = c;
	return 0;
}

VFIOCTL_EXPORT struct vfioctl_container *
vfioctl_container_ref(struct vfioctl_container *c)
{
	if (c)
		ref_get(&c->refcount);
	return c;
}

VFIOCTL_EXPORT void vfioctl_container_unref(struct vfioctl_container *c)
{
	if (!c || !ref_put(&c->refcount))
		return;
	/* Closing the fd drops the kernel's DMA mappings with it. */
	close(c->fd);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->attach);
	free(c->ranges);
	vfioctl_unref(c->ctx);
	free(c);
}

VFIOCTL_EXPORT struct vfioctl_ctx *
vfioctl_container_get_ctx(struct vfioctl_container *c)
{
	if (!c)
		return NULL;
	return c->ctx;
}

VFIOCTL_EXPORT int vfioctl_container_get_fd(struct vfioctl_container *c)
{
	if (!c)
		return -EINVAL;
	return c->fd;
}

VFIOCTL_EXPORT int
vfioctl_container_get_api_version(struct vfioctl_container *c)
{
	int rc;

	if (!c)
		return -EINVAL;
	rc = ioctl_noarg(c->fd, VFIO_GET_API_VERSION);
	if (rc < 0)
		return vfioctl_fail(c->ctx, rc, "VFIO_GET_API_VERSION",
				    c->object, NULL);
	return rc;
}

VFIOCTL_EXPORT int
vfioctl_container_check_extension(struct vfioctl_container *c,
				  unsigned int extension)
{
	int rc;

	if (!c)
		return -EINVAL;
	rc = ioctl_ularg(c->fd, VFIO_CHECK_EXTENSION, extension);
	if (rc < 0)
		return vfioctl_fail(c->ctx, rc, "VFIO_CHECK_EXTENSION",
				    c->object, NULL);
	return rc;
}

static const char *iommu_name(int type)
{
	switch (type) {
	case VFIO_TYPE1_IOMMU: return "TYPE1";
	case VFIO_TYPE1v2_IOMMU: return "TYPE1v2";
	case VFIO_NOIOMMU_IOMMU: return "NOIOMMU";
	default: return "?";
	}
}

/* Called with c->attach held. */
static int set_iommu(struct vfioctl_container *c, int type)
{
	int rc = ioctl_ularg(c->fd, VFIO_SET_IOMMU, (unsigned long)type);

	if (rc < 0) {
		if (c->nr_groups == 0 && rc == -EINVAL)
			return vfioctl_fail(c->ctx, rc, "VFIO_SET_IOMMU", c->object,
					    "attach a group first (vfioctl_group_set_container), then set the IOMMU model");
		return vfioctl_fail(c->ctx, rc, "VFIO_SET_IOMMU", c->object,
				    "model %s (%d)", iommu_name(type), type);
	}
	__atomic_store_n(&c->iommu_type, type, __ATOMIC_RELEASE);
	container_invalidate_info(c);
	return type;
}

/*
 * Sets @type, or with VFIOCTL_IOMMU_AUTO the best model the kernel offers:
 * TYPE1v2, TYPE1, and NOIOMMU only when the administrator enabled it.
 * Returns the model set.
 */
VFIOCTL_EXPORT int vfioctl_container_set_iommu(struct vfioctl_container *c,
					       int type)
{
	static const int order[] = {
		VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU, VFIO_NOIOMMU_IOMMU
	};
	size_t i;
	int rc;

	if (!c)
		return -EINVAL;
	pthread_mutex_lock(&c->attach);
	if (type != VFIOCTL_IOMMU_AUTO) {
		rc = set_iommu(c, type);
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (order[i] == VFIO_NOIOMMU_IOMMU &&
		    vfioctl_noiommu_enabled(c->ctx) <= 0)
			continue;
		rc = vfioctl_container_check_extension(c, order[i]);
		if (rc < 0)
			goto out;
		if (rc > 0) {
			rc = set_iommu(c, order[i]);
			goto out;
		}
	}
	if (c->nr_groups == 0)
		rc = vfioctl_fail(c->ctx, ENODEV, "VFIO_SET_IOMMU", c->object,
				  "no IOMMU model offered: attach a group first (vfioctl_group_set_container)");
	else
		rc = vfioctl_fail(c->ctx, ENODEV, "VFIO_SET_IOMMU", c->object,
				  "no IOMMU model offered: load vfio_iommu_type1, or for a device without an IOMMU set vfio.enable_unsafe_noiommu_mode=1");
out:
	pthread_mutex_unlock(&c->attach);
	return rc;
}

VFIOCTL_EXPORT int
vfioctl_container_get_iommu_type(struct vfioctl_container *c)
{
	if (!c)
		return -EINVAL;
	return container_iommu_type(c);
}

void container_invalidate_info(struct vfioctl_container *c)
{
	pthread_mutex_lock(&c->lock);
	c->info_valid = false;
	pthread_mutex_unlock(&c->lock);
}

static int get_info(struct vfioctl_container *c, void **buf, size_t *len)
{
	struct vfio_iommu_type1_info tmpl = { 0 };
	int rc;

	rc = info_ioctl(c->ctx, c->fd, VFIO_IOMMU_GET_INFO,
			"VFIO_IOMMU_GET_INFO", c->object, &tmpl, sizeof(tmpl),
			buf, len);
	/* Without a model the container has no ioctls but its own. */
	if ((rc == -ENOTTY || rc == -EINVAL) && !container_iommu_type(c))
		return vfioctl_fail(c->ctx, rc, "VFIO_IOMMU_GET_INFO", c->object,
				    "set an IOMMU model first (vfioctl_container_set_iommu)");
	return rc;
}

/* Caches page sizes and IOVA ranges; call with c->lock held. */
static int load_info(struct vfioctl_container *c)
{
	struct vfio_iommu_type1_info *info;
	struct vfio_iova_range *ranges = NULL;
	uint32_t n = 0;
	size_t len;
	void *buf;
	int rc;

	if (c->info_valid)
		return 0;
	rc = get_info(c, &buf, &len);
	if (rc < 0)
		return rc;
	info = buf;
	c->pgsizes = info->flags & VFIO_IOMMU_INFO_PGSIZES ?
		     info->iova_pgsizes : 0;
	if (info->flags & VFIO_IOMMU_INFO_CAPS) {
		rc = cap_iova_ranges(buf, len, sizeof(*info), info->cap_offset,
				     &ranges, &n);
		if (rc < 0 && rc != -ENOENT) {
			free(buf);
			return vfioctl_fail(c->ctx, rc, "VFIO_IOMMU_GET_INFO",
					    c->object, rc == -EPROTO ?
					    "malformed capability chain in the reply" :
					    NULL);
		}
	}
	free(buf);
	free(c->ranges);
	c->ranges = ranges;
	c->nr_ranges = n;
	c->info_valid = true;
	return 0;
}

VFIOCTL_EXPORT int
vfioctl_container_get_iova_pgsizes(struct vfioctl_container *c,
				   uint64_t *pgsizes)
{
	int rc;

	if (!c || !pgsizes)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	rc = load_info(c);
	if (rc == 0)
		*pgsizes = c->pgsizes;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

VFIOCTL_EXPORT int
vfioctl_container_get_num_iova_ranges(struct vfioctl_container *c)
{
	int rc;

	if (!c)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	rc = load_info(c);
	if (rc == 0)
		rc = (int)c->nr_ranges;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

VFIOCTL_EXPORT int
vfioctl_container_get_iova_range(struct vfioctl_container *c,
				 unsigned int index, uint64_t *start,
				 uint64_t *end)
{
	int rc;

	if (!c || !start || !end)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	rc = load_info(c);
	if (rc == 0 && index >= c->nr_ranges)
		rc = -ERANGE;
	if (rc == 0) {
		*start = c->ranges[index].start;
		*end = c->ranges[index].end;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* Not cached: the number changes with every map and unmap. */
VFIOCTL_EXPORT int
vfioctl_container_get_dma_avail(struct vfioctl_container *c, uint32_t *avail)
{
	const struct vfio_iommu_type1_info_dma_avail *cap;
	struct vfio_iommu_type1_info *info;
	const void *p;
	size_t len;
	void *buf;
	int rc;

	if (!c || !avail)
		return -EINVAL;
	rc = get_info(c, &buf, &len);
	if (rc < 0)
		return rc;
	info = buf;
	rc = -ENODATA;
	if (info->flags & VFIO_IOMMU_INFO_CAPS)
		rc = cap_find(buf, len, sizeof(*info), info->cap_offset,
			      VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, sizeof(*cap),
			      &p, NULL);
	if (rc == 0) {
		cap = p;
		*avail = cap->avail;
	} else if (rc == -ENOENT) {
		rc = -ENODATA;
	}
	free(buf);
	if (rc == -EPROTO)
		return vfioctl_fail(c->ctx, rc, "VFIO_IOMMU_GET_INFO", c->object,
				    "malformed capability chain in the reply");
	return rc;
}

/* The IOVA-range check QEMU does and rust-vmm/DPDK do not. */
static int check_iova(struct vfioctl_container *c, uint64_t iova,
		      uint64_t size)
{
	char ranges[512];
	size_t pos = 0;
	uint64_t last;
	unsigned int i;
	int rc;

	if (size == 0 || iova + size - 1 < iova)
		return vfioctl_fail(c->ctx, EINVAL, "VFIO_IOMMU_MAP_DMA",
				    c->object,
				    "IOVA 0x%" PRIx64 " size 0x%" PRIx64 " is empty or wraps around",
				    iova, size);
	last = iova + size - 1;
	pthread_mutex_lock(&c->lock);
	rc = load_info(c);
	if (rc < 0 || c->nr_ranges == 0) {
		/* No ranges (old kernel, no-IOMMU): leave it to the kernel. */
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	for (i = 0; i < c->nr_ranges; i++)
		if (iova >= c->ranges[i].start && last <= c->ranges[i].end) {
			pthread_mutex_unlock(&c->lock);
			return 0;
		}
	ranges[0] = '\0';
	for (i = 0; i < c->nr_ranges && pos < sizeof(ranges); i++) {
		int n = snprintf(ranges + pos, sizeof(ranges) - pos,
				 "%s[0x%" PRIx64 ", 0x%" PRIx64 "]",
				 i ? " " : "", (uint64_t)c->ranges[i].start,
				 (uint64_t)c->ranges[i].end);
		if (n > 0)
			pos += (size_t)n;
	}
	pthread_mutex_unlock(&c->lock);
	/* EINVAL: what the kernel itself would have answered. */
	return vfioctl_fail(c->ctx, EINVAL, "VFIO_IOMMU_MAP_DMA", c->object,
			    "IOVA [0x%" PRIx64 ", 0x%" PRIx64 "] is outside the usable ranges %s (not sent to the kernel)",
			    iova, last, ranges);
}

VFIOCTL_EXPORT int vfioctl_container_map_dma(struct vfioctl_container *c,
					     void *vaddr, uint64_t iova,
					     uint64_t size, uint32_t flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};
	char hint[1024];
	uint64_t pgsizes = 0;
	int rc;

	if (!c)
		return -EINVAL;
	rc = check_iova(c, iova, size);
	if (rc < 0)
		return rc;
	rc = xioctl(c->fd, VFIO_IOMMU_MAP_DMA, &map);
	if (rc == 0)
		return 0;
	if (!container_iommu_type(c))
		return vfioctl_fail(c->ctx, rc, "VFIO_IOMMU_MAP_DMA", c->object,
				    "set an IOMMU model first (vfioctl_container_set_iommu)");
	switch (-rc) {
	case ENOMEM:
		hint_memlock(size, hint, sizeof(hint));
		break;
	case ENOSPC:
		snprintf(hint, sizeof(hint),
			 "the container's DMA mapping limit is reached; raise vfio_iommu_type1.dma_entry_limit or use fewer, larger mappings");
		break;
	case EEXIST:
		snprintf(hint, sizeof(hint),
			 "IOVA [0x%" PRIx64 ", +0x%" PRIx64 ") overlaps an existing mapping; unmap it first",
			 iova, size);
		break;
	case EINVAL:
		vfioctl_container_get_iova_pgsizes(c, &pgsizes);
		snprintf(hint, sizeof(hint),
			 "vaddr, IOVA and size must be multiples of the smallest IOMMU page (%#llx), and the flags READ/WRITE only",
			 pgsizes ? 1ULL << __builtin_ctzll(pgsizes) : 4096ULL);
		break;
	case EFAULT:
		snprintf(hint, sizeof(hint),
			 "vaddr %p is not mapped in this process for the whole size",
			 vaddr);
		break;
	default:
		hint[0] = '\0';
	}
	return vfioctl_fail(c->ctx, rc, "VFIO_IOMMU_MAP_DMA", c->object,
			    "%s", hint[0] ? hint : "see the kernel log");
}

static int unmap(struct vfioctl_container *c, uint64_t iova, uint64_t size,
		 uint32_t flags, uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.flags = flags,
		.iova = iova,
		.size = size,
	};
	int rc;

	rc = xioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, &u);
	if (rc < 0)
		return vfioctl_fail(c->ctx, rc, "VFIO_IOMMU_UNMAP_DMA", c->object,
				    rc == -EINVAL ?
				    "IOVA and size must be multiples of the smallest IOMMU page, and with TYPE1v2 cover whole mappings" :
				    "IOVA 0x%" PRIx64 " size 0x%" PRIx64, iova, size);
	if (unmapped)
		*unmapped += u.size;
	return 0;
}

VFIOCTL_EXPORT int vfioctl_container_unmap_dma(struct vfioctl_container *c,
					       uint64_t iova, uint64_t size,
					       uint64_t *unmapped)
{
	if (!c)
		return -EINVAL;
	if (unmapped)
		*unmapped = 0;
	return unmap(c, iova, size, 0, unmapped);
}

/*
 * VFIO_DMA_UNMAP_FLAG_ALL where the kernel has it (5.12+); otherwise the
 * two halves of the 64-bit space, as one unmap cannot span 2^64 bytes.
 */
VFIOCTL_EXPORT int vfioctl_container_unmap_all(struct vfioctl_container *c,
					       uint64_t *unmapped)
{
	const uint64_t half = 1ULL << 63;
	int rc;

	if (!c)
		return -EINVAL;
	if (unmapped)
		*unmapped = 0;
	rc = vfioctl_container_check_extension(c, VFIO_UNMAP_ALL);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return unmap(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, unmapped);
	rc = unmap(c, 0, half, 0, unmapped);
	if (rc < 0)
		return rc;
	return unmap(c, half, half, 0, unmapped);
}
