/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio.h - the in-kernel API of the vfioctl VFIO core (module "vfio").
 *
 * This is the one header that IOMMU backends (vfio_iommu_type1) and bus
 * drivers (vfio-pci, vfio_test) include.  It keeps the classic interface
 * (ops tables with a void *device_data / void *iommu_data cookie) described
 * in shared/seed/vfio.c.rst, implemented on the 6.x kernel mechanisms
 * (DMA ownership instead of the iommu-group notifier).
 *
 * Never include the kernel's own <linux/vfio.h> next to this file: it
 * declares the upstream in-kernel API, which differs.  The userspace ABI
 * comes from <uapi/linux/vfio.h>, which is identical in both.
 */
#ifndef VFIOCTL_KMOD_VFIO_H
#define VFIOCTL_KMOD_VFIO_H

#include <linux/types.h>
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <uapi/linux/vfio.h>

struct vfio_group;
struct vfio_device;
struct vfio_container;
struct kvm;

/* ------------------------------------------------------------------ bus drivers */

/**
 * struct vfio_device_ops - what a bus driver provides for each device
 * @name:    bus driver name, reported through introspection
 * @open:    the first GET_DEVICE_FD on a device (and each later one) calls
 *           this; return 0 or -errno.  Called with no core locks held.
 * @release: the device fd was closed
 * @read, @write, @ioctl, @mmap: file operations on the device fd
 * @request: the core asks the user to release the device (unbind/removal);
 *           @count counts the requests so far
 * @match:   optional, is @buf (GET_DEVICE_FD's whole name string) this
 *           device?  1 yes, 0 no, -errno to fail GET_DEVICE_FD; called
 *           under the group's device lock.  Without it the name must be
 *           dev_name() exactly.
 */
struct vfio_device_ops {
	char	*name;
	int	(*open)(void *device_data);
	void	(*release)(void *device_data);
	ssize_t	(*read)(void *device_data, char __user *buf,
			size_t count, loff_t *ppos);
	ssize_t	(*write)(void *device_data, const char __user *buf,
			 size_t count, loff_t *ppos);
	long	(*ioctl)(void *device_data, unsigned int cmd,
			 unsigned long arg);
	int	(*mmap)(void *device_data, struct vm_area_struct *vma);
	void	(*request)(void *device_data, unsigned int count);
	int	(*match)(void *device_data, const char *buf);
};

/*
 * Register @dev (which must be in an IOMMU group, or in a no-IOMMU group made
 * by vfio_iommu_group_get()) with the core.  The core keeps @device_data as
 * the cookie for @ops and owns dev drvdata from here until
 * vfio_del_group_dev() returns: bus drivers must not use dev_set_drvdata().
 */
int vfio_add_group_dev(struct device *dev, const struct vfio_device_ops *ops,
		       void *device_data);
/*
 * Unregister @dev.  Blocks until every user has released the device,
 * calling ops->request() periodically and logging who holds it.  Returns
 * the device_data given to vfio_add_group_dev().
 */
void *vfio_del_group_dev(struct device *dev);

/*
 * Like vfio_add_group_dev() for a device whose DMA never reaches hardware
 * (emulated devices, vfio_test): the caller made @dev's IOMMU group itself
 * (iommu_group_alloc + iommu_group_add_device); the core never claims DMA
 * ownership of it and the group is always viable.  Unregister with
 * vfio_del_group_dev().
 */
int vfio_add_emulated_group_dev(struct device *dev,
				const struct vfio_device_ops *ops,
				void *device_data);

/*
 * The address_space of every device fd of @dev (their f_mapping), or NULL
 * if @dev is not registered.  A bus driver takes its users' mappings down
 * with unmap_mapping_range() on it, which reaches every vma of every fd of
 * the device, also those copied by fork() or moved by mremap(); for that,
 * the driver's mmap must leave vm_pgoff the file offset.  Valid between
 * vfio_add_group_dev() and vfio_del_group_dev().
 */
struct address_space *vfio_device_address_space(struct device *dev);

/* The magic of the pseudo filesystem whose inodes own those address_spaces. */
#define VFIO_FS_MAGIC	0x5646494f	/* "VFIO" */

struct vfio_device *vfio_device_get_from_dev(struct device *dev);
void vfio_device_put(struct vfio_device *device);
void *vfio_device_data(struct vfio_device *device);

/*
 * Group handling for bus drivers: take a reference on the device's IOMMU
 * group, or (with enable_unsafe_noiommu_mode) create a no-IOMMU group for a
 * device that has none, tainting the kernel.  Pair with
 * vfio_iommu_group_put().
 */
struct iommu_group *vfio_iommu_group_get(struct device *dev);
void vfio_iommu_group_put(struct iommu_group *group, struct device *dev);

/* ------------------------------------------------------------------ IOMMU backends */

/**
 * struct vfio_iommu_stats - what a backend reports to introspection
 * @dma_mappings: number of live DMA mappings
 * @pinned_bytes: bytes of user memory pinned for them
 * @locked_bytes: bytes charged to the owner's locked_vm
 */
struct vfio_iommu_stats {
	u64	dma_mappings;
	u64	pinned_bytes;
	u64	locked_bytes;
};

/**
 * struct vfio_iommu_driver_ops - an IOMMU backend
 * @open:         SET_IOMMU(@arg); return the backend's iommu_data or ERR_PTR
 * @release:      the container lost its last group or was closed
 * @ioctl:        container ioctls other than the core's own; CHECK_EXTENSION
 *                is also asked with a NULL @iommu_data before any open
 * @attach_group/@detach_group: a group joins or leaves the container
 * @stats:        optional, fills a struct vfio_iommu_stats; called from
 *                netlink dumps, so it must not wait for locks held across
 *                long operations (a whole MAP_DMA): read counters instead
 */
struct vfio_iommu_driver_ops {
	char		*name;
	struct module	*owner;
	void		*(*open)(unsigned long arg);
	void		(*release)(void *iommu_data);
	ssize_t		(*read)(void *iommu_data, char __user *buf,
				size_t count, loff_t *ppos);
	ssize_t		(*write)(void *iommu_data, const char __user *buf,
				 size_t count, loff_t *size);
	long		(*ioctl)(void *iommu_data, unsigned int cmd,
				 unsigned long arg);
	int		(*mmap)(void *iommu_data, struct vm_area_struct *vma);
	int		(*attach_group)(void *iommu_data,
					struct iommu_group *group);
	void		(*detach_group)(void *iommu_data,
					struct iommu_group *group);
	void		(*stats)(void *iommu_data,
				 struct vfio_iommu_stats *stats);
};

int vfio_register_iommu_driver(const struct vfio_iommu_driver_ops *ops);
void vfio_unregister_iommu_driver(const struct vfio_iommu_driver_ops *ops);

/* ------------------------------------------------------------------ external users (KVM, hot reset) */

struct vfio_group *vfio_group_get_external_user(struct file *filep);
void vfio_group_put_external_user(struct vfio_group *group);
int vfio_external_user_iommu_id(struct vfio_group *group);
long vfio_external_check_extension(struct vfio_group *group,
				   unsigned long arg);
/* Is @group the group of @dev?  (hot-reset ownership checks) */
bool vfio_external_group_match_dev(struct vfio_group *group,
				   struct device *dev);

/*
 * The kernel's kvm-vfio device resolves these with symbol_get(); the
 * signatures are the upstream ones of 6.1 and 6.12.
 */
bool vfio_file_is_group(struct file *file);
bool vfio_file_is_valid(struct file *file);
bool vfio_file_enforced_coherent(struct file *file);
void vfio_file_set_kvm(struct file *file, struct kvm *kvm);
struct iommu_group *vfio_file_iommu_group(struct file *file);
bool vfio_file_has_dev(struct file *file, struct vfio_device *device);

/* ------------------------------------------------------------------ info capability chains */

struct vfio_info_cap {
	struct vfio_info_cap_header *buf;
	size_t size;
};

struct vfio_info_cap_header *vfio_info_cap_add(struct vfio_info_cap *caps,
					       size_t size, u16 id,
					       u16 version);
void vfio_info_cap_shift(struct vfio_info_cap *caps, size_t offset);
int vfio_info_add_capability(struct vfio_info_cap *caps,
			     struct vfio_info_cap_header *cap, size_t size);

/* ------------------------------------------------------------------ helpers for bus drivers */

int vfio_set_irqs_validate_and_prepare(struct vfio_irq_set *hdr,
				       int num_irqs, int max_irq_type,
				       size_t *data_size);

#endif /* VFIOCTL_KMOD_VFIO_H */
