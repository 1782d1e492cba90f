// SPDX-License-Identifier: GPL-2.0-only
/*
 * compat.c - out-of-line halves of compat.h shims.
 */
#include <linux/iommu.h>
#include <linux/irqdomain.h>
#include <linux/module.h>

#ifdef VFIOCTL_NEED_ISOLATED_MSI_SHIM
struct isolated_msi_walk {
	bool all;
};

static int vfioctl_dev_isolated_msi(struct device *dev, void *data)
{
	struct isolated_msi_walk *w = data;

	if (!device_iommu_capable(dev, IOMMU_CAP_INTR_REMAP))
		w->all = false;
	return 0;
}

/* 6.1: every device of the group must be behind interrupt remapping. */
bool vfioctl_group_has_isolated_msi(struct iommu_group *group)
{
	struct isolated_msi_walk w = { .all = true };

	if (irq_domain_check_msi_remap())
		return true;
	iommu_group_for_each_dev(group, &w, vfioctl_dev_isolated_msi);
	return w.all;
}
EXPORT_SYMBOL_GPL(vfioctl_group_has_isolated_msi);
#endif
