// SPDX-License-Identifier: GPL-2.0-only
/*
 * type1_domain.c - IOMMU domains and the groups attached to them.
 *
 * The core has claimed DMA ownership of a group before attach_group(), so
 * attaching it to one of our domains is all it takes to put its devices
 * behind our page tables.  Groups share a domain when they can (same IOMMU
 * ops, same cache-coherency enforcement); otherwise a new domain is made
 * and every existing mapping is replayed into it.  The usable IOVA space is
 * the intersection of the domains' apertures minus every group's reserved
 * regions (except relaxable direct mappings), and a group whose reserved
 * regions hit an existing mapping is refused.
 *
 * Groups of devices without an IOMMU (emulated devices registered with
 * vfio_add_emulated_group_dev()) get no domain: mappings made while only
 * they are attached are recorded without pinning, and pinned when the
 * first real domain arrives.
 *
 * Everything here runs under iommu->lock.
 */
#include <linux/iommu.h>
#include <linux/slab.h>

#include "type1.h"

/* ------------------------------------------------------------ IOVA list */

void type1_free_iova_list(struct list_head *list)
{
	struct type1_iova_range *r, *tmp;

	list_for_each_entry_safe(r, tmp, list, next) {
		list_del(&r->next);
		kfree(r);
	}
}

/* Remove [start, last] from the sorted, disjoint ranges of @list. */
static int type1_iova_exclude(struct list_head *list, dma_addr_t start,
			      dma_addr_t last)
{
	struct type1_iova_range *r, *tmp, *split;

	list_for_each_entry_safe(r, tmp, list, next) {
		if (last < r->start || start > r->last)
			continue;
		if (start > r->start && last < r->last) {
			split = kmalloc(sizeof(*split), GFP_KERNEL);
			if (!split)
				return -ENOMEM;
			split->start = last + 1;
			split->last = r->last;
			r->last = start - 1;
			list_add(&split->next, &r->next);
			return 0;
		}
		if (start <= r->start && last >= r->last) {
			list_del(&r->next);
			kfree(r);
		} else if (start <= r->start) {
			r->start = last + 1;
		} else {
			r->last = start - 1;
		}
	}
	return 0;
}

static int type1_iova_clip(struct list_head *list, struct iommu_domain *dom)
{
	int ret = 0;

	if (!dom->geometry.force_aperture)
		return 0;
	if (dom->geometry.aperture_start)
		ret = type1_iova_exclude(list, 0,
					 dom->geometry.aperture_start - 1);
	if (!ret && dom->geometry.aperture_end != (dma_addr_t)-1)
		ret = type1_iova_exclude(list, dom->geometry.aperture_end + 1,
					 (dma_addr_t)-1);
	return ret;
}

static int type1_iova_exclude_group(struct list_head *list,
				    struct iommu_group *group)
{
	struct iommu_resv_region *region, *tmp;
	LIST_HEAD(resv);
	int ret;

	ret = iommu_get_group_resv_regions(group, &resv);
	list_for_each_entry(region, &resv, list) {
		if (ret || region->type == IOMMU_RESV_DIRECT_RELAXABLE ||
		    !region->length)
			continue;
		ret = type1_iova_exclude(list, region->start,
					 region->start + region->length - 1);
	}
	list_for_each_entry_safe(region, tmp, &resv, list) {
		list_del(&region->list);
		kfree(region);
	}
	return ret;
}

/*
 * The usable IOVA ranges with every current domain and group, plus
 * @new_domain/@new_group if given, minus @skip (a group leaving).
 */
static int type1_build_iova_list(struct vfio_iommu *iommu,
				 struct iommu_domain *new_domain,
				 struct iommu_group *new_group,
				 struct iommu_group *skip,
				 struct list_head *out)
{
	struct type1_iova_range *all;
	struct type1_domain *d;
	struct type1_group *g;
	int ret = 0;

	all = kmalloc(sizeof(*all), GFP_KERNEL);
	if (!all)
		return -ENOMEM;
	all->start = 0;
	all->last = (dma_addr_t)-1;
	list_add(&all->next, out);

	list_for_each_entry(d, &iommu->domain_list, next) {
		ret = ret ?: type1_iova_clip(out, d->domain);
		list_for_each_entry(g, &d->group_list, next)
			if (g->iommu_group != skip)
				ret = ret ?: type1_iova_exclude_group(out,
							g->iommu_group);
	}
	if (new_domain)
		ret = ret ?: type1_iova_clip(out, new_domain);
	if (new_group)
		ret = ret ?: type1_iova_exclude_group(out, new_group);
	if (ret)
		type1_free_iova_list(out);
	return ret;
}

/* Does every mapping fit in @list? */
static int type1_iova_list_check(struct vfio_iommu *iommu,
				 struct list_head *list,
				 struct iommu_group *group)
{
	struct type1_iova_range *r;
	struct rb_node *n;

	if (list_empty(list)) {
		pr_warn_ratelimited("IOMMU group %d: no usable IOVA range left with this group's reserved regions\n",
				    iommu_group_id(group));
		return -EINVAL;
	}
	for (n = rb_first(&iommu->dma_list); n; n = rb_next(n)) {
		struct vfio_dma *dma = rb_entry(n, struct vfio_dma, node);
		bool ok = false;

		list_for_each_entry(r, list, next)
			ok |= dma->iova >= r->start &&
			      dma->iova + dma->size - 1 <= r->last;
		if (!ok) {
			pr_warn_ratelimited("IOMMU group %d: its reserved regions or aperture conflict with the mapping at iova 0x%llx-0x%llx; unmap it before attaching the group\n",
					    iommu_group_id(group),
					    (unsigned long long)dma->iova,
					    (unsigned long long)(dma->iova +
								 dma->size - 1));
			return -EINVAL;
		}
	}
	return 0;
}

static void type1_commit_iova_list(struct vfio_iommu *iommu,
				   struct list_head *list)
{
	type1_free_iova_list(&iommu->iova_list);
	list_splice_init(list, &iommu->iova_list);
}

/* ------------------------------------------------------------ helpers */

static void type1_update_pgsizes(struct vfio_iommu *iommu)
{
	unsigned long bitmap = ULONG_MAX;
	struct type1_domain *d;

	/* No IOMMU (emulated groups only): any multiple of PAGE_SIZE. */
	if (list_empty(&iommu->domain_list)) {
		iommu->pgsize_bitmap = PAGE_MASK;
		return;
	}
	list_for_each_entry(d, &iommu->domain_list, next)
		bitmap &= d->domain->pgsize_bitmap;
	/* Sub-page IOMMU pages are used in whole CPU pages. */
	if (bitmap & ~PAGE_MASK || !bitmap) {
		bitmap &= PAGE_MASK;
		bitmap |= PAGE_SIZE;
	}
	iommu->pgsize_bitmap = bitmap;
}

/*
 * VFIO_DMA_CC_IOMMU once the backend is set: every domain enforces cache
 * coherency.  With no domain at all (emulated groups only: their "DMA" is
 * the CPU copying, always coherent) that holds, and 6.1 and 6.12 say 1.
 * Before SET_IOMMU the core asks us with no iommu and we say 0, as they do.
 */
bool type1_all_domains_coherent(struct vfio_iommu *iommu)
{
	struct type1_domain *d;

	list_for_each_entry(d, &iommu->domain_list, next)
		if (!d->enforce_cache_coherency)
			return false;
	return true;
}

static struct type1_group *type1_find_group(struct vfio_iommu *iommu,
					    struct iommu_group *group,
					    struct type1_domain **domain)
{
	struct type1_domain *d;
	struct type1_group *g;

	*domain = NULL;
	list_for_each_entry(g, &iommu->emulated_groups, next)
		if (g->iommu_group == group)
			return g;
	list_for_each_entry(d, &iommu->domain_list, next)
		list_for_each_entry(g, &d->group_list, next)
			if (g->iommu_group == group) {
				*domain = d;
				return g;
			}
	return NULL;
}

struct type1_alloc {
	struct iommu_domain	*domain;
	bool			emulated;
	bool			alloc;
};

/* Look at (and if asked allocate from) the group's first device only. */
static int type1_alloc_from_dev(struct device *dev, void *data)
{
	struct type1_alloc *a = data;

	if (!dev->iommu)
		a->emulated = true;
	else if (a->alloc)
		a->domain = vfioctl_iommu_domain_alloc(dev);
	return 1;
}

/* Undo a replay of the mappings below @stop into @domain. */
static void type1_unreplay(struct vfio_iommu *iommu,
			   struct iommu_domain *domain, struct vfio_dma *stop)
{
	struct rb_node *n;

	for (n = rb_first(&iommu->dma_list); n; n = rb_next(n)) {
		struct vfio_dma *dma = rb_entry(n, struct vfio_dma, node);

		if (dma == stop)
			break;
		if (dma->pinned)
			type1_unmap_dma_domain(dma, domain);
	}
}

/*
 * Put every mapping into a new domain @d: map the pinned ones; pin (and so
 * map) the ones recorded while there was no domain.  All or nothing.
 */
static int type1_replay(struct vfio_iommu *iommu, struct type1_domain *d)
{
	bool first = list_empty(&iommu->domain_list);
	struct vfio_dma *dma = NULL;
	struct rb_node *n;
	int ret = 0;

	for (n = rb_first(&iommu->dma_list); n && !ret; n = rb_next(n)) {
		dma = rb_entry(n, struct vfio_dma, node);
		if (dma->pinned)
			ret = type1_map_dma_domain(dma, d->domain);
	}
	if (ret) {
		type1_unreplay(iommu, d->domain, dma);
		return ret;
	}
	if (!first)
		return 0;

	/* type1_pin_dma() maps into the domain list: just @d. */
	list_add(&d->next, &iommu->domain_list);
	for (n = rb_first(&iommu->dma_list); n && !ret; n = rb_next(n)) {
		dma = rb_entry(n, struct vfio_dma, node);
		if (!dma->pinned)
			ret = type1_pin_dma(iommu, dma);
	}
	if (ret) {
		for (n = rb_first(&iommu->dma_list); n; n = rb_next(n)) {
			struct vfio_dma *p = rb_entry(n, struct vfio_dma, node);

			if (p == dma)
				break;
			type1_unmap_dma_domain(p, d->domain);
			type1_unpin_dma(iommu, p);
		}
	}
	list_del(&d->next);
	return ret;
}

/* ------------------------------------------------------------ attach */

static int type1_attach_domain(struct vfio_iommu *iommu,
			       struct type1_group *g,
			       struct iommu_domain *domain)
{
	struct iommu_group *group = g->iommu_group;
	struct type1_domain *nd;
	LIST_HEAD(iovas);
	bool coherent = false;
	int ret;

	/* Nesting must be enabled while the domain has no device yet. */
	ret = iommu->nesting ? iommu_enable_nesting(domain) : 0;
	if (!ret)
		ret = iommu_attach_group(domain, group);
	if (ret) {
		iommu_domain_free(domain);
		return ret;
	}
	if (domain->ops->enforce_cache_coherency)
		coherent = domain->ops->enforce_cache_coherency(domain);

	ret = type1_build_iova_list(iommu, domain, group, NULL, &iovas);
	if (ret)
		goto out_detach;
	ret = type1_iova_list_check(iommu, &iovas, group);
	if (ret)
		goto out_iovas;

	ret = -ENOMEM;
	nd = kzalloc(sizeof(*nd), GFP_KERNEL);
	if (!nd)
		goto out_iovas;
	nd->domain = domain;
	nd->enforce_cache_coherency = coherent;
	INIT_LIST_HEAD(&nd->group_list);
	ret = type1_replay(iommu, nd);
	if (ret) {
		kfree(nd);
		goto out_iovas;
	}
	list_add(&g->next, &nd->group_list);
	list_add_tail(&nd->next, &iommu->domain_list);
	type1_update_pgsizes(iommu);
	type1_commit_iova_list(iommu, &iovas);
	return 0;

out_iovas:
	type1_free_iova_list(&iovas);
out_detach:
	iommu_detach_group(domain, group);
	iommu_domain_free(domain);
	return ret;
}

/*
 * Join an existing domain if the IOMMU driver accepts the group into it:
 * the driver refuses (-EINVAL/-EMEDIUMTYPE...) what is incompatible, e.g.
 * a domain enforcing cache coherency and a device that cannot snoop.
 * Trying this before allocating spares a domain and an attach/detach
 * cycle.  Returns 0 if joined, -ENODEV if no domain would have the group.
 */
static int type1_join_domain(struct vfio_iommu *iommu, struct type1_group *g)
{
	struct iommu_group *group = g->iommu_group;
	struct type1_domain *d;
	LIST_HEAD(iovas);
	int ret;

	if (type1_domain_per_group || list_empty(&iommu->domain_list))
		return -ENODEV;
	ret = type1_build_iova_list(iommu, NULL, group, NULL, &iovas);
	if (ret)
		return ret;
	ret = type1_iova_list_check(iommu, &iovas, group);
	if (ret)
		goto out;
	ret = -ENODEV;
	list_for_each_entry(d, &iommu->domain_list, next) {
		if (iommu_attach_group(d->domain, group))
			continue;
		list_add(&g->next, &d->group_list);
		type1_commit_iova_list(iommu, &iovas);
		return 0;
	}
out:
	type1_free_iova_list(&iovas);
	return ret;
}

int type1_attach_group(struct vfio_iommu *iommu, struct iommu_group *group)
{
	struct type1_alloc a = { NULL, false };
	struct type1_domain *d;
	struct type1_group *g;
	int ret = 0;

	mutex_lock(&iommu->lock);
	if (type1_find_group(iommu, group, &d)) {
		ret = -EINVAL;
		goto out_unlock;
	}
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	g->iommu_group = group;

	iommu_group_for_each_dev(group, &a, type1_alloc_from_dev);
	if (a.emulated) {
		/*
		 * Emulated devices would reach memory through vaddr, which
		 * VFIO_UPDATE_VADDR may have invalidated (stock: EBUSY).
		 */
		if (iommu->vaddr_invalid_count) {
			ret = -EBUSY;
			kfree(g);
			goto out_unlock;
		}
		list_add(&g->next, &iommu->emulated_groups);
		goto out_unlock;
	}
	if (!type1_allow_unsafe_interrupts &&
	    !vfioctl_group_has_isolated_msi(group)) {
		pr_warn("IOMMU group %d: no interrupt remapping (isolated MSI), a device could forge MSIs; load vfio_iommu_type1 with allow_unsafe_interrupts=1 to use VFIO on this platform anyway\n",
			iommu_group_id(group));
		ret = -EPERM;
		kfree(g);
		goto out_unlock;
	}
	ret = type1_join_domain(iommu, g);
	if (ret != -ENODEV) {
		if (ret)
			kfree(g);
		goto out_unlock;
	}

	a.alloc = true;
	iommu_group_for_each_dev(group, &a, type1_alloc_from_dev);
	if (IS_ERR_OR_NULL(a.domain)) {
		ret = a.domain ? PTR_ERR(a.domain) : -ENODEV;
		pr_warn_ratelimited("IOMMU group %d: cannot allocate an IOMMU domain (%d)\n",
				    iommu_group_id(group), ret);
		kfree(g);
		goto out_unlock;
	}
	ret = type1_attach_domain(iommu, g, a.domain);
	if (ret)
		kfree(g);
out_unlock:
	mutex_unlock(&iommu->lock);
	return ret;
}

/* ------------------------------------------------------------ detach */

static bool type1_no_groups_left(struct vfio_iommu *iommu)
{
	return list_empty(&iommu->domain_list) &&
	       list_empty(&iommu->emulated_groups);
}

void type1_detach_group(struct vfio_iommu *iommu, struct iommu_group *group)
{
	struct type1_domain *d;
	struct type1_group *g;
	LIST_HEAD(iovas);
	struct rb_node *n;

	mutex_lock(&iommu->lock);
	g = type1_find_group(iommu, group, &d);
	if (!g)
		goto out_unlock;
	list_del(&g->next);
	kfree(g);

	if (d) {
		iommu_detach_group(d->domain, group);
		if (list_empty(&d->group_list)) {
			/*
			 * Last group of the last domain: the pins go with it,
			 * unless emulated groups keep the mappings alive
			 * (recorded, no longer pinned).
			 */
			if (list_is_singular(&iommu->domain_list)) {
				for (n = rb_first(&iommu->dma_list); n;
				     n = rb_next(n)) {
					struct vfio_dma *dma = rb_entry(n,
						struct vfio_dma, node);

					if (!dma->pinned)
						continue;
					type1_unmap_dma_domain(dma, d->domain);
					type1_unpin_dma(iommu, dma);
				}
			}
			list_del(&d->next);
			iommu_domain_free(d->domain);
			kfree(d);
		}
	}
	if (type1_no_groups_left(iommu))
		type1_remove_all_dma(iommu);

	type1_update_pgsizes(iommu);
	/* The space can only grow; on failure keep the smaller list. */
	if (list_empty(&iommu->domain_list))
		type1_free_iova_list(&iommu->iova_list);
	else if (!type1_build_iova_list(iommu, NULL, NULL, NULL, &iovas))
		type1_commit_iova_list(iommu, &iovas);
out_unlock:
	mutex_unlock(&iommu->lock);
}

/* Container release: detach and free whatever is still attached. */
void type1_release_domains(struct vfio_iommu *iommu)
{
	struct type1_domain *d, *dtmp;
	struct type1_group *g, *gtmp;

	list_for_each_entry_safe(d, dtmp, &iommu->domain_list, next) {
		list_for_each_entry_safe(g, gtmp, &d->group_list, next) {
			iommu_detach_group(d->domain, g->iommu_group);
			list_del(&g->next);
			kfree(g);
		}
		list_del(&d->next);
		iommu_domain_free(d->domain);
		kfree(d);
	}
	list_for_each_entry_safe(g, gtmp, &iommu->emulated_groups, next) {
		list_del(&g->next);
		kfree(g);
	}
}
