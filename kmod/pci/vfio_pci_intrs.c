// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_pci_intrs.c - interrupts of a vfio-pci device, delivered to eventfds.
 *
 * INTx is level triggered: the handler masks the line (INTx disable bit on
 * PCI 2.3 devices, disable_irq otherwise) and signals the trigger eventfd;
 * the user unmasks through SET_IRQS or an unmask eventfd (KVM's resampler)
 * once it has serviced the device.  MSI and MSI-X get one eventfd per
 * vector, each also an irq-bypass producer (irqbypass.ko) with the
 * eventfd as token, so that KVM can post it.  Growing MSI-X while it is
 * enabled (an eventfd on a vector past those allocated) allocates the
 * vector where stock does (6.5+, on an MSI-X domain that allows it: see
 * VFIOCTL_MSI_CTX_PER_TABLE); elsewhere it is EINVAL and the user
 * disables and re-enables with more vectors.  ERR and REQ are plain
 * eventfds signalled by the driver.  Every index accepts
 * DATA_NONE/DATA_BOOL triggers as a loopback test.
 *
 * All configuration runs under vdev->igate; the INTx mask state is also
 * touched from the hard-irq handler, under vdev->irqlock.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/interrupt.h>
#include <linux/irqbypass.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <linux/poll.h>
#include <linux/slab.h>

#include "vfio_pci_private.h"

int vfio_pci_get_irq_count(struct vfio_pci_device *vdev, int irq_type)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 flags;
	u8 pin;

	switch (irq_type) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		pci_read_config_byte(pdev, PCI_INTERRUPT_PIN, &pin);
		return (pin && pdev->irq && !pdev->is_virtfn) ? 1 : 0;
	case VFIO_PCI_MSI_IRQ_INDEX:
		if (!pdev->msi_cap)
			return 0;
		pci_read_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS,
				     &flags);
		return 1 << ((flags & PCI_MSI_FLAGS_QMASK) >> 1);
	case VFIO_PCI_MSIX_IRQ_INDEX:
		if (!pdev->msix_cap)
			return 0;
		pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS,
				     &flags);
		return (flags & PCI_MSIX_FLAGS_QSIZE) + 1;
	case VFIO_PCI_ERR_IRQ_INDEX:
		return pci_is_pcie(pdev) ? 1 : 0;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ unmask eventfd */

static void virqfd_inject(struct work_struct *work)
{
	struct vfio_pci_virqfd *virqfd =
		container_of(work, struct vfio_pci_virqfd, inject);

	virqfd->handler(virqfd->vdev);
}

/* eventfd wakeup, called with the eventfd's wait-queue lock held */
static int virqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			 int sync, void *key)
{
	struct vfio_pci_virqfd *virqfd =
		container_of(wait, struct vfio_pci_virqfd, wait);
	__poll_t flags = key_to_poll(key);

	if (flags & EPOLLIN) {
		u64 cnt;

		eventfd_ctx_do_read(virqfd->eventfd, &cnt);
		schedule_work(&virqfd->inject);
	}
	/*
	 * EPOLLHUP (the user closed the eventfd) needs nothing: we hold a
	 * reference on the context, and SET_IRQS or release tears down.
	 */
	return 0;
}

static void virqfd_ptable_queue_proc(struct file *file,
				     wait_queue_head_t *wqh, poll_table *pt)
{
	struct vfio_pci_virqfd *virqfd =
		container_of(pt, struct vfio_pci_virqfd, pt);

	add_wait_queue(wqh, &virqfd->wait);
}

static void virqfd_disable(struct vfio_pci_virqfd **pvirqfd)
{
	struct vfio_pci_virqfd *virqfd = *pvirqfd;
	u64 cnt;

	if (!virqfd)
		return;
	*pvirqfd = NULL;
	/* no new wakeups, then no work left running */
	eventfd_ctx_remove_wait_queue(virqfd->eventfd, &virqfd->wait, &cnt);
	cancel_work_sync(&virqfd->inject);
	eventfd_ctx_put(virqfd->eventfd);
	kfree(virqfd);
}

static int virqfd_enable(struct vfio_pci_device *vdev,
			 void (*handler)(struct vfio_pci_device *),
			 struct vfio_pci_virqfd **pvirqfd, int fd)
{
	struct vfio_pci_virqfd *virqfd;
	struct eventfd_ctx *ctx;
	__poll_t events;
	struct fd f;
	int ret = 0;

	f = fdget(fd);
	if (!fd_file(f))
		return -EBADF;
	ctx = eventfd_ctx_fileget(fd_file(f));
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		goto out_fdput;
	}
	virqfd = kzalloc(sizeof(*virqfd), GFP_KERNEL_ACCOUNT);
	if (!virqfd) {
		eventfd_ctx_put(ctx);
		ret = -ENOMEM;
		goto out_fdput;
	}
	virqfd->vdev = vdev;
	virqfd->eventfd = ctx;
	virqfd->handler = handler;
	virqfd->pvirqfd = pvirqfd;
	INIT_WORK(&virqfd->inject, virqfd_inject);
	init_waitqueue_func_entry(&virqfd->wait, virqfd_wakeup);
	init_poll_funcptr(&virqfd->pt, virqfd_ptable_queue_proc);

	virqfd_disable(pvirqfd);
	*pvirqfd = virqfd;

	/* an event already pending counts too */
	events = vfs_poll(fd_file(f), &virqfd->pt);
	if (events & EPOLLIN)
		schedule_work(&virqfd->inject);
out_fdput:
	fdput(f);
	return ret;
}

/* ------------------------------------------------------------ INTx */

static void vfio_send_intx_eventfd(struct vfio_pci_device *vdev)
{
	struct eventfd_ctx *trigger;

	if (unlikely(!is_intx(vdev) || vdev->virq_disabled))
		return;
	trigger = READ_ONCE(vdev->ctx[0].trigger);
	if (likely(trigger))
		vfioctl_eventfd_signal(trigger);
}

/*
 * Caller holds igate (SET_IRQS, config-space INTx disable), which keeps
 * vdev->ctx alive; the unmask eventfd's worker calls the unmask side
 * without it, safe because virqfd_disable() flushes it before the context
 * is freed.
 */
/* returns true if this call masked it (it was enabled and unmasked) */
bool vfio_pci_intx_mask(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	unsigned long flags;
	bool masked = false;

	spin_lock_irqsave(&vdev->irqlock, flags);
	/*
	 * Config-space INTx disable calls this without INTx delivery too:
	 * the virtual bit is all that changes, the hardware stays masked
	 * (see vfio_intx_set_signal()).
	 */
	if (is_intx(vdev) && !vdev->ctx[0].masked) {
		if (vdev->pci_2_3)
			pci_intx(pdev, 0);
		else
			disable_irq_nosync(pdev->irq);
		vdev->ctx[0].masked = true;
		masked = true;
	}
	spin_unlock_irqrestore(&vdev->irqlock, flags);
	return masked;
}

/* returns 1 if an interrupt is still pending and must be re-sent */
static int vfio_pci_intx_unmask_handler(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&vdev->irqlock, flags);
	if (is_intx(vdev) && vdev->ctx[0].masked && !vdev->virq_disabled) {
		/*
		 * Still asserted: rather than unmask and take the interrupt
		 * at once, keep it masked and tell the user again.
		 */
		if (vdev->pci_2_3) {
			if (!pci_check_and_unmask_intx(pdev))
				ret = 1;
		} else {
			enable_irq(pdev->irq);
		}
		vdev->ctx[0].masked = ret > 0;
	}
	spin_unlock_irqrestore(&vdev->irqlock, flags);
	return ret;
}

void vfio_pci_intx_unmask(struct vfio_pci_device *vdev)
{
	if (vfio_pci_intx_unmask_handler(vdev) > 0)
		vfio_send_intx_eventfd(vdev);
}

static irqreturn_t vfio_intx_handler(int irq, void *dev_id)
{
	struct vfio_pci_device *vdev = dev_id;
	irqreturn_t ret = IRQ_NONE;
	unsigned long flags;

	spin_lock_irqsave(&vdev->irqlock, flags);
	if (!vdev->pci_2_3) {
		disable_irq_nosync(vdev->pdev->irq);
		vdev->ctx[0].masked = true;
		ret = IRQ_HANDLED;
	} else if (!vdev->ctx[0].masked &&	/* the line may be shared */
		   pci_check_and_mask_intx(vdev->pdev)) {
		vdev->ctx[0].masked = true;
		ret = IRQ_HANDLED;
	}
	spin_unlock_irqrestore(&vdev->irqlock, flags);

	if (ret == IRQ_HANDLED)
		vfio_send_intx_eventfd(vdev);
	return ret;
}

static int vfio_intx_enable(struct vfio_pci_device *vdev)
{
	if (!is_irq_none(vdev))
		return -EINVAL;
	if (!vdev->pdev->irq)
		return -ENODEV;
	vdev->ctx = kzalloc(sizeof(*vdev->ctx), GFP_KERNEL_ACCOUNT);
	if (!vdev->ctx)
		return -ENOMEM;
	vdev->num_ctx = 1;
	/* INTx disable set through config space before we got here */
	vdev->ctx[0].masked = vdev->virq_disabled;
	vdev->irq_type = VFIO_PCI_INTX_IRQ_INDEX;
	return 0;
}

static int vfio_intx_set_signal(struct vfio_pci_device *vdev, int fd)
{
	struct pci_dev *pdev = vdev->pdev;
	unsigned long irqflags = IRQF_SHARED;
	struct eventfd_ctx *trigger;
	unsigned long flags;
	char *name;
	int ret;

	/*
	 * The hardware INTx disable bit is clear only while our handler is
	 * registered and the user has not masked: a device left with an
	 * interrupt pending (by this user or the last) must not assert a
	 * line that other devices' handlers share, with nobody to ack it.
	 */
	if (vdev->pci_2_3)
		pci_intx(pdev, 0);
	if (vdev->ctx[0].trigger) {
		free_irq(pdev->irq, vdev);
		kfree(vdev->ctx[0].name);
		eventfd_ctx_put(vdev->ctx[0].trigger);
		vdev->ctx[0].name = NULL;
		vdev->ctx[0].trigger = NULL;
	}
	if (fd < 0)	/* disable */
		return 0;

	name = kasprintf(GFP_KERNEL_ACCOUNT, "vfio-intx(%s)", pci_name(pdev));
	if (!name)
		return -ENOMEM;
	trigger = eventfd_ctx_fdget(fd);
	if (IS_ERR(trigger)) {
		kfree(name);
		return PTR_ERR(trigger);
	}
	vdev->ctx[0].name = name;
	vdev->ctx[0].trigger = trigger;

	/* without PCI 2.3 masking the line cannot be shared */
	if (!vdev->pci_2_3)
		irqflags = 0;
	ret = request_irq(pdev->irq, vfio_intx_handler, irqflags, name, vdev);
	if (ret) {
		dev_warn_ratelimited(&pdev->dev, "cannot get INTx IRQ %d: %d (line shared with a driver that does not allow sharing?)\n",
				     pdev->irq, ret);
		vdev->ctx[0].name = NULL;
		vdev->ctx[0].trigger = NULL;
		kfree(name);
		eventfd_ctx_put(trigger);
		return ret;
	}

	/* unmask now that the handler exists; if masked, keep it quiet */
	spin_lock_irqsave(&vdev->irqlock, flags);
	if (vdev->pci_2_3 && !vdev->ctx[0].masked)
		pci_intx(pdev, 1);
	else if (!vdev->pci_2_3 && vdev->ctx[0].masked)
		disable_irq_nosync(pdev->irq);
	spin_unlock_irqrestore(&vdev->irqlock, flags);
	return 0;
}

static void vfio_intx_disable(struct vfio_pci_device *vdev)
{
	virqfd_disable(&vdev->ctx[0].unmask);
	vfio_intx_set_signal(vdev, -1);
	vdev->irq_type = VFIO_PCI_NUM_IRQS;
	vdev->num_ctx = 0;
	kfree(vdev->ctx);
	vdev->ctx = NULL;
}

/* ------------------------------------------------------------ MSI / MSI-X */

static irqreturn_t vfio_msihandler(int irq, void *arg)
{
	vfioctl_eventfd_signal((struct eventfd_ctx *)arg);
	return IRQ_HANDLED;
}

static int vfio_msi_enable(struct vfio_pci_device *vdev, int nvec, bool msix)
{
	struct pci_dev *pdev = vdev->pdev;
	unsigned int flag = msix ? PCI_IRQ_MSIX : PCI_IRQ_MSI;
	int ret, num_ctx;
	u16 cmd;

	if (!is_irq_none(vdev))
		return -EINVAL;
	/*
	 * A context for each vector the user may name later (see @num_ctx);
	 * the ioctl bounded nvec by the device's count.  Never reallocated
	 * while enabled: registered irq-bypass producers live in it.
	 */
	num_ctx = VFIOCTL_MSI_CTX_PER_TABLE ?
		  vfio_pci_get_irq_count(vdev, msix ? VFIO_PCI_MSIX_IRQ_INDEX :
						      VFIO_PCI_MSI_IRQ_INDEX) :
		  nvec;
	if (num_ctx < nvec)
		return -EINVAL;
	vdev->ctx = kvcalloc(num_ctx, sizeof(*vdev->ctx), GFP_KERNEL_ACCOUNT);
	if (!vdev->ctx)
		return -ENOMEM;

	/* MSI-X table writes need memory decode */
	cmd = vfio_pci_memory_lock_and_enable(vdev);
	ret = pci_alloc_irq_vectors(pdev, 1, nvec, flag);
	if (ret < nvec) {
		if (ret > 0)
			pci_free_irq_vectors(pdev);
		vfio_pci_memory_unlock_and_restore(vdev, cmd);
		kvfree(vdev->ctx);
		vdev->ctx = NULL;
		/* as upstream: a positive return tells how many would fit */
		return ret;
	}
	vfio_pci_memory_unlock_and_restore(vdev, cmd);

	vdev->num_ctx = num_ctx;
	vdev->irq_type = msix ? VFIO_PCI_MSIX_IRQ_INDEX :
				VFIO_PCI_MSI_IRQ_INDEX;
	if (!msix)	/* log2 of the vectors, for the virtual MSI flags */
		vdev->msi_qmax = fls(nvec * 2 - 1) - 1;
	return 0;
}

static int vfio_msi_set_vector_signal(struct vfio_pci_device *vdev,
				      int vector, int fd, bool msix)
{
	struct pci_dev *pdev = vdev->pdev;
	struct vfio_pci_irq_ctx *ctx;
	struct eventfd_ctx *trigger;
	int irq, ret;
	char *name;
	u16 cmd;

	if (vector < 0 || vector >= vdev->num_ctx)
		return -EINVAL;
	ctx = &vdev->ctx[vector];
	/* negative for a vector past those allocated (only per-table ctx) */
	irq = pci_irq_vector(pdev, vector);

	if (ctx->trigger) {
		/* KVM stops posting before the handler goes */
		if (ctx->producer.token) {
			irq_bypass_unregister_producer(&ctx->producer);
			ctx->producer.token = NULL;
		}
		cmd = vfio_pci_memory_lock_and_enable(vdev);
		free_irq(irq, ctx->trigger);
		vfio_pci_memory_unlock_and_restore(vdev, cmd);
		kfree(ctx->name);
		eventfd_ctx_put(ctx->trigger);
		ctx->name = NULL;
		ctx->trigger = NULL;
	}
	if (fd < 0)
		return 0;

	if (irq < 0) {
		/*
		 * Growing while enabled: where the MSI-X domain allows it,
		 * allocate the vector now, as stock.  It stays allocated
		 * until MSI-X is disabled (pci_free_irq_vectors()).
		 */
		if (!msix || !vdev->has_dyn_msix)
			return -EINVAL;
		cmd = vfio_pci_memory_lock_and_enable(vdev);
		irq = vfioctl_msix_alloc_irq_at(pdev, vector);
		vfio_pci_memory_unlock_and_restore(vdev, cmd);
		if (irq < 0)
			return irq;
	}

	name = kasprintf(GFP_KERNEL_ACCOUNT, "vfio-msi%s[%d](%s)",
			 msix ? "x" : "", vector, pci_name(pdev));
	if (!name)
		return -ENOMEM;
	trigger = eventfd_ctx_fdget(fd);
	if (IS_ERR(trigger)) {
		kfree(name);
		return PTR_ERR(trigger);
	}

	/*
	 * The MSI-X table lives in device memory, which a reset behind our
	 * back may have cleared: rewrite the cached message first.
	 */
	cmd = vfio_pci_memory_lock_and_enable(vdev);
	if (msix) {
		struct msi_msg msg;

		get_cached_msi_msg(irq, &msg);
		pci_write_msi_msg(irq, &msg);
	}
	ret = request_irq(irq, vfio_msihandler, 0, name, trigger);
	vfio_pci_memory_unlock_and_restore(vdev, cmd);
	if (ret) {
		kfree(name);
		eventfd_ctx_put(trigger);
		return ret;
	}
	ctx->name = name;
	ctx->trigger = trigger;

	/*
	 * The eventfd is the token KVM's irqfd matches.  Failure is not
	 * the user's error (the same eventfd on two vectors, say): the
	 * interrupt still arrives through the eventfd, as upstream.
	 */
	ctx->producer.token = trigger;
	ctx->producer.irq = irq;
	ret = irq_bypass_register_producer(&ctx->producer);
	if (ret) {
		pci_info(pdev, "irq bypass producer for vector %d not registered: %d\n",
			 vector, ret);
		ctx->producer.token = NULL;
	}
	return 0;
}

static int vfio_msi_set_block(struct vfio_pci_device *vdev, unsigned int start,
			      unsigned int count, int32_t *fds, bool msix)
{
	unsigned int i, j;
	int ret = 0;

	if (start >= vdev->num_ctx || start + count > vdev->num_ctx)
		return -EINVAL;
	for (i = 0, j = start; i < count && !ret; i++, j++) {
		int fd = fds ? fds[i] : -1;

		ret = vfio_msi_set_vector_signal(vdev, j, fd, msix);
	}
	if (ret) {
		/* undo the vectors this call set */
		for (--j; j-- > start;)
			vfio_msi_set_vector_signal(vdev, j, -1, msix);
	}
	return ret;
}

static void vfio_msi_disable(struct vfio_pci_device *vdev, bool msix)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 cmd;

	vfio_msi_set_block(vdev, 0, vdev->num_ctx, NULL, msix);
	cmd = vfio_pci_memory_lock_and_enable(vdev);
	pci_free_irq_vectors(pdev);
	vfio_pci_memory_unlock_and_restore(vdev, cmd);

	vdev->irq_type = VFIO_PCI_NUM_IRQS;
	vdev->num_ctx = 0;
	kvfree(vdev->ctx);
	vdev->ctx = NULL;
}

/* ------------------------------------------------------------ SET_IRQS */

static int vfio_pci_set_intx_unmask(struct vfio_pci_device *vdev,
				    unsigned int index, unsigned int start,
				    unsigned int count, u32 flags, void *data)
{
	if (!is_intx(vdev) || start != 0 || count != 1)
		return -EINVAL;

	if (flags & VFIO_IRQ_SET_DATA_NONE) {
		vfio_pci_intx_unmask(vdev);
	} else if (flags & VFIO_IRQ_SET_DATA_BOOL) {
		if (*(u8 *)data)
			vfio_pci_intx_unmask(vdev);
	} else if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		int32_t fd = *(int32_t *)data;

		if (fd >= 0)
			return virqfd_enable(vdev, vfio_pci_intx_unmask,
					     &vdev->ctx[0].unmask, fd);
		virqfd_disable(&vdev->ctx[0].unmask);
	}
	return 0;
}

static int vfio_pci_set_intx_mask(struct vfio_pci_device *vdev,
				  unsigned int index, unsigned int start,
				  unsigned int count, u32 flags, void *data)
{
	if (!is_intx(vdev) || start != 0 || count != 1)
		return -EINVAL;

	if (flags & VFIO_IRQ_SET_DATA_NONE) {
		vfio_pci_intx_mask(vdev);
	} else if (flags & VFIO_IRQ_SET_DATA_BOOL) {
		if (*(u8 *)data)
			vfio_pci_intx_mask(vdev);
	} else if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		return -ENOTTY;	/* as upstream: no mask eventfd */
	}
	return 0;
}

static int vfio_pci_set_intx_trigger(struct vfio_pci_device *vdev,
				     unsigned int index, unsigned int start,
				     unsigned int count, u32 flags, void *data)
{
	if (is_intx(vdev) && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
		vfio_intx_disable(vdev);
		return 0;
	}
	if (!(is_intx(vdev) || is_irq_none(vdev)) || start != 0 || count != 1)
		return -EINVAL;

	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		int32_t fd = *(int32_t *)data;
		int ret;

		if (is_intx(vdev))
			return vfio_intx_set_signal(vdev, fd);
		ret = vfio_intx_enable(vdev);
		if (ret)
			return ret;
		ret = vfio_intx_set_signal(vdev, fd);
		if (ret)
			vfio_intx_disable(vdev);
		return ret;
	}

	if (!is_intx(vdev))
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_NONE)
		vfio_send_intx_eventfd(vdev);
	else if ((flags & VFIO_IRQ_SET_DATA_BOOL) && *(u8 *)data)
		vfio_send_intx_eventfd(vdev);
	return 0;
}

static int vfio_pci_set_msi_trigger(struct vfio_pci_device *vdev,
				    unsigned int index, unsigned int start,
				    unsigned int count, u32 flags, void *data)
{
	bool msix = index == VFIO_PCI_MSIX_IRQ_INDEX;
	unsigned int i;

	if (vdev->irq_type == index && !count &&
	    (flags & VFIO_IRQ_SET_DATA_NONE)) {
		vfio_msi_disable(vdev, msix);
		return 0;
	}
	if (!(vdev->irq_type == index || is_irq_none(vdev)))
		return -EINVAL;

	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		int32_t *fds = data;
		int ret;

		if (vdev->irq_type == index)
			return vfio_msi_set_block(vdev, start, count, fds,
						  msix);
		ret = vfio_msi_enable(vdev, start + count, msix);
		if (ret)
			return ret;
		ret = vfio_msi_set_block(vdev, start, count, fds, msix);
		if (ret)
			vfio_msi_disable(vdev, msix);
		return ret;
	}

	if (vdev->irq_type != index || start + count > vdev->num_ctx)
		return -EINVAL;
	for (i = start; i < start + count; i++) {
		struct eventfd_ctx *trigger = vdev->ctx[i].trigger;

		if (!trigger)
			continue;
		if (flags & VFIO_IRQ_SET_DATA_NONE)
			vfioctl_eventfd_signal(trigger);
		else if ((flags & VFIO_IRQ_SET_DATA_BOOL) &&
			 ((u8 *)data)[i - start])
			vfioctl_eventfd_signal(trigger);
	}
	return 0;
}

/* ERR and REQ: one eventfd, loopback, -1 clears */
static int vfio_pci_set_ctx_trigger_single(struct eventfd_ctx **ctx,
					   unsigned int count, u32 flags,
					   void *data)
{
	if (flags & VFIO_IRQ_SET_DATA_NONE) {
		if (*ctx) {
			if (count) {
				vfioctl_eventfd_signal(*ctx);
			} else {
				eventfd_ctx_put(*ctx);
				*ctx = NULL;
			}
			return 0;
		}
	} else if (flags & VFIO_IRQ_SET_DATA_BOOL) {
		u8 trigger;

		if (!count)
			return -EINVAL;
		trigger = *(u8 *)data;
		if (trigger && *ctx)
			vfioctl_eventfd_signal(*ctx);
		return 0;
	} else if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		int32_t fd;

		if (!count)
			return -EINVAL;
		fd = *(int32_t *)data;
		if (fd == -1) {
			if (*ctx)
				eventfd_ctx_put(*ctx);
			*ctx = NULL;
		} else if (fd < 0) {
			/* 6.1 ignored other negatives; newer kernels refuse */
			return -EINVAL;
		} else {
			struct eventfd_ctx *efdctx = eventfd_ctx_fdget(fd);

			if (IS_ERR(efdctx))
				return PTR_ERR(efdctx);
			if (*ctx)
				eventfd_ctx_put(*ctx);
			*ctx = efdctx;
		}
		return 0;
	}
	return -EINVAL;
}

static int vfio_pci_set_err_trigger(struct vfio_pci_device *vdev,
				    unsigned int index, unsigned int start,
				    unsigned int count, u32 flags, void *data)
{
	if (index != VFIO_PCI_ERR_IRQ_INDEX || start != 0 || count > 1)
		return -EINVAL;
	return vfio_pci_set_ctx_trigger_single(&vdev->err_trigger, count,
					       flags, data);
}

static int vfio_pci_set_req_trigger(struct vfio_pci_device *vdev,
				    unsigned int index, unsigned int start,
				    unsigned int count, u32 flags, void *data)
{
	if (index != VFIO_PCI_REQ_IRQ_INDEX || start != 0 || count > 1)
		return -EINVAL;
	return vfio_pci_set_ctx_trigger_single(&vdev->req_trigger, count,
					       flags, data);
}

/* caller holds igate; @data was validated by vfio_set_irqs_validate_and_prepare() */
int vfio_pci_set_irqs_ioctl(struct vfio_pci_device *vdev, u32 flags,
			    unsigned int index, unsigned int start,
			    unsigned int count, void *data)
{
	int (*func)(struct vfio_pci_device *vdev, unsigned int index,
		    unsigned int start, unsigned int count, u32 flags,
		    void *data) = NULL;

	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		switch (flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) {
		case VFIO_IRQ_SET_ACTION_MASK:
			func = vfio_pci_set_intx_mask;
			break;
		case VFIO_IRQ_SET_ACTION_UNMASK:
			func = vfio_pci_set_intx_unmask;
			break;
		case VFIO_IRQ_SET_ACTION_TRIGGER:
			func = vfio_pci_set_intx_trigger;
			break;
		}
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
	case VFIO_PCI_MSIX_IRQ_INDEX:
		/* per-vector masking is not exported by the MSI core */
		if ((flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) ==
		    VFIO_IRQ_SET_ACTION_TRIGGER)
			func = vfio_pci_set_msi_trigger;
		break;
	case VFIO_PCI_ERR_IRQ_INDEX:
		if ((flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) ==
		    VFIO_IRQ_SET_ACTION_TRIGGER && pci_is_pcie(vdev->pdev))
			func = vfio_pci_set_err_trigger;
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		if ((flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) ==
		    VFIO_IRQ_SET_ACTION_TRIGGER)
			func = vfio_pci_set_req_trigger;
		break;
	}
	if (!func)
		return -ENOTTY;
	return func(vdev, index, start, count, flags, data);
}

/* last close: drop ERR/REQ eventfds (caller holds igate) */
void vfio_pci_release_triggers(struct vfio_pci_device *vdev)
{
	if (vdev->err_trigger) {
		eventfd_ctx_put(vdev->err_trigger);
		vdev->err_trigger = NULL;
	}
	if (vdev->req_trigger) {
		eventfd_ctx_put(vdev->req_trigger);
		vdev->req_trigger = NULL;
	}
}
