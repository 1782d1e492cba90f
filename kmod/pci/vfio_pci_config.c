// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_pci_config.c - the virtualized PCI config space of a vfio-pci device.
 *
 * Every byte of config space belongs to one region: the standard header,
 * a capability, or a gap.  pci_config_map[] records which (the capability
 * ID, PCI_CAP_ID_BASIC for the header, PCI_CAP_ID_INVALID for gaps), and a
 * struct perm_bits per region says, bit by bit, what comes from the shadow
 * copy vconfig[] (virt) and what the user may write (write):
 *
 *   virt & write   the write lands in vconfig only
 *   ~virt & write  the write goes to the hardware
 *   ~write         the write is dropped
 *
 * BARs are fully virtualized (sizing is emulated on vconfig and the real
 * BARs are restored after a reset); MSI and MSI-X enable are virtualized
 * because interrupts are set up through SET_IRQS; the capability chain is
 * rewritten to hide capabilities we do not know how to expose safely.
 * Gaps stay raw: some devices keep registers there (be2net).
 */
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio_pci_private.h"

#define ALL_VIRT	0xffffffffU
#define NO_VIRT		0
#define ALL_WRITE	0xffffffffU
#define NO_WRITE	0

/* Region of extended config space: read straight from hardware. */
#define PCI_CAP_ID_EXT_DIRECT	0xfe

/* Lengths of standard capabilities; 0xff: computed, 0: hidden. */
static const u8 pci_cap_length[PCI_CAP_ID_MAX + 1] = {
	[PCI_CAP_ID_BASIC]	= PCI_STD_HEADER_SIZEOF,
	[PCI_CAP_ID_PM]		= PCI_PM_SIZEOF,
	[PCI_CAP_ID_AGP]	= PCI_AGP_SIZEOF,
	[PCI_CAP_ID_MSI]	= 0xff,
	[PCI_CAP_ID_PCIX]	= 0xff,
	[PCI_CAP_ID_VNDR]	= 0xff,
	[PCI_CAP_ID_EXP]	= 0xff,
	[PCI_CAP_ID_MSIX]	= PCI_CAP_MSIX_SIZEOF,
	[PCI_CAP_ID_AF]		= PCI_CAP_AF_SIZEOF,
};

static struct perm_bits cap_perms[PCI_CAP_ID_MAX + 1];

static inline bool is_bar(int offset)
{
	return (offset >= PCI_BASE_ADDRESS_0 &&
		offset < PCI_BASE_ADDRESS_5 + 4) ||
	       (offset >= PCI_ROM_ADDRESS && offset < PCI_ROM_ADDRESS + 4);
}

/* ------------------------------------------------------------ hardware access */

static int vfio_user_config_read(struct pci_dev *pdev, int pos,
				 __le32 *val, int count)
{
	int ret = -EINVAL;
	u32 tmp = 0;

	switch (count) {
	case 1: {
		u8 b;

		ret = pci_user_read_config_byte(pdev, pos, &b);
		tmp = b;
		break;
	}
	case 2: {
		u16 w;

		ret = pci_user_read_config_word(pdev, pos, &w);
		tmp = w;
		break;
	}
	case 4:
		ret = pci_user_read_config_dword(pdev, pos, &tmp);
		break;
	}
	*val = cpu_to_le32(tmp);
	return ret;
}

static int vfio_user_config_write(struct pci_dev *pdev, int pos,
				  __le32 val, int count)
{
	u32 tmp = le32_to_cpu(val);

	switch (count) {
	case 1:
		return pci_user_write_config_byte(pdev, pos, tmp);
	case 2:
		return pci_user_write_config_word(pdev, pos, tmp);
	case 4:
		return pci_user_write_config_dword(pdev, pos, tmp);
	}
	return -EINVAL;
}

/* ------------------------------------------------------------ generic handlers */

static int vfio_default_config_read(struct vfio_pci_device *vdev, int pos,
				    int count, struct perm_bits *perm,
				    int offset, __le32 *val)
{
	__le32 virt = 0;

	memcpy(val, vdev->vconfig + pos, count);
	memcpy(&virt, perm->virt + offset, count);

	/* any bit not virtualized comes from the hardware */
	if (cpu_to_le32(~0U >> (32 - (count * 8))) != virt) {
		__le32 phys = 0;
		int ret = vfio_user_config_read(vdev->pdev, pos, &phys, count);

		if (ret)
			return ret;
		*val = (phys & ~virt) | (*val & virt);
	}
	return count;
}

static int vfio_default_config_write(struct vfio_pci_device *vdev, int pos,
				     int count, struct perm_bits *perm,
				     int offset, __le32 val)
{
	__le32 virt = 0, write = 0;

	memcpy(&write, perm->write + offset, count);
	if (!write)
		return count;	/* dropped */
	memcpy(&virt, perm->virt + offset, count);

	if (write & virt) {
		__le32 v = 0;

		memcpy(&v, vdev->vconfig + pos, count);
		v &= ~(write & virt);
		v |= val & (write & virt);
		memcpy(vdev->vconfig + pos, &v, count);
	}
	if (write & ~virt) {
		__le32 phys = 0;
		int ret = vfio_user_config_read(vdev->pdev, pos, &phys, count);

		if (ret)
			return ret;
		phys &= ~(write & ~virt);
		phys |= val & (write & ~virt);
		ret = vfio_user_config_write(vdev->pdev, pos, phys, count);
		if (ret)
			return ret;
	}
	return count;
}

/* gaps: straight to the hardware */
static int vfio_raw_config_read(struct vfio_pci_device *vdev, int pos,
				int count, struct perm_bits *perm,
				int offset, __le32 *val)
{
	int ret = vfio_user_config_read(vdev->pdev, pos, val, count);

	return ret ? pcibios_err_to_errno(ret) : count;
}

static int vfio_raw_config_write(struct vfio_pci_device *vdev, int pos,
				 int count, struct perm_bits *perm,
				 int offset, __le32 val)
{
	int ret = vfio_user_config_write(vdev->pdev, pos, val, count);

	return ret ? pcibios_err_to_errno(ret) : count;
}

static struct perm_bits unassigned_perms = {
	.readfn = vfio_raw_config_read,
	.writefn = vfio_raw_config_write,
};

/* extended space we do not virtualize yet: read-only, writes dropped */
static struct perm_bits ext_direct_perms = {
	.readfn = vfio_raw_config_read,
};

/* ------------------------------------------------------------ perm helpers */

static int alloc_perm_bits(struct perm_bits *perm, int size)
{
	perm->virt = kzalloc(size, GFP_KERNEL);
	perm->write = kzalloc(size, GFP_KERNEL);
	if (!perm->virt || !perm->write) {
		kfree(perm->virt);
		kfree(perm->write);
		perm->virt = NULL;
		perm->write = NULL;
		return -ENOMEM;
	}
	perm->readfn = vfio_default_config_read;
	perm->writefn = vfio_default_config_write;
	return 0;
}

static void free_perm_bits(struct perm_bits *perm)
{
	kfree(perm->virt);
	kfree(perm->write);
	perm->virt = NULL;
	perm->write = NULL;
}

static inline void p_setb(struct perm_bits *p, int off, u8 virt, u8 write)
{
	p->virt[off] = virt;
	p->write[off] = write;
}

static inline void p_setw(struct perm_bits *p, int off, u16 virt, u16 write)
{
	*(__le16 *)(&p->virt[off]) = cpu_to_le16(virt);
	*(__le16 *)(&p->write[off]) = cpu_to_le16(write);
}

static inline void p_setd(struct perm_bits *p, int off, u32 virt, u32 write)
{
	*(__le32 *)(&p->virt[off]) = cpu_to_le32(virt);
	*(__le32 *)(&p->write[off]) = cpu_to_le32(write);
}

/* every capability's ID and next pointer are ours (chain rewriting) */
static void p_set_cap_header(struct perm_bits *p)
{
	p_setb(p, PCI_CAP_LIST_ID, (u8)ALL_VIRT, NO_WRITE);
	p_setb(p, PCI_CAP_LIST_NEXT, (u8)ALL_VIRT, NO_WRITE);
}

/* ------------------------------------------------------------ BARs */

bool vfio_pci_memory_enabled(struct vfio_pci_device *vdev)
{
	u16 cmd = le16_to_cpu(*(__le16 *)&vdev->vconfig[PCI_COMMAND]);

	/*
	 * A function in D3hot or below decodes no BAR.  The power state
	 * changes only under memory_lock held for write
	 * (vfio_pci_set_power_state()), so a reader holding it sees a
	 * stable answer.
	 */
	if (vdev->pdev->current_state >= PCI_D3hot)
		return false;
	/* SR-IOV VFs: decode follows the PF's VF MSE, not this bit */
	return vdev->pdev->no_command_memory || (cmd & PCI_COMMAND_MEMORY);
}

/* After a reset the hardware BARs are zero: put the real values back. */
void vfio_pci_bar_restore(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int i;

	if (pdev->is_virtfn)
		return;
	pci_info(pdev, "reset recovery - restoring BARs\n");
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		pci_user_write_config_dword(pdev, PCI_BASE_ADDRESS_0 + i * 4,
					    vdev->rbar[i]);
	pci_user_write_config_dword(pdev, PCI_ROM_ADDRESS, vdev->rbar[6]);
}

static u32 vfio_generate_bar_flags(struct pci_dev *pdev, int bar)
{
	unsigned long flags = pci_resource_flags(pdev, bar);
	u32 val;

	if (flags & IORESOURCE_IO)
		return PCI_BASE_ADDRESS_SPACE_IO;
	val = PCI_BASE_ADDRESS_SPACE_MEMORY;
	if (flags & IORESOURCE_PREFETCH)
		val |= PCI_BASE_ADDRESS_MEM_PREFETCH;
	if (flags & IORESOURCE_MEM_64)
		val |= PCI_BASE_ADDRESS_MEM_TYPE_64;
	return val;
}

/*
 * Apply the BAR size masks to what the user wrote, as the hardware would:
 * writing all ones then reading gives the size.
 */
static void vfio_bar_fixup(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	__le32 *vbar;
	u64 mask;
	int i;

	vbar = (__le32 *)&vdev->vconfig[PCI_BASE_ADDRESS_0];
	for (i = 0; i < PCI_STD_NUM_BARS; i++, vbar++) {
		if (!pci_resource_start(pdev, i)) {
			*vbar = 0;
			continue;
		}
		mask = ~(pci_resource_len(pdev, i) - 1);
		*vbar &= cpu_to_le32((u32)mask);
		*vbar |= cpu_to_le32(vfio_generate_bar_flags(pdev, i));
		if (pci_resource_flags(pdev, i) & IORESOURCE_MEM_64 &&
		    i + 1 < PCI_STD_NUM_BARS) {
			vbar++;
			*vbar &= cpu_to_le32((u32)(mask >> 32));
			i++;
		}
	}

	vbar = (__le32 *)&vdev->vconfig[PCI_ROM_ADDRESS];
	if (pci_resource_start(pdev, PCI_ROM_RESOURCE)) {
		mask = ~(pci_resource_len(pdev, PCI_ROM_RESOURCE) - 1);
		mask |= PCI_ROM_ADDRESS_ENABLE;
		*vbar &= cpu_to_le32((u32)mask);
	} else if (pdev->resource[PCI_ROM_RESOURCE].flags &
		   IORESOURCE_ROM_SHADOW) {
		mask = ~(0x20000 - 1) | PCI_ROM_ADDRESS_ENABLE;
		*vbar &= cpu_to_le32((u32)mask);
	} else {
		*vbar = 0;
	}
	vdev->bardirty = false;
}

/* ------------------------------------------------------------ standard header */

static int vfio_basic_config_read(struct vfio_pci_device *vdev, int pos,
				  int count, struct perm_bits *perm,
				  int offset, __le32 *val)
{
	if (is_bar(offset) && vdev->bardirty)
		vfio_bar_fixup(vdev);
	return vfio_default_config_read(vdev, pos, count, perm, offset, val);
}

static int vfio_basic_config_write(struct vfio_pci_device *vdev, int pos,
				   int count, struct perm_bits *perm,
				   int offset, __le32 val)
{
	struct pci_dev *pdev = vdev->pdev;
	__le16 *virt_cmd = (__le16 *)&vdev->vconfig[PCI_COMMAND];
	/*
	 * Any write that covers the low byte of COMMAND (memory and I/O
	 * decode), whatever its size: a 1-byte write at 4 changes decode as
	 * surely as a 2- or 4-byte one.  The high byte (offset 5) has no
	 * decode bits.
	 */
	bool cmd_write = offset <= PCI_COMMAND && offset + count > PCI_COMMAND;
	u16 new_cmd = 0;
	int ret;

	if (cmd_write) {
		bool phys_mem, virt_mem, new_mem, phys_io, virt_io, new_io;
		u16 phys_cmd;

		ret = pci_user_read_config_word(pdev, PCI_COMMAND, &phys_cmd);
		if (ret)
			return pcibios_err_to_errno(ret);
		new_cmd = le32_to_cpu(val) >> ((PCI_COMMAND - offset) * 8);
		if (offset + count == PCI_COMMAND + 1)
			new_cmd &= 0xff;	/* the low byte only */
		phys_mem = phys_cmd & PCI_COMMAND_MEMORY;
		virt_mem = le16_to_cpu(*virt_cmd) & PCI_COMMAND_MEMORY;
		new_mem = new_cmd & PCI_COMMAND_MEMORY;
		phys_io = phys_cmd & PCI_COMMAND_IO;
		virt_io = le16_to_cpu(*virt_cmd) & PCI_COMMAND_IO;
		new_io = new_cmd & PCI_COMMAND_IO;

		/* turning decode off tears down the user's BAR mappings */
		if (!new_mem)
			vfio_pci_zap_and_down_write_memory_lock(vdev);
		else
			down_write(&vdev->memory_lock);

		/*
		 * Enabled for the user but not in hardware: the device went
		 * through a reset behind our back; restore the BARs first.
		 */
		if ((new_mem && virt_mem && !phys_mem) ||
		    (new_io && virt_io && !phys_io))
			vfio_pci_bar_restore(vdev);
	}

	ret = vfio_default_config_write(vdev, pos, count, perm, offset, val);

	if (cmd_write) {
		u16 mask = PCI_COMMAND_MEMORY | PCI_COMMAND_IO;

		/* remember the user's decode bits for the test above */
		if (ret >= 0) {
			*virt_cmd &= cpu_to_le16(~mask);
			*virt_cmd |= cpu_to_le16(new_cmd & mask);
		}
		up_write(&vdev->memory_lock);
	}
	if (ret < 0)
		return ret;

	/*
	 * INTx disable is emulated: it masks our handler.  igate, as every
	 * other path touching the interrupt context: SET_IRQS may be freeing
	 * it (INTx count 0) this very moment.  memory_lock is not held here
	 * (the order is igate -> memory_lock, see vfio_msi_enable()).
	 */
	if (offset <= PCI_COMMAND + 1 && offset + count > PCI_COMMAND + 1) {
		bool virt_intx_disable;

		mutex_lock(&vdev->igate);
		virt_intx_disable = le16_to_cpu(*virt_cmd) &
				    PCI_COMMAND_INTX_DISABLE;
		if (virt_intx_disable && !vdev->virq_disabled) {
			vdev->virq_disabled = true;
			vfio_pci_intx_mask(vdev);
		} else if (!virt_intx_disable && vdev->virq_disabled) {
			vdev->virq_disabled = false;
			vfio_pci_intx_unmask(vdev);
		}
		mutex_unlock(&vdev->igate);
	}

	if (is_bar(offset))
		vdev->bardirty = true;
	return count;
}

static int init_pci_cap_basic_perm(struct perm_bits *perm)
{
	int i;

	if (alloc_perm_bits(perm, PCI_STD_HEADER_SIZEOF))
		return -ENOMEM;
	perm->readfn = vfio_basic_config_read;
	perm->writefn = vfio_basic_config_write;

	/* IDs: virtual, so that a VF's 0xffff can be replaced */
	p_setw(perm, PCI_VENDOR_ID, (u16)ALL_VIRT, NO_WRITE);
	p_setw(perm, PCI_DEVICE_ID, (u16)ALL_VIRT, NO_WRITE);
	/* INTx disable is ours (interrupt control); the rest is the user's */
	p_setw(perm, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, (u16)ALL_WRITE);
	/* the capability list bit follows our rewritten chain */
	p_setw(perm, PCI_STATUS, PCI_STATUS_CAP_LIST, NO_WRITE);
	p_setb(perm, PCI_CACHE_LINE_SIZE, NO_VIRT, (u8)ALL_WRITE);
	p_setb(perm, PCI_LATENCY_TIMER, NO_VIRT, (u8)ALL_WRITE);
	p_setb(perm, PCI_BIST, NO_VIRT, (u8)ALL_WRITE);
	/* BARs and ROM BAR: never the real ones */
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		p_setd(perm, PCI_BASE_ADDRESS_0 + i * 4, ALL_VIRT, ALL_WRITE);
	p_setd(perm, PCI_ROM_ADDRESS, ALL_VIRT, ALL_WRITE);
	p_setb(perm, PCI_CAPABILITY_LIST, (u8)ALL_VIRT, NO_WRITE);
	p_setb(perm, PCI_INTERRUPT_LINE, (u8)ALL_VIRT, (u8)ALL_WRITE);
	/* the pin is virtual so INTx can be hidden */
	p_setb(perm, PCI_INTERRUPT_PIN, (u8)ALL_VIRT, NO_WRITE);
	return 0;
}

/* ------------------------------------------------------------ capabilities */

/*
 * The power state bits never reach the hardware from the user: a write
 * that covers them is turned into a vfio_pci_set_power_state() call, which
 * tears the BAR mappings down before D3hot and restores the config state
 * on the way back to D0.  The rest of the write went through the perm bits.
 */
static int vfio_pm_config_write(struct vfio_pci_device *vdev, int pos,
				int count, struct perm_bits *perm,
				int offset, __le32 val)
{
	pci_power_t state;

	count = vfio_default_config_write(vdev, pos, count, perm, offset,
					  val);
	if (count < 0)
		return count;

	/* the state field is in the low byte of PMCSR */
	if (offset <= PCI_PM_CTRL && offset + count > PCI_PM_CTRL) {
		u32 v = le32_to_cpu(val) >> ((PCI_PM_CTRL - offset) * 8);

		switch (v & PCI_PM_CTRL_STATE_MASK) {
		case 0:
			state = PCI_D0;
			break;
		case 1:
			state = PCI_D1;
			break;
		case 2:
			state = PCI_D2;
			break;
		default:
			state = PCI_D3hot;
			break;
		}
		/*
		 * As for a real function, a state the device refuses (say
		 * D1 without D1 support) leaves it where it was; the user
		 * reads the state back from PMCSR.
		 */
		vfio_pci_set_power_state(vdev, state);
	}
	return count;
}

static int init_pci_cap_pm_perm(struct perm_bits *perm)
{
	if (alloc_perm_bits(perm, PCI_PM_SIZEOF))
		return -ENOMEM;
	perm->writefn = vfio_pm_config_write;
	p_set_cap_header(perm);
	/*
	 * PME enable is the user's; PME status is write-1-to-clear; the
	 * power state is read from the hardware but changed only by
	 * vfio_pm_config_write().
	 */
	p_setw(perm, PCI_PM_CTRL, NO_VIRT,
	       (u16)~(PCI_PM_CTRL_PME_STATUS | PCI_PM_CTRL_STATE_MASK));
	return 0;
}

static int vfio_exp_config_write(struct vfio_pci_device *vdev, int pos,
				 int count, struct perm_bits *perm,
				 int offset, __le32 val)
{
	__le16 *ctrl = (__le16 *)(vdev->vconfig + pos - offset +
				  PCI_EXP_DEVCTL);
	int readrq = le16_to_cpu(*ctrl) & PCI_EXP_DEVCTL_READRQ;

	count = vfio_default_config_write(vdev, pos, count, perm, offset,
					  val);
	if (count < 0)
		return count;

	/* a function-level reset requested through DEVCTL */
	if (*ctrl & cpu_to_le16(PCI_EXP_DEVCTL_BCR_FLR)) {
		u32 cap;

		*ctrl &= ~cpu_to_le16(PCI_EXP_DEVCTL_BCR_FLR);
		pcie_capability_read_dword(vdev->pdev, PCI_EXP_DEVCAP, &cap);
		if (cap & PCI_EXP_DEVCAP_FLR) {
			vfio_pci_zap_and_down_write_memory_lock(vdev);
			/* as VFIO_DEVICE_RESET: D0 with the saved state first */
			__vfio_pci_set_power_state(vdev, PCI_D0);
			pci_try_reset_function(vdev->pdev);
			up_write(&vdev->memory_lock);
		}
	}

	/* max read request size is shared policy: go through the PCI core */
	if (readrq != (le16_to_cpu(*ctrl) & PCI_EXP_DEVCTL_READRQ)) {
		readrq = 128 << ((le16_to_cpu(*ctrl) &
				  PCI_EXP_DEVCTL_READRQ) >> 12);
		pcie_set_readrq(vdev->pdev, readrq);
	}
	return count;
}

static int init_pci_cap_exp_perm(struct perm_bits *perm)
{
	if (alloc_perm_bits(perm, PCI_CAP_EXP_ENDPOINT_SIZEOF_V2))
		return -ENOMEM;
	perm->writefn = vfio_exp_config_write;
	p_set_cap_header(perm);
	/*
	 * Device control is the user's except phantom functions (would
	 * confuse the IOMMU); FLR and max read request are virtualized and
	 * acted on in vfio_exp_config_write().  MPS is not writable:
	 * it must match the rest of the fabric.
	 */
	p_setw(perm, PCI_EXP_DEVCTL,
	       PCI_EXP_DEVCTL_BCR_FLR | PCI_EXP_DEVCTL_PAYLOAD |
	       PCI_EXP_DEVCTL_READRQ, (u16)~PCI_EXP_DEVCTL_PHANTOM);
	/* ARI was set up by the PCI core at probe */
	p_setw(perm, PCI_EXP_DEVCTL2, NO_VIRT, (u16)~PCI_EXP_DEVCTL2_ARI);
	return 0;
}

static int init_pci_cap_msix_perm(struct perm_bits *perm)
{
	if (alloc_perm_bits(perm, PCI_CAP_MSIX_SIZEOF))
		return -ENOMEM;
	p_set_cap_header(perm);
	/* MSI-X is enabled through SET_IRQS: enable and mask-all are ours */
	p_setw(perm, PCI_MSIX_FLAGS,
	       PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL,
	       PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	return 0;
}

/* capabilities shown as they are: read-only, header virtualized */
static int init_pci_cap_ro_perm(struct perm_bits *perm)
{
	if (alloc_perm_bits(perm, PCI_CFG_SPACE_SIZE))
		return -ENOMEM;
	p_set_cap_header(perm);
	return 0;
}

/* vendor capabilities: the driver owns them, raw writes */
static int init_pci_cap_vndr_perm(struct perm_bits *perm)
{
	if (init_pci_cap_ro_perm(perm))
		return -ENOMEM;
	perm->writefn = vfio_raw_config_write;
	return 0;
}

/* MSI: everything virtual, sized per device (32/64 bit, mask bits) */
static int vfio_msi_config_write(struct vfio_pci_device *vdev, int pos,
				 int count, struct perm_bits *perm,
				 int offset, __le32 val)
{
	int start = pos - offset;

	count = vfio_default_config_write(vdev, pos, count, perm, offset,
					  val);
	if (count < 0)
		return count;

	if (offset <= PCI_MSI_FLAGS + 1 && offset + count > PCI_MSI_FLAGS) {
		__le16 *pflags = (__le16 *)&vdev->vconfig[start +
							  PCI_MSI_FLAGS];
		u16 flags = le16_to_cpu(*pflags), phys;

		/* MSI is enabled through SET_IRQS only */
		if (!is_msi(vdev))
			flags &= ~PCI_MSI_FLAGS_ENABLE;
		if (((flags & PCI_MSI_FLAGS_QSIZE) >> 4) > vdev->msi_qmax) {
			flags &= ~PCI_MSI_FLAGS_QSIZE;
			flags |= vdev->msi_qmax << 4;
		}
		*pflags = cpu_to_le16(flags);

		/* the hardware gets the configured queue size */
		if (!pci_user_read_config_word(vdev->pdev,
					       start + PCI_MSI_FLAGS, &phys)) {
			phys &= ~PCI_MSI_FLAGS_QSIZE;
			phys |= flags & PCI_MSI_FLAGS_QSIZE;
			pci_user_write_config_word(vdev->pdev,
						   start + PCI_MSI_FLAGS, phys);
		}
	}
	return count;
}

static int vfio_msi_cap_len(struct vfio_pci_device *vdev, u8 pos)
{
	struct pci_dev *pdev = vdev->pdev;
	struct perm_bits *perm;
	u16 flags;
	int len;

	pci_read_config_word(pdev, pos + PCI_MSI_FLAGS, &flags);
	len = 10;
	if (flags & PCI_MSI_FLAGS_64BIT)
		len += 4;
	if (flags & PCI_MSI_FLAGS_MASKBIT)
		len += 10;
	if (vdev->msi_perm)
		return len;

	perm = kzalloc(sizeof(*perm), GFP_KERNEL);
	if (!perm || alloc_perm_bits(perm, len)) {
		kfree(perm);
		return -ENOMEM;
	}
	perm->writefn = vfio_msi_config_write;
	p_set_cap_header(perm);
	p_setw(perm, PCI_MSI_FLAGS, (u16)ALL_VIRT,
	       PCI_MSI_FLAGS_QSIZE | PCI_MSI_FLAGS_ENABLE);
	p_setd(perm, PCI_MSI_ADDRESS_LO, ALL_VIRT, ALL_WRITE);
	if (flags & PCI_MSI_FLAGS_64BIT) {
		p_setd(perm, PCI_MSI_ADDRESS_HI, ALL_VIRT, ALL_WRITE);
		p_setw(perm, PCI_MSI_DATA_64, (u16)ALL_VIRT, (u16)ALL_WRITE);
		if (flags & PCI_MSI_FLAGS_MASKBIT)
			p_setd(perm, PCI_MSI_MASK_64, NO_VIRT, ALL_WRITE);
	} else {
		p_setw(perm, PCI_MSI_DATA_32, (u16)ALL_VIRT, (u16)ALL_WRITE);
		if (flags & PCI_MSI_FLAGS_MASKBIT)
			p_setd(perm, PCI_MSI_MASK_32, NO_VIRT, ALL_WRITE);
	}
	vdev->msi_perm = perm;
	vdev->msi_qmax = (flags & PCI_MSI_FLAGS_QMASK) >> 1;
	return len;
}

static int vfio_cap_len(struct vfio_pci_device *vdev, u8 cap, u8 pos)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 word;
	u8 byte;

	switch (cap) {
	case PCI_CAP_ID_MSI:
		return vfio_msi_cap_len(vdev, pos);
	case PCI_CAP_ID_PCIX:
		pci_read_config_word(pdev, pos + PCI_X_CMD, &word);
		if (PCI_X_CMD_VERSION(word))
			return PCI_CAP_PCIX_SIZEOF_V2;
		return PCI_CAP_PCIX_SIZEOF_V0;
	case PCI_CAP_ID_VNDR:
		/* length is at offset 2 by convention */
		pci_read_config_byte(pdev, pos + 2, &byte);
		return byte;
	case PCI_CAP_ID_EXP:
		vdev->extended_caps = true;
		pci_read_config_word(pdev, pos + PCI_EXP_FLAGS, &word);
		if ((word & PCI_EXP_FLAGS_VERS) == 1)
			return PCI_CAP_EXP_ENDPOINT_SIZEOF_V1;
		return PCI_CAP_EXP_ENDPOINT_SIZEOF_V2;
	}
	return pci_cap_length[cap];
}

/* Walk the hardware chain, keep what we can expose, hide the rest. */
static int vfio_cap_init(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	u8 *map = vdev->pci_config_map;
	u8 *prev, pos;
	int loops = PCI_CFG_SPACE_SIZE / PCI_CAP_SIZEOF;
	u16 status;

	pci_read_config_word(pdev, PCI_STATUS, &status);
	if (!(status & PCI_STATUS_CAP_LIST))
		return 0;

	pci_read_config_byte(pdev, PCI_CAPABILITY_LIST, &pos);
	prev = &vdev->vconfig[PCI_CAPABILITY_LIST];

	while (pos && loops--) {
		u8 cap, next;
		int len, i;

		pos &= ~3;
		if (pos < PCI_STD_HEADER_SIZEOF)
			break;
		pci_read_config_byte(pdev, pos + PCI_CAP_LIST_ID, &cap);
		pci_read_config_byte(pdev, pos + PCI_CAP_LIST_NEXT, &next);

		len = 0;
		if (cap <= PCI_CAP_ID_MAX && cap_perms[cap].readfn) {
			len = vfio_cap_len(vdev, cap, pos);
			if (len < 0)
				return len;
		}
		if (len && pos + len > PCI_CFG_SPACE_SIZE)
			len = 0;
		for (i = 0; i < len; i++) {
			if (map[pos + i] != PCI_CAP_ID_INVALID) {
				pci_info(pdev, "capability 0x%x at 0x%x overlaps another, hiding it\n",
					 cap, pos);
				len = 0;
				break;
			}
		}
		if (!len) {
			/* unlink it from the chain the user sees */
			pci_dbg(pdev, "hiding capability 0x%x at 0x%x\n",
				cap, pos);
			*prev = next;
			pos = next;
			continue;
		}
		memset(map + pos, cap, len);
		prev = &vdev->vconfig[pos + PCI_CAP_LIST_NEXT];
		pos = next;
	}
	*prev = 0;
	if (!vdev->vconfig[PCI_CAPABILITY_LIST])
		*(__le16 *)&vdev->vconfig[PCI_STATUS] &=
			cpu_to_le16(~PCI_STATUS_CAP_LIST);
	return 0;
}

/* ------------------------------------------------------------ setup */

int vfio_config_init(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int size = pdev->cfg_size, i, ret;
	u8 *map, *vconfig;
	u32 *dw;

	map = kmalloc(size, GFP_KERNEL);
	vconfig = kmalloc(size, GFP_KERNEL);
	if (!map || !vconfig) {
		kfree(map);
		kfree(vconfig);
		return -ENOMEM;
	}
	vdev->pci_config_map = map;
	vdev->vconfig = vconfig;

	memset(map, PCI_CAP_ID_INVALID, size);
	memset(map, PCI_CAP_ID_BASIC, PCI_STD_HEADER_SIZEOF);
	if (size > PCI_CFG_SPACE_SIZE)
		memset(map + PCI_CFG_SPACE_SIZE, PCI_CAP_ID_EXT_DIRECT,
		       size - PCI_CFG_SPACE_SIZE);

	for (i = 0, dw = (u32 *)vconfig; i < size; i += 4, dw++) {
		u32 v;

		ret = pci_read_config_dword(pdev, i, &v);
		if (ret) {
			ret = pcibios_err_to_errno(ret);
			goto out_free;
		}
		*dw = cpu_to_le32(v);
	}

	/* the BARs to restore after a reset */
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		vdev->rbar[i] = le32_to_cpu(*(__le32 *)&vconfig[
					PCI_BASE_ADDRESS_0 + i * 4]);
	vdev->rbar[6] = le32_to_cpu(*(__le32 *)&vconfig[PCI_ROM_ADDRESS]);
	vdev->bardirty = true;

	/* INTx disable is emulated; start enabled as after a reset */
	*(__le16 *)&vconfig[PCI_COMMAND] &=
		cpu_to_le16(~PCI_COMMAND_INTX_DISABLE);
	if (!pdev->irq)
		vconfig[PCI_INTERRUPT_PIN] = 0;
	/* VF IDs and memory enable (vfio_pci_sriov.c) */
	vfio_pci_sriov_config_init(vdev);

	ret = vfio_cap_init(vdev);
	if (ret)
		goto out_free;

	/* interrupts start disabled, as SET_IRQS sees them */
	if (pdev->msi_cap)
		*(__le16 *)&vconfig[pdev->msi_cap + PCI_MSI_FLAGS] &=
			cpu_to_le16(~(PCI_MSI_FLAGS_ENABLE |
				      PCI_MSI_FLAGS_QSIZE));
	if (pdev->msix_cap)
		*(__le16 *)&vconfig[pdev->msix_cap + PCI_MSIX_FLAGS] &=
			cpu_to_le16(~(PCI_MSIX_FLAGS_ENABLE |
				      PCI_MSIX_FLAGS_MASKALL));
	return 0;

out_free:
	vfio_config_free(vdev);
	return ret;
}

void vfio_config_free(struct vfio_pci_device *vdev)
{
	kfree(vdev->vconfig);
	vdev->vconfig = NULL;
	kfree(vdev->pci_config_map);
	vdev->pci_config_map = NULL;
	if (vdev->msi_perm) {
		free_perm_bits(vdev->msi_perm);
		kfree(vdev->msi_perm);
		vdev->msi_perm = NULL;
	}
}

/* ------------------------------------------------------------ access */

static int vfio_find_cap_start(struct vfio_pci_device *vdev, int pos)
{
	u8 cap = vdev->pci_config_map[pos];

	while (pos - 1 >= PCI_STD_HEADER_SIZEOF &&
	       vdev->pci_config_map[pos - 1] == cap)
		pos--;
	return pos;
}

static ssize_t vfio_config_do_rw(struct vfio_pci_device *vdev,
				 char __user *buf, size_t count, loff_t pos,
				 bool iswrite)
{
	u8 *map = vdev->pci_config_map;
	struct perm_bits *perm;
	__le32 val = 0;
	int cap_start = 0, offset, ret, i;
	u8 cap;

	/* naturally aligned chunks of 4, 2 or 1 bytes within one region */
	if (count >= 4 && !(pos % 4))
		count = 4;
	else if (count >= 2 && !(pos % 2))
		count = 2;
	else
		count = 1;
	for (i = 1; i < count; i++) {
		if (map[pos + i] != map[pos]) {
			count = (i >= 2) ? 2 : 1;
			break;
		}
	}

	cap = map[pos];
	if (cap == PCI_CAP_ID_INVALID) {
		perm = &unassigned_perms;
		cap_start = pos;
	} else if (cap == PCI_CAP_ID_EXT_DIRECT) {
		perm = &ext_direct_perms;
		cap_start = pos;
	} else if (cap == PCI_CAP_ID_BASIC) {
		perm = &cap_perms[PCI_CAP_ID_BASIC];
	} else {
		perm = cap == PCI_CAP_ID_MSI ? vdev->msi_perm : &cap_perms[cap];
		cap_start = vfio_find_cap_start(vdev, pos);
	}
	offset = pos - cap_start;

	if (iswrite) {
		if (!perm->writefn)
			return count;
		if (copy_from_user(&val, buf, count))
			return -EFAULT;
		ret = perm->writefn(vdev, pos, count, perm, offset, val);
	} else {
		ret = perm->readfn(vdev, pos, count, perm, offset, &val);
		if (ret < 0)
			return ret;
		if (copy_to_user(buf, &val, count))
			return -EFAULT;
	}
	return ret;
}

ssize_t vfio_pci_config_rw(struct vfio_pci_device *vdev, char __user *buf,
			   size_t count, loff_t *ppos, bool iswrite)
{
	loff_t pos = *ppos & VFIO_PCI_OFFSET_MASK;
	size_t done = 0;
	ssize_t ret;

	/* as upstream: anything outside config space is a bad address */
	if (pos < 0 || pos >= vdev->pdev->cfg_size ||
	    pos + count > vdev->pdev->cfg_size)
		return -EFAULT;

	while (count) {
		ret = vfio_config_do_rw(vdev, buf, count, pos, iswrite);
		if (ret < 0)
			return ret;
		count -= ret;
		done += ret;
		buf += ret;
		pos += ret;
	}
	*ppos += done;
	return done;
}

/* ------------------------------------------------------------ module init */

void vfio_pci_uninit_perm_bits(void)
{
	int i;

	for (i = 0; i <= PCI_CAP_ID_MAX; i++)
		free_perm_bits(&cap_perms[i]);
	memset(cap_perms, 0, sizeof(cap_perms));
}

int vfio_pci_init_perm_bits(void)
{
	int ret;

	ret = init_pci_cap_basic_perm(&cap_perms[PCI_CAP_ID_BASIC]);
	ret |= init_pci_cap_pm_perm(&cap_perms[PCI_CAP_ID_PM]);
	ret |= init_pci_cap_ro_perm(&cap_perms[PCI_CAP_ID_AGP]);
	ret |= init_pci_cap_ro_perm(&cap_perms[PCI_CAP_ID_PCIX]);
	ret |= init_pci_cap_vndr_perm(&cap_perms[PCI_CAP_ID_VNDR]);
	ret |= init_pci_cap_exp_perm(&cap_perms[PCI_CAP_ID_EXP]);
	ret |= init_pci_cap_msix_perm(&cap_perms[PCI_CAP_ID_MSIX]);
	ret |= init_pci_cap_ro_perm(&cap_perms[PCI_CAP_ID_AF]);
	/* MSI perms are per device: only mark MSI as exposable here */
	cap_perms[PCI_CAP_ID_MSI].readfn = vfio_default_config_read;
	if (ret) {
		vfio_pci_uninit_perm_bits();
		return -ENOMEM;
	}
	return 0;
}
