/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compat.h - every kernel-version difference vfioctl's modules care about.
 *
 * Force-included into each object by kmod/Kbuild, so driver code reads like
 * code for the newest supported kernel.  This is the only file in kmod/ that
 * may test LINUX_VERSION_CODE.  Supported: Debian 12's 6.1 and the 6.12 of
 * bookworm-backports (and what lies between).
 */
#ifndef VFIOCTL_COMPAT_H
#define VFIOCTL_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "vfioctl requires Linux >= 6.1"
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#error "vfioctl has not been ported past Linux 6.12"
#endif

#include <linux/device.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/mm.h>

/* class_create() lost its owner argument in 6.4. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#define vfioctl_class_create(name)	class_create(THIS_MODULE, name)
#else
#define vfioctl_class_create(name)	class_create(name)
#endif

/* class devnode callbacks take a const device since 6.2. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define VFIOCTL_DEVNODE_CONST
#else
#define VFIOCTL_DEVNODE_CONST const
#endif

/* eventfd_signal() lost its count argument in 6.8. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
#define vfioctl_eventfd_signal(ctx)	eventfd_signal((ctx), 1)
#else
#define vfioctl_eventfd_signal(ctx)	eventfd_signal(ctx)
#endif

/* iommu_map() takes a gfp_t since 6.3. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#define vfioctl_iommu_map(d, iova, pa, sz, prot) \
	iommu_map((d), (iova), (pa), (sz), (prot))
#else
#define vfioctl_iommu_map(d, iova, pa, sz, prot) \
	iommu_map((d), (iova), (pa), (sz), (prot), GFP_KERNEL_ACCOUNT)
#endif

/*
 * MSI/MSI-X vectors in vfio-pci.  Since 6.5 stock keeps a context per vector
 * of the device (not per vector enabled): a vector past the enabled range
 * may be cleared (fd -1) or loopback-triggered as a no-op, and where the
 * MSI-X domain allows it (pci_msix_can_alloc_dyn(), PCI API of 6.2) an
 * eventfd on such a vector allocates it while MSI-X stays enabled, and
 * GET_IRQ_INFO drops NORESIZE for MSI-X.  Before 6.5 each is EINVAL and
 * growing means disable, then enable with more vectors.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define VFIOCTL_MSI_CTX_PER_TABLE	true
#define vfioctl_msix_can_alloc_dyn(pdev)	pci_msix_can_alloc_dyn(pdev)
/* the Linux irq of the vector allocated at entry NR, or -errno */
#define vfioctl_msix_alloc_irq_at(pdev, nr) ({				\
	struct msi_map __map = pci_msix_alloc_irq_at((pdev), (nr), NULL); \
	__map.index < 0 ? __map.index : (int)__map.virq;		\
})
#else
#define VFIOCTL_MSI_CTX_PER_TABLE	false
#define vfioctl_msix_can_alloc_dyn(pdev)	((void)(pdev), false)
#define vfioctl_msix_alloc_irq_at(pdev, nr) \
	((void)(pdev), (void)(nr), -EINVAL)
#endif

/* Paging domains are allocated per device since 6.11. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
static inline struct iommu_domain *vfioctl_iommu_domain_alloc(struct device *dev)
{
	struct iommu_domain *d = iommu_domain_alloc(dev->bus);

	return d ? d : ERR_PTR(-EIO);
}
#else
static inline struct iommu_domain *vfioctl_iommu_domain_alloc(struct device *dev)
{
	return iommu_paging_domain_alloc(dev);
}
#endif

/* Isolated MSI became a per-group property in 6.3. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
bool vfioctl_group_has_isolated_msi(struct iommu_group *group);
#define VFIOCTL_NEED_ISOLATED_MSI_SHIM 1
#else
#define vfioctl_group_has_isolated_msi(g)	iommu_group_has_isolated_msi(g)
#endif

/* vm_flags became read-only behind accessors in 6.3. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/* struct fd's file became fd_file() in 6.12. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#define fd_file(f)	((f).file)
#endif

/* pin_user_pages_remote() lost its vmas argument in 6.5 (type1). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
#define vfioctl_pin_user_pages_remote(mm, start, nr, flags, pages) \
	pin_user_pages_remote((mm), (start), (nr), (flags), (pages), NULL, NULL)
#else
#define vfioctl_pin_user_pages_remote(mm, start, nr, flags, pages) \
	pin_user_pages_remote((mm), (start), (nr), (flags), (pages), NULL)
#endif

/*
 * The pfn a VM_PFNMAP @vma maps at @addr and whether that pte is writable;
 * -errno if nothing is mapped there yet (the caller may fault it in and ask
 * again).  The caller holds the mmap lock; the page-table lock is taken and
 * dropped inside.  follow_pte() took the mm until 6.10 and the vma until
 * 6.12, which replaced it with follow_pfnmap_start()/end() (type1 P2P).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
static inline int vfioctl_follow_pfn(struct vm_area_struct *vma,
				     unsigned long addr, unsigned long *pfn,
				     bool *writable)
{
	spinlock_t *ptl;
	pte_t *ptep, pte;
	int ret;

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
	ret = follow_pte(vma->vm_mm, addr, &ptep, &ptl);
#else
	ret = follow_pte(vma, addr, &ptep, &ptl);
#endif
	if (ret)
		return ret;
	pte = ptep_get(ptep);
	*pfn = pte_pfn(pte);
	*writable = pte_write(pte);
	pte_unmap_unlock(ptep, ptl);
	return 0;
}
#else
static inline int vfioctl_follow_pfn(struct vm_area_struct *vma,
				     unsigned long addr, unsigned long *pfn,
				     bool *writable)
{
	struct follow_pfnmap_args args = { .vma = vma, .address = addr };
	int ret;

	ret = follow_pfnmap_start(&args);
	if (ret)
		return ret;
	*pfn = args.pfn;
	*writable = args.writable;
	follow_pfnmap_end(&args);
	return 0;
}
#endif

/*
 * SET_CONTAINER with a fd that is neither a container nor (6.2+) an
 * iommufd: EINVAL before iommufd learnt to stand in for a container,
 * EBADFD since (core, to match the stock errno of the running kernel).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define VFIOCTL_ERR_NOT_CONTAINER	EINVAL
#else
#define VFIOCTL_ERR_NOT_CONTAINER	EBADFD
#endif

/*
 * Multicast groups that need CAP_NET_ADMIN to join: 6.7, and Debian's 6.1
 * has it backported.  Without it the events group is open to everyone.
 */
#include <net/genetlink.h>
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define VFIOCTL_MCGRP_ADMIN_FLAGS	GENL_MCAST_CAP_NET_ADMIN
#else
#define VFIOCTL_MCGRP_ADMIN_FLAGS	0
#endif

/*
 * driver_override moved from struct pci_dev into struct device (set with
 * device_set_driver_override()) upstream in 6.16; Debian's 6.12.118 has
 * it backported, 6.1 keeps the pci_dev field.  Until 6.12 took it (at
 * some 6.12.y) the field is pci_dev's: this tests the 6.12 we support.
 */
#include <linux/pci.h>
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#define vfioctl_pci_set_driver_override(pdev, s) \
	driver_set_override(&(pdev)->dev, &(pdev)->driver_override, (s), \
			    strlen(s))
#else
#define vfioctl_pci_set_driver_override(pdev, s) \
	device_set_driver_override(&(pdev)->dev, (s))
#endif

#endif /* VFIOCTL_COMPAT_H */
