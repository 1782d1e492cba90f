/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio_pci_private.h - state shared by the files of the vfio-pci driver.
 */
#ifndef VFIOCTL_VFIO_PCI_PRIVATE_H
#define VFIOCTL_VFIO_PCI_PRIVATE_H

#include <linux/eventfd.h>
#include <linux/irqbypass.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/uuid.h>
#include <linux/workqueue.h>

#include "vfio.h"

/* Region offsets in the device fd: index << 40 (as upstream, not ABI). */
#define VFIO_PCI_OFFSET_SHIFT		40
#define VFIO_PCI_OFFSET_TO_INDEX(off)	((off) >> VFIO_PCI_OFFSET_SHIFT)
#define VFIO_PCI_INDEX_TO_OFFSET(index)	((u64)(index) << VFIO_PCI_OFFSET_SHIFT)
#define VFIO_PCI_OFFSET_MASK		((1ULL << VFIO_PCI_OFFSET_SHIFT) - 1)

/* pci_config_map values beyond the real capability IDs */
#define PCI_CAP_ID_BASIC	0	/* the standard header */
#define PCI_CAP_ID_INVALID	0xff	/* gap: raw (std) or reads 0 (ext) */
#define PCI_CAP_ID_INVALID_VIRT	0xfe	/* from vconfig, read-only */

/*
 * An eventfd that runs @handler from a workqueue when signalled; INTx
 * resampling (the unmask eventfd) uses it.
 */
struct vfio_pci_virqfd {
	struct vfio_pci_device	*vdev;
	struct eventfd_ctx	*eventfd;
	void			(*handler)(struct vfio_pci_device *vdev);
	wait_queue_entry_t	wait;
	poll_table		pt;
	struct work_struct	inject;
	struct work_struct	shutdown;
	struct vfio_pci_virqfd	**pvirqfd;
};

/*
 * One interrupt vector (INTx has one, MSI/MSI-X one per vector).  An
 * MSI/MSI-X vector with a trigger is also an irq-bypass producer whose
 * token is the trigger eventfd, so that KVM (the consumer, through a
 * KVM irqfd on the same eventfd) can post the interrupt to the guest;
 * @producer.token is NULL when it is not registered.  Under igate.
 */
struct vfio_pci_irq_ctx {
	struct eventfd_ctx		*trigger;
	struct vfio_pci_virqfd		*unmask;
	char				*name;
	bool				masked;
	struct irq_bypass_producer	producer;
};

/*
 * The VF token of an SR-IOV PF bound to vfio-pci (vfio_pci_sriov.c): the
 * shared secret a user must show to open one of its VFs, or the PF while a
 * VF is open.  @lock guards @uuid and @users (VFs open, counted once each).
 */
struct vfio_pci_vf_token {
	struct mutex	lock;
	uuid_t		uuid;
	int		users;
};

/**
 * struct vfio_pci_device - one PCI function bound to vfio-pci
 *
 * Lifetime: allocated in probe, freed in remove after vfio_del_group_dev()
 * returned (so no device fd exists any more).
 *
 * Locking:
 * @open_lock serializes open/release and guards @refcnt.
 * @igate serializes interrupt configuration (SET_IRQS, disable on release)
 *	and guards @ctx, @num_ctx, @irq_type, @err_trigger, @req_trigger.
 *	@num_ctx is the length of @ctx: 1 for INTx; for MSI/MSI-X the vectors
 *	enabled (6.1) or, where stock keeps a context per vector of the device
 *	(VFIOCTL_MSI_CTX_PER_TABLE), all of them, allocated or not.
 * @irqlock (spinlock, taken from hard-irq context) guards the INTx
 *	masked state and the INTx disable bit.
 * @memory_lock (rwsem): readers access BARs; the writer changes memory
 *	decode (command register), resets the device or tears mappings down.
 *	Faults SIGBUS while memory decode is off.
 * @vma_lock: held by the BAR fault handler around memory_lock; whoever
 *	holds it keeps faults from inserting pages (hot reset zaps, then
 *	holds it until it has memory_lock).  User mappings themselves are
 *	not tracked here: they are zapped through the core's per-device
 *	address_space (vfio_pci_mmap.c).  Order: mmap_lock -> @vma_lock ->
 *	@memory_lock -> i_mmap_rwsem.
 * @barmap_lock serializes the first request and mapping of each BAR
 *	(vfio_pci_setup_barmap()); @barmap is read without it (acquire).
 *	Taken under mmap_lock (mmap) and @ioeventfds_lock; takes only the
 *	resource and vmalloc locks inside.
 * @ioeventfds_lock guards @ioeventfds and @ioeventfds_nr
 *	(vfio_pci_ioeventfd.c); taken before memory_lock (its holder waits
 *	for an ioeventfd's work item, which takes memory_lock for read).
 *	The eventfd wakeup only trylocks memory_lock.
 */
struct vfio_pci_device {
	struct pci_dev		*pdev;
	struct iommu_group	*group;
	struct mutex		barmap_lock;
	void __iomem		*barmap[PCI_STD_NUM_BARS];
	bool			bar_mmap_supported[PCI_STD_NUM_BARS];

	/* config space virtualization (vfio_pci_config.c) */
	u8			*pci_config_map;
	u8			*pci_config_start; /* bit per byte: a cap starts */
	u8			*vconfig;
	struct perm_bits	*msi_perm;
	u32			rbar[7];
	bool			bardirty;
	u8			msi_qmax;

	/* MSI-X table location */
	int			msix_bar;
	u32			msix_offset;
	u32			msix_size;
	bool			has_dyn_msix;	/* vectors allocatable while enabled */

	/* interrupts (vfio_pci_intrs.c) */
	struct mutex		igate;
	spinlock_t		irqlock;
	struct vfio_pci_irq_ctx	*ctx;
	int			num_ctx;
	int			irq_type;
	bool			pci_2_3;
	bool			virq_disabled;
	struct eventfd_ctx	*err_trigger;
	struct eventfd_ctx	*req_trigger;

	/* open/reset state */
	struct mutex		open_lock;
	int			refcnt;
	bool			reset_works;
	struct pci_saved_state	*pci_saved_state;

	/*
	 * Power state (vfio_pci_set_power_state()): @pm_save is the config
	 * state saved on the way to D3hot, restored on the way back to D0
	 * when the function lacks No_Soft_Reset (@needs_pm_restore).  Both
	 * under memory_lock held for write.
	 */
	struct pci_saved_state	*pm_save;
	bool			needs_pm_restore;

	/*
	 * Runtime PM and the low-power features (vfio_pci_pm.c, which
	 * documents the usage counts).  @pm_runtime_engaged (the user's
	 * LOW_POWER_ENTRY gave up the open's count) and @pm_wake_eventfd_ctx
	 * (WITH_WAKEUP: signalled, and low power left, on the next resume)
	 * are under memory_lock held for write.  @pm_intx_masked (INTx
	 * masked by the runtime suspend, to unmask on resume) belongs to
	 * the runtime PM callbacks, which the PM core serializes.
	 * @idle_d3 is the disable_idle_d3 parameter's word when the device
	 * was bound (inverted), fixed until it is unbound.
	 */
	bool			idle_d3;
	bool			pm_runtime_engaged;
	bool			pm_intx_masked;
	struct eventfd_ctx	*pm_wake_eventfd_ctx;

	/* BAR mappings (vfio_pci_mmap.c) */
	struct rw_semaphore	memory_lock;
	struct mutex		vma_lock;

	/* VFIO_DEVICE_IOEVENTFD (vfio_pci_ioeventfd.c) */
	struct mutex		ioeventfds_lock;
	struct list_head	ioeventfds;
	int			ioeventfds_nr;

	/*
	 * SR-IOV (vfio_pci_sriov.c).  A PF: @vf_token (NULL if not a PF),
	 * @sriov_nb captures its new VFs, @sriov_pfs_item is on the list of
	 * PFs whose VFs vfio-pci created (vfio_pci_sriov_pfs_mutex).  A VF:
	 * @sriov_pf is its PF's vfio-pci device if the PF was on vfio-pci
	 * when the VF probed; the PF disables SR-IOV (removing its VFs)
	 * before it goes, so the pointer outlives the VF's binding.
	 */
	struct vfio_pci_vf_token	*vf_token;
	struct notifier_block	sriov_nb;
	struct list_head	sriov_pfs_item;
	struct vfio_pci_device	*sriov_pf;

	/*
	 * VGA (vfio_pci_vga.c): a VGA class device with the VGA region
	 * enabled (disable_vga off); set at each first open, constant while
	 * the device is open.
	 */
	bool			has_vga;
};

/* per-capability permission bits, see vfio_pci_config.c */
struct perm_bits {
	u8	*virt;		/* read from the shadow copy, not hardware */
	u8	*write;		/* the user may write these bits */
	int	(*readfn)(struct vfio_pci_device *vdev, int pos, int count,
			  struct perm_bits *perm, int offset, __le32 *val);
	int	(*writefn)(struct vfio_pci_device *vdev, int pos, int count,
			   struct perm_bits *perm, int offset, __le32 val);
};

#define is_intx(vdev)	((vdev)->irq_type == VFIO_PCI_INTX_IRQ_INDEX)
#define is_msi(vdev)	((vdev)->irq_type == VFIO_PCI_MSI_IRQ_INDEX)
#define is_msix(vdev)	((vdev)->irq_type == VFIO_PCI_MSIX_IRQ_INDEX)
#define is_irq_none(vdev) (!(is_intx(vdev) || is_msi(vdev) || is_msix(vdev)))

extern struct pci_driver vfio_pci_driver;

/* vfio_pci_config.c */
int vfio_pci_init_perm_bits(void);
void vfio_pci_uninit_perm_bits(void);
int vfio_config_init(struct vfio_pci_device *vdev);
void vfio_config_free(struct vfio_pci_device *vdev);
ssize_t vfio_pci_config_rw(struct vfio_pci_device *vdev, char __user *buf,
			   size_t count, loff_t *ppos, bool iswrite);

/*
 * Whether the function decodes its memory BARs now; memory_lock held.
 * Inline: every BAR pread/pwrite and mmap fault asks.
 */
static inline bool vfio_pci_memory_enabled(struct vfio_pci_device *vdev)
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
void vfio_pci_bar_restore(struct vfio_pci_device *vdev);

/* vfio_pci_main.c */
int __vfio_pci_set_power_state(struct vfio_pci_device *vdev,
			       pci_power_t state);
int vfio_pci_set_power_state(struct vfio_pci_device *vdev, pci_power_t state);

/* vfio_pci_rdwr.c */
ssize_t vfio_pci_bar_rw(struct vfio_pci_device *vdev, char __user *buf,
			size_t count, loff_t *ppos, bool iswrite);
ssize_t vfio_pci_rom_read(struct vfio_pci_device *vdev, char __user *buf,
			  size_t count, loff_t *ppos);
int vfio_pci_map_bar(struct vfio_pci_device *vdev, int bar);

/* @bar requested and mapped (at its first access: vfio_pci_map_bar()) */
static inline int vfio_pci_setup_barmap(struct vfio_pci_device *vdev, int bar)
{
	/* acquire: pairs with the release that publishes the mapping */
	if (likely(smp_load_acquire(&vdev->barmap[bar])))
		return 0;
	return vfio_pci_map_bar(vdev, bar);
}

/* vfio_pci_ioeventfd.c */
long vfio_pci_ioctl_ioeventfd(struct vfio_pci_device *vdev, void __user *arg);
void vfio_pci_ioeventfd_release_all(struct vfio_pci_device *vdev);

/* vfio_pci_mmap.c */
int vfio_pci_mmap(void *device_data, struct vm_area_struct *vma);
void vfio_pci_probe_mmaps(struct vfio_pci_device *vdev);
void vfio_pci_zap_and_down_write_memory_lock(struct vfio_pci_device *vdev);
int vfio_pci_zap_and_vma_lock(struct vfio_pci_device *vdev, bool try);
u16 vfio_pci_memory_lock_and_enable(struct vfio_pci_device *vdev);
void vfio_pci_memory_unlock_and_restore(struct vfio_pci_device *vdev,
					u16 cmd);

/* vfio_pci_intrs.c */
int vfio_pci_get_irq_count(struct vfio_pci_device *vdev, int irq_type);
int vfio_pci_set_irqs_ioctl(struct vfio_pci_device *vdev, u32 flags,
			    unsigned int index, unsigned int start,
			    unsigned int count, void *data);
bool vfio_pci_intx_mask(struct vfio_pci_device *vdev);
void vfio_pci_intx_unmask(struct vfio_pci_device *vdev);
void vfio_pci_release_triggers(struct vfio_pci_device *vdev);

/* vfio_pci_vga.c */
/* a VGA class device, as upstream's vfio_pci_is_vga() decides */
static inline bool vfio_pci_is_vga(struct pci_dev *pdev)
{
	return (pdev->class >> 8) == PCI_CLASS_DISPLAY_VGA;
}

bool vfio_pci_vga_disabled(void);
int vfio_pci_vga_init(struct vfio_pci_device *vdev);
void vfio_pci_vga_uninit(struct vfio_pci_device *vdev);
ssize_t vfio_pci_vga_rw(struct vfio_pci_device *vdev, char __user *buf,
			size_t count, loff_t *ppos, bool iswrite);

/* vfio_pci_sriov.c */
int vfio_pci_sriov_init(struct vfio_pci_device *vdev);
void vfio_pci_sriov_uninit(struct vfio_pci_device *vdev);
void vfio_pci_sriov_remove_vfs(struct pci_dev *pdev);
int vfio_pci_sriov_configure(struct pci_dev *pdev, int nr_virtfn);
void vfio_pci_sriov_config_init(struct vfio_pci_device *vdev);
void vfio_pci_vf_token_user_add(struct vfio_pci_device *vdev, int val);
int vfio_pci_match(void *device_data, const char *buf);
long vfio_pci_ioctl_feature(struct vfio_pci_device *vdev, void __user *arg);
int vfio_pci_check_feature(u32 flags, size_t argsz, u32 ops, size_t minsz);

/* vfio_pci_pm.c */
extern const struct dev_pm_ops vfio_pci_pm_ops;

/*
 * The count a user action (ioctl, region access) holds on the function;
 * EIO as stock's core.  Inline: every pread/pwrite of a region takes one,
 * and the out-of-line calls were part of a 3% gap to stock's BAR pread
 * (docs/benchmarks.md, tests/bench/profile).
 */
static inline int vfio_pci_pm_get(struct vfio_pci_device *vdev)
{
	int ret = pm_runtime_resume_and_get(&vdev->pdev->dev);

	if (unlikely(ret)) {
		pci_info_ratelimited(vdev->pdev, "runtime resume failed %d\n",
				     ret);
		return -EIO;
	}
	return 0;
}

static inline void vfio_pci_pm_put(struct vfio_pci_device *vdev)
{
	pm_runtime_put(&vdev->pdev->dev);
}

void vfio_pci_pm_init(struct vfio_pci_device *vdev);
void vfio_pci_pm_probe(struct vfio_pci_device *vdev);
int vfio_pci_pm_open(struct vfio_pci_device *vdev);
void vfio_pci_pm_close(struct vfio_pci_device *vdev);
void vfio_pci_pm_remove(struct vfio_pci_device *vdev);
void vfio_pci_low_power_exit(struct vfio_pci_device *vdev);
long vfio_pci_feature_low_power(struct vfio_pci_device *vdev, u32 flags,
				void __user *arg, size_t argsz);

#endif /* VFIOCTL_VFIO_PCI_PRIVATE_H */
