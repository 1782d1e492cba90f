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
 *
 * The chains are walked once, on a snapshot, by vfio_pci_capwalk.c (no
 * I/O there; see its header for the rules on loops, overlaps, lengths).
 * Extended config space (0x100..cfg_size) follows upstream for the
 * capabilities it exposes: every header dword comes from vconfig (hidden
 * capabilities stay unlinked), AER is writable through its masks and
 * power budgeting through its data select (permission tables below),
 * vendor-specific and DVSEC bodies are the driver's (raw writes), and
 * the other known capabilities are read-only.  Stricter than upstream:
 * bytes outside every exposed extended capability (gaps and hidden
 * capabilities) read as zero and ignore writes, where upstream passes
 * them through raw.  A hidden capability at 0x100 leaves a placeholder
 * header, ID 0 with the next pointer, as upstream.
 */
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio_pci_private.h"
#include "vfio_pci_capwalk.h"

#define ALL_VIRT	0xffffffffU
#define NO_VIRT		0
#define ALL_WRITE	0xffffffffU
#define NO_WRITE	0

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

/*
 * @w1c: write-1-to-clear bits the user may not write; the hardware value
 * read back for the bits the user does not write is written with these
 * cleared, so that a status the host owns is not cleared behind it.
 */
static int vfio_config_write_w1c(struct vfio_pci_device *vdev, int pos,
				 int count, struct perm_bits *perm,
				 int offset, __le32 val, __le32 w1c)
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
		phys &= ~w1c;
		ret = vfio_user_config_write(vdev->pdev, pos, phys, count);
		if (ret)
			return ret;
	}
	return count;
}

static int vfio_default_config_write(struct vfio_pci_device *vdev, int pos,
				     int count, struct perm_bits *perm,
				     int offset, __le32 val)
{
	return vfio_config_write_w1c(vdev, pos, count, perm, offset, val, 0);
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

/* extended space outside any exposed capability: zero, writes dropped */
static int vfio_zero_config_read(struct vfio_pci_device *vdev, int pos,
				 int count, struct perm_bits *perm,
				 int offset, __le32 *val)
{
	*val = 0;
	return count;
}

static struct perm_bits ext_zero_perms = {
	.readfn = vfio_zero_config_read,
};

/* the placeholder header at 0x100: vconfig only, writes dropped */
static int vfio_virt_config_read(struct vfio_pci_device *vdev, int pos,
				 int count, struct perm_bits *perm,
				 int offset, __le32 *val)
{
	memcpy(val, vdev->vconfig + pos, count);
	return count;
}

static struct perm_bits virt_ro_perms = {
	.readfn = vfio_virt_config_read,
};

/*
 * Exposed extended capabilities without a table of their own: read-only,
 * the header dword (with the rewritten next pointer) from vconfig, the
 * rest from the hardware.  They are dword aligned and accesses never
 * cross a dword, so an access is either all header or all body.
 */
static int vfio_ecap_ro_read(struct vfio_pci_device *vdev, int pos,
			     int count, struct perm_bits *perm,
			     int offset, __le32 *val)
{
	if (offset < 4)
		return vfio_virt_config_read(vdev, pos, count, perm, offset,
					     val);
	return vfio_raw_config_read(vdev, pos, count, perm, offset, val);
}

/* vendor-specific (VSEC, DVSEC): the body is the driver's, the header ours */
static int vfio_ecap_vndr_write(struct vfio_pci_device *vdev, int pos,
				int count, struct perm_bits *perm,
				int offset, __le32 val)
{
	if (offset < 4)
		return count;
	return vfio_raw_config_write(vdev, pos, count, perm, offset, val);
}

/*
 * Indexed by extended capability ID (the walker exposes only IDs below
 * VFIO_CAPWALK_EXT_NIDS, and only those vfio_cap_policy() lists).  Set
 * up at module init: AER and power budgeting get tables as long as the
 * walker's fixed length for their ID, vendor-specific ones a raw body,
 * the rest is read-only (vfio_ecap_ro_read) and needs no table.
 */
static struct perm_bits ecap_perms[VFIO_CAPWALK_EXT_NIDS];

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
	/* PME_Status is the host's: never written back as 1 (stock does) */
	static const u8 pm_w1c[PCI_PM_SIZEOF] = {
		[PCI_PM_CTRL + 1] = PCI_PM_CTRL_PME_STATUS >> 8,
	};
	__le32 w1c = 0;
	pci_power_t state;

	/* accesses stay inside the capability: offset + count <= 8 */
	memcpy(&w1c, pm_w1c + offset, count);
	count = vfio_config_write_w1c(vdev, pos, count, perm, offset, val,
				      w1c);
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
	 * PME belongs to the host, as upstream: the user cannot take a
	 * PME (the host's PCI core services and clears it), so PME_Support
	 * reads as none, and PME_En and PME_Status read as zero from
	 * vconfig (cleared by vfio_config_init()) and writes to them are
	 * dropped - a PME_En set by the user would reach the host's PME
	 * handling, a 1 written to PME_Status would clear the host's event.
	 * The power state is read from the hardware but changed only by
	 * vfio_pm_config_write().
	 */
	p_setw(perm, PCI_PM_PMC, PCI_PM_CAP_PME_MASK, NO_WRITE);
	p_setw(perm, PCI_PM_CTRL,
	       PCI_PM_CTRL_PME_ENABLE | PCI_PM_CTRL_PME_STATUS,
	       (u16)~(PCI_PM_CTRL_PME_ENABLE | PCI_PM_CTRL_PME_STATUS |
		      PCI_PM_CTRL_STATE_MASK));
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
	/* as long as the walker's longest PCIe capability (vfio_cap_policy) */
	if (alloc_perm_bits(perm, VFIO_CAPWALK_EXP_V2_LEN))
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

/* the length the walker gives AER (through the root error registers) */
#define VFIO_ECAP_ERR_LEN	PCI_ERR_ROOT_COMMAND
/* power budgeting: header, data select, data, power budget capability */
#define VFIO_ECAP_PWR_LEN	PCI_EXT_CAP_PWR_SIZEOF

/*
 * AER: the user may clear status and change masks and severities of the
 * errors an endpoint reports, and turn ECRC generation and checking on
 * where the function has them; header log, the first error pointer and
 * the root port registers stay read-only.  Nothing is virtualized but
 * the header: the masks are the hardware's.
 */
static int init_pci_ext_cap_err_perm(struct perm_bits *perm)
{
	u32 unc = PCI_ERR_UNC_UND | PCI_ERR_UNC_DLP | PCI_ERR_UNC_SURPDN |
		  PCI_ERR_UNC_POISON_TLP | PCI_ERR_UNC_FCP |
		  PCI_ERR_UNC_COMP_TIME | PCI_ERR_UNC_COMP_ABORT |
		  PCI_ERR_UNC_UNX_COMP | PCI_ERR_UNC_RX_OVER |
		  PCI_ERR_UNC_MALF_TLP | PCI_ERR_UNC_ECRC |
		  PCI_ERR_UNC_UNSUP | PCI_ERR_UNC_ACSV | PCI_ERR_UNC_INTN |
		  PCI_ERR_UNC_MCBTLP | PCI_ERR_UNC_ATOMEG |
		  PCI_ERR_UNC_TLPPRE;
	u32 cor = PCI_ERR_COR_RCVR | PCI_ERR_COR_BAD_TLP |
		  PCI_ERR_COR_BAD_DLLP | PCI_ERR_COR_REP_ROLL |
		  PCI_ERR_COR_REP_TIMER | PCI_ERR_COR_ADV_NFAT |
		  PCI_ERR_COR_INTERNAL | PCI_ERR_COR_LOG_OVER;

	if (alloc_perm_bits(perm, VFIO_ECAP_ERR_LEN))
		return -ENOMEM;
	/* ID, version and the (rewritten) next pointer */
	p_setd(perm, 0, ALL_VIRT, NO_WRITE);
	p_setd(perm, PCI_ERR_UNCOR_STATUS, NO_VIRT, unc);
	p_setd(perm, PCI_ERR_UNCOR_MASK, NO_VIRT, unc);
	p_setd(perm, PCI_ERR_UNCOR_SEVER, NO_VIRT, unc);
	p_setd(perm, PCI_ERR_COR_STATUS, NO_VIRT, cor);
	p_setd(perm, PCI_ERR_COR_MASK, NO_VIRT, cor);
	p_setd(perm, PCI_ERR_CAP, NO_VIRT,
	       PCI_ERR_CAP_ECRC_GENE | PCI_ERR_CAP_ECRC_CHKE);
	return 0;
}

/*
 * Power budgeting: the data select picks which budget the read-only data
 * register shows.  (Upstream means the same but marks the data register
 * itself writable, which the hardware ignores.)
 */
static int init_pci_ext_cap_pwr_perm(struct perm_bits *perm)
{
	if (alloc_perm_bits(perm, VFIO_ECAP_PWR_LEN))
		return -ENOMEM;
	p_setd(perm, 0, ALL_VIRT, NO_WRITE);
	p_setb(perm, PCI_PWR_DSR, NO_VIRT, (u8)ALL_WRITE);
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

/* MSI perms are per device: sized by this device's flags (10..24 bytes) */
static int vfio_msi_perm_init(struct vfio_pci_device *vdev, int pos, int len)
{
	struct perm_bits *perm;
	u16 flags;

	if (vdev->msi_perm)
		return 0;
	/* the snapshot the walker sized the capability from */
	flags = le16_to_cpu(*(__le16 *)&vdev->vconfig[pos + PCI_MSI_FLAGS]);

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
	return 0;
}

/*
 * What the walker may expose.  std_max is the size of each ID's
 * permission table, so no access to an exposed capability can index past
 * it: PM and MSI-X and AF have tables of their own size, PCIe one of the
 * walker's longest PCIe length, MSI one per device sized to the
 * capability (at most 24), the read-only and vendor tables cover 256.
 * IDs without a table (readfn unset) are hidden.  MSI, MSI-X, PCIe and PM
 * are pinned to where the PCI core found them (the host drives those),
 * and all but vendor-specific capabilities are shown once.  Extended
 * capabilities: the ones upstream knows the length of; AER and power
 * budgeting at most as long as their tables (the walker's fixed lengths
 * for those IDs), the others, served without a table, as long as
 * extended space.
 */
static void vfio_cap_policy(struct vfio_pci_device *vdev,
			    struct vfio_capwalk_policy *p)
{
	static const u16 std_len[PCI_CAP_ID_AF + 1] = {
		[PCI_CAP_ID_PM]		= PCI_PM_SIZEOF,
		[PCI_CAP_ID_AGP]	= PCI_CFG_SPACE_SIZE,
		[PCI_CAP_ID_MSI]	= 24,
		[PCI_CAP_ID_PCIX]	= PCI_CFG_SPACE_SIZE,
		[PCI_CAP_ID_VNDR]	= PCI_CFG_SPACE_SIZE,
		[PCI_CAP_ID_EXP]	= VFIO_CAPWALK_EXP_V2_LEN,
		[PCI_CAP_ID_MSIX]	= PCI_CAP_MSIX_SIZEOF,
		[PCI_CAP_ID_AF]		= PCI_CAP_AF_SIZEOF,
	};
	static const u8 ecaps[] = {
		PCI_EXT_CAP_ID_ERR, PCI_EXT_CAP_ID_VC, PCI_EXT_CAP_ID_DSN,
		PCI_EXT_CAP_ID_PWR, PCI_EXT_CAP_ID_MFVC, PCI_EXT_CAP_ID_VC9,
		PCI_EXT_CAP_ID_VNDR, PCI_EXT_CAP_ID_ACS, PCI_EXT_CAP_ID_ARI,
		PCI_EXT_CAP_ID_ATS, PCI_EXT_CAP_ID_SRIOV, PCI_EXT_CAP_ID_MCAST,
		PCI_EXT_CAP_ID_PRI, PCI_EXT_CAP_ID_REBAR, PCI_EXT_CAP_ID_DPA,
		PCI_EXT_CAP_ID_TPH, PCI_EXT_CAP_ID_LTR, PCI_EXT_CAP_ID_DVSEC,
	};
	struct pci_dev *pdev = vdev->pdev;
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(std_len) > VFIO_CAPWALK_STD_NIDS);
	BUILD_BUG_ON(ARRAY_SIZE(std_len) > PCI_CAP_ID_MAX + 1);
	BUILD_BUG_ON(PCI_EXT_CAP_ID_DVSEC >= VFIO_CAPWALK_EXT_NIDS);
	BUILD_BUG_ON(PCI_CAP_ID_INVALID != VFIO_CAPWALK_MAP_FREE);
	BUILD_BUG_ON(PCI_CAP_ID_INVALID_VIRT != VFIO_CAPWALK_MAP_VIRT);
	BUILD_BUG_ON(PCI_CAP_ID_BASIC != VFIO_CAPWALK_MAP_BASIC);

	memset(p, 0, sizeof(*p));
	for (i = 1; i < ARRAY_SIZE(std_len); i++)
		if (cap_perms[i].readfn)
			p->std_max[i] = std_len[i];
	p->std_unique = ~(1U << PCI_CAP_ID_VNDR);
	p->std_pin[PCI_CAP_ID_PM] = pdev->pm_cap;
	p->std_pin[PCI_CAP_ID_EXP] = pdev->pcie_cap;
	p->std_pin[PCI_CAP_ID_MSI] = pdev->msi_cap;
	p->std_pin[PCI_CAP_ID_MSIX] = pdev->msix_cap;
	if (pdev->cfg_size > PCI_CFG_SPACE_SIZE)
		for (i = 0; i < ARRAY_SIZE(ecaps); i++)
			p->ext_max[ecaps[i]] = pdev->cfg_size -
					       PCI_CFG_SPACE_SIZE;
	/* those with a permission table: no longer than the table */
	if (p->ext_max[PCI_EXT_CAP_ID_ERR])
		p->ext_max[PCI_EXT_CAP_ID_ERR] = VFIO_ECAP_ERR_LEN;
	if (p->ext_max[PCI_EXT_CAP_ID_PWR])
		p->ext_max[PCI_EXT_CAP_ID_PWR] = VFIO_ECAP_PWR_LEN;
}

/*
 * Walk both chains of the snapshot in vconfig (read by vfio_config_init:
 * the walker only looks at the status register and the capability
 * pointer of the header, which nothing has changed), then apply: the
 * map, the start bitmap, the user's links in vconfig, the MSI perms.
 */
static int vfio_cap_init(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	struct vfio_capwalk_policy policy;
	struct vfio_capwalk *w;
	u8 *vconfig = vdev->vconfig;
	unsigned int i;
	int ret = 0;

	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	vfio_cap_policy(vdev, &policy);
	if (vfio_capwalk(vconfig, pdev->cfg_size, &policy, w) ||
	    w->size != pdev->cfg_size) {
		pci_warn(pdev, "config space size %d not supported\n",
			 pdev->cfg_size);
		ret = -EINVAL;
		goto out;
	}

	memcpy(vdev->pci_config_map, w->map, w->size);
	memcpy(vdev->pci_config_start, w->start, w->size / 8);

	vconfig[PCI_CAPABILITY_LIST] = w->std_head;
	for (i = 0; i < w->nstd; i++) {
		const struct vfio_capwalk_cap *c = &w->std[i];

		vconfig[c->pos + PCI_CAP_LIST_NEXT] = c->next;
		if (c->id == PCI_CAP_ID_MSI) {
			ret = vfio_msi_perm_init(vdev, c->pos, c->len);
			if (ret)
				goto out;
		}
	}
	if (!w->nstd)
		*(__le16 *)&vconfig[PCI_STATUS] &=
			cpu_to_le16(~PCI_STATUS_CAP_LIST);

	for (i = 0; i < w->next; i++) {
		const struct vfio_capwalk_cap *c = &w->ext[i];
		__le32 *hdr = (__le32 *)&vconfig[c->pos];

		*hdr = cpu_to_le32((le32_to_cpu(*hdr) & 0xfffff) |
				   (u32)c->next << 20);
	}
	if (w->ext_placeholder)
		*(__le32 *)&vconfig[PCI_CFG_SPACE_SIZE] =
			cpu_to_le32((u32)w->ext_head << 20);

	if (w->std_loop || w->ext_loop)
		pci_info(pdev, "capability chain loops; cut at the repeat\n");
	if (w->std_hidden || w->ext_hidden)
		pci_dbg(pdev, "hiding %u standard, %u extended capabilities\n",
			w->std_hidden, w->ext_hidden);
out:
	kfree(w);
	return ret;
}

/* ------------------------------------------------------------ setup */

int vfio_config_init(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int size = pdev->cfg_size, i, ret;
	u8 *map, *vconfig;
	u32 *dw;

	/* the map, then its start bitmap (a bit per byte) */
	map = kmalloc(size + size / 8, GFP_KERNEL);
	vconfig = kmalloc(size, GFP_KERNEL);
	if (!map || !vconfig) {
		kfree(map);
		kfree(vconfig);
		return -ENOMEM;
	}
	vdev->pci_config_map = map;
	vdev->pci_config_start = map + size;
	vdev->vconfig = vconfig;

	/* filled by vfio_cap_init() */
	memset(map, PCI_CAP_ID_INVALID, size);
	memset(map, PCI_CAP_ID_BASIC, PCI_STD_HEADER_SIZEOF);
	memset(vdev->pci_config_start, 0, size / 8);

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

	/* PME is the host's (init_pci_cap_pm_perm()) */
	if (pdev->pm_cap && vdev->pci_config_map[pdev->pm_cap] == PCI_CAP_ID_PM) {
		*(__le16 *)&vconfig[pdev->pm_cap + PCI_PM_PMC] &=
			cpu_to_le16(~PCI_PM_CAP_PME_MASK);
		*(__le16 *)&vconfig[pdev->pm_cap + PCI_PM_CTRL] &=
			cpu_to_le16(~(PCI_PM_CTRL_PME_ENABLE |
				      PCI_PM_CTRL_PME_STATUS));
	}

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
	vdev->pci_config_start = NULL;	/* same allocation */
	if (vdev->msi_perm) {
		free_perm_bits(vdev->msi_perm);
		kfree(vdev->msi_perm);
		vdev->msi_perm = NULL;
	}
}

/* ------------------------------------------------------------ access */

/*
 * The first byte of the exposed capability holding pos: the walker marks
 * every start, so abutting capabilities of one ID stay apart.
 */
static int vfio_find_cap_start(struct vfio_pci_device *vdev, int pos)
{
	int base = pos >= PCI_CFG_SPACE_SIZE ? PCI_CFG_SPACE_SIZE :
					       PCI_STD_HEADER_SIZEOF;

	while (pos > base &&
	       !vfio_capwalk_is_start(vdev->pci_config_start, pos))
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
		if (map[pos + i] != map[pos] ||
		    vfio_capwalk_is_start(vdev->pci_config_start, pos + i)) {
			count = (i >= 2) ? 2 : 1;
			break;
		}
	}

	cap = map[pos];
	if (pos >= PCI_CFG_SPACE_SIZE) {
		cap_start = pos;
		if (cap == PCI_CAP_ID_INVALID) {
			perm = &ext_zero_perms;
		} else if (cap == PCI_CAP_ID_INVALID_VIRT) {
			perm = &virt_ro_perms;
		} else {
			/* the walker maps only IDs the policy lists */
			if (cap >= ARRAY_SIZE(ecap_perms))
				return -EIO;
			perm = &ecap_perms[cap];
			cap_start = vfio_find_cap_start(vdev, pos);
		}
	} else if (cap == PCI_CAP_ID_INVALID) {
		perm = &unassigned_perms;
		cap_start = pos;
	} else if (cap == PCI_CAP_ID_BASIC) {
		perm = &cap_perms[PCI_CAP_ID_BASIC];
	} else {
		/* the walker maps only IDs that have a table */
		if (cap > PCI_CAP_ID_MAX)
			return -EIO;
		perm = cap == PCI_CAP_ID_MSI ? vdev->msi_perm : &cap_perms[cap];
		if (!perm || !perm->readfn)
			return -EIO;
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
	free_perm_bits(&ecap_perms[PCI_EXT_CAP_ID_ERR]);
	free_perm_bits(&ecap_perms[PCI_EXT_CAP_ID_PWR]);
	memset(ecap_perms, 0, sizeof(ecap_perms));
}

int vfio_pci_init_perm_bits(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(ecap_perms); i++)
		ecap_perms[i].readfn = vfio_ecap_ro_read;
	ecap_perms[PCI_EXT_CAP_ID_VNDR].writefn = vfio_ecap_vndr_write;
	ecap_perms[PCI_EXT_CAP_ID_DVSEC].writefn = vfio_ecap_vndr_write;

	ret = init_pci_cap_basic_perm(&cap_perms[PCI_CAP_ID_BASIC]);
	ret |= init_pci_cap_pm_perm(&cap_perms[PCI_CAP_ID_PM]);
	ret |= init_pci_cap_ro_perm(&cap_perms[PCI_CAP_ID_AGP]);
	ret |= init_pci_cap_ro_perm(&cap_perms[PCI_CAP_ID_PCIX]);
	ret |= init_pci_cap_vndr_perm(&cap_perms[PCI_CAP_ID_VNDR]);
	ret |= init_pci_cap_exp_perm(&cap_perms[PCI_CAP_ID_EXP]);
	ret |= init_pci_cap_msix_perm(&cap_perms[PCI_CAP_ID_MSIX]);
	ret |= init_pci_cap_ro_perm(&cap_perms[PCI_CAP_ID_AF]);
	ret |= init_pci_ext_cap_err_perm(&ecap_perms[PCI_EXT_CAP_ID_ERR]);
	ret |= init_pci_ext_cap_pwr_perm(&ecap_perms[PCI_EXT_CAP_ID_PWR]);
	/* MSI perms are per device: only mark MSI as exposable here */
	cap_perms[PCI_CAP_ID_MSI].readfn = vfio_default_config_read;
	if (ret) {
		vfio_pci_uninit_perm_bits();
		return -ENOMEM;
	}
	return 0;
}
