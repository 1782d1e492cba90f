// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_pci_main.c - the vfio-pci bus driver: probe/remove.
 *
 * FOUNDATION SKELETON: binds devices (driver_override or new_id) with
 * driver-managed DMA; regions, interrupts and reset come with the PCI work.
 */
#include <linux/module.h>
#include <linux/pci.h>

#include "vfio.h"

static int vfio_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct iommu_group *group;

	if (pdev->hdr_type != PCI_HEADER_TYPE_NORMAL)
		return -EINVAL;
	group = iommu_group_get(&pdev->dev);
	if (!group) {
		pci_warn(pdev, "no IOMMU group: boot with the IOMMU on (intel_iommu=on) to use VFIO\n");
		return -EINVAL;
	}
	iommu_group_put(group);
	return 0;
}

static void vfio_pci_remove(struct pci_dev *pdev)
{
}

static struct pci_driver vfio_pci_driver = {
	.name			= "vfio-pci",
	.id_table		= NULL,	/* driver_override or new_id only */
	.probe			= vfio_pci_probe,
	.remove			= vfio_pci_remove,
	.driver_managed_dma	= true,
};

module_pci_driver(vfio_pci_driver);

MODULE_VERSION(VFIOCTL_VERSION "-vfioctl");
MODULE_LICENSE("GPL v2");
MODULE_AUTHOR("vfioctl developers");
MODULE_DESCRIPTION("VFIO PCI - user level meta-driver (vfioctl)");
