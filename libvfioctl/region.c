// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * region.c - device regions: info with typed capabilities, pread/pwrite
 * access, and an mmap helper that maps only what the kernel allows (the
 * sparse areas when there are some) inside one PROT_NONE reservation, so
 * the caller gets a single base address for the whole region.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libvfioctl-private.h"

static const char *pci_region_name(unsigned int index)
{
	static const char *const names[] = {
		"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM",
		"config", "VGA",
	};

	return index < ARRAY_SIZE(names) ? names[index] : "device-specific";
}

static void region_object(struct vfioctl_device *d, unsigned int index,
			  char *buf, size_t len)
{
	snprintf(buf, len, "region %u (%s) of %s", index,
		 d->flags & VFIO_DEVICE_FLAGS_PCI ? pci_region_name(index) : "",
		 d->object);
}

static int parse_caps(struct vfioctl_region *r, const void *buf, size_t len)
{
	const struct vfio_region_info *info = buf;
	const struct vfio_region_info_cap_type *type;
	uint32_t nr;
	const void *p;
	int rc;

	r->nr_sparse = -1;
	if (!(info->flags & VFIO_REGION_INFO_FLAG_CAPS) || !info->cap_offset)
		return 0;
	rc = cap_sparse_mmap(buf, len, sizeof(*info), info->cap_offset,
			     &r->sparse, &nr);
	if (rc == 0)
		r->nr_sparse = (int)nr;
	else if (rc != -ENOENT)
		return rc;
	rc = cap_find(buf, len, sizeof(*info), info->cap_offset,
		      VFIO_REGION_INFO_CAP_TYPE, sizeof(*type), &p, NULL);
	if (rc == 0) {
		type = p;
		r->has_type = true;
		r->type = type->type;
		r->subtype = type->subtype;
	} else if (rc != -ENOENT) {
		return rc;
	}
	rc = cap_find(buf, len, sizeof(*info), info->cap_offset,
		      VFIO_REGION_INFO_CAP_MSIX_MAPPABLE,
		      sizeof(struct vfio_info_cap_header), &p, NULL);
	if (rc == 0)
		r->msix_mappable = true;
	else if (rc != -ENOENT)
		return rc;
	return 0;
}

static int load_region(struct vfioctl_device *d, unsigned int index,
		       struct vfioctl_region **out)
{
	struct vfio_region_info tmpl = { .index = index }, *info;
	struct vfioctl_ctx *ctx = d->group->ctx;
	struct vfioctl_region *r;
	char object[NAME_MAX + 128];
	size_t len;
	void *buf;
	int rc;

	region_object(d, index, object, sizeof(object));
	rc = info_ioctl(ctx, d->fd, VFIO_DEVICE_GET_REGION_INFO,
			"VFIO_DEVICE_GET_REGION_INFO", object, &tmpl,
			sizeof(tmpl), &buf, &len);
	if (rc < 0)
		return rc;
	info = buf;
	r = calloc(1, sizeof(*r));
	if (!r) {
		free(buf);
		return vfioctl_fail(ctx, ENOMEM, "VFIO_DEVICE_GET_REGION_INFO",
				    object, NULL);
	}
	r->device = d;
	r->index = index;
	r->flags = info->flags;
	r->size = info->size;
	r->offset = info->offset;
	rc = parse_caps(r, buf, len);
	free(buf);
	if (rc < 0) {
		region_free(r);
		return vfioctl_fail(ctx, rc, "VFIO_DEVICE_GET_REGION_INFO",
				    object,
				    rc == -EPROTO ?
				    "malformed capability chain in the reply" :
				    NULL);
	}
	*out = r;
	return 0;
}

VFIOCTL_EXPORT int vfioctl_device_get_region(struct vfioctl_device *d,
					     unsigned int index,
					     struct vfioctl_region **out)
{
	int rc = 0;

	if (!d || !out)
		return -EINVAL;
	if (index >= d->num_regions)
		return vfioctl_fail(d->group->ctx, EINVAL,
				    "VFIO_DEVICE_GET_REGION_INFO", d->object,
				    "region %u does not exist; the device has %u",
				    index, d->num_regions);
	pthread_mutex_lock(&d->lock);
	if (!d->regions[index])
		rc = load_region(d, index, &d->regions[index]);
	if (rc == 0)
		*out = d->regions[index];
	pthread_mutex_unlock(&d->lock);
	return rc;
}

void region_free(struct vfioctl_region *r)
{
	if (!r)
		return;
	if (r->map)
		munmap(r->map, r->size);
	free(r->sparse);
	free(r);
}

VFIOCTL_EXPORT struct vfioctl_device *
vfioctl_region_get_device(struct vfioctl_region *r)
{
	if (!r)
		return NULL;
	return r->device;
}

VFIOCTL_EXPORT struct vfioctl_ctx *
vfioctl_region_get_ctx(struct vfioctl_region *r)
{
	if (!r)
		return NULL;
	return r->device->group->ctx;
}

VFIOCTL_EXPORT unsigned int vfioctl_region_get_index(struct vfioctl_region *r)
{
	if (!r)
		return 0;
	return r->index;
}

VFIOCTL_EXPORT uint32_t vfioctl_region_get_flags(struct vfioctl_region *r)
{
	if (!r)
		return 0;
	return r->flags;
}

VFIOCTL_EXPORT uint64_t vfioctl_region_get_size(struct vfioctl_region *r)
{
	if (!r)
		return 0;
	return r->size;
}

VFIOCTL_EXPORT uint64_t vfioctl_region_get_offset(struct vfioctl_region *r)
{
	if (!r)
		return 0;
	return r->offset;
}

VFIOCTL_EXPORT int vfioctl_region_get_type(struct vfioctl_region *r,
					   uint32_t *type, uint32_t *subtype)
{
	if (!r || !type || !subtype)
		return -EINVAL;
	if (!r->has_type)
		return -ENODATA;
	*type = r->type;
	*subtype = r->subtype;
	return 0;
}

VFIOCTL_EXPORT int vfioctl_region_is_msix_mappable(struct vfioctl_region *r)
{
	if (!r)
		return -EINVAL;
	return r->msix_mappable;
}

VFIOCTL_EXPORT int
vfioctl_region_get_num_sparse_areas(struct vfioctl_region *r)
{
	if (!r)
		return -EINVAL;
	return r->nr_sparse < 0 ? -ENODATA : r->nr_sparse;
}

VFIOCTL_EXPORT int vfioctl_region_get_sparse_area(struct vfioctl_region *r,
						  unsigned int index,
						  uint64_t *offset,
						  uint64_t *size)
{
	if (!r || !offset || !size)
		return -EINVAL;
	if (r->nr_sparse < 0)
		return -ENODATA;
	if (index >= (unsigned int)r->nr_sparse)
		return -ERANGE;
	*offset = r->sparse[index].offset;
	*size = r->sparse[index].size;
	return 0;
}

static int check_access(struct vfioctl_region *r, const char *what,
			uint32_t need, uint64_t offset, size_t len)
{
	char object[NAME_MAX + 128];

	if (r->flags & need && offset <= r->size && len <= r->size - offset)
		return 0;
	region_object(r->device, r->index, object, sizeof(object));
	if (!(r->flags & need))
		return vfioctl_fail(vfioctl_region_get_ctx(r), EINVAL, what,
				    object, "the region is not %s",
				    need == VFIO_REGION_INFO_FLAG_READ ?
				    "readable" : "writable");
	return vfioctl_fail(vfioctl_region_get_ctx(r), EINVAL, what, object,
			    "offset 0x%" PRIx64 " + %zu bytes is past its size 0x%" PRIx64,
			    offset, len, r->size);
}

static int region_io(struct vfioctl_region *r, bool write, uint64_t offset,
		     void *buf, size_t len)
{
	const char *what = write ? "pwrite" : "pread";
	char object[NAME_MAX + 128];
	ssize_t n;
	int rc;

	rc = check_access(r, what, write ? VFIO_REGION_INFO_FLAG_WRITE :
			  VFIO_REGION_INFO_FLAG_READ, offset, len);
	if (rc < 0)
		return rc;
	while (len) {
		if (write)
			n = pwrite(r->device->fd, buf, len, r->offset + offset);
		else
			n = pread(r->device->fd, buf, len, r->offset + offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			region_object(r->device, r->index, object,
				      sizeof(object));
			return vfioctl_fail(vfioctl_region_get_ctx(r),
					    n < 0 ? errno : EIO, what, object,
					    "at offset 0x%" PRIx64 ", %zu bytes",
					    offset, len);
		}
		buf = (char *)buf + n;
		offset += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

VFIOCTL_EXPORT int vfioctl_region_read(struct vfioctl_region *r,
				       uint64_t offset, void *buf, size_t len)
{
	if (!r)
		return -EINVAL;
	return region_io(r, false, offset, buf, len);
}

VFIOCTL_EXPORT int vfioctl_region_write(struct vfioctl_region *r,
					uint64_t offset, const void *buf,
					size_t len)
{
	if (!r)
		return -EINVAL;
	return region_io(r, true, offset, (void *)buf, len);
}

VFIOCTL_EXPORT int vfioctl_region_mmap(struct vfioctl_region *r, int prot,
				       void **addr)
{
	struct vfioctl_ctx *ctx = vfioctl_region_get_ctx(r);
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	char object[NAME_MAX + 128];
	struct vfio_region_sparse_mmap_area whole = { 0, 0 }, *areas;
	unsigned int i, n;
	void *base, *p;
	int rc;

	if (!r || !addr)
		return -EINVAL;
	whole.size = r->size;
	region_object(r->device, r->index, object, sizeof(object));
	if (r->map) {
		*addr = r->map;
		return 0;
	}
	if (!(r->flags & VFIO_REGION_INFO_FLAG_MMAP) || r->size == 0)
		return vfioctl_fail(ctx, ENOTSUP, "mmap", object,
				    "the kernel does not allow mmap of this region; use vfioctl_region_read/write");
	if (r->nr_sparse >= 0) {
		areas = r->sparse;
		n = (unsigned int)r->nr_sparse;
	} else {
		areas = &whole;
		n = 1;
	}
	base = mmap(NULL, r->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	if (base == MAP_FAILED)
		return vfioctl_fail(ctx, errno, "mmap", object,
				    "reserving 0x%" PRIx64 " bytes", r->size);
	for (i = 0; i < n; i++) {
		if (!areas[i].size)
			continue;
		if (areas[i].offset % page || areas[i].offset > r->size ||
		    areas[i].size > r->size - areas[i].offset) {
			munmap(base, r->size);
			return vfioctl_fail(ctx, EPROTO, "mmap", object,
					    "sparse area %u [0x%llx, +0x%llx) is unaligned or outside the region",
					    i, (unsigned long long)areas[i].offset,
					    (unsigned long long)areas[i].size);
		}
		p = mmap((char *)base + areas[i].offset, areas[i].size, prot,
			 MAP_SHARED | MAP_FIXED, r->device->fd,
			 (off_t)(r->offset + areas[i].offset));
		if (p == MAP_FAILED) {
			rc = errno;
			munmap(base, r->size);
			return vfioctl_fail(ctx, rc, "mmap", object,
					    "area %u at offset 0x%llx", i,
					    (unsigned long long)areas[i].offset);
		}
	}
	r->map = base;
	*addr = base;
	return 0;
}

VFIOCTL_EXPORT int vfioctl_region_munmap(struct vfioctl_region *r)
{
	if (!r)
		return -EINVAL;
	if (!r->map)
		return -EINVAL;
	munmap(r->map, r->size);
	r->map = NULL;
	return 0;
}

/* 1 if [offset, offset + len) lies in one mmap()ed area, else 0. */
VFIOCTL_EXPORT int vfioctl_region_is_mapped(struct vfioctl_region *r,
					    uint64_t offset, uint64_t len)
{
	int i;

	if (!r)
		return -EINVAL;
	if (!r->map || offset > r->size || len > r->size - offset)
		return 0;
	if (r->nr_sparse < 0)
		return 1;
	for (i = 0; i < r->nr_sparse; i++)
		if (offset >= r->sparse[i].offset &&
		    offset - r->sparse[i].offset + len <= r->sparse[i].size)
			return 1;
	return 0;
}
