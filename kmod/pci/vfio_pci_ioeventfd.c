// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_pci_ioeventfd.c - VFIO_DEVICE_IOEVENTFD: a fixed write of 1, 2, 4
 * or 8 bytes to a BAR offset, done by the kernel each time an eventfd is
 * signalled (QEMU's GPU quirks hand KVM such eventfds so that a guest's
 * write to a trapped register does not go through userspace).
 *
 * An 8-byte write is one 64-bit access where the architecture has
 * iowrite64, two 32-bit writes (low dword first) otherwise - on x86-64
 * too, where iowrite64 is not a macro - as upstream does.
 *
 * An ioeventfd is identified by (BAR, offset, size, data): assigning the
 * same one twice is EEXIST, de-assigning (fd -1) one that does not exist
 * ENODEV, and a device has at most VFIO_PCI_IOEVENTFD_MAX of them, as
 * upstream.  The write honours the same isolation as a pwrite of the BAR:
 * it is done under memory_lock held for read, and dropped while memory
 * decode is off (memory BARs) or the function is in D3hot (any BAR), so
 * it never reaches a function that does not decode it.  The MSI-X table
 * cannot be the target.
 *
 * The write is done from the eventfd's wakeup (atomic: the eventfd's
 * wait-queue lock is held) when memory_lock can be had without sleeping,
 * from a work item otherwise.  Teardown removes the wait-queue entry
 * first, then waits for the work item, so neither runs afterwards.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/io.h>
/* no atomic 8-byte write (x86-64 too): low dword first, as upstream */
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/pci.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio_pci_private.h"

/* as upstream (not in the UAPI header) */
#define VFIO_PCI_IOEVENTFD_MAX	1000

/*
 * One assigned ioeventfd, on vdev->ioeventfds (under ioeventfds_lock).
 * Everything but @work's queueing is fixed once it is on the list.
 */
struct vfio_pci_ioeventfd {
	struct list_head	next;
	struct vfio_pci_device	*vdev;
	struct eventfd_ctx	*eventfd;
	wait_queue_entry_t	wait;
	poll_table		pt;
	struct work_struct	work;
	void __iomem		*addr;
	u64			data;
	loff_t			pos;
	int			bar;
	int			count;
	bool			mem;	/* a memory BAR: needs memory decode */
};

/* Caller holds memory_lock (read): may the BAR be written now? */
static bool vfio_ioeventfd_may_write(struct vfio_pci_ioeventfd *ioev)
{
	struct vfio_pci_device *vdev = ioev->vdev;

	if (ioev->mem)
		return vfio_pci_memory_enabled(vdev);
	return vdev->pdev->current_state < PCI_D3hot;
}

static void vfio_ioeventfd_write(struct vfio_pci_ioeventfd *ioev)
{
	switch (ioev->count) {
	case 1:
		iowrite8(ioev->data, ioev->addr);
		break;
	case 2:
		iowrite16(ioev->data, ioev->addr);
		break;
	case 4:
		iowrite32(ioev->data, ioev->addr);
		break;
#ifdef iowrite64
	case 8:
		iowrite64(ioev->data, ioev->addr);
		break;
#endif
	}
}

static void vfio_ioeventfd_work(struct work_struct *work)
{
	struct vfio_pci_ioeventfd *ioev =
		container_of(work, struct vfio_pci_ioeventfd, work);

	down_read(&ioev->vdev->memory_lock);
	if (vfio_ioeventfd_may_write(ioev))
		vfio_ioeventfd_write(ioev);
	up_read(&ioev->vdev->memory_lock);
}

/* eventfd wakeup: the eventfd's wait-queue lock is held, irqs off */
static int vfio_ioeventfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
				 int sync, void *key)
{
	struct vfio_pci_ioeventfd *ioev =
		container_of(wait, struct vfio_pci_ioeventfd, wait);
	struct rw_semaphore *lock = &ioev->vdev->memory_lock;
	u64 cnt;

	/* EPOLLHUP needs nothing: we hold the context, ioctl or close frees */
	if (!(key_to_poll(key) & EPOLLIN))
		return 0;
	/* however many signals are pending, the write is done once */
	eventfd_ctx_do_read(ioev->eventfd, &cnt);
	if (down_read_trylock(lock)) {
		if (vfio_ioeventfd_may_write(ioev))
			vfio_ioeventfd_write(ioev);
		up_read(lock);
	} else {
		schedule_work(&ioev->work);
	}
	return 0;
}

static void vfio_ioeventfd_queue_proc(struct file *file,
				      wait_queue_head_t *wqh, poll_table *pt)
{
	struct vfio_pci_ioeventfd *ioev =
		container_of(pt, struct vfio_pci_ioeventfd, pt);

	add_wait_queue(wqh, &ioev->wait);
}

/* Caller holds ioeventfds_lock; @ioev is off the list after this. */
static void vfio_ioeventfd_free(struct vfio_pci_device *vdev,
				struct vfio_pci_ioeventfd *ioev)
{
	u64 cnt;

	list_del(&ioev->next);
	vdev->ioeventfds_nr--;
	/* no new wakeups, then no work left running */
	eventfd_ctx_remove_wait_queue(ioev->eventfd, &ioev->wait, &cnt);
	cancel_work_sync(&ioev->work);
	eventfd_ctx_put(ioev->eventfd);
	kfree(ioev);
}

/* Caller holds ioeventfds_lock. */
static int vfio_ioeventfd_add(struct vfio_pci_device *vdev, int bar,
			      loff_t pos, int count, u64 data, int fd)
{
	struct vfio_pci_ioeventfd *ioev;
	struct eventfd_ctx *ctx;
	__poll_t events;
	struct fd f;
	int ret = 0;

	if (vdev->ioeventfds_nr >= VFIO_PCI_IOEVENTFD_MAX)
		return -ENOSPC;

	f = fdget(fd);
	if (!fd_file(f))
		return -EBADF;
	ctx = eventfd_ctx_fileget(fd_file(f));
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		goto out_fdput;
	}
	ioev = kzalloc(sizeof(*ioev), GFP_KERNEL_ACCOUNT);
	if (!ioev) {
		eventfd_ctx_put(ctx);
		ret = -ENOMEM;
		goto out_fdput;
	}
	ioev->vdev = vdev;
	ioev->eventfd = ctx;
	ioev->addr = vdev->barmap[bar] + pos;
	ioev->data = data;
	ioev->pos = pos;
	ioev->bar = bar;
	ioev->count = count;
	ioev->mem = pci_resource_flags(vdev->pdev, bar) & IORESOURCE_MEM;
	INIT_WORK(&ioev->work, vfio_ioeventfd_work);
	init_waitqueue_func_entry(&ioev->wait, vfio_ioeventfd_wakeup);
	init_poll_funcptr(&ioev->pt, vfio_ioeventfd_queue_proc);

	list_add(&ioev->next, &vdev->ioeventfds);
	vdev->ioeventfds_nr++;

	/* a signal already pending counts too */
	events = vfs_poll(fd_file(f), &ioev->pt);
	if (events & EPOLLIN)
		schedule_work(&ioev->work);
out_fdput:
	fdput(f);
	return ret;
}

long vfio_pci_ioctl_ioeventfd(struct vfio_pci_device *vdev, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_ioeventfd, fd);
	struct pci_dev *pdev = vdev->pdev;
	struct vfio_device_ioeventfd req;
	struct vfio_pci_ioeventfd *ioev;
	u64 index, pos;
	int count, bar, ret;

	if (copy_from_user(&req, arg, minsz))
		return -EFAULT;
	if (req.argsz < minsz)
		return -EINVAL;
	if (req.flags & ~VFIO_DEVICE_IOEVENTFD_SIZE_MASK)
		return -EINVAL;
	count = req.flags & VFIO_DEVICE_IOEVENTFD_SIZE_MASK;
	if (hweight8(count) != 1 || req.fd < -1)
		return -EINVAL;

	/* BARs only, within the BAR, never over the MSI-X table */
	index = req.offset >> VFIO_PCI_OFFSET_SHIFT;
	pos = req.offset & VFIO_PCI_OFFSET_MASK;
	if (index > VFIO_PCI_BAR5_REGION_INDEX)
		return -EINVAL;
	bar = index;
	if (pos + count > pci_resource_len(pdev, bar))
		return -EINVAL;
	if (bar == vdev->msix_bar &&
	    pos + count > vdev->msix_offset &&
	    pos < (u64)vdev->msix_offset + vdev->msix_size)
		return -EINVAL;
#ifndef iowrite64
	if (count == 8)
		return -EINVAL;
#endif

	ret = vfio_pci_setup_barmap(vdev, bar);
	if (ret)
		return ret;

	mutex_lock(&vdev->ioeventfds_lock);
	list_for_each_entry(ioev, &vdev->ioeventfds, next) {
		if (ioev->bar == bar && ioev->pos == pos &&
		    ioev->count == count && ioev->data == req.data) {
			if (req.fd == -1) {
				vfio_ioeventfd_free(vdev, ioev);
				ret = 0;
			} else {
				ret = -EEXIST;
			}
			goto out_unlock;
		}
	}
	if (req.fd == -1)
		ret = -ENODEV;
	else
		ret = vfio_ioeventfd_add(vdev, bar, pos, count, req.data,
					 req.fd);
out_unlock:
	mutex_unlock(&vdev->ioeventfds_lock);
	return ret;
}

/* The last close: every ioeventfd goes, before the BARs are unmapped. */
void vfio_pci_ioeventfd_release_all(struct vfio_pci_device *vdev)
{
	struct vfio_pci_ioeventfd *ioev, *tmp;

	mutex_lock(&vdev->ioeventfds_lock);
	list_for_each_entry_safe(ioev, tmp, &vdev->ioeventfds, next)
		vfio_ioeventfd_free(vdev, ioev);
	mutex_unlock(&vdev->ioeventfds_lock);
}
