// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * group.c - /dev/vfio/N and /dev/vfio/noiommu-N: open (by number or by a
 * device's iommu_group link), status, viability, container attach.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvfioctl-private.h"

static int open_node(struct vfioctl_ctx *ctx, int number,
		     struct vfioctl_group *g)
{
	char hint[1024], sys[PATH_MAX];
	struct stat st;
	int rc;

	rc = dev_path(ctx, g->path, sizeof(g->path), "/vfio/%d", number);
	if (rc < 0)
		return vfioctl_fail(ctx, rc, "open", "group", NULL);
	g->fd = open(g->path, O_RDWR | O_CLOEXEC);
	if (g->fd < 0 && errno == ENOENT) {
		/* A no-IOMMU group has its own node name. */
		rc = dev_path(ctx, g->path, sizeof(g->path),
			      "/vfio/noiommu-%d", number);
		if (rc < 0)
			return vfioctl_fail(ctx, rc, "open", "group", NULL);
		g->fd = open(g->path, O_RDWR | O_CLOEXEC);
		if (g->fd >= 0)
			g->noiommu = true;
		else if (errno == ENOENT)
			dev_path(ctx, g->path, sizeof(g->path), "/vfio/%d",
				 number);
	}
	if (g->fd >= 0)
		return 0;
	rc = errno;
	switch (rc) {
	case EBUSY:
		hint_holders(g->path, hint, sizeof(hint));
		return vfioctl_fail(ctx, rc, "open", g->path,
				    "a group can be open once; %s", hint);
	case ENOENT:
		sysfs_path(ctx, sys, sizeof(sys), "/kernel/iommu_groups/%d",
			   number);
		if (stat(sys, &st) < 0)
			return vfioctl_fail(ctx, rc, "open", g->path,
					    "IOMMU group %d does not exist (%s)",
					    number, sys);
		return vfioctl_fail(ctx, rc, "open", g->path,
				    "no device of group %d is bound to vfio-pci (vfioctl group attach %d)",
				    number, number);
	case EACCES:
	case EPERM:
		return vfioctl_fail(ctx, rc, "open", g->path,
				    "give this user the node (chown) or run as root; no-IOMMU groups need CAP_SYS_RAWIO");
	default:
		return vfioctl_fail(ctx, rc, "open", g->path, NULL);
	}
}

VFIOCTL_EXPORT int vfioctl_group_open(struct vfioctl_ctx *ctx, int number,
				      struct vfioctl_group **out)
{
	struct vfioctl_group *g;
	int rc;

	if (!ctx || !out || number < 0)
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return vfioctl_fail(ctx, ENOMEM, "open", "group", NULL);
	g->refcount = 1;
	g->number = number;
	rc = open_node(ctx, number, g);
	if (rc < 0) {
		free(g);
		return rc;
	}
	pthread_mutex_init(&g->lock, NULL);
	snprintf(g->object, sizeof(g->object), "group %d (%s)", number,
		 g->path);
	g->ctx = vfioctl_ref(ctx);
	*out = g;
	return 0;
}

/* The group number from a node name, "N" or "noiommu-N"; -1 if neither. */
static int number_of_node(const char *path, bool *noiommu)
{
	const char *base = strrchr(path, '/');
	char *end;
	long n;

	base = base ? base + 1 : path;
	*noiommu = strncmp(base, "noiommu-", 8) == 0;
	if (*noiommu)
		base += 8;
	n = strtol(base, &end, 10);
	if (end == base || *end || n < 0 || n > INT32_MAX)
		return -1;
	return (int)n;
}

/*
 * Takes over @fd, a group node the caller opened or was handed: on
 * success the group owns it and its last unref closes it; on failure it
 * is left alone.  The number comes from the node's name (-1 if that is
 * not /dev/vfio/N).  A container someone else attached the group to is
 * not known to the library: vfioctl_group_get_container() says NULL.
 */
VFIOCTL_EXPORT int vfioctl_group_from_fd(struct vfioctl_ctx *ctx, int fd,
					 struct vfioctl_group **out)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfioctl_group *g;
	int rc;

	if (!ctx || !out)
		return -EINVAL;
	rc = adopt_check_fd(ctx, fd, "VFIO_GROUP_GET_STATUS");
	if (rc < 0)
		return rc;
	rc = xioctl(fd, VFIO_GROUP_GET_STATUS, &st);
	if (rc < 0)
		return adopt_fail(ctx, fd, rc, "VFIO_GROUP_GET_STATUS",
				  "VFIO group (/dev/vfio/N)");
	g = calloc(1, sizeof(*g));
	if (!g)
		return vfioctl_fail(ctx, ENOMEM, "adopt", "group", NULL);
	g->refcount = 1;
	g->fd = fd;
	fd_target(fd, g->path, sizeof(g->path));
	g->number = number_of_node(g->path, &g->noiommu);
	snprintf(g->object, sizeof(g->object), "group %d (fd %d, %s)",
		 g->number, fd, g->path);
	pthread_mutex_init(&g->lock, NULL);
	g->ctx = vfioctl_ref(ctx);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	dbg(ctx, "%s: adopted\n", g->object);
	*out = g;
	return 0;
}

/* "01:00.0" means "0000:01:00.0", as lspci prints it. */
static void full_address(const char *addr, char *buf, size_t len)
{
	if (strchr(addr, ':') == strrchr(addr, ':'))
		snprintf(buf, len, "0000:%s", addr);
	else
		snprintf(buf, len, "%s", addr);
}

VFIOCTL_EXPORT int vfioctl_group_number_of_device(struct vfioctl_ctx *ctx,
						  const char *addr)
{
	char full[NAME_MAX + 1], path[PATH_MAX], name[NAME_MAX + 1], *end;
	struct stat st;
	long n;
	int rc;

	if (!ctx || !addr || !*addr || strchr(addr, '/'))
		return -EINVAL;
	full_address(addr, full, sizeof(full));
	rc = sysfs_path(ctx, path, sizeof(path),
			"/bus/pci/devices/%s/iommu_group", full);
	if (rc < 0)
		return vfioctl_fail(ctx, rc, "iommu_group", full, NULL);
	rc = sysfs_link_basename(path, name, sizeof(name));
	if (rc == -ENOENT) {
		sysfs_path(ctx, path, sizeof(path), "/bus/pci/devices/%s",
			   full);
		if (stat(path, &st) < 0)
			return vfioctl_fail(ctx, ENODEV, "iommu_group", full,
					    "there is no PCI device %s (lspci -D lists them)",
					    full);
		return vfioctl_fail(ctx, rc, "iommu_group", full,
				    "the device has no IOMMU group: enable the IOMMU (intel_iommu=on / amd_iommu=on), or use no-IOMMU mode");
	}
	if (rc < 0)
		return vfioctl_fail(ctx, rc, "iommu_group", path, NULL);
	n = strtol(name, &end, 10);
	if (*end || n < 0 || n > INT32_MAX)
		return vfioctl_fail(ctx, EPROTO, "iommu_group", path,
				    "the link points at '%s', not a group number",
				    name);
	return (int)n;
}

VFIOCTL_EXPORT int vfioctl_group_open_by_device(struct vfioctl_ctx *ctx,
						const char *addr,
						struct vfioctl_group **out)
{
	int n = vfioctl_group_number_of_device(ctx, addr);

	if (n < 0)
		return n;
	return vfioctl_group_open(ctx, n, out);
}

VFIOCTL_EXPORT struct vfioctl_group *
vfioctl_group_ref(struct vfioctl_group *g)
{
	if (g)
		ref_get(&g->refcount);
	return g;
}

/* Called with g->lock held, or from the last unref. */
static void drop_container(struct vfioctl_group *g)
{
	struct vfioctl_container *c = g->container;

	if (!c)
		return;
	g->container = NULL;
	pthread_mutex_lock(&c->attach);
	c->nr_groups--;
	pthread_mutex_unlock(&c->attach);
	container_invalidate_info(c);
	vfioctl_container_unref(c);
}

VFIOCTL_EXPORT void vfioctl_group_unref(struct vfioctl_group *g)
{
	if (!g || !ref_put(&g->refcount))
		return;
	/* Closing the fd detaches the group from its container. */
	close(g->fd);
	drop_container(g);
	pthread_mutex_destroy(&g->lock);
	vfioctl_unref(g->ctx);
	free(g);
}

VFIOCTL_EXPORT struct vfioctl_ctx *vfioctl_group_get_ctx(struct vfioctl_group *g)
{
	if (!g)
		return NULL;
	return g->ctx;
}

VFIOCTL_EXPORT int vfioctl_group_get_fd(struct vfioctl_group *g)
{
	if (!g)
		return -EINVAL;
	return g->fd;
}

VFIOCTL_EXPORT int vfioctl_group_get_number(struct vfioctl_group *g)
{
	if (!g)
		return -EINVAL;
	return g->number;
}

VFIOCTL_EXPORT int vfioctl_group_is_noiommu(struct vfioctl_group *g)
{
	if (!g)
		return -EINVAL;
	return g->noiommu;
}

VFIOCTL_EXPORT int vfioctl_group_get_status(struct vfioctl_group *g,
					    uint32_t *flags)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	int rc;

	if (!g || !flags)
		return -EINVAL;
	rc = xioctl(g->fd, VFIO_GROUP_GET_STATUS, &st);
	if (rc < 0)
		return vfioctl_fail(g->ctx, rc, "VFIO_GROUP_GET_STATUS",
				    g->object, NULL);
	*flags = st.flags;
	return 0;
}

/*
 * 1 if viable, 0 if not; then the last error names the devices that keep
 * the group from being viable and their drivers.
 */
VFIOCTL_EXPORT int vfioctl_group_is_viable(struct vfioctl_group *g)
{
	char hint[1024];
	uint32_t flags;
	int rc;

	if (!g)
		return -EINVAL;
	rc = vfioctl_group_get_status(g, &flags);
	if (rc < 0)
		return rc;
	if (flags & VFIO_GROUP_FLAGS_VIABLE)
		return 1;
	hint_group_viability(g->ctx, g->number, hint, sizeof(hint));
	vfioctl_fail(g->ctx, EPERM, "VFIO_GROUP_GET_STATUS", g->object,
		     "the group is not viable: %s", hint);
	return 0;
}

VFIOCTL_EXPORT int vfioctl_group_set_container(struct vfioctl_group *g,
					       struct vfioctl_container *c)
{
	struct vfio_group_status st;
	char hint[1024];
	uint32_t flags = VFIO_GROUP_FLAGS_VIABLE;	/* if status fails */
	int rc, fd;

	if (!g || !c)
		return -EINVAL;
	fd = c->fd;
	pthread_mutex_lock(&g->lock);
	pthread_mutex_lock(&c->attach);
	rc = xioctl(g->fd, VFIO_GROUP_SET_CONTAINER, &fd);
	if (rc == 0) {
		c->nr_groups++;
		pthread_mutex_unlock(&c->attach);
		/* The kernel refuses a second container; this is for safety. */
		drop_container(g);
		g->container = vfioctl_container_ref(c);
		pthread_mutex_unlock(&g->lock);
		container_invalidate_info(c);
		return 0;
	}
	pthread_mutex_unlock(&c->attach);
	pthread_mutex_unlock(&g->lock);
	/* Find out why; the errno reported stays the ioctl's. */
	st.argsz = sizeof(st);
	if (xioctl(g->fd, VFIO_GROUP_GET_STATUS, &st) == 0)
		flags = st.flags;
	if (!(flags & VFIO_GROUP_FLAGS_VIABLE)) {
		hint_group_viability(g->ctx, g->number, hint, sizeof(hint));
		return vfioctl_fail(g->ctx, rc, "VFIO_GROUP_SET_CONTAINER",
				    g->object, "the group is not viable: %s",
				    hint);
	}
	if (flags & VFIO_GROUP_FLAGS_CONTAINER_SET)
		return vfioctl_fail(g->ctx, rc, "VFIO_GROUP_SET_CONTAINER",
				    g->object,
				    "the group is already in a container; unset it first");
	if (rc == -EINVAL && container_iommu_type(c))
		return vfioctl_fail(g->ctx, rc, "VFIO_GROUP_SET_CONTAINER",
				    g->object,
				    "the container's IOMMU model (%d) cannot take this group (a no-IOMMU group needs its own container)",
				    container_iommu_type(c));
	return vfioctl_fail(g->ctx, rc, "VFIO_GROUP_SET_CONTAINER", g->object,
			    NULL);
}

VFIOCTL_EXPORT int vfioctl_group_unset_container(struct vfioctl_group *g)
{
	int rc;

	if (!g)
		return -EINVAL;
	pthread_mutex_lock(&g->lock);
	rc = ioctl_noarg(g->fd, VFIO_GROUP_UNSET_CONTAINER);
	if (rc == 0)
		drop_container(g);
	pthread_mutex_unlock(&g->lock);
	if (rc < 0) {
		if (rc == -EINVAL)
			return vfioctl_fail(g->ctx, rc,
					    "VFIO_GROUP_UNSET_CONTAINER",
					    g->object,
					    "the group is not in a container");
		if (rc == -EBUSY)
			return vfioctl_fail(g->ctx, rc,
					    "VFIO_GROUP_UNSET_CONTAINER",
					    g->object,
					    "a device of the group is still open; release it first");
		return vfioctl_fail(g->ctx, rc, "VFIO_GROUP_UNSET_CONTAINER",
				    g->object, NULL);
	}
	return 0;
}

VFIOCTL_EXPORT struct vfioctl_container *
vfioctl_group_get_container(struct vfioctl_group *g)
{
	struct vfioctl_container *c;

	if (!g)
		return NULL;
	pthread_mutex_lock(&g->lock);
	c = g->container;
	pthread_mutex_unlock(&g->lock);
	return c;
}
