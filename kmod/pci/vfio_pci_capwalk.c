// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_pci_capwalk.c - capability chain walker over a config space
 * snapshot; see vfio_pci_capwalk.h for the rules.  No I/O: everything is
 * read from the caller's buffer, through rd8/rd16/rd32, which refuse any
 * offset outside it.
 */
#ifdef __KERNEL__
#include <linux/string.h>
#endif

#include "vfio_pci_capwalk.h"

/* Register offsets and sizes used by the length rules (PCI/PCIe specs). */
#define CW_STATUS		0x06
#define CW_STATUS_CAP_LIST	0x10
#define CW_CAP_PTR		0x34

#define CW_ID_PM		0x01
#define CW_ID_AGP		0x02
#define CW_ID_VPD		0x03
#define CW_ID_MSI		0x05
#define CW_ID_PCIX		0x07
#define CW_ID_HT		0x08
#define CW_ID_VNDR		0x09
#define CW_ID_EXP		0x10
#define CW_ID_MSIX		0x11
#define CW_ID_SATA		0x12
#define CW_ID_AF		0x13

#define CW_EXT_ERR		0x01
#define CW_EXT_VC		0x02
#define CW_EXT_DSN		0x03
#define CW_EXT_PWR		0x04
#define CW_EXT_MFVC		0x08
#define CW_EXT_VC9		0x09
#define CW_EXT_VNDR		0x0b
#define CW_EXT_ACS		0x0d
#define CW_EXT_ARI		0x0e
#define CW_EXT_ATS		0x0f
#define CW_EXT_SRIOV		0x10
#define CW_EXT_MCAST		0x12
#define CW_EXT_PRI		0x13
#define CW_EXT_REBAR		0x15
#define CW_EXT_DPA		0x16
#define CW_EXT_TPH		0x17
#define CW_EXT_LTR		0x18
#define CW_EXT_DVSEC		0x23

static bool rd8(const u8 *cfg, unsigned int size, unsigned int off, u8 *v)
{
	if (off >= size)
		return false;
	*v = cfg[off];
	return true;
}

static bool rd16(const u8 *cfg, unsigned int size, unsigned int off, u16 *v)
{
	if (off >= size || size - off < 2)
		return false;
	*v = cfg[off] | (u16)cfg[off + 1] << 8;
	return true;
}

static bool rd32(const u8 *cfg, unsigned int size, unsigned int off, u32 *v)
{
	if (off >= size || size - off < 4)
		return false;
	*v = cfg[off] | (u32)cfg[off + 1] << 8 | (u32)cfg[off + 2] << 16 |
	     (u32)cfg[off + 3] << 24;
	return true;
}

unsigned int vfio_capwalk_std_len(const u8 *cfg, unsigned int size,
				  unsigned int pos, u8 id)
{
	unsigned int len;
	u16 w;
	u8 b;

	switch (id) {
	case CW_ID_PM:
		return 8;
	case CW_ID_AGP:
		return 12;
	case CW_ID_VPD:
		return 8;
	case CW_ID_MSI:
		if (!rd16(cfg, size, pos + 2, &w))
			return 0;
		len = 10;
		if (w & 0x0080)		/* 64-bit address */
			len += 4;
		if (w & 0x0100)		/* per-vector masking */
			len += 10;
		return len;		/* 10..24 */
	case CW_ID_PCIX:
		if (!rd16(cfg, size, pos + 2, &w))
			return 0;
		return ((w >> 12) & 3) ? 24 : 8;
	case CW_ID_HT:
		if (!rd8(cfg, size, pos + 3, &b))
			return 0;
		return (b & 0xe0) ? 24 : 28;
	case CW_ID_VNDR:
		/* the byte after the next pointer, by convention */
		if (!rd8(cfg, size, pos + 2, &b))
			return 0;
		return b < 3 ? 0 : b;	/* must cover its own length byte */
	case CW_ID_EXP:
		if (!rd16(cfg, size, pos + 2, &w))
			return 0;
		if ((w & 0xf) == 1)	/* version 1 */
			return ((w >> 4) & 0xf) == 0x9 ? 12 : 20;
		/* version 2: root complex integrated endpoints have no link */
		return ((w >> 4) & 0xf) == 0x9 ? 0x2c : VFIO_CAPWALK_EXP_V2_LEN;
	case CW_ID_MSIX:
		return 12;
	case CW_ID_SATA:
		if (!rd8(cfg, size, pos + 4, &b))
			return 0;
		return (b & 0xf) == 0xf ? 16 : 8;
	case CW_ID_AF:
		return 6;
	}
	return 0;
}

/* Virtual channel (VC, VC9, MFVC): bounded by its 3-bit and phase fields. */
static unsigned int cw_vc_len(const u8 *cfg, unsigned int size,
			      unsigned int pos)
{
	unsigned int len = 0x10, phases = 0;
	u32 cap1, cap2;

	if (!rd32(cfg, size, pos + 4, &cap1) || !rd32(cfg, size, pos + 8, &cap2))
		return 0;
	if (cap2 & 0x8)
		phases = 128;
	else if (cap2 & 0x4)
		phases = 64;
	else if (cap2 & 0x2)
		phases = 32;
	len += (1 + (cap1 & 7)) * 0x0c;
	if (phases) {
		len = (len + 15) & ~15U;
		len += phases * 4 / 8;
	}
	return len;		/* at most 0x70 + 0x40 */
}

unsigned int vfio_capwalk_ext_len(const u8 *cfg, unsigned int size,
				  unsigned int pos, u16 id)
{
	unsigned int len;
	u32 d;
	u8 b;

	switch (id) {
	case CW_EXT_ERR:
		return 0x2c;
	case CW_EXT_VC:
	case CW_EXT_VC9:
	case CW_EXT_MFVC:
		return cw_vc_len(cfg, size, pos);
	case CW_EXT_DSN:
		return 12;
	case CW_EXT_PWR:
		return 16;
	case CW_EXT_VNDR:
		/* VSEC header: length in bits 31:20, covering both headers */
		if (!rd32(cfg, size, pos + 4, &d))
			return 0;
		len = d >> 20;
		return len < 8 ? 0 : len;
	case CW_EXT_ACS:
		if (!rd8(cfg, size, pos + 4, &b))
			return 0;
		if (b & 0x20) {		/* egress control vector follows */
			unsigned int bits;

			if (!rd8(cfg, size, pos + 5, &b))
				return 0;
			bits = b ? ((b + 31U) & ~31U) : 256;
			return 8 + bits / 8;
		}
		return 8;
	case CW_EXT_ARI:
	case CW_EXT_ATS:
	case CW_EXT_LTR:
		return 8;
	case CW_EXT_SRIOV:
		return 0x40;
	case CW_EXT_MCAST:
		return 40;
	case CW_EXT_PRI:
		return 16;
	case CW_EXT_REBAR:
		if (!rd8(cfg, size, pos + 8, &b))
			return 0;
		return 4 + ((b & 0xe0) >> 5) * 8;
	case CW_EXT_DPA:
		if (!rd8(cfg, size, pos + 4, &b))
			return 0;
		return 16 + (b & 0x1f) + 1;
	case CW_EXT_TPH:
		if (!rd32(cfg, size, pos + 4, &d))
			return 0;
		if ((d & 0x600) == 0x200)	/* steering table in the cap */
			return 12 + ((d >> 16) & 0x7ff) * 2 + 2;
		return 12;
	case CW_EXT_DVSEC:
		if (!rd32(cfg, size, pos + 4, &d))
			return 0;
		len = (d >> 20) & 0xfff;
		return len < 10 ? 0 : len;	/* two headers and the ID */
	}
	return 0;
}

static bool cw_free(const struct vfio_capwalk *w, unsigned int pos,
		    unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (w->map[pos + i] != VFIO_CAPWALK_MAP_FREE)
			return false;
	return true;
}

static void cw_claim(struct vfio_capwalk *w, unsigned int pos,
		     unsigned int len, u8 id)
{
	memset(w->map + pos, id, len);
	w->start[pos / 8] |= 1U << (pos % 8);
}

static bool cw_seen(u8 *visited, unsigned int pos)
{
	unsigned int dw = pos / 4;

	if (visited[dw / 8] & (1U << (dw % 8)))
		return true;
	visited[dw / 8] |= 1U << (dw % 8);
	return false;
}

static void cw_walk_std(const u8 *cfg, const struct vfio_capwalk_policy *p,
			struct vfio_capwalk *w)
{
	u8 visited[VFIO_CAPWALK_STD_SIZE / 4 / 8] = { 0 };
	struct vfio_capwalk_cap *last = NULL;
	u32 seen_ids = 0;
	unsigned int pos;

	if (!(cfg[CW_STATUS] & CW_STATUS_CAP_LIST))
		return;

	pos = cfg[CW_CAP_PTR] & ~3U;
	while (pos) {
		unsigned int len = 0, max = 0;
		u8 id, next;

		if (pos < VFIO_CAPWALK_STD_START || pos >= VFIO_CAPWALK_STD_SIZE)
			break;		/* into the header: end of the chain */
		if (cw_seen(visited, pos)) {
			w->std_loop = true;
			break;
		}
		id = cfg[pos];
		next = cfg[pos + 1] & ~3U;

		if (id && id < VFIO_CAPWALK_STD_NIDS)
			max = p->std_max[id];
		if (max && p->std_pin[id] && p->std_pin[id] != pos)
			max = 0;
		if (max && (p->std_unique & (1U << id)) &&
		    (seen_ids & (1U << id)))
			max = 0;
		if (max)
			len = vfio_capwalk_std_len(cfg, w->size, pos, id);
		if (len < 2 || len > max || pos + len > VFIO_CAPWALK_STD_SIZE ||
		    !cw_free(w, pos, len)) {
			w->std_hidden++;
			pos = next;
			continue;
		}

		cw_claim(w, pos, len, id);
		seen_ids |= 1U << id;
		if (last)
			last->next = pos;
		else
			w->std_head = pos;
		last = &w->std[w->nstd++];
		last->pos = pos;
		last->len = len;
		last->id = id;
		last->next = 0;
		pos = next;
	}
}

static void cw_walk_ext(const u8 *cfg, const struct vfio_capwalk_policy *p,
			struct vfio_capwalk *w)
{
	u8 visited[VFIO_CAPWALK_EXT_SIZE / 4 / 8] = { 0 };
	struct vfio_capwalk_cap *last = NULL;
	unsigned int pos = VFIO_CAPWALK_STD_SIZE;
	u32 header;

	while (pos) {
		unsigned int len = 0, max = 0, next;
		u16 id;

		if (pos < VFIO_CAPWALK_STD_SIZE || !rd32(cfg, w->size, pos, &header))
			break;
		if (header == 0 || header == 0xffffffffU)
			break;
		if (cw_seen(visited, pos)) {
			w->ext_loop = true;
			break;
		}
		id = header & 0xffff;
		next = (header >> 20) & ~3U;

		if (id && id < VFIO_CAPWALK_EXT_NIDS)
			max = p->ext_max[id];
		if (max)
			len = vfio_capwalk_ext_len(cfg, w->size, pos, id);
		if (len < 4 || len > max || len > w->size - pos ||
		    !cw_free(w, pos, len)) {
			w->ext_hidden++;
			/*
			 * The first header cannot be unlinked: 0x100 becomes
			 * a placeholder (ID 0, version 0) whose next pointer
			 * the user follows.  It keeps its four bytes.
			 */
			if (pos == VFIO_CAPWALK_STD_SIZE) {
				memset(w->map + pos, VFIO_CAPWALK_MAP_VIRT, 4);
				w->ext_placeholder = true;
			}
			pos = next;
			continue;
		}

		cw_claim(w, pos, len, (u8)id);
		if (last)
			last->next = pos;
		else
			w->ext_head = pos;
		last = &w->ext[w->next++];
		last->pos = pos;
		last->len = len;
		last->id = id;
		last->next = 0;
		pos = next;
	}
}

int vfio_capwalk(const u8 *cfg, unsigned int size,
		 const struct vfio_capwalk_policy *policy,
		 struct vfio_capwalk *w)
{
	memset(w, 0, sizeof(*w));
	if (size < VFIO_CAPWALK_STD_SIZE)
		return -1;
	w->size = size >= VFIO_CAPWALK_EXT_SIZE ? VFIO_CAPWALK_EXT_SIZE :
						   VFIO_CAPWALK_STD_SIZE;
	memset(w->map, VFIO_CAPWALK_MAP_FREE, sizeof(w->map));
	memset(w->map, VFIO_CAPWALK_MAP_BASIC, VFIO_CAPWALK_STD_START);

	cw_walk_std(cfg, policy, w);
	if (w->size > VFIO_CAPWALK_STD_SIZE) {
		cw_walk_ext(cfg, policy, w);
		/*
		 * Nothing exposed, or an empty/absent chain: 0x100 still
		 * reads as a header, all zero (ID 0, version 0, no next).
		 */
		if (!w->next && !w->ext_placeholder) {
			memset(w->map + VFIO_CAPWALK_STD_SIZE,
			       VFIO_CAPWALK_MAP_VIRT, 4);
			w->ext_placeholder = true;
		}
	}
	return 0;
}
