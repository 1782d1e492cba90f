// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_pci_pm.c - runtime power management of a vfio-pci function and the
 * low-power VFIO_DEVICE_FEATUREs (LOW_POWER_ENTRY, LOW_POWER_ENTRY_WITH_WAKEUP,
 * LOW_POWER_EXIT), with the semantics of the kernel's vfio-pci-core.
 *
 * Usage counts of the function's runtime PM (the PCI core forbids runtime
 * PM until a driver allows it, and holds one count across probe):
 *
 *   probe	allows runtime PM and drops the probe count: a function
 *		nobody has open may suspend (D3hot where it has a PM
 *		capability, as stock's idle D3)
 *   open	+1 (first open resumes it), held until the last release
 *
 * With disable_idle_d3 (as stock) probe keeps its count and open takes
 * none, so the function stays in D0 unless the user asks for low power:
 * LOW_POWER_ENTRY then gives up the probe's count instead of the open's.
 * The rest is the same:
 *
 *   ioctl, region read/write
 *		+1 around the call: a suspended function is resumed first
 *   LOW_POWER_ENTRY*
 *		-1 (the open count), so it suspends once the ioctl's own
 *		count is dropped; LOW_POWER_EXIT (or the release) takes it
 *		back, without resuming
 *   SR-IOV	+1 while VFs are enabled (a VF needs its PF in D0)
 *   hot reset	+1 on every affected function across the reset
 *   remove	takes the probe count back and forbids runtime PM again
 *
 * @pm_runtime_engaged and @pm_wake_eventfd_ctx are under memory_lock held
 * for write; the mmap fault handler reads @pm_runtime_engaged under it
 * held for read (SIGBUS in low power, as stock).  The runtime PM
 * callbacks take memory_lock, so nothing may wait for a resume of the
 * function while holding it: the resumes happen before any lock is taken.
 */
#include <linux/eventfd.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/uaccess.h>

#include "vfio_pci_private.h"

/* ------------------------------------------------------------ usage counts */

static bool disable_idle_d3;
module_param(disable_idle_d3, bool, 0644);
MODULE_PARM_DESC(disable_idle_d3,
		 "Disable using the PCI D3 low power state for idle, unused devices (applies to devices bound after it is set)");

/*
 * The callbacks' way to the device: the core owns drvdata from
 * vfio_add_group_dev() until vfio_del_group_dev() returns, and runtime PM
 * is allowed only inside that window (vfio_pci_pm_probe() runs after the
 * former, vfio_pci_pm_remove() before the latter).
 */
static struct vfio_pci_device *vfio_pci_drvdata(struct pci_dev *pdev)
{
	struct vfio_device *device = dev_get_drvdata(&pdev->dev);

	return device ? vfio_device_data(device) : NULL;
}

/* probe, before registering: whether this binding lets the function idle */
void vfio_pci_pm_init(struct vfio_pci_device *vdev)
{
	vdev->idle_d3 = !READ_ONCE(disable_idle_d3);
}

/*
 * probe, once registered: the function may suspend while nobody has it
 * open (probe put it in D0 first: the PCI core leaves an unbound
 * function's state unknown, and allows only D0 from there).
 */
void vfio_pci_pm_probe(struct vfio_pci_device *vdev)
{
	struct device *dev = &vdev->pdev->dev;

	pm_runtime_allow(dev);
	if (vdev->idle_d3)
		pm_runtime_put(dev);
}

/*
 * remove, before unregistering: back to the PCI core's counts (its remove
 * path resumed the function already), so it stays active from here on.
 */
void vfio_pci_pm_remove(struct vfio_pci_device *vdev)
{
	struct device *dev = &vdev->pdev->dev;

	if (vdev->idle_d3)
		pm_runtime_get_noresume(dev);
	pm_runtime_forbid(dev);
}

/* first open: the count held until the last release (resumes the function) */
int vfio_pci_pm_open(struct vfio_pci_device *vdev)
{
	return vdev->idle_d3 ? pm_runtime_resume_and_get(&vdev->pdev->dev) : 0;
}

/* last release: unused, the function may suspend */
void vfio_pci_pm_close(struct vfio_pci_device *vdev)
{
	if (vdev->idle_d3)
		pm_runtime_put(&vdev->pdev->dev);
}

/* ------------------------------------------------------------ low power */

static int vfio_pci_low_power_entry(struct vfio_pci_device *vdev,
				    struct eventfd_ctx *efdctx)
{
	/* no mapping may keep the BARs while the function sleeps */
	vfio_pci_zap_and_down_write_memory_lock(vdev);
	if (vdev->pm_runtime_engaged) {
		up_write(&vdev->memory_lock);
		return -EINVAL;
	}
	vdev->pm_runtime_engaged = true;
	vdev->pm_wake_eventfd_ctx = efdctx;
	/* the open's count; the ioctl's own put lets it suspend */
	pm_runtime_put_noidle(&vdev->pdev->dev);
	up_write(&vdev->memory_lock);
	return 0;
}

/* under memory_lock held for write */
static void __vfio_pci_low_power_exit(struct vfio_pci_device *vdev)
{
	lockdep_assert_held_write(&vdev->memory_lock);

	if (!vdev->pm_runtime_engaged)
		return;
	vdev->pm_runtime_engaged = false;
	pm_runtime_get_noresume(&vdev->pdev->dev);
	if (vdev->pm_wake_eventfd_ctx) {
		eventfd_ctx_put(vdev->pm_wake_eventfd_ctx);
		vdev->pm_wake_eventfd_ctx = NULL;
	}
}

/*
 * Leave low power if it is engaged (LOW_POWER_EXIT, release): the open's
 * count comes back; the function is resumed by whoever needs it.
 */
void vfio_pci_low_power_exit(struct vfio_pci_device *vdev)
{
	down_write(&vdev->memory_lock);
	__vfio_pci_low_power_exit(vdev);
	up_write(&vdev->memory_lock);
}

/* The three features take no GET; PROBE answers with SET alone. */
long vfio_pci_feature_low_power(struct vfio_pci_device *vdev, u32 flags,
				void __user *arg, size_t argsz)
{
	struct vfio_device_low_power_entry_with_wakeup entry;
	struct eventfd_ctx *efdctx;
	int ret;

	switch (flags & VFIO_DEVICE_FEATURE_MASK) {
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY:
		ret = vfio_pci_check_feature(flags, argsz,
					     VFIO_DEVICE_FEATURE_SET, 0);
		if (ret != 1)
			return ret;
		return vfio_pci_low_power_entry(vdev, NULL);

	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP:
		ret = vfio_pci_check_feature(flags, argsz,
					     VFIO_DEVICE_FEATURE_SET,
					     sizeof(entry));
		if (ret != 1)
			return ret;
		if (copy_from_user(&entry, arg, sizeof(entry)))
			return -EFAULT;
		/* @reserved is not checked, as stock */
		if (entry.wakeup_eventfd < 0)
			return -EINVAL;
		efdctx = eventfd_ctx_fdget(entry.wakeup_eventfd);
		if (IS_ERR(efdctx))
			return PTR_ERR(efdctx);
		ret = vfio_pci_low_power_entry(vdev, efdctx);
		if (ret)
			eventfd_ctx_put(efdctx);
		return ret;

	case VFIO_DEVICE_FEATURE_LOW_POWER_EXIT:
		ret = vfio_pci_check_feature(flags, argsz,
					     VFIO_DEVICE_FEATURE_SET, 0);
		if (ret != 1)
			return ret;
		/*
		 * The ioctl resumed the function already; with a wakeup
		 * eventfd that resume left low power itself, and this is
		 * a no-op (as is an EXIT outside low power).
		 */
		vfio_pci_low_power_exit(vdev);
		return 0;
	}
	return -ENOTTY;
}

/* ------------------------------------------------------------ callbacks */

static int vfio_pci_runtime_suspend(struct device *dev)
{
	struct vfio_pci_device *vdev = vfio_pci_drvdata(to_pci_dev(dev));

	if (!vdev)
		return 0;
	/*
	 * A user who put the function in D3hot through PMCSR first gets it
	 * back in D0 with the state saved on the way down; the PCI core
	 * then saves it and takes it to its low-power state itself.
	 */
	down_write(&vdev->memory_lock);
	__vfio_pci_set_power_state(vdev, PCI_D0);
	up_write(&vdev->memory_lock);

	/* INTx masked while suspended, unless the user masked it already */
	vdev->pm_intx_masked = is_intx(vdev) && vfio_pci_intx_mask(vdev);
	return 0;
}

static int vfio_pci_runtime_resume(struct device *dev)
{
	struct vfio_pci_device *vdev = vfio_pci_drvdata(to_pci_dev(dev));

	if (!vdev)
		return 0;
	/* with a wakeup eventfd, any resume tells the user and ends low power */
	down_write(&vdev->memory_lock);
	if (vdev->pm_wake_eventfd_ctx) {
		vfioctl_eventfd_signal(vdev->pm_wake_eventfd_ctx);
		__vfio_pci_low_power_exit(vdev);
	}
	up_write(&vdev->memory_lock);

	if (vdev->pm_intx_masked) {
		vdev->pm_intx_masked = false;
		vfio_pci_intx_unmask(vdev);
	}
	return 0;
}

const struct dev_pm_ops vfio_pci_pm_ops = {
	SET_RUNTIME_PM_OPS(vfio_pci_runtime_suspend, vfio_pci_runtime_resume,
			   NULL)
};
