// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lib-caps - the capability-chain walker on crafted replies: well-formed,
 * truncated, misaligned, looping and out-of-bounds chains.
 */
#include "lib-test.h"
#include "libvfioctl-private.h"

#define BASE 32	/* sizeof(struct vfio_region_info) */

static uint64_t buf64[64];	/* 512 aligned bytes */
static char *const buf = (char *)buf64;

static struct vfio_info_cap_header *hdr_at(size_t off, uint16_t id,
					   uint32_t next)
{
	struct vfio_info_cap_header *h = (void *)(buf + off);

	h->id = id;
	h->version = 1;
	h->next = next;
	return h;
}

struct visit {
	int n;
	uint16_t ids[8];
	size_t avail[8];
};

static int record(const struct vfio_info_cap_header *h, size_t avail,
		  void *data)
{
	struct visit *v = data;

	if (v->n < 8) {
		v->ids[v->n] = h->id;
		v->avail[v->n] = avail;
	}
	v->n++;
	return 0;
}

DEFINE_TEST(walk_empty, "no chain: cap_offset 0 visits nothing")
{
	struct visit v = { 0 };

	expect(cap_walk(buf, 256, BASE, 0, record, &v) == 0, "rc");
	expect(v.n == 0, "visited %d", v.n);
	return 0;
}

DEFINE_TEST(walk_three, "a well-formed chain is visited in order with its sizes")
{
	struct visit v = { 0 };

	memset(buf, 0, 512);
	hdr_at(32, 1, 48);
	hdr_at(48, 2, 96);
	hdr_at(96, 3, 0);
	expect(cap_walk(buf, 128, BASE, 32, record, &v) == 0, "rc");
	expect(v.n == 3, "visited %d", v.n);
	expect(v.ids[0] == 1 && v.ids[1] == 2 && v.ids[2] == 3, "order");
	expect(v.avail[0] == 16 && v.avail[1] == 48 && v.avail[2] == 32,
	       "avail %zu %zu %zu", v.avail[0], v.avail[1], v.avail[2]);
	return 0;
}

DEFINE_TEST(walk_stop, "a callback's non-zero return stops the walk")
{
	const void *cap;
	size_t avail;

	memset(buf, 0, 512);
	hdr_at(32, 1, 48);
	hdr_at(48, 2, 0);
	expect(cap_find(buf, 64, BASE, 32, 2, 8, &cap, &avail) == 0, "find");
	expect(cap == buf + 48 && avail == 16, "cap %p avail %zu", cap, avail);
	expect(cap_find(buf, 64, BASE, 32, 7, 8, &cap, &avail) == -ENOENT,
	       "absent id is -ENOENT");
	return 0;
}

DEFINE_TEST(walk_truncated_header, "a header past the returned size is -EPROTO")
{
	struct visit v = { 0 };

	memset(buf, 0, 512);
	hdr_at(32, 1, 0);
	expect(cap_walk(buf, 36, BASE, 32, record, &v) == -EPROTO, "len 36");
	expect(cap_walk(buf, 0, BASE, 32, record, &v) == -EPROTO, "len 0");
	expect(cap_walk(buf, 32, BASE, 32, record, &v) == -EPROTO, "len 32");
	expect(v.n == 0, "nothing visited");
	expect(cap_walk(buf, 40, BASE, 32, record, &v) == 0 && v.n == 1,
	       "exactly a header fits");
	return 0;
}

DEFINE_TEST(walk_truncated_payload, "a typed cap larger than its space is -EPROTO")
{
	struct vfio_region_info_cap_sparse_mmap *w;
	struct vfio_region_sparse_mmap_area *areas;
	const void *cap;
	uint32_t n = 0;

	memset(buf, 0, 512);
	w = (void *)hdr_at(32, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 0);
	w->nr_areas = 4;	/* needs 16 + 64 bytes */
	w->areas[3].size = 0x1234;
	expect(cap_sparse_mmap(buf, 32 + 16 + 48, BASE, 32, &areas, &n) == -EPROTO,
	       "3 of 4 areas present");
	expect(cap_sparse_mmap(buf, 32 + 16 + 64, BASE, 32, &areas, &n) == 0 &&
	       n == 4 && areas[3].size == 0x1234, "all 4 present");
	free(areas);
	w->nr_areas = 0xffffffff;
	expect(cap_sparse_mmap(buf, 512, BASE, 32, &areas, &n) == -EPROTO,
	       "huge nr_areas");
	/* A cap whose size is smaller than its struct. */
	hdr_at(32, VFIO_REGION_INFO_CAP_TYPE, 40);
	hdr_at(40, 9, 0);
	expect(cap_find(buf, 64, BASE, 32, VFIO_REGION_INFO_CAP_TYPE,
			sizeof(struct vfio_region_info_cap_type), &cap,
			NULL) == -EPROTO, "type cap squeezed by next");
	return 0;
}

DEFINE_TEST(walk_misaligned, "caps not 4-byte aligned are -EPROTO")
{
	struct visit v = { 0 };

	memset(buf, 0, 512);
	hdr_at(34, 1, 0);
	expect(cap_walk(buf, 128, BASE, 34, record, &v) == -EPROTO, "first");
	hdr_at(32, 1, 42);
	hdr_at(42, 2, 0);
	expect(cap_walk(buf, 128, BASE, 32, record, &v) == -EPROTO, "next");
	expect(v.n == 1, "stopped after the first (%d)", v.n);
	return 0;
}

/*
 * Stock 6.1 type1: MIGRATION (32 bytes), DMA_AVAIL (12, unpadded), then
 * IOVA_RANGE at a 4-aligned offset whose u64s are misaligned.
 */
DEFINE_TEST(walk_6_1_type1_layout, "the 4-aligned chain of stock 6.1 type1 is accepted")
{
	struct vfio_iova_range *ranges;
	uint64_t v64;
	uint32_t n = 0;
	const void *cap;

	memset(buf, 0, 512);
	hdr_at(24, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, 56);
	hdr_at(56, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 68);
	*(uint32_t *)(buf + 64) = 65535;
	hdr_at(68, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 0);
	*(uint32_t *)(buf + 76) = 1;
	v64 = 0xfedfffff;
	memcpy(buf + 84 + 8, &v64, 8);
	expect(cap_iova_ranges(buf, 100, 24, 24, &ranges, &n) == 0, "accepted");
	expect(n == 1 && ranges[0].start == 0 && ranges[0].end == 0xfedfffff,
	       "values");
	free(ranges);
	expect(cap_find(buf, 100, 24, 24, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 12,
			&cap, NULL) == 0 && cap == buf + 56, "dma avail");
	expect(cap_iova_ranges(buf, 99, 24, 24, &ranges, &n) == -EPROTO,
	       "one byte short");
	return 0;
}

/* A broken tail fails the reply even when the wanted cap comes first. */
DEFINE_TEST(find_checks_whole_chain, "cap_find rejects a chain whose tail loops")
{
	const void *cap;

	memset(buf, 0, 512);
	hdr_at(32, 1, 48);
	hdr_at(48, 2, 32);
	expect(cap_find(buf, 128, BASE, 32, 1, 8, &cap, NULL) == -EPROTO,
	       "loop after the match");
	return 0;
}

DEFINE_TEST(walk_loops, "self, backward and two-cap loops end with -EPROTO")
{
	struct visit v = { 0 };

	memset(buf, 0, 512);
	hdr_at(32, 1, 32);
	expect(cap_walk(buf, 128, BASE, 32, record, &v) == -EPROTO, "self");
	hdr_at(32, 1, 48);
	hdr_at(48, 2, 32);
	v.n = 0;
	expect(cap_walk(buf, 128, BASE, 32, record, &v) == -EPROTO, "A->B->A");
	expect(v.n == 1, "visited %d", v.n);
	hdr_at(64, 1, 40);
	v.n = 0;
	expect(cap_walk(buf, 128, BASE, 64, record, &v) == -EPROTO, "backward");
	return 0;
}

DEFINE_TEST(walk_out_of_bounds, "next past the reply, into the header or the fixed struct is -EPROTO")
{
	struct visit v = { 0 };

	memset(buf, 0, 512);
	hdr_at(32, 1, 136);
	expect(cap_walk(buf, 128, BASE, 32, record, &v) == -EPROTO, "past len");
	hdr_at(32, 1, 0xfffffff8);
	expect(cap_walk(buf, 128, BASE, 32, record, &v) == -EPROTO, "huge");
	hdr_at(32, 1, 128);
	expect(cap_walk(buf, 128, BASE, 32, record, &v) == -EPROTO,
	       "next == len leaves no room for a header");
	hdr_at(32, 1, 36);
	expect(cap_walk(buf, 128, BASE, 32, record, &v) == -EPROTO,
	       "next inside the current header");
	hdr_at(8, 1, 0);
	expect(cap_walk(buf, 128, BASE, 8, record, &v) == -EPROTO,
	       "first inside the fixed struct");
	expect(cap_walk(buf, 128, BASE, 0xfffffff8, record, &v) == -EPROTO,
	       "first past len");
	return 0;
}

DEFINE_TEST(iova_ranges_checked, "IOVA range caps: count against size, start <= end")
{
	struct vfio_iommu_type1_info_cap_iova_range *w;
	struct vfio_iova_range *ranges;
	uint32_t n = 0;

	memset(buf, 0, 512);
	w = (void *)hdr_at(24, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 0);
	w->nr_iovas = 2;
	w->iova_ranges[0].start = 0;
	w->iova_ranges[0].end = 0xfff;
	w->iova_ranges[1].start = 0x10000;
	w->iova_ranges[1].end = 0xffff;
	expect(cap_iova_ranges(buf, 24 + 48, 24, 24, &ranges, &n) == -EPROTO,
	       "start > end");
	w->iova_ranges[1].end = 0x1ffff;
	expect(cap_iova_ranges(buf, 24 + 48, 24, 24, &ranges, &n) == 0 &&
	       n == 2 && ranges[1].end == 0x1ffff, "valid");
	free(ranges);
	expect(cap_iova_ranges(buf, 24 + 40, 24, 24, &ranges, &n) == -EPROTO,
	       "second range truncated");
	return 0;
}

TEST_MAIN()
