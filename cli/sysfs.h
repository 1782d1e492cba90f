/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sysfs.h - the CLI's own view of PCI devices and IOMMU groups, read from
 * sysfs (or from a fixture tree named by VFIOCTL_SYSFS_ROOT).
 */
#ifndef VFIOCTL_CLI_SYSFS_H
#define VFIOCTL_CLI_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Where the tool looks.  Every path is overridable so host tests run
 * against fixture trees; see ENVIRONMENT in vfioctl(8).
 */
struct cli_env {
	char sysfs[256];	/* VFIOCTL_SYSFS_ROOT, default /sys */
	char devfs[256];	/* VFIOCTL_DEV_ROOT, default /dev */
	char procfs[256];	/* VFIOCTL_PROC_ROOT, default /proc */
	char confdir[256];	/* VFIOCTL_CONFDIR, default /etc/vfioctl.d */
	char rundir[256];	/* VFIOCTL_RUNDIR, default /run/vfioctl */
	bool fake_proc;		/* procfs is a fixture: do not stat() links */
};

int cli_env_init(struct cli_env *env);

/* One member of an IOMMU group. */
struct cli_dev {
	char name[64];		/* "0000:01:00.0" or a platform device name */
	char bus[16];		/* "pci", "platform", ... */
	char driver[64];	/* "" when unbound */
	char override[64];	/* driver_override, "" when unset */
	char *path;		/* canonical sysfs directory, malloc'd */
	unsigned int vendor, device, class;
	int group;
	bool is_pci;
	bool is_bridge;		/* PCI class 0x0604 / 0x0609 */
	int boot_vga;		/* -1 when the attribute is absent */
};

struct cli_group {
	int id;
	size_t first;		/* index of the first member in topo.devs */
	size_t nr;
};

/* Groups sorted by number, members sorted by name. */
struct cli_topo {
	struct cli_dev *devs;
	size_t nr_devs;
	struct cli_group *groups;
	size_t nr_groups;
};

/*
 * topo_scan - read every IOMMU group (want < 0) or just group @want.
 * Returns 0, -ENODEV when the host has no IOMMU groups at all (the
 * directory is missing or empty), -ENOENT when group @want does not
 * exist, or another -errno.
 */
int topo_scan(const struct cli_env *env, int want, struct cli_topo *topo);
void topo_free(struct cli_topo *topo);
/* 0 when the host has IOMMU groups, -ENODEV as topo_scan() says it. */
int topo_iommu_present(const struct cli_env *env);
const struct cli_group *topo_group(const struct cli_topo *topo, int id);
const struct cli_dev *topo_dev(const struct cli_topo *topo, const char *name);

/* topo_read_dev - fill @dev for one PCI device by address. */
int topo_read_dev(const struct cli_env *env, const char *addr,
		  struct cli_dev *dev);
void cli_dev_release(struct cli_dev *dev);

/* Small sysfs helpers; paths are absolute and already rooted. */
int sysfs_read(const char *path, char *buf, size_t len);
int sysfs_write(const char *path, const char *val);
int sysfs_read_hex(const char *path, unsigned int *val);
int sysfs_link_base(const char *path, char *buf, size_t len);

/* Validates "DDDD:BB:DD.F" (lower-case hex); a bare "BB:DD.F" is
 * completed to domain 0000 into @out. */
int pci_addr_normalize(const char *in, char *out, size_t len);

#endif
