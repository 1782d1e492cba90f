// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_main.c - module init/exit of the vfioctl VFIO core, the container
 * character device /dev/vfio/vfio and the IOMMU backend registry.
 *
 * FOUNDATION SKELETON: containers answer GET_API_VERSION and
 * CHECK_EXTENSION only; groups, devices and SET_IOMMU come with the core.
 */
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "vfio.h"
#include "vfio_private.h"

struct vfio_iommu_driver {
	const struct vfio_iommu_driver_ops	*ops;
	struct list_head			vfio_next;
};

/* Registered backends; protected by iommu_drivers_lock. */
static LIST_HEAD(iommu_drivers_list);
static DEFINE_MUTEX(iommu_drivers_lock);

int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops)
{
	struct vfio_iommu_driver *driver, *tmp;

	driver = kzalloc(sizeof(*driver), GFP_KERNEL);
	if (!driver)
		return -ENOMEM;
	driver->ops = ops;

	mutex_lock(&iommu_drivers_lock);
	list_for_each_entry(tmp, &iommu_drivers_list, vfio_next) {
		if (tmp->ops == ops) {
			mutex_unlock(&iommu_drivers_lock);
			kfree(driver);
			return -EINVAL;
		}
	}
	list_add(&driver->vfio_next, &iommu_drivers_list);
	mutex_unlock(&iommu_drivers_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_register_iommu_driver);

void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops)
{
	struct vfio_iommu_driver *driver;

	mutex_lock(&iommu_drivers_lock);
	list_for_each_entry(driver, &iommu_drivers_list, vfio_next) {
		if (driver->ops == ops) {
			list_del(&driver->vfio_next);
			kfree(driver);
			break;
		}
	}
	mutex_unlock(&iommu_drivers_lock);
}
EXPORT_SYMBOL_GPL(vfio_unregister_iommu_driver);

static long vfio_ioctl_check_extension(unsigned long arg)
{
	struct vfio_iommu_driver *driver;
	long ret = 0;

	mutex_lock(&iommu_drivers_lock);
	list_for_each_entry(driver, &iommu_drivers_list, vfio_next) {
		if (!try_module_get(driver->ops->owner))
			continue;
		ret = driver->ops->ioctl(NULL, VFIO_CHECK_EXTENSION, arg);
		module_put(driver->ops->owner);
		if (ret > 0)
			break;
	}
	mutex_unlock(&iommu_drivers_lock);
	return ret > 0 ? ret : 0;
}

static long vfio_fops_unl_ioctl(struct file *filep, unsigned int cmd,
				unsigned long arg)
{
	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return vfio_ioctl_check_extension(arg);
	default:
		return -EINVAL;
	}
}

static const struct file_operations vfio_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vfio_fops_unl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice vfio_dev = {
	.minor	= VFIO_MINOR,
	.name	= "vfio",
	.fops	= &vfio_fops,
	.nodename = "vfio/vfio",
	.mode	= 0666,
};

static int __init vfio_init(void)
{
	int ret;

	ret = misc_register(&vfio_dev);
	if (ret) {
		pr_err("cannot register misc device /dev/vfio/vfio: %d (is another vfio loaded?)\n",
		       ret);
		return ret;
	}
	ret = vfio_netlink_init();
	if (ret) {
		misc_deregister(&vfio_dev);
		return ret;
	}
	pr_info("vfioctl VFIO core %s\n", VFIOCTL_VERSION);
	return 0;
}

static void __exit vfio_cleanup(void)
{
	vfio_netlink_exit();
	misc_deregister(&vfio_dev);
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
