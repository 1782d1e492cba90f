// SPDX-License-Identifier: GPL-2.0-only
/*
 * type1-test - UAPI tests of a type1 IOMMU backend (VFIO_TYPE1{,v2}_IOMMU),
 * written against the stock kernel as the oracle.
 *
 *   type1-test ext GROUP [DMA_CC]      CHECK_EXTENSION before/after SET_IOMMU
 *   type1-test info GROUP              GET_INFO argsz negotiation and caps
 *   type1-test map GROUP               MAP_DMA errnos
 *   type1-test unmap GROUP 1|3         UNMAP_DMA errnos, v1 (1) / v2 (3)
 *   type1-test unmap-all GROUP         VFIO_DMA_UNMAP_FLAG_ALL
 *   type1-test limit GROUP N           dma_entry_limit == N gives ENOSPC
 *   type1-test memlock GROUP           RLIMIT_MEMLOCK for an unprivileged user
 *   type1-test lockedvm GROUP DEV      locked_vm after unmap/close/kill -9
 *   type1-test othermm GROUP           unmap from another mm
 *   type1-test dma GROUP:DEV...        edu DMA round trip, blocked DMA
 *   type1-test hold GROUP              map 3 buffers, wait for EOF on stdin
 *   type1-test latejoin G1 G2 DEV1 DEV2 [skip-first]  a group joins a
 *                                      container that has mappings
 *   type1-test stall GROUP MIB [BOUND_MS]  worst wake-up latency of a
 *                                      sleeper on the CPU of a MIB MiB
 *                                      map/unmap (bounded with BOUND_MS)
 *   type1-test p2p GROUP:DEV GROUP2:DEV2 [dma]  MAP_DMA of BAR mmaps
 *                                      (peer-to-peer); with dma, DEV reads
 *                                      DEV2's registers by DMA
 *   type1-test vaddr GROUP:DEV         VFIO_UPDATE_VADDR, DMA across it
 *   type1-test nesting GROUP [ERRNO]   VFIO_TYPE1_NESTING_IOMMU
 *   type1-test dirty GROUP             dirty-page tracking, migration cap
 *
 * Prints TAP lines; exits 0 if every check passed, 1 if one failed, 2 if
 * the setup failed.
 */
#include <fcntl.h>
#include <stddef.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "type1-util.h"

#define SZ_4K	0x1000ULL
#define SZ_64K	0x10000ULL
#define SZ_1M	0x100000ULL
#define RW	(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* ------------------------------------------------------------ GET_INFO */

struct info {
	uint64_t pgsizes;
	uint32_t flags;
	int nr_ranges;
	struct vfio_iova_range ranges[16];
	bool have_avail;
	uint32_t avail;
	uint32_t argsz_needed;
};

static struct vfio_info_cap_header *cap_find(void *buf, size_t len,
					     uint32_t first, uint16_t id)
{
	uint32_t off = first;
	int hops = 0;

	while (off && off + sizeof(struct vfio_info_cap_header) <= len &&
	       hops++ < 32) {
		struct vfio_info_cap_header *h = (void *)((char *)buf + off);

		if (h->id == id)
			return h;
		off = h->next;
	}
	return NULL;
}

/* GET_INFO with a buffer big enough for every cap; fills @out. */
static int get_info(int container, struct info *out)
{
	struct vfio_iommu_type1_info hdr = { .argsz = sizeof(hdr) };
	struct vfio_iommu_type1_info *info;
	struct vfio_info_cap_header *h;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (ioctl(container, VFIO_IOMMU_GET_INFO, &hdr))
		return -errno;
	out->argsz_needed = hdr.argsz;
	info = calloc(1, hdr.argsz);
	if (!info)
		t1_die("calloc");
	info->argsz = hdr.argsz;
	if (ioctl(container, VFIO_IOMMU_GET_INFO, info)) {
		ret = -errno;
		goto out;
	}
	out->pgsizes = info->iova_pgsizes;
	out->flags = info->flags;
	if (!(info->flags & VFIO_IOMMU_INFO_CAPS))
		goto out;
	h = cap_find(info, hdr.argsz, info->cap_offset,
		     VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	if (h) {
		struct vfio_iommu_type1_info_cap_iova_range *r = (void *)h;
		uint32_t i;

		for (i = 0; i < r->nr_iovas && i < 16; i++)
			out->ranges[i] = r->iova_ranges[i];
		out->nr_ranges = r->nr_iovas;
	}
	h = cap_find(info, hdr.argsz, info->cap_offset,
		     VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	if (h) {
		out->have_avail = true;
		out->avail = ((struct vfio_iommu_type1_info_dma_avail *)h)->avail;
	}
out:
	free(info);
	return ret;
}

static uint32_t dma_avail(int container)
{
	struct info in;

	if (get_info(container, &in) || !in.have_avail)
		t1_die("GET_INFO: no DMA_AVAIL cap");
	return in.avail;
}

/* ------------------------------------------------------------ ext */

static int cmd_ext(int argc, char **argv)
{
	int group = atoi(argv[0]), gfd;
	int c = t1_open_container();
	long v;

	/* Before SET_IOMMU the core asks each backend with no iommu_data. */
	CHECK(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) == 1,
	      "CHECK_EXTENSION(TYPE1) == 1 before SET_IOMMU");
	CHECK(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1,
	      "CHECK_EXTENSION(TYPE1v2) == 1 before SET_IOMMU");
	CHECK(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL) == 1,
	      "CHECK_EXTENSION(UNMAP_ALL) == 1 before SET_IOMMU");
	CHECK(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == 0,
	      "CHECK_EXTENSION(DMA_CC_IOMMU) == 0 without domains");
	CHECK(ioctl(c, VFIO_CHECK_EXTENSION, 999) == 0,
	      "CHECK_EXTENSION(999) == 0");

	gfd = t1_open_group(group);
	CHECK_ERR(t1_set_container(gfd, c), 0, "SET_CONTAINER");
	CHECK_ERR(t1_set_iommu(c, VFIO_TYPE1v2_IOMMU), 0, "SET_IOMMU(TYPE1v2)");
	CHECK(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) == 1,
	      "CHECK_EXTENSION(TYPE1) == 1 after SET_IOMMU");
	CHECK(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1,
	      "CHECK_EXTENSION(TYPE1v2) == 1 after SET_IOMMU");
	CHECK(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_UNMAP_ALL) == 1,
	      "CHECK_EXTENSION(UNMAP_ALL) == 1 after SET_IOMMU");
	v = ioctl(c, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU);
	printf("# dma_cc=%ld\n", v);
	if (argc > 1)
		CHECK(v == atol(argv[1]),
		      "CHECK_EXTENSION(DMA_CC_IOMMU) == %s with a domain", argv[1]);
	CHECK(ioctl(c, VFIO_CHECK_EXTENSION, 999) == 0,
	      "CHECK_EXTENSION(999) == 0 after SET_IOMMU");
	/* type1 answers container ioctls it does not know with ENOTTY. */
	CHECK(ioctl(c, _IO(VFIO_TYPE, VFIO_BASE + 60)) == -1 && errno == ENOTTY,
	      "unknown container ioctl: ENOTTY");
	close(gfd);
	close(c);
	return 0;
}

/* ------------------------------------------------------------ info */

static int cmd_info(int argc, char **argv)
{
	int group = atoi(argv[0]), gfd;
	int c = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &gfd);
	struct vfio_iommu_type1_info small = {}, full = {};
	size_t minsz = offsetof(struct vfio_iommu_type1_info, cap_offset);
	uint32_t needed, avail0;
	struct info in;
	char *big;
	int i;

	(void)argc;
	small.argsz = minsz - 1;
	CHECK(ioctl(c, VFIO_IOMMU_GET_INFO, &small) == -1 && errno == EINVAL,
	      "GET_INFO argsz %zu < minsz: EINVAL", minsz - 1);

	/* The pre-caps struct: success, CAPS set, argsz says what is needed. */
	memset(&small, 0, sizeof(small));
	small.argsz = minsz;
	small.cap_offset = 0xdeadbeef;
	CHECK(ioctl(c, VFIO_IOMMU_GET_INFO, &small) == 0,
	      "GET_INFO with the v1 struct (argsz %zu) succeeds", minsz);
	CHECK(small.flags == (VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS),
	      "flags PGSIZES|CAPS (0x%x)", small.flags);
	CHECK(small.argsz > sizeof(full), "argsz grew to %u", small.argsz);
	CHECK(small.cap_offset == 0xdeadbeef,
	      "fields beyond the user's argsz are not written");
	needed = small.argsz;

	/* Full struct, no room for caps: cap_offset 0, argsz = needed. */
	full.argsz = sizeof(full);
	full.cap_offset = 0xdeadbeef;
	CHECK(ioctl(c, VFIO_IOMMU_GET_INFO, &full) == 0,
	      "GET_INFO without room for caps succeeds");
	CHECK(full.argsz == needed, "argsz %u == needed %u", full.argsz,
	      needed);
	CHECK(full.cap_offset == 0, "cap_offset 0 when caps do not fit (%u)",
	      full.cap_offset);
	CHECK(full.iova_pgsizes & 0x1000, "iova_pgsizes has 4 KiB (0x%llx)",
	      (unsigned long long)full.iova_pgsizes);
	CHECK(!(full.iova_pgsizes & 0xfff), "no page size below 4 KiB");
	printf("# iova_pgsizes=0x%llx needed=%u\n",
	       (unsigned long long)full.iova_pgsizes, needed);

	/* A larger buffer: caps follow the struct, argsz left as given. */
	big = calloc(1, needed + 64);
	((struct vfio_iommu_type1_info *)big)->argsz = needed + 64;
	CHECK(ioctl(c, VFIO_IOMMU_GET_INFO, big) == 0, "GET_INFO with room");
	CHECK(((struct vfio_iommu_type1_info *)big)->argsz == needed + 64,
	      "argsz unchanged when caps fit");
	CHECK(((struct vfio_iommu_type1_info *)big)->cap_offset == sizeof(full),
	      "cap_offset == sizeof(info) (%u)",
	      ((struct vfio_iommu_type1_info *)big)->cap_offset);
	CHECK(cap_find(big, needed, sizeof(full),
		       VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE),
	      "IOVA_RANGE cap present");
	CHECK(cap_find(big, needed, sizeof(full),
		       VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL), "DMA_AVAIL cap present");
	free(big);

	CHECK_ERR(get_info(c, &in), 0, "GET_INFO");
	CHECK(in.nr_ranges >= 1 && in.nr_ranges <= 16, "nr_iovas %d",
	      in.nr_ranges);
	for (i = 0; i < in.nr_ranges; i++) {
		printf("# iova range %d: 0x%llx-0x%llx\n", i,
		       (unsigned long long)in.ranges[i].start,
		       (unsigned long long)in.ranges[i].end);
		CHECK(in.ranges[i].start <= in.ranges[i].end &&
		      (i == 0 || in.ranges[i].start > in.ranges[i - 1].end),
		      "range %d sorted and non-overlapping", i);
		/* x86: the MSI window is a reserved region of every group. */
		CHECK(!(in.ranges[i].start <= 0xfee00000ULL &&
			in.ranges[i].end >= 0xfee00000ULL),
		      "range %d excludes the MSI window 0xfee00000", i);
	}
	printf("# dma_avail=%u\n", in.avail);
	avail0 = in.avail;
	{
		void *buf = t1_alloc(SZ_4K, SZ_4K);

		CHECK_ERR(t1_map(c, (uintptr_t)buf, SZ_1M, SZ_4K, RW), 0, "map");
		CHECK(dma_avail(c) == avail0 - 1, "DMA_AVAIL decremented by a map");
		CHECK_ERR(t1_unmap(c, SZ_1M, SZ_4K, 0, NULL), 0, "unmap");
		CHECK(dma_avail(c) == avail0, "DMA_AVAIL restored by unmap");
	}
	close(gfd);
	close(c);
	return 0;
}

/* ------------------------------------------------------------ map */

static int cmd_map(int argc, char **argv)
{
	int group = atoi(argv[0]), gfd;
	int c = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &gfd);
	uint64_t b = (uintptr_t)t1_alloc(SZ_64K, SZ_64K), top;
	struct vfio_iommu_type1_dma_map m = {};
	struct info in;
	void *hole, *ro;

	(void)argc;
	if (get_info(c, &in) || !in.nr_ranges)
		t1_die("GET_INFO: no IOVA ranges");
	top = in.ranges[in.nr_ranges - 1].end;

	CHECK_ERR(t1_map(c, b, SZ_1M, SZ_64K, 0), -EINVAL,
		  "map without READ or WRITE");
	CHECK_ERR(t1_map(c, b, SZ_1M, SZ_64K, RW | (1u << 5)), -EINVAL,
		  "map with an unknown flag");
	m.argsz = offsetof(struct vfio_iommu_type1_dma_map, size);
	m.flags = RW;
	m.vaddr = b;
	m.iova = SZ_1M;
	m.size = SZ_64K;
	CHECK(ioctl(c, VFIO_IOMMU_MAP_DMA, &m) == -1 && errno == EINVAL,
	      "map with a short argsz: EINVAL");
	CHECK_ERR(t1_map(c, b, SZ_1M, 0, RW), -EINVAL, "map of size 0");
	CHECK_ERR(t1_map(c, b, SZ_1M, 0x800, RW), -EINVAL,
		  "map of an unaligned size");
	CHECK_ERR(t1_map(c, b, SZ_1M + 0x800, SZ_4K, RW), -EINVAL,
		  "map at an unaligned iova");
	CHECK_ERR(t1_map(c, b + 0x800, SZ_1M, SZ_4K, RW), -EINVAL,
		  "map of an unaligned vaddr");
	CHECK_ERR(t1_map(c, b, 0xfffffffffffff000ULL, 2 * SZ_4K, RW), -EINVAL,
		  "map whose iova range wraps");
	CHECK_ERR(t1_map(c, 0xfffffffffffff000ULL, SZ_1M, 2 * SZ_4K, RW),
		  -EINVAL, "map whose vaddr range wraps");
	CHECK_ERR(t1_map(c, b, 0xfee00000ULL, SZ_4K, RW), -EINVAL,
		  "map in the reserved MSI window");
	if (top < 0xfffffffffffff000ULL)
		CHECK_ERR(t1_map(c, b, (top + 1) & ~0xfffULL, SZ_4K, RW),
			  -EINVAL, "map beyond the last IOVA range");
	CHECK_ERR(t1_map(c, b, top & ~0xfffULL, 2 * SZ_4K, RW), -EINVAL,
		  "map straddling the end of the IOVA space");

	CHECK_ERR(t1_map(c, b, SZ_1M, SZ_64K, RW), 0, "map 64 KiB at 1 MiB");
	CHECK_ERR(t1_map(c, b, SZ_1M, SZ_64K, RW), -EEXIST, "same map again");
	CHECK_ERR(t1_map(c, b, SZ_1M + SZ_64K - SZ_4K, 2 * SZ_4K, RW), -EEXIST,
		  "map overlapping the end");
	CHECK_ERR(t1_map(c, b, SZ_1M - SZ_4K, 2 * SZ_4K, RW), -EEXIST,
		  "map overlapping the start");
	CHECK_ERR(t1_map(c, b, SZ_1M - SZ_4K, 3 * SZ_64K, RW), -EEXIST,
		  "map covering an existing one");
	CHECK_ERR(t1_map(c, b, SZ_1M + SZ_4K, SZ_4K, RW), -EEXIST,
		  "map inside an existing one");
	CHECK_ERR(t1_map(c, b, SZ_1M + SZ_64K, SZ_4K, RW), 0,
		  "adjacent map (same vaddr twice)");

	/* Memory that cannot be pinned: nothing mapped, nothing left over. */
	hole = t1_alloc(SZ_64K, SZ_4K);
	t1_free(hole, SZ_64K);
	CHECK_ERR(t1_map(c, (uintptr_t)hole, 4 * SZ_1M, SZ_64K, RW), -EFAULT,
		  "map of unmapped user memory");
	ro = t1_alloc(SZ_64K, SZ_4K);
	mprotect(ro, SZ_64K, PROT_READ);
	CHECK_ERR(t1_map(c, (uintptr_t)ro, 5 * SZ_1M, SZ_64K, RW), -EFAULT,
		  "device-writable map of read-only memory");
	CHECK_ERR(t1_map(c, (uintptr_t)ro, 5 * SZ_1M, SZ_64K,
			 VFIO_DMA_MAP_FLAG_READ), 0,
		  "device-read-only map of read-only memory");
	CHECK_ERR(t1_map(c, b, 4 * SZ_1M, SZ_64K, RW), 0,
		  "a failed map left no entry behind");
	close(gfd);
	close(c);
	return 0;
}

/* ------------------------------------------------------------ unmap */

/* Is [iova, iova+size) free?  Probe by mapping and unmapping again. */
static bool iova_free(int c, uint64_t b, uint64_t iova, uint64_t size)
{
	uint64_t n;

	if (t1_map(c, b, iova, size, RW))
		return false;
	t1_unmap(c, iova, size, 0, &n);
	return true;
}

static int cmd_unmap(int argc, char **argv)
{
	int group = atoi(argv[0]), gfd;
	int type = argc > 1 ? atoi(argv[1]) : VFIO_TYPE1v2_IOMMU;
	int c = t1_setup(&group, 1, type, &gfd);
	uint64_t b = (uintptr_t)t1_alloc(SZ_64K, SZ_64K), n;
	struct vfio_iommu_type1_dma_unmap u = {};
	const uint64_t A = SZ_1M, B = SZ_1M + SZ_64K, C = 2 * SZ_1M;
	bool v2 = type == VFIO_TYPE1v2_IOMMU;

	CHECK_ERR(t1_map(c, b, A, SZ_64K, RW), 0, "map A");
	CHECK_ERR(t1_map(c, b, B, SZ_64K, RW), 0, "map B (adjacent)");
	CHECK_ERR(t1_map(c, b, C, 4 * SZ_4K, RW), 0, "map C");

	CHECK_ERR(t1_unmap(c, A, 0, 0, NULL), -EINVAL, "unmap of size 0");
	CHECK_ERR(t1_unmap(c, A, 0x800, 0, NULL), -EINVAL,
		  "unmap of an unaligned size");
	CHECK_ERR(t1_unmap(c, A + 0x800, SZ_4K, 0, NULL), -EINVAL,
		  "unmap at an unaligned iova");
	CHECK_ERR(t1_unmap(c, 0xfffffffffffff000ULL, 2 * SZ_4K, 0, NULL),
		  -EINVAL, "unmap whose range wraps");
	CHECK_ERR(t1_unmap(c, A, SZ_64K, 1u << 10, NULL), -EINVAL,
		  "unmap with an unknown flag");
	CHECK_ERR(t1_unmap(c, A, 0, VFIO_DMA_UNMAP_FLAG_ALL, NULL), -EINVAL,
		  "UNMAP_ALL with a non-zero iova");
	CHECK_ERR(t1_unmap(c, 0, SZ_64K, VFIO_DMA_UNMAP_FLAG_ALL, NULL),
		  -EINVAL, "UNMAP_ALL with a non-zero size");
	u.argsz = offsetof(struct vfio_iommu_type1_dma_unmap, size);
	u.iova = A;
	u.size = SZ_64K;
	CHECK(ioctl(c, VFIO_IOMMU_UNMAP_DMA, &u) == -1 && errno == EINVAL,
	      "unmap with a short argsz: EINVAL");
	n = 1;
	CHECK_ERR(t1_unmap(c, 3 * SZ_1M, SZ_64K, 0, &n), 0,
		  "unmap where nothing is mapped");
	CHECK(n == 0, "... unmapped 0 bytes (%llu)", (unsigned long long)n);

	if (v2) {
		CHECK_ERR(t1_unmap(c, A + SZ_4K, SZ_4K, 0, NULL), -EINVAL,
			  "v2: unmap starting inside a mapping");
		CHECK_ERR(t1_unmap(c, A, SZ_4K, 0, NULL), -EINVAL,
			  "v2: unmap ending inside a mapping");
		CHECK_ERR(t1_unmap(c, A - SZ_64K, 2 * SZ_64K + SZ_4K, 0, NULL),
			  -EINVAL, "v2: unmap covering A and a part of B");
		CHECK(!iova_free(c, b, A, SZ_4K) && !iova_free(c, b, B, SZ_4K),
		      "v2: failed unmaps left A and B mapped");
		CHECK_ERR(t1_unmap(c, A - SZ_64K, 3 * SZ_64K, 0, &n), 0,
			  "v2: unmap covering A and B whole");
		CHECK(n == 2 * SZ_64K, "... unmapped A+B (%llu)",
		      (unsigned long long)n);
		CHECK(iova_free(c, b, A, SZ_64K) && iova_free(c, b, B, SZ_64K),
		      "v2: A and B are gone");
		CHECK(!iova_free(c, b, C, SZ_4K), "v2: C still mapped");
	} else {
		CHECK_ERR(t1_unmap(c, A + SZ_4K, SZ_4K, 0, &n), 0,
			  "v1: unmap starting inside a mapping succeeds");
		CHECK(n == 0, "... and unmaps nothing (%llu)",
		      (unsigned long long)n);
		CHECK(!iova_free(c, b, A, SZ_4K), "v1: A still mapped");
		CHECK_ERR(t1_unmap(c, A, SZ_4K, 0, &n), 0,
			  "v1: unmap of A's first page");
		CHECK(n == SZ_64K, "... unmaps all of A (%llu)",
		      (unsigned long long)n);
		CHECK(iova_free(c, b, A, SZ_64K), "v1: A is gone");
		CHECK(!iova_free(c, b, B, SZ_4K), "v1: B still mapped");
		CHECK_ERR(t1_unmap(c, A + SZ_64K - SZ_4K, 2 * SZ_4K, 0, &n), 0,
			  "v1: unmap from before B into B");
		CHECK(n == SZ_64K, "... unmaps all of B (%llu)",
		      (unsigned long long)n);
		CHECK(iova_free(c, b, B, SZ_64K), "v1: B is gone");
	}
	CHECK_ERR(t1_unmap(c, C - SZ_1M, 2 * SZ_1M, 0, &n), 0,
		  "unmap of a large range holding C");
	CHECK(n == 4 * SZ_4K, "... unmapped C (%llu)", (unsigned long long)n);
	close(gfd);
	close(c);
	return 0;
}

static int cmd_unmap_all(int argc, char **argv)
{
	int group = atoi(argv[0]), gfd;
	int c = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &gfd);
	uint64_t b = (uintptr_t)t1_alloc(SZ_64K, SZ_64K), n = 0;
	uint32_t avail0 = dma_avail(c);
	long lck0 = t1_vmlck_kib(0);

	(void)argc;
	CHECK_ERR(t1_map(c, b, SZ_1M, SZ_64K, RW), 0, "map 1");
	CHECK_ERR(t1_map(c, b, 3 * SZ_1M, SZ_4K, RW), 0, "map 2");
	CHECK_ERR(t1_map(c, b, 0x40000000ULL, 2 * SZ_4K, RW), 0, "map 3");
	CHECK(dma_avail(c) == avail0 - 3, "DMA_AVAIL counts 3 mappings");
	CHECK_ERR(t1_unmap(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &n), 0,
		  "UNMAP_ALL");
	CHECK(n == SZ_64K + 3 * SZ_4K, "... returns the total size (%llu)",
	      (unsigned long long)n);
	CHECK(dma_avail(c) == avail0, "DMA_AVAIL back to %u", avail0);
	CHECK(t1_vmlck_kib(0) == lck0, "VmLck back to %ld kB", lck0);
	CHECK_ERR(t1_unmap(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &n), 0,
		  "UNMAP_ALL with nothing mapped");
	CHECK(n == 0, "... returns 0 (%llu)", (unsigned long long)n);
	CHECK(iova_free(c, b, SZ_1M, SZ_64K), "the iovas are free again");
	close(gfd);
	close(c);
	return 0;
}

/* ------------------------------------------------------------ limit */

static int cmd_limit(int argc, char **argv)
{
	int group = atoi(argv[0]), gfd;
	int c = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &gfd);
	unsigned int limit = argc > 1 ? atoi(argv[1]) : 0, i;
	uint64_t b = (uintptr_t)t1_alloc(SZ_4K, SZ_4K);
	int ret = 0;

	if (!limit || limit > 1024)
		t1_die("limit: give the dma_entry_limit (1..1024)");
	CHECK(dma_avail(c) == limit, "DMA_AVAIL == dma_entry_limit %u", limit);
	for (i = 0; i < limit && !ret; i++)
		ret = t1_map(c, b, SZ_1M + 2 * i * SZ_4K, SZ_4K, RW);
	CHECK_ERR(ret, 0, "maps up to the limit");
	CHECK(dma_avail(c) == 0, "DMA_AVAIL == 0 at the limit");
	CHECK_ERR(t1_map(c, b, SZ_1M + 2 * limit * SZ_4K, SZ_4K, RW), -ENOSPC,
		  "one map beyond dma_entry_limit");
	CHECK_ERR(t1_unmap(c, SZ_1M, SZ_4K, 0, NULL), 0, "unmap one");
	CHECK_ERR(t1_map(c, b, SZ_1M + 2 * limit * SZ_4K, SZ_4K, RW), 0,
		  "map again after an unmap");
	close(gfd);
	close(c);
	return 0;
}

/* ------------------------------------------------------------ memlock */

static int cmd_memlock(int argc, char **argv)
{
	int group = atoi(argv[0]), gfd;
	int c = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &gfd);
	struct rlimit rl = { 128 * 1024, 128 * 1024 };
	uint64_t b = (uintptr_t)t1_alloc(SZ_1M, SZ_4K);
	long lck0;

	(void)argc;
	/* Fds stay usable after dropping root: become nobody, 128 KiB. */
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		t1_die("setrlimit: %m");
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		t1_die("dropping to nobody: %m");
	printf("# pid=%d uid=%d memlock=%lu\n", getpid(), getuid(),
	       (unsigned long)rl.rlim_cur);
	lck0 = t1_vmlck_kib(0);
	CHECK_ERR(t1_map(c, b, SZ_1M, SZ_64K, RW), 0, "map 64 KiB within 128 KiB");
	CHECK(t1_vmlck_kib(0) == lck0 + 64, "VmLck %ld == %ld + 64 kB",
	      t1_vmlck_kib(0), lck0);
	CHECK_ERR(t1_map(c, b, 4 * SZ_1M, SZ_1M, RW), -ENOMEM,
		  "map of 1 MiB over RLIMIT_MEMLOCK");
	CHECK(t1_vmlck_kib(0) == lck0 + 64, "failed map charged nothing (%ld)",
	      t1_vmlck_kib(0));
	CHECK(iova_free(c, b, 4 * SZ_1M, SZ_4K), "failed map left no entry");
	CHECK_ERR(t1_map(c, b, 4 * SZ_1M, SZ_64K, RW), 0,
		  "map up to the limit exactly");
	CHECK_ERR(t1_unmap(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, NULL), 0,
		  "unmap all");
	CHECK(t1_vmlck_kib(0) == lck0, "VmLck back to %ld kB", lck0);
	close(gfd);
	close(c);
	return 0;
}

/* ------------------------------------------------------------ lockedvm */

static int get_device(int gfd, const char *dev)
{
	int fd = ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, dev);

	if (fd < 0)
		t1_die("GET_DEVICE_FD %s: %m", dev);
	return fd;
}

struct killed_child {
	int group;
	void *buf;
	int pipe_w;
};

/* Runs in a CLONE_VM child: shares our mm, not our fds.  Raw calls only. */
static int killed_child_fn(void *arg)
{
	struct killed_child *k = arg;
	char path[64], ok = 'x';
	int c, g;

	snprintf(path, sizeof(path), "/dev/vfio/%d", k->group);
	c = open("/dev/vfio/vfio", O_RDWR);
	g = open(path, O_RDWR);
	if (c >= 0 && g >= 0 && !t1_set_container(g, c) &&
	    !t1_set_iommu(c, VFIO_TYPE1v2_IOMMU) &&
	    !t1_map(c, (uintptr_t)k->buf, SZ_1M, SZ_1M, RW))
		ok = 'y';
	if (write(k->pipe_w, &ok, 1) != 1)
		_exit(1);
	for (;;)
		pause();
	return 0;
}

static int cmd_lockedvm(int argc, char **argv)
{
	int group = atoi(argv[0]), gfd, dfd, c;
	void *buf = t1_alloc(SZ_1M, SZ_4K);
	uint64_t b = (uintptr_t)buf;
	long lck0 = t1_vmlck_kib(0);
	const long mib = 1024;

	printf("# VmLck at start: %ld kB\n", lck0);

	c = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &gfd);
	CHECK_ERR(t1_map(c, b, SZ_1M, SZ_1M, RW), 0, "map 1 MiB");
	CHECK(t1_vmlck_kib(0) == lck0 + mib, "VmLck +1 MiB (%ld)", t1_vmlck_kib(0));
	CHECK_ERR(t1_unmap(c, SZ_1M, SZ_1M, 0, NULL), 0, "unmap");
	CHECK(t1_vmlck_kib(0) == lck0, "after unmap: VmLck %ld", t1_vmlck_kib(0));

	CHECK_ERR(t1_map(c, b, SZ_1M, SZ_1M, RW), 0, "map 1 MiB");
	close(c);
	CHECK(t1_vmlck_kib(0) == lck0 + mib,
	      "container fd closed, group still attached: still pinned (%ld)",
	      t1_vmlck_kib(0));
	close(gfd);
	CHECK(t1_vmlck_kib(0) == lck0, "then group fd closed: VmLck %ld",
	      t1_vmlck_kib(0));

	c = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &gfd);
	CHECK_ERR(t1_map(c, b, SZ_1M, SZ_1M, RW), 0, "map 1 MiB");
	close(gfd);
	CHECK(t1_vmlck_kib(0) == lck0, "group fd closed first: VmLck %ld",
	      t1_vmlck_kib(0));
	close(c);

	if (argc > 1) {
		c = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &gfd);
		dfd = get_device(gfd, argv[1]);
		CHECK_ERR(t1_map(c, b, SZ_1M, SZ_1M, RW), 0, "map 1 MiB");
		close(gfd);
		close(c);
		CHECK(t1_vmlck_kib(0) == lck0 + mib,
		      "group and container closed, device open: pinned (%ld)",
		      t1_vmlck_kib(0));
		close(dfd);
		CHECK(t1_vmlck_kib(0) == lck0, "device fd closed last: VmLck %ld",
		      t1_vmlck_kib(0));
	}

	{
		static char stack[64 * 1024] __attribute__((aligned(16)));
		struct killed_child k = { .group = group, .buf = buf };
		int p[2], status;
		pid_t pid;
		char ok = 0;

		if (pipe(p))
			t1_die("pipe: %m");
		k.pipe_w = p[1];
		pid = clone(killed_child_fn, stack + sizeof(stack),
			    CLONE_VM | SIGCHLD, &k);
		if (pid < 0)
			t1_die("clone: %m");
		if (read(p[0], &ok, 1) != 1)
			ok = 0;
		CHECK(ok == 'y', "CLONE_VM child mapped 1 MiB of our memory");
		CHECK(t1_vmlck_kib(0) == lck0 + mib, "shared mm: VmLck %ld",
		      t1_vmlck_kib(0));
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		CHECK(WIFSIGNALED(status), "child killed by SIGKILL");
		CHECK(t1_vmlck_kib(0) == lck0, "after kill -9: VmLck %ld",
		      t1_vmlck_kib(0));
		{
			char path[64];

			snprintf(path, sizeof(path), "/dev/vfio/%d", group);
			gfd = open(path, O_RDWR);
			CHECK(gfd >= 0, "group can be opened again after kill -9");
			if (gfd >= 0)
				close(gfd);
		}
		close(p[0]);
		close(p[1]);
	}
	return 0;
}

/* ------------------------------------------------------------ othermm */

/*
 * A mapping belongs to the mm that made it (its pins, its locked_vm charge)
 * but any holder of the container fd may unmap it, as on stock 6.1 and
 * 6.12: a fork child holding the container maps its own memory and unmaps
 * the parent's; the parent unmaps the exited child's.
 */
static int cmd_othermm(int argc, char **argv)
{
	int group = atoi(argv[0]), gfd, status;
	int c = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &gfd);
	uint64_t b = (uintptr_t)t1_alloc(SZ_64K, SZ_64K), n;
	pid_t pid;

	CHECK_ERR(t1_map(c, b, SZ_1M, SZ_64K, RW), 0, "parent maps");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int bad = 0;

		/* It may map its own memory, owned by its own mm. */
		if (t1_map(c, b, 8 * SZ_1M, SZ_64K, RW))
			bad |= 1;
		n = 1;
		if (t1_unmap(c, SZ_1M, SZ_64K, 0, &n) || n != SZ_64K)
			bad |= 2;
		_exit(bad);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && !(WEXITSTATUS(status) & 1),
	      "child maps its own memory");
	CHECK(WIFEXITED(status) && !(WEXITSTATUS(status) & 2),
	      "child's unmap of the parent's mapping unmaps it");
	CHECK(iova_free(c, b, SZ_1M, SZ_4K), "parent's mapping is gone");
	n = 1;
	CHECK_ERR(t1_unmap(c, SZ_1M, SZ_64K, 0, &n), 0, "parent unmaps");
	CHECK(n == 0, "... %llu bytes (nothing left)", (unsigned long long)n);
	n = 1;
	CHECK_ERR(t1_unmap(c, 8 * SZ_1M, SZ_64K, 0, &n), 0,
		  "parent unmaps the (exited) child's mapping");
	CHECK(n == SZ_64K, "... %llu bytes", (unsigned long long)n);
	/* Closing after the child's mm is gone: no leak, no oops. */
	close(gfd);
	close(c);
	return 0;
}

/* ------------------------------------------------------------ dma */

#define EDU_BUF		0x40000ULL
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_RUN	0x1
#define EDU_CMD_TO_RAM	0x2	/* 0: RAM -> edu, 1: edu -> RAM */

struct edu {
	const char *name;
	int fd;
	uint64_t bar0, cfg;
};

static uint64_t region_offset(int dfd, unsigned int index)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	if (ioctl(dfd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		t1_die("GET_REGION_INFO %u: %m", index);
	return ri.offset;
}

static void edu_w64(struct edu *e, uint64_t reg, uint64_t v)
{
	if (pwrite(e->fd, &v, 8, e->bar0 + reg) != 8)
		t1_die("%s: BAR0 write 0x%llx: %m", e->name,
		       (unsigned long long)reg);
}

static uint64_t edu_r64(struct edu *e, uint64_t reg)
{
	uint64_t v;

	if (pread(e->fd, &v, 8, e->bar0 + reg) != 8)
		t1_die("%s: BAR0 read 0x%llx: %m", e->name,
		       (unsigned long long)reg);
	return v;
}

/* Run one edu DMA and wait (edu completes it from a 100 ms timer). */
static bool edu_dma(struct edu *e, uint64_t src, uint64_t dst, uint64_t cnt,
		    bool to_ram)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i;

	edu_w64(e, EDU_DMA_SRC, src);
	edu_w64(e, EDU_DMA_DST, dst);
	edu_w64(e, EDU_DMA_CNT, cnt);
	edu_w64(e, EDU_DMA_CMD, EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0));
	for (i = 0; i < 500; i++) {
		if (!(edu_r64(e, EDU_DMA_CMD) & EDU_CMD_RUN))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static void edu_open(struct edu *e, int gfd)
{
	uint32_t id = 0;
	uint16_t cmd;

	e->fd = get_device(gfd, e->name);
	e->bar0 = region_offset(e->fd, VFIO_PCI_BAR0_REGION_INDEX);
	e->cfg = region_offset(e->fd, VFIO_PCI_CONFIG_REGION_INDEX);
	if (pread(e->fd, &id, 4, e->bar0) != 4 || (id & 0xff) != 0xed)
		t1_die("%s: not an edu device (id 0x%x)", e->name, id);
	/* Memory decode and bus mastering. */
	if (pread(e->fd, &cmd, 2, e->cfg + 4) != 2)
		t1_die("%s: config read: %m", e->name);
	cmd |= 0x6;
	if (pwrite(e->fd, &cmd, 2, e->cfg + 4) != 2)
		t1_die("%s: config write: %m", e->name);
}

static int cmd_dma(int argc, char **argv)
{
	int groups[8] = { 0 }, gfds[8], ngroups = 0, i, j, c;
	struct edu edus[8];
	const uint64_t len = 1024;

	if (argc > 8)
		t1_die("too many devices");
	/* One group per distinct GROUP:DEV group number, in order. */
	for (i = 0; i < argc; i++) {
		int g = atoi(argv[i]);
		char *colon = strchr(argv[i], ':');

		if (!colon)
			t1_die("dma: arguments are GROUP:DEVICE");
		edus[i].name = colon + 1;
		for (j = 0; j < ngroups && groups[j] != g; j++)
			;
		if (j == ngroups)
			groups[ngroups++] = g;
	}
	c = t1_setup(groups, ngroups, VFIO_TYPE1v2_IOMMU, gfds);
	for (i = 0; i < argc; i++) {
		int g = atoi(argv[i]);

		for (j = 0; groups[j] != g; j++)
			;
		edu_open(&edus[i], gfds[j]);
	}

	for (i = 0; i < argc; i++) {
		struct edu *e = &edus[i];
		uint8_t *src = t1_alloc(SZ_4K, SZ_4K);
		uint8_t *dst = t1_alloc(SZ_4K, SZ_4K);
		uint64_t iova_src = SZ_1M * (16 + 2 * i);
		uint64_t iova_dst = iova_src + SZ_1M;
		uint64_t k;
		bool same = true, untouched = true;

		for (k = 0; k < SZ_4K; k++)
			src[k] = (uint8_t)(k * 7 + 13 * (i + 1));
		memset(dst, 0, SZ_4K);
		CHECK_ERR(t1_map(c, (uintptr_t)src, iova_src, SZ_4K, RW), 0,
			  "map the source buffer");
		CHECK_ERR(t1_map(c, (uintptr_t)dst, iova_dst, SZ_4K, RW), 0,
			  "map the destination buffer");
		/* Stay short of the end of edu's buffer (QEMU 7.2 aborts). */
		CHECK(edu_dma(e, iova_src, EDU_BUF, len, false),
		      "%s: DMA RAM -> edu completes", e->name);
		CHECK(edu_dma(e, EDU_BUF, iova_dst, len, true),
		      "%s: DMA edu -> RAM completes", e->name);
		for (k = 0; k < len; k++)
			same &= dst[k] == src[k];
		for (k = len; k < SZ_4K; k++)
			untouched &= dst[k] == 0;
		CHECK(same, "%s: %llu bytes went RAM -> device -> RAM intact",
		      e->name, (unsigned long long)len);
		CHECK(untouched, "%s: nothing written past the transfer",
		      e->name);

		/* The same DMA to an iova no longer mapped must not land. */
		CHECK_ERR(t1_unmap(c, iova_dst, SZ_4K, 0, NULL), 0,
			  "unmap the destination");
		memset(dst, 0x5a, SZ_4K);
		CHECK(edu_dma(e, EDU_BUF, iova_dst, len, true),
		      "%s: DMA edu -> unmapped iova completes", e->name);
		untouched = true;
		for (k = 0; k < SZ_4K; k++)
			untouched &= dst[k] == 0x5a;
		CHECK(untouched, "%s: DMA to the unmapped iova was blocked",
		      e->name);
		CHECK_ERR(t1_unmap(c, iova_src, SZ_4K, 0, NULL), 0,
			  "unmap the source");
		t1_free(src, SZ_4K);
		t1_free(dst, SZ_4K);
	}
	for (i = 0; i < argc; i++)
		close(edus[i].fd);
	for (i = 0; i < ngroups; i++)
		close(gfds[i]);
	close(c);
	return 0;
}

/* RAM -> edu -> RAM through already-mapped iovas; true if bytes match. */
static bool edu_round_trip(struct edu *e, uint64_t iova_src, uint8_t *src,
			   uint64_t iova_dst, uint8_t *dst, uint64_t len,
			   uint8_t seed)
{
	uint64_t k;

	for (k = 0; k < len; k++)
		src[k] = (uint8_t)(k * 3 + seed);
	memset(dst, 0, len);
	if (!edu_dma(e, iova_src, EDU_BUF, len, false) ||
	    !edu_dma(e, EDU_BUF, iova_dst, len, true))
		return false;
	return !memcmp(src, dst, len);
}

/*
 * A group joining a container that already has mappings must see them:
 * either its devices share the existing IOMMU domain, or the backend
 * replays every mapping into a new one (force it on ours with
 * domain_per_group=Y).  Joining must not charge locked_vm again, and the
 * first group keeps working after the second leaves.
 */
static int cmd_latejoin(int argc, char **argv)
{
	int g1 = atoi(argv[0]), g2 = atoi(argv[1]), gfd1, gfd2, c;
	struct edu e1 = { .name = argv[2] }, e2 = { .name = argv[3] };
	uint8_t *src = t1_alloc(SZ_64K, SZ_4K), *dst = t1_alloc(SZ_64K, SZ_4K);
	const uint64_t iova_src = 32 * SZ_1M, iova_dst = 48 * SZ_1M;
	/* skip-first: do not DMA with DEV1 (see type1-uapi.bats, 6.12). */
	bool first = !(argc > 4 && !strcmp(argv[4], "skip-first"));
	long lck;

	c = t1_setup(&g1, 1, VFIO_TYPE1v2_IOMMU, &gfd1);
	CHECK_ERR(t1_map(c, (uintptr_t)src, iova_src, SZ_64K, RW), 0,
		  "map the source before the second group joins");
	CHECK_ERR(t1_map(c, (uintptr_t)dst, iova_dst, SZ_64K, RW), 0,
		  "map the destination before the second group joins");
	edu_open(&e1, gfd1);
	if (first)
		CHECK(edu_round_trip(&e1, iova_src, src, iova_dst, dst, 1024, 1),
		      "%s: DMA round trip", e1.name);
	lck = t1_vmlck_kib(0);

	gfd2 = t1_open_group(g2);
	CHECK_ERR(t1_set_container(gfd2, c), 0, "second group joins");
	CHECK(t1_vmlck_kib(0) == lck, "joining charged no locked_vm (%ld)",
	      t1_vmlck_kib(0));
	edu_open(&e2, gfd2);
	CHECK(edu_round_trip(&e2, iova_src, src, iova_dst, dst, 1024, 2),
	      "%s: DMA round trip through the earlier mappings", e2.name);
	if (first)
		CHECK(edu_round_trip(&e1, iova_src, src, iova_dst, dst, 1024, 3),
		      "%s: still works with two groups", e1.name);

	close(e2.fd);
	close(gfd2);
	CHECK(t1_vmlck_kib(0) == lck, "second group left, pins kept (%ld)",
	      t1_vmlck_kib(0));
	if (first)
		CHECK(edu_round_trip(&e1, iova_src, src, iova_dst, dst, 1024, 4),
		      "%s: still works after the second group left", e1.name);
	close(e1.fd);
	close(gfd1);
	close(c);
	return 0;
}

/* ------------------------------------------------------------ hold */

/*
 * Map 3 buffers (4 KiB, 64 KiB, 1 MiB) and keep them until stdin reaches
 * EOF, so a test can look at the container from outside (introspection).
 */
static int cmd_hold(int argc, char **argv)
{
	int group = atoi(argv[0]), gfd;
	int c = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &gfd);
	uint64_t b = (uintptr_t)t1_alloc(SZ_1M, SZ_4K);
	char buf[64];

	(void)argc;
	CHECK_ERR(t1_map(c, b, SZ_1M, SZ_4K, RW), 0, "map 4 KiB");
	CHECK_ERR(t1_map(c, b, 2 * SZ_1M, SZ_64K, RW), 0, "map 64 KiB");
	CHECK_ERR(t1_map(c, b, 4 * SZ_1M, SZ_1M, RW), 0, "map 1 MiB");
	printf("# holding pid=%d\n", getpid());
	while (read(0, buf, sizeof(buf)) > 0)
		;
	close(gfd);
	close(c);
	return 0;
}

/* ------------------------------------------------------------ stall */

/*
 * type1-test stall GROUP MIB [BOUND_MS]: map and unmap MIB MiB of plain
 * anonymous memory while a sleeper pinned to the same CPU measures its
 * wake-up latency; with BOUND_MS, the worst latency must stay below it.
 */
static int cmd_stall(int argc, char **argv)
{
	int group = atoi(argv[0]), gfd, c, ret;
	uint64_t size = strtoull(argv[1], NULL, 0) * SZ_1M;
	int64_t bound = argc > 2 ? atoll(argv[2]) * 1000000 : 0;
	uint64_t iova = 256 * SZ_1M, b;
	int64_t lat_map, lat_unmap, t_map, t_unmap;
	long y_map, y_unmap;
	struct t1_stall *st;

	/* The sleeper and the stall measurement: type1-util.c. */
	st = t1_stall_start();
	c = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &gfd);
	b = t1_alloc_small_pages(size, false);
	lat_map = t1_stall_measure(st, c, b, iova, size, true, &t_map, &ret);
	CHECK_ERR(ret, 0, "map");
	y_map = st->yields;
	lat_unmap = t1_stall_measure(st, c, b, iova, size, false, &t_unmap,
				     &ret);
	CHECK_ERR(ret, 0, "unmap");
	y_unmap = st->yields;
	t1_stall_stop(st);

	printf("# map of %llu MiB took %lld ms, worst sleeper latency %lld ms, %ld yields\n",
	       (unsigned long long)(size / SZ_1M), (long long)(t_map / 1000000),
	       (long long)(lat_map / 1000000), y_map);
	printf("# unmap of %llu MiB took %lld ms, worst sleeper latency %lld ms, %ld yields\n",
	       (unsigned long long)(size / SZ_1M),
	       (long long)(t_unmap / 1000000),
	       (long long)(lat_unmap / 1000000), y_unmap);
	if (bound) {
		/*
		 * The sleeper wants the CPU every 1 ms: an ioctl with a
		 * schedule point every 2 MiB or 512 pages gives it up every
		 * millisecond or two (15 times in a 28 ms unmap on 6.1), one
		 * without any gives it up once or twice around its locks (the
		 * module before the chunking: 1-2 times in 29 ms).  3 plus one
		 * per 20 ms tells them apart with room for a TCG host stall
		 * of 100 ms inside the ioctl.
		 */
		CHECK(y_map >= 3 + t_map / 20000000, "MAP_DMA yielded %ld times in %lld ms (want >= 3 + 1 per 20 ms)",
		      y_map, (long long)(t_map / 1000000));
		CHECK(y_unmap >= 3 + t_unmap / 20000000, "UNMAP_DMA yielded %ld times in %lld ms (want >= 3 + 1 per 20 ms)",
		      y_unmap, (long long)(t_unmap / 1000000));
		CHECK(lat_map < bound, "MAP_DMA: worst latency %lld ms < %lld ms (map took %lld ms)",
		      (long long)(lat_map / 1000000), (long long)(bound / 1000000),
		      (long long)(t_map / 1000000));
		CHECK(lat_unmap < bound, "UNMAP_DMA: worst latency %lld ms < %lld ms (unmap took %lld ms)",
		      (long long)(lat_unmap / 1000000), (long long)(bound / 1000000),
		      (long long)(t_unmap / 1000000));
	}
	t1_free((void *)(uintptr_t)b, size);
	close(gfd);
	close(c);
	return 0;
}

/* ------------------------------------------------------------ p2p */

/* BAR0 of @e mapped MAP_SHARED with @prot; its size in *@size. */
static void *edu_mmap_bar0(struct edu *e, int prot, size_t *size)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = 0 };
	void *p;

	if (ioctl(e->fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		t1_die("%s: GET_REGION_INFO 0: %m", e->name);
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_MMAP))
		t1_die("%s: BAR0 cannot be mmapped", e->name);
	p = mmap(NULL, ri.size, prot, MAP_SHARED, e->fd, ri.offset);
	if (p == MAP_FAILED)
		t1_die("%s: mmap BAR0: %m", e->name);
	*size = ri.size;
	return p;
}

/* DMA 4 bytes from @iova into edu's buffer, then out to @ram at @ram_iova. */
static bool edu_fetch32(struct edu *e, uint64_t iova, volatile uint32_t *ram,
			uint64_t ram_iova, uint32_t *val)
{
	*ram = 0;
	if (!edu_dma(e, iova, EDU_BUF, 4, false) ||
	    !edu_dma(e, EDU_BUF, ram_iova, 4, true))
		return false;
	*val = *ram;
	return true;
}

/*
 * Peer-to-peer: MAP_DMA of a vfio-pci BAR mmap (VM_PFNMAP) maps the BAR's
 * pfns without pinning or charging locked_vm.  GROUP:DEV is the DMA master
 * in the container under test; GROUP2:DEV2 (another group, so another
 * container) owns the BAR.  With "dma", the master reads the target's ID
 * and liveness registers by DMA through the IOMMU.
 */
static int cmd_p2p(int argc, char **argv)
{
	int g1 = atoi(argv[0]), g2 = atoi(argv[1]), gfd1, gfd2, c1, c2;
	struct edu m = { .name = strchr(argv[0], ':') },
		   t = { .name = strchr(argv[1], ':') };
	/* edu DMA addresses are 28 bits: stay below 256 MiB. */
	const uint64_t P = 64 * SZ_1M, Q = 96 * SZ_1M, R = 128 * SZ_1M;
	bool dma = argc > 2 && !strcmp(argv[2], "dma");
	size_t bsz, osz;
	uint64_t n;
	uint8_t *bar, *obar, *ro, *hole;
	long lck0;

	if (!m.name || !t.name)
		t1_die("p2p: arguments are GROUP:DEV GROUP2:DEV2 [dma]");
	m.name++;
	t.name++;
	c1 = t1_setup(&g1, 1, VFIO_TYPE1v2_IOMMU, &gfd1);
	c2 = t1_setup(&g2, 1, VFIO_TYPE1v2_IOMMU, &gfd2);
	edu_open(&m, gfd1);
	edu_open(&t, gfd2);
	bar = edu_mmap_bar0(&t, PROT_READ | PROT_WRITE, &bsz);
	obar = edu_mmap_bar0(&m, PROT_READ | PROT_WRITE, &osz);
	lck0 = t1_vmlck_kib(0);
	printf("# BAR0 %zu bytes, VmLck at start: %ld kB\n", bsz, lck0);

	CHECK_ERR(t1_map(c1, (uintptr_t)bar, P, bsz, RW), 0,
		  "MAP_DMA of another device's BAR0 mmap (before any access)");
	CHECK(t1_vmlck_kib(0) == lck0, "VmLck unchanged (%ld kB)",
	      t1_vmlck_kib(0));
	CHECK_ERR(t1_map(c1, (uintptr_t)obar, Q, osz, RW), 0,
		  "MAP_DMA of the master's own BAR0 mmap");
	CHECK(t1_vmlck_kib(0) == lck0, "VmLck unchanged (%ld kB)",
	      t1_vmlck_kib(0));
	CHECK_ERR(t1_map(c1, (uintptr_t)bar, P + bsz, bsz, RW), 0,
		  "the same BAR mapped a second time at another iova");
	n = 0;
	CHECK_ERR(t1_unmap(c1, P + bsz, bsz, 0, &n), 0, "unmap it");
	CHECK(n == bsz, "... %llu bytes", (unsigned long long)n);

	if (dma) {
		volatile uint32_t *ram = t1_alloc(SZ_4K, SZ_4K);
		uint32_t id = 0, v = 0, want;
		long lck;

		CHECK_ERR(t1_map(c1, (uintptr_t)ram, R, SZ_4K, RW), 0,
			  "map a RAM buffer");
		lck = t1_vmlck_kib(0);
		CHECK(lck == lck0 + 4, "the RAM page is charged (%ld kB)", lck);
		want = *(volatile uint32_t *)bar;
		CHECK(edu_fetch32(&m, P, ram, R, &id),
		      "%s: DMA from %s's BAR0 iova completes", m.name, t.name);
		CHECK(id == want, "... read the ID register 0x%08x (want 0x%08x)",
		      id, want);
		*(volatile uint32_t *)(bar + 4) = 0x12345678;
		CHECK(edu_fetch32(&m, P + 4, ram, R, &v),
		      "%s: DMA of the liveness register completes", m.name);
		CHECK(v == ~0x12345678u,
		      "... read 0x%08x, the complement of what was written", v);
		CHECK_ERR(t1_unmap(c1, R, SZ_4K, 0, NULL), 0, "unmap the RAM");
		t1_free((void *)ram, SZ_4K);
	}

	/* A read-only mmap can back a read-only mapping, not a writable one. */
	ro = mmap(NULL, bsz, PROT_READ, MAP_SHARED, t.fd,
		  region_offset(t.fd, VFIO_PCI_BAR0_REGION_INDEX));
	if (ro == MAP_FAILED)
		t1_die("read-only mmap of BAR0: %m");
	CHECK_ERR(t1_map(c1, (uintptr_t)ro, P + bsz, bsz, RW), -EFAULT,
		  "writable MAP_DMA of a read-only BAR mmap");
	CHECK_ERR(t1_map(c1, (uintptr_t)ro, P + bsz, bsz,
			 VFIO_DMA_MAP_FLAG_READ), 0,
		  "read-only MAP_DMA of a read-only BAR mmap");
	CHECK_ERR(t1_unmap(c1, P + bsz, bsz, 0, NULL), 0, "unmap it");
	munmap(ro, bsz);

	/* A range running past the end of the BAR mapping. */
	hole = mmap(NULL, 2 * bsz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	if (hole == MAP_FAILED ||
	    mmap(hole, bsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 t.fd, region_offset(t.fd, VFIO_PCI_BAR0_REGION_INDEX)) !=
	    hole)
		t1_die("BAR mmap at a fixed address: %m");
	munmap(hole + bsz, bsz);
	CHECK_ERR(t1_map(c1, (uintptr_t)hole, P + bsz, 2 * bsz, RW), -EFAULT,
		  "MAP_DMA of a BAR mmap and the unmapped range after it");
	{
		void *probe = t1_alloc(2 * bsz, SZ_4K);

		CHECK(iova_free(c1, (uintptr_t)probe, P + bsz, 2 * bsz),
		      "... left nothing mapped");
		t1_free(probe, 2 * bsz);
	}
	munmap(hole, bsz);

	/* Nothing follows the vma: the mapping outlives munmap and close. */
	munmap(bar, bsz);
	close(t.fd);
	n = 0;
	CHECK_ERR(t1_unmap(c1, P, bsz, 0, &n), 0,
		  "unmap after the BAR was munmapped and its device closed");
	CHECK(n == bsz, "... %llu bytes", (unsigned long long)n);
	n = 0;
	CHECK_ERR(t1_unmap(c1, Q, osz, 0, &n), 0, "unmap the own BAR");
	CHECK(n == osz, "... %llu bytes", (unsigned long long)n);
	CHECK(t1_vmlck_kib(0) == lck0, "VmLck back at start (%ld kB)",
	      t1_vmlck_kib(0));

	/* Map again and let close tear it down. */
	CHECK_ERR(t1_map(c1, (uintptr_t)obar, Q, osz, RW), 0,
		  "map the own BAR again");
	munmap(obar, osz);
	close(m.fd);
	close(gfd1);
	close(c1);
	close(gfd2);
	close(c2);
	return 0;
}

/* ------------------------------------------------------------ vaddr */

#define VADDR	VFIO_DMA_MAP_FLAG_VADDR
#define UVADDR	VFIO_DMA_UNMAP_FLAG_VADDR

/* A shared memfd of @size mapped at a new address. */
static uint8_t *memfd_map(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		t1_die("mmap memfd: %m");
	return p;
}

/*
 * VFIO_UPDATE_VADDR as QEMU's live update uses it: invalidate the vaddr of
 * a mapping of shared memory, map that memory elsewhere (or in a new
 * process), give the mapping its new vaddr; the device kept reaching the
 * same pages throughout, and locked_vm follows the owner.
 */
static int cmd_vaddr(int argc, char **argv)
{
	int group = atoi(argv[0]), gfd, c, fd, status, p[2];
	struct edu e = { .name = strchr(argv[0], ':') };
	const uint64_t A = SZ_1M, B = 4 * SZ_1M, D = 8 * SZ_1M;
	uint8_t *a, *b, *dst = t1_alloc(SZ_64K, SZ_4K);
	long lck0, lck;
	uint64_t n;
	pid_t pid;
	size_t k;

	(void)argc;
	if (!e.name)
		t1_die("vaddr: argument is GROUP:DEV");
	e.name++;
	c = t1_open_container();
	printf("# CHECK_EXTENSION(UPDATE_VADDR) before SET_IOMMU: %d\n",
	       ioctl(c, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR));
	gfd = t1_open_group(group);
	CHECK_ERR(t1_set_container(gfd, c), 0, "SET_CONTAINER");
	CHECK_ERR(t1_set_iommu(c, VFIO_TYPE1v2_IOMMU), 0, "SET_IOMMU(TYPE1v2)");
	CHECK(ioctl(c, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR) == 1,
	      "CHECK_EXTENSION(UPDATE_VADDR) == 1 after SET_IOMMU");
	edu_open(&e, gfd);

	fd = memfd_create("vaddr", 0);
	if (fd < 0 || ftruncate(fd, SZ_1M))
		t1_die("memfd: %m");
	a = memfd_map(fd, SZ_1M);
	b = t1_alloc(SZ_1M, SZ_4K);
	lck0 = t1_vmlck_kib(0);
	CHECK_ERR(t1_map(c, (uintptr_t)a, A, SZ_1M, RW), 0, "map 1 MiB memfd at A");
	CHECK_ERR(t1_map(c, (uintptr_t)b, B, SZ_1M, RW), 0, "map 1 MiB anon at B");
	CHECK_ERR(t1_map(c, (uintptr_t)dst, D, SZ_64K, RW), 0, "map 64 KiB at D");
	lck = t1_vmlck_kib(0);
	CHECK(lck == lck0 + 2048 + 64, "VmLck +2112 kB (%ld)", lck - lck0);

	/* errnos */
	CHECK_ERR(t1_map(c, (uintptr_t)a, A, SZ_1M, VADDR | RW), -EINVAL,
		  "MAP_DMA VADDR|READ|WRITE");
	CHECK_ERR(t1_map(c, (uintptr_t)a, A, SZ_1M, VADDR), -EINVAL,
		  "MAP_DMA VADDR of a mapping whose vaddr is valid");
	CHECK_ERR(t1_map(c, (uintptr_t)a, 16 * SZ_1M, SZ_1M, VADDR), -ENOENT,
		  "MAP_DMA VADDR where nothing is mapped");
	CHECK_ERR(t1_map(c, (uintptr_t)a + 1, A, SZ_1M, VADDR), -EINVAL,
		  "MAP_DMA VADDR, unaligned vaddr");
	CHECK_ERR(t1_unmap(c, A, SZ_1M,
			   UVADDR | VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, NULL),
		  -EINVAL, "UNMAP_DMA VADDR|GET_DIRTY_BITMAP");
	CHECK_ERR(t1_unmap(c, A + SZ_4K, SZ_4K, UVADDR, NULL), -EINVAL,
		  "UNMAP_DMA VADDR bisecting a mapping (v2)");

	/* invalidate B, then A..D: A is invalidated, B fails, A restored */
	n = 0;
	CHECK_ERR(t1_unmap(c, B, SZ_1M, UVADDR, &n), 0, "UNMAP_DMA VADDR of B");
	CHECK(n == SZ_1M, "... reports %llu bytes", (unsigned long long)n);
	CHECK_ERR(t1_unmap(c, B, SZ_1M, UVADDR, NULL), -EINVAL,
		  "UNMAP_DMA VADDR of B again");
	CHECK_ERR(t1_unmap(c, A, D - A, UVADDR, NULL), -EINVAL,
		  "UNMAP_DMA VADDR of A..B, B already invalid");
	CHECK_ERR(t1_map(c, (uintptr_t)a, A, SZ_1M, VADDR), -EINVAL,
		  "... A's vaddr was left valid");
	CHECK_ERR(t1_map(c, (uintptr_t)b, B, SZ_1M, RW), -EEXIST,
		  "MAP_DMA over B, whose vaddr is invalid: EEXIST");
	CHECK_ERR(t1_map(c, (uintptr_t)b, B, SZ_64K, VADDR), -EINVAL,
		  "MAP_DMA VADDR of B with another size");
	CHECK(t1_vmlck_kib(0) == lck, "invalid vaddr: still pinned (%ld kB)",
	      t1_vmlck_kib(0) - lck0);
	CHECK_ERR(t1_map(c, (uintptr_t)b, B, SZ_1M, VADDR), 0,
		  "MAP_DMA VADDR of B");
	CHECK_ERR(t1_map(c, (uintptr_t)b, B, SZ_1M, VADDR), -EINVAL,
		  "MAP_DMA VADDR of B again");

	/* Live update of A: the device keeps reaching the memfd pages. */
	CHECK_ERR(t1_unmap(c, A, SZ_1M, UVADDR, NULL), 0, "UNMAP_DMA VADDR of A");
	munmap(a, SZ_1M);
	a = memfd_map(fd, SZ_1M);
	for (k = 0; k < 1024; k++)
		a[k] = (uint8_t)(k * 5 + 1);
	memset(dst, 0, 1024);
	CHECK(edu_dma(&e, A, EDU_BUF, 1024, false) &&
	      edu_dma(&e, EDU_BUF, D, 1024, true),
	      "%s: DMA from A while its vaddr is invalid completes", e.name);
	CHECK(!memcmp(a, dst, 1024), "... and read the memfd's pages");
	CHECK_ERR(t1_map(c, (uintptr_t)a, A, SZ_1M, VADDR), 0,
		  "MAP_DMA VADDR of A at the memfd's new address");

	/* Invalidate everything, then a forked child takes A over. */
	n = 0;
	CHECK_ERR(t1_unmap(c, 0, 0, UVADDR | VFIO_DMA_UNMAP_FLAG_ALL, &n), 0,
		  "UNMAP_DMA VADDR|ALL");
	CHECK(n == 2 * SZ_1M + SZ_64K, "... reports %llu bytes",
	      (unsigned long long)n);
	CHECK_ERR(t1_map(c, (uintptr_t)b, B, SZ_1M, VADDR), 0,
		  "MAP_DMA VADDR of B");
	CHECK_ERR(t1_map(c, (uintptr_t)dst, D, SZ_64K, VADDR), 0,
		  "MAP_DMA VADDR of D");
	if (pipe(p))
		t1_die("pipe: %m");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		long before = t1_vmlck_kib(0), after;
		char r;

		if (t1_map(c, (uintptr_t)a, A, SZ_1M, VADDR))
			_exit(1);
		after = t1_vmlck_kib(0);
		if (after != before + 1024)
			_exit(2);
		/* Stay alive until the parent has looked. */
		close(p[1]);
		if (read(p[0], &r, 1) < 0)
			_exit(3);
		_exit(0);
	}
	close(p[0]);
	/* Wait for the child's map: poll the parent's VmLck. */
	for (k = 0; k < 500 && t1_vmlck_kib(0) != lck - 1024; k++)
		usleep(10000);
	CHECK(t1_vmlck_kib(0) == lck - 1024,
	      "the child's MAP_DMA VADDR moved A's 1 MiB charge off us (%ld kB)",
	      t1_vmlck_kib(0) - lck0);
	close(p[1]);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "child: MAP_DMA VADDR from its mm, charged there (status %d)",
	      WIFEXITED(status) ? WEXITSTATUS(status) : -1);

	/* A plain unmap of an invalid mapping works and uncharges. */
	CHECK_ERR(t1_unmap(c, B, SZ_1M, UVADDR, NULL), 0, "invalidate B");
	n = 0;
	CHECK_ERR(t1_unmap(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &n), 0,
		  "UNMAP_DMA ALL");
	CHECK(n == 2 * SZ_1M + SZ_64K, "... %llu bytes", (unsigned long long)n);
	CHECK(t1_vmlck_kib(0) == lck0, "VmLck back at start (%ld kB)",
	      t1_vmlck_kib(0) - lck0);
	CHECK_ERR(t1_map(c, (uintptr_t)b, B, SZ_1M, RW), 0,
		  "B can be mapped again");
	CHECK_ERR(t1_unmap(c, B, SZ_1M, UVADDR, NULL), 0,
		  "and invalidated, then closed with an invalid vaddr");
	close(e.fd);
	close(gfd);
	close(c);
	close(fd);
	return 0;
}

/* ------------------------------------------------------------ nesting */

/*
 * VFIO_TYPE1_NESTING_IOMMU: what CHECK_EXTENSION says, and what SET_IOMMU
 * does with it on this IOMMU (printed; with WANT, checked: 0 or an errno
 * name's number).  If it succeeds, the container maps with v2 semantics.
 */
static int cmd_nesting(int argc, char **argv)
{
	int group = atoi(argv[0]), gfd, c = t1_open_container(), r;
	void *b = t1_alloc(SZ_64K, SZ_4K);

	r = ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1_NESTING_IOMMU);
	printf("# CHECK_EXTENSION(NESTING) before SET_IOMMU: %d\n", r);
	CHECK(r == 1, "CHECK_EXTENSION(TYPE1_NESTING) == 1 before SET_IOMMU");
	gfd = t1_open_group(group);
	CHECK_ERR(t1_set_container(gfd, c), 0, "SET_CONTAINER");
	r = t1_set_iommu(c, VFIO_TYPE1_NESTING_IOMMU);
	printf("# SET_IOMMU(NESTING): %d (%s)\n", r, r ? strerror(-r) : "ok");
	if (argc > 1)
		CHECK(r == -atoi(argv[1]), "SET_IOMMU(TYPE1_NESTING) gives %d",
		      -atoi(argv[1]));
	if (r) {
		CHECK_ERR(t1_set_iommu(c, VFIO_TYPE1v2_IOMMU), 0,
			  "then SET_IOMMU(TYPE1v2) works");
	} else {
		CHECK(ioctl(c, VFIO_CHECK_EXTENSION,
			    VFIO_TYPE1_NESTING_IOMMU) == 1,
		      "CHECK_EXTENSION(TYPE1_NESTING) == 1 after it");
		CHECK_ERR(t1_map(c, (uintptr_t)b, SZ_1M, SZ_64K, RW), 0,
			  "map 64 KiB");
		CHECK_ERR(t1_unmap(c, SZ_1M + SZ_4K, SZ_4K, 0, NULL), -EINVAL,
			  "bisecting unmap: EINVAL (v2 semantics)");
		CHECK_ERR(t1_unmap(c, SZ_1M, SZ_64K, 0, NULL), 0, "unmap");
	}
	close(gfd);
	close(c);
	return 0;
}

/* ------------------------------------------------------------ dirty */

static int dirty_pages(int c, uint32_t flags)
{
	struct vfio_iommu_type1_dirty_bitmap d = {
		.argsz = sizeof(d), .flags = flags,
	};

	return ioctl(c, VFIO_IOMMU_DIRTY_PAGES, &d) ? -errno : 0;
}

static int dirty_get(int c, uint64_t iova, uint64_t size, uint64_t pgsize,
		     uint64_t *bits, uint64_t bytes, uint32_t argsz_cut)
{
	struct {
		struct vfio_iommu_type1_dirty_bitmap d;
		struct vfio_iommu_type1_dirty_bitmap_get g;
	} __attribute__((packed)) r = {
		.d = { .argsz = sizeof(r) - argsz_cut,
		       .flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP },
		.g = { .iova = iova, .size = size,
		       .bitmap = { .pgsize = pgsize, .size = bytes,
				   .data = (void *)bits } },
	};

	return ioctl(c, VFIO_IOMMU_DIRTY_PAGES, &r) ? -errno : 0;
}

static int unmap_dirty(int c, uint64_t iova, uint64_t size, uint32_t flags,
		       uint64_t pgsize, uint64_t *bits, uint64_t bytes,
		       uint32_t argsz_cut, uint64_t *unmapped)
{
	struct {
		struct vfio_iommu_type1_dma_unmap u;
		struct vfio_bitmap b;
	} __attribute__((packed)) r = {
		.u = { .argsz = sizeof(r) - argsz_cut,
		       .flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | flags,
		       .iova = iova, .size = size },
		.b = { .pgsize = pgsize, .size = bytes, .data = (void *)bits },
	};

	if (ioctl(c, VFIO_IOMMU_UNMAP_DMA, &r))
		return -errno;
	if (unmapped)
		*unmapped = r.u.size;
	return 0;
}

#define PAT	0xa5a5a5a5a5a5a5a5ULL

/*
 * Dirty-page tracking: errnos, GET_INFO's migration cap, and the bitmap
 * layout (every page of a mapping is dirty: no device reports dirtying).
 */
static int cmd_dirty(int argc, char **argv)
{
	int group = atoi(argv[0]), gfd, c, i;
	struct vfio_iommu_type1_info_cap_migration *mig;
	struct vfio_iommu_type1_info *info;
	uint8_t *a = t1_alloc(SZ_1M, SZ_4K);
	uint64_t bits[16], n, want[16];
	uint32_t argsz = 4096;
	const uint64_t A = SZ_1M, B = SZ_1M + 128 * 1024, C = 4 * SZ_1M;
	const uint32_t START = VFIO_IOMMU_DIRTY_PAGES_FLAG_START;
	const uint32_t STOP = VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP;
	/*
	 * Stock 6.1 and 6.12 keep stale bits after copying out a mapping that starts
	 * inside a word (its bitmap is shifted in place and only nbits are
	 * cleared): later reports of it over-report.  "exact" checks ours.
	 */
	bool exact = argc > 1 && !strcmp(argv[1], "exact");

	/* v1 has no dirty tracking */
	c = t1_setup(&group, 1, VFIO_TYPE1_IOMMU, &gfd);
	CHECK_ERR(dirty_pages(c, START), -EACCES, "v1: DIRTY_PAGES START");
	close(gfd);
	close(c);

	c = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &gfd);
	info = calloc(1, argsz);
	info->argsz = argsz;
	CHECK(ioctl(c, VFIO_IOMMU_GET_INFO, info) == 0, "GET_INFO");
	mig = (void *)cap_find(info, argsz, info->cap_offset,
			       VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION);
	CHECK(mig && info->cap_offset &&
	      (void *)mig == (char *)info + info->cap_offset,
	      "the migration cap comes first in the chain");
	if (mig) {
		printf("# migration cap: version %u flags 0x%x pgsize_bitmap 0x%llx max_dirty_bitmap_size 0x%llx\n",
		       mig->header.version, mig->flags,
		       (unsigned long long)mig->pgsize_bitmap,
		       (unsigned long long)mig->max_dirty_bitmap_size);
		CHECK(mig->header.version == 1 && mig->flags == 0 &&
		      mig->pgsize_bitmap == SZ_4K &&
		      mig->max_dirty_bitmap_size == 0x10000000ULL,
		      "migration cap: version 1, flags 0, 4 KiB, 256 MiB bitmaps");
	}
	free(info);

	/* DIRTY_PAGES errnos */
	CHECK_ERR(dirty_pages(c, 0), -EINVAL, "DIRTY_PAGES flags 0");
	CHECK_ERR(dirty_pages(c, START | STOP), -EINVAL,
		  "DIRTY_PAGES START|STOP");
	CHECK_ERR(dirty_pages(c, 1u << 3), -EINVAL, "DIRTY_PAGES unknown flag");
	{
		struct vfio_iommu_type1_dirty_bitmap d = {
			.argsz = sizeof(d) - 1, .flags = START,
		};

		CHECK(ioctl(c, VFIO_IOMMU_DIRTY_PAGES, &d) == -1 &&
		      errno == EINVAL, "DIRTY_PAGES short argsz: EINVAL");
	}
	CHECK_ERR(t1_map(c, (uintptr_t)a, A, 64 * 1024, RW), 0, "map 64 KiB at A");
	CHECK_ERR(t1_map(c, (uintptr_t)a, B, 16 * 1024, RW), 0, "map 16 KiB at B");
	CHECK_ERR(t1_map(c, (uintptr_t)a, C, SZ_4K, RW), 0, "map 4 KiB at C");
	CHECK_ERR(dirty_get(c, A, C + SZ_4K - A, SZ_4K, bits, sizeof(bits), 0),
		  -EINVAL, "GET_BITMAP before START");
	CHECK_ERR(unmap_dirty(c, C, SZ_4K, 0, SZ_4K, bits, 8, 0, NULL), -EINVAL,
		  "UNMAP_DMA GET_DIRTY_BITMAP before START");
	CHECK_ERR(dirty_pages(c, STOP), 0, "STOP when not started");
	CHECK_ERR(dirty_pages(c, START), 0, "START");
	CHECK_ERR(dirty_pages(c, START), 0, "START again");

	/* GET_BITMAP errnos */
	CHECK_ERR(dirty_get(c, A, C + SZ_4K - A, 2 * SZ_4K, bits, sizeof(bits), 0),
		  -EINVAL, "GET_BITMAP pgsize 8 KiB");
	CHECK_ERR(dirty_get(c, A + SZ_4K, SZ_4K, SZ_4K, bits, 8, 0), -EINVAL,
		  "GET_BITMAP bisecting a mapping");
	CHECK_ERR(dirty_get(c, A, 100, SZ_4K, bits, 8, 0), -EINVAL,
		  "GET_BITMAP unaligned size");
	CHECK_ERR(dirty_get(c, A, 0, SZ_4K, bits, 8, 0), -EINVAL,
		  "GET_BITMAP size 0");
	CHECK_ERR(dirty_get(c, A, C + SZ_4K - A, SZ_4K, bits, 8, 0), -EINVAL,
		  "GET_BITMAP bitmap too small");
	CHECK_ERR(dirty_get(c, A, C + SZ_4K - A, SZ_4K, bits, sizeof(bits), 1),
		  -EINVAL, "GET_BITMAP argsz short of the range");

	/* Layout: A bits 0-15, B bits 32-35 (ORed in), C bit 768. */
	for (i = 0; i < 16; i++)
		bits[i] = want[i] = PAT;
	want[0] = 0x0000000f0000ffffULL;
	want[12] = 0x1;
	CHECK_ERR(dirty_get(c, A, C + SZ_4K - A, SZ_4K, bits, sizeof(bits), 0),
		  0, "GET_BITMAP of A..C");
	for (i = 0; i < 16; i++)
		printf("# bitmap[%d] = 0x%016llx\n", i,
		       (unsigned long long)bits[i]);
	CHECK(!memcmp(bits, want, sizeof(bits)),
	      "every mapped page dirty; words no mapping covers untouched");
	for (i = 0; i < 16; i++)
		bits[i] = 0;
	CHECK_ERR(dirty_get(c, A, C + SZ_4K - A, SZ_4K, bits, sizeof(bits), 0),
		  0, "GET_BITMAP again");
	printf("# again: 0x%llx 0x%llx\n", (unsigned long long)bits[0],
	       (unsigned long long)bits[12]);
	if (exact)
		CHECK(bits[0] == 0x0000000f0000ffffULL && bits[12] == 1,
	      "... all still dirty (0x%llx, 0x%llx)",
	      (unsigned long long)bits[0], (unsigned long long)bits[12]);
	bits[0] = PAT;
	CHECK_ERR(dirty_get(c, B, 16 * 1024, SZ_4K, bits, 8, 0), 0,
		  "GET_BITMAP of B alone");
	printf("# B alone: 0x%llx\n", (unsigned long long)bits[0]);
	if (exact)
		CHECK(bits[0] == 0xf, "... bits 0-3, the rest cleared (0x%llx)",
	      (unsigned long long)bits[0]);

	/* UNMAP_DMA with the bitmap */
	CHECK_ERR(unmap_dirty(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, SZ_4K, bits,
			      8, 0, NULL), -EINVAL, "GET_DIRTY_BITMAP|ALL");
	CHECK_ERR(unmap_dirty(c, C, SZ_4K, VFIO_DMA_UNMAP_FLAG_VADDR, SZ_4K,
			      bits, 8, 0, NULL), -EINVAL,
		  "GET_DIRTY_BITMAP|VADDR");
	CHECK_ERR(unmap_dirty(c, C, SZ_4K, 0, SZ_4K, bits, 8, 1, NULL), -EINVAL,
		  "GET_DIRTY_BITMAP, argsz short of the bitmap");
	CHECK_ERR(unmap_dirty(c, C, SZ_4K, 0, 2 * SZ_4K, bits, 8, 0, NULL),
		  -EINVAL, "GET_DIRTY_BITMAP pgsize 8 KiB");
	CHECK_ERR(unmap_dirty(c, A, 64 * 1024, 0, SZ_4K, bits, 0, 0, NULL),
		  -EINVAL, "GET_DIRTY_BITMAP of size 0");
	bits[0] = PAT;
	bits[1] = PAT;
	n = 0;
	CHECK_ERR(unmap_dirty(c, A, 64 * 1024, 0, SZ_4K, bits, 16, 0, &n), 0,
		  "UNMAP_DMA A with GET_DIRTY_BITMAP");
	CHECK(n == 64 * 1024 && bits[0] == 0xffff && bits[1] == PAT,
	      "... %llu bytes, bitmap 0x%llx 0x%llx", (unsigned long long)n,
	      (unsigned long long)bits[0], (unsigned long long)bits[1]);
	bits[0] = 0;
	CHECK_ERR(unmap_dirty(c, A, C + SZ_4K - A, 0, SZ_4K, bits, 8, 0, &n),
		  -EINVAL, "UNMAP_DMA B..C with a too small bitmap");
	for (i = 0; i < 16; i++)
		bits[i] = 0;
	CHECK_ERR(unmap_dirty(c, A, C + SZ_4K - A, 0, SZ_4K, bits,
			      sizeof(bits), 0, &n), 0,
		  "UNMAP_DMA of A..C with GET_DIRTY_BITMAP");
	printf("# B..C: 0x%llx 0x%llx\n", (unsigned long long)bits[0],
	       (unsigned long long)bits[12]);
	CHECK(n == 16 * 1024 + SZ_4K && (!exact || bits[0] == 0xf00000000ULL) &&
	      bits[12] == 1, "... %llu bytes, B and C dirty", (unsigned long long)n);

	CHECK_ERR(dirty_pages(c, STOP), 0, "STOP");
	CHECK_ERR(dirty_pages(c, STOP), 0, "STOP again");
	CHECK_ERR(t1_map(c, (uintptr_t)a, A, SZ_4K, RW), 0, "map at A");
	CHECK_ERR(dirty_get(c, A, SZ_4K, SZ_4K, bits, 8, 0), -EINVAL,
		  "GET_BITMAP after STOP");
	CHECK_ERR(unmap_dirty(c, A, SZ_4K, 0, SZ_4K, bits, 8, 0, NULL), -EINVAL,
		  "UNMAP_DMA GET_DIRTY_BITMAP after STOP");
	close(gfd);
	close(c);
	return 0;
}

/* ------------------------------------------------------------ main */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	int min_args;
} cmds[] = {
	{ "ext", cmd_ext, 1 },
	{ "info", cmd_info, 1 },
	{ "map", cmd_map, 1 },
	{ "unmap", cmd_unmap, 2 },
	{ "unmap-all", cmd_unmap_all, 1 },
	{ "limit", cmd_limit, 2 },
	{ "memlock", cmd_memlock, 1 },
	{ "lockedvm", cmd_lockedvm, 1 },
	{ "othermm", cmd_othermm, 1 },
	{ "dma", cmd_dma, 1 },
	{ "hold", cmd_hold, 1 },
	{ "latejoin", cmd_latejoin, 4 },
	{ "stall", cmd_stall, 2 },
	{ "p2p", cmd_p2p, 2 },
	{ "vaddr", cmd_vaddr, 1 },
	{ "nesting", cmd_nesting, 1 },
	{ "dirty", cmd_dirty, 1 },
};

int main(int argc, char **argv)
{
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (argc - 2 < cmds[i].min_args)
			break;
		cmds[i].fn(argc - 2, argv + 2);
		printf("1..%d\n", t1_count);
		return t1_failures ? 1 : 0;
	}
	fprintf(stderr, "usage: type1-test ext|info|map|unmap|unmap-all|limit|"
		"memlock|lockedvm|othermm|dma|hold|latejoin|stall|p2p|vaddr|nesting|dirty ARGS (see the source)\n");
	return 2;
}
