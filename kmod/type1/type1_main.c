// SPDX-License-Identifier: GPL-2.0-only
/*
 * type1_main.c - the type1/type1v2 IOMMU backend: registration.
 *
 * FOUNDATION SKELETON: registers with the core and declines every IOMMU
 * type, so the stack loads and unloads; mapping comes with the type1 work.
 */
#include <linux/module.h>

#include "vfio.h"

static void *vfio_iommu_type1_open(unsigned long arg)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static void vfio_iommu_type1_release(void *iommu_data)
{
}

static long vfio_iommu_type1_ioctl(void *iommu_data, unsigned int cmd,
				   unsigned long arg)
{
	if (cmd == VFIO_CHECK_EXTENSION)
		return 0;
	return -ENOTTY;
}

static int vfio_iommu_type1_attach_group(void *iommu_data,
					 struct iommu_group *group)
{
	return -EOPNOTSUPP;
}

static void vfio_iommu_type1_detach_group(void *iommu_data,
					  struct iommu_group *group)
{
}

static const struct vfio_iommu_driver_ops vfio_iommu_driver_ops_type1 = {
	.name		= "vfio-iommu-type1",
	.owner		= THIS_MODULE,
	.open		= vfio_iommu_type1_open,
	.release	= vfio_iommu_type1_release,
	.ioctl		= vfio_iommu_type1_ioctl,
	.attach_group	= vfio_iommu_type1_attach_group,
	.detach_group	= vfio_iommu_type1_detach_group,
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
