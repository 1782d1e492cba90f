// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_pci_mmap.c - user mappings of BARs.
 *
 * mmap() only records the vma; the BAR is mapped on the first fault, and
 * only while memory decode is on.  When decode goes off or the device is
 * reset, every recorded vma is zapped, so the next access faults again and
 * gets SIGBUS instead of touching a device that cannot answer (which on
 * some platforms takes the host down).
 *
 * Locking: mmap_lock -> vma_lock -> memory_lock.  Zapping needs the mmap
 * lock of each mm while vma_lock orders against faults, so the zap loop
 * drops vma_lock to take mmap_lock and re-takes it (as upstream 5.8+).
 */
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

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

/* Zap every user mapping; return with vma_lock held (1), or 0 if @try failed. */
int vfio_pci_zap_and_vma_lock(struct vfio_pci_device *vdev, bool try)
{
	struct vfio_pci_mmap_vma *mmap_vma, *tmp;

	while (1) {
		struct mm_struct *mm = NULL;

		if (try) {
			if (!mutex_trylock(&vdev->vma_lock))
				return 0;
		} else {
			mutex_lock(&vdev->vma_lock);
		}
		while (!list_empty(&vdev->vma_list)) {
			mmap_vma = list_first_entry(&vdev->vma_list,
						    struct vfio_pci_mmap_vma,
						    vma_next);
			mm = mmap_vma->vma->vm_mm;
			if (mmget_not_zero(mm))
				break;
			/* the mm is exiting: its page tables go with it */
			list_del(&mmap_vma->vma_next);
			kfree(mmap_vma);
			mm = NULL;
		}
		if (!mm)
			return 1;
		mutex_unlock(&vdev->vma_lock);

		if (try) {
			if (!mmap_read_trylock(mm)) {
				mmput(mm);
				return 0;
			}
		} else {
			mmap_read_lock(mm);
		}
		if (try) {
			if (!mutex_trylock(&vdev->vma_lock)) {
				mmap_read_unlock(mm);
				mmput(mm);
				return 0;
			}
		} else {
			mutex_lock(&vdev->vma_lock);
		}
		list_for_each_entry_safe(mmap_vma, tmp, &vdev->vma_list,
					 vma_next) {
			struct vm_area_struct *vma = mmap_vma->vma;

			if (vma->vm_mm != mm)
				continue;
			list_del(&mmap_vma->vma_next);
			kfree(mmap_vma);
			zap_vma_ptes(vma, vma->vm_start,
				     vma->vm_end - vma->vm_start);
		}
		mutex_unlock(&vdev->vma_lock);
		mmap_read_unlock(mm);
		mmput(mm);
	}
}

void vfio_pci_zap_and_down_write_memory_lock(struct vfio_pci_device *vdev)
{
	vfio_pci_zap_and_vma_lock(vdev, false);
	down_write(&vdev->memory_lock);
	mutex_unlock(&vdev->vma_lock);
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

/* caller holds vma_lock */
static int vfio_pci_add_vma(struct vfio_pci_device *vdev,
			    struct vm_area_struct *vma)
{
	struct vfio_pci_mmap_vma *mmap_vma;

	mmap_vma = kmalloc(sizeof(*mmap_vma), GFP_KERNEL);
	if (!mmap_vma)
		return -ENOMEM;
	mmap_vma->vma = vma;
	list_add(&mmap_vma->vma_next, &vdev->vma_list);
	return 0;
}

/* Zap on open (fork, split): the new vma faults in again. */
static void vfio_pci_mmap_open(struct vm_area_struct *vma)
{
	zap_vma_ptes(vma, vma->vm_start, vma->vm_end - vma->vm_start);
}

static void vfio_pci_mmap_close(struct vm_area_struct *vma)
{
	struct vfio_pci_device *vdev = vma->vm_private_data;
	struct vfio_pci_mmap_vma *mmap_vma;

	mutex_lock(&vdev->vma_lock);
	list_for_each_entry(mmap_vma, &vdev->vma_list, vma_next) {
		if (mmap_vma->vma == vma) {
			list_del(&mmap_vma->vma_next);
			kfree(mmap_vma);
			break;
		}
	}
	mutex_unlock(&vdev->vma_lock);
}

static vm_fault_t vfio_pci_mmap_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vfio_pci_device *vdev = vma->vm_private_data;
	struct vfio_pci_mmap_vma *mmap_vma;
	vm_fault_t ret = VM_FAULT_NOPAGE, fret;
	unsigned long addr, pfn;

	mutex_lock(&vdev->vma_lock);
	down_read(&vdev->memory_lock);

	if (!vfio_pci_memory_enabled(vdev)) {
		dev_warn_ratelimited(&vdev->pdev->dev,
				     "BAR access with memory decode off: SIGBUS to %s[%d]; enable memory in the command register first\n",
				     current->comm, task_pid_nr(current));
		ret = VM_FAULT_SIGBUS;
		goto out;
	}

	/*
	 * Map the whole vma on its first fault (one fault per mapping, not
	 * per page).  vmf_insert_pfn() rather than remap_pfn_range(): the
	 * latter needs mmap_lock for write, which a fault does not hold.
	 */
	list_for_each_entry(mmap_vma, &vdev->vma_list, vma_next) {
		if (mmap_vma->vma == vma)
			goto insert_one;
	}
	if (vfio_pci_add_vma(vdev, vma)) {
		ret = VM_FAULT_OOM;
		goto out;
	}
	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		pfn = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
		fret = vmf_insert_pfn(vma, addr, pfn);
		if (fret & VM_FAULT_ERROR)
			break;
	}
insert_one:
	/* the faulting page at least (also after a partial fill) */
	pfn = vma->vm_pgoff + ((vmf->address - vma->vm_start) >> PAGE_SHIFT);
	fret = vmf_insert_pfn(vma, vmf->address & PAGE_MASK, pfn);
	if (fret & VM_FAULT_ERROR)
		ret = fret;
out:
	up_read(&vdev->memory_lock);
	mutex_unlock(&vdev->vma_lock);
	return ret;
}

static const struct vm_operations_struct vfio_pci_mmap_ops = {
	.open = vfio_pci_mmap_open,
	.close = vfio_pci_mmap_close,
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

	/* claim the BAR so no other driver can */
	ret = vfio_pci_setup_barmap(vdev, index);
	if (ret)
		return ret;

	vma->vm_private_data = vdev;
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_pgoff = (pci_resource_start(pdev, index) >> PAGE_SHIFT) +
			pgoff;
	/* PFNMAP: no struct pages, never copied on fork, never dumped */
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &vfio_pci_mmap_ops;
	return 0;
}
