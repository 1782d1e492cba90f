// SPDX-License-Identifier: GPL-2.0-only
/*
 * container.c - /dev/vfio/vfio: the IOMMU context that groups join.
 *
 * The container answers GET_API_VERSION, CHECK_EXTENSION and SET_IOMMU
 * itself and forwards everything else to the backend chosen by SET_IOMMU.
 */
#include <linux/file.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "vfio_private.h"

void vfio_container_get(struct vfio_container *container)
{
	kref_get(&container->kref);
}

static void vfio_container_release(struct kref *kref)
{
	struct vfio_container *container =
		container_of(kref, struct vfio_container, kref);

	xa_erase(&vfio.containers, container->id);
	kfree(container);
}

void vfio_container_put(struct vfio_container *container)
{
	kref_put(&container->kref, vfio_container_release);
}

/* A no-IOMMU container only ever talks to the no-IOMMU backend. */
bool vfio_iommu_driver_allowed(struct vfio_container *container,
			       struct vfio_iommu_driver *driver)
{
	return container->noiommu == (driver->ops == &vfio_noiommu_ops);
}

long vfio_ioctl_check_extension(struct vfio_container *container,
				unsigned long arg)
{
	struct vfio_iommu_driver *driver;
	long ret = 0;

	down_read(&container->group_lock);
	driver = container->iommu_driver;
	if (driver) {
		ret = driver->ops->ioctl(container->iommu_data,
					 VFIO_CHECK_EXTENSION, arg);
		goto out;
	}

	/* No backend yet: any backend that could be set may answer. */
	mutex_lock(&vfio.iommu_drivers_lock);
	list_for_each_entry(driver, &vfio.iommu_drivers_list, vfio_next) {
		if (!list_empty(&container->group_list) &&
		    !vfio_iommu_driver_allowed(container, driver))
			continue;
		if (!try_module_get(driver->ops->owner))
			continue;
		ret = driver->ops->ioctl(NULL, VFIO_CHECK_EXTENSION, arg);
		module_put(driver->ops->owner);
		if (ret > 0)
			break;
	}
	mutex_unlock(&vfio.iommu_drivers_lock);
out:
	up_read(&container->group_lock);
	return ret > 0 ? ret : 0;
}

/* Attach every group to a freshly opened backend; undo all on failure. */
static int __vfio_container_attach_groups(struct vfio_container *container,
					  struct vfio_iommu_driver *driver,
					  void *data)
{
	struct vfio_group *group;
	int ret = -ENODEV;

	list_for_each_entry(group, &container->group_list, container_next) {
		ret = driver->ops->attach_group(data, group->iommu_group);
		if (ret)
			goto unwind;
	}
	return 0;

unwind:
	list_for_each_entry_continue_reverse(group, &container->group_list,
					     container_next)
		driver->ops->detach_group(data, group->iommu_group);
	return ret;
}

static long vfio_ioctl_set_iommu(struct vfio_container *container,
				 unsigned long arg)
{
	struct vfio_iommu_driver *driver;
	long ret = -ENODEV;

	down_write(&container->group_lock);

	/*
	 * The container is an IOMMU context for its groups: it needs a group
	 * to know which backends fit, and there is no way to unset a backend
	 * other than removing every group.
	 */
	if (list_empty(&container->group_list) || container->iommu_driver) {
		up_write(&container->group_lock);
		return -EINVAL;
	}

	mutex_lock(&vfio.iommu_drivers_lock);
	list_for_each_entry(driver, &vfio.iommu_drivers_list, vfio_next) {
		void *data;

		if (!vfio_iommu_driver_allowed(container, driver))
			continue;
		if (!try_module_get(driver->ops->owner))
			continue;

		if (driver->ops->ioctl(NULL, VFIO_CHECK_EXTENSION, arg) <= 0) {
			module_put(driver->ops->owner);
			continue;
		}

		data = driver->ops->open(arg);
		if (IS_ERR(data)) {
			ret = PTR_ERR(data);
			module_put(driver->ops->owner);
			continue;
		}

		ret = __vfio_container_attach_groups(container, driver, data);
		if (ret) {
			driver->ops->release(data);
			module_put(driver->ops->owner);
			continue;
		}

		/* The module reference is kept until the backend is released. */
		container->iommu_driver = driver;
		container->iommu_data = data;
		container->iommu_type = arg;
		break;
	}
	mutex_unlock(&vfio.iommu_drivers_lock);
	up_write(&container->group_lock);

	if (!ret)
		vfio_nl_event(VFIOCTL_EVENT_IOMMU_SET, NULL, container, NULL,
			      NULL);
	return ret;
}

/*
 * Claim DMA ownership of a real IOMMU group before the backend attaches:
 * from here no kernel driver without driver_managed_dma can bind to a
 * device of the group, and the group cannot be claimed twice.
 */
static int vfio_group_claim_dma(struct vfio_group *group)
{
	int ret;

	if (group->type != VFIO_IOMMU)
		return 0;
	ret = iommu_group_claim_dma_owner(group->iommu_group, group);
	if (ret) {
		char dev[64] = "", drv[64] = "";

		vfio_group_blocker(group, dev, sizeof(dev), drv, sizeof(drv));
		pr_info_ratelimited("group %d: cannot claim DMA ownership (%d)%s%s%s%s%s\n",
				    iommu_group_id(group->iommu_group), ret,
				    dev[0] ? ": device " : "", dev,
				    drv[0] ? " is bound to " : "", drv,
				    dev[0] ? "; unbind it or bind it to vfio-pci" : "");
		return ret;
	}
	group->dma_owned = true;
	return 0;
}

static void vfio_group_release_dma(struct vfio_group *group)
{
	if (group->dma_owned) {
		iommu_group_release_dma_owner(group->iommu_group);
		group->dma_owned = false;
	}
}

/* Called with group->ioctl_lock held and no container set on @group. */
int vfio_container_attach_group(struct vfio_container *container,
				struct vfio_group *group)
{
	struct vfio_iommu_driver *driver;
	bool noiommu = group->type == VFIO_NO_IOMMU;
	int ret = 0;

	down_write(&container->group_lock);

	/* Real IOMMU groups and no-IOMMU groups never share a container. */
	if (!list_empty(&container->group_list) &&
	    container->noiommu != noiommu) {
		ret = -EPERM;
		goto out;
	}

	ret = vfio_group_claim_dma(group);
	if (ret)
		goto out;

	driver = container->iommu_driver;
	if (driver) {
		ret = driver->ops->attach_group(container->iommu_data,
						group->iommu_group);
		if (ret) {
			vfio_group_release_dma(group);
			goto out;
		}
	}

	group->container = container;
	WRITE_ONCE(group->container_id, container->id);
	container->noiommu = noiommu;
	list_add(&group->container_next, &container->group_list);

	/* The group holds a container reference and counts as its first user. */
	vfio_container_get(container);
	atomic_inc(&group->container_users);
out:
	up_write(&container->group_lock);
	return ret;
}

/*
 * Detach @group from its container.  Called by whoever dropped
 * container_users to 0; nothing else can use the attachment any more.
 */
void __vfio_group_unset_container(struct vfio_group *group)
{
	struct vfio_container *container = group->container;
	struct vfio_iommu_driver *driver;

	down_write(&container->group_lock);

	driver = container->iommu_driver;
	if (driver)
		driver->ops->detach_group(container->iommu_data,
					  group->iommu_group);
	vfio_group_release_dma(group);

	group->container = NULL;
	WRITE_ONCE(group->container_id, 0);
	list_del(&group->container_next);

	/* The last group takes the backend with it: back to a fresh container. */
	if (driver && list_empty(&container->group_list)) {
		driver->ops->release(container->iommu_data);
		module_put(driver->ops->owner);
		container->iommu_driver = NULL;
		container->iommu_data = NULL;
		container->iommu_type = 0;
	}

	up_write(&container->group_lock);

	vfio_nl_event(VFIOCTL_EVENT_CONTAINER_UNSET, group, container, NULL,
		      NULL);
	vfio_container_put(container);
}

/* ---------------------------------------------------------------- fops */

static int vfio_fops_open(struct inode *inode, struct file *filep)
{
	struct vfio_container *container;
	int ret;

	container = kzalloc(sizeof(*container), GFP_KERNEL);
	if (!container)
		return -ENOMEM;

	INIT_LIST_HEAD(&container->group_list);
	init_rwsem(&container->group_lock);
	kref_init(&container->kref);
	vfio_holder_init(&container->holder);

	ret = xa_alloc(&vfio.containers, &container->id, container,
		       xa_limit_32b, GFP_KERNEL);
	if (ret) {
		kfree(container);
		return ret;
	}

	filep->private_data = container;
	return 0;
}

static int vfio_fops_release(struct inode *inode, struct file *filep)
{
	struct vfio_container *container = filep->private_data;

	filep->private_data = NULL;
	vfio_container_put(container);
	return 0;
}

static long vfio_fops_unl_ioctl(struct file *filep, unsigned int cmd,
				unsigned long arg)
{
	struct vfio_container *container = filep->private_data;
	struct vfio_iommu_driver *driver;
	long ret = -EINVAL;

	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return vfio_ioctl_check_extension(container, arg);
	case VFIO_SET_IOMMU:
		return vfio_ioctl_set_iommu(container, arg);
	}

	down_read(&container->group_lock);
	driver = container->iommu_driver;
	if (driver && driver->ops->ioctl)
		ret = driver->ops->ioctl(container->iommu_data, cmd, arg);
	up_read(&container->group_lock);
	return ret;
}

static ssize_t vfio_fops_read(struct file *filep, char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct vfio_container *container = filep->private_data;
	struct vfio_iommu_driver *driver;
	ssize_t ret = -EINVAL;

	down_read(&container->group_lock);
	driver = container->iommu_driver;
	if (driver && driver->ops->read)
		ret = driver->ops->read(container->iommu_data, buf, count,
					ppos);
	up_read(&container->group_lock);
	return ret;
}

static ssize_t vfio_fops_write(struct file *filep, const char __user *buf,
			       size_t count, loff_t *ppos)
{
	struct vfio_container *container = filep->private_data;
	struct vfio_iommu_driver *driver;
	ssize_t ret = -EINVAL;

	down_read(&container->group_lock);
	driver = container->iommu_driver;
	if (driver && driver->ops->write)
		ret = driver->ops->write(container->iommu_data, buf, count,
					 ppos);
	up_read(&container->group_lock);
	return ret;
}

static int vfio_fops_mmap(struct file *filep, struct vm_area_struct *vma)
{
	struct vfio_container *container = filep->private_data;
	struct vfio_iommu_driver *driver;
	int ret = -EINVAL;

	/*
	 * mmap runs under mmap_lock, and backends take mmap_lock under
	 * group_lock to pin memory: only backends that implement mmap (and
	 * then must not pin under group_lock) get to take group_lock here.
	 */
	driver = READ_ONCE(container->iommu_driver);
	if (!driver || !driver->ops->mmap)
		return -EINVAL;

	down_read(&container->group_lock);
	driver = container->iommu_driver;
	if (driver && driver->ops->mmap)
		ret = driver->ops->mmap(container->iommu_data, vma);
	up_read(&container->group_lock);
	return ret;
}

const struct file_operations vfio_fops = {
	.owner		= THIS_MODULE,
	.open		= vfio_fops_open,
	.release	= vfio_fops_release,
	.read		= vfio_fops_read,
	.write		= vfio_fops_write,
	.unlocked_ioctl	= vfio_fops_unl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= vfio_fops_mmap,
};
