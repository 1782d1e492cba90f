// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * caps.c - the capability-chain walker for every *_INFO reply.
 *
 * The chain comes from a kernel module, which may be ours, older, newer or
 * buggy, so nothing in it is trusted:
 *   - a capability lies wholly inside the bytes the kernel returned
 *     (@len, already clamped to our buffer) and after the fixed struct;
 *   - it starts 4-byte aligned, the header's own alignment.  Not 8: until
 *     vfio_info_cap_add() learned to pad (2023), type1 put the 12-byte
 *     DMA_AVAIL cap unpadded before the IOVA-range cap, and stock 6.1
 *     still does, so u64 fields are read with memcpy(), never in place;
 *   - each `next` points strictly forward, past the current header, so a
 *     loop or a self-reference cannot make us spin;
 *   - a capability extends to its `next` (or to @len for the last one), and
 *     typed accessors check their payload against that.
 * A chain that breaks a rule gives -EPROTO; callers name the ioctl.
 */
#include <errno.h>
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "libvfioctl-private.h"

#define CAP_ALIGN 4

int cap_walk(const void *buf, size_t len, size_t base, uint32_t first,
	     cap_walk_fn fn, void *data)
{
	const struct vfio_info_cap_header *hdr;
	const size_t hsz = sizeof(*hdr);
	size_t off = first, end;
	int rc;

	while (off) {
		if (off < base || off % CAP_ALIGN || len < hsz ||
		    off > len - hsz)
			return -EPROTO;
		hdr = (const void *)((const char *)buf + off);
		if (hdr->next) {
			if (hdr->next < off + hsz || hdr->next > len)
				return -EPROTO;
			end = hdr->next;
		} else {
			end = len;
		}
		rc = fn(hdr, end - off, data);
		if (rc)
			return rc;
		off = hdr->next;
	}
	return 0;
}

struct cap_find_args {
	uint16_t id;
	size_t min_size;
	const void *cap;
	size_t avail;
};

static int cap_match(const struct vfio_info_cap_header *hdr, size_t avail,
		     void *data)
{
	struct cap_find_args *args = data;

	if (hdr->id != args->id || args->cap)
		return 0;
	if (avail < args->min_size)
		return -EPROTO;
	args->cap = hdr;
	args->avail = avail;
	return 0;	/* walk on: a broken tail fails the whole reply */
}

/*
 * Finds the first capability @id with at least @min_size bytes: 0 and
 * *@cap set, -ENOENT if there is none, -EPROTO if the chain is malformed.
 */
int cap_find(const void *buf, size_t len, size_t base, uint32_t first,
	     uint16_t id, size_t min_size, const void **cap, size_t *avail)
{
	struct cap_find_args args = { .id = id, .min_size = min_size };
	int rc;

	rc = cap_walk(buf, len, base, first, cap_match, &args);
	if (rc < 0)
		return rc;
	if (!args.cap)
		return -ENOENT;
	*cap = args.cap;
	if (avail)
		*avail = args.avail;
	return 0;
}

/*
 * The typed accessors copy arrays out with memcpy(): with 4-byte aligned
 * caps, the u64 members of these structs may sit misaligned in the reply,
 * and even naming them through a struct pointer would be undefined.
 */
static int cap_array(const void *buf, size_t len, size_t base, uint32_t first,
		     uint16_t id, size_t count_at, size_t array_at,
		     size_t elem, void **array, uint32_t *count)
{
	const void *cap;
	size_t avail;
	uint32_t n;
	int rc;

	rc = cap_find(buf, len, base, first, id, array_at, &cap, &avail);
	if (rc < 0)
		return rc;
	memcpy(&n, (const char *)cap + count_at, sizeof(n));
	if (n > (avail - array_at) / elem)
		return -EPROTO;
	*array = calloc(n ? n : 1, elem);
	if (!*array)
		return -ENOMEM;
	memcpy(*array, (const char *)cap + array_at, (size_t)n * elem);
	*count = n;
	return 0;
}

/* The sparse mmap areas, as a malloc()ed array. */
int cap_sparse_mmap(const void *buf, size_t len, size_t base, uint32_t first,
		    struct vfio_region_sparse_mmap_area **areas,
		    uint32_t *count)
{
	return cap_array(buf, len, base, first,
			 VFIO_REGION_INFO_CAP_SPARSE_MMAP,
			 offsetof(struct vfio_region_info_cap_sparse_mmap,
				  nr_areas),
			 offsetof(struct vfio_region_info_cap_sparse_mmap, areas),
			 sizeof(**areas), (void **)areas, count);
}

/* The usable IOVA ranges, as a malloc()ed array; each start <= end. */
int cap_iova_ranges(const void *buf, size_t len, size_t base, uint32_t first,
		    struct vfio_iova_range **ranges, uint32_t *count)
{
	uint32_t i;
	int rc;

	rc = cap_array(buf, len, base, first,
		       VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
		       offsetof(struct vfio_iommu_type1_info_cap_iova_range,
				nr_iovas),
		       offsetof(struct vfio_iommu_type1_info_cap_iova_range,
				iova_ranges),
		       sizeof(**ranges), (void **)ranges, count);
	if (rc < 0)
		return rc;
	for (i = 0; i < *count; i++)
		if ((*ranges)[i].start > (*ranges)[i].end) {
			free(*ranges);
			*ranges = NULL;
			return -EPROTO;
		}
	return 0;
}
