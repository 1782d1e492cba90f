// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * irq.c - interrupt indexes: info, and VFIO_DEVICE_SET_IRQS for every
 * action (eventfd trigger, disable, mask, unmask, loopback trigger,
 * resample eventfd).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvfioctl-private.h"

static const char *pci_irq_name(unsigned int index)
{
	static const char *const names[] = {
		"INTx", "MSI", "MSI-X", "ERR", "REQ",
	};

	return index < ARRAY_SIZE(names) ? names[index] : "device-specific";
}

static void irq_object(struct vfioctl_device *d, unsigned int index,
		       char *buf, size_t len)
{
	snprintf(buf, len, "irq %u (%s) of %s", index,
		 d->flags & VFIO_DEVICE_FLAGS_PCI ? pci_irq_name(index) : "",
		 d->object);
}

VFIOCTL_EXPORT int vfioctl_device_get_irq(struct vfioctl_device *d,
					  unsigned int index,
					  struct vfioctl_irq **out)
{
	struct vfio_irq_info tmpl = { .index = index }, *info;
	struct vfioctl_ctx *ctx;
	char object[NAME_MAX + 128];
	struct vfioctl_irq *irq;
	size_t len;
	void *buf;
	int rc = 0;

	if (!d || !out)
		return -EINVAL;
	ctx = d->group->ctx;
	if (index >= d->num_irqs)
		return vfioctl_fail(ctx, EINVAL, "VFIO_DEVICE_GET_IRQ_INFO",
				    d->object,
				    "irq index %u does not exist; the device has %u",
				    index, d->num_irqs);
	pthread_mutex_lock(&d->lock);
	if (d->irqs[index])
		goto out;
	irq_object(d, index, object, sizeof(object));
	rc = info_ioctl(ctx, d->fd, VFIO_DEVICE_GET_IRQ_INFO,
			"VFIO_DEVICE_GET_IRQ_INFO", object, &tmpl, sizeof(tmpl),
			&buf, &len);
	if (rc < 0)
		goto out;
	info = buf;
	irq = calloc(1, sizeof(*irq));
	if (!irq) {
		free(buf);
		rc = vfioctl_fail(ctx, ENOMEM, "VFIO_DEVICE_GET_IRQ_INFO",
				  object, NULL);
		goto out;
	}
	irq->device = d;
	irq->index = index;
	irq->flags = info->flags;
	irq->count = info->count;
	free(buf);
	d->irqs[index] = irq;
out:
	if (rc == 0)
		*out = d->irqs[index];
	pthread_mutex_unlock(&d->lock);
	return rc;
}

VFIOCTL_EXPORT struct vfioctl_device *
vfioctl_irq_get_device(struct vfioctl_irq *irq)
{
	if (!irq)
		return NULL;
	return irq->device;
}

VFIOCTL_EXPORT struct vfioctl_ctx *vfioctl_irq_get_ctx(struct vfioctl_irq *irq)
{
	if (!irq)
		return NULL;
	return irq->device->group->ctx;
}

VFIOCTL_EXPORT unsigned int vfioctl_irq_get_index(struct vfioctl_irq *irq)
{
	if (!irq)
		return 0;
	return irq->index;
}

VFIOCTL_EXPORT uint32_t vfioctl_irq_get_flags(struct vfioctl_irq *irq)
{
	if (!irq)
		return 0;
	return irq->flags;
}

VFIOCTL_EXPORT unsigned int vfioctl_irq_get_count(struct vfioctl_irq *irq)
{
	if (!irq)
		return 0;
	return irq->count;
}

static int set_irqs(struct vfioctl_irq *irq, const char *action,
		    uint32_t flags, unsigned int start, unsigned int count,
		    const int *fds)
{
	struct vfioctl_ctx *ctx = vfioctl_irq_get_ctx(irq);
	size_t data = fds ? (size_t)count * sizeof(int32_t) : 0;
	char object[NAME_MAX + 128];
	struct vfio_irq_set *set;
	unsigned int i;
	int rc;

	irq_object(irq->device, irq->index, object, sizeof(object));
	if (start > irq->count || count > irq->count - start)
		return vfioctl_fail(ctx, EINVAL, "VFIO_DEVICE_SET_IRQS", object,
				    "%s of vectors [%u, +%u) but the index has %u",
				    action, start, count, irq->count);
	set = calloc(1, sizeof(*set) + data);
	if (!set)
		return vfioctl_fail(ctx, ENOMEM, "VFIO_DEVICE_SET_IRQS", object,
				    NULL);
	set->argsz = (uint32_t)(sizeof(*set) + data);
	set->flags = flags;
	set->index = irq->index;
	set->start = start;
	set->count = count;
	for (i = 0; fds && i < count; i++)
		((int32_t *)set->data)[i] = fds[i];
	rc = xioctl(irq->device->fd, VFIO_DEVICE_SET_IRQS, set);
	free(set);
	if (rc < 0) {
		if ((rc == -EINVAL || rc == -ENOTTY) &&
		    !(irq->flags & VFIO_IRQ_INFO_MASKABLE) &&
		    flags & (VFIO_IRQ_SET_ACTION_MASK | VFIO_IRQ_SET_ACTION_UNMASK))
			return vfioctl_fail(ctx, rc, "VFIO_DEVICE_SET_IRQS",
					    object, "%s: the index is not maskable",
					    action);
		if (rc == -EINVAL && flags & VFIO_IRQ_SET_DATA_EVENTFD)
			return vfioctl_fail(ctx, rc, "VFIO_DEVICE_SET_IRQS",
					    object,
					    "%s: only one of INTx, MSI and MSI-X can be enabled at a time; disable the other first, and pass valid eventfds",
					    action);
		return vfioctl_fail(ctx, rc, "VFIO_DEVICE_SET_IRQS", object,
				    "%s", action);
	}
	return 0;
}

VFIOCTL_EXPORT int vfioctl_irq_enable(struct vfioctl_irq *irq,
				      unsigned int start, unsigned int count,
				      const int *eventfds)
{
	if (!irq)
		return -EINVAL;
	if (!eventfds || !count)
		return -EINVAL;
	return set_irqs(irq, "enable",
			VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			start, count, eventfds);
}

VFIOCTL_EXPORT int vfioctl_irq_disable(struct vfioctl_irq *irq)
{
	if (!irq)
		return -EINVAL;
	return set_irqs(irq, "disable",
			VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			0, 0, NULL);
}

VFIOCTL_EXPORT int vfioctl_irq_mask(struct vfioctl_irq *irq,
				    unsigned int start, unsigned int count)
{
	if (!irq)
		return -EINVAL;
	return set_irqs(irq, "mask",
			VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
			start, count, NULL);
}

VFIOCTL_EXPORT int vfioctl_irq_unmask(struct vfioctl_irq *irq,
				      unsigned int start, unsigned int count)
{
	if (!irq)
		return -EINVAL;
	return set_irqs(irq, "unmask",
			VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
			start, count, NULL);
}

/* Loopback: the kernel signals the vectors' eventfds itself. */
VFIOCTL_EXPORT int vfioctl_irq_trigger(struct vfioctl_irq *irq,
				       unsigned int start, unsigned int count)
{
	if (!irq)
		return -EINVAL;
	if (!count)
		return -EINVAL;
	return set_irqs(irq, "trigger",
			VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			start, count, NULL);
}

/* INTx resampling: @eventfd written by the VMM at EOI unmasks the line. */
VFIOCTL_EXPORT int vfioctl_irq_set_unmask_eventfd(struct vfioctl_irq *irq,
						  unsigned int start,
						  int eventfd)
{
	if (!irq)
		return -EINVAL;
	return set_irqs(irq, "set unmask eventfd",
			VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK,
			start, 1, &eventfd);
}
