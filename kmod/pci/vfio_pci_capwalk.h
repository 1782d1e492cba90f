/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio_pci_capwalk.h - walk the capability chains of a config space
 * snapshot and decide what the user sees.
 *
 * Pure code: no I/O, no allocation, no locking.  The caller reads config
 * space once into a buffer and passes it in; everything the walker and
 * the length rules look at comes from that buffer, and nothing is read
 * outside [0, size).  The same file builds in the kernel (vfio-pci) and in
 * userspace (host unit tests and a libFuzzer target) with the small shim
 * in vfio_pci_capwalk_shim.h.
 *
 * Rules (both chains):
 *  - pointers are dword aligned (the low two bits are ignored, as the PCI
 *    core does); a pointer into the standard header (< 0x40) or, for the
 *    extended chain, below 0x100 ends the chain;
 *  - a capability is visited at most once (visited bitmap per dword), so a
 *    loop ends the chain at the first repeat;
 *  - a capability is exposed only if its ID has a permission table in the
 *    policy (ID 0 never has one), its length is known and at least covers
 *    its header, at most the size of that table, it fits in the space and
 *    overlaps nothing exposed before it; otherwise it is hidden: unlinked
 *    from the chain the user sees, its bytes left free;
 *  - every length that comes from the device (vendor-specific length byte,
 *    MSI flags, PCIe version, VSEC/DVSEC length, ...) is checked against
 *    the space and the table like any other.
 *
 * Standard chain: 0x40..0xff, one-byte next pointer at pos + 1, starting
 * at the capability pointer (0x34) if the status register says there is
 * a list.  Extended chain: 0x100..size-1, 32-bit header (ID 15:0, version
 * 19:16, next 31:20), first header at 0x100; a header of 0 or 0xffffffff
 * ends the chain.  If the capability at 0x100 is hidden, 0x100 keeps a
 * placeholder header (ID 0, version 0, next = first exposed capability),
 * as upstream vfio-pci does.
 */
#ifndef VFIO_PCI_CAPWALK_H
#define VFIO_PCI_CAPWALK_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "vfio_pci_capwalk_shim.h"
#endif

/* Config space geometry. */
#define VFIO_CAPWALK_STD_START	0x40	/* first byte after the header */
#define VFIO_CAPWALK_STD_SIZE	0x100	/* conventional config space */
#define VFIO_CAPWALK_EXT_SIZE	0x1000	/* PCIe extended config space */

/* IDs the policy can describe; anything at or above is hidden. */
#define VFIO_CAPWALK_STD_NIDS	0x20
#define VFIO_CAPWALK_EXT_NIDS	0x40

/* PCIe capability v2 of an endpoint with a link: up to Link Status 2. */
#define VFIO_CAPWALK_EXP_V2_LEN	0x34

/* Map values that are not capability IDs. */
#define VFIO_CAPWALK_MAP_BASIC	0x00	/* the standard header (0..0x3f) */
#define VFIO_CAPWALK_MAP_VIRT	0xfe	/* placeholder header at 0x100 */
#define VFIO_CAPWALK_MAP_FREE	0xff	/* no exposed capability */

/* Most capabilities a chain can hold (one per dword). */
#define VFIO_CAPWALK_MAX_STD	((VFIO_CAPWALK_STD_SIZE - VFIO_CAPWALK_STD_START) / 4)
#define VFIO_CAPWALK_MAX_EXT	((VFIO_CAPWALK_EXT_SIZE - VFIO_CAPWALK_STD_SIZE) / 4)

/*
 * What may be exposed.  std_max[id] / ext_max[id]: the longest capability
 * of that ID the caller can serve, i.e. the size in bytes of its
 * permission table (0: hide every capability with that ID).  std_pin[id]:
 * if non-zero, the only offset at which that ID may be exposed (the
 * kernel pins MSI, MSI-X, PCIe and PM to where the PCI core found them,
 * so the virtual capability is the one the host drives).  std_unique:
 * bit id set = only the first exposed capability with that ID is shown.
 */
struct vfio_capwalk_policy {
	u16	std_max[VFIO_CAPWALK_STD_NIDS];
	u16	ext_max[VFIO_CAPWALK_EXT_NIDS];
	u16	std_pin[VFIO_CAPWALK_STD_NIDS];
	u32	std_unique;
};

/* One exposed capability; next is the pointer the user sees. */
struct vfio_capwalk_cap {
	u16	pos;
	u16	len;
	u16	id;
	u16	next;
};

/*
 * The result.  map[] has one byte per config byte: the owning exposed
 * capability's ID, VFIO_CAPWALK_MAP_BASIC for the header, _VIRT for the
 * placeholder at 0x100, _FREE for everything else.  start[] has a bit per
 * byte set on the first byte of each exposed capability (two capabilities
 * of the same ID can abut).  The links to rewrite are std_head (the value
 * of the capability pointer at 0x34) and the next field of every entry in
 * std[] and ext[], plus the placeholder header if ext_placeholder.
 *
 * About 13 KiB: callers in the kernel allocate it.
 */
struct vfio_capwalk {
	unsigned int		size;
	u8			map[VFIO_CAPWALK_EXT_SIZE];
	u8			start[VFIO_CAPWALK_EXT_SIZE / 8];
	u8			std_head;
	bool			ext_placeholder;
	u16			ext_head;	/* first exposed, 0 if none */
	unsigned int		nstd, next;
	unsigned int		std_hidden, ext_hidden;	/* for logs */
	bool			std_loop, ext_loop;	/* a repeat ended a chain */
	struct vfio_capwalk_cap	std[VFIO_CAPWALK_MAX_STD];
	struct vfio_capwalk_cap	ext[VFIO_CAPWALK_MAX_EXT];
};

/*
 * Length of a capability from the snapshot alone; 0 if unknown, if a
 * field it depends on lies outside [0, size), or if the device's value
 * makes no sense (shorter than the capability's header).
 */
unsigned int vfio_capwalk_std_len(const u8 *cfg, unsigned int size,
				  unsigned int pos, u8 id);
unsigned int vfio_capwalk_ext_len(const u8 *cfg, unsigned int size,
				  unsigned int pos, u16 id);

/*
 * Walk both chains of cfg[0..size) (size is 256 or 4096; anything else
 * is treated as the largest of those it covers) and fill *w.
 * Returns 0, or -1 if size < 256.
 */
int vfio_capwalk(const u8 *cfg, unsigned int size,
		 const struct vfio_capwalk_policy *policy,
		 struct vfio_capwalk *w);

/* Is offset the first byte of an exposed capability? */
static inline bool vfio_capwalk_is_start(const u8 *start, unsigned int off)
{
	return start[off / 8] & (1U << (off % 8));
}

#endif /* VFIO_PCI_CAPWALK_H */
