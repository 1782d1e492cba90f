// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs.c - the CLI's view of IOMMU groups and their member devices.
 *
 * Which groups exist and which devices they hold comes from libvfioctl's
 * enumeration (vfioctl_iommu_group_foreach), which covers groups VFIO has
 * never seen; this file adds what only the CLI needs of each device
 * (driver_override, class, boot_vga, the bus) and the small sysfs helpers.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libvfioctl.h>

#include "sysfs.h"

#ifndef VFIOCTL_DEFAULT_CONFDIR
#define VFIOCTL_DEFAULT_CONFDIR "/etc/vfioctl.d"
#endif

static int set_path(char *dst, size_t len, const char *var, const char *dflt)
{
	const char *val = secure_getenv(var);
	size_t n;

	if (!val || !*val)
		val = dflt;
	n = strlen(val);
	while (n > 1 && val[n - 1] == '/')
		n--;
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(dst, val, n);
	dst[n] = '\0';
	return 0;
}

int cli_env_init(struct cli_env *env)
{
	int rc = 0;

	memset(env, 0, sizeof(*env));
	rc |= set_path(env->sysfs, sizeof(env->sysfs), "VFIOCTL_SYSFS_ROOT", "/sys");
	rc |= set_path(env->devfs, sizeof(env->devfs), "VFIOCTL_DEV_ROOT", "/dev");
	rc |= set_path(env->procfs, sizeof(env->procfs), "VFIOCTL_PROC_ROOT", "/proc");
	rc |= set_path(env->confdir, sizeof(env->confdir), "VFIOCTL_CONFDIR",
		       VFIOCTL_DEFAULT_CONFDIR);
	rc |= set_path(env->rundir, sizeof(env->rundir), "VFIOCTL_RUNDIR",
		       "/run/vfioctl");
	env->fake_proc = strcmp(env->procfs, "/proc") != 0;
	return rc ? -ENAMETOOLONG : 0;
}

int sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

int sysfs_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	if (close(fd) < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int sysfs_read_hex(const char *path, unsigned int *val)
{
	char buf[32], *end;
	unsigned long v;
	int rc;

	rc = sysfs_read(path, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno || end == buf || v > UINT_MAX)
		return -EINVAL;
	*val = (unsigned int)v;
	return 0;
}

/* The last component of a symlink's target ("driver" -> "vfio-pci"). */
int sysfs_link_base(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

int pci_addr_normalize(const char *in, char *out, size_t len)
{
	unsigned int dom = 0, bus, dev, fn;
	const char *c;
	char tail;

	/* scanf's %x would take "0x" prefixes and signs: allow none. */
	for (c = in; *c; c++)
		if (!isxdigit((unsigned char)*c) && *c != ':' && *c != '.')
			return -EINVAL;
	if (sscanf(in, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) != 4) {
		dom = 0;
		if (sscanf(in, "%x:%x.%x%c", &bus, &dev, &fn, &tail) != 3)
			return -EINVAL;
	}
	if (dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		return -EINVAL;
	if (snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, dev, fn) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

static bool is_pci_addr(const char *name)
{
	char tmp[32];

	return pci_addr_normalize(name, tmp, sizeof(tmp)) == 0 &&
	       strcmp(tmp, name) == 0;
}

void cli_dev_release(struct cli_dev *dev)
{
	free(dev->path);
	dev->path = NULL;
}

/* Fill @dev from the device directory @dir (any bus). */
static int read_dev_dir(const char *dir, const char *name, struct cli_dev *dev)
{
	char p[PATH_MAX], canon[PATH_MAX];

	memset(dev, 0, sizeof(*dev));
	dev->group = -1;
	dev->boot_vga = -1;
	if (strlen(name) >= sizeof(dev->name))
		return -ENAMETOOLONG;
	strcpy(dev->name, name);
	if (!realpath(dir, canon))
		return -errno;
	dev->path = strdup(canon);
	if (!dev->path)
		return -ENOMEM;

	snprintf(p, sizeof(p), "%s/subsystem", dir);
	if (sysfs_link_base(p, dev->bus, sizeof(dev->bus)) < 0)
		strcpy(dev->bus, is_pci_addr(name) ? "pci" : "unknown");
	dev->is_pci = strcmp(dev->bus, "pci") == 0;

	snprintf(p, sizeof(p), "%s/driver", dir);
	if (sysfs_link_base(p, dev->driver, sizeof(dev->driver)) < 0)
		dev->driver[0] = '\0';
	snprintf(p, sizeof(p), "%s/driver_override", dir);
	if (sysfs_read(p, dev->override, sizeof(dev->override)) < 0 ||
	    strcmp(dev->override, "(null)") == 0)
		dev->override[0] = '\0';
	snprintf(p, sizeof(p), "%s/iommu_group", dir);
	{
		char g[32];

		if (sysfs_link_base(p, g, sizeof(g)) == 0)
			dev->group = atoi(g);
	}
	if (!dev->is_pci)
		return 0;

	snprintf(p, sizeof(p), "%s/vendor", dir);
	sysfs_read_hex(p, &dev->vendor);
	snprintf(p, sizeof(p), "%s/device", dir);
	sysfs_read_hex(p, &dev->device);
	snprintf(p, sizeof(p), "%s/class", dir);
	sysfs_read_hex(p, &dev->class);
	/* PCI-to-PCI and PCIe-to-PCI bridges; host bridges are endpoints. */
	dev->is_bridge = (dev->class >> 8) == 0x0604 || (dev->class >> 8) == 0x0609;
	snprintf(p, sizeof(p), "%s/boot_vga", dir);
	{
		char b[8];

		if (sysfs_read(p, b, sizeof(b)) == 0)
			dev->boot_vga = atoi(b);
	}
	return 0;
}

int topo_read_dev(const struct cli_env *env, const char *addr,
		  struct cli_dev *dev)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", env->sysfs, addr);
	if (access(dir, F_OK) < 0)
		return -errno;
	return read_dev_dir(dir, addr, dev);
}

static int grow(void **arr, size_t *cap, size_t need, size_t size)
{
	void *n;
	size_t c = *cap ? *cap : 64;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	n = realloc(*arr, c * size);
	if (!n)
		return -ENOMEM;
	*arr = n;
	*cap = c;
	return 0;
}

/* A library context on the CLI's roots; the library does the scanning. */
static int lib_scan(const struct cli_env *env, struct vfioctl_ctx **ctx)
{
	int rc;

	rc = vfioctl_new(ctx);
	if (rc < 0)
		return rc;
	rc = vfioctl_set_root(*ctx, env->sysfs, env->devfs);
	if (rc == 0)
		rc = vfioctl_iommu_groups_scan(*ctx);
	if (rc < 0)
		vfioctl_unref(*ctx);
	return rc;
}

/* Adds group @ig with the CLI's view of each member. */
static int add_group(const struct cli_env *env, struct vfioctl_iommu_group *ig,
		     struct cli_topo *t, size_t *dev_cap)
{
	int id = vfioctl_iommu_group_get_number(ig);
	char p[PATH_MAX + 256];
	struct vfioctl_iommu_dev *idev;
	struct cli_group *g;
	size_t first = t->nr_devs;
	const char *name;
	int rc;

	vfioctl_iommu_dev_foreach(ig, idev) {
		name = vfioctl_iommu_dev_get_name(idev);
		rc = grow((void **)&t->devs, dev_cap, t->nr_devs + 1,
			  sizeof(*t->devs));
		if (rc < 0)
			return rc;
		snprintf(p, sizeof(p), "%s/kernel/iommu_groups/%d/devices/%s",
			 env->sysfs, id, name);
		rc = read_dev_dir(p, name, &t->devs[t->nr_devs]);
		if (rc == -ENOENT)	/* hot-unplugged since the scan */
			continue;
		if (rc < 0)
			return rc;
		t->devs[t->nr_devs].group = id;
		t->nr_devs++;
	}
	g = &t->groups[t->nr_groups++];
	g->id = id;
	g->first = first;
	g->nr = t->nr_devs - first;
	return 0;
}

/*
 * The groups and their members come from libvfioctl's enumeration, so
 * that the CLI and the library cannot disagree about them or about what
 * "no IOMMU" looks like; the CLI adds the attributes only it needs.
 */
int topo_scan(const struct cli_env *env, int want, struct cli_topo *t)
{
	struct vfioctl_iommu_group *ig;
	struct vfioctl_ctx *ctx;
	size_t dev_cap = 0;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = lib_scan(env, &ctx);
	if (rc < 0)
		return rc;
	t->groups = calloc((size_t)rc, sizeof(*t->groups));
	if (!t->groups) {
		vfioctl_unref(ctx);
		return -ENOMEM;
	}
	rc = 0;
	vfioctl_iommu_group_foreach(ctx, ig) {
		if (want >= 0 && vfioctl_iommu_group_get_number(ig) != want)
			continue;
		rc = add_group(env, ig, t, &dev_cap);
		if (rc < 0)
			break;
	}
	vfioctl_unref(ctx);
	/* Groups exist, just not this one. */
	if (rc == 0 && t->nr_groups == 0)
		rc = -ENOENT;
	if (rc < 0)
		topo_free(t);
	return rc;
}

int topo_iommu_present(const struct cli_env *env)
{
	struct vfioctl_ctx *ctx;
	int rc;

	rc = lib_scan(env, &ctx);
	if (rc < 0)
		return rc;
	vfioctl_unref(ctx);
	return 0;
}

void topo_free(struct cli_topo *t)
{
	size_t i;

	for (i = 0; i < t->nr_devs; i++)
		cli_dev_release(&t->devs[i]);
	free(t->devs);
	free(t->groups);
	memset(t, 0, sizeof(*t));
}

const struct cli_group *topo_group(const struct cli_topo *t, int id)
{
	size_t lo = 0, hi = t->nr_groups;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->groups[mid].id == id)
			return &t->groups[mid];
		if (t->groups[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct cli_dev *topo_dev(const struct cli_topo *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nr_devs; i++)
		if (strcmp(t->devs[i].name, name) == 0)
			return &t->devs[i];
	return NULL;
}
