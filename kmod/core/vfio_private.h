/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio_private.h - what the files of the core module share with each other
 * and nobody else.
 */
#ifndef VFIOCTL_CORE_PRIVATE_H
#define VFIOCTL_CORE_PRIVATE_H

int vfio_netlink_init(void);
void vfio_netlink_exit(void);

#endif
