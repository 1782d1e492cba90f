// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_pci_sriov.c - SR-IOV physical and virtual functions on vfio-pci.
 *
 * A VF's config space is not a whole function's: its vendor and device
 * IDs read 0xffff and its COMMAND memory enable bit is hardwired to 0 (the
 * PF's SR-IOV capability holds the VF device ID and the VF Memory Space
 * Enable).  We show the IDs the PCI core read from the PF, virtualize the
 * memory enable bit, and let BAR access follow the hardware (the PF's VF
 * MSE) instead of that bit (pdev->no_command_memory).
 *
 * A PF is never taken with VFs already enabled: they may be in use by the
 * host, and we could neither capture nor track them.  With the enable_sriov
 * module parameter, a PF on vfio-pci may create VFs (sriov_numvfs); they
 * are steered to vfio-pci (driver_override) and a user must know the PF's
 * VF token, a UUID set through VFIO_DEVICE_FEATURE_PCI_VF_TOKEN on the PF,
 * to open one ("BDF vf_token=UUID" as the GET_DEVICE_FD name), because the
 * PF's user can see and disturb what the VF does.  While a VF is open the
 * PF needs the token as well.
 *
 * Locking: vfio_pci_sriov_pfs_mutex guards vfio_pci_sriov_pfs (the PFs
 * whose VFs we created) and each vdev->sriov_pfs_item; vf_token->lock the
 * token's uuid and users.  sriov_configure and remove run under the PF's
 * device lock, so they never race each other.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uuid.h>

#include "vfio_pci_private.h"

static bool enable_sriov;
module_param(enable_sriov, bool, 0644);
MODULE_PARM_DESC(enable_sriov, "Enable support for SR-IOV configuration.  Enabling SR-IOV on a PF typically requires support of the userspace PF driver, enabling VFs without such support may result in non-functional VFs or PF.");

static DEFINE_MUTEX(vfio_pci_sriov_pfs_mutex);
static LIST_HEAD(vfio_pci_sriov_pfs);

/* ------------------------------------------------------------ config space */

/* called by vfio_config_init() once vconfig holds the hardware's values */
void vfio_pci_sriov_config_init(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;

	/* a VF reads 0xffff: the PCI core took the IDs from the PF */
	if (pdev->is_virtfn) {
		*(__le16 *)&vdev->vconfig[PCI_VENDOR_ID] =
			cpu_to_le16(pdev->vendor);
		*(__le16 *)&vdev->vconfig[PCI_DEVICE_ID] =
			cpu_to_le16(pdev->device);
	}
	/*
	 * No memory enable bit in hardware (VFs): decode follows the PF's
	 * VF MSE.  Show it set, as a PF that pci_enable_device() enabled.
	 */
	if (pdev->no_command_memory)
		*(__le16 *)&vdev->vconfig[PCI_COMMAND] |=
			cpu_to_le16(PCI_COMMAND_MEMORY);
}

/* ------------------------------------------------------------ VF token */

/* a VF was opened (@val 1) or closed for the last time (@val -1) */
void vfio_pci_vf_token_user_add(struct vfio_pci_device *vdev, int val)
{
	struct vfio_pci_device *pf = vdev->sriov_pf;

	if (!vdev->pdev->is_virtfn || !pf || !pf->vf_token)
		return;
	mutex_lock(&pf->vf_token->lock);
	pf->vf_token->users += val;
	mutex_unlock(&pf->vf_token->lock);
}

/*
 * May the user open @vdev, having shown @uuid (if @have_token)?  Errnos
 * and messages are upstream's: EINVAL for a token where none applies,
 * EACCES for a missing or wrong one.
 */
static int vfio_pci_check_vf_token(struct vfio_pci_device *vdev,
				   bool have_token, const uuid_t *uuid)
{
	struct pci_dev *pdev = vdev->pdev;
	struct vfio_pci_vf_token *token;
	int ret = 0;

	if (pdev->is_virtfn) {
		if (!vdev->sriov_pf) {
			if (!have_token)
				return 0;	/* the PF is a host driver's */
			pci_info_ratelimited(pdev, "VF token incorrectly provided, PF not bound to vfio-pci\n");
			return -EINVAL;
		}
		if (!have_token) {
			pci_info_ratelimited(pdev, "VF token required to access device\n");
			return -EACCES;
		}
		token = vdev->sriov_pf->vf_token;
		mutex_lock(&token->lock);
		if (!uuid_equal(uuid, &token->uuid)) {
			pci_info_ratelimited(pdev, "Incorrect VF token provided for device\n");
			ret = -EACCES;
		}
		mutex_unlock(&token->lock);
		return ret;
	}

	token = vdev->vf_token;
	if (!token) {
		if (!have_token)
			return 0;
		pci_info_ratelimited(pdev, "VF token incorrectly provided, not a PF or VF\n");
		return -EINVAL;
	}

	mutex_lock(&token->lock);
	if (token->users) {
		/* a VF is open: the PF's user must know its token */
		if (!have_token) {
			pci_info_ratelimited(pdev, "VF token required to access device\n");
			ret = -EACCES;
		} else if (!uuid_equal(uuid, &token->uuid)) {
			pci_info_ratelimited(pdev, "Incorrect VF token provided for device\n");
			ret = -EACCES;
		}
	} else if (have_token) {
		/* no VF in use: whoever opens the PF may set it this way */
		uuid_copy(&token->uuid, uuid);
	}
	mutex_unlock(&token->lock);
	return ret;
}

/*
 * vfio_device_ops.match: is @buf (a GET_DEVICE_FD name) this device?
 * "BDF" or "BDF vf_token=UUID", options separated by spaces.  Returns 1
 * for a match, 0 for another device's name, -errno for a bad option or
 * token.  Called under the group's device_lock.
 */
int vfio_pci_match(void *device_data, const char *buf)
{
	struct vfio_pci_device *vdev = device_data;
	const char *name = pci_name(vdev->pdev);
	static const char opt[] = "vf_token=";
	size_t len = strlen(name);
	bool have_token = false;
	uuid_t uuid;
	int ret;

	if (strncmp(buf, name, len))
		return 0;
	buf += len;
	if (*buf && *buf != ' ')
		return 0;

	while (*buf) {
		if (*buf == ' ') {
			buf++;
			continue;
		}
		/* one vf_token= and nothing else */
		if (have_token || strncmp(buf, opt, sizeof(opt) - 1))
			return -EINVAL;
		buf += sizeof(opt) - 1;
		if (strnlen(buf, UUID_STRING_LEN) < UUID_STRING_LEN)
			return -EINVAL;
		ret = uuid_parse(buf, &uuid);
		if (ret)
			return ret;
		buf += UUID_STRING_LEN;
		have_token = true;
	}

	ret = vfio_pci_check_vf_token(vdev, have_token, &uuid);
	return ret ? ret : 1;
}

/* ------------------------------------------------------------ DEVICE_FEATURE */

/*
 * The common checks of a feature that supports @ops (GET and/or SET) with
 * a payload of at least @minsz: 0 for a PROBE that passed, 1 to go on,
 * or -EINVAL.
 */
int vfio_pci_check_feature(u32 flags, size_t argsz, u32 ops, size_t minsz)
{
	if (flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET) & ~ops)
		return -EINVAL;
	if (flags & VFIO_DEVICE_FEATURE_PROBE)
		return 0;
	if (!(flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET)))
		return -EINVAL;
	if (argsz < minsz)
		return -EINVAL;
	return 1;
}

/* SET only: reading it back would give away the previous user's token */
static long vfio_pci_feature_vf_token(struct vfio_pci_device *vdev,
				      u32 flags, void __user *arg,
				      size_t argsz)
{
	uuid_t uuid;
	int ret;

	if (!vdev->vf_token)
		return -ENOTTY;
	ret = vfio_pci_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET,
				     sizeof(uuid));
	if (ret != 1)
		return ret;
	if (copy_from_user(&uuid, arg, sizeof(uuid)))
		return -EFAULT;
	mutex_lock(&vdev->vf_token->lock);
	uuid_copy(&vdev->vf_token->uuid, &uuid);
	mutex_unlock(&vdev->vf_token->lock);
	return 0;
}

/*
 * VFIO_DEVICE_FEATURE: the header checks are upstream's core ones, then
 * the feature.  Unknown and unsupported features (migration, dirty
 * logging) are ENOTTY.  The caller (vfio_pci_ioctl()) holds a runtime PM
 * count, as stock's core does around every device ioctl.
 */
long vfio_pci_ioctl_feature(struct vfio_pci_device *vdev, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_device_feature, flags);
	struct vfio_device_feature feature;

	if (copy_from_user(&feature, arg, minsz))
		return -EFAULT;
	if (feature.argsz < minsz)
		return -EINVAL;
	if (feature.flags & ~(VFIO_DEVICE_FEATURE_MASK |
			      VFIO_DEVICE_FEATURE_SET |
			      VFIO_DEVICE_FEATURE_GET |
			      VFIO_DEVICE_FEATURE_PROBE))
		return -EINVAL;
	/* GET and SET together only with PROBE */
	if (!(feature.flags & VFIO_DEVICE_FEATURE_PROBE) &&
	    (feature.flags & VFIO_DEVICE_FEATURE_SET) &&
	    (feature.flags & VFIO_DEVICE_FEATURE_GET))
		return -EINVAL;

	switch (feature.flags & VFIO_DEVICE_FEATURE_MASK) {
	case VFIO_DEVICE_FEATURE_PCI_VF_TOKEN:
		return vfio_pci_feature_vf_token(vdev, feature.flags,
						 arg + minsz,
						 feature.argsz - minsz);
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY:
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP:
	case VFIO_DEVICE_FEATURE_LOW_POWER_EXIT:	/* vfio_pci_pm.c */
		return vfio_pci_feature_low_power(vdev, feature.flags,
						  arg + minsz,
						  feature.argsz - minsz);
	}
	return -ENOTTY;
}

/* ------------------------------------------------------------ PF and VFs */

/* steer the VFs of a PF on vfio-pci to vfio-pci, and say if one escapes */
static int vfio_pci_sriov_notifier(struct notifier_block *nb,
				   unsigned long action, void *data)
{
	struct vfio_pci_device *vdev = container_of(nb, struct vfio_pci_device,
						    sriov_nb);
	struct pci_dev *pdev = to_pci_dev(data);
	struct pci_driver *drv;

	if (!pdev->is_virtfn || pci_physfn(pdev) != vdev->pdev)
		return NOTIFY_DONE;

	if (action == BUS_NOTIFY_ADD_DEVICE) {
		pci_info(vdev->pdev, "Captured SR-IOV VF %s driver_override\n",
			 pci_name(pdev));
		if (vfioctl_pci_set_driver_override(pdev,
						    vfio_pci_driver.name))
			pci_warn(vdev->pdev, "VF %s: cannot set driver_override\n",
				 pci_name(pdev));
	} else if (action == BUS_NOTIFY_BOUND_DRIVER) {
		drv = pci_dev_driver(pdev);
		if (drv && drv != &vfio_pci_driver)
			pci_warn(vdev->pdev, "VF %s bound to driver %s while PF bound to driver %s\n",
				 pci_name(pdev), drv->name,
				 vfio_pci_driver.name);
	}
	return NOTIFY_OK;
}

/*
 * Probe: refuse a PF with VFs enabled; a PF gets its token and captures
 * its future VFs, a VF finds its PF if vfio-pci created it.
 */
int vfio_pci_sriov_init(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	struct vfio_pci_device *cur;
	int ret;

	INIT_LIST_HEAD(&vdev->sriov_pfs_item);

	if (pdev->is_virtfn) {
		/* the PF cannot leave the list before this VF is removed */
		mutex_lock(&vfio_pci_sriov_pfs_mutex);
		list_for_each_entry(cur, &vfio_pci_sriov_pfs, sriov_pfs_item) {
			if (cur->pdev == pci_physfn(pdev)) {
				vdev->sriov_pf = cur;
				break;
			}
		}
		mutex_unlock(&vfio_pci_sriov_pfs_mutex);
		return 0;
	}
	if (!pdev->is_physfn)
		return 0;

	/*
	 * Its VFs may be in use, and disabling SR-IOV here would unbind
	 * them, possibly blocking on a user of one: the admin sorts it out.
	 */
	if (pci_num_vf(pdev)) {
		pci_warn(pdev, "Cannot bind to PF with SR-IOV enabled\n");
		return -EBUSY;
	}

	vdev->vf_token = kzalloc(sizeof(*vdev->vf_token), GFP_KERNEL);
	if (!vdev->vf_token)
		return -ENOMEM;
	mutex_init(&vdev->vf_token->lock);
	uuid_gen(&vdev->vf_token->uuid);

	vdev->sriov_nb.notifier_call = vfio_pci_sriov_notifier;
	ret = bus_register_notifier(&pci_bus_type, &vdev->sriov_nb);
	if (ret) {
		mutex_destroy(&vdev->vf_token->lock);
		kfree(vdev->vf_token);
		vdev->vf_token = NULL;
	}
	return ret;
}

/* remove, after the device left the core: no user, no VF any more */
void vfio_pci_sriov_uninit(struct vfio_pci_device *vdev)
{
	mutex_lock(&vfio_pci_sriov_pfs_mutex);
	list_del_init(&vdev->sriov_pfs_item);
	mutex_unlock(&vfio_pci_sriov_pfs_mutex);

	if (!vdev->vf_token)
		return;
	bus_unregister_notifier(&pci_bus_type, &vdev->sriov_nb);
	if (vdev->vf_token->users)
		pci_err(vdev->pdev, "%d VF users left at remove\n",
			vdev->vf_token->users);
	mutex_destroy(&vdev->vf_token->lock);
	kfree(vdev->vf_token);
	vdev->vf_token = NULL;
}

static int vfio_pci_sriov_set(struct vfio_pci_device *vdev, int nr_virtfn)
{
	struct pci_dev *pdev = vdev->pdev;
	int ret = 0;

	if (nr_virtfn) {
		/* on the list first: the VFs probe inside pci_enable_sriov() */
		mutex_lock(&vfio_pci_sriov_pfs_mutex);
		if (!list_empty(&vdev->sriov_pfs_item)) {
			mutex_unlock(&vfio_pci_sriov_pfs_mutex);
			return -EINVAL;
		}
		list_add_tail(&vdev->sriov_pfs_item, &vfio_pci_sriov_pfs);
		mutex_unlock(&vfio_pci_sriov_pfs_mutex);

		/*
		 * VFs need their PF awake: a runtime PM count while they
		 * exist, and D0 whatever the user put in PMCSR.
		 */
		ret = vfio_pci_pm_get(vdev);
		if (!ret) {
			/*
			 * Not held across the enable: the VFs probe in
			 * it and take their own memory_lock.
			 */
			vfio_pci_set_power_state(vdev, PCI_D0);
			ret = pci_enable_sriov(pdev, nr_virtfn);
			if (!ret)
				return nr_virtfn;
			vfio_pci_pm_put(vdev);
		}
	} else if (pci_num_vf(pdev)) {
		/* blocks until every VF's user released it */
		pci_disable_sriov(pdev);
		vfio_pci_pm_put(vdev);
	}

	mutex_lock(&vfio_pci_sriov_pfs_mutex);
	list_del_init(&vdev->sriov_pfs_item);
	mutex_unlock(&vfio_pci_sriov_pfs_mutex);
	return ret;
}

/* pci_driver.sriov_configure (sriov_numvfs), under the PF's device lock */
int vfio_pci_sriov_configure(struct pci_dev *pdev, int nr_virtfn)
{
	struct vfio_device *device;
	int ret;

	if (!enable_sriov)
		return -ENOENT;
	device = vfio_device_get_from_dev(&pdev->dev);
	if (!device)
		return -ENODEV;
	ret = vfio_pci_sriov_set(vfio_device_data(device), nr_virtfn);
	vfio_device_put(device);
	return ret;
}

/* remove, before the PF leaves the core: its VFs point at it */
void vfio_pci_sriov_remove_vfs(struct pci_dev *pdev)
{
	if (pdev->is_physfn && pci_num_vf(pdev)) {
		pci_disable_sriov(pdev);
		/* the count vfio_pci_sriov_set() took for them */
		pm_runtime_put(&pdev->dev);
	}
}
