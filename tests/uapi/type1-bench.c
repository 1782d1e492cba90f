// SPDX-License-Identifier: GPL-2.0-only
/*
 * type1-bench - MAP_DMA + UNMAP_DMA costs of a type1 backend.
 *
 *   type1-bench GROUP [REPS [PART...]]
 *
 * PARTs (default: all, in this order; each prints its own lines):
 *
 *   sizes  map+unmap of one THP-backed buffer (MADV_HUGEPAGE, 2 MiB
 *          aligned) at 4 KiB, 16 KiB ... 1 GiB (powers of 4, and 2 MiB):
 *            bench mem=thp size=BYTES iters=N ops_per_s=X mib_per_s=X map_us=X unmap_us=X
 *   nothp  the same for 64 MiB of 4 KiB pages (MADV_NOHUGEPAGE) faulted in a
 *          scrambled order, so physically scattered: one pinned run and
 *          one IOMMU entry per page, as guest RAM without THP:
 *            bench mem=4k size=67108864 iters=N ops_per_s=X ...
 *   live   per-operation cost against the number of live mappings: N 4 KiB
 *          mappings (N = 1, 4, 16 ... 65536, distinct pages, a 4 KiB hole
 *          between neighbours so nothing can merge), then 64 map+unmap
 *          probes of 4 KiB in the holes spread over the range:
 *            bench live=N probe_ns=X build_ns=X [teardown_ns=X]
 *          build_ns: per map while growing to N; teardown_ns (last N only):
 *          per mapping, unmapping all of them in one UNMAP_DMA.  Stops
 *          early (and says "live_stop=N errno=E") if the backend refuses a
 *          mapping: type1's dma_entry_limit is 65535 by default;
 *          type1-bench.bats raises it to 131072 on both stacks.
 *   stall  the longest stretch without a schedule point during the MAP_DMA
 *          and the UNMAP_DMA of 1 GiB of 4 KiB pages (type1-util.c's
 *          t1_stall_*: a sleeper on the same CPU, its worst overshoot;
 *          medians over REPS map/unmap pairs):
 *            bench stall size=BYTES map_ms=X unmap_ms=X map_lat_us=X unmap_lat_us=X
 *                        map_yields=N unmap_yields=N
 *          (yields: the mapper's involuntary switches during the ioctl)
 *
 * Times are medians over REPS (default 7) repetitions.  One "op" is one map
 * plus its unmap.  Buffers are touched before the first map, so page faults
 * are not measured; pinning is.  A "bench info" line reports how much of
 * the THP buffer the kernel gave as huge pages.
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "type1-util.h"

#define RW	(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)
#define IOVA	0x40000000ULL
#define LIVE_IOVA	0x100000000ULL
#define MAXREPS	31
#define SZ_1G	(1ULL << 30)

static double now_us(void)
{
	return t1_now_ns() / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* AnonHugePages of this process, KiB (-1 if unknown). */
static long anon_huge_kib(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* REPS repetitions of ITERS map+unmap pairs of [buf, buf + size). */
static void map_unmap(int c, uint8_t *buf, const char *mem, uint64_t size,
		      int iters, int reps)
{
	double tot[MAXREPS], tmap[MAXREPS], tunmap[MAXREPS], t;
	int r, i, ret;

	/* Warm-up: first-touch costs of the page tables. */
	ret = t1_map(c, (uintptr_t)buf, IOVA, size, RW);
	if (ret || t1_unmap(c, IOVA, size, 0, NULL))
		t1_die("warm-up map of %llu: %s", (unsigned long long)size,
		       strerror(-ret));
	for (r = 0; r < reps; r++) {
		double m = 0, u = 0, t0, t1, t2, start = now_us();

		for (i = 0; i < iters; i++) {
			t0 = now_us();
			ret = t1_map(c, (uintptr_t)buf, IOVA, size, RW);
			t1 = now_us();
			if (ret)
				t1_die("map %llu: %s", (unsigned long long)size,
				       strerror(-ret));
			ret = t1_unmap(c, IOVA, size, 0, NULL);
			t2 = now_us();
			if (ret)
				t1_die("unmap: %s", strerror(-ret));
			m += t1 - t0;
			u += t2 - t1;
		}
		/* One span per repetition: a TCG stall hits one rep. */
		tot[r] = (now_us() - start) / iters;
		tmap[r] = m / iters;
		tunmap[r] = u / iters;
	}
	t = median(tot, reps);
	printf("bench mem=%s size=%llu iters=%d ops_per_s=%.1f mib_per_s=%.1f "
	       "map_us=%.1f unmap_us=%.1f\n", mem, (unsigned long long)size,
	       iters, 1e6 / t, (double)size / (1 << 20) * 1e6 / t,
	       median(tmap, reps), median(tunmap, reps));
	fflush(stdout);
}

static void part_sizes(int c, int reps)
{
	static const struct {
		uint64_t size;
		int iters;	/* map+unmap pairs per repetition */
	} sizes[] = {
		{ 4096, 2048 },
		{ 16384, 2048 },
		{ 65536, 1024 },
		{ 262144, 512 },
		{ 1ULL << 20, 256 },
		{ 2ULL << 20, 256 },
		{ 4ULL << 20, 64 },
		{ 16ULL << 20, 16 },
		{ 64ULL << 20, 8 },
		{ 256ULL << 20, 4 },
		{ SZ_1G, 1 },
	};
	uint8_t *buf = t1_alloc(SZ_1G, 2u << 20);
	long huge;
	size_t i;

	for (i = 0; i < SZ_1G / 4096; i++)
		buf[i * 4096] = (uint8_t)i;
	huge = anon_huge_kib();
	printf("bench info thp_buffer_kib=%llu anon_huge_kib=%ld\n",
	       SZ_1G >> 10, huge);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		map_unmap(c, buf, "thp", sizes[i].size, sizes[i].iters, reps);
	t1_free(buf, SZ_1G);
}

static void part_nothp(int c, int reps)
{
	const uint64_t size = 64ULL << 20;
	uint8_t *buf = (uint8_t *)(uintptr_t)t1_alloc_small_pages(size, true);

	map_unmap(c, buf, "4k", size, 2, reps);
	munmap(buf, size);
}

static void part_live(int c, int reps)
{
	const int maxn = 65536, probes = 64;
	uint8_t *buf = t1_alloc((size_t)maxn * 4096, 2u << 20);
	int n = 0, target, r, j, ret;
	double t0;

	for (target = 1; target <= maxn; target *= 4) {
		double build, probe[MAXREPS];
		int prev = n;

		t0 = now_us();
		for (; n < target; n++) {
			ret = t1_map(c, (uintptr_t)buf + (uint64_t)n * 4096,
				     LIVE_IOVA + (uint64_t)n * 8192, 4096, RW);
			if (ret) {
				printf("bench live_stop=%d errno=%d\n", n, -ret);
				goto out;
			}
		}
		build = (now_us() - t0) * 1e3 / (target - prev);
		for (r = 0; r < reps; r++) {
			t0 = now_us();
			for (j = 0; j < probes; j++) {
				/* the hole after mapping k, k spread over [0, n) */
				uint64_t k = (uint64_t)j * n / probes;
				uint64_t iova = LIVE_IOVA + k * 8192 + 4096;

				ret = t1_map(c, (uintptr_t)buf, iova, 4096, RW);
				if (ret) {
					printf("bench live_stop=%d errno=%d\n",
					       n, -ret);
					goto out;
				}
				if (t1_unmap(c, iova, 4096, 0, NULL))
					t1_die("probe unmap");
			}
			probe[r] = (now_us() - t0) * 1e3 / probes;
		}
		printf("bench live=%d probe_ns=%.0f build_ns=%.0f", n,
		       median(probe, reps), build);
		if (target * 4 > maxn) {
			t0 = now_us();
			ret = t1_unmap(c, LIVE_IOVA, (uint64_t)n * 8192, 0,
				       NULL);
			if (ret)
				t1_die("unmap of %d mappings: %s", n,
				       strerror(-ret));
			printf(" teardown_ns=%.0f", (now_us() - t0) * 1e3 / n);
			n = 0;
		}
		printf("\n");
		fflush(stdout);
	}
out:
	if (n && t1_unmap(c, LIVE_IOVA, (uint64_t)n * 8192, 0, NULL))
		t1_die("unmap of %d mappings", n);
	t1_free(buf, (size_t)maxn * 4096);
}

static void part_stall(int c, int reps)
{
	const uint64_t size = SZ_1G;
	double tmap[MAXREPS], tunmap[MAXREPS], lmap[MAXREPS], lunmap[MAXREPS];
	double ymap[MAXREPS], yunmap[MAXREPS];
	struct t1_stall *st = t1_stall_start();
	uint64_t b = t1_alloc_small_pages(size, false);
	int64_t lat, t;
	int ret, r;

	/*
	 * Medians over REPS: a sample is a worst case within one ioctl, so
	 * one stall of the TCG host (the vCPU thread descheduled) would
	 * otherwise be the sample.
	 */
	for (r = 0; r < reps; r++) {
		lat = t1_stall_measure(st, c, b, IOVA, size, true, &t, &ret);
		if (ret)
			t1_die("stall: map of 1 GiB: %s", strerror(-ret));
		tmap[r] = t / 1e6;
		lmap[r] = lat / 1e3;
		ymap[r] = st->yields;
		lat = t1_stall_measure(st, c, b, IOVA, size, false, &t, &ret);
		if (ret)
			t1_die("stall: unmap of 1 GiB: %s", strerror(-ret));
		tunmap[r] = t / 1e6;
		lunmap[r] = lat / 1e3;
		yunmap[r] = st->yields;
	}
	t1_stall_stop(st);
	printf("bench stall size=%llu map_ms=%.1f unmap_ms=%.1f "
	       "map_lat_us=%.0f unmap_lat_us=%.0f map_yields=%.0f unmap_yields=%.0f\n",
	       (unsigned long long)size, median(tmap, reps),
	       median(tunmap, reps), median(lmap, reps), median(lunmap, reps),
	       median(ymap, reps), median(yunmap, reps));
	fflush(stdout);
	munmap((void *)(uintptr_t)b, size);
}

int main(int argc, char **argv)
{
	static const char *const all[] = { "sizes", "nothp", "live", "stall" };
	const char *const *parts = all;
	int nparts = 4, group, gfd, c, reps, p;

	if (argc < 2) {
		fprintf(stderr, "usage: type1-bench GROUP [REPS [sizes|nothp|live|stall...]]\n");
		return 2;
	}
	group = atoi(argv[1]);
	reps = argc > 2 ? atoi(argv[2]) : 7;
	if (reps < 1 || reps > MAXREPS)
		t1_die("REPS must be 1..%d", MAXREPS);
	if (argc > 3) {
		parts = (const char *const *)argv + 3;
		nparts = argc - 3;
	}
	c = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &gfd);
	for (p = 0; p < nparts; p++) {
		if (!strcmp(parts[p], "sizes"))
			part_sizes(c, reps);
		else if (!strcmp(parts[p], "nothp"))
			part_nothp(c, reps);
		else if (!strcmp(parts[p], "live"))
			part_live(c, reps);
		else if (!strcmp(parts[p], "stall"))
			part_stall(c, reps);
		else
			t1_die("unknown part %s", parts[p]);
	}
	close(gfd);
	close(c);
	return 0;
}
