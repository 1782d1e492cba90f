// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_pci_vga.c - the VGA region (VFIO_PCI_VGA_REGION_INDEX) of a VGA
 * class device, and vfio-pci's part in the VGA arbiter.
 *
 * As the kernel's vfio-pci built with CONFIG_VFIO_PCI_VGA (Debian's is):
 *
 * - every device of class 0x0300 (display, VGA prog-if) bound to us is a
 *   VGA arbiter client: at probe its boot framebuffer (and the VGA console
 *   if it is the boot VGA device) is taken away, it registers a decode
 *   callback and says which legacy resources it decodes; at remove it
 *   unregisters and says it decodes everything again, as a device without
 *   a client does;
 * - unless the module parameter disable_vga is set (default off), such a
 *   device has a VGA region of 0xc0000 bytes (read and write, no mmap) at
 *   the offset of index 8.  Offsets inside it are the legacy addresses:
 *   0xa0000-0xbffff the VGA memory window, 0x3b0-0x3bb and 0x3c0-0x3df
 *   the VGA I/O ports.  Any other offset is -EINVAL; an access is cut at
 *   the end of the range it starts in.
 *
 * Each access is made with the arbiter's legacy resource of the range
 * (VGA_RSRC_LEGACY_MEM or VGA_RSRC_LEGACY_IO) held for this device, which
 * routes the legacy window to it (bridge VGA enable, other VGA devices'
 * decode off).  Unlike the kernel's, no user copy happens while it is
 * held: the arbiter resource is held across the accesses of one chunk of
 * at most VFIO_PCI_VGA_CHUNK bytes, which go through a kernel buffer
 * (copied in before, out after).  Accesses are split into naturally
 * aligned 4, 2 and 1 byte I/O.  The legacy ranges are no BAR, so neither
 * memory_lock nor the command register's decode bits apply (as upstream).
 *
 * The VGA region is x86 only, as CONFIG_VFIO_PCI_VGA is; elsewhere
 * vfio_pci_vga_disabled() is always true (still registering VGA devices
 * with the arbiter, as upstream without CONFIG_VFIO_PCI_VGA).
 */
#include <linux/aperture.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vgaarb.h>

#include "vfio_pci_private.h"

#if IS_ENABLED(CONFIG_X86)
#define VFIO_PCI_HAVE_VGA	1
static bool disable_vga;
module_param(disable_vga, bool, 0444);
MODULE_PARM_DESC(disable_vga, "Disable VGA resource access through vfio-pci");
#endif

/* the VGA region's size: offsets are legacy addresses below 0xc0000 */
#define VFIO_PCI_VGA_SIZE	0xc0000

/* bytes moved per arbiter hold, through a kernel buffer */
#define VFIO_PCI_VGA_CHUNK	4096

bool vfio_pci_vga_disabled(void)
{
#ifdef VFIO_PCI_HAVE_VGA
	return disable_vga;
#else
	return true;
#endif
}

#define VFIO_PCI_VGA_ALL	(VGA_RSRC_NORMAL_IO | VGA_RSRC_NORMAL_MEM | \
				 VGA_RSRC_LEGACY_IO | VGA_RSRC_LEGACY_MEM)

/*
 * The arbiter's decode callback (vga_client_register()); also asked once
 * at probe.  It may be called with the arbiter's spinlock held and
 * interrupts off: nothing here sleeps (pci_get_class() walks the bus's
 * klist under spinlocks and only drops references it took).
 *
 * We know nothing of the device, so we claim the legacy ranges, except in
 * the one case where the user cannot reach them and routing can be cut at
 * a bridge: the VGA region is disabled, the device sits behind a bridge,
 * and no other VGA device sits below that bridge's bus.
 */
static unsigned int vfio_pci_vga_set_decode(struct pci_dev *pdev,
					    bool single_vga)
{
	struct pci_dev *other = NULL;
	unsigned char last_bus;

	if (single_vga || !vfio_pci_vga_disabled() ||
	    pci_is_root_bus(pdev->bus))
		return VFIO_PCI_VGA_ALL;

	last_bus = pci_bus_max_busnr(pdev->bus);
	while ((other = pci_get_class(PCI_CLASS_DISPLAY_VGA << 8, other))) {
		if (other == pdev || pci_is_root_bus(other->bus) ||
		    pci_domain_nr(other->bus) != pci_domain_nr(pdev->bus))
			continue;
		if (other->bus->number >= pdev->bus->number &&
		    other->bus->number <= last_bus) {
			pci_dev_put(other);
			return VFIO_PCI_VGA_ALL;
		}
	}
	return VGA_RSRC_NORMAL_IO | VGA_RSRC_NORMAL_MEM;
}

/* at probe: a VGA device becomes an arbiter client (see the header) */
int vfio_pci_vga_init(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int ret;

	if (!vfio_pci_is_vga(pdev))
		return 0;
	/* a firmware framebuffer or vgacon on it would fight the user */
	ret = aperture_remove_conflicting_pci_devices(pdev,
						      vfio_pci_driver.name);
	if (ret)
		return ret;
	ret = vga_client_register(pdev, vfio_pci_vga_set_decode);
	if (ret)
		return ret;
	vga_set_legacy_decoding(pdev, vfio_pci_vga_set_decode(pdev, false));
	return 0;
}

/* at remove (and when probe fails after init) */
void vfio_pci_vga_uninit(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;

	if (!vfio_pci_is_vga(pdev))
		return;
	vga_client_unregister(pdev);
	vga_set_legacy_decoding(pdev, VFIO_PCI_VGA_ALL);
}

/* @count bytes between @kbuf and @io + @off, naturally aligned, <= 4 */
static void vfio_pci_vga_io(void __iomem *io, u8 *kbuf, loff_t off,
			    size_t count, bool iswrite)
{
	while (count) {
		size_t fill = 1;

		if (count >= 4 && !(off % 4))
			fill = 4;
		else if (count >= 2 && !(off % 2))
			fill = 2;

		if (fill == 4) {
			u32 v;

			if (iswrite) {
				memcpy(&v, kbuf, 4);
				iowrite32(v, io + off);
			} else {
				v = ioread32(io + off);
				memcpy(kbuf, &v, 4);
			}
		} else if (fill == 2) {
			u16 v;

			if (iswrite) {
				memcpy(&v, kbuf, 2);
				iowrite16(v, io + off);
			} else {
				v = ioread16(io + off);
				memcpy(kbuf, &v, 2);
			}
		} else if (iswrite) {
			iowrite8(*kbuf, io + off);
		} else {
			*kbuf = ioread8(io + off);
		}
		count -= fill;
		kbuf += fill;
		off += fill;
	}
}

ssize_t vfio_pci_vga_rw(struct vfio_pci_device *vdev, char __user *buf,
			size_t count, loff_t *ppos, bool iswrite)
{
	loff_t pos = *ppos & VFIO_PCI_OFFSET_MASK;
	resource_size_t base, len;
	void __iomem *io;
	unsigned int rsrc;
	bool ioport;
	ssize_t done = 0;
	u8 *kbuf;
	int ret;

	if (!vdev->has_vga || pos >= VFIO_PCI_VGA_SIZE)
		return -EINVAL;

	if (pos >= 0xa0000) {
		base = 0xa0000;
		len = 0x20000;
		rsrc = VGA_RSRC_LEGACY_MEM;
		ioport = false;
	} else if (pos >= 0x3b0 && pos <= 0x3bb) {
		base = 0x3b0;
		len = 0xc;
		rsrc = VGA_RSRC_LEGACY_IO;
		ioport = true;
	} else if (pos >= 0x3c0 && pos <= 0x3df) {
		base = 0x3c0;
		len = 0x20;
		rsrc = VGA_RSRC_LEGACY_IO;
		ioport = true;
	} else {
		return -EINVAL;
	}
	count = min_t(size_t, count, base + len - pos);

	io = ioport ? ioport_map(base, len) : ioremap(base, len);
	if (!io)
		return -ENOMEM;
	kbuf = kmalloc(min_t(size_t, count, VFIO_PCI_VGA_CHUNK), GFP_KERNEL);
	if (!kbuf) {
		done = -ENOMEM;
		goto out_unmap;
	}

	while (count) {
		size_t chunk = min_t(size_t, count, VFIO_PCI_VGA_CHUNK);

		if (iswrite && copy_from_user(kbuf, buf, chunk)) {
			done = -EFAULT;
			break;
		}
		/* routes the legacy range to this device; may sleep */
		ret = vga_get_interruptible(vdev->pdev, rsrc);
		if (ret) {
			if (!done)
				done = ret;
			break;
		}
		vfio_pci_vga_io(io, kbuf, pos - base, chunk, iswrite);
		vga_put(vdev->pdev, rsrc);

		if (!iswrite && copy_to_user(buf, kbuf, chunk)) {
			done = -EFAULT;
			break;
		}
		count -= chunk;
		done += chunk;
		buf += chunk;
		pos += chunk;
	}
	kfree(kbuf);
out_unmap:
	if (ioport)
		ioport_unmap(io);
	else
		iounmap(io);
	if (done > 0)
		*ppos += done;
	return done;
}
