// SPDX-License-Identifier: GPL-2.0-only
/*
 * type1_main.c - the type1/type1v2 IOMMU backend: module parameters,
 * registration with the core, container lifetime and ioctl dispatch,
 * CHECK_EXTENSION and GET_INFO with its capability chain.
 *
 * Mapping lives in type1_dma.c, pinning in type1_pin.c, IOMMU domains and
 * groups in type1_domain.c; the object model is described in type1.h.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "type1.h"

unsigned int type1_dma_entry_limit __read_mostly = U16_MAX;
module_param_named(dma_entry_limit, type1_dma_entry_limit, uint, 0644);
MODULE_PARM_DESC(dma_entry_limit,
		 "Maximum number of user DMA mappings per container (65535).");

bool type1_allow_unsafe_interrupts;
module_param_named(allow_unsafe_interrupts, type1_allow_unsafe_interrupts,
		   bool, 0644);
MODULE_PARM_DESC(allow_unsafe_interrupts,
		 "Enable VFIO IOMMU support on platforms without interrupt remapping support.");

bool type1_disable_hugepages;
module_param_named(disable_hugepages, type1_disable_hugepages, bool, 0644);
MODULE_PARM_DESC(disable_hugepages,
		 "Disable VFIO IOMMU support for IOMMU hugepages.");

bool type1_domain_per_group;
module_param_named(domain_per_group, type1_domain_per_group, bool, 0644);
MODULE_PARM_DESC(domain_per_group,
		 "Debugging: give every group its own IOMMU domain, replaying the mappings into it, instead of sharing a compatible one.");

static void *vfio_iommu_type1_open(unsigned long arg)
{
	struct vfio_iommu *iommu;

	if (arg != VFIO_TYPE1_IOMMU && arg != VFIO_TYPE1v2_IOMMU &&
	    arg != VFIO_TYPE1_NESTING_IOMMU)
		return ERR_PTR(-EINVAL);

	iommu = kzalloc(sizeof(*iommu), GFP_KERNEL);
	if (!iommu)
		return ERR_PTR(-ENOMEM);
	mutex_init(&iommu->lock);
	INIT_LIST_HEAD(&iommu->domain_list);
	INIT_LIST_HEAD(&iommu->emulated_groups);
	INIT_LIST_HEAD(&iommu->iova_list);
	iommu->dma_list = RB_ROOT;
	iommu->dma_avail = READ_ONCE(type1_dma_entry_limit);
	iommu->pgsize_bitmap = PAGE_MASK;
	/* Nesting is v2 on domains the IOMMU driver made nestable. */
	iommu->nesting = arg == VFIO_TYPE1_NESTING_IOMMU;
	iommu->v2 = arg == VFIO_TYPE1v2_IOMMU || iommu->nesting;
	return iommu;
}

/*
 * The container lost its last group or was closed.  Normally every group
 * was detached first (which already dropped the mappings); cope with the
 * core calling us with groups still attached all the same.
 */
static void vfio_iommu_type1_release(void *iommu_data)
{
	struct vfio_iommu *iommu = iommu_data;

	mutex_lock(&iommu->lock);
	type1_remove_all_dma(iommu);
	type1_release_domains(iommu);
	type1_free_iova_list(&iommu->iova_list);
	mutex_unlock(&iommu->lock);
	mutex_destroy(&iommu->lock);
	kfree(iommu);
}

static long type1_check_extension(struct vfio_iommu *iommu, unsigned long arg)
{
	long ret;

	switch (arg) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
	/*
	 * Stock type1 answers it until 6.13 whatever the IOMMU; SET_IOMMU
	 * then fails if the IOMMU driver cannot enable nesting.
	 */
	case VFIO_TYPE1_NESTING_IOMMU:
		return 1;
	case VFIO_UPDATE_VADDR:
		/*
		 * As upstream since the vaddr fixes of 6.2 (marked for
		 * stable): only a container without emulated groups offers
		 * it, so none before SET_IOMMU.  type1-extras.bats prints
		 * what the stock kernel answers.
		 */
		if (!iommu)
			return 0;
		mutex_lock(&iommu->lock);
		ret = list_empty(&iommu->emulated_groups);
		mutex_unlock(&iommu->lock);
		return ret;
	case VFIO_DMA_CC_IOMMU:
		if (!iommu)
			return 0;
		mutex_lock(&iommu->lock);
		ret = type1_all_domains_coherent(iommu);
		mutex_unlock(&iommu->lock);
		return ret;
	default:
		return 0;
	}
}

static int type1_cap_iova_range(struct vfio_iommu *iommu,
				struct vfio_info_cap *caps)
{
	struct vfio_iommu_type1_info_cap_iova_range *cap;
	struct vfio_info_cap_header *header;
	struct type1_iova_range *r;
	u32 n = 0;

	list_for_each_entry(r, &iommu->iova_list, next)
		n++;
	/* No domain yet: no ranges to report, like upstream. */
	if (!n)
		return 0;
	header = vfio_info_cap_add(caps, struct_size(cap, iova_ranges, n),
				   VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1);
	if (IS_ERR(header))
		return PTR_ERR(header);
	cap = container_of(header, typeof(*cap), header);
	cap->nr_iovas = n;
	n = 0;
	list_for_each_entry(r, &iommu->iova_list, next) {
		cap->iova_ranges[n].start = r->start;
		cap->iova_ranges[n].end = r->last;
		n++;
	}
	return 0;
}

/* Dirty tracking at the smallest IOMMU page size (type1_dirty.c). */
static int type1_cap_migration(struct vfio_iommu *iommu,
			       struct vfio_info_cap *caps)
{
	struct vfio_iommu_type1_info_cap_migration *cap;
	struct vfio_info_cap_header *header;

	header = vfio_info_cap_add(caps, sizeof(*cap),
				   VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, 1);
	if (IS_ERR(header))
		return PTR_ERR(header);
	cap = container_of(header, typeof(*cap), header);
	cap->flags = 0;
	cap->pgsize_bitmap = 1UL << __ffs(iommu->pgsize_bitmap);
	cap->max_dirty_bitmap_size = type1_dirty_bitmap_size_max();
	return 0;
}

static int type1_cap_dma_avail(struct vfio_iommu *iommu,
			       struct vfio_info_cap *caps)
{
	struct vfio_iommu_type1_info_dma_avail *cap;
	struct vfio_info_cap_header *header;

	header = vfio_info_cap_add(caps, sizeof(*cap),
				   VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 1);
	if (IS_ERR(header))
		return PTR_ERR(header);
	cap = container_of(header, typeof(*cap), header);
	cap->avail = iommu->dma_avail;
	return 0;
}

/*
 * argsz negotiation as upstream: the pre-caps struct (up to iova_pgsizes)
 * is the minimum; if the caps do not fit, CAPS is still flagged, argsz
 * grows to what is needed and cap_offset stays 0.  Only the first
 * min(argsz, sizeof(info)) bytes of the struct are written back.
 */
static long type1_get_info(struct vfio_iommu *iommu, unsigned long arg)
{
	struct vfio_iommu_type1_info info = {};
	struct vfio_info_cap caps = { .buf = NULL, .size = 0 };
	void __user *uarg = (void __user *)arg;
	unsigned long minsz;
	int ret;

	minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	if (copy_from_user(&info, uarg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	minsz = min_t(size_t, info.argsz, sizeof(info));

	mutex_lock(&iommu->lock);
	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = iommu->pgsize_bitmap;
	/* In upstream's order. */
	ret = type1_cap_migration(iommu, &caps);
	if (!ret)
		ret = type1_cap_dma_avail(iommu, &caps);
	if (!ret)
		ret = type1_cap_iova_range(iommu, &caps);
	mutex_unlock(&iommu->lock);
	if (ret)
		goto out;

	if (caps.size) {
		info.flags |= VFIO_IOMMU_INFO_CAPS;
		if (info.argsz < sizeof(info) + caps.size) {
			info.argsz = sizeof(info) + caps.size;
		} else {
			vfio_info_cap_shift(&caps, sizeof(info));
			if (copy_to_user(uarg + sizeof(info), caps.buf,
					 caps.size)) {
				ret = -EFAULT;
				goto out;
			}
			info.cap_offset = sizeof(info);
		}
	}
	if (copy_to_user(uarg, &info, minsz))
		ret = -EFAULT;
out:
	kfree(caps.buf);
	return ret;
}

static long vfio_iommu_type1_ioctl(void *iommu_data, unsigned int cmd,
				   unsigned long arg)
{
	struct vfio_iommu *iommu = iommu_data;

	if (cmd == VFIO_CHECK_EXTENSION)
		return type1_check_extension(iommu, arg);
	if (!iommu)
		return -EINVAL;

	switch (cmd) {
	case VFIO_IOMMU_GET_INFO:
		return type1_get_info(iommu, arg);
	case VFIO_IOMMU_MAP_DMA:
		return type1_ioctl_map_dma(iommu, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return type1_ioctl_unmap_dma(iommu, arg);
	case VFIO_IOMMU_DIRTY_PAGES:
		return type1_ioctl_dirty_pages(iommu, arg);
	default:
		return -ENOTTY;
	}
}

static int vfio_iommu_type1_attach_group(void *iommu_data,
					 struct iommu_group *group)
{
	return type1_attach_group(iommu_data, group);
}

static void vfio_iommu_type1_detach_group(void *iommu_data,
					  struct iommu_group *group)
{
	type1_detach_group(iommu_data, group);
}

static void vfio_iommu_type1_stats(void *iommu_data,
				   struct vfio_iommu_stats *stats)
{
	struct vfio_iommu *iommu = iommu_data;

	/*
	 * Not under iommu->lock, which a MAP_DMA holds for as long as it
	 * pins: introspection must never wait for it.  Each counter is
	 * written with WRITE_ONCE() under the lock; together they are a
	 * snapshot that may straddle one map or unmap.
	 */
	stats->dma_mappings = READ_ONCE(iommu->dma_count);
	stats->pinned_bytes = (u64)READ_ONCE(iommu->pinned_pages) << PAGE_SHIFT;
	stats->locked_bytes = (u64)READ_ONCE(iommu->locked_pages) << PAGE_SHIFT;
}

static const struct vfio_iommu_driver_ops vfio_iommu_driver_ops_type1 = {
	.name		= "vfio-iommu-type1",
	.owner		= THIS_MODULE,
	.open		= vfio_iommu_type1_open,
	.release	= vfio_iommu_type1_release,
	.ioctl		= vfio_iommu_type1_ioctl,
	.attach_group	= vfio_iommu_type1_attach_group,
	.detach_group	= vfio_iommu_type1_detach_group,
	.stats		= vfio_iommu_type1_stats,
};

static int __init vfio_iommu_type1_init(void)
{
	return vfio_register_iommu_driver(&vfio_iommu_driver_ops_type1);
}

static void __exit vfio_iommu_type1_cleanup(void)
{
	vfio_unregister_iommu_driver(&vfio_iommu_driver_ops_type1);
}

module_init(vfio_iommu_type1_init);
module_exit(vfio_iommu_type1_cleanup);

MODULE_VERSION(VFIOCTL_VERSION "-vfioctl");
MODULE_LICENSE("GPL v2");
MODULE_AUTHOR("vfioctl developers");
MODULE_DESCRIPTION("Type1 IOMMU driver for VFIO (vfioctl)");
