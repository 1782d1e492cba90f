// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci-util.c - sysfs access and VFIO device setup shared by the pci UAPI
 * test programs.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pci-util.h"
#include "tap-util.h"

/* ------------------------------------------------------------ sysfs */

int sysfs_read_raw(const char *bdf, const char *attr, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return (int)n;
}

int sysfs_read(const char *bdf, const char *attr, char *buf, size_t len)
{
	int n = sysfs_read_raw(bdf, attr, buf, len);

	if (n >= 0)
		buf[strcspn(buf, "\n")] = 0;
	return n;
}

int sysfs_write(const char *bdf, const char *attr, const char *val)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

int sysfs_group(const char *bdf)
{
	char path[256], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		die("no iommu_group for %s", bdf);
	link[n] = 0;
	return atoi(strrchr(link, '/') + 1);
}

int sysfs_config_read(const char *bdf, void *buf, size_t len, off_t off)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, off);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* ------------------------------------------------------------ VFIO */

void vdev_open_group(struct vdev *d, int *container, bool set_iommu)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];

	if (*container < 0) {
		*container = open("/dev/vfio/vfio", O_RDWR);
		if (*container < 0)
			die("open /dev/vfio/vfio");
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", sysfs_group(d->bdf));
	d->group = open(path, O_RDWR);
	if (d->group < 0)
		die("open %s", path);
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &st))
		die("GROUP_GET_STATUS");
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group of %s is not viable", d->bdf);
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, container))
		die("GROUP_SET_CONTAINER");
	if (set_iommu && ioctl(*container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("SET_IOMMU TYPE1v2");
}

void vdev_open_fd(struct vdev *d, const char *name)
{
	unsigned int i;

	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, name);
	if (d->fd < 0)
		die("GET_DEVICE_FD %s", d->bdf);
	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		d->reg[i].argsz = sizeof(d->reg[i]);
		d->reg[i].index = i;
		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &d->reg[i]))
			memset(&d->reg[i], 0, sizeof(d->reg[i]));
	}
}

void vdev_open(struct vdev *d)
{
	d->container = -1;
	vdev_open_group(d, &d->container, true);
	vdev_open_fd(d, d->bdf);
}

void vdev_close(struct vdev *d)
{
	close(d->fd);
	close(d->group);
	close(d->container);
}

int vdev_cfg_read(struct vdev *d, unsigned int off, void *buf, size_t len)
{
	ssize_t n = pread(d->fd, buf, len,
			  d->reg[VFIO_PCI_CONFIG_REGION_INDEX].offset + off);

	return n == (ssize_t)len ? 0 : (n < 0 ? -errno : -EIO);
}

int vdev_cfg_write(struct vdev *d, unsigned int off, const void *buf,
		   size_t len)
{
	ssize_t n = pwrite(d->fd, buf, len,
			   d->reg[VFIO_PCI_CONFIG_REGION_INDEX].offset + off);

	return n == (ssize_t)len ? 0 : (n < 0 ? -errno : -EIO);
}

/* ------------------------------------------------------------ mappings */

int vdev_largest_mmap_bar(struct vdev *d)
{
	int i, best = -1;

	for (i = 0; i <= VFIO_PCI_BAR5_REGION_INDEX; i++) {
		if (!(d->reg[i].flags & VFIO_REGION_INFO_FLAG_MMAP))
			continue;
		if (best < 0 || d->reg[i].size > d->reg[best].size)
			best = i;
	}
	return best;
}

static sigjmp_buf sigbus_jmp;

static void sigbus_handler(int sig)
{
	(void)sig;
	siglongjmp(sigbus_jmp, 1);
}

bool read_sigbus(volatile uint32_t *p, uint32_t *val)
{
	struct sigaction sa = { .sa_handler = sigbus_handler }, old;
	bool bus = false;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1))
		bus = true;
	else
		*val = *p;
	sigaction(SIGBUS, &old, NULL);
	return bus;
}
