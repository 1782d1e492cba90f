// SPDX-License-Identifier: GPL-2.0-only
/*
 * external.c - users of a group fd inside the kernel: the classic external
 * user protocol (KVM of old, vfio-pci hot reset) and the vfio_file_*
 * functions the kernel's kvm-vfio device resolves with symbol_get().
 */
#include <linux/file.h>
#include <linux/module.h>

#include "vfio_private.h"

/*
 * The protocol: userspace opens a container, attaches the group and sets an
 * IOMMU, then hands the group fd to the external user.  The external user
 * takes a container user here, so the group cannot leave its container (nor
 * be freed) until vfio_group_put_external_user().
 */
struct vfio_group *vfio_group_get_external_user(struct file *filep)
{
	struct vfio_group *group = filep->private_data;

	if (filep->f_op != &vfio_group_fops)
		return ERR_PTR(-EINVAL);

	if (!atomic_inc_not_zero(&group->container_users))
		return ERR_PTR(-EINVAL);

	if (group->type == VFIO_NO_IOMMU) {
		vfio_group_try_dissolve_container(group);
		return ERR_PTR(-EPERM);
	}

	if (!READ_ONCE(group->container->iommu_driver) ||
	    !vfio_group_viable(group)) {
		vfio_group_try_dissolve_container(group);
		return ERR_PTR(-EINVAL);
	}

	vfio_group_get(group);
	atomic_inc(&group->external_users);
	return group;
}
EXPORT_SYMBOL_GPL(vfio_group_get_external_user);

void vfio_group_put_external_user(struct vfio_group *group)
{
	atomic_dec(&group->external_users);
	vfio_group_try_dissolve_container(group);
	vfio_group_put(group);
}
EXPORT_SYMBOL_GPL(vfio_group_put_external_user);

int vfio_external_user_iommu_id(struct vfio_group *group)
{
	return iommu_group_id(group->iommu_group);
}
EXPORT_SYMBOL_GPL(vfio_external_user_iommu_id);

long vfio_external_check_extension(struct vfio_group *group,
				   unsigned long arg)
{
	struct vfio_container *container = READ_ONCE(group->container);

	/*
	 * An external user holds a container user, so the container is set
	 * and stable; should a caller pass a group without one anyway, say
	 * "not supported" as CHECK_EXTENSION does rather than oops.
	 */
	if (!container)
		return 0;
	return vfio_ioctl_check_extension(container, arg);
}
EXPORT_SYMBOL_GPL(vfio_external_check_extension);

bool vfio_external_group_match_dev(struct vfio_group *group,
				   struct device *dev)
{
	struct vfio_device *device;

	device = vfio_group_get_device(group, dev);
	if (!device)
		return false;
	vfio_device_put(device);
	return true;
}
EXPORT_SYMBOL_GPL(vfio_external_group_match_dev);

/* ---------------------------------------------------------------- vfio_file_* */

static struct vfio_group *vfio_group_from_file(struct file *file)
{
	if (file->f_op == &vfio_group_fops)
		return file->private_data;
	return NULL;
}

/* Device fds count too (6.12's vfio_file_is_valid accepts them). */
static struct vfio_group *vfio_any_group_from_file(struct file *file)
{
	if (file->f_op == &vfio_device_fops)
		return ((struct vfio_device_file *)file->private_data)->device->group;
	return vfio_group_from_file(file);
}

/* 6.1's kvm-vfio: is this a VFIO group file? */
bool vfio_file_is_group(struct file *file)
{
	return vfio_group_from_file(file);
}
EXPORT_SYMBOL_GPL(vfio_file_is_group);

/* 6.12's kvm-vfio: is this a file KVM may be given (group or device)? */
bool vfio_file_is_valid(struct file *file)
{
	return vfio_any_group_from_file(file);
}
EXPORT_SYMBOL_GPL(vfio_file_is_valid);

/*
 * Can the devices behind @file do non-coherent DMA?  Answered by the
 * backend (VFIO_DMA_CC_IOMMU); before a container is set the user has not
 * proven anything yet, so claim coherency like upstream does.
 */
bool vfio_file_enforced_coherent(struct file *file)
{
	struct vfio_group *group = vfio_any_group_from_file(file);
	bool ret = true;

	if (!group)
		return true;

	mutex_lock(&group->ioctl_lock);
	if (group->container)
		ret = vfio_ioctl_check_extension(group->container,
						 VFIO_DMA_CC_IOMMU) > 0;
	mutex_unlock(&group->ioctl_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_file_enforced_coherent);

/*
 * kvm-vfio tells us which VM the group now belongs to (NULL: none).
 * Upstream hands the kvm to drivers that need it at open (GVT-g, s390
 * zPCI); none of our bus drivers does, so there is nothing to keep.
 */
void vfio_file_set_kvm(struct file *file, struct kvm *kvm)
{
}
EXPORT_SYMBOL_GPL(vfio_file_set_kvm);

/* The iommu_group behind a group file, or NULL (SPAPR kvm-vfio uses it). */
struct iommu_group *vfio_file_iommu_group(struct file *file)
{
	struct vfio_group *group = vfio_group_from_file(file);

	return group ? group->iommu_group : NULL;
}
EXPORT_SYMBOL_GPL(vfio_file_iommu_group);

/* Does @file grant ownership of @device (hot reset checks)? */
bool vfio_file_has_dev(struct file *file, struct vfio_device *device)
{
	struct vfio_group *group = vfio_group_from_file(file);

	return group && group == device->group;
}
EXPORT_SYMBOL_GPL(vfio_file_has_dev);
