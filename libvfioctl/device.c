// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * device.c - a device fd from VFIO_GROUP_GET_DEVICE_FD: info, reset, PCI
 * hot-reset dependencies.  Regions and irqs (region.c, irq.c) hang off it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvfioctl-private.h"

static int walk_ok(const struct vfio_info_cap_header *hdr, size_t avail,
		   void *data)
{
	return 0;
}

struct cap_ids {
	uint16_t *ids;
	unsigned int max, count;
};

static int collect_id(const struct vfio_info_cap_header *hdr, size_t avail,
		      void *data)
{
	struct cap_ids *c = data;

	if (c->count < c->max)
		c->ids[c->count] = hdr->id;
	c->count++;
	return 0;
}

/* The chain was checked by load_info(); this only finds the head. */
static bool info_chain(struct vfioctl_device *d, uint32_t *first)
{
	const struct vfio_device_info *info = d->info;

	if (!info || !(info->flags & VFIO_DEVICE_FLAGS_CAPS) ||
	    !info->cap_offset)
		return false;
	*first = info->cap_offset;
	return true;
}

static int load_info(struct vfioctl_device *d)
{
	struct vfioctl_ctx *ctx = d->group->ctx;
	struct vfio_device_info tmpl = { 0 }, *info;
	size_t len;
	void *buf;
	int rc;

	rc = info_ioctl(ctx, d->fd, VFIO_DEVICE_GET_INFO,
			"VFIO_DEVICE_GET_INFO", d->object, &tmpl, sizeof(tmpl),
			&buf, &len);
	if (rc < 0)
		return rc;
	info = buf;
	/* Reject a broken chain now rather than when a cap is asked for. */
	if (info->flags & VFIO_DEVICE_FLAGS_CAPS &&
	    cap_walk(buf, len, sizeof(*info), info->cap_offset, walk_ok,
		     NULL) < 0) {
		free(buf);
		return vfioctl_fail(ctx, EPROTO, "VFIO_DEVICE_GET_INFO",
				    d->object,
				    "malformed capability chain in the reply");
	}
	d->flags = info->flags;
	d->num_regions = info->num_regions;
	d->num_irqs = info->num_irqs;
	d->info = buf;
	d->info_len = len;
	d->regions = calloc(d->num_regions ? d->num_regions : 1,
			    sizeof(*d->regions));
	d->irqs = calloc(d->num_irqs ? d->num_irqs : 1, sizeof(*d->irqs));
	if (!d->regions || !d->irqs)
		return vfioctl_fail(ctx, ENOMEM, "VFIO_DEVICE_GET_INFO",
				    d->object, NULL);
	return 0;
}

static int explain_get_fd(struct vfioctl_group *g, const char *name, int rc)
{
	char hint[1024], object[PATH_MAX + NAME_MAX + 128];
	uint32_t flags;
	bool ready;

	snprintf(object, sizeof(object), "device %s in %s", name, g->object);
	switch (-rc) {
	case ENODEV:
		return vfioctl_fail(g->ctx, rc, "VFIO_GROUP_GET_DEVICE_FD",
				    object,
				    "no such device in group %d or it is not bound to vfio-pci (ls %s/kernel/iommu_groups/%d/devices)",
				    g->number, g->ctx->sysfs_root, g->number);
	case EINVAL:
		pthread_mutex_lock(&g->lock);
		ready = g->container && container_iommu_type(g->container);
		pthread_mutex_unlock(&g->lock);
		if (!ready)
			return vfioctl_fail(g->ctx, rc,
					    "VFIO_GROUP_GET_DEVICE_FD", object,
					    "put the group in a container and set its IOMMU model first");
		if (vfioctl_group_get_status(g, &flags) == 0 &&
		    !(flags & VFIO_GROUP_FLAGS_VIABLE)) {
			hint_group_viability(g->ctx, g->number, hint,
					     sizeof(hint));
			return vfioctl_fail(g->ctx, rc,
					    "VFIO_GROUP_GET_DEVICE_FD", object,
					    "the group is not viable: %s", hint);
		}
		break;
	case EBUSY:
		return vfioctl_fail(g->ctx, rc, "VFIO_GROUP_GET_DEVICE_FD",
				    object,
				    "the device is already open (in this process or one that shares the group)");
	}
	return vfioctl_fail(g->ctx, rc, "VFIO_GROUP_GET_DEVICE_FD", object,
			    NULL);
}

VFIOCTL_EXPORT int vfioctl_device_open(struct vfioctl_group *g,
				       const char *name,
				       struct vfioctl_device **out)
{
	struct vfioctl_device *d;
	int rc, fd;

	if (!g || !name || !out)
		return -EINVAL;
	fd = ioctl_ularg(g->fd, VFIO_GROUP_GET_DEVICE_FD, (uintptr_t)name);
	if (fd < 0)
		return explain_get_fd(g, name, fd);
	/* The kernel sets it; make sure for any kernel. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	d = calloc(1, sizeof(*d));
	if (!d || !(d->name = strdup(name))) {
		free(d);
		close(fd);
		return vfioctl_fail(g->ctx, ENOMEM, "open", name, NULL);
	}
	d->refcount = 1;
	d->fd = fd;
	d->group = vfioctl_group_ref(g);
	pthread_mutex_init(&d->lock, NULL);
	snprintf(d->object, sizeof(d->object), "device %s", name);
	rc = load_info(d);
	if (rc < 0) {
		vfioctl_device_unref(d);
		return rc;
	}
	*out = d;
	return 0;
}

/*
 * Takes over @fd, a device fd of a device in @g that the caller got or
 * was handed: on success the device owns it and its last unref closes
 * it; on failure it is left alone.  @name is only for messages and
 * vfioctl_device_get_name(); NULL names it after the fd.
 */
VFIOCTL_EXPORT int vfioctl_device_from_fd(struct vfioctl_group *g, int fd,
					  const char *name,
					  struct vfioctl_device **out)
{
	struct vfio_device_info probe = { .argsz = sizeof(probe) };
	struct vfioctl_device *d;
	char fallback[32];
	int rc;

	if (!g || !out)
		return -EINVAL;
	rc = adopt_check_fd(g->ctx, fd, "VFIO_DEVICE_GET_INFO");
	if (rc < 0)
		return rc;
	rc = xioctl(fd, VFIO_DEVICE_GET_INFO, &probe);
	if (rc < 0)
		return adopt_fail(g->ctx, fd, rc, "VFIO_DEVICE_GET_INFO",
				  "VFIO device");
	if (!name) {
		snprintf(fallback, sizeof(fallback), "fd %d", fd);
		name = fallback;
	}
	d = calloc(1, sizeof(*d));
	if (!d || !(d->name = strdup(name))) {
		free(d);
		return vfioctl_fail(g->ctx, ENOMEM, "adopt", name, NULL);
	}
	d->refcount = 1;
	d->fd = fd;
	d->group = vfioctl_group_ref(g);
	pthread_mutex_init(&d->lock, NULL);
	snprintf(d->object, sizeof(d->object), "device %s", name);
	rc = load_info(d);
	if (rc < 0) {
		d->fd = -1;	/* still the caller's */
		vfioctl_device_unref(d);
		return rc;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	*out = d;
	return 0;
}

VFIOCTL_EXPORT struct vfioctl_device *
vfioctl_device_ref(struct vfioctl_device *d)
{
	if (d)
		ref_get(&d->refcount);
	return d;
}

VFIOCTL_EXPORT void vfioctl_device_unref(struct vfioctl_device *d)
{
	unsigned int i;

	if (!d || !ref_put(&d->refcount))
		return;
	for (i = 0; d->regions && i < d->num_regions; i++)
		region_free(d->regions[i]);
	for (i = 0; d->irqs && i < d->num_irqs; i++)
		free(d->irqs[i]);
	free(d->regions);
	free(d->irqs);
	free(d->info);
	if (d->fd >= 0)
		close(d->fd);
	pthread_mutex_destroy(&d->lock);
	vfioctl_group_unref(d->group);
	free(d->name);
	free(d);
}

VFIOCTL_EXPORT struct vfioctl_ctx *
vfioctl_device_get_ctx(struct vfioctl_device *d)
{
	if (!d)
		return NULL;
	return d->group->ctx;
}

VFIOCTL_EXPORT struct vfioctl_group *
vfioctl_device_get_group(struct vfioctl_device *d)
{
	if (!d)
		return NULL;
	return d->group;
}

VFIOCTL_EXPORT int vfioctl_device_get_fd(struct vfioctl_device *d)
{
	if (!d)
		return -EINVAL;
	return d->fd;
}

VFIOCTL_EXPORT const char *vfioctl_device_get_name(struct vfioctl_device *d)
{
	if (!d)
		return NULL;
	return d->name;
}

VFIOCTL_EXPORT uint32_t vfioctl_device_get_flags(struct vfioctl_device *d)
{
	if (!d)
		return 0;
	return d->flags;
}

VFIOCTL_EXPORT unsigned int
vfioctl_device_get_num_regions(struct vfioctl_device *d)
{
	if (!d)
		return 0;
	return d->num_regions;
}

VFIOCTL_EXPORT unsigned int
vfioctl_device_get_num_irqs(struct vfioctl_device *d)
{
	if (!d)
		return 0;
	return d->num_irqs;
}

/*
 * The device-info capabilities (zPCI, PCI atomic completer, ...), which
 * the library does not interpret: the caller gets the kernel's bytes.
 */
VFIOCTL_EXPORT int
vfioctl_device_get_info_cap(struct vfioctl_device *d, unsigned int id,
			    const struct vfio_info_cap_header **cap,
			    size_t *size)
{
	uint32_t first;
	const void *p;
	size_t avail;
	int rc;

	if (!d || !cap)
		return -EINVAL;
	if (id > UINT16_MAX || !info_chain(d, &first))
		return -ENODATA;
	rc = cap_find(d->info, d->info_len, sizeof(struct vfio_device_info),
		      first, (uint16_t)id, sizeof(**cap), &p, &avail);
	if (rc == -ENOENT)
		return -ENODATA;
	if (rc < 0)
		return rc;
	*cap = p;
	if (size)
		*size = avail;
	return 0;
}

VFIOCTL_EXPORT int vfioctl_device_get_info_cap_ids(struct vfioctl_device *d,
						   uint16_t *ids,
						   unsigned int max)
{
	struct cap_ids c = { .ids = ids, .max = ids ? max : 0 };
	uint32_t first;
	int rc;

	if (!d)
		return -EINVAL;
	if (!info_chain(d, &first))
		return 0;
	rc = cap_walk(d->info, d->info_len, sizeof(struct vfio_device_info),
		      first, collect_id, &c);
	return rc < 0 ? rc : (int)c.count;
}

VFIOCTL_EXPORT int vfioctl_device_reset(struct vfioctl_device *d)
{
	int rc;

	if (!d)
		return -EINVAL;
	rc = ioctl_noarg(d->fd, VFIO_DEVICE_RESET);
	if (rc < 0)
		return vfioctl_fail(d->group->ctx, rc, "VFIO_DEVICE_RESET",
				    d->object,
				    d->flags & VFIO_DEVICE_FLAGS_RESET ? NULL :
				    "the device offers no reset method (VFIO_DEVICE_FLAGS_RESET is clear)");
	return 0;
}

/*
 * The kernel answers -ENOSPC with the count filled in when the array is
 * too small, so this grows the array rather than argsz.
 */
VFIOCTL_EXPORT int
vfioctl_device_get_hot_reset_info(struct vfioctl_device *d,
				  struct vfioctl_reset_dep *deps,
				  unsigned int max)
{
	struct vfio_pci_hot_reset_info *info = NULL, *tmp;
	unsigned int count = 0, i;
	int rc, tries;
	size_t size;

	if (!d)
		return -EINVAL;
	for (tries = 0; tries < 4; tries++) {
		size = sizeof(*info) + (size_t)count * sizeof(info->devices[0]);
		tmp = realloc(info, size);
		if (!tmp) {
			free(info);
			return vfioctl_fail(d->group->ctx, ENOMEM,
					    "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO",
					    d->object, NULL);
		}
		info = tmp;
		memset(info, 0, size);
		info->argsz = (uint32_t)size;
		rc = xioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info);
		if (rc == -ENOSPC && info->count > count &&
		    info->count <= 4096) {
			count = info->count;
			continue;
		}
		if (rc < 0) {
			free(info);
			return vfioctl_fail(d->group->ctx, rc,
					    "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO",
					    d->object,
					    rc == -ENODEV || rc == -ENOTTY ?
					    "the device cannot be hot reset (not PCI, or no bus or slot reset)" :
					    NULL);
		}
		count = info->count;
		for (i = 0; i < count && i < max; i++) {
			deps[i].group = info->devices[i].group_id;
			deps[i].segment = info->devices[i].segment;
			deps[i].bus = info->devices[i].bus;
			deps[i].devfn = info->devices[i].devfn;
		}
		free(info);
		return (int)count;
	}
	free(info);
	return vfioctl_fail(d->group->ctx, EPROTO,
			    "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO", d->object,
			    "the kernel kept raising the count");
}

/* Adds @g to @fds unless it is there; returns the new count. */
static unsigned int add_group_fd(int32_t *fds, unsigned int n,
				 struct vfioctl_group *g)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (fds[i] == g->fd)
			return n;
	fds[n] = g->fd;
	return n + 1;
}

static bool have_group(struct vfioctl_group *const *groups, unsigned int n,
		       struct vfioctl_group *own, uint32_t number)
{
	unsigned int i;

	if (own->number >= 0 && (uint32_t)own->number == number)
		return true;
	for (i = 0; i < n; i++)
		if (groups[i]->number >= 0 &&
		    (uint32_t)groups[i]->number == number)
			return true;
	return false;
}

/*
 * A PCI hot (bus or slot) reset resets every device of the bus or slot,
 * so the kernel wants proof that the caller owns all of them: the fds of
 * every group VFIO_DEVICE_GET_PCI_HOT_RESET_INFO names.  The device's own
 * group is always passed; @groups are the others.  A missing group is
 * named here instead of the kernel's bare -EINVAL.
 */
VFIOCTL_EXPORT int
vfioctl_device_pci_hot_reset(struct vfioctl_device *d,
			     struct vfioctl_group *const *groups,
			     unsigned int n)
{
	struct vfioctl_reset_dep *deps = NULL;
	struct vfio_pci_hot_reset *reset = NULL;
	struct vfioctl_ctx *ctx;
	unsigned int i, count = 0;
	int rc, nr_deps;

	if (!d || (n && !groups))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!groups[i])
			return -EINVAL;
	ctx = d->group->ctx;
	nr_deps = vfioctl_device_get_hot_reset_info(d, NULL, 0);
	if (nr_deps < 0)
		return nr_deps;
	deps = calloc((size_t)nr_deps + 1, sizeof(*deps));
	if (!deps)
		return vfioctl_fail(ctx, ENOMEM, "VFIO_DEVICE_PCI_HOT_RESET",
				    d->object, NULL);
	rc = vfioctl_device_get_hot_reset_info(d, deps, (unsigned int)nr_deps);
	if (rc < 0)
		goto out;
	/* The set may have grown in between; check what we hold. */
	nr_deps = rc < nr_deps ? rc : nr_deps;
	for (i = 0; i < (unsigned int)nr_deps; i++) {
		/* -1: a device not in a group (iommufd cdev), nothing to pass. */
		if (deps[i].group == UINT32_MAX ||
		    have_group(groups, n, d->group, deps[i].group))
			continue;
		rc = vfioctl_fail(ctx, EINVAL, "VFIO_DEVICE_PCI_HOT_RESET",
				  d->object,
				  "the reset also resets %04x:%02x:%02x.%x in group %u: open group %u and pass it",
				  deps[i].segment, deps[i].bus, deps[i].devfn >> 3,
				  deps[i].devfn & 7, deps[i].group, deps[i].group);
		goto out;
	}
	reset = calloc(1, sizeof(*reset) + ((size_t)n + 1) * sizeof(int32_t));
	if (!reset) {
		rc = vfioctl_fail(ctx, ENOMEM, "VFIO_DEVICE_PCI_HOT_RESET",
				  d->object, NULL);
		goto out;
	}
	count = add_group_fd(reset->group_fds, count, d->group);
	for (i = 0; i < n; i++)
		count = add_group_fd(reset->group_fds, count, groups[i]);
	reset->argsz = (uint32_t)(sizeof(*reset) + count * sizeof(int32_t));
	reset->count = count;
	rc = xioctl(d->fd, VFIO_DEVICE_PCI_HOT_RESET, reset);
	if (rc < 0)
		rc = vfioctl_fail(ctx, rc, "VFIO_DEVICE_PCI_HOT_RESET", d->object,
				  rc == -EINVAL ?
				  "the kernel refused the groups passed (%u): every affected group must be open in this process and attached to the same container" :
				  rc == -EBUSY ?
				  "a device of the bus or slot is open elsewhere (%u groups passed)" :
				  "%u groups passed", count);
out:
	free(reset);
	free(deps);
	return rc < 0 ? rc : 0;
}
