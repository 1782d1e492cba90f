/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vfio-driver.h - which PCI drivers are VFIO bus drivers.  Private: the
 * object is linked into libvfioctl (hidden) and into the vfioctl CLI so
 * both apply the same rule.
 */
#ifndef LIBVFIOCTL_VFIO_DRIVER_H
#define LIBVFIOCTL_VFIO_DRIVER_H

#include <stdbool.h>

/*
 * vfio_pci_driver_name - true for "vfio-pci" and its variant drivers,
 * which the kernel names "<vendor>-vfio-pci" or "<vendor>_vfio_pci"
 * (mlx5_vfio_pci, hisi_acc_vfio_pci, ...).  Anything else does DMA for
 * the host or is not a VFIO driver at all.
 */
bool vfio_pci_driver_name(const char *name);

#endif
