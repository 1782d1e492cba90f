// SPDX-License-Identifier: GPL-2.0-only
/*
 * type1_dma.c - the mapping tree and VFIO_IOMMU_MAP_DMA / UNMAP_DMA.
 *
 * Validation order and errnos follow upstream type1 (the stock kernel is
 * the oracle: tests/uapi/type1-test.c): bad flags or short argsz, no
 * READ/WRITE, zero or unaligned size/iova/vaddr, and wrap-around are
 * EINVAL; an overlap is EEXIST; the entry limit is ENOSPC; an IOVA outside
 * the usable ranges is EINVAL.
 *
 * VFIO_UPDATE_VADDR as upstream: MAP_DMA with FLAG_VADDR (and neither READ
 * nor WRITE, else EINVAL) needs a mapping at exactly that iova and size
 * whose vaddr was invalidated (no mapping there: ENOENT; otherwise
 * EINVAL).  UNMAP_DMA with FLAG_VADDR invalidates the vaddr of every
 * mapping in the range (or all, with FLAG_ALL) and reports their size; if
 * one already was invalid, none is changed and the result is EINVAL.
 */
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "type1.h"

/* ------------------------------------------------------------ the tree */

/*
 * The first mapping (lowest iova) whose last byte is at or after @start,
 * if it begins at or before @last; NULL if nothing overlaps.
 */
struct vfio_dma *type1_find_dma(struct vfio_iommu *iommu, dma_addr_t start,
				dma_addr_t last)
{
	struct rb_node *node = iommu->dma_list.rb_node;
	struct vfio_dma *res = NULL;

	while (node) {
		struct vfio_dma *dma = rb_entry(node, struct vfio_dma, node);

		if (start <= dma->iova + dma->size - 1) {
			res = dma;
			if (start >= dma->iova)
				break;
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	return res && res->iova <= last ? res : NULL;
}

static void type1_link_dma(struct vfio_iommu *iommu, struct vfio_dma *new)
{
	struct rb_node **link = &iommu->dma_list.rb_node, *parent = NULL;

	while (*link) {
		struct vfio_dma *dma = rb_entry(*link, struct vfio_dma, node);

		parent = *link;
		link = new->iova < dma->iova ? &(*link)->rb_left :
					       &(*link)->rb_right;
	}
	rb_link_node(&new->node, parent, link);
	rb_insert_color(&new->node, &iommu->dma_list);
}

/* ------------------------------------------------------------ runs */

/*
 * Callers hold iommu->lock (a mutex) and no spinlock: a mapping may have
 * hundreds of thousands of runs, so yield every TYPE1_RESCHED_PAGES pages.
 */
int type1_for_each_run(struct vfio_dma *dma, type1_run_fn fn, void *data)
{
	struct type1_run_chunk *chunk;
	dma_addr_t iova = dma->iova;
	unsigned long pages;
	unsigned int i;
	int ret;

	if (!dma->nr_runs)
		return 0;
	ret = fn(dma, iova, &dma->run0, data);
	if (ret)
		return ret;
	iova += (dma_addr_t)dma->run0.npages << PAGE_SHIFT;
	pages = dma->run0.npages;
	list_for_each_entry(chunk, &dma->chunks, next) {
		for (i = 0; i < chunk->nr; i++) {
			if (pages >= TYPE1_RESCHED_PAGES) {
				cond_resched();
				pages = 0;
			}
			ret = fn(dma, iova, &chunk->runs[i], data);
			if (ret)
				return ret;
			iova += (dma_addr_t)chunk->runs[i].npages << PAGE_SHIFT;
			pages += chunk->runs[i].npages;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ IOMMU calls */

/*
 * iommu_map() and iommu_unmap() walk page tables entry by entry, and a
 * single run can be a GiB of 4 KiB entries: both are done in pieces with a
 * cond_resched() between them (the guest kernels are not preemptible, so a
 * whole-GiB call would stall its CPU for as long as it takes).
 *
 * Mapping pieces end at multiples of the largest page size the domain could
 * use for this run (iova and paddr equally aligned), at least 2 MiB and at
 * most 1 GiB, so splitting never costs a large page; a piece is then at
 * most 512 entries of the next smaller size.
 */
static size_t type1_map_step(struct iommu_domain *domain, dma_addr_t iova,
			     phys_addr_t paddr)
{
	unsigned long sizes = domain->pgsize_bitmap;
	size_t step = SZ_2M;
	int bit;

	for (bit = __fls(sizes | 1); bit > 0; bit--) {
		unsigned long pgsize = 1UL << bit;

		if (!(sizes & pgsize) || pgsize > SZ_1G)
			continue;
		if (!((iova ^ paddr) & (pgsize - 1))) {
			step = max_t(size_t, step, pgsize);
			break;
		}
	}
	return step;
}

/*
 * Unmap [iova, iova + size), which was mapped by whole runs, in 2 MiB
 * pieces.  A larger page (1 GiB) is unmapped whole by the IOMMU driver,
 * which says so in its return value; pieces always start at a page's start
 * because pages are naturally aligned.  Returns the bytes unmapped.
 */
size_t type1_iommu_unmap(struct iommu_domain *domain, dma_addr_t iova,
			 size_t size)
{
	size_t done = 0, len, got;

	while (done < size) {
		len = min_t(size_t, size - done,
			    SZ_2M - ((iova + done) & (SZ_2M - 1)));
		got = iommu_unmap(domain, iova + done, len);
		if (!got)
			break;
		done += got;
		cond_resched();
	}
	return done;
}

/* Map one physically contiguous range; on failure nothing stays mapped. */
int type1_iommu_map(struct iommu_domain *domain, dma_addr_t iova,
		    phys_addr_t paddr, size_t size, int prot)
{
	size_t step = type1_map_step(domain, iova, paddr), done = 0, len;
	int ret;

	while (done < size) {
		len = min_t(size_t, size - done,
			    step - ((iova + done) & (step - 1)));
		ret = vfioctl_iommu_map(domain, iova + done, paddr + done, len,
					prot);
		if (ret) {
			if (done)
				type1_iommu_unmap(domain, iova, done);
			return ret;
		}
		done += len;
		cond_resched();
	}
	return 0;
}

/* ------------------------------------------------------------ domains */

struct type1_replay {
	struct iommu_domain	*domain;
	dma_addr_t		mapped_end;	/* runs mapped below this */
};

static int type1_map_run(struct vfio_dma *dma, dma_addr_t iova,
			 const struct type1_run *run, void *data)
{
	struct type1_replay *r = data;
	int ret;

	ret = type1_iommu_map(r->domain, iova, PFN_PHYS(run->pfn),
			      run->npages << PAGE_SHIFT, dma->prot);
	if (!ret)
		r->mapped_end = iova + (run->npages << PAGE_SHIFT);
	return ret;
}

/* Map every run of a pinned @dma into @domain; all or nothing. */
int type1_map_dma_domain(struct vfio_dma *dma, struct iommu_domain *domain)
{
	struct type1_replay r = { .domain = domain, .mapped_end = dma->iova };
	int ret = type1_for_each_run(dma, type1_map_run, &r);

	/* The mapped part is one hole-free range, which iommu_unmap needs. */
	if (ret && r.mapped_end > dma->iova)
		type1_iommu_unmap(domain, dma->iova, r.mapped_end - dma->iova);
	return ret;
}

void type1_unmap_dma_domain(struct vfio_dma *dma, struct iommu_domain *domain)
{
	size_t unmapped = type1_iommu_unmap(domain, dma->iova, dma->size);

	WARN_ONCE(unmapped != dma->size,
		  "iova 0x%llx: unmapped %zu of %zu bytes\n",
		  (unsigned long long)dma->iova, unmapped, dma->size);
}

/* Is [start, last] inside one usable IOVA range? */
bool type1_iova_range_valid(struct vfio_iommu *iommu, dma_addr_t start,
			    dma_addr_t last)
{
	struct type1_iova_range *r;

	/* No IOMMU domain (emulated groups only): nothing is reserved. */
	if (list_empty(&iommu->iova_list))
		return true;
	list_for_each_entry(r, &iommu->iova_list, next)
		if (start >= r->start && last <= r->last)
			return true;
	return false;
}

/* ------------------------------------------------------------ remove */

/*
 * Take @dma out of every domain first -- the device can no longer reach
 * the pages -- then unpin them and uncharge locked_vm.
 */
static void type1_remove_dma(struct vfio_iommu *iommu, struct vfio_dma *dma)
{
	struct type1_domain *d;

	if (dma->pinned) {
		list_for_each_entry(d, &iommu->domain_list, next)
			type1_unmap_dma_domain(dma, d->domain);
		type1_unpin_dma(iommu, dma);
	}
	if (dma->vaddr_invalid)
		iommu->vaddr_invalid_count--;
	rb_erase(&dma->node, &iommu->dma_list);
	mmdrop(dma->mm);
	iommu->dma_avail++;
	WRITE_ONCE(iommu->dma_count, iommu->dma_count - 1);
	kfree(dma);
}

void type1_remove_all_dma(struct vfio_iommu *iommu)
{
	struct rb_node *node;

	while ((node = rb_first(&iommu->dma_list)))
		type1_remove_dma(iommu, rb_entry(node, struct vfio_dma, node));
}

/* ------------------------------------------------------------ MAP_DMA */

/* MAP_DMA with FLAG_VADDR: give an invalidated mapping its new vaddr. */
static int type1_update_vaddr(struct vfio_iommu *iommu, dma_addr_t iova,
			      size_t size, unsigned long vaddr)
{
	struct vfio_dma *dma = type1_find_dma(iommu, iova, iova + size - 1);
	int ret;

	if (!dma)
		return -ENOENT;
	if (!dma->vaddr_invalid || dma->iova != iova || dma->size != size)
		return -EINVAL;
	ret = type1_change_owner(dma);
	if (ret)
		return ret;
	dma->vaddr = vaddr;
	dma->vaddr_invalid = false;
	iommu->vaddr_invalid_count--;
	return 0;
}

static int type1_do_map(struct vfio_iommu *iommu,
			struct vfio_iommu_type1_dma_map *map)
{
	bool set_vaddr = map->flags & VFIO_DMA_MAP_FLAG_VADDR;
	dma_addr_t iova = map->iova;
	unsigned long vaddr = map->vaddr;
	size_t size = map->size;
	struct vfio_dma *dma;
	unsigned long pgmask;
	int prot = 0, ret;

	/* Catch truncation on 32-bit builds. */
	if (map->size != size || map->vaddr != vaddr || map->iova != iova)
		return -EINVAL;
	if (map->flags & VFIO_DMA_MAP_FLAG_WRITE)
		prot |= IOMMU_WRITE;
	if (map->flags & VFIO_DMA_MAP_FLAG_READ)
		prot |= IOMMU_READ;
	/* A vaddr update keeps the protection: it takes neither flag. */
	if (!prot == !set_vaddr)
		return -EINVAL;
	if (!current->mm)
		return -ESRCH;

	mutex_lock(&iommu->lock);
	pgmask = (1UL << __ffs(iommu->pgsize_bitmap)) - 1;
	ret = -EINVAL;
	if (!size || (size | iova | vaddr) & pgmask)
		goto out_unlock;
	if (iova + size - 1 < iova || vaddr + size - 1 < vaddr)
		goto out_unlock;
	if (set_vaddr) {
		ret = type1_update_vaddr(iommu, iova, size, vaddr);
		goto out_unlock;
	}
	ret = -EEXIST;
	if (type1_find_dma(iommu, iova, iova + size - 1))
		goto out_unlock;
	ret = -ENOSPC;
	if (!iommu->dma_avail)
		goto out_unlock;
	ret = -EINVAL;
	if (!type1_iova_range_valid(iommu, iova, iova + size - 1))
		goto out_unlock;

	ret = -ENOMEM;
	dma = kzalloc(sizeof(*dma), GFP_KERNEL_ACCOUNT);
	if (!dma)
		goto out_unlock;
	dma->iova = iova;
	dma->vaddr = vaddr;
	dma->size = size;
	/* Every domain is asked for coherent DMA where it can give it. */
	dma->prot = prot | IOMMU_CACHE;
	dma->lock_cap = capable(CAP_IPC_LOCK);
	dma->mm = current->mm;
	mmgrab(dma->mm);
	INIT_LIST_HEAD(&dma->chunks);
	type1_link_dma(iommu, dma);
	iommu->dma_avail--;
	WRITE_ONCE(iommu->dma_count, iommu->dma_count + 1);

	/* With emulated groups only there is no IOMMU to program yet. */
	ret = 0;
	if (!list_empty(&iommu->domain_list))
		ret = type1_pin_dma(iommu, dma);
	if (ret)
		type1_remove_dma(iommu, dma);
out_unlock:
	mutex_unlock(&iommu->lock);
	return ret;
}

long type1_ioctl_map_dma(struct vfio_iommu *iommu, unsigned long arg)
{
	struct vfio_iommu_type1_dma_map map;
	unsigned long minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	u32 mask = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE |
		   VFIO_DMA_MAP_FLAG_VADDR;

	if (copy_from_user(&map, (void __user *)arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz || map.flags & ~mask)
		return -EINVAL;
	return type1_do_map(iommu, &map);
}

/* ------------------------------------------------------------ UNMAP_DMA */

/* Mark the vaddrs of @first up to (not including) @stop valid again. */
static void type1_revalidate(struct vfio_iommu *iommu, struct vfio_dma *first,
			     struct vfio_dma *stop)
{
	struct rb_node *n;

	for (n = &first->node; n && n != &stop->node; n = rb_next(n)) {
		struct vfio_dma *dma = rb_entry(n, struct vfio_dma, node);

		dma->vaddr_invalid = false;
		iommu->vaddr_invalid_count--;
	}
}

static int type1_do_unmap(struct vfio_iommu *iommu,
			  struct vfio_iommu_type1_dma_unmap *unmap,
			  struct vfio_bitmap *bitmap)
{
	bool all = unmap->flags & VFIO_DMA_UNMAP_FLAG_ALL;
	bool invalidate = unmap->flags & VFIO_DMA_UNMAP_FLAG_VADDR;
	dma_addr_t iova = unmap->iova, last;
	struct vfio_dma *dma, *first;
	struct rb_node *n;
	unsigned long pgmask;
	u64 unmapped = 0;
	int ret = -EINVAL;

	mutex_lock(&iommu->lock);
	/* Emulated groups and invalid vaddrs exclude each other (type1.h). */
	if (invalidate && !list_empty(&iommu->emulated_groups)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	pgmask = (1UL << __ffs(iommu->pgsize_bitmap)) - 1;
	if (all) {
		if (unmap->iova || unmap->size)
			goto out_unlock;
		last = (dma_addr_t)-1;
	} else {
		if (!unmap->size || (unmap->size | unmap->iova) & pgmask)
			goto out_unlock;
		if (unmap->iova + unmap->size - 1 < unmap->iova ||
		    unmap->size > SIZE_MAX)
			goto out_unlock;
		last = iova + unmap->size - 1;
	}
	/* The bitmap is at the smallest page size, of a started tracking. */
	if (bitmap && (!iommu->dirty_tracking ||
		       bitmap->pgsize != pgmask + 1))
		goto out_unlock;

	/*
	 * v2 never splits a mapping: the range must not start or end inside
	 * one.  v1 coalesced mappings long ago, so it instead removes whole
	 * mappings that begin inside the range and reports their full size.
	 */
	if (iommu->v2 && !all) {
		dma = type1_find_dma(iommu, iova, iova);
		if (dma && dma->iova != iova)
			goto out_unlock;
		dma = type1_find_dma(iommu, last, last);
		if (dma && dma->iova + dma->size - 1 != last)
			goto out_unlock;
	}

	ret = 0;
	dma = first = type1_find_dma(iommu, iova, last);
	while (dma) {
		if (!iommu->v2 && iova > dma->iova)
			break;
		n = rb_next(&dma->node);
		if (invalidate) {
			/* All or nothing: undo what this call invalidated. */
			if (dma->vaddr_invalid) {
				type1_revalidate(iommu, first, dma);
				unmapped = 0;
				ret = -EINVAL;
				break;
			}
			dma->vaddr_invalid = true;
			iommu->vaddr_invalid_count++;
			unmapped += dma->size;
			dma = n ? rb_entry(n, struct vfio_dma, node) : NULL;
			if (dma && dma->iova > last)
				break;
			continue;
		}
		/*
		 * Any holder of the container fd may unmap any mapping, as
		 * on 6.1 and 6.12 (a process that forked, exec'd or received
		 * the fd cleans up after its peers); the pins and the
		 * locked_vm charge go back to the mm that made it.
		 */
		if (bitmap) {
			ret = type1_dirty_copy(iommu, dma, iova, bitmap->data);
			if (ret)
				break;
		}
		unmapped += dma->size;
		type1_remove_dma(iommu, dma);
		dma = n ? rb_entry(n, struct vfio_dma, node) : NULL;
		if (dma && dma->iova > last)
			break;
	}
out_unlock:
	mutex_unlock(&iommu->lock);
	unmap->size = unmapped;
	return ret;
}

long type1_ioctl_unmap_dma(struct vfio_iommu *iommu, unsigned long arg)
{
	u32 mask = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP |
		   VFIO_DMA_UNMAP_FLAG_ALL | VFIO_DMA_UNMAP_FLAG_VADDR;
	struct vfio_iommu_type1_dma_unmap unmap;
	unsigned long minsz = offsetofend(struct vfio_iommu_type1_dma_unmap,
					  size);
	struct vfio_bitmap bitmap, *bm = NULL;
	int ret;

	if (copy_from_user(&unmap, (void __user *)arg, minsz))
		return -EFAULT;
	if (unmap.argsz < minsz || unmap.flags & ~mask)
		return -EINVAL;
	/* The dirty bitmap goes with an unmap of a given range only. */
	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) {
		if (unmap.flags & (VFIO_DMA_UNMAP_FLAG_ALL |
				   VFIO_DMA_UNMAP_FLAG_VADDR))
			return -EINVAL;
		if (unmap.argsz < minsz + sizeof(bitmap))
			return -EINVAL;
		if (copy_from_user(&bitmap, (void __user *)(arg + minsz),
				   sizeof(bitmap)))
			return -EFAULT;
		if (!access_ok(bitmap.data, bitmap.size) || !bitmap.pgsize)
			return -EINVAL;
		ret = type1_dirty_verify_size(unmap.size >> __ffs(bitmap.pgsize),
					      bitmap.size);
		if (ret)
			return ret;
		bm = &bitmap;
	}
	ret = type1_do_unmap(iommu, &unmap, bm);
	if (ret)
		return ret;
	return copy_to_user((void __user *)arg +
			    offsetof(struct vfio_iommu_type1_dma_unmap, size),
			    &unmap.size, sizeof(unmap.size)) ? -EFAULT : 0;
}
