// SPDX-License-Identifier: GPL-2.0-only
/*
 * device.c - devices registered by bus drivers and their fds.
 *
 * A bus driver registers a device from probe and unregisters it from
 * remove; unregistering waits, asking the user through ops->request, until
 * every device fd is closed.  Device fds are anonymous inodes whose file
 * operations are forwarded to the bus driver.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pid.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>

#include "vfio_private.h"

#define VFIO_REQUEST_INTERVAL	(10 * HZ)

/* ---------------------------------------------------------------- address_space */

/*
 * anon_inode_getfile() gives every device fd the one inode that all
 * anonymous files of the system share.  A bus driver that must take its
 * user mappings down (vfio-pci on decode off, reset, D3) needs an
 * address_space of its own per device: unmap_mapping_range() on it finds
 * every vma through the rmap, including vmas duplicated by fork() or
 * moved by mremap(), which never told the driver about themselves.  So
 * each device gets an inode on a small pseudo filesystem, and its fds'
 * f_mapping points at that inode's i_mapping.
 *
 * The filesystem is mounted while any device exists (simple_pin_fs()
 * counts); its owner is this module, so a mount torn down late (mntput
 * may be deferred) keeps the module, and vfio_fs_type, alive.
 */

static struct vfsmount *vfio_fs_mnt;
static int vfio_fs_count;	/* guarded by simple_pin_fs() */

static int vfio_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, VFIO_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type vfio_fs_type = {
	.name		= "vfio",
	.owner		= THIS_MODULE,
	.init_fs_context = vfio_fs_init_fs_context,
	.kill_sb	= kill_anon_super,
};

static struct inode *vfio_fs_inode_get(void)
{
	struct inode *inode;
	int ret;

	ret = simple_pin_fs(&vfio_fs_type, &vfio_fs_mnt, &vfio_fs_count);
	if (ret)
		return ERR_PTR(ret);
	inode = alloc_anon_inode(vfio_fs_mnt->mnt_sb);
	if (IS_ERR(inode))
		simple_release_fs(&vfio_fs_mnt, &vfio_fs_count);
	return inode;
}

static void vfio_fs_inode_put(struct inode *inode)
{
	iput(inode);
	simple_release_fs(&vfio_fs_mnt, &vfio_fs_count);
}

/*
 * Valid from vfio_add_group_dev() until vfio_del_group_dev() returns (the
 * core owns drvdata in between), and also while the caller holds a device
 * fd or a device reference.
 */
struct address_space *vfio_device_address_space(struct device *dev)
{
	struct vfio_device *device = dev_get_drvdata(dev);

	return device ? device->inode->i_mapping : NULL;
}
EXPORT_SYMBOL_GPL(vfio_device_address_space);

/* ---------------------------------------------------------------- lifetime */

void vfio_device_get(struct vfio_device *device)
{
	kref_get(&device->kref);
}

/*
 * Called with group->device_lock held by kref_put_mutex().
 *
 * drvdata is cleared while the device is still on the group's list, i.e.
 * before vfio_del_group_dev() can see it gone and let the bus driver's
 * remove return: once it returns, another driver may bind to @dev and set
 * its own drvdata, which a late store here would overwrite.  @dev itself is
 * referenced (get_device() in vfio_group_create_device()) until we are done
 * with it, whatever the bus does with it meanwhile.
 */
static void vfio_device_release(struct kref *kref)
{
	struct vfio_device *device = container_of(kref, struct vfio_device,
						  kref);
	struct vfio_group *group = device->group;
	struct device *dev = device->dev;

	if (dev_get_drvdata(dev) == device)
		dev_set_drvdata(dev, NULL);
	list_del(&device->group_next);
	group->nr_devices--;
	mutex_unlock(&group->device_lock);

	/* no fd, hence no vma, is left on the address_space */
	vfio_fs_inode_put(device->inode);
	put_device(dev);
	kfree(device);
	atomic_dec(&vfio.nr_devices);

	/* vfio_del_group_dev() waits for this. */
	wake_up(&vfio.release_q);
	vfio_group_put(group);
}

void vfio_device_put(struct vfio_device *device)
{
	/* The device's own group reference keeps device_lock alive here. */
	kref_put_mutex(&device->kref, vfio_device_release,
		       &device->group->device_lock);
}
EXPORT_SYMBOL_GPL(vfio_device_put);

static struct vfio_device *
vfio_group_create_device(struct vfio_group *group, struct device *dev,
			 const struct vfio_device_ops *ops, void *device_data)
{
	struct vfio_device *device;
	struct inode *inode;

	device = kzalloc(sizeof(*device), GFP_KERNEL);
	if (!device)
		return ERR_PTR(-ENOMEM);
	inode = vfio_fs_inode_get();
	if (IS_ERR(inode)) {
		kfree(device);
		return ERR_CAST(inode);
	}
	device->inode = inode;

	kref_init(&device->kref);
	/* Dropped in vfio_device_release(). */
	device->dev = get_device(dev);
	device->group = group;
	device->ops = ops;
	device->device_data = device_data;
	INIT_LIST_HEAD(&device->file_list);
	dev_set_drvdata(dev, device);

	/* The device's group reference; dropped in vfio_device_release(). */
	vfio_group_get(group);

	mutex_lock(&group->device_lock);
	list_add(&device->group_next, &group->device_list);
	group->nr_devices++;
	mutex_unlock(&group->device_lock);
	atomic_inc(&vfio.nr_devices);

	return device;
}

/* Takes a device reference, or returns NULL. */
struct vfio_device *vfio_group_get_device(struct vfio_group *group,
					  struct device *dev)
{
	struct vfio_device *device;

	mutex_lock(&group->device_lock);
	list_for_each_entry(device, &group->device_list, group_next) {
		if (device->dev == dev) {
			vfio_device_get(device);
			mutex_unlock(&group->device_lock);
			return device;
		}
	}
	mutex_unlock(&group->device_lock);
	return NULL;
}

/*
 * Walks the devices of one group only (a handful), never all devices.
 * Takes a device reference, or returns ERR_PTR: -ENODEV for no such
 * device, a bus driver's match() error (e.g. a bad VF token).
 */
struct vfio_device *vfio_group_get_device_by_name(struct vfio_group *group,
						  const char *name)
{
	struct vfio_device *device;
	int ret;

	mutex_lock(&group->device_lock);
	list_for_each_entry(device, &group->device_list, group_next) {
		/* the bus driver may take options after the name */
		if (device->ops->match)
			ret = device->ops->match(device->device_data, name);
		else
			ret = !strcmp(dev_name(device->dev), name);
		if (ret < 0) {
			mutex_unlock(&group->device_lock);
			return ERR_PTR(ret);
		}
		if (ret) {
			vfio_device_get(device);
			mutex_unlock(&group->device_lock);
			return device;
		}
	}
	mutex_unlock(&group->device_lock);
	return ERR_PTR(-ENODEV);
}

/* ---------------------------------------------------------------- bus driver API */

static int __vfio_add_group_dev(struct device *dev,
				const struct vfio_device_ops *ops,
				void *device_data, enum vfio_group_type type)
{
	struct iommu_group *iommu_group;
	struct vfio_device *device;
	struct vfio_group *group;

	iommu_group = iommu_group_get(dev);
	if (!iommu_group) {
		dev_err(dev, "not in an IOMMU group: enable the IOMMU (intel_iommu=on / amd_iommu=on) or use enable_unsafe_noiommu_mode\n");
		return -EINVAL;
	}
	if (type == VFIO_IOMMU && vfio_iommu_group_is_noiommu(iommu_group))
		type = VFIO_NO_IOMMU;

	group = vfio_group_get_from_iommu(iommu_group);
	if (group) {
		/* The group holds its own iommu_group reference. */
		iommu_group_put(iommu_group);
		if (group->type != type) {
			dev_err(dev, "group %d has another kind of IOMMU than this device\n",
				iommu_group_id(iommu_group));
			vfio_group_put(group);
			return -EINVAL;
		}
	} else {
		group = vfio_create_group(iommu_group, type);
		if (IS_ERR(group)) {
			iommu_group_put(iommu_group);
			return PTR_ERR(group);
		}
	}

	device = vfio_group_get_device(group, dev);
	if (device) {
		dev_WARN(dev, "device already registered in group %d\n",
			 iommu_group_id(iommu_group));
		vfio_device_put(device);
		vfio_group_put(group);
		return -EBUSY;
	}

	vfio_group_nb_add_dev(group, dev);

	device = vfio_group_create_device(group, dev, ops, device_data);
	vfio_group_put(group);
	return PTR_ERR_OR_ZERO(device);
}

int vfio_add_group_dev(struct device *dev, const struct vfio_device_ops *ops,
		       void *device_data)
{
	return __vfio_add_group_dev(dev, ops, device_data, VFIO_IOMMU);
}
EXPORT_SYMBOL_GPL(vfio_add_group_dev);

int vfio_add_emulated_group_dev(struct device *dev,
				const struct vfio_device_ops *ops,
				void *device_data)
{
	return __vfio_add_group_dev(dev, ops, device_data,
				    VFIO_EMULATED_IOMMU);
}
EXPORT_SYMBOL_GPL(vfio_add_emulated_group_dev);

/*
 * Go the long way round, iommu_group -> vfio_group -> device: a caller
 * racing with vfio_del_group_dev() cannot trust drvdata.
 */
struct vfio_device *vfio_device_get_from_dev(struct device *dev)
{
	struct iommu_group *iommu_group;
	struct vfio_device *device;
	struct vfio_group *group;

	iommu_group = iommu_group_get(dev);
	if (!iommu_group)
		return NULL;
	group = vfio_group_get_from_iommu(iommu_group);
	iommu_group_put(iommu_group);
	if (!group)
		return NULL;

	device = vfio_group_get_device(group, dev);
	vfio_group_put(group);
	return device;
}
EXPORT_SYMBOL_GPL(vfio_device_get_from_dev);

void *vfio_device_data(struct vfio_device *device)
{
	return device->device_data;
}
EXPORT_SYMBOL_GPL(vfio_device_data);

/* Log who keeps @device, so an admin knows what to kill. */
static void vfio_device_log_holders(struct vfio_device *device)
{
	struct vfio_group *group = device->group;
	struct vfio_device_file *df;

	mutex_lock(&group->device_lock);
	list_for_each_entry(df, &device->file_list, device_next)
		dev_warn(device->dev, "removal blocked: device fd held by %s (pid %d)\n",
			 df->holder.comm, df->holder.pid);
	if (list_empty(&device->file_list))
		dev_warn(device->dev, "removal blocked: device still referenced\n");
	mutex_unlock(&group->device_lock);
}

/*
 * Unregister @dev: drop the bus driver's reference and wait for the users'
 * ones, asking them to let go through ops->request every 10 seconds.
 */
void *vfio_del_group_dev(struct device *dev)
{
	struct vfio_device *device = dev_get_drvdata(dev);
	struct vfio_group *group;
	void *device_data;
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	bool interrupted = false;
	unsigned int i = 0;
	long left = 0;

	if (WARN(!device, "%s: not registered with vfio\n", dev_name(dev)))
		return NULL;
	group = device->group;
	device_data = device->device_data;

	/* Keep the group (and its lookup) alive while we wait. */
	vfio_group_get(group);

	/* The bus driver's reference, taken in vfio_add_group_dev(). */
	vfio_device_put(device);

	/*
	 * From here @device may be gone; look it up by @dev.  Holders
	 * still have it through their device fds.
	 *
	 * The lookup takes group->device_lock, a mutex, so it must not run
	 * as a wait_event() condition (the task is no longer TASK_RUNNING
	 * there; the debug kernel's might_sleep() reports it).  Check while
	 * running, then sleep with wait_woken(), which cannot miss a
	 * wake-up that lands between the check and the sleep.  A wake-up
	 * for another device only re-checks; the request is repeated once
	 * per VFIO_REQUEST_INTERVAL.
	 */
	add_wait_queue(&vfio.release_q, &wait);
	for (;;) {
		device = vfio_group_get_device(group, dev);
		if (!device)
			break;

		if (!left) {
			device->requests = i;
			if (device->ops->request)
				device->ops->request(device->device_data, i);
			if (i == 0 || !(i % 6))
				vfio_device_log_holders(device);
			i++;
			vfio_nl_event(VFIOCTL_EVENT_DEVICE_REQUEST, group, NULL,
				      device, NULL);
			left = VFIO_REQUEST_INTERVAL;
		}
		vfio_device_put(device);

		/* After a first signal, wait on uninterruptibly: the
		 * driver cannot go until its device does. */
		left = wait_woken(&wait, interrupted ? TASK_UNINTERRUPTIBLE :
						       TASK_INTERRUPTIBLE, left);
		if (!interrupted && signal_pending(current)) {
			interrupted = true;
			dev_warn(dev, "device is in use, task \"%s\" (%d) blocked until it is released\n",
				 current->comm, task_pid_nr(current));
		}
	}
	remove_wait_queue(&vfio.release_q, &wait);

	vfio_group_revoke_container(group);
	vfio_group_put(group);
	return device_data;
}
EXPORT_SYMBOL_GPL(vfio_del_group_dev);

/* ---------------------------------------------------------------- device fd */

int vfio_group_get_device_fd(struct vfio_group *group, const char *name)
{
	struct vfio_container *container;
	struct vfio_device_file *df;
	struct vfio_device *device;
	struct file *filep;
	int ret, fdno;

	/* Pin the attachment first so UNSET_CONTAINER cannot race. */
	if (!atomic_inc_not_zero(&group->container_users))
		return -EINVAL;

	container = group->container;
	if (!container || !READ_ONCE(container->iommu_driver) ||
	    !vfio_group_viable(group)) {
		ret = -EINVAL;
		goto err_users;
	}

	if (group->type == VFIO_NO_IOMMU && !capable(CAP_SYS_RAWIO)) {
		ret = -EPERM;
		goto err_users;
	}

	device = vfio_group_get_device_by_name(group, name);
	if (IS_ERR(device)) {
		ret = PTR_ERR(device);
		goto err_users;
	}

	df = kzalloc(sizeof(*df), GFP_KERNEL);
	if (!df) {
		ret = -ENOMEM;
		goto err_put;
	}
	df->device = device;
	vfio_holder_init(&df->holder);

	ret = device->ops->open(device->device_data);
	if (ret)
		goto err_free;

	fdno = get_unused_fd_flags(O_CLOEXEC);
	if (fdno < 0) {
		ret = fdno;
		goto err_release;
	}

	filep = anon_inode_getfile("[vfio-device]", &vfio_device_fops, df,
				   O_RDWR);
	if (IS_ERR(filep)) {
		put_unused_fd(fdno);
		ret = PTR_ERR(filep);
		goto err_release;
	}

	/*
	 * Regions are reached with pread/pwrite at their offsets.  No
	 * FMODE_LSEEK: there is no llseek, lseek() is ESPIPE as upstream
	 * (and 6.12 would call a NULL llseek if the flag were set).
	 */
	filep->f_mode |= (FMODE_PREAD | FMODE_PWRITE);
	/* the device's own address_space, see vfio_fs_inode_get() */
	filep->f_mapping = device->inode->i_mapping;

	mutex_lock(&group->device_lock);
	list_add_tail(&df->device_next, &device->file_list);
	device->open_count++;
	mutex_unlock(&group->device_lock);

	if (group->type == VFIO_NO_IOMMU)
		dev_warn(device->dev, "vfio-noiommu device opened by user (%s:%d)\n",
			 current->comm, task_pid_nr(current));

	vfio_nl_event(VFIOCTL_EVENT_DEVICE_OPENED, group, NULL, device,
		      &df->holder);
	/* The container_users reference taken above now belongs to the fd. */
	fd_install(fdno, filep);
	return fdno;

err_release:
	device->ops->release(device->device_data);
err_free:
	kfree(df);
err_put:
	vfio_device_put(device);
err_users:
	vfio_group_try_dissolve_container(group);
	return ret;
}

static int vfio_device_fops_release(struct inode *inode, struct file *filep)
{
	struct vfio_device_file *df = filep->private_data;
	struct vfio_device *device = df->device;
	struct vfio_group *group = device->group;

	device->ops->release(device->device_data);

	mutex_lock(&group->device_lock);
	list_del(&df->device_next);
	device->open_count--;
	mutex_unlock(&group->device_lock);

	vfio_nl_event(VFIOCTL_EVENT_DEVICE_CLOSED, group, NULL, device,
		      &df->holder);

	vfio_group_try_dissolve_container(group);
	kfree(df);
	vfio_device_put(device);
	return 0;
}

static long vfio_device_fops_unl_ioctl(struct file *filep, unsigned int cmd,
				       unsigned long arg)
{
	struct vfio_device *device =
		((struct vfio_device_file *)filep->private_data)->device;

	if (unlikely(!device->ops->ioctl))
		return -EINVAL;
	return device->ops->ioctl(device->device_data, cmd, arg);
}

static ssize_t vfio_device_fops_read(struct file *filep, char __user *buf,
				     size_t count, loff_t *ppos)
{
	struct vfio_device *device =
		((struct vfio_device_file *)filep->private_data)->device;

	if (unlikely(!device->ops->read))
		return -EINVAL;
	return device->ops->read(device->device_data, buf, count, ppos);
}

static ssize_t vfio_device_fops_write(struct file *filep,
				      const char __user *buf,
				      size_t count, loff_t *ppos)
{
	struct vfio_device *device =
		((struct vfio_device_file *)filep->private_data)->device;

	if (unlikely(!device->ops->write))
		return -EINVAL;
	return device->ops->write(device->device_data, buf, count, ppos);
}

static int vfio_device_fops_mmap(struct file *filep,
				 struct vm_area_struct *vma)
{
	struct vfio_device *device =
		((struct vfio_device_file *)filep->private_data)->device;

	if (unlikely(!device->ops->mmap))
		return -EINVAL;
	return device->ops->mmap(device->device_data, vma);
}

const struct file_operations vfio_device_fops = {
	.owner		= THIS_MODULE,
	.release	= vfio_device_fops_release,
	.read		= vfio_device_fops_read,
	.write		= vfio_device_fops_write,
	.unlocked_ioctl	= vfio_device_fops_unl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= vfio_device_fops_mmap,
};
