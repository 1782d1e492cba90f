/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * inuse.h - is the host using a PCI device?  Attaching such a device to
 * VFIO pulls a disk, a network link or the console from under the host.
 */
#ifndef VFIOCTL_CLI_INUSE_H
#define VFIOCTL_CLI_INUSE_H

#include <stddef.h>

#include "sysfs.h"

enum {
	INUSE_MOUNT	= 1 << 0,	/* a filesystem is mounted from it */
	INUSE_SWAP	= 1 << 1,	/* swap is active on it */
	INUSE_NET	= 1 << 2,	/* an interface is up with addresses/routes */
	INUSE_CONSOLE	= 1 << 3,	/* boot VGA, framebuffer or console */
	INUSE_OPEN	= 1 << 4,	/* a process holds one of its nodes open */
	INUSE_HOLDER	= 1 << 5,	/* dm (LVM, crypt), MD holds a disk of it */
	INUSE_VFS	= 1 << 6,	/* SR-IOV PF with VFs: vfio-pci refuses it */
};

/*
 * inuse_probe - check one device (canonical sysfs path @dev->path).
 * Sets *@mask and writes a human explanation of every finding into
 * @detail ("nvme0n1p2 is mounted on /boot; ...").  Returns 0 or -errno.
 */
int inuse_probe(const struct cli_env *env, const struct cli_dev *dev,
		unsigned int *mask, char *detail, size_t len);

/* "mounted filesystem, swap" for a mask. */
void inuse_describe(unsigned int mask, char *buf, size_t len);

#endif
