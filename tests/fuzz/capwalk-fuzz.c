// SPDX-License-Identifier: GPL-2.0-only
/*
 * capwalk-fuzz.c - libFuzzer target for vfio-pci's capability walker
 * (kmod/pci/vfio_pci_capwalk.c).  The input is a config space (zero
 * padded to 4096 bytes; 256-byte space if the input is that short or
 * less); the walker runs with the kernel's policy and with a permissive
 * one, and the result must satisfy, or abort():
 *  - every exposed capability is aligned, inside its space (std 0x40..0xff,
 *    ext 0x100..size-1), no longer than its ID's table, and its ID has one;
 *  - the map holds its ID over exactly its bytes, the header is BASIC, the
 *    placeholder VIRT, everything else FREE (so no two overlap), and the
 *    start bitmap marks exactly the exposed starts;
 *  - the user-visible links form the exposed list in order, ending in 0.
 * AddressSanitizer catches any read outside the snapshot or the result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vfio_pci_capwalk.h"

static struct vfio_capwalk w;
static u8 cfg[VFIO_CAPWALK_EXT_SIZE];

#define check(c) do { if (!(c)) abort(); } while (0)

static void kernel_policy(struct vfio_capwalk_policy *p)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->std_max[0x01] = 8;
	p->std_max[0x02] = 256;
	p->std_max[0x05] = 24;
	p->std_max[0x07] = 256;
	p->std_max[0x09] = 256;
	p->std_max[0x10] = VFIO_CAPWALK_EXP_V2_LEN;
	p->std_max[0x11] = 12;
	p->std_max[0x13] = 6;
	p->std_unique = ~(1U << 0x09);
	p->std_pin[0x05] = 0x50;
	for (i = 1; i < VFIO_CAPWALK_EXT_NIDS; i++)
		p->ext_max[i] = 0x40;
}

static void open_policy(struct vfio_capwalk_policy *p)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < VFIO_CAPWALK_STD_NIDS; i++)
		p->std_max[i] = 0xffff;
	for (i = 0; i < VFIO_CAPWALK_EXT_NIDS; i++)
		p->ext_max[i] = 0xffff;
}

static void verify(const struct vfio_capwalk_policy *p, unsigned int size)
{
	static u8 map[VFIO_CAPWALK_EXT_SIZE];
	static u8 start[VFIO_CAPWALK_EXT_SIZE / 8];
	unsigned int i;

	check(w.size == size);
	check(w.nstd <= VFIO_CAPWALK_MAX_STD && w.next <= VFIO_CAPWALK_MAX_EXT);
	memset(map, VFIO_CAPWALK_MAP_FREE, sizeof(map));
	memset(map, VFIO_CAPWALK_MAP_BASIC, VFIO_CAPWALK_STD_START);
	memset(start, 0, sizeof(start));

	check(w.std_head == (w.nstd ? w.std[0].pos : 0));
	for (i = 0; i < w.nstd; i++) {
		const struct vfio_capwalk_cap *c = &w.std[i];

		check(c->pos >= VFIO_CAPWALK_STD_START && !(c->pos % 4));
		check(c->id > 0 && c->id < VFIO_CAPWALK_STD_NIDS);
		check(c->len >= 2 && c->len <= p->std_max[c->id]);
		check(c->pos + c->len <= VFIO_CAPWALK_STD_SIZE);
		check(c->next == (i + 1 < w.nstd ? w.std[i + 1].pos : 0));
		check(cfg[c->pos] == c->id);
		memset(map + c->pos, c->id, c->len);
		start[c->pos / 8] |= 1U << (c->pos % 8);
	}
	if (size == VFIO_CAPWALK_STD_SIZE) {
		check(!w.next && !w.ext_placeholder);
	} else {
		check(w.ext_placeholder || w.next);
		check(w.ext_head == (w.next ? w.ext[0].pos : 0));
		if (w.ext_placeholder) {
			check(!w.next || w.ext[0].pos != VFIO_CAPWALK_STD_SIZE);
			memset(map + VFIO_CAPWALK_STD_SIZE,
			       VFIO_CAPWALK_MAP_VIRT, 4);
		}
	}
	for (i = 0; i < w.next; i++) {
		const struct vfio_capwalk_cap *c = &w.ext[i];

		check(c->pos >= VFIO_CAPWALK_STD_SIZE && !(c->pos % 4));
		check(c->id > 0 && c->id < VFIO_CAPWALK_EXT_NIDS);
		check(c->len >= 4 && c->len <= p->ext_max[c->id]);
		check(c->pos + c->len <= size);
		check(c->next == (i + 1 < w.next ? w.ext[i + 1].pos : 0));
		check((cfg[c->pos] | cfg[c->pos + 1] << 8) == c->id);
		/* no overlap with anything claimed before */
		for (unsigned int j = 0; j < c->len; j++)
			check(map[c->pos + j] == VFIO_CAPWALK_MAP_FREE);
		memset(map + c->pos, c->id, c->len);
		start[c->pos / 8] |= 1U << (c->pos % 8);
	}
	/* the std caps were filled without an overlap check: count bytes */
	{
		unsigned int claimed = 0, sum = 0;

		for (i = VFIO_CAPWALK_STD_START; i < VFIO_CAPWALK_STD_SIZE; i++)
			claimed += map[i] != VFIO_CAPWALK_MAP_FREE;
		for (i = 0; i < w.nstd; i++)
			sum += w.std[i].len;
		check(claimed == sum);
	}
	check(!memcmp(map, w.map, size));
	check(!memcmp(start, w.start, size / 8));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct vfio_capwalk_policy p;
	unsigned int size = len > VFIO_CAPWALK_STD_SIZE ? VFIO_CAPWALK_EXT_SIZE :
							 VFIO_CAPWALK_STD_SIZE;

	if (len > sizeof(cfg))
		len = sizeof(cfg);
	memset(cfg, 0, sizeof(cfg));
	memcpy(cfg, data, len);

	kernel_policy(&p);
	check(vfio_capwalk(cfg, size, &p, &w) == 0);
	verify(&p, size);
	open_policy(&p);
	check(vfio_capwalk(cfg, size, &p, &w) == 0);
	verify(&p, size);
	return 0;
}
