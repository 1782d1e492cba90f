/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pci-util.h - sysfs access and VFIO device setup shared by the pci UAPI
 * test programs.  Setup failures bail out through die() (tap-util.h).
 */
#ifndef PCI_UTIL_H
#define PCI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/vfio.h>

/* ------------------------------------------------------------ sysfs */

/* /sys/bus/pci/devices/@bdf/@attr into @buf, NUL-terminated, newlines
 * kept: the length read, or -errno */
int sysfs_read_raw(const char *bdf, const char *attr, char *buf, size_t len);
/* the same, cut at the first newline (the length read is still returned) */
int sysfs_read(const char *bdf, const char *attr, char *buf, size_t len);
/* write @val to /sys/bus/pci/devices/@bdf/@attr: 0 or -errno */
int sysfs_write(const char *bdf, const char *attr, const char *val);
/* the IOMMU group number of @bdf (its iommu_group link); dies if none */
int sysfs_group(const char *bdf);
/* the raw config space as the PCI core sees it (not virtualized):
 * @len bytes at @off, 0, -errno if it cannot be opened, else -EIO */
int sysfs_config_read(const char *bdf, void *buf, size_t len, off_t off);

/* ------------------------------------------------------------ edu */

/* QEMU's edu device (docs/specs/edu.rst): its identification register */
#define EDU_ID		0x00
#define EDU_ID_VALUE	0x010000edu

/* ------------------------------------------------------------ VFIO */

struct vdev {
	const char *bdf;
	int container, group, fd;
	/* every region's info; all zero for a region without one */
	struct vfio_region_info reg[VFIO_PCI_NUM_REGIONS];
};

/*
 * The group of @d->bdf attached to *@container (opened first if < 0):
 * the group must be viable; TYPE1v2 is set only if @set_iommu (a container
 * shared by several groups gets it once).  Every failure dies.
 */
void vdev_open_group(struct vdev *d, int *container, bool set_iommu);
/* GET_DEVICE_FD with @name (dies on failure), then every region's info */
void vdev_open_fd(struct vdev *d, const char *name);
/* both of the above: a container of its own, the device named @d->bdf */
void vdev_open(struct vdev *d);
/* close device, group and container */
void vdev_close(struct vdev *d);

/* config region access: 0, -errno, or -EIO on a short transfer */
int vdev_cfg_read(struct vdev *d, unsigned int off, void *buf, size_t len);
int vdev_cfg_write(struct vdev *d, unsigned int off, const void *buf,
		   size_t len);

/* ------------------------------------------------------------ mappings */

/* the index of the largest mmap-able BAR, -1 if none */
int vdev_largest_mmap_bar(struct vdev *d);

/* read *@p into *@val; true if that raised SIGBUS (*@val then untouched) */
bool read_sigbus(volatile uint32_t *p, uint32_t *val);

#endif
