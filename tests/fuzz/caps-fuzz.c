// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * caps-fuzz - libFuzzer target for the capability-chain walker.  The input
 * is a reply as the kernel would write it: byte 0 picks the fixed-struct
 * size, bytes 1-4 the first cap offset, the rest is the reply.  Every cap
 * the walker hands out is read to its last byte, so an avail that lies
 * shows up under AddressSanitizer; every walk must end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libvfioctl-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static int touch(const struct vfio_info_cap_header *hdr, size_t avail,
		 void *arg)
{
	const uint8_t *p = (const uint8_t *)hdr;
	size_t i;

	for (i = 0; i < avail; i++)
		sink ^= p[i];
	++*(unsigned int *)arg;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t bases[] = { 16, 24, 32 };
	struct vfio_region_sparse_mmap_area *areas;
	struct vfio_iova_range *ranges;
	unsigned int visits = 0;
	uint32_t first, n, i;
	size_t base, len, avail;
	const void *cap;
	uint8_t *buf;
	uint16_t id;

	if (size < 5)
		return 0;
	base = bases[data[0] % 3];
	memcpy(&first, data + 1, 4);
	len = size - 5;
	/* An exact-size heap copy, so reading one byte too far is caught. */
	buf = malloc(len ? len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 5, len);

	if (cap_walk(buf, len, base, first, touch, &visits) == 0 &&
	    visits > len / sizeof(struct vfio_info_cap_header))
		abort();	/* more caps than could fit: a loop */
	for (id = 0; id < 5; id++)
		if (cap_find(buf, len, base, first, id, 8, &cap, &avail) == 0)
			touch(cap, avail, &visits);
	if (cap_sparse_mmap(buf, len, base, first, &areas, &n) == 0) {
		for (i = 0; i < n; i++)
			sink ^= (uint8_t)(areas[i].offset + areas[i].size);
		free(areas);
	}
	if (cap_iova_ranges(buf, len, base, first, &ranges, &n) == 0) {
		for (i = 0; i < n; i++)
			if (ranges[i].start > ranges[i].end)
				abort();
		free(ranges);
	}
	free(buf);
	return 0;
}
