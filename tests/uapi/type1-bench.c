// SPDX-License-Identifier: GPL-2.0-only
/*
 * type1-bench - MAP_DMA + UNMAP_DMA throughput of a type1 backend.
 *
 *   type1-bench GROUP [REPS]
 *
 * For 4 KiB, 2 MiB, 64 MiB and 256 MiB, maps and unmaps one buffer (THP
 * backed where the kernel gives huge pages) repeatedly and prints, per size,
 * the median over REPS (default 7) repetitions:
 *
 *   bench size=BYTES ops_per_s=N mib_per_s=N map_us=N unmap_us=N
 *
 * One "op" is one map plus its unmap.  The buffer is touched before the
 * first map, so page faults are not measured; pinning is.
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "type1-util.h"

#define RW	(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)
#define IOVA	0x40000000ULL
#define MAXREPS	31

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
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

int main(int argc, char **argv)
{
	static const struct {
		uint64_t size;
		int iters;	/* map+unmap pairs per repetition */
	} sizes[] = {
		{ 4096, 2048 },
		{ 2ULL << 20, 256 },
		{ 64ULL << 20, 8 },
		{ 256ULL << 20, 4 },
	};
	const uint64_t maxsz = 256ULL << 20;
	int group, gfd, c, reps, s, r, i, ret;
	uint8_t *buf;

	if (argc < 2) {
		fprintf(stderr, "usage: type1-bench GROUP [REPS]\n");
		return 2;
	}
	group = atoi(argv[1]);
	reps = argc > 2 ? atoi(argv[2]) : 7;
	if (reps < 1 || reps > MAXREPS)
		t1_die("REPS must be 1..%d", MAXREPS);
	c = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &gfd);
	buf = t1_alloc(maxsz, 2u << 20);
	for (i = 0; i < (int)(maxsz / 4096); i++)
		buf[(size_t)i * 4096] = (uint8_t)i;

	for (s = 0; s < (int)(sizeof(sizes) / sizeof(sizes[0])); s++) {
		double tot[MAXREPS], tmap[MAXREPS], tunmap[MAXREPS];
		uint64_t size = sizes[s].size;
		int iters = sizes[s].iters;

		/* Warm-up: first-touch costs of the page tables. */
		ret = t1_map(c, (uintptr_t)buf, IOVA, size, RW);
		if (ret || t1_unmap(c, IOVA, size, 0, NULL))
			t1_die("warm-up map of %llu: %s",
			       (unsigned long long)size, strerror(-ret));
		for (r = 0; r < reps; r++) {
			double m = 0, u = 0, t0, t1, t2, start = now_us();

			for (i = 0; i < iters; i++) {
				t0 = now_us();
				ret = t1_map(c, (uintptr_t)buf, IOVA, size, RW);
				t1 = now_us();
				if (ret)
					t1_die("map %llu: %s",
					       (unsigned long long)size,
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
		{
			double t = median(tot, reps);

			printf("bench size=%llu ops_per_s=%.1f mib_per_s=%.1f "
			       "map_us=%.1f unmap_us=%.1f\n",
			       (unsigned long long)size, 1e6 / t,
			       (double)size / (1 << 20) * 1e6 / t,
			       median(tmap, reps), median(tunmap, reps));
		}
	}
	close(gfd);
	close(c);
	return 0;
}
