// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_pci_rdwr.c - read/write of BARs and the ROM through the device fd.
 *
 * Accesses are split into naturally aligned 1/2/4 (and 8 where the
 * architecture has it) byte device accesses, so a 4-byte pread of a
 * register is exactly one 32-bit MMIO read.  The MSI-X table (and PBA) of
 * the MSI-X BAR reads as all ones and ignores writes: interrupts are
 * programmed through SET_IRQS.  Memory BARs are only touched while memory
 * decode is on (memory_lock held for read); the user copy happens outside
 * the lock so that a fault on the user's own BAR mapping cannot deadlock.
 */
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/uaccess.h>

#include "vfio_pci_private.h"

int vfio_pci_setup_barmap(struct vfio_pci_device *vdev, int bar)
{
	struct pci_dev *pdev = vdev->pdev;
	void __iomem *io;
	int ret;

	if (vdev->barmap[bar])
		return 0;
	ret = pci_request_selected_regions(pdev, 1 << bar, "vfio");
	if (ret) {
		dev_warn_ratelimited(&pdev->dev, "BAR%d is in use by another driver (%d)\n",
				     bar, ret);
		return ret;
	}
	io = pci_iomap(pdev, bar, 0);
	if (!io) {
		pci_release_selected_regions(pdev, 1 << bar);
		return -ENOMEM;
	}
	vdev->barmap[bar] = io;
	return 0;
}

/* one device access of @size bytes at @io, under memory_lock if @mem */
static int vfio_pci_io_one(struct vfio_pci_device *vdev, bool mem,
			   void __iomem *io, u64 *val, size_t size,
			   bool iswrite)
{
	if (mem) {
		down_read(&vdev->memory_lock);
		if (!vfio_pci_memory_enabled(vdev)) {
			up_read(&vdev->memory_lock);
			return -EIO;
		}
	}
	switch (size) {
#ifdef iowrite64
	case 8:
		if (iswrite)
			iowrite64(*val, io);
		else
			*val = ioread64(io);
		break;
#endif
	case 4:
		if (iswrite)
			iowrite32(*val, io);
		else
			*val = ioread32(io);
		break;
	case 2:
		if (iswrite)
			iowrite16(*val, io);
		else
			*val = ioread16(io);
		break;
	default:
		if (iswrite)
			iowrite8(*val, io);
		else
			*val = ioread8(io);
		break;
	}
	if (mem)
		up_read(&vdev->memory_lock);
	return 0;
}

/*
 * Copy @count bytes between @buf and @io + @off.  [@x_start, @x_end) is
 * excluded (MSI-X table): reads there return 0xff, writes are dropped.
 */
static ssize_t vfio_pci_do_io_rw(struct vfio_pci_device *vdev, bool mem,
				 void __iomem *io, char __user *buf,
				 loff_t off, size_t count, size_t x_start,
				 size_t x_end, bool iswrite)
{
	ssize_t done = 0;
	int ret;

	while (count) {
		size_t fill = 1;
		u64 val = 0;

		if (off >= x_start && off < x_end) {
			fill = min(count, (size_t)(x_end - off));
			if (!iswrite) {
				u8 ff = 0xff;
				size_t i;

				for (i = 0; i < fill; i++)
					if (copy_to_user(buf + i, &ff, 1))
						return -EFAULT;
			}
			goto next;
		}
#ifdef iowrite64
		if (count >= 8 && !(off % 8))
			fill = 8;
		else
#endif
		if (count >= 4 && !(off % 4))
			fill = 4;
		else if (count >= 2 && !(off % 2))
			fill = 2;
		/* never straddle the excluded range */
		if (off < x_start && off + fill > x_start)
			fill = 1;

		if (iswrite && copy_from_user(&val, buf, fill))
			return -EFAULT;
		ret = vfio_pci_io_one(vdev, mem, io + off, &val, fill,
				      iswrite);
		if (ret)
			return done ? done : ret;
		if (!iswrite && copy_to_user(buf, &val, fill))
			return -EFAULT;
next:
		count -= fill;
		done += fill;
		off += fill;
		buf += fill;
	}
	return done;
}

ssize_t vfio_pci_bar_rw(struct vfio_pci_device *vdev, char __user *buf,
			size_t count, loff_t *ppos, bool iswrite)
{
	struct pci_dev *pdev = vdev->pdev;
	loff_t pos = *ppos & VFIO_PCI_OFFSET_MASK;
	int bar = VFIO_PCI_OFFSET_TO_INDEX(*ppos);
	size_t x_start = 0, x_end = 0;
	resource_size_t end;
	bool mem;
	ssize_t done;
	int ret;

	if (!pci_resource_start(pdev, bar))
		return -EINVAL;
	end = pci_resource_len(pdev, bar);
	if (pos >= end)
		return -EINVAL;
	count = min(count, (size_t)(end - pos));
	mem = pci_resource_flags(pdev, bar) & IORESOURCE_MEM;

	ret = vfio_pci_setup_barmap(vdev, bar);
	if (ret)
		return ret;

	if (bar == vdev->msix_bar) {
		x_start = vdev->msix_offset;
		x_end = vdev->msix_offset + vdev->msix_size;
	}
	done = vfio_pci_do_io_rw(vdev, mem, vdev->barmap[bar], buf, pos,
				 count, x_start, x_end, iswrite);
	if (done > 0)
		*ppos += done;
	return done;
}

ssize_t vfio_pci_rom_read(struct vfio_pci_device *vdev, char __user *buf,
			  size_t count, loff_t *ppos)
{
	struct pci_dev *pdev = vdev->pdev;
	loff_t pos = *ppos & VFIO_PCI_OFFSET_MASK;
	size_t size, end;
	void __iomem *io;
	ssize_t done;
	u16 cmd;

	if (pci_resource_start(pdev, PCI_ROM_RESOURCE))
		end = pci_resource_len(pdev, PCI_ROM_RESOURCE);
	else if (pdev->resource[PCI_ROM_RESOURCE].flags &
		 IORESOURCE_ROM_SHADOW)
		end = 0x20000;
	else
		return -EINVAL;
	if (pos >= end)
		return -EINVAL;
	count = min(count, (size_t)(end - pos));

	/* decode on only for the duration of the copy */
	cmd = vfio_pci_memory_lock_and_enable(vdev);
	io = pci_map_rom(pdev, &size);
	if (!io) {
		vfio_pci_memory_unlock_and_restore(vdev, cmd);
		return -ENOMEM;
	}
	/*
	 * Past the image the BAR reads as all ones.  memory_lock is held
	 * for write here, so access without taking it again.
	 */
	done = vfio_pci_do_io_rw(vdev, false, io, buf, pos, count, size, end,
				 false);
	pci_unmap_rom(pdev, io);
	vfio_pci_memory_unlock_and_restore(vdev, cmd);
	if (done > 0)
		*ppos += done;
	return done;
}
