// SPDX-License-Identifier: GPL-2.0-only
/*
 * group.c - /dev/vfio/N: the unit of ownership.  A group is the VFIO view
 * of an iommu_group; userspace opens it (one opener at a time), puts it in
 * a container and gets device fds from it.
 *
 * Isolation comes from DMA ownership: joining a container claims the
 * iommu_group, which the IOMMU core refuses while a device of the group is
 * bound to a driver without driver_managed_dma, and which then refuses such
 * drivers until we release it.
 */
#include <linux/file.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "vfio_private.h"

#define VFIO_GROUP_MINORS	(MINORMASK + 1)

/* ---------------------------------------------------------------- lifetime */

static int vfio_alloc_group_minor(struct vfio_group *group)
{
	lockdep_assert_held(&vfio.group_lock);
	return idr_alloc(&vfio.group_minors, group, 0, VFIO_GROUP_MINORS,
			 GFP_KERNEL);
}

static void vfio_free_group_minor(int minor)
{
	lockdep_assert_held(&vfio.group_lock);
	idr_remove(&vfio.group_minors, minor);
}

void vfio_group_get(struct vfio_group *group)
{
	kref_get(&group->kref);
}

/* Called with vfio.group_lock held by kref_put_mutex(). */
static void vfio_group_release(struct kref *kref)
{
	struct vfio_group *group = container_of(kref, struct vfio_group, kref);
	struct iommu_group *iommu_group = group->iommu_group;

	WARN_ON(!list_empty(&group->device_list));
	WARN_ON(group->container);

	xa_erase(&vfio.groups, iommu_group_id(iommu_group));
	device_destroy(vfio.class, MKDEV(MAJOR(vfio.group_devt), group->minor));
	vfio_free_group_minor(group->minor);
	mutex_unlock(&vfio.group_lock);

	vfio_nl_event(VFIOCTL_EVENT_GROUP_REMOVED, group, NULL, NULL, NULL);
	mutex_destroy(&group->device_lock);
	mutex_destroy(&group->ioctl_lock);
	kfree(group);
	iommu_group_put(iommu_group);
}

void vfio_group_put(struct vfio_group *group)
{
	if (kref_put_mutex(&group->kref, vfio_group_release, &vfio.group_lock))
		return;
}

/* Lookup by iommu_group: O(log n) in the number of groups. */
struct vfio_group *vfio_group_get_from_iommu(struct iommu_group *iommu_group)
{
	struct vfio_group *group;

	mutex_lock(&vfio.group_lock);
	group = xa_load(&vfio.groups, iommu_group_id(iommu_group));
	if (group)
		vfio_group_get(group);
	mutex_unlock(&vfio.group_lock);
	return group;
}

static struct vfio_group *vfio_group_get_from_minor(int minor)
{
	struct vfio_group *group;

	mutex_lock(&vfio.group_lock);
	group = idr_find(&vfio.group_minors, minor);
	if (group)
		vfio_group_get(group);
	mutex_unlock(&vfio.group_lock);
	return group;
}

/*
 * Create the VFIO group of @iommu_group, or return the one a racing caller
 * created.  Takes over the caller's reference on @iommu_group on success
 * (a found group already holds its own, so the caller's is dropped).
 */
struct vfio_group *vfio_create_group(struct iommu_group *iommu_group,
				     enum vfio_group_type type)
{
	struct vfio_group *group, *tmp;
	int id = iommu_group_id(iommu_group);
	struct device *dev;
	int minor, ret;

	group = kzalloc(sizeof(*group), GFP_KERNEL);
	if (!group)
		return ERR_PTR(-ENOMEM);

	kref_init(&group->kref);
	INIT_LIST_HEAD(&group->device_list);
	mutex_init(&group->device_lock);
	mutex_init(&group->ioctl_lock);
	atomic_set(&group->container_users, 0);
	atomic_set(&group->opened, 0);
	atomic_set(&group->external_users, 0);
	group->iommu_group = iommu_group;
	group->type = type;

	mutex_lock(&vfio.group_lock);

	tmp = xa_load(&vfio.groups, id);
	if (tmp) {
		if (tmp->type != type) {
			mutex_unlock(&vfio.group_lock);
			pr_err("group %d: registered both as %s and %s group\n",
			       id, tmp->type == VFIO_NO_IOMMU ? "no-IOMMU" : "IOMMU",
			       type == VFIO_NO_IOMMU ? "no-IOMMU" : "IOMMU");
			kfree(group);
			return ERR_PTR(-EINVAL);
		}
		vfio_group_get(tmp);
		mutex_unlock(&vfio.group_lock);
		kfree(group);
		iommu_group_put(iommu_group);
		return tmp;
	}

	minor = vfio_alloc_group_minor(group);
	if (minor < 0) {
		ret = minor;
		goto err_unlock;
	}
	group->minor = minor;

	ret = xa_err(xa_store(&vfio.groups, id, group, GFP_KERNEL));
	if (ret)
		goto err_minor;

	dev = device_create(vfio.class, NULL,
			    MKDEV(MAJOR(vfio.group_devt), minor), group,
			    "%s%d", type == VFIO_NO_IOMMU ? "noiommu-" : "", id);
	if (IS_ERR(dev)) {
		ret = PTR_ERR(dev);
		goto err_xa;
	}
	group->dev = dev;
	mutex_unlock(&vfio.group_lock);

	vfio_nl_event(VFIOCTL_EVENT_GROUP_ADDED, group, NULL, NULL, NULL);
	return group;

err_xa:
	xa_erase(&vfio.groups, id);
err_minor:
	vfio_free_group_minor(minor);
err_unlock:
	mutex_unlock(&vfio.group_lock);
	kfree(group);
	return ERR_PTR(ret);
}

/* ---------------------------------------------------------------- viability */

struct vfio_blocker {
	char	*dev, *drv;
	size_t	dev_len, drv_len;
	bool	found;
};

/*
 * Does @dev, bound to @drv, leave the group usable?  Bridges carry no DMA
 * of their own (classic vfio_dev_whitelisted); PCI drivers that manage DMA
 * themselves (vfio-pci, pci-stub, pcieport) do not use the kernel's DMA
 * API.  Other buses are reported as they are: in the way.
 */
static bool vfio_dev_harmless(struct device *dev, struct device_driver *drv)
{
	if (dev_is_pci(dev)) {
		struct pci_dev *pdev = to_pci_dev(dev);

		if (pdev->hdr_type != PCI_HEADER_TYPE_NORMAL)
			return true;
		if (to_pci_driver(drv)->driver_managed_dma)
			return true;
	}
	return false;
}

static int vfio_blocker_fn(struct device *dev, void *data)
{
	struct vfio_blocker *b = data;
	struct device_driver *drv = READ_ONCE(dev->driver);

	if (!drv || vfio_dev_harmless(dev, drv))
		return 0;
	/*
	 * Not under device_lock (that nests outside the iommu_group mutex
	 * held here): the answer is advisory, DMA ownership is the truth.
	 */
	strscpy(b->dev, dev_name(dev), b->dev_len);
	strscpy(b->drv, drv->name, b->drv_len);
	b->found = true;
	return 1;
}

/*
 * Name the first device that keeps @group from being viable and its driver.
 * Returns 1 if one was found, 0 otherwise.
 */
int vfio_group_blocker(struct vfio_group *group, char *dev, size_t dev_len,
		       char *drv, size_t drv_len)
{
	struct vfio_blocker b = {
		.dev = dev, .dev_len = dev_len, .drv = drv, .drv_len = drv_len,
	};

	if (group->type != VFIO_IOMMU)
		return 0;
	iommu_group_for_each_dev(group->iommu_group, &b, vfio_blocker_fn);
	return b.found;
}

/*
 * A group in a container is viable by construction: we own its DMA.
 * Otherwise it is viable when nobody else does, i.e. no device of the
 * iommu_group is bound to a driver that uses the kernel's DMA API.
 */
bool vfio_group_viable(struct vfio_group *group)
{
	if (group->type != VFIO_IOMMU || READ_ONCE(group->container))
		return true;
	return !iommu_group_dma_owner_claimed(group->iommu_group);
}

/*
 * A device was added to a group that may be in use (the classic notifier's
 * ADD_DEVICE).  DMA ownership already keeps foreign drivers off it; a
 * driver_managed_dma driver (vfio-pci) binding is fine.  Just say so.
 */
int vfio_group_nb_add_dev(struct vfio_group *group, struct device *dev)
{
	if (!atomic_read(&group->container_users))
		return 0;
	dev_info(dev, "added to group %d while it is in use\n",
		 iommu_group_id(group->iommu_group));
	return 0;
}

/* ---------------------------------------------------------------- container users */

/* Drop one container user; the last one detaches the group. */
void vfio_group_try_dissolve_container(struct vfio_group *group)
{
	if (atomic_dec_if_positive(&group->container_users) == 0)
		__vfio_group_unset_container(group);
}

/*
 * The group's last device is gone (unbind or remove) while the group may
 * still be open and in a container: revoke that attachment now, as
 * upstream does, rather than when the group fd is closed.  Otherwise the
 * group keeps DMA ownership of an iommu_group whose last device the bus
 * is about to delete (6.12 WARNs in __iommu_group_free_device(); found by
 * tests/fuzz) and no kernel driver can bind to an unbound device until
 * the user closes the group.  Device fds are all closed by now, so the
 * users left are the group fd's and external users'.  Only the group fd's
 * count is dropped here: an external user (KVM) keeps its count, and with
 * it the attachment, until vfio_group_put_external_user().  Counting users
 * alone cannot tell them apart (one user left may be the external user
 * after the group fd was closed), hence @fd_user.
 */
void vfio_group_revoke_container(struct vfio_group *group)
{
	bool empty;

	mutex_lock(&group->ioctl_lock);
	mutex_lock(&group->device_lock);
	empty = list_empty(&group->device_list);
	mutex_unlock(&group->device_lock);
	if (empty && group->fd_user) {
		group->fd_user = false;
		vfio_group_try_dissolve_container(group);
	}
	mutex_unlock(&group->ioctl_lock);
}

/* ---------------------------------------------------------------- group fd */

static int vfio_group_set_container(struct vfio_group *group, int container_fd)
{
	struct vfio_container *container;
	struct fd f;
	int ret;

	if (atomic_read(&group->container_users))
		return -EINVAL;

	if (group->type == VFIO_NO_IOMMU && !capable(CAP_SYS_RAWIO))
		return -EPERM;

	/* A group whose devices are all gone cannot be used again (ENODEV
	 * as upstream): see vfio_group_revoke_container(). */
	if (!READ_ONCE(group->nr_devices))
		return -ENODEV;

	f = fdget(container_fd);
	if (!fd_file(f))
		return -EBADF;

	/* Only a vfio container fd is a container (no iommufd here). */
	if (fd_file(f)->f_op != &vfio_fops) {
		fdput(f);
		return -VFIOCTL_ERR_NOT_CONTAINER;
	}
	container = fd_file(f)->private_data;

	ret = vfio_container_attach_group(container, group);
	fdput(f);
	if (!ret)
		group->fd_user = true;
	if (!ret)
		vfio_nl_event(VFIOCTL_EVENT_CONTAINER_SET, group, container,
			      NULL, NULL);
	return ret;
}

/* Called with group->ioctl_lock held. */
static int vfio_group_unset_container(struct vfio_group *group)
{
	int users;

	/* Not set, or revoked: the remaining users are not ours to drop. */
	if (!group->fd_user)
		return -EINVAL;
	users = atomic_cmpxchg(&group->container_users, 1, 0);
	if (users != 1)
		return -EBUSY;

	group->fd_user = false;
	__vfio_group_unset_container(group);
	return 0;
}

static long vfio_group_ioctl_get_status(struct vfio_group *group,
					unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_group_status, flags);
	struct vfio_group_status status;

	if (copy_from_user(&status, (void __user *)arg, minsz))
		return -EFAULT;
	if (status.argsz < minsz)
		return -EINVAL;

	status.flags = 0;
	if (vfio_group_viable(group))
		status.flags |= VFIO_GROUP_FLAGS_VIABLE;
	if (group->container)
		status.flags |= VFIO_GROUP_FLAGS_CONTAINER_SET;

	if (copy_to_user((void __user *)arg, &status, minsz))
		return -EFAULT;
	return 0;
}

static long vfio_group_fops_unl_ioctl(struct file *filep, unsigned int cmd,
				      unsigned long arg)
{
	struct vfio_group *group = filep->private_data;
	long ret = -ENOTTY;

	mutex_lock(&group->ioctl_lock);
	switch (cmd) {
	case VFIO_GROUP_GET_STATUS:
		ret = vfio_group_ioctl_get_status(group, arg);
		break;
	case VFIO_GROUP_SET_CONTAINER: {
		int fd;

		if (get_user(fd, (int __user *)arg)) {
			ret = -EFAULT;
			break;
		}
		/* A negative fd is EBADF from fdget(), as upstream 6.x. */
		ret = vfio_group_set_container(group, fd);
		break;
	}
	case VFIO_GROUP_UNSET_CONTAINER:
		ret = vfio_group_unset_container(group);
		break;
	case VFIO_GROUP_GET_DEVICE_FD: {
		char *name = strndup_user((const char __user *)arg, PAGE_SIZE);

		if (IS_ERR(name)) {
			ret = PTR_ERR(name);
			break;
		}
		ret = vfio_group_get_device_fd(group, name);
		kfree(name);
		break;
	}
	}
	mutex_unlock(&group->ioctl_lock);
	return ret;
}

static int vfio_group_fops_open(struct inode *inode, struct file *filep)
{
	struct vfio_group *group;

	/* A minor without a group: what the chrdev layer says upstream. */
	group = vfio_group_get_from_minor(iminor(inode));
	if (!group)
		return -ENXIO;

	if (group->type == VFIO_NO_IOMMU && !capable(CAP_SYS_RAWIO)) {
		vfio_group_put(group);
		return -EPERM;
	}

	/* One opener at a time. */
	if (atomic_cmpxchg(&group->opened, 0, 1)) {
		vfio_group_put(group);
		return -EBUSY;
	}

	/* Device fds or external users of an earlier open are still around. */
	if (group->container) {
		atomic_dec(&group->opened);
		vfio_group_put(group);
		return -EBUSY;
	}

	vfio_holder_init(&group->holder);
	filep->private_data = group;
	vfio_nl_event(VFIOCTL_EVENT_GROUP_OPENED, group, NULL, NULL,
		      &group->holder);
	return 0;
}

static int vfio_group_fops_release(struct inode *inode, struct file *filep)
{
	struct vfio_group *group = filep->private_data;
	struct vfio_holder holder = group->holder;

	filep->private_data = NULL;

	mutex_lock(&group->ioctl_lock);
	if (group->fd_user) {
		group->fd_user = false;
		vfio_group_try_dissolve_container(group);
	}
	mutex_unlock(&group->ioctl_lock);

	atomic_dec(&group->opened);
	vfio_nl_event(VFIOCTL_EVENT_GROUP_CLOSED, group, NULL, NULL, &holder);
	vfio_group_put(group);
	return 0;
}

const struct file_operations vfio_group_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vfio_group_fops_unl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.open		= vfio_group_fops_open,
	.release	= vfio_group_fops_release,
};

/* ---------------------------------------------------------------- class */

/* Group nodes live in /dev/vfio/, private to root until udev says otherwise. */
static char *vfio_devnode(VFIOCTL_DEVNODE_CONST struct device *dev,
			  umode_t *mode)
{
	if (mode)
		*mode = 0600;
	return kasprintf(GFP_KERNEL, "vfio/%s", dev_name(dev));
}

int vfio_group_init(void)
{
	int ret;

	idr_init(&vfio.group_minors);

	vfio.class = vfioctl_class_create("vfio");
	if (IS_ERR(vfio.class)) {
		ret = PTR_ERR(vfio.class);
		pr_err("cannot create class \"vfio\": %d (is another vfio loaded?)\n",
		       ret);
		return ret;
	}
	vfio.class->devnode = vfio_devnode;

	ret = alloc_chrdev_region(&vfio.group_devt, 0, VFIO_GROUP_MINORS,
				  "vfio");
	if (ret)
		goto err_class;

	/*
	 * One cdev for every minor: the chrdev layer finds it in O(1) (a
	 * cdev per group would sit on one kobj_map chain, O(groups) for each
	 * first open); the group comes from the minor idr.
	 */
	cdev_init(&vfio.group_cdev, &vfio_group_fops);
	ret = cdev_add(&vfio.group_cdev, vfio.group_devt, VFIO_GROUP_MINORS);
	if (ret)
		goto err_region;
	return 0;

err_region:
	unregister_chrdev_region(vfio.group_devt, VFIO_GROUP_MINORS);
err_class:
	class_destroy(vfio.class);
	return ret;
}

void vfio_group_exit(void)
{
	WARN_ON(!idr_is_empty(&vfio.group_minors));
	idr_destroy(&vfio.group_minors);
	cdev_del(&vfio.group_cdev);
	unregister_chrdev_region(vfio.group_devt, VFIO_GROUP_MINORS);
	class_destroy(vfio.class);
}
