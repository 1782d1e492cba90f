// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_pci_rdwr.c - read/write of BARs and the ROM through the device fd.
 *
 * Accesses are split into naturally aligned 1/2/4 (and 8 where the
 * architecture has it) byte device accesses, so a 4-byte pread of a
 * register is exactly one 32-bit MMIO read.  The MSI-X table (and PBA) of
 * the MSI-X BAR reads as all ones and ignores writes: interrupts are
 * programmed through SET_IRQS.  Memory BARs are only touched while memory
 * decode is on and no BAR while the function is in D3hot (memory_lock
 * held for read).  No user copy ever happens under memory_lock: a fault on
 * the user's own BAR mapping takes it in vfio_pci_mmap_fault() and would
 * deadlock.  BARs are copied one access at a time outside the lock, the
 * ROM through a bounded kernel buffer filled under it.
 */
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio_pci_private.h"

/*
 * Request and map @bar on its first access (pread/pwrite, mmap, an
 * ioeventfd; vfio_pci_setup_barmap() checks first, without the lock).
 * Two first accesses at once must not both request it: the loser would
 * find the region taken and fail with EBUSY, so the setup is serialized
 * by barmap_lock.  The store is a release, paired with the lock-free
 * check, so a mapping seen without the lock is complete.  Unmapped only
 * at the last close, when no user of the fd is left.
 */
int vfio_pci_map_bar(struct vfio_pci_device *vdev, int bar)
{
	struct pci_dev *pdev = vdev->pdev;
	void __iomem *io;
	int ret = 0;

	mutex_lock(&vdev->barmap_lock);
	if (vdev->barmap[bar])
		goto out;
	ret = pci_request_selected_regions(pdev, 1 << bar, "vfio");
	if (ret) {
		dev_warn_ratelimited(&pdev->dev, "BAR%d is in use by another driver (%d)\n",
				     bar, ret);
		goto out;
	}
	io = pci_iomap(pdev, bar, 0);
	if (!io) {
		pci_release_selected_regions(pdev, 1 << bar);
		ret = -ENOMEM;
		goto out;
	}
	smp_store_release(&vdev->barmap[bar], io);
out:
	mutex_unlock(&vdev->barmap_lock);
	return ret;
}

/*
 * One device access of @size bytes at @io; caller checked the decode.
 * Always inline, as the copy below: each is one call per access on the
 * pread path otherwise (tests/bench/profile).
 */
static __always_inline void vfio_pci_io_access(void __iomem *io, u64 *val,
					       size_t size, bool iswrite)
{
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
}

/*
 * Move one access's value between @buf and @val as a value of the access's
 * own type, with a copy of fixed size as stock does (so hardened usercopy
 * has no object to check; measured, that was not what made pread slower).
 */
#define VFIO_PCI_COPY_AS(type) ({					\
	type v_ = *val;							\
	unsigned long left_ = to_user ?					\
		copy_to_user(buf, &v_, sizeof(v_)) :			\
		copy_from_user(&v_, buf, sizeof(v_));			\
	*val = v_;							\
	left_;								\
})

static __always_inline int vfio_pci_copy_val(char __user *buf, u64 *val,
					     size_t size, bool to_user)
{
	unsigned long left;

	switch (size) {
	case 8:
		left = VFIO_PCI_COPY_AS(u64);
		break;
	case 4:
		left = VFIO_PCI_COPY_AS(u32);
		break;
	case 2:
		left = VFIO_PCI_COPY_AS(u16);
		break;
	default:
		left = VFIO_PCI_COPY_AS(u8);
		break;
	}
	return left ? -EFAULT : 0;
}

/*
 * One access to a BAR under memory_lock held for read: a memory BAR only
 * while memory decode is on, any BAR only while the function is in a
 * power state that decodes (not D3hot).  -EIO otherwise.  No user copy
 * here: the caller copies with the lock dropped.
 */
static int vfio_pci_io_one(struct vfio_pci_device *vdev, bool mem,
			   void __iomem *io, u64 *val, size_t size,
			   bool iswrite)
{
	int ret = 0;

	down_read(&vdev->memory_lock);
	if (mem ? !vfio_pci_memory_enabled(vdev) :
		  vdev->pdev->current_state >= PCI_D3hot)
		ret = -EIO;
	else
		vfio_pci_io_access(io, val, size, iswrite);
	up_read(&vdev->memory_lock);
	return ret;
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

		if (iswrite && vfio_pci_copy_val(buf, &val, fill, false))
			return -EFAULT;
		ret = vfio_pci_io_one(vdev, mem, io + off, &val, fill,
				      iswrite);
		if (ret)
			return done ? done : ret;
		if (!iswrite && vfio_pci_copy_val(buf, &val, fill, true))
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

/* ROM reads go through a kernel buffer of at most this many bytes */
#define VFIO_PCI_ROM_CHUNK	4096

/*
 * Fill @kbuf with @count bytes of the ROM from @off, in naturally aligned
 * accesses; past the image (@size) the BAR reads as all ones.
 */
static void vfio_pci_rom_fill(void __iomem *io, size_t size, u8 *kbuf,
			      loff_t off, size_t count)
{
	while (count) {
		size_t fill = 1;
		u64 val = 0;

		if (off >= size) {
			memset(kbuf, 0xff, count);
			return;
		}
		if (count >= 4 && !(off % 4))
			fill = 4;
		else if (count >= 2 && !(off % 2))
			fill = 2;
		if (off + fill > size)
			fill = 1;
		vfio_pci_io_access(io + off, &val, fill, false);
		if (fill == 4) {
			u32 v = val;

			memcpy(kbuf, &v, 4);
		} else if (fill == 2) {
			u16 v = val;

			memcpy(kbuf, &v, 2);
		} else {
			*kbuf = val;
		}
		count -= fill;
		kbuf += fill;
		off += fill;
	}
}

/*
 * The ROM is read with memory_lock held for write (decode forced on for
 * the duration), so the user copy must not happen under it: a destination
 * that is an unfaulted mapping of one of this device's BARs faults into
 * vfio_pci_mmap_fault(), which takes memory_lock for read - a deadlock.
 * Read a bounded chunk into a kernel buffer, drop the lock, copy out.
 */
ssize_t vfio_pci_rom_read(struct vfio_pci_device *vdev, char __user *buf,
			  size_t count, loff_t *ppos)
{
	struct pci_dev *pdev = vdev->pdev;
	loff_t pos = *ppos & VFIO_PCI_OFFSET_MASK;
	size_t size, end, chunk;
	void __iomem *io;
	ssize_t done = 0;
	u8 *kbuf;
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

	kbuf = kmalloc(min_t(size_t, count, VFIO_PCI_ROM_CHUNK), GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;

	while (count) {
		chunk = min_t(size_t, count, VFIO_PCI_ROM_CHUNK);

		/* decode on only for the duration of the chunk */
		cmd = vfio_pci_memory_lock_and_enable(vdev);
		if (pdev->current_state >= PCI_D3hot) {
			/* a function in D3hot decodes nothing */
			vfio_pci_memory_unlock_and_restore(vdev, cmd);
			if (!done)
				done = -EIO;
			break;
		}
		io = pci_map_rom(pdev, &size);
		if (!io) {
			vfio_pci_memory_unlock_and_restore(vdev, cmd);
			if (!done)
				done = -ENOMEM;
			break;
		}
		vfio_pci_rom_fill(io, size, kbuf, pos, chunk);
		pci_unmap_rom(pdev, io);
		vfio_pci_memory_unlock_and_restore(vdev, cmd);

		if (copy_to_user(buf, kbuf, chunk)) {
			if (!done)
				done = -EFAULT;
			break;
		}
		count -= chunk;
		done += chunk;
		buf += chunk;
		pos += chunk;
	}
	kfree(kbuf);
	if (done > 0)
		*ppos += done;
	return done;
}
