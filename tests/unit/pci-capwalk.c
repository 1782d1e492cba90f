// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci-capwalk.c - host unit tests of vfio-pci's capability walker
 * (kmod/pci/vfio_pci_capwalk.c, built here in userspace) on crafted config
 * spaces.  Each test checks the exact result: the exposed capabilities in
 * chain order (offset, length, ID, next as the user sees it), the head
 * pointer, and every byte of the map and of the start bitmap.  TAP.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfio_pci_capwalk.h"

#define FREE	VFIO_CAPWALK_MAP_FREE
#define VIRT	VFIO_CAPWALK_MAP_VIRT

static u8 cfg[4096];
static struct vfio_capwalk w;
static struct vfio_capwalk_policy pol;
static int failed, ntest;

/* The kernel's policy, as vfio_pci_config.c builds it. */
static void default_policy(void)
{
	unsigned int i;

	memset(&pol, 0, sizeof(pol));
	pol.std_max[0x01] = 8;		/* PM */
	pol.std_max[0x02] = 256;	/* AGP */
	pol.std_max[0x05] = 24;		/* MSI */
	pol.std_max[0x07] = 256;	/* PCI-X */
	pol.std_max[0x09] = 256;	/* vendor */
	pol.std_max[0x10] = VFIO_CAPWALK_EXP_V2_LEN;
	pol.std_max[0x11] = 12;		/* MSI-X */
	pol.std_max[0x13] = 6;		/* AF */
	pol.std_unique = ~(1U << 0x09);
	for (i = 1; i < VFIO_CAPWALK_EXT_NIDS; i++)
		pol.ext_max[i] = 0xf00;
}

static void reset_cfg(int with_list)
{
	memset(cfg, 0, sizeof(cfg));
	cfg[0] = 0x86;
	cfg[1] = 0x80;
	if (with_list)
		cfg[6] = 0x10;
}

/* a standard capability; extra bytes (from offset 2) follow */
static void std_cap(unsigned int pos, u8 id, u8 next, int n, ...)
{
	va_list ap;
	int i;

	cfg[pos] = id;
	cfg[pos + 1] = next;
	va_start(ap, n);
	for (i = 0; i < n; i++)
		cfg[pos + 2 + i] = (u8)va_arg(ap, int);
	va_end(ap);
}

static void put32(unsigned int pos, u32 v)
{
	cfg[pos] = v;
	cfg[pos + 1] = v >> 8;
	cfg[pos + 2] = v >> 16;
	cfg[pos + 3] = v >> 24;
}

static void ext_cap(unsigned int pos, u16 id, unsigned int next)
{
	put32(pos, id | 1U << 16 | (u32)next << 20);
}

struct exp {
	unsigned int pos, len, id, next;
};

/* print a failure and remember it; returns 1 so checks can chain */
static int fail(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return 1;
}

/*
 * Compare the result with the expected std/ext lists; the map must be
 * BASIC for 0..0x3f, the ID over each listed capability, VIRT over the
 * placeholder (0x100..0x103) if placeholder, FREE everywhere else.
 */
static int check(unsigned int size, u8 head, const struct exp *s, unsigned int ns,
		 int placeholder, unsigned int ehead, const struct exp *e,
		 unsigned int ne)
{
	u8 map[4096], start[512];
	unsigned int i, j;
	int bad = 0;

	if (w.size != size)
		return fail("size %u, expected %u", w.size, size);
	if (w.std_head != head)
		bad |= fail("std_head 0x%x, expected 0x%x", w.std_head, head);
	if (w.nstd != ns)
		return fail("%u standard caps, expected %u", w.nstd, ns);
	if (w.next != ne)
		return fail("%u extended caps, expected %u", w.next, ne);
	if (!!w.ext_placeholder != !!placeholder)
		bad |= fail("placeholder %d, expected %d", w.ext_placeholder,
			    placeholder);
	if (w.ext_head != ehead)
		bad |= fail("ext_head 0x%x, expected 0x%x", w.ext_head, ehead);

	memset(map, FREE, sizeof(map));
	memset(map, 0, 0x40);
	memset(start, 0, sizeof(start));
	for (i = 0; i < ns + ne; i++) {
		const struct exp *x = i < ns ? &s[i] : &e[i - ns];
		const struct vfio_capwalk_cap *c = i < ns ? &w.std[i] :
							    &w.ext[i - ns];

		if (c->pos != x->pos || c->len != x->len || c->id != x->id ||
		    c->next != x->next)
			bad |= fail("cap %u: 0x%x+%u id 0x%x next 0x%x, expected 0x%x+%u id 0x%x next 0x%x",
				    i, c->pos, c->len, c->id, c->next,
				    x->pos, x->len, x->id, x->next);
		memset(map + x->pos, x->id, x->len);
		start[x->pos / 8] |= 1U << (x->pos % 8);
	}
	if (placeholder)
		memset(map + 0x100, VIRT, 4);
	for (j = 0; j < size; j++) {
		if (w.map[j] != map[j]) {
			bad |= fail("map[0x%x] = 0x%x, expected 0x%x", j,
				    w.map[j], map[j]);
			break;
		}
	}
	for (j = 0; j < size; j++) {
		if (vfio_capwalk_is_start(w.start, j) !=
		    !!(start[j / 8] & (1U << (j % 8)))) {
			bad |= fail("start bit at 0x%x wrong", j);
			break;
		}
	}
	return bad;
}

static void result(int bad, const char *name)
{
	ntest++;
	if (bad)
		failed++;
	printf("%sok %d - %s\n", bad ? "not " : "", ntest, name);
}

static int walk(unsigned int size)
{
	return vfio_capwalk(cfg, size, &pol, &w);
}

/* ------------------------------------------------------------------ tests */

static int t_good_chain(void)
{
	static const struct exp s[] = {
		{ 0x40, 8, 0x01, 0x50 },
		{ 0x50, 24, 0x05, 0x70 },	/* 64-bit, maskable */
		{ 0x70, 0x34, 0x10, 0xb0 },	/* PCIe v2 endpoint */
		{ 0xb0, 12, 0x11, 0xc0 },
		{ 0xc0, 0x10, 0x09, 0 },
	};

	reset_cfg(1);
	cfg[0x34] = 0x40;
	std_cap(0x40, 0x01, 0x50, 0);
	std_cap(0x50, 0x05, 0x70, 2, 0x80, 0x01);
	std_cap(0x70, 0x10, 0xb0, 2, 0x02, 0x00);
	std_cap(0xb0, 0x11, 0xc0, 0);
	std_cap(0xc0, 0x09, 0x00, 1, 0x10);
	return walk(256) || check(256, 0x40, s, 5, 0, 0, NULL, 0) ||
	       w.std_hidden || w.std_loop;
}

static int t_no_cap_list(void)
{
	reset_cfg(0);		/* status bit clear: the pointer is ignored */
	cfg[0x34] = 0x40;
	std_cap(0x40, 0x01, 0x00, 0);
	return walk(256) || check(256, 0, NULL, 0, 0, 0, NULL, 0);
}

static int t_id_zero(void)
{
	static const struct exp s[] = { { 0x50, 8, 0x01, 0 } };

	reset_cfg(1);
	cfg[0x34] = 0x40;
	std_cap(0x40, 0x00, 0x50, 0);
	std_cap(0x50, 0x01, 0x00, 0);
	return walk(256) || check(256, 0x50, s, 1, 0, 0, NULL, 0) ||
	       w.std_hidden != 1;
}

static int t_id_above_table(void)
{
	static const struct exp s[] = { { 0x60, 12, 0x11, 0 } };

	reset_cfg(1);
	cfg[0x34] = 0x40;
	std_cap(0x40, 0xfe, 0x48, 0);	/* far above any table */
	std_cap(0x48, 0x20, 0x50, 0);	/* first ID past the table */
	std_cap(0x50, 0x15, 0x60, 0);	/* in range, no permission table */
	std_cap(0x60, 0x11, 0x00, 0);
	return walk(256) || check(256, 0x60, s, 1, 0, 0, NULL, 0) ||
	       w.std_hidden != 3;
}

static int t_loop(void)
{
	static const struct exp s[] = {
		{ 0x40, 8, 0x01, 0x50 },
		{ 0x50, 12, 0x11, 0 },		/* the link back is cut */
	};

	reset_cfg(1);
	cfg[0x34] = 0x40;
	std_cap(0x40, 0x01, 0x50, 0);
	std_cap(0x50, 0x11, 0x40, 0);
	return walk(256) || check(256, 0x40, s, 2, 0, 0, NULL, 0) ||
	       !w.std_loop;
}

static int t_loop_through_hidden(void)
{
	static const struct exp s[] = { { 0x40, 8, 0x01, 0 } };

	reset_cfg(1);
	cfg[0x34] = 0x40;
	std_cap(0x40, 0x01, 0x80, 0);
	std_cap(0x80, 0x33, 0x80, 0);	/* hidden, and points at itself */
	return walk(256) || check(256, 0x40, s, 1, 0, 0, NULL, 0) ||
	       !w.std_loop;
}

static int t_self_loop(void)
{
	static const struct exp s[] = { { 0x40, 8, 0x01, 0 } };

	reset_cfg(1);
	cfg[0x34] = 0x40;
	std_cap(0x40, 0x01, 0x40, 0);
	return walk(256) || check(256, 0x40, s, 1, 0, 0, NULL, 0) ||
	       !w.std_loop;
}

static int t_into_header(void)
{
	static const struct exp s[] = { { 0x40, 8, 0x01, 0 } };

	reset_cfg(1);
	cfg[0x34] = 0x10;	/* the list starts inside the header */
	std_cap(0x40, 0x01, 0x00, 0);
	if (walk(256) || check(256, 0, NULL, 0, 0, 0, NULL, 0))
		return 1;
	cfg[0x34] = 0x40;
	cfg[0x41] = 0x3c;	/* next points into the header */
	return walk(256) || check(256, 0x40, s, 1, 0, 0, NULL, 0);
}

static int t_unaligned_pointer(void)
{
	static const struct exp s[] = { { 0x40, 8, 0x01, 0x50 },
					{ 0x50, 12, 0x11, 0 } };

	reset_cfg(1);
	cfg[0x34] = 0x43;	/* low two bits are reserved: ignored */
	std_cap(0x40, 0x01, 0x52, 0);
	std_cap(0x50, 0x11, 0x00, 0);
	return walk(256) || check(256, 0x40, s, 2, 0, 0, NULL, 0);
}

static int t_runs_off_end(void)
{
	static const struct exp s[] = { { 0x40, 8, 0x01, 0 } };

	reset_cfg(1);
	cfg[0x34] = 0x40;
	std_cap(0x40, 0x01, 0xfc, 0);
	std_cap(0xfc, 0x09, 0xf8, 1, 0x08);	/* vendor, 8 bytes at 0xfc */
	std_cap(0xf8, 0x11, 0x00, 0);		/* MSI-X: 12 bytes at 0xf8 */
	return walk(256) || check(256, 0x40, s, 1, 0, 0, NULL, 0) ||
	       w.std_hidden != 2;
}

static int t_overlap(void)
{
	static const struct exp s[] = {
		{ 0x40, 0x34, 0x10, 0x80 },	/* 0x40..0x73 */
		{ 0x80, 12, 0x11, 0 },
	};

	reset_cfg(1);
	cfg[0x34] = 0x40;
	std_cap(0x40, 0x10, 0x60, 2, 0x02, 0x00);
	std_cap(0x60, 0x01, 0x70, 0);	/* inside the PCIe capability */
	std_cap(0x70, 0x09, 0x80, 1, 0x08);	/* straddles its end */
	std_cap(0x80, 0x11, 0x00, 0);
	return walk(256) || check(256, 0x40, s, 2, 0, 0, NULL, 0) ||
	       w.std_hidden != 2;
}

static int t_vendor_lengths(void)
{
	static const struct exp s1[] = { { 0x40, 0xc0, 0x09, 0 } };
	static const struct exp s2[] = { { 0x80, 8, 0x01, 0 } };

	/* length 0 and 2 are hidden, 255 runs past 0x100 */
	reset_cfg(1);
	cfg[0x34] = 0x40;
	std_cap(0x40, 0x09, 0x50, 1, 0x00);
	std_cap(0x50, 0x09, 0x60, 1, 0x02);
	std_cap(0x60, 0x09, 0x80, 1, 0xff);
	std_cap(0x80, 0x01, 0x00, 0);
	if (walk(256) || check(256, 0x80, s2, 1, 0, 0, NULL, 0) ||
	    w.std_hidden != 3)
		return 1;
	/* a vendor capability that ends exactly at 0x100 is fine */
	reset_cfg(1);
	cfg[0x34] = 0x40;
	std_cap(0x40, 0x09, 0x00, 1, 0xc0);
	return walk(256) || check(256, 0x40, s1, 1, 0, 0, NULL, 0);
}

static int t_abutting_same_id(void)
{
	static const struct exp s[] = {
		{ 0x40, 0x10, 0x09, 0x50 },
		{ 0x50, 0x10, 0x09, 0 },
	};

	/* virtio-style back-to-back vendor capabilities keep two starts */
	reset_cfg(1);
	cfg[0x34] = 0x40;
	std_cap(0x40, 0x09, 0x50, 1, 0x10);
	std_cap(0x50, 0x09, 0x00, 1, 0x10);
	return walk(256) || check(256, 0x40, s, 2, 0, 0, NULL, 0);
}

static int t_unique_and_pin(void)
{
	static const struct exp s[] = { { 0x40, 10, 0x05, 0x60 },
					{ 0x60, 12, 0x11, 0 } };
	static const struct exp s2[] = { { 0x50, 14, 0x05, 0 } };
	int bad;

	/* a second MSI capability could not share the first's table */
	reset_cfg(1);
	cfg[0x34] = 0x40;
	std_cap(0x40, 0x05, 0x50, 2, 0x00, 0x00);
	std_cap(0x50, 0x05, 0x60, 2, 0x80, 0x01);
	std_cap(0x60, 0x11, 0x00, 0);
	if (walk(256) || check(256, 0x40, s, 2, 0, 0, NULL, 0))
		return 1;
	/* pinned where the host found it */
	pol.std_pin[0x05] = 0x50;
	std_cap(0x50, 0x05, 0x00, 2, 0x80, 0x00);
	bad = walk(256) || check(256, 0x50, s2, 1, 0, 0, NULL, 0);
	pol.std_pin[0x05] = 0;
	return bad;
}

static int t_longer_than_table(void)
{
	static const struct exp s[] = { { 0x80, 8, 0x01, 0 } };
	int bad;

	reset_cfg(1);
	cfg[0x34] = 0x40;
	std_cap(0x40, 0x10, 0x80, 2, 0x02, 0x00);	/* 0x34 bytes */
	std_cap(0x80, 0x01, 0x00, 0);
	pol.std_max[0x10] = 0x14;
	bad = walk(256) || check(256, 0x80, s, 1, 0, 0, NULL, 0);
	pol.std_max[0x10] = VFIO_CAPWALK_EXP_V2_LEN;
	return bad;
}

static int t_ext_good(void)
{
	static const struct exp e[] = {
		{ 0x100, 0x2c, 0x01, 0x140 },
		{ 0x140, 8, 0x0e, 0x160 },
		{ 0x160, 0x40, 0x10, 0x200 },
		{ 0x200, 0x18, 0x0b, 0 },
	};

	reset_cfg(0);
	ext_cap(0x100, 0x01, 0x140);
	ext_cap(0x140, 0x0e, 0x160);
	ext_cap(0x160, 0x10, 0x200);
	ext_cap(0x200, 0x0b, 0);
	put32(0x204, 0x018 << 20 | 0x0001);	/* VSEC length 0x18 */
	return walk(4096) || check(4096, 0, NULL, 0, 0, 0x100, e, 4) ||
	       w.ext_hidden || w.ext_loop;
}

static int t_ext_loop(void)
{
	static const struct exp e[] = {
		{ 0x100, 0x2c, 0x01, 0x140 },
		{ 0x140, 12, 0x03, 0 },
	};

	reset_cfg(0);
	ext_cap(0x100, 0x01, 0x140);
	ext_cap(0x140, 0x03, 0x100);
	return walk(4096) || check(4096, 0, NULL, 0, 0, 0x100, e, 2) ||
	       !w.ext_loop;
}

static int t_ext_self_loop_first_hidden(void)
{
	int bad;

	reset_cfg(0);
	ext_cap(0x100, 0x3f, 0x100);	/* no table, points at itself */
	pol.ext_max[0x3f] = 0;
	bad = walk(4096);
	pol.ext_max[0x3f] = 0xf00;
	return bad || check(4096, 0, NULL, 0, 1, 0, NULL, 0) || !w.ext_loop;
}

static int t_ext_at_end(void)
{
	static const struct exp e[] = {
		{ 0x100, 8, 0x0e, 0xff8 },
		{ 0xff8, 8, 0x18, 0 },		/* ends exactly at 0x1000 */
	};

	reset_cfg(0);
	ext_cap(0x100, 0x0e, 0xffc);
	ext_cap(0xffc, 0x03, 0xff8);	/* DSN: 12 bytes at 0xffc */
	ext_cap(0xff8, 0x18, 0);	/* LTR: the header only overlaps 0xffc's */
	if (walk(4096))
		return 1;
	/* 0xff8 overlaps nothing exposed: the DSN at 0xffc was hidden */
	if (check(4096, 0, NULL, 0, 0, 0x100, e, 2) || w.ext_hidden != 1)
		return 1;
	/* REBAR at 0xffc: its control register (pos + 8) is out of range */
	ext_cap(0xffc, 0x15, 0);
	ext_cap(0x100, 0x0e, 0xffc);
	return walk(4096) || w.next != 1 || w.ext_hidden != 1 ||
	       w.map[0xffc] != FREE;
}

static int t_ext_all_ones(void)
{
	reset_cfg(0);
	put32(0x100, 0xffffffff);
	return walk(4096) || check(4096, 0, NULL, 0, 1, 0, NULL, 0);
}

static int t_ext_empty(void)
{
	reset_cfg(0);
	return walk(4096) || check(4096, 0, NULL, 0, 1, 0, NULL, 0);
}

static int t_ext_first_hidden(void)
{
	static const struct exp e[] = { { 0x140, 0x40, 0x10, 0 } };

	reset_cfg(0);
	ext_cap(0x100, 0x00, 0x120);	/* ID 0 */
	ext_cap(0x120, 0x30, 0x140);	/* above the table */
	ext_cap(0x140, 0x10, 0);
	return walk(4096) || check(4096, 0, NULL, 0, 1, 0x140, e, 1) ||
	       w.ext_hidden != 2;
}

static int t_ext_placeholder_chain(void)
{
	static const struct exp e[] = {
		{ 0x104, 8, 0x0e, 0x110 },	/* right after the placeholder */
		{ 0x110, 0x2c, 0x01, 0x180 },
		{ 0x180, 8, 0x0e, 0 },		/* its link back to 0x100 is cut */
	};
	int bad;

	reset_cfg(0);
	ext_cap(0x100, 0x3f, 0x104);	/* hidden: placeholder at 0x100 */
	ext_cap(0x104, 0x0e, 0x110);
	ext_cap(0x110, 0x01, 0x180);
	ext_cap(0x180, 0x0e, 0x100);
	pol.ext_max[0x3f] = 0;
	bad = walk(4096);
	pol.ext_max[0x3f] = 0xf00;
	return bad || check(4096, 0, NULL, 0, 1, 0x104, e, 3) ||
	       !w.ext_loop || w.ext_hidden != 1;
}

static int t_ext_into_std(void)
{
	static const struct exp e[] = { { 0x100, 8, 0x0e, 0 } };

	reset_cfg(0);
	ext_cap(0x100, 0x0e, 0x040);
	return walk(4096) || check(4096, 0, NULL, 0, 0, 0x100, e, 1);
}

static int t_ext_vsec_lengths(void)
{
	static const struct exp e[] = { { 0x100, 8, 0x0e, 0 } };

	reset_cfg(0);
	ext_cap(0x100, 0x0e, 0x200);
	ext_cap(0x200, 0x0b, 0x300);
	put32(0x204, 0x004 << 20);	/* shorter than its two headers */
	ext_cap(0x300, 0x0b, 0x400);
	put32(0x304, 0xfffU << 20);	/* 0x300 + 0xfff > 0x1000 */
	ext_cap(0x400, 0x23, 0);
	put32(0x404, 0x000U << 20);	/* DVSEC length 0 */
	return walk(4096) || check(4096, 0, NULL, 0, 0, 0x100, e, 1) ||
	       w.ext_hidden != 3;
}

static int t_std_only_size(void)
{
	static const struct exp s[] = { { 0x40, 8, 0x01, 0 } };

	reset_cfg(1);
	cfg[0x34] = 0x40;
	std_cap(0x40, 0x01, 0, 0);
	ext_cap(0x100, 0x01, 0);	/* beyond a 256-byte space: ignored */
	if (walk(256) || check(256, 0x40, s, 1, 0, 0, NULL, 0))
		return 1;
	return vfio_capwalk(cfg, 255, &pol, &w) != -1;
}

static int t_lengths(void)
{
	/* every variable length is bounded by what it reads */
	reset_cfg(0);
	cfg[0x42] = 0xff;
	cfg[0x43] = 0xff;
	if (vfio_capwalk_std_len(cfg, 256, 0x40, 0x05) != 24)
		return fail("MSI all flags");
	cfg[0xfe] = 0;
	if (vfio_capwalk_std_len(cfg, 256, 0xfc, 0x12) != 0)
		return fail("SATA reads past 0x100");
	put32(0x104, 0x7ffU << 16 | 0x200);	/* TPH: huge ST table */
	if (vfio_capwalk_ext_len(cfg, 4096, 0x100, 0x17) != 12 + 0x7ff * 2 + 2)
		return fail("TPH");
	put32(0x104, 0xffffffff);
	put32(0x108, 0xffffffff);
	if (vfio_capwalk_ext_len(cfg, 4096, 0x100, 0x02) != 0xb0)
		return fail("VC");
	if (vfio_capwalk_ext_len(cfg, 4096, 0x100, 0x0d) != 8 + 256 / 8)
		return fail("ACS");
	if (vfio_capwalk_ext_len(cfg, 4096, 0xffc, 0x0b) != 0)
		return fail("VSEC at 0xffc");
	return 0;
}

int main(void)
{
	default_policy();
	printf("1..27\n");
	result(t_good_chain(), "standard chain: PM, MSI, PCIe, MSI-X, vendor");
	result(t_no_cap_list(), "no capability list bit: nothing walked");
	result(t_id_zero(), "capability ID 0 is hidden");
	result(t_id_above_table(), "IDs above or without a table are hidden");
	result(t_loop(), "A -> B -> A loop ends at the repeat");
	result(t_loop_through_hidden(), "loop through a hidden capability");
	result(t_self_loop(), "self loop");
	result(t_into_header(), "pointers into the header end the chain");
	result(t_unaligned_pointer(), "pointers are dword aligned");
	result(t_runs_off_end(), "capabilities running past 0x100 are hidden");
	result(t_overlap(), "overlapping capabilities are hidden");
	result(t_vendor_lengths(), "vendor length 0, 2, 255 hidden; 0xc0 at 0x40 kept");
	result(t_abutting_same_id(), "abutting same-ID capabilities keep their starts");
	result(t_unique_and_pin(), "second MSI hidden; pinned MSI only at its offset");
	result(t_longer_than_table(), "longer than its permission table: hidden");
	result(t_ext_good(), "extended chain: AER, ARI, SR-IOV, VSEC");
	result(t_ext_loop(), "extended loop");
	result(t_ext_self_loop_first_hidden(), "extended self loop on a hidden first cap");
	result(t_ext_at_end(), "extended cap at 0xffc running past 0x1000");
	result(t_ext_all_ones(), "extended header 0xffffffff");
	result(t_ext_empty(), "no extended capabilities: zero header");
	result(t_ext_first_hidden(), "hidden first extended cap: placeholder");
	result(t_ext_placeholder_chain(), "placeholder: chain continues, a link back to 0x100 is cut");
	result(t_ext_into_std(), "extended next below 0x100 ends the chain");
	result(t_ext_vsec_lengths(), "VSEC/DVSEC lengths bounded");
	result(t_std_only_size(), "256-byte space: no extended walk");
	result(t_lengths(), "length rules read only within the snapshot");
	return failed ? 1 : 0;
}
