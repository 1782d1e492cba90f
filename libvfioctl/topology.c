// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * topology.c - the IOMMU groups under <sysfs>/kernel/iommu_groups and the
 * devices in each, as ndctl enumerates its buses: the context owns them,
 * reads them once on first use, and hands out first/next iterators.
 *
 * These are the kernel's groups, with or without a /dev/vfio node; open
 * one with vfioctl_group_open() to use it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvfioctl-private.h"

struct vfioctl_iommu_dev {
	struct vfioctl_iommu_group *group;
	char name[NAME_MAX + 1];
	char driver[NAME_MAX + 1];	/* "" when unbound */
	unsigned int vendor, device;	/* 0 when not PCI */
};

struct vfioctl_iommu_group {
	struct vfioctl_ctx *ctx;
	int number;
	unsigned int nr_devs;
	struct vfioctl_iommu_dev *devs;
};

static int cmp_number(const void *a, const void *b)
{
	const struct vfioctl_iommu_group *x = a, *y = b;

	return (x->number > y->number) - (x->number < y->number);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct vfioctl_iommu_dev *)a)->name,
		      ((const struct vfioctl_iommu_dev *)b)->name);
}

static unsigned int read_hex(const char *path)
{
	char buf[32];

	if (sysfs_read_line(path, buf, sizeof(buf)) < 0)
		return 0;
	return (unsigned int)strtoul(buf, NULL, 16);
}

static int scan_devices(struct vfioctl_ctx *ctx, struct vfioctl_iommu_group *g)
{
	char dir[PATH_MAX], path[PATH_MAX + 2 * NAME_MAX];
	struct vfioctl_iommu_dev *devs = NULL, *tmp, *d;
	unsigned int nr = 0, cap = 0;
	struct dirent *de;
	DIR *dp;
	int rc;

	rc = sysfs_path(ctx, dir, sizeof(dir), "/kernel/iommu_groups/%d/devices",
			g->number);
	if (rc < 0)
		return rc;
	dp = opendir(dir);
	if (!dp)	/* a group going away while we look is empty */
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		if (nr == cap) {
			cap = cap ? cap * 2 : 4;
			tmp = realloc(devs, cap * sizeof(*devs));
			if (!tmp) {
				rc = -ENOMEM;
				break;
			}
			devs = tmp;
		}
		d = &devs[nr++];
		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "%s", de->d_name);
		snprintf(path, sizeof(path), "%s/%s/driver", dir, de->d_name);
		if (sysfs_link_basename(path, d->driver, sizeof(d->driver)) < 0)
			d->driver[0] = '\0';
		snprintf(path, sizeof(path), "%s/%s/vendor", dir, de->d_name);
		d->vendor = read_hex(path);
		snprintf(path, sizeof(path), "%s/%s/device", dir, de->d_name);
		d->device = read_hex(path);
	}
	closedir(dp);
	if (rc < 0) {
		free(devs);
		return rc;
	}
	if (nr)
		qsort(devs, nr, sizeof(*devs), cmp_name);
	g->devs = devs;
	g->nr_devs = nr;
	return 0;
}

void topology_free(struct vfioctl_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_iommu_groups; i++)
		free(ctx->iommu_groups[i].devs);
	free(ctx->iommu_groups);
	ctx->iommu_groups = NULL;
	ctx->nr_iommu_groups = 0;
	ctx->topology_scanned = false;
}

/* Called with ctx->lock held. */
static int scan(struct vfioctl_ctx *ctx)
{
	struct vfioctl_iommu_group *groups = NULL, *tmp;
	unsigned int nr = 0, cap = 0, i, j;
	char dir[PATH_MAX], *end;
	struct dirent *de;
	DIR *dp;
	long n;
	int rc = 0;

	if (ctx->topology_scanned)
		return (int)ctx->nr_iommu_groups;
	rc = sysfs_path(ctx, dir, sizeof(dir), "/kernel/iommu_groups");
	if (rc < 0)
		return vfioctl_fail(ctx, rc, "scan", "IOMMU groups", NULL);
	dp = opendir(dir);
	if (!dp && errno != ENOENT)
		return vfioctl_fail(ctx, errno, "opendir", dir, NULL);
	while (dp && (de = readdir(dp))) {
		n = strtol(de->d_name, &end, 10);
		if (end == de->d_name || *end || n < 0 || n > INT32_MAX)
			continue;
		if (nr == cap) {
			cap = cap ? cap * 2 : 16;
			tmp = realloc(groups, cap * sizeof(*groups));
			if (!tmp) {
				rc = -ENOMEM;
				break;
			}
			groups = tmp;
		}
		memset(&groups[nr], 0, sizeof(groups[nr]));
		groups[nr].ctx = ctx;
		groups[nr].number = (int)n;
		rc = scan_devices(ctx, &groups[nr]);
		nr++;
		if (rc < 0)
			break;
	}
	if (dp)
		closedir(dp);
	if (rc < 0) {
		for (i = 0; i < nr; i++)
			free(groups[i].devs);
		free(groups);
		return vfioctl_fail(ctx, rc, "scan", dir, NULL);
	}
	if (nr == 0) {
		free(groups);
		/* A kernel without an IOMMU leaves the directory empty. */
		return vfioctl_fail(ctx, ENODEV, "scan", dir,
				    "no IOMMU groups: enable the IOMMU (intel_iommu=on / amd_iommu=on), or use no-IOMMU mode");
	}
	qsort(groups, nr, sizeof(*groups), cmp_number);
	/* The devices point at their group only once the array stays put. */
	for (i = 0; i < nr; i++)
		for (j = 0; j < groups[i].nr_devs; j++)
			groups[i].devs[j].group = &groups[i];
	ctx->iommu_groups = groups;
	ctx->nr_iommu_groups = nr;
	ctx->topology_scanned = true;
	return (int)nr;
}

/*
 * Reads the groups now if that was not done yet; returns how many there
 * are, -ENODEV when the host has none (no IOMMU), or another -errno.
 */
VFIOCTL_EXPORT int vfioctl_iommu_groups_scan(struct vfioctl_ctx *ctx)
{
	int rc;

	if (!ctx)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	rc = scan(ctx);
	pthread_mutex_unlock(&ctx->lock);
	return rc;
}

VFIOCTL_EXPORT struct vfioctl_iommu_group *
vfioctl_iommu_group_get_first(struct vfioctl_ctx *ctx)
{
	if (vfioctl_iommu_groups_scan(ctx) <= 0)
		return NULL;
	return &ctx->iommu_groups[0];
}

VFIOCTL_EXPORT struct vfioctl_iommu_group *
vfioctl_iommu_group_get_next(struct vfioctl_iommu_group *g)
{
	struct vfioctl_ctx *ctx;

	if (!g)
		return NULL;
	ctx = g->ctx;
	if (g + 1 >= ctx->iommu_groups + ctx->nr_iommu_groups)
		return NULL;
	return g + 1;
}

VFIOCTL_EXPORT int vfioctl_iommu_group_get_number(struct vfioctl_iommu_group *g)
{
	return g ? g->number : -EINVAL;
}

VFIOCTL_EXPORT struct vfioctl_ctx *
vfioctl_iommu_group_get_ctx(struct vfioctl_iommu_group *g)
{
	return g ? g->ctx : NULL;
}

VFIOCTL_EXPORT struct vfioctl_iommu_dev *
vfioctl_iommu_dev_get_first(struct vfioctl_iommu_group *g)
{
	return g && g->nr_devs ? &g->devs[0] : NULL;
}

VFIOCTL_EXPORT struct vfioctl_iommu_dev *
vfioctl_iommu_dev_get_next(struct vfioctl_iommu_dev *d)
{
	struct vfioctl_iommu_group *g;

	if (!d)
		return NULL;
	g = d->group;
	return d + 1 < g->devs + g->nr_devs ? d + 1 : NULL;
}

VFIOCTL_EXPORT struct vfioctl_iommu_group *
vfioctl_iommu_dev_get_group(struct vfioctl_iommu_dev *d)
{
	return d ? d->group : NULL;
}

VFIOCTL_EXPORT const char *vfioctl_iommu_dev_get_name(struct vfioctl_iommu_dev *d)
{
	return d ? d->name : NULL;
}

VFIOCTL_EXPORT const char *
vfioctl_iommu_dev_get_driver(struct vfioctl_iommu_dev *d)
{
	return d ? d->driver : NULL;
}

VFIOCTL_EXPORT unsigned int
vfioctl_iommu_dev_get_vendor(struct vfioctl_iommu_dev *d)
{
	return d ? d->vendor : 0;
}

VFIOCTL_EXPORT unsigned int
vfioctl_iommu_dev_get_device(struct vfioctl_iommu_dev *d)
{
	return d ? d->device : 0;
}
