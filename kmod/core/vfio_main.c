// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_main.c - module init/exit of the vfioctl VFIO core and the IOMMU
 * backend registry.  Containers live in container.c, groups in group.c,
 * devices in device.c.
 */
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "vfio_private.h"

struct vfio_core vfio = {
	.iommu_drivers_list = LIST_HEAD_INIT(vfio.iommu_drivers_list),
	.iommu_drivers_lock = __MUTEX_INITIALIZER(vfio.iommu_drivers_lock),
	.group_lock	    = __MUTEX_INITIALIZER(vfio.group_lock),
	.groups		    = XARRAY_INIT(vfio.groups, 0),
	.containers	    = XARRAY_INIT(vfio.containers, XA_FLAGS_ALLOC1),
	.release_q	    = __WAIT_QUEUE_HEAD_INITIALIZER(vfio.release_q),
};

void vfio_holder_init(struct vfio_holder *holder)
{
	holder->pid = task_tgid_nr(current);
	get_task_comm(holder->comm, current);
}

/*
 * Backends are tried newest first by SET_IOMMU and CHECK_EXTENSION; a
 * backend in use by a container is pinned through its module reference,
 * so unregistering never races with a user.
 */
int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops)
{
	struct vfio_iommu_driver *driver, *tmp;

	if (WARN_ON(!ops->open || !ops->release || !ops->ioctl))
		return -EINVAL;

	driver = kzalloc(sizeof(*driver), GFP_KERNEL);
	if (!driver)
		return -ENOMEM;
	driver->ops = ops;

	mutex_lock(&vfio.iommu_drivers_lock);
	list_for_each_entry(tmp, &vfio.iommu_drivers_list, vfio_next) {
		if (tmp->ops == ops) {
			mutex_unlock(&vfio.iommu_drivers_lock);
			kfree(driver);
			return -EINVAL;
		}
	}
	list_add(&driver->vfio_next, &vfio.iommu_drivers_list);
	mutex_unlock(&vfio.iommu_drivers_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_register_iommu_driver);

void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops)
{
	struct vfio_iommu_driver *driver;

	mutex_lock(&vfio.iommu_drivers_lock);
	list_for_each_entry(driver, &vfio.iommu_drivers_list, vfio_next) {
		if (driver->ops == ops) {
			list_del(&driver->vfio_next);
			kfree(driver);
			break;
		}
	}
	mutex_unlock(&vfio.iommu_drivers_lock);
}
EXPORT_SYMBOL_GPL(vfio_unregister_iommu_driver);

static struct miscdevice vfio_dev = {
	.minor		= VFIO_MINOR,
	.name		= "vfio",
	.fops		= &vfio_fops,
	.nodename	= "vfio/vfio",
	.mode		= 0666,
};

static int __init vfio_init(void)
{
	int ret;

	ret = vfio_register_iommu_driver(&vfio_noiommu_ops);
	if (ret)
		return ret;

	ret = vfio_group_init();
	if (ret)
		goto err_noiommu;

	ret = misc_register(&vfio_dev);
	if (ret) {
		pr_err("cannot register misc device /dev/vfio/vfio: %d (is another vfio loaded?)\n",
		       ret);
		goto err_group;
	}
	ret = vfio_netlink_init();
	if (ret)
		goto err_misc;

	pr_info("vfioctl VFIO core %s\n", VFIOCTL_VERSION);
	if (vfio_noiommu)
		pr_warn("UNSAFE no-IOMMU mode enabled: devices without an IOMMU can be used by userspace\n");
	return 0;

err_misc:
	misc_deregister(&vfio_dev);
err_group:
	vfio_group_exit();
err_noiommu:
	vfio_unregister_iommu_driver(&vfio_noiommu_ops);
	return ret;
}

static void __exit vfio_cleanup(void)
{
	vfio_netlink_exit();
	misc_deregister(&vfio_dev);
	vfio_group_exit();
	vfio_unregister_iommu_driver(&vfio_noiommu_ops);
	WARN_ON(!list_empty(&vfio.iommu_drivers_list));
	WARN_ON(!xa_empty(&vfio.groups));
	WARN_ON(!xa_empty(&vfio.containers));
}

module_init(vfio_init);
module_exit(vfio_cleanup);

MODULE_VERSION(VFIOCTL_VERSION "-vfioctl");
MODULE_LICENSE("GPL v2");
MODULE_AUTHOR("vfioctl developers");
MODULE_DESCRIPTION("VFIO core (vfioctl) - user level meta-driver");
MODULE_ALIAS_MISCDEV(VFIO_MINOR);
MODULE_ALIAS("devname:vfio/vfio");
MODULE_SOFTDEP("post: vfio_iommu_type1");
