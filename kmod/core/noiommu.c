// SPDX-License-Identifier: GPL-2.0-only
/*
 * noiommu.c - UNSAFE no-IOMMU mode: devices without IOMMU protection given
 * to userspace that holds CAP_SYS_RAWIO.  Off unless the administrator sets
 * enable_unsafe_noiommu_mode; using it taints the kernel.
 */
#include <linux/module.h>

#include "vfio_private.h"

bool vfio_noiommu __read_mostly;
module_param_named(enable_unsafe_noiommu_mode, vfio_noiommu, bool, 0644);
MODULE_PARM_DESC(enable_unsafe_noiommu_mode,
		 "Enable UNSAFE, no-IOMMU mode.  This mode provides no device isolation, no DMA translation, no host kernel protection, cannot be used for device assignment to virtual machines, requires RAWIO permissions, and will taint the kernel.  If you do not know what this is for, step away. (default: false)");

/* The iommudata of the iommu_groups we make marks them as no-IOMMU. */
static char vfio_noiommu_marker;

bool vfio_iommu_group_is_noiommu(struct iommu_group *iommu_group)
{
	return iommu_group_get_iommudata(iommu_group) == &vfio_noiommu_marker;
}

struct iommu_group *vfio_iommu_group_get(struct device *dev)
{
	struct iommu_group *group;
	int ret;

	group = iommu_group_get(dev);
	if (group || !vfio_noiommu)
		return group;

	/*
	 * No IOMMU group and no-IOMMU mode is on: there is no IOMMU for this
	 * device, make a group of one so the rest of VFIO works unchanged.
	 */
	group = iommu_group_alloc();
	if (IS_ERR(group))
		return NULL;

	iommu_group_set_name(group, "vfio-noiommu");
	iommu_group_set_iommudata(group, &vfio_noiommu_marker, NULL);
	ret = iommu_group_add_device(group, dev);
	if (ret) {
		iommu_group_put(group);
		return NULL;
	}

	add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	dev_warn(dev, "Adding kernel taint for vfio-noiommu group on device\n");
	return group;
}
EXPORT_SYMBOL_GPL(vfio_iommu_group_get);

void vfio_iommu_group_put(struct iommu_group *group, struct device *dev)
{
	if (vfio_iommu_group_is_noiommu(group))
		iommu_group_remove_device(dev);
	iommu_group_put(group);
}
EXPORT_SYMBOL_GPL(vfio_iommu_group_put);

/* The backend of no-IOMMU containers: nothing to map, only the extension. */
static void *vfio_noiommu_open(unsigned long arg)
{
	if (arg != VFIO_NOIOMMU_IOMMU)
		return ERR_PTR(-EINVAL);
	if (!capable(CAP_SYS_RAWIO))
		return ERR_PTR(-EPERM);
	return NULL;
}

static void vfio_noiommu_release(void *iommu_data)
{
}

static long vfio_noiommu_ioctl(void *iommu_data, unsigned int cmd,
			       unsigned long arg)
{
	if (cmd == VFIO_CHECK_EXTENSION)
		return vfio_noiommu && arg == VFIO_NOIOMMU_IOMMU ? 1 : 0;
	return -ENOTTY;
}

static int vfio_noiommu_attach_group(void *iommu_data,
				     struct iommu_group *iommu_group)
{
	return 0;
}

static void vfio_noiommu_detach_group(void *iommu_data,
				      struct iommu_group *iommu_group)
{
}

const struct vfio_iommu_driver_ops vfio_noiommu_ops = {
	.name		= "vfio-noiommu",
	.owner		= THIS_MODULE,
	.open		= vfio_noiommu_open,
	.release	= vfio_noiommu_release,
	.ioctl		= vfio_noiommu_ioctl,
	.attach_group	= vfio_noiommu_attach_group,
	.detach_group	= vfio_noiommu_detach_group,
};
