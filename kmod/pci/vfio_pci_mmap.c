// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_pci_mmap.c - user mappings of BARs.
 *
 * mmap() maps nothing; BAR pages are inserted by the fault handler, a
 * bounded window per fault, and only while memory decode is on.  When
 * decode goes off, the device is reset, leaves D0 or enters low power
 * (vfio_pci_pm.c), every user mapping of
 * the device is zapped, so the next access faults again and gets SIGBUS
 * instead of touching a device that cannot answer (which on some platforms
 * takes the host down).
 *
 * Zapping goes through the address_space the core gives every fd of the
 * device (vfio_device_address_space()): unmap_mapping_range() finds each
 * vma mapping the device through the rmap, also the vmas fork() copied
 * page tables into and those mremap() moved page tables to, which no
 * vm_ops callback reports in time.  For that a vma's vm_pgoff stays the
 * file offset (region index << 40 + offset); the fault handler computes
 * the PFN from it.
 *
 * Locking: mmap_lock (or the vma lock) -> vma_lock -> memory_lock ->
 * i_mmap_rwsem.  The fault handler takes vma_lock, then memory_lock for
 * read.  Zapping takes no mmap_lock: under memory_lock held for write it
 * leaves no page behind that a fault could re-insert; under vma_lock alone
 * (hot reset, which then takes memory_lock) no fault can run either.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pci.h>

#include "vfio_pci_private.h"

/* Which BARs can be mapped: memory BARs of at least a page, page aligned. */
void vfio_pci_probe_mmaps(struct vfio_pci_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		struct resource *res = &pdev->resource[bar];

		vdev->bar_mmap_supported[bar] =
			(res->flags & IORESOURCE_MEM) &&
			resource_size(res) >= PAGE_SIZE &&
			!(res->start & ~PAGE_MASK);
	}
}

/*
 * Pages inserted per fault: the faulting one and its neighbours in an
 * aligned window of this many pages, so that a fault on a huge BAR costs a
 * bounded time under memory_lock (no one-shot fill of a 16 GiB vma).
 */
#define VFIO_PCI_FAULT_PAGES	16

/* Zap every user mapping of BARs 0-5, of every fd of the device. */
static void vfio_pci_zap_bars(struct vfio_pci_device *vdev)
{
	struct address_space *mapping;

	mapping = vfio_device_address_space(&vdev->pdev->dev);
	if (WARN_ON_ONCE(!mapping))
		return;
	unmap_mapping_range(mapping,
			    VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_BAR0_REGION_INDEX),
			    VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_ROM_REGION_INDEX) -
			    VFIO_PCI_INDEX_TO_OFFSET(VFIO_PCI_BAR0_REGION_INDEX),
			    true);
}

/*
 * Zap every user mapping and return holding vma_lock (1), which keeps
 * faults from inserting pages again until it is dropped; 0 if @try and
 * vma_lock was contended.
 */
int vfio_pci_zap_and_vma_lock(struct vfio_pci_device *vdev, bool try)
{
	if (try) {
		if (!mutex_trylock(&vdev->vma_lock))
			return 0;
	} else {
		mutex_lock(&vdev->vma_lock);
	}
	vfio_pci_zap_bars(vdev);
	return 1;
}

/*
 * Zap every user mapping and return holding memory_lock for write: faults
 * wait for it, and SIGBUS once decode is off.
 */
void vfio_pci_zap_and_down_write_memory_lock(struct vfio_pci_device *vdev)
{
	down_write(&vdev->memory_lock);
	vfio_pci_zap_bars(vdev);
}

/* Take memory_lock for write with decode on; returns the command to restore. */
u16 vfio_pci_memory_lock_and_enable(struct vfio_pci_device *vdev)
{
	u16 cmd;

	down_write(&vdev->memory_lock);
	pci_read_config_word(vdev->pdev, PCI_COMMAND, &cmd);
	if (!(cmd & PCI_COMMAND_MEMORY))
		pci_write_config_word(vdev->pdev, PCI_COMMAND,
				      cmd | PCI_COMMAND_MEMORY);
	return cmd;
}

void vfio_pci_memory_unlock_and_restore(struct vfio_pci_device *vdev,
					u16 cmd)
{
	pci_write_config_word(vdev->pdev, PCI_COMMAND, cmd);
	up_write(&vdev->memory_lock);
}

/*
 * The PFN of @addr in @vma, from the file offset in vm_pgoff; false if it
 * lies outside a mappable BAR (vfio_pci_mmap() allowed none such, and a
 * vma can shrink or move but not grow: VM_DONTEXPAND).
 */
static bool vfio_pci_vma_pfn(struct vfio_pci_device *vdev,
			     struct vm_area_struct *vma, unsigned long addr,
			     unsigned long *pfn)
{
	unsigned int index = vma->vm_pgoff >>
			     (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT);
	unsigned long pgoff = (vma->vm_pgoff &
			       (VFIO_PCI_OFFSET_MASK >> PAGE_SHIFT)) +
			      ((addr - vma->vm_start) >> PAGE_SHIFT);

	if (index >= VFIO_PCI_ROM_REGION_INDEX ||
	    !vdev->bar_mmap_supported[index] ||
	    pgoff >= PAGE_ALIGN(pci_resource_len(vdev->pdev, index)) >>
		     PAGE_SHIFT)
		return false;
	*pfn = (pci_resource_start(vdev->pdev, index) >> PAGE_SHIFT) + pgoff;
	return true;
}

static vm_fault_t vfio_pci_mmap_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vfio_pci_device *vdev = vma->vm_private_data;
	unsigned long addr = vmf->address & PAGE_MASK;
	unsigned long start, end, a, pfn;
	vm_fault_t ret;

	mutex_lock(&vdev->vma_lock);
	down_read(&vdev->memory_lock);

	/*
	 * In low power (LOW_POWER_ENTRY*) a mapping is not served even
	 * while an access elsewhere has the function awake: SIGBUS, as
	 * stock, with no warning (the user asked for it).
	 */
	if (vdev->pm_runtime_engaged) {
		ret = VM_FAULT_SIGBUS;
		goto out;
	}
	if (!vfio_pci_memory_enabled(vdev)) {
		dev_warn_ratelimited(&vdev->pdev->dev,
				     "BAR access with memory decode off: SIGBUS to %s[%d]; enable memory in the command register first\n",
				     current->comm, task_pid_nr(current));
		ret = VM_FAULT_SIGBUS;
		goto out;
	}

	/* the faulting page first: its result is the fault's */
	if (!vfio_pci_vma_pfn(vdev, vma, addr, &pfn)) {
		ret = VM_FAULT_SIGBUS;
		goto out;
	}
	ret = vmf_insert_pfn(vma, addr, pfn);
	if (ret & VM_FAULT_ERROR)
		goto out;

	/* then, best effort, the rest of its window within the vma */
	start = ALIGN_DOWN(addr, VFIO_PCI_FAULT_PAGES * PAGE_SIZE);
	start = max(start, vma->vm_start);
	end = min(ALIGN_DOWN(addr, VFIO_PCI_FAULT_PAGES * PAGE_SIZE) +
		  VFIO_PCI_FAULT_PAGES * PAGE_SIZE, vma->vm_end);
	for (a = start; a < end; a += PAGE_SIZE) {
		if (a == addr)
			continue;
		if (!vfio_pci_vma_pfn(vdev, vma, a, &pfn) ||
		    (vmf_insert_pfn(vma, a, pfn) & VM_FAULT_ERROR))
			break;
	}
	ret = VM_FAULT_NOPAGE;
out:
	up_read(&vdev->memory_lock);
	mutex_unlock(&vdev->vma_lock);
	return ret;
}

/*
 * No open/close: a vma is found through the address_space when it must go,
 * however it came to be (mmap, fork, mremap, split).
 */
static const struct vm_operations_struct vfio_pci_mmap_ops = {
	.fault = vfio_pci_mmap_fault,
};

int vfio_pci_mmap(void *device_data, struct vm_area_struct *vma)
{
	struct vfio_pci_device *vdev = device_data;
	struct pci_dev *pdev = vdev->pdev;
	unsigned int index;
	u64 phys_len, req_len, pgoff, req_start;
	int ret;

	index = vma->vm_pgoff >> (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT);
	if (index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	if (vma->vm_end < vma->vm_start)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (index >= VFIO_PCI_ROM_REGION_INDEX)
		return -EINVAL;
	if (!vdev->bar_mmap_supported[index])
		return -EINVAL;

	phys_len = PAGE_ALIGN(pci_resource_len(pdev, index));
	req_len = vma->vm_end - vma->vm_start;
	pgoff = vma->vm_pgoff &
		((1U << (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT)) - 1);
	req_start = pgoff << PAGE_SHIFT;
	if (req_start + req_len > phys_len)
		return -EINVAL;

	/*
	 * Zapping must be able to reach this vma: it has to map the
	 * device's own address_space (the core sets every device fd's
	 * f_mapping to it).
	 */
	if (WARN_ON_ONCE(!vma->vm_file || vma->vm_file->f_mapping !=
			 vfio_device_address_space(&pdev->dev)))
		return -EINVAL;

	/* claim the BAR so no other driver can */
	ret = vfio_pci_setup_barmap(vdev, index);
	if (ret)
		return ret;

	vma->vm_private_data = vdev;
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	/*
	 * vm_pgoff stays the file offset, for unmap_mapping_range(); the
	 * fault handler computes PFNs.  PFNMAP: no struct pages, never
	 * dumped; fork() copies the page tables, zapping finds the copy.
	 */
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &vfio_pci_mmap_ops;
	return 0;
}
