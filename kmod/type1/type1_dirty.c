// SPDX-License-Identifier: GPL-2.0-only
/*
 * type1_dirty.c - dirty-page tracking for migration: VFIO_IOMMU_DIRTY_PAGES
 * (start, stop, get bitmap), the bitmap of UNMAP_DMA with
 * VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, and GET_INFO's migration cap.
 *
 * What is dirty, as upstream type1 reports it: nothing here can tell which
 * pages a device wrote (no IOMMU dirty bits are used, and no emulated
 * device pins pages through this backend), so while any group with an
 * IOMMU domain is attached every page of every mapping in a domain counts
 * as dirty, every time it is asked.  With emulated groups only, nothing is
 * mapped for DMA and nothing is dirty.  Hence no per-mapping bitmaps: the
 * answer is computed when it is copied out.
 *
 * Bitmap layout and rules as upstream: one bit per page of the smallest
 * IOMMU page size (the only page size accepted), bit 0 for the iova the
 * request starts at, in u64 words.  The words a mapping covers are written
 * whole -- bits past its end in its last word are cleared -- except that a
 * mapping starting inside a word ORs its bits into what the word holds.
 * Bits of words no mapping covers are left as the user had them.
 */
#include <linux/bitops.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "type1.h"

/* Bitmaps cover at most INT_MAX pages (upstream's limit), in u64 words. */
#define TYPE1_DIRTY_PAGES_MAX	((u64)INT_MAX)
#define TYPE1_DIRTY_BYTES(n)	(ALIGN((u64)(n), 64) / BITS_PER_BYTE)

u64 type1_dirty_bitmap_size_max(void)
{
	return TYPE1_DIRTY_BYTES(TYPE1_DIRTY_PAGES_MAX);
}

/* Can a bitmap of @bytes bytes hold @npages bits, within the limit? */
int type1_dirty_verify_size(u64 npages, u64 bytes)
{
	if (!npages || !bytes || npages > TYPE1_DIRTY_PAGES_MAX ||
	    bytes < TYPE1_DIRTY_BYTES(npages))
		return -EINVAL;
	return 0;
}

/* The bits of word @w (of the words @dma covers) that @dma sets. */
static u64 type1_dirty_word(unsigned long w, unsigned long shift,
			    unsigned long nbits)
{
	u64 first = (u64)w * 64, lo, hi;

	/* Bits [shift, shift + nbits) of the run of words are dirty. */
	lo = max_t(u64, shift, first);
	hi = min_t(u64, shift + nbits, first + 64);
	if (lo >= hi)
		return 0;
	if (hi - lo == 64)
		return ~0ULL;
	return ((1ULL << (hi - lo)) - 1) << (lo - first);
}

/*
 * Copy @dma's dirty bits into the user bitmap @bitmap, whose bit 0 is
 * @base (at or below dma->iova).  Called with iommu->lock held; may fault
 * on the user buffer (EFAULT).
 */
int type1_dirty_copy(struct vfio_iommu *iommu, struct vfio_dma *dma,
		     dma_addr_t base, u64 __user *bitmap)
{
	unsigned long pgshift = __ffs(iommu->pgsize_bitmap);
	unsigned long nbits = dma->size >> pgshift;
	unsigned long bit = (dma->iova - base) >> pgshift;
	unsigned long shift = bit % 64, w, nwords;
	bool dirty = !list_empty(&iommu->domain_list) && dma->pinned;
	u64 __user *p = bitmap + bit / 64;
	u64 val, old;

	nwords = TYPE1_DIRTY_BYTES(nbits + shift) / sizeof(u64);
	for (w = 0; w < nwords; w++) {
		val = dirty ? type1_dirty_word(w, shift, nbits) : 0;
		if (!w && shift) {
			if (get_user(old, p))
				return -EFAULT;
			val |= old;
		}
		if (put_user(val, p + w))
			return -EFAULT;
		if (!((w + 1) % TYPE1_RESCHED_PAGES))
			cond_resched();
	}
	return 0;
}

/*
 * GET_BITMAP of [iova, iova + size): the range must not bisect a mapping;
 * every mapping inside it is reported.
 */
static int type1_dirty_get(struct vfio_iommu *iommu, dma_addr_t iova,
			   u64 size, u64 __user *bitmap)
{
	dma_addr_t last = iova + size - 1;
	struct rb_node *n = NULL;
	struct vfio_dma *dma;
	int ret;

	dma = type1_find_dma(iommu, iova, iova);
	if (dma && dma->iova != iova)
		return -EINVAL;
	dma = type1_find_dma(iommu, last, last);
	if (dma && dma->iova + dma->size - 1 != last)
		return -EINVAL;

	for (dma = type1_find_dma(iommu, iova, last); dma;
	     dma = n ? rb_entry(n, struct vfio_dma, node) : NULL) {
		if (dma->iova > last)
			break;
		ret = type1_dirty_copy(iommu, dma, iova, bitmap);
		if (ret)
			return ret;
		n = rb_next(&dma->node);
	}
	return 0;
}

static long type1_dirty_get_ioctl(struct vfio_iommu *iommu, unsigned long arg,
				  u32 argsz, unsigned long minsz)
{
	struct vfio_iommu_type1_dirty_bitmap_get range;
	unsigned long pgsize;
	int ret;

	if (argsz < minsz + sizeof(range))
		return -EINVAL;
	if (copy_from_user(&range, (void __user *)(arg + minsz), sizeof(range)))
		return -EFAULT;
	if (range.iova + range.size < range.iova)
		return -EINVAL;
	if (!access_ok(range.bitmap.data, range.bitmap.size))
		return -EINVAL;
	if (!range.bitmap.pgsize)
		return -EINVAL;
	ret = type1_dirty_verify_size(range.size >> __ffs(range.bitmap.pgsize),
				      range.bitmap.size);
	if (ret)
		return ret;

	mutex_lock(&iommu->lock);
	pgsize = 1UL << __ffs(iommu->pgsize_bitmap);
	ret = -EINVAL;
	if (range.bitmap.pgsize != pgsize || range.iova & (pgsize - 1) ||
	    !range.size || range.size & (pgsize - 1) || !iommu->dirty_tracking)
		goto out_unlock;
	ret = type1_dirty_get(iommu, range.iova, range.size, range.bitmap.data);
out_unlock:
	mutex_unlock(&iommu->lock);
	return ret;
}

/*
 * VFIO_IOMMU_DIRTY_PAGES: v2 only (EACCES), exactly one of START, STOP
 * and GET_BITMAP.  Starting twice or stopping when stopped is no error.
 */
long type1_ioctl_dirty_pages(struct vfio_iommu *iommu, unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_iommu_type1_dirty_bitmap,
					  flags);
	u32 mask = VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
		   VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP |
		   VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	struct vfio_iommu_type1_dirty_bitmap dirty;

	if (!iommu->v2)
		return -EACCES;
	if (copy_from_user(&dirty, (void __user *)arg, minsz))
		return -EFAULT;
	if (dirty.argsz < minsz || dirty.flags & ~mask ||
	    hweight32(dirty.flags) != 1)
		return -EINVAL;

	switch (dirty.flags) {
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_START:
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP:
		mutex_lock(&iommu->lock);
		iommu->dirty_tracking =
			dirty.flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_START;
		mutex_unlock(&iommu->lock);
		return 0;
	default:
		return type1_dirty_get_ioctl(iommu, arg, dirty.argsz, minsz);
	}
}
