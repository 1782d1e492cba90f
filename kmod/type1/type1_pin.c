// SPDX-License-Identifier: GPL-2.0-only
/*
 * type1_pin.c - pinning user memory for DMA and charging it to locked_vm.
 *
 * Pages are pinned FOLL_LONGTERM (so they are migrated out of movable
 * zones/CMA first) in batches of one page worth of struct page pointers.
 * Physically contiguous pages are gathered into runs, and each run goes to
 * iommu_map() in one call, which picks the largest page size the domain
 * supports for it (2 MiB for a THP at a 2 MiB-aligned iova).  The runs are
 * kept on the vfio_dma, so unpinning is one range unpin per run.
 *
 * locked_vm: every pinned page that is not PageReserved is charged to the
 * mapping mm, against RLIMIT_MEMLOCK unless the mapper had CAP_IPC_LOCK.
 * The limit is checked before each batch is kept (so a map cannot pin far
 * beyond it) and charged once at the end under the mmap lock.
 *
 * Peer-to-peer: a range that cannot be pinned from its first page on may
 * be a VM_PFNMAP mapping, typically a vfio-pci BAR mmap.  Its pfns are
 * looked up (faulted in if need be) and mapped as they are, with upstream's
 * rules: VM_PFNMAP vmas only, writable ptes for a writable mapping, only
 * pfns the kernel does not refcount (MMIO or reserved pages), nothing
 * pinned, nothing charged.  Unlike upstream a mapping is all pinned pages
 * or all PFNMAP pfns, never a mix (dma->pfnmap).  Nothing follows the vma
 * afterwards, as upstream: see docs/security.md.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "type1.h"

#define TYPE1_PIN_BATCH		(PAGE_SIZE / sizeof(struct page *))

/* Runs beyond run0 go to page-sized chunks. */
static int type1_add_run(struct vfio_dma *dma, const struct type1_run *run)
{
	struct type1_run_chunk *chunk;

	if (!dma->nr_runs) {
		dma->run0 = *run;
		dma->nr_runs = 1;
		return 0;
	}
	chunk = list_last_entry(&dma->chunks, struct type1_run_chunk, next);
	if (list_empty(&dma->chunks) || chunk->nr == TYPE1_RUNS_PER_CHUNK) {
		chunk = kmalloc(sizeof(*chunk), GFP_KERNEL_ACCOUNT);
		if (!chunk)
			return -ENOMEM;
		chunk->nr = 0;
		list_add_tail(&chunk->next, &dma->chunks);
	}
	chunk->runs[chunk->nr++] = *run;
	dma->nr_runs++;
	return 0;
}

static void type1_free_runs(struct vfio_dma *dma)
{
	struct type1_run_chunk *chunk, *tmp;

	list_for_each_entry_safe(chunk, tmp, &dma->chunks, next) {
		list_del(&chunk->next);
		kfree(chunk);
	}
	dma->nr_runs = 0;
}

/* A run can be a GiB of pages: unpin it in pieces, yielding in between. */
static int type1_unpin_run(struct vfio_dma *dma, dma_addr_t iova,
			   const struct type1_run *run, void *data)
{
	bool dirty = *(bool *)data;
	unsigned long done = 0, n;

	while (done < run->npages) {
		n = min_t(unsigned long, run->npages - done,
			  TYPE1_RESCHED_PAGES);
		unpin_user_page_range_dirty_lock(pfn_to_page(run->pfn + done),
						 n, dirty);
		done += n;
		if (done < run->npages)
			cond_resched();
	}
	return 0;
}

/*
 * Charge (@inc) or uncharge @npages to the mapping mm.  A mm that is gone
 * (its last user exited) has no locked_vm left to give back.
 */
static int type1_account(struct vfio_dma *dma, unsigned long npages, bool inc)
{
	struct mm_struct *mm = dma->mm;
	int ret;

	if (!npages)
		return 0;
	if (!mmget_not_zero(mm))
		return inc ? -ESRCH : 0;
	mmap_write_lock(mm);
	ret = __account_locked_vm(mm, npages, inc, current, dma->lock_cap);
	mmap_write_unlock(mm);
	mmput(mm);
	return ret;
}

static void type1_warn_memlock(struct vfio_dma *dma, unsigned long limit,
			       unsigned long locked)
{
	pr_warn_ratelimited("%s[%d]: RLIMIT_MEMLOCK (%lu) exceeded: mapping %zu bytes at iova 0x%llx with %lu bytes already locked; raise the process's memlock limit (ulimit -l) or grant CAP_IPC_LOCK\n",
			    current->comm, task_tgid_nr(current),
			    limit << PAGE_SHIFT, dma->size,
			    (unsigned long long)dma->iova,
			    locked << PAGE_SHIFT);
}

static long type1_pin_batch(struct vfio_dma *dma, unsigned long vaddr,
			    unsigned long npages, struct page **pages,
			    bool remote)
{
	unsigned int flags = FOLL_LONGTERM;
	long ret;

	if (dma->prot & IOMMU_WRITE)
		flags |= FOLL_WRITE;
	if (!remote)
		return pin_user_pages_fast(vaddr, npages, flags, pages);
	mmap_read_lock(dma->mm);
	ret = vfioctl_pin_user_pages_remote(dma->mm, vaddr, npages, flags,
					    pages);
	mmap_read_unlock(dma->mm);
	return ret;
}

/* Map one run into every domain; on failure no domain keeps it. */
static int type1_map_run_all(struct vfio_iommu *iommu, struct vfio_dma *dma,
			     dma_addr_t iova, const struct type1_run *run)
{
	size_t len = run->npages << PAGE_SHIFT;
	struct type1_domain *d;
	int ret;

	list_for_each_entry(d, &iommu->domain_list, next) {
		ret = type1_iommu_map(d->domain, iova, PFN_PHYS(run->pfn),
				      len, dma->prot);
		if (ret) {
			list_for_each_entry_continue_reverse(d,
					&iommu->domain_list, next)
				type1_iommu_unmap(d->domain, iova, len);
			return ret;
		}
	}
	return 0;
}

/* Map, then record, the run being built; the caller advances past it. */
static int type1_flush_run(struct vfio_iommu *iommu, struct vfio_dma *dma,
			   dma_addr_t iova, const struct type1_run *run)
{
	struct type1_domain *d;
	int ret;

	ret = type1_map_run_all(iommu, dma, iova, run);
	if (ret)
		return ret;
	ret = type1_add_run(dma, run);
	if (ret)
		list_for_each_entry(d, &iommu->domain_list, next)
			type1_iommu_unmap(d->domain, iova,
					  run->npages << PAGE_SHIFT);
	return ret;
}

/* Is @pfn one the kernel does not refcount: MMIO, or a reserved page? */
static bool type1_pfn_unrefcounted(unsigned long pfn)
{
	return !pfn_valid(pfn) || PageReserved(pfn_to_page(pfn));
}

/*
 * The pfn behind @vaddr of @mm, which must lie in a VM_PFNMAP vma; the pte
 * is faulted in first if need be (vfio-pci populates BAR mmaps on fault).
 * -ENXIO if @vaddr is not in a VM_PFNMAP vma at all, -EFAULT if it is but
 * cannot be used (no pte after the fault, read-only pte for a writable
 * mapping, a refcounted page), or fixup_user_fault()'s error.
 */
static int type1_pfnmap_lookup(struct mm_struct *mm, unsigned long vaddr,
			       bool write, unsigned long *pfn)
{
	unsigned int fault = FAULT_FLAG_REMOTE | (write ? FAULT_FLAG_WRITE : 0);
	struct vm_area_struct *vma;
	bool writable, unlocked;
	int ret;

	mmap_read_lock(mm);
retry:
	ret = -ENXIO;
	vma = vma_lookup(mm, vaddr);
	if (!vma || !(vma->vm_flags & VM_PFNMAP))
		goto out;
	if (vfioctl_follow_pfn(vma, vaddr, pfn, &writable)) {
		unlocked = false;
		ret = fixup_user_fault(mm, vaddr, fault, &unlocked);
		if (ret)
			goto out;
		/* The lock was dropped: the vma may be another one now. */
		if (unlocked) {
			ret = -EINTR;
			if (fatal_signal_pending(current))
				goto out;
			goto retry;
		}
		ret = -EFAULT;
		if (vfioctl_follow_pfn(vma, vaddr, pfn, &writable))
			goto out;
	}
	ret = -EFAULT;
	if ((write && !writable) || !type1_pfn_unrefcounted(*pfn))
		goto out;
	ret = 0;
out:
	mmap_read_unlock(mm);
	return ret;
}

/*
 * Map all of a PFNMAP @dma into every domain, physically contiguous pfns
 * as one run; nothing is pinned or charged.  @pin_err is what pinning the
 * first page said, returned if that page is not PFNMAP memory either.  All
 * or nothing.  The caller holds iommu->lock and a reference on dma->mm.
 */
static int type1_map_pfnmap(struct vfio_iommu *iommu, struct vfio_dma *dma,
			    int pin_err)
{
	unsigned long npages = dma->size >> PAGE_SHIFT, i, pfn;
	bool write = dma->prot & IOMMU_WRITE;
	struct type1_run cur = { 0, 0 };
	dma_addr_t iova = dma->iova;	/* where @cur starts */
	struct type1_domain *d;
	int ret = 0;

	for (i = 0; i < npages; i++) {
		ret = type1_pfnmap_lookup(dma->mm, dma->vaddr + (i << PAGE_SHIFT),
					  write, &pfn);
		if (ret) {
			if (ret == -ENXIO)
				ret = i ? -EFAULT : pin_err;
			break;
		}
		if (cur.npages && pfn == cur.pfn + cur.npages &&
		    !type1_disable_hugepages) {
			cur.npages++;
		} else {
			if (cur.npages) {
				ret = type1_flush_run(iommu, dma, iova, &cur);
				if (ret)
					break;
				iova += cur.npages << PAGE_SHIFT;
			}
			cur.pfn = pfn;
			cur.npages = 1;
		}
		if (!((i + 1) % TYPE1_RESCHED_PAGES)) {
			if (fatal_signal_pending(current)) {
				ret = -EINTR;
				break;
			}
			cond_resched();
		}
	}
	if (!ret && cur.npages) {
		ret = type1_flush_run(iommu, dma, iova, &cur);
		if (!ret)
			iova += cur.npages << PAGE_SHIFT;
	}
	if (ret) {
		if (iova > dma->iova)
			list_for_each_entry(d, &iommu->domain_list, next)
				type1_iommu_unmap(d->domain, dma->iova,
						  iova - dma->iova);
		type1_free_runs(dma);
		return ret;
	}
	dma->pfnmap = true;
	dma->pinned = true;
	return 0;
}

/*
 * Pin all of @dma and map it into every domain.  All or nothing: on error
 * nothing stays mapped, pinned or charged.  Called with iommu->lock held.
 */
int type1_pin_dma(struct vfio_iommu *iommu, struct vfio_dma *dma)
{
	unsigned long npages = dma->size >> PAGE_SHIFT, done = 0, locked = 0;
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	struct page *stack_pages[16], **pages = stack_pages;
	unsigned long batch_max = ARRAY_SIZE(stack_pages);
	bool remote = current->mm != dma->mm, dirty = false;
	struct type1_run cur = { 0, 0 };
	dma_addr_t iova = dma->iova;	/* where @cur starts */
	struct type1_domain *d;
	long got, i;
	int ret = 0;

	/* Emulated groups and invalid vaddrs exclude each other (type1.h). */
	if (dma->vaddr_invalid)
		return -EBUSY;
	if (npages > batch_max) {
		pages = (struct page **)__get_free_page(GFP_KERNEL);
		if (!pages)
			return -ENOMEM;
		batch_max = TYPE1_PIN_BATCH;
	}
	/* Replaying into a new domain from another process. */
	if (remote && !mmget_not_zero(dma->mm)) {
		ret = -ESRCH;
		goto out_free;
	}

	while (done < npages) {
		unsigned long acct = 0;

		got = type1_pin_batch(dma, dma->vaddr + (done << PAGE_SHIFT),
				      min(npages - done, batch_max), pages,
				      remote);
		if (got <= 0) {
			/* Unmapped, PFNMAP or read-only-for-WRITE memory. */
			ret = got ? got : -EFAULT;
			/* Nothing pinnable from the start: peer-to-peer? */
			if (!done) {
				ret = type1_map_pfnmap(iommu, dma, ret);
				goto out_put;
			}
			break;
		}
		for (i = 0; i < got; i++)
			if (!PageReserved(pages[i]))
				acct++;
		if (!dma->lock_cap && acct &&
		    READ_ONCE(dma->mm->locked_vm) + locked + acct > limit) {
			type1_warn_memlock(dma, limit,
					   READ_ONCE(dma->mm->locked_vm));
			unpin_user_pages(pages, got);
			ret = -ENOMEM;
			break;
		}
		locked += acct;

		for (i = 0; i < got; i++) {
			unsigned long pfn = page_to_pfn(pages[i]);

			if (cur.npages && pfn == cur.pfn + cur.npages &&
			    !type1_disable_hugepages) {
				cur.npages++;
				continue;
			}
			if (cur.npages) {
				ret = type1_flush_run(iommu, dma, iova, &cur);
				if (ret) {
					unpin_user_pages(pages + i, got - i);
					break;
				}
				iova += cur.npages << PAGE_SHIFT;
			}
			cur.pfn = pfn;
			cur.npages = 1;
		}
		if (ret)
			break;
		done += got;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	if (!ret && cur.npages) {
		ret = type1_flush_run(iommu, dma, iova, &cur);
		if (!ret) {
			iova += cur.npages << PAGE_SHIFT;
			cur.npages = 0;
		}
	}
	if (!ret) {
		ret = type1_account(dma, locked, true);
		if (ret == -ENOMEM)
			type1_warn_memlock(dma, limit,
					   READ_ONCE(dma->mm->locked_vm));
	}
	if (remote)
		mmput(dma->mm);

	if (ret) {
		/* The run under construction was never mapped or recorded. */
		if (cur.npages)
			type1_unpin_run(dma, iova, &cur, &dirty);
		if (iova > dma->iova)
			list_for_each_entry(d, &iommu->domain_list, next)
				type1_iommu_unmap(d->domain, dma->iova,
						  iova - dma->iova);
		type1_for_each_run(dma, type1_unpin_run, &dirty);
		type1_free_runs(dma);
	} else {
		dma->pinned = true;
		dma->locked_pages = locked;
		WRITE_ONCE(iommu->pinned_pages, iommu->pinned_pages + npages);
		WRITE_ONCE(iommu->locked_pages, iommu->locked_pages + locked);
	}
	goto out_free;
out_put:
	if (remote)
		mmput(dma->mm);
out_free:
	if (pages != stack_pages)
		free_page((unsigned long)pages);
	return ret;
}

/*
 * MAP_DMA with FLAG_VADDR from another mm (a live update that exec'd):
 * the new mm owns @dma from now on, with its locked_vm charge, checked
 * against the caller's RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK.  The
 * pins stay as they are.  Called with iommu->lock held.
 */
int type1_change_owner(struct vfio_dma *dma)
{
	struct mm_struct *old = dma->mm, *mm = current->mm;
	bool lock_cap = capable(CAP_IPC_LOCK);
	int ret = 0;

	if (mm == old)
		return 0;
	if (dma->locked_pages) {
		mmap_write_lock(mm);
		ret = __account_locked_vm(mm, dma->locked_pages, true, current,
					  lock_cap);
		mmap_write_unlock(mm);
		if (ret) {
			type1_warn_memlock(dma, rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT,
					   READ_ONCE(mm->locked_vm));
			return ret;
		}
		type1_account(dma, dma->locked_pages, false);
	}
	dma->mm = mm;
	mmgrab(mm);
	mmdrop(old);
	dma->lock_cap = lock_cap;
	return 0;
}

/*
 * Unpin @dma (already unmapped from every domain) and uncharge it.  PFNMAP
 * pfns were never pinned: only their runs go.
 */
void type1_unpin_dma(struct vfio_iommu *iommu, struct vfio_dma *dma)
{
	bool dirty = dma->prot & IOMMU_WRITE;

	if (dma->pfnmap) {
		type1_free_runs(dma);
		dma->pfnmap = false;
		dma->pinned = false;
		return;
	}

	type1_for_each_run(dma, type1_unpin_run, &dirty);
	type1_free_runs(dma);
	type1_account(dma, dma->locked_pages, false);
	WRITE_ONCE(iommu->pinned_pages,
		   iommu->pinned_pages - (dma->size >> PAGE_SHIFT));
	WRITE_ONCE(iommu->locked_pages,
		   iommu->locked_pages - dma->locked_pages);
	dma->locked_pages = 0;
	dma->pinned = false;
}
