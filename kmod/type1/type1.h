/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * type1.h - private structures of the type1/type1v2 IOMMU backend.
 *
 * Object model and locking
 * ------------------------
 * A struct vfio_iommu is the backend's half of a container (the core's
 * iommu_data cookie).  Its mutex @lock serialises everything below it: the
 * domain list, the mapping tree, the usable IOVA list and the counters.  The
 * core guarantees attach/detach/ioctl/release never race with release, so
 * the vfio_iommu itself needs no refcount.  The counters @dma_count,
 * @pinned_pages and @locked_pages are also read without @lock (stats op,
 * netlink): they are written with WRITE_ONCE() under it.
 *
 * Each struct type1_domain owns one kernel iommu_domain and the groups
 * attached to it.  Groups whose devices are compatible (same IOMMU ops, same
 * cache-coherency enforcement) share a domain; every domain holds every
 * mapping.
 *
 * Each struct vfio_dma is one MAP_DMA: an IOVA range in the rb-tree
 * @dma_list (keyed by iova; ranges never overlap), the mm that made it
 * (mmgrab'd: it owns the pins and the locked_vm charge, whoever unmaps),
 * and the physically contiguous runs of pinned pages that back it (or, for
 * a peer-to-peer mapping of a VM_PFNMAP range, of unpinned MMIO pfns).
 * Keeping the runs lets unmap unpin without walking the IOMMU page tables
 * and lets a new domain be replayed run by run.
 *
 * VFIO_UPDATE_VADDR (live update): UNMAP_DMA with FLAG_VADDR marks mappings
 * vaddr_invalid (counted in @vaddr_invalid_count) and leaves them mapped,
 * pinned and charged; MAP_DMA with FLAG_VADDR gives one its new vaddr and,
 * if it comes from another mm (after exec), moves the locked_vm charge and
 * the ownership there.  Nothing in this backend reads @vaddr of a mapping
 * that is already pinned: only pinning does (type1_pin_dma), and only
 * mappings recorded while emulated groups alone were attached are unpinned.
 * Emulated groups and invalid vaddrs therefore exclude each other, as
 * upstream: no emulated group attaches while the count is non-zero, no
 * vaddr is invalidated while one is attached.  All under @lock.
 */
#ifndef VFIOCTL_TYPE1_H
#define VFIOCTL_TYPE1_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/sched.h>

#include "vfio.h"

extern unsigned int type1_dma_entry_limit;
extern bool type1_allow_unsafe_interrupts;
extern bool type1_disable_hugepages;
extern bool type1_domain_per_group;

struct vfio_iommu {
	struct mutex		lock;
	struct list_head	domain_list;	/* struct type1_domain */
	struct list_head	emulated_groups; /* struct type1_group */
	struct list_head	iova_list;	/* struct type1_iova_range */
	struct rb_root		dma_list;	/* struct vfio_dma */
	unsigned int		dma_avail;	/* dma_entry_limit - mappings */
	unsigned int		dma_count;
	unsigned long		pgsize_bitmap;	/* intersection of domains' */
	unsigned long		pinned_pages;
	unsigned long		locked_pages;
	unsigned int		vaddr_invalid_count; /* mappings whose vaddr
						      * is invalid (UPDATE_VADDR) */
	bool			v2;
	bool			nesting;	/* VFIO_TYPE1_NESTING_IOMMU */
	bool			dirty_tracking;	/* DIRTY_PAGES started */
};

struct type1_domain {
	struct list_head	next;
	struct iommu_domain	*domain;
	struct list_head	group_list;	/* struct type1_group */
	bool			enforce_cache_coherency;
};

struct type1_group {
	struct list_head	next;
	struct iommu_group	*iommu_group;
};

/* A usable IOVA range, inclusive. */
struct type1_iova_range {
	struct list_head	next;
	dma_addr_t		start;
	dma_addr_t		last;
};

/* @npages pages from @pfn on, mapped at consecutive IOVAs. */
struct type1_run {
	unsigned long		pfn;
	unsigned long		npages;
};

#define TYPE1_RUNS_PER_CHUNK \
	((PAGE_SIZE - sizeof(struct list_head) - sizeof(unsigned int)) / \
	 sizeof(struct type1_run))

struct type1_run_chunk {
	struct list_head	next;
	unsigned int		nr;
	struct type1_run	runs[TYPE1_RUNS_PER_CHUNK];
};

struct vfio_dma {
	struct rb_node		node;
	dma_addr_t		iova;
	unsigned long		vaddr;
	size_t			size;
	int			prot;		/* IOMMU_READ/WRITE/CACHE */
	bool			lock_cap;	/* CAP_IPC_LOCK at map time */
	bool			pinned;		/* runs are valid */
	bool			pfnmap;		/* runs are PFNMAP pfns: not
						 * pinned, not charged */
	bool			vaddr_invalid;	/* UNMAP_DMA with FLAG_VADDR:
						 * @vaddr must not be used until
						 * MAP_DMA with FLAG_VADDR */
	struct mm_struct	*mm;		/* mmgrab'd owner */
	unsigned long		locked_pages;	/* charged to mm->locked_vm */
	unsigned long		nr_runs;
	struct type1_run	run0;		/* most maps need one run */
	struct list_head	chunks;		/* runs after run0 */
};

/* Long loops (unpin, replay, unmap) yield at least this often. */
#define TYPE1_RESCHED_PAGES	512

/* Iterate the runs of @dma with their IOVA; yields between runs. */
typedef int (*type1_run_fn)(struct vfio_dma *dma, dma_addr_t iova,
			    const struct type1_run *run, void *data);
int type1_for_each_run(struct vfio_dma *dma, type1_run_fn fn, void *data);

/* type1_dma.c */
struct vfio_dma *type1_find_dma(struct vfio_iommu *iommu, dma_addr_t start,
				dma_addr_t last);
long type1_ioctl_map_dma(struct vfio_iommu *iommu, unsigned long arg);
long type1_ioctl_unmap_dma(struct vfio_iommu *iommu, unsigned long arg);
void type1_remove_all_dma(struct vfio_iommu *iommu);
int type1_map_dma_domain(struct vfio_dma *dma, struct iommu_domain *domain);
void type1_unmap_dma_domain(struct vfio_dma *dma, struct iommu_domain *domain);
int type1_iommu_map(struct iommu_domain *domain, dma_addr_t iova,
		    phys_addr_t paddr, size_t size, int prot);
size_t type1_iommu_unmap(struct iommu_domain *domain, dma_addr_t iova,
			 size_t size);
bool type1_iova_range_valid(struct vfio_iommu *iommu, dma_addr_t start,
			    dma_addr_t last);

/* type1_pin.c */
int type1_pin_dma(struct vfio_iommu *iommu, struct vfio_dma *dma);
void type1_unpin_dma(struct vfio_iommu *iommu, struct vfio_dma *dma);
int type1_change_owner(struct vfio_dma *dma);

/* type1_dirty.c */
u64 type1_dirty_bitmap_size_max(void);
int type1_dirty_verify_size(u64 npages, u64 bytes);
int type1_dirty_copy(struct vfio_iommu *iommu, struct vfio_dma *dma,
		     dma_addr_t base, u64 __user *bitmap);
long type1_ioctl_dirty_pages(struct vfio_iommu *iommu, unsigned long arg);

/* type1_domain.c */
int type1_attach_group(struct vfio_iommu *iommu, struct iommu_group *group);
void type1_detach_group(struct vfio_iommu *iommu, struct iommu_group *group);
void type1_release_domains(struct vfio_iommu *iommu);
bool type1_all_domains_coherent(struct vfio_iommu *iommu);
void type1_free_iova_list(struct list_head *list);

#endif /* VFIOCTL_TYPE1_H */
