// SPDX-License-Identifier: GPL-2.0-only
/*
 * caps.c - helpers for bus drivers' info ioctls: capability chains and the
 * VFIO_DEVICE_SET_IRQS header check.
 *
 * A chain is built in a kernel buffer with offsets relative to the buffer's
 * start; vfio_info_cap_shift() rebases them to follow the info struct just
 * before the whole thing is copied out.
 */
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "vfio_private.h"

/*
 * Append a capability of @size bytes (header included) and return its
 * header, or ERR_PTR(-ENOMEM) after freeing the whole chain.
 */
struct vfio_info_cap_header *vfio_info_cap_add(struct vfio_info_cap *caps,
					       size_t size, u16 id,
					       u16 version)
{
	struct vfio_info_cap_header *header, *tmp;
	void *buf;

	/* Keep every header 8-byte aligned, as userspace walks them. */
	size = ALIGN(size, sizeof(u64));

	buf = krealloc(caps->buf, caps->size + size, GFP_KERNEL);
	if (!buf) {
		kfree(caps->buf);
		caps->buf = NULL;
		caps->size = 0;
		return ERR_PTR(-ENOMEM);
	}

	caps->buf = buf;
	header = buf + caps->size;

	/* The new tail is fresh memory from krealloc. */
	memset(header, 0, size);
	header->id = id;
	header->version = version;

	/* Link it at the end of the chain. */
	for (tmp = buf; tmp->next; tmp = buf + tmp->next)
		; /* nothing */
	if (tmp != header)
		tmp->next = caps->size;
	caps->size += size;

	return header;
}
EXPORT_SYMBOL_GPL(vfio_info_cap_add);

void vfio_info_cap_shift(struct vfio_info_cap *caps, size_t offset)
{
	struct vfio_info_cap_header *tmp;
	void *buf = (void *)caps->buf;

	for (tmp = buf; tmp->next; tmp = buf + tmp->next - offset)
		tmp->next += offset;
}
EXPORT_SYMBOL_GPL(vfio_info_cap_shift);

/* Append a whole capability the caller built on its stack. */
int vfio_info_add_capability(struct vfio_info_cap *caps,
			     struct vfio_info_cap_header *cap, size_t size)
{
	struct vfio_info_cap_header *header;

	header = vfio_info_cap_add(caps, size, cap->id, cap->version);
	if (IS_ERR(header))
		return PTR_ERR(header);

	memcpy(header + 1, cap + 1, size - sizeof(*header));
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_info_add_capability);

/*
 * Check a VFIO_DEVICE_SET_IRQS header against a device with @num_irqs
 * vectors at hdr->index and irq types below @max_irq_type; on success
 * *data_size is the number of payload bytes the caller must copy in.
 */
int vfio_set_irqs_validate_and_prepare(struct vfio_irq_set *hdr, int num_irqs,
				       int max_irq_type, size_t *data_size)
{
	unsigned long minsz;
	size_t size;

	minsz = offsetofend(struct vfio_irq_set, count);

	if (hdr->argsz < minsz || hdr->index >= max_irq_type ||
	    hdr->count >= (U32_MAX - hdr->start) ||
	    hdr->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
			   VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return -EINVAL;

	if (data_size)
		*data_size = 0;

	if (hdr->start >= num_irqs || hdr->start + hdr->count > num_irqs)
		return -EINVAL;

	switch (hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		size = 0;
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = sizeof(u8);
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = sizeof(s32);
		break;
	default:
		return -EINVAL;
	}

	if (size) {
		if (hdr->argsz - minsz < hdr->count * size)
			return -EINVAL;
		if (!data_size)
			return -EINVAL;
		*data_size = hdr->count * size;
	}

	return 0;
}
EXPORT_SYMBOL_GPL(vfio_set_irqs_validate_and_prepare);
