// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_pci_main.c - the vfio-pci bus driver: probe/remove, the device fd's
 * open/release, and its ioctls (info, region and irq info, SET_IRQS,
 * reset, hot reset).
 *
 * Devices are bound through driver_override or new_id (no ID table), with
 * driver-managed DMA: the core claims DMA ownership of the IOMMU group when
 * it joins a container.  On the first open the device is enabled, reset
 * and its config space shadowed; on the last release it is disabled,
 * reset if possible and its saved state restored, so the next user (or
 * host driver) finds it as we did.
 */
#include <linux/file.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio_pci_private.h"

/* ------------------------------------------------------------ power state */

/*
 * Change the power state of the function; caller holds memory_lock for
 * write (and zapped the BAR mappings before going to D3hot or below), so
 * no BAR access or fault runs across the change.  A function without
 * No_Soft_Reset loses its config state on D3hot -> D0: save it on the way
 * down, restore it on the way up.
 */
int __vfio_pci_set_power_state(struct vfio_pci_device *vdev,
			       pci_power_t state)
{
	struct pci_dev *pdev = vdev->pdev;
	bool needs_save = false, needs_restore = false;
	int ret;

	lockdep_assert_held_write(&vdev->memory_lock);

	/* a PF's VFs depend on its state */
	if (pci_num_vf(pdev) && state > PCI_D0)
		return -EBUSY;

	if (vdev->needs_pm_restore) {
		if (pdev->current_state < PCI_D3hot && state >= PCI_D3hot) {
			pci_save_state(pdev);
			needs_save = true;
		}
		if (pdev->current_state >= PCI_D3hot && state <= PCI_D0)
			needs_restore = true;
	}

	ret = pci_set_power_state(pdev, state);
	if (ret)
		return ret;

	/* a quirk may keep the function out of D3: only then is it saved */
	if (needs_save && pdev->current_state >= PCI_D3hot) {
		/* a reset may have brought it to D0 behind our back */
		kfree(vdev->pm_save);
		vdev->pm_save = pci_store_saved_state(pdev);
	} else if (needs_restore && vdev->pm_save) {
		pci_load_and_free_saved_state(pdev, &vdev->pm_save);
		pci_restore_state(pdev);
	}
	return 0;
}

/* the same, taking memory_lock (zapping the mappings first for D3hot) */
int vfio_pci_set_power_state(struct vfio_pci_device *vdev, pci_power_t state)
{
	int ret;

	if (state >= PCI_D3hot)
		vfio_pci_zap_and_down_write_memory_lock(vdev);
	else
		down_write(&vdev->memory_lock);
	ret = __vfio_pci_set_power_state(vdev, state);
	up_write(&vdev->memory_lock);
	return ret;
}

/* ------------------------------------------------------------ enable/disable */

static int vfio_pci_enable(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int ret;

	/* the open's runtime PM count, held until the last release */
	ret = vfio_pci_pm_open(vdev);
	if (ret)
		return ret;

	/* the saved state must not include bus mastering */
	pci_clear_master(pdev);
	ret = pci_enable_device(pdev);
	if (ret)
		goto out_put;

	/* a reset that failed on the device lock fails the open */
	ret = pci_try_reset_function(pdev);
	if (ret == -EAGAIN) {
		pci_disable_device(pdev);
		goto out_put;
	}
	vdev->reset_works = !ret;
	pci_save_state(pdev);
	vdev->pci_saved_state = pci_store_saved_state(pdev);
	if (!vdev->pci_saved_state)
		pci_dbg(pdev, "cannot store the saved state\n");

	/*
	 * INTx disable is virtual (it starts clear for the user); the
	 * hardware bit stays set until INTx delivery is configured.
	 */
	vdev->pci_2_3 = pci_intx_mask_supported(pdev);
	if (vdev->pci_2_3)
		pci_intx(pdev, 0);

	vdev->needs_pm_restore = false;
	if (pdev->pm_cap) {
		u16 pmcsr;

		pci_read_config_word(pdev, pdev->pm_cap + PCI_PM_CTRL, &pmcsr);
		vdev->needs_pm_restore = !(pmcsr & PCI_PM_CTRL_NO_SOFT_RESET);
	}

	ret = vfio_config_init(vdev);
	if (ret) {
		kfree(vdev->pci_saved_state);
		vdev->pci_saved_state = NULL;
		pci_disable_device(pdev);
		goto out_put;
	}

	vdev->msix_bar = 0xff;
	if (pdev->msix_cap) {
		u16 flags;
		u32 table;

		pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS,
				     &flags);
		pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_TABLE,
				      &table);
		vdev->msix_bar = table & PCI_MSIX_TABLE_BIR;
		vdev->msix_offset = table & PCI_MSIX_TABLE_OFFSET;
		vdev->msix_size = ((flags & PCI_MSIX_FLAGS_QSIZE) + 1) * 16;
		vdev->has_dyn_msix = vfioctl_msix_can_alloc_dyn(pdev);
	} else {
		vdev->has_dyn_msix = false;
	}
	vdev->irq_type = VFIO_PCI_NUM_IRQS;
	vdev->virq_disabled = false;
	vdev->has_vga = !vfio_pci_vga_disabled() && vfio_pci_is_vga(pdev);
	vfio_pci_probe_mmaps(vdev);
	return 0;

out_put:
	vfio_pci_pm_close(vdev);
	return ret;
}

static void vfio_pci_disable(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int bar;

	/* no BAR write from an eventfd once we start taking the device down */
	vfio_pci_ioeventfd_release_all(vdev);

	/*
	 * Closed in low power: take the open's count back (dropping a
	 * wakeup eventfd unsignalled) and wake the function, which the
	 * reset and state restore below need.
	 */
	vfio_pci_low_power_exit(vdev);
	pm_runtime_resume(&pdev->dev);

	/*
	 * Back to D0 first (restoring the config state a D3hot left): the
	 * reset and the state restore below need a function that answers.
	 */
	down_write(&vdev->memory_lock);
	__vfio_pci_set_power_state(vdev, PCI_D0);
	kfree(vdev->pm_save);
	vdev->pm_save = NULL;
	up_write(&vdev->memory_lock);

	pci_clear_master(pdev);

	mutex_lock(&vdev->igate);
	if (!is_irq_none(vdev))
		vfio_pci_set_irqs_ioctl(vdev, VFIO_IRQ_SET_DATA_NONE |
					VFIO_IRQ_SET_ACTION_TRIGGER,
					vdev->irq_type, 0, 0, NULL);
	vfio_pci_release_triggers(vdev);
	mutex_unlock(&vdev->igate);
	vdev->virq_disabled = false;

	/* every mapping is gone: a vma holds the device file */
	vfio_config_free(vdev);
	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (!vdev->barmap[bar])
			continue;
		pci_iounmap(pdev, vdev->barmap[bar]);
		pci_release_selected_regions(pdev, 1 << bar);
		vdev->barmap[bar] = NULL;
	}

	/*
	 * Restore the state saved at open, reset on top of it if we can;
	 * without a saved state a reset still beats nothing.
	 */
	if (pci_load_and_free_saved_state(pdev, &vdev->pci_saved_state)) {
		pci_info(pdev, "cannot reload the saved state\n");
		if (!vdev->reset_works)
			goto out;
		pci_save_state(pdev);
	}
	/* no INTx or MSI during the reset */
	pci_write_config_word(pdev, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE);
	/*
	 * The device lock is held when we are called from remove (unbind):
	 * then there is no reset, as upstream.
	 */
	if (vdev->reset_works && pci_dev_trylock(pdev)) {
		if (__pci_reset_function_locked(pdev))
			pci_dbg(pdev, "reset at close failed\n");
		pci_dev_unlock(pdev);
	}
	pci_restore_state(pdev);
out:
	/* closed: a pending interrupt must not reach a shared line */
	if (vdev->pci_2_3)
		pci_intx(pdev, 0);
	pci_disable_device(pdev);
	/* the open's count: unused, the function may suspend */
	vfio_pci_pm_close(vdev);
}

/* ------------------------------------------------------------ device ops */

static int vfio_pci_open(void *device_data)
{
	struct vfio_pci_device *vdev = device_data;
	int ret = 0;

	/* keeps rmmod from blocking in remove while a user holds us */
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	mutex_lock(&vdev->open_lock);
	if (!vdev->refcnt) {
		ret = vfio_pci_enable(vdev);
		/* SR-IOV: the PF's token now guards the PF too */
		if (!ret)
			vfio_pci_vf_token_user_add(vdev, 1);
	}
	if (!ret)
		vdev->refcnt++;
	mutex_unlock(&vdev->open_lock);
	if (ret)
		module_put(THIS_MODULE);
	return ret;
}

static void vfio_pci_release(void *device_data)
{
	struct vfio_pci_device *vdev = device_data;

	mutex_lock(&vdev->open_lock);
	if (!--vdev->refcnt) {
		vfio_pci_vf_token_user_add(vdev, -1);
		vfio_pci_disable(vdev);
	}
	mutex_unlock(&vdev->open_lock);
	module_put(THIS_MODULE);
}

static ssize_t vfio_pci_rw(struct vfio_pci_device *vdev, char __user *buf,
			   size_t count, loff_t *ppos, bool iswrite)
{
	unsigned int index = VFIO_PCI_OFFSET_TO_INDEX(*ppos);
	ssize_t ret;

	if (index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;

	/*
	 * As stock: an access resumes a function in low power (and with a
	 * wakeup eventfd ends low power); it may suspend again after.
	 */
	ret = vfio_pci_pm_get(vdev);
	if (ret)
		return ret;

	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		ret = vfio_pci_config_rw(vdev, buf, count, ppos, iswrite);
		break;
	case VFIO_PCI_ROM_REGION_INDEX:
		if (iswrite)
			ret = -EINVAL;
		else
			ret = vfio_pci_rom_read(vdev, buf, count, ppos);
		break;
	case VFIO_PCI_BAR0_REGION_INDEX ... VFIO_PCI_BAR5_REGION_INDEX:
		ret = vfio_pci_bar_rw(vdev, buf, count, ppos, iswrite);
		break;
	case VFIO_PCI_VGA_REGION_INDEX:	/* vfio_pci_vga.c */
		ret = vfio_pci_vga_rw(vdev, buf, count, ppos, iswrite);
		break;
	default:
		/* no device-specific regions */
		ret = -EINVAL;
	}
	vfio_pci_pm_put(vdev);
	return ret;
}

static ssize_t vfio_pci_read(void *device_data, char __user *buf,
			     size_t count, loff_t *ppos)
{
	if (!count)
		return 0;
	return vfio_pci_rw(device_data, buf, count, ppos, false);
}

static ssize_t vfio_pci_write(void *device_data, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	if (!count)
		return 0;
	return vfio_pci_rw(device_data, (char __user *)buf, count, ppos,
			   true);
}

static void vfio_pci_request(void *device_data, unsigned int count)
{
	struct vfio_pci_device *vdev = device_data;
	struct pci_dev *pdev = vdev->pdev;

	mutex_lock(&vdev->igate);
	if (vdev->req_trigger) {
		if (!(count % 10))
			pci_notice_ratelimited(pdev, "relaying device request to user (#%u)\n",
					       count);
		vfioctl_eventfd_signal(vdev->req_trigger);
	} else if (count == 0) {
		pci_warn(pdev, "No device request channel registered, blocked until released by user\n");
	}
	mutex_unlock(&vdev->igate);
}

/* ------------------------------------------------------------ info ioctls */

static long vfio_pci_ioctl_get_info(struct vfio_pci_device *vdev,
				    void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI;
	if (vdev->reset_works)
		info.flags |= VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long vfio_pci_ioctl_get_region_info(struct vfio_pci_device *vdev,
					   void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_info_cap caps = { .buf = NULL, .size = 0 };
	struct pci_dev *pdev = vdev->pdev;
	struct vfio_region_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	switch (info.index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info.offset = VFIO_PCI_INDEX_TO_OFFSET(info.index);
		info.size = pdev->cfg_size;
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case VFIO_PCI_BAR0_REGION_INDEX ... VFIO_PCI_BAR5_REGION_INDEX:
		info.offset = VFIO_PCI_INDEX_TO_OFFSET(info.index);
		info.size = pci_resource_len(pdev, info.index);
		if (!info.size) {
			info.flags = 0;
			break;
		}
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
		if (vdev->bar_mmap_supported[info.index]) {
			info.flags |= VFIO_REGION_INFO_FLAG_MMAP;
			if (info.index == vdev->msix_bar) {
				/* the whole BAR, MSI-X table included */
				struct vfio_info_cap_header header = {
					.id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE,
					.version = 1,
				};

				ret = vfio_info_add_capability(&caps, &header,
							       sizeof(header));
				if (ret)
					return ret;
			}
		}
		break;
	case VFIO_PCI_ROM_REGION_INDEX: {
		void __iomem *io;
		size_t size;
		u16 cmd;

		info.offset = VFIO_PCI_INDEX_TO_OFFSET(info.index);
		info.flags = 0;
		info.size = 0;
		if (pci_resource_start(pdev, PCI_ROM_RESOURCE)) {
			/* only a ROM with a valid image is offered */
			cmd = vfio_pci_memory_lock_and_enable(vdev);
			io = pci_map_rom(pdev, &size);
			if (io) {
				info.flags = VFIO_REGION_INFO_FLAG_READ;
				/* the BAR size, not the image size */
				info.size = pci_resource_len(pdev,
							     PCI_ROM_RESOURCE);
				pci_unmap_rom(pdev, io);
			}
			vfio_pci_memory_unlock_and_restore(vdev, cmd);
		} else if (pdev->resource[PCI_ROM_RESOURCE].flags &
			   IORESOURCE_ROM_SHADOW) {
			info.flags = VFIO_REGION_INFO_FLAG_READ;
			info.size = 0x20000;
		}
		break;
	}
	case VFIO_PCI_VGA_REGION_INDEX:
		/* a VGA device, unless disable_vga (vfio_pci_vga.c) */
		if (!vdev->has_vga)
			return -EINVAL;
		info.offset = VFIO_PCI_INDEX_TO_OFFSET(info.index);
		info.size = 0xc0000;
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
		break;
	default:
		return -EINVAL;
	}

	if (caps.size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		if (info.argsz < sizeof(info) + caps.size) {
			/* tell the user how much room the chain needs */
			info.argsz = sizeof(info) + caps.size;
			info.cap_offset = 0;
		} else {
			vfio_info_cap_shift(&caps, sizeof(info));
			if (copy_to_user(arg + sizeof(info), caps.buf,
					 caps.size)) {
				kfree(caps.buf);
				return -EFAULT;
			}
			info.cap_offset = sizeof(info);
		}
		kfree(caps.buf);
	}
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long vfio_pci_ioctl_get_irq_info(struct vfio_pci_device *vdev,
					void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	if (info.index == VFIO_PCI_ERR_IRQ_INDEX && !pci_is_pcie(vdev->pdev))
		return -EINVAL;

	info.flags = VFIO_IRQ_INFO_EVENTFD;
	info.count = vfio_pci_get_irq_count(vdev, info.index);
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE |
			      VFIO_IRQ_INFO_AUTOMASKED;
	else if (info.index != VFIO_PCI_MSIX_IRQ_INDEX || !vdev->has_dyn_msix)
		/* MSI-X grows while enabled where vectors allocate dynamically */
		info.flags |= VFIO_IRQ_INFO_NORESIZE;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long vfio_pci_ioctl_set_irqs(struct vfio_pci_device *vdev,
				    void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	u8 *data = NULL;
	int max, ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	max = vfio_pci_get_irq_count(vdev, hdr.index);
	ret = vfio_set_irqs_validate_and_prepare(&hdr, max, VFIO_PCI_NUM_IRQS,
						 &data_size);
	if (ret)
		return ret;
	if (data_size) {
		data = memdup_user(arg + minsz, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}
	mutex_lock(&vdev->igate);
	ret = vfio_pci_set_irqs_ioctl(vdev, hdr.flags, hdr.index, hdr.start,
				      hdr.count, data);
	mutex_unlock(&vdev->igate);
	kfree(data);
	return ret;
}

static long vfio_pci_ioctl_reset(struct vfio_pci_device *vdev)
{
	int ret;

	if (!vdev->reset_works)
		return -EINVAL;
	vfio_pci_zap_and_down_write_memory_lock(vdev);
	/*
	 * The reset would bring a D3hot function to D0 itself, without the
	 * config state saved on the way down: do it here, restoring it.
	 */
	__vfio_pci_set_power_state(vdev, PCI_D0);
	ret = pci_try_reset_function(vdev->pdev);
	up_write(&vdev->memory_lock);
	return ret;
}

/* ------------------------------------------------------------ hot reset */

/* the devices a slot or bus reset of @pdev affects */
struct vfio_pci_walk {
	struct pci_dev	*pdev;		/* the device asking */
	bool		slot;		/* slot reset (else bus) */
	int		(*fn)(struct pci_dev *pdev, void *data);
	void		*data;
};

static int vfio_pci_walk_one(struct pci_dev *pdev, void *data)
{
	struct vfio_pci_walk *w = data;

	if (w->slot && pdev->slot != w->pdev->slot)
		return 0;
	return w->fn(pdev, w->data);
}

static int vfio_pci_for_each_affected(struct pci_dev *pdev, bool slot,
				      int (*fn)(struct pci_dev *, void *),
				      void *data)
{
	struct vfio_pci_walk w = {
		.pdev = pdev, .slot = slot, .fn = fn, .data = data,
	};

	pci_walk_bus(slot ? pdev->slot->bus : pdev->bus, vfio_pci_walk_one,
		     &w);
	return 0;
}

/* returns -ENODEV if neither a slot nor a bus reset is possible */
static int vfio_pci_probe_hot_reset(struct pci_dev *pdev, bool *slot)
{
	*slot = !pci_probe_reset_slot(pdev->slot);
	if (!*slot && pci_probe_reset_bus(pdev->bus))
		return -ENODEV;
	return 0;
}

struct vfio_pci_fill {
	struct vfio_pci_dependent_device *devices;
	unsigned int max, cur;
	int ret;
};

static int vfio_pci_count_devs(struct pci_dev *pdev, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

static int vfio_pci_fill_devs(struct pci_dev *pdev, void *data)
{
	struct vfio_pci_fill *fill = data;
	struct iommu_group *group;

	if (fill->cur == fill->max) {
		fill->ret = -EAGAIN;	/* the bus grew under us */
		return 1;
	}
	group = iommu_group_get(&pdev->dev);
	if (!group) {
		fill->ret = -EPERM;
		return 1;
	}
	fill->devices[fill->cur].group_id = iommu_group_id(group);
	fill->devices[fill->cur].segment = pci_domain_nr(pdev->bus);
	fill->devices[fill->cur].bus = pdev->bus->number;
	fill->devices[fill->cur].devfn = pdev->devfn;
	fill->cur++;
	iommu_group_put(group);
	return 0;
}

static long vfio_pci_ioctl_get_hot_reset_info(struct vfio_pci_device *vdev,
					      void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_pci_hot_reset_info,
					  count);
	struct vfio_pci_hot_reset_info hdr;
	struct vfio_pci_fill fill = { 0 };
	unsigned int count = 0;
	bool slot;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	if (hdr.argsz < minsz)
		return -EINVAL;
	hdr.flags = 0;

	ret = vfio_pci_probe_hot_reset(vdev->pdev, &slot);
	if (ret)
		return ret;
	vfio_pci_for_each_affected(vdev->pdev, slot, vfio_pci_count_devs,
				   &count);

	if (hdr.argsz < sizeof(hdr) + count * sizeof(*fill.devices)) {
		/* as upstream: the header tells how many there are */
		ret = -ENOSPC;
		hdr.count = count;
		goto out;
	}
	fill.devices = kcalloc(count, sizeof(*fill.devices), GFP_KERNEL);
	if (!fill.devices)
		return -ENOMEM;
	fill.max = count;
	vfio_pci_for_each_affected(vdev->pdev, slot, vfio_pci_fill_devs,
				   &fill);
	ret = fill.ret;
	if (!ret) {
		hdr.count = fill.cur;
		if (copy_to_user(arg + minsz, fill.devices,
				 fill.cur * sizeof(*fill.devices)))
			ret = -EFAULT;
	}
	kfree(fill.devices);
out:
	if (copy_to_user(arg, &hdr, minsz))
		ret = -EFAULT;
	return ret;
}

/*
 * The vfio-pci devices taking part in a hot reset, and the group files the
 * user gave to prove ownership of them.
 */
struct vfio_pci_reset_set {
	struct file		**files;
	unsigned int		nfiles;
	struct pci_dev		*pdevs[64];	/* referenced */
	unsigned int		npdevs;
	struct vfio_device	*devs[64];
	struct vfio_pci_device	*vdevs[64];
	unsigned int		n;
	int			ret;
};

/*
 * Under the bus walk, i.e. pci_bus_sem held for read: only take a
 * reference on each affected function and check its driver.  The VFIO
 * lookups take vfio.group_lock, which must not nest inside pci_bus_sem:
 * lockdep (6.1 debug kernel) found the cycle pci_bus_sem -> group_lock ->
 * runtime PM work (a group's device is deleted under group_lock, which
 * flushes its PM work) -> memory_lock (our runtime suspend) -> pci_bus_sem
 * (a power state change under memory_lock, ASPM).  So they run after the
 * walk, in vfio_pci_collect_vfio().
 */
static int vfio_pci_collect_dev(struct pci_dev *pdev, void *data)
{
	struct vfio_pci_reset_set *set = data;

	/* every affected device must be on vfio-pci ... */
	if (pci_dev_driver(pdev) != &vfio_pci_driver) {
		set->ret = -EINVAL;
		return 1;
	}
	if (set->npdevs == ARRAY_SIZE(set->pdevs)) {
		set->ret = -ENOSPC;
		return 1;
	}
	set->pdevs[set->npdevs++] = pci_dev_get(pdev);
	return 0;
}

/*
 * ... registered with VFIO (by vfio-pci: our reference on the vfio_device
 * holds off its remove) and in one of the groups the user gave.
 */
static int vfio_pci_collect_vfio(struct vfio_pci_reset_set *set)
{
	struct vfio_device *device;
	unsigned int i, j;

	for (i = 0; i < set->npdevs; i++) {
		device = vfio_device_get_from_dev(&set->pdevs[i]->dev);
		if (!device)
			return -EINVAL;
		set->devs[set->n] = device;
		set->vdevs[set->n] = vfio_device_data(device);
		set->n++;
		for (j = 0; j < set->nfiles; j++)
			if (vfio_file_has_dev(set->files[j], device))
				break;
		if (j == set->nfiles)
			return -EINVAL;
	}
	return 0;
}

/*
 * VFIO_DEVICE_PCI_HOT_RESET with the checks of stock (6.1's
 * vfio_pci_ioctl_pci_hot_reset() and vfio_pci_dev_set_hot_reset(), 6.12's
 * vfio_pci_ioctl_pci_hot_reset_groups()):
 *   - argsz covers count, flags is 0 (EINVAL); a slot or bus reset is
 *     possible (ENODEV);
 *   - 1 <= count <= the number of affected *devices* (EINVAL): the bound
 *     only limits the copy, so a group may appear twice and groups that
 *     cover nothing affected may be given;
 *   - each fd is open (EBADF) and a VFIO group file of this vfio
 *     (EINVAL: eventfds, containers, device fds);
 *   - every affected device is bound to vfio-pci and belongs to one of
 *     the groups (EINVAL).
 * Stock asks nothing more of a group: having it open is owning it (a group
 * opens once), container or not; the group files are held (fget) across
 * the reset, so the groups stay.
 */
static long vfio_pci_ioctl_hot_reset(struct vfio_pci_device *vdev,
				     void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_pci_hot_reset, count);
	unsigned int i, ndevs = 0, pm_got = 0, locked_vma = 0, locked_mem = 0;
	struct vfio_pci_reset_set *set;
	struct vfio_pci_hot_reset hdr;
	int32_t *group_fds = NULL;
	bool slot;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	if (hdr.argsz < minsz || hdr.flags)
		return -EINVAL;
	ret = vfio_pci_probe_hot_reset(vdev->pdev, &slot);
	if (ret)
		return ret;

	/* a group per device at most: bounds the copy */
	vfio_pci_for_each_affected(vdev->pdev, slot, vfio_pci_count_devs,
				   &ndevs);
	if (!hdr.count || hdr.count > ndevs)
		return -EINVAL;

	set = kzalloc(sizeof(*set), GFP_KERNEL);
	group_fds = kcalloc(hdr.count, sizeof(*group_fds), GFP_KERNEL);
	if (set)
		set->files = kcalloc(hdr.count, sizeof(*set->files),
				     GFP_KERNEL);
	if (!set || !group_fds || !set->files) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (copy_from_user(group_fds, arg + minsz,
			   hdr.count * sizeof(*group_fds))) {
		ret = -EFAULT;
		goto out_free;
	}
	for (i = 0; i < hdr.count; i++) {
		struct file *file = fget(group_fds[i]);

		if (!file) {
			ret = -EBADF;
			goto out_put_files;
		}
		if (!vfio_file_is_group(file)) {
			fput(file);
			ret = -EINVAL;
			goto out_put_files;
		}
		set->files[set->nfiles++] = file;
	}

	vfio_pci_for_each_affected(vdev->pdev, slot, vfio_pci_collect_dev,
				   set);
	ret = set->ret;
	if (!ret)
		ret = vfio_pci_collect_vfio(set);
	if (ret)
		goto out_put_devs;

	/*
	 * Wake every affected function (a closed one may sleep in D3hot, an
	 * open one be in low power) before any lock: the runtime PM
	 * callbacks take memory_lock.
	 */
	for (pm_got = 0; pm_got < set->n; pm_got++) {
		ret = vfio_pci_pm_get(set->vdevs[pm_got]);
		if (ret)
			goto out_pm_put;
	}

	/* locking several devices can deadlock: back off on contention */
	for (locked_vma = 0; locked_vma < set->n; locked_vma++) {
		if (!vfio_pci_zap_and_vma_lock(set->vdevs[locked_vma], true)) {
			ret = -EBUSY;
			goto out_unlock;
		}
	}
	for (locked_mem = 0; locked_mem < set->n; locked_mem++) {
		if (!down_write_trylock(&set->vdevs[locked_mem]->memory_lock)) {
			ret = -EBUSY;
			goto out_unlock;
		}
	}
	/* D3hot functions back to D0 with their state, as for RESET */
	for (i = 0; i < set->n; i++)
		__vfio_pci_set_power_state(set->vdevs[i], PCI_D0);
	ret = pci_reset_bus(vdev->pdev);

out_unlock:
	for (i = 0; i < locked_mem; i++)
		up_write(&set->vdevs[i]->memory_lock);
	for (i = 0; i < locked_vma; i++)
		mutex_unlock(&set->vdevs[i]->vma_lock);
out_pm_put:
	for (i = 0; i < pm_got; i++)
		vfio_pci_pm_put(set->vdevs[i]);
out_put_devs:
	for (i = 0; i < set->n; i++)
		vfio_device_put(set->devs[i]);
	for (i = 0; i < set->npdevs; i++)
		pci_dev_put(set->pdevs[i]);
out_put_files:
	for (i = 0; i < set->nfiles; i++)
		fput(set->files[i]);
out_free:
	if (set)
		kfree(set->files);
	kfree(group_fds);
	kfree(set);
	return ret;
}

static long vfio_pci_ioctl_dispatch(struct vfio_pci_device *vdev,
				    unsigned int cmd, void __user *uarg)
{
	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return vfio_pci_ioctl_get_info(vdev, uarg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return vfio_pci_ioctl_get_region_info(vdev, uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return vfio_pci_ioctl_get_irq_info(vdev, uarg);
	case VFIO_DEVICE_SET_IRQS:
		return vfio_pci_ioctl_set_irqs(vdev, uarg);
	case VFIO_DEVICE_RESET:
		return vfio_pci_ioctl_reset(vdev);
	case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO:
		return vfio_pci_ioctl_get_hot_reset_info(vdev, uarg);
	case VFIO_DEVICE_PCI_HOT_RESET:
		return vfio_pci_ioctl_hot_reset(vdev, uarg);
	case VFIO_DEVICE_IOEVENTFD:	/* vfio_pci_ioeventfd.c */
		return vfio_pci_ioctl_ioeventfd(vdev, uarg);
	case VFIO_DEVICE_FEATURE:	/* vfio_pci_sriov.c */
		return vfio_pci_ioctl_feature(vdev, uarg);
	}
	return -ENOTTY;
}

/*
 * Every device ioctl runs with the function resumed, as stock's core
 * wraps them: a resume in low power with a wakeup eventfd signals it and
 * ends low power; without one the function suspends again afterwards.
 */
static long vfio_pci_ioctl(void *device_data, unsigned int cmd,
			   unsigned long arg)
{
	struct vfio_pci_device *vdev = device_data;
	long ret;

	ret = vfio_pci_pm_get(vdev);
	if (ret)
		return ret;
	ret = vfio_pci_ioctl_dispatch(vdev, cmd, (void __user *)arg);
	vfio_pci_pm_put(vdev);
	return ret;
}

static const struct vfio_device_ops vfio_pci_ops = {
	.name		= "vfio-pci",
	.open		= vfio_pci_open,
	.release	= vfio_pci_release,
	.read		= vfio_pci_read,
	.write		= vfio_pci_write,
	.ioctl		= vfio_pci_ioctl,
	.mmap		= vfio_pci_mmap,
	.request	= vfio_pci_request,
	.match		= vfio_pci_match,	/* "BDF vf_token=UUID" */
};

/* ------------------------------------------------------------ driver */

static int vfio_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vfio_pci_device *vdev;
	struct iommu_group *group;
	int ret;

	/* bridges and other header types are not assignable */
	if (pdev->hdr_type != PCI_HEADER_TYPE_NORMAL)
		return -EINVAL;

	group = vfio_iommu_group_get(&pdev->dev);
	if (!group) {
		pci_warn(pdev, "no IOMMU group: boot with the IOMMU on (intel_iommu=on) to use VFIO\n");
		return -EINVAL;
	}

	vdev = kzalloc(sizeof(*vdev), GFP_KERNEL);
	if (!vdev) {
		ret = -ENOMEM;
		goto out_group_put;
	}
	vdev->pdev = pdev;
	vdev->group = group;
	vdev->irq_type = VFIO_PCI_NUM_IRQS;
	vdev->msix_bar = 0xff;
	mutex_init(&vdev->igate);
	spin_lock_init(&vdev->irqlock);
	mutex_init(&vdev->open_lock);
	mutex_init(&vdev->barmap_lock);
	init_rwsem(&vdev->memory_lock);
	mutex_init(&vdev->vma_lock);
	mutex_init(&vdev->ioeventfds_lock);
	INIT_LIST_HEAD(&vdev->ioeventfds);

	/* SR-IOV: EBUSY for a PF with VFs enabled */
	ret = vfio_pci_sriov_init(vdev);
	if (ret)
		goto out_free;

	/* a VGA device: VGA arbiter client (vfio_pci_vga.c) */
	ret = vfio_pci_vga_init(vdev);
	if (ret)
		goto out_sriov;

	/*
	 * The PCI core leaves an unbound function's power state unknown and
	 * allows only D0 from there: go there before runtime PM may suspend.
	 */
	vfio_pci_set_power_state(vdev, PCI_D0);
	vfio_pci_pm_init(vdev);		/* before an open can count */

	ret = vfio_add_group_dev(&pdev->dev, &vfio_pci_ops, vdev);
	if (ret)
		goto out_vga;
	vfio_pci_pm_probe(vdev);	/* the PM callbacks need drvdata */
	return 0;

out_vga:
	vfio_pci_vga_uninit(vdev);
out_sriov:
	vfio_pci_sriov_uninit(vdev);
out_free:
	kfree(vdev);
out_group_put:
	vfio_iommu_group_put(group, &pdev->dev);
	return ret;
}

static void vfio_pci_remove(struct pci_dev *pdev)
{
	struct vfio_device *device;
	struct vfio_pci_device *vdev;

	/* SR-IOV: our VFs go first (each may wait for its user) */
	vfio_pci_sriov_remove_vfs(pdev);

	/* runtime PM off while the callbacks can still find us */
	device = vfio_device_get_from_dev(&pdev->dev);
	if (device) {
		vfio_pci_pm_remove(vfio_device_data(device));
		vfio_device_put(device);
	}

	/* blocks until the user released the device (REQ is signalled) */
	vdev = vfio_del_group_dev(&pdev->dev);
	if (!vdev)
		return;
	vfio_pci_vga_uninit(vdev);
	vfio_pci_sriov_uninit(vdev);
	vfio_iommu_group_put(vdev->group, &pdev->dev);
	mutex_destroy(&vdev->ioeventfds_lock);
	mutex_destroy(&vdev->vma_lock);
	mutex_destroy(&vdev->barmap_lock);
	mutex_destroy(&vdev->open_lock);
	mutex_destroy(&vdev->igate);
	kfree(vdev);
}

/* AER: tell the user through the ERR eventfd; recovery is theirs */
static pci_ers_result_t vfio_pci_aer_err_detected(struct pci_dev *pdev,
						  pci_channel_state_t state)
{
	struct vfio_pci_device *vdev;
	struct vfio_device *device;

	device = vfio_device_get_from_dev(&pdev->dev);
	if (!device)
		return PCI_ERS_RESULT_DISCONNECT;
	vdev = vfio_device_data(device);
	mutex_lock(&vdev->igate);
	if (vdev->err_trigger)
		vfioctl_eventfd_signal(vdev->err_trigger);
	mutex_unlock(&vdev->igate);
	vfio_device_put(device);
	return PCI_ERS_RESULT_CAN_RECOVER;
}

static const struct pci_error_handlers vfio_pci_err_handlers = {
	.error_detected = vfio_pci_aer_err_detected,
};

struct pci_driver vfio_pci_driver = {
	.name			= "vfio-pci",
	.id_table		= NULL,	/* driver_override or new_id only */
	.probe			= vfio_pci_probe,
	.remove			= vfio_pci_remove,
	.sriov_configure	= vfio_pci_sriov_configure,
	.err_handler		= &vfio_pci_err_handlers,
	.driver_managed_dma	= true,
	.driver.pm		= &vfio_pci_pm_ops,	/* vfio_pci_pm.c */
};

static int __init vfio_pci_init(void)
{
	int ret;

	ret = vfio_pci_init_perm_bits();
	if (ret)
		return ret;
	ret = pci_register_driver(&vfio_pci_driver);
	if (ret)
		vfio_pci_uninit_perm_bits();
	return ret;
}

static void __exit vfio_pci_exit(void)
{
	pci_unregister_driver(&vfio_pci_driver);
	vfio_pci_uninit_perm_bits();
}

module_init(vfio_pci_init);
module_exit(vfio_pci_exit);

MODULE_VERSION(VFIOCTL_VERSION "-vfioctl");
MODULE_LICENSE("GPL v2");
MODULE_AUTHOR("vfioctl developers");
MODULE_DESCRIPTION("VFIO PCI - user level meta-driver (vfioctl)");
