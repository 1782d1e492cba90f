/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvfioctl.h - the public interface of libvfioctl.
 *
 * Object hierarchy:
 *
 *   vfioctl_ctx                    library context: log, roots, last error
 *     +-- vfioctl_container        /dev/vfio/vfio                (refcounted)
 *     +-- vfioctl_kvm              a VM's KVM-VFIO device        (refcounted)
 *     +-- vfioctl_group            /dev/vfio/N, /dev/vfio/noiommu-N (refcounted)
 *           +-- vfioctl_device     device fd                     (refcounted)
 *                 +-- vfioctl_region   owned by the device, found lazily
 *                 +-- vfioctl_irq      owned by the device, found lazily
 *
 * Threads may share every object.  Attaching groups, setting the IOMMU
 * model and mapping DMA on one container may happen from several threads
 * at once (the locking is described in libvfioctl-private.h); mmap and
 * munmap of one region are the caller's to serialize.
 *
 * Refcounted objects hold a reference on their parent (a device on its
 * group, a group on its container once attached, everything on the
 * context), so they may be released in any order.  Every ref() returns
 * its argument, every unref() returns nothing; both accept NULL.
 *
 * Every function returning int returns >= 0 on success or a negative
 * errno; given a NULL object (or a NULL pointer to store a result in)
 * it returns -EINVAL.  Getters of other types return NULL, 0 or "" for a
 * NULL object, and setters returning void ignore it.  After a failure, vfioctl_get_last_error() gives a sentence
 * naming the ioctl, the object, the errno and what to do about it.
 */
#ifndef LIBVFIOCTL_H
#define LIBVFIOCTL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ context */

struct vfioctl_ctx;

int vfioctl_new(struct vfioctl_ctx **ctx);
struct vfioctl_ctx *vfioctl_ref(struct vfioctl_ctx *ctx);
void vfioctl_unref(struct vfioctl_ctx *ctx);

typedef void (*vfioctl_log_fn)(struct vfioctl_ctx *ctx, int priority,
			       const char *file, int line, const char *fn,
			       const char *format, va_list args, void *data);
void vfioctl_set_log_fn(struct vfioctl_ctx *ctx, vfioctl_log_fn log_fn,
			void *data);
int vfioctl_get_log_priority(struct vfioctl_ctx *ctx);
void vfioctl_set_log_priority(struct vfioctl_ctx *ctx, int priority);

/* The library's version, "MAJOR.MINOR.PATCH[-suffix]". */
const char *vfioctl_get_version(void);

/*
 * The text of the last failure of a call on @ctx made by the calling
 * thread, and its (positive) errno; "" and 0 if there was none.
 */
const char *vfioctl_get_last_error(struct vfioctl_ctx *ctx);
int vfioctl_get_last_errno(struct vfioctl_ctx *ctx);

/* The sysfs and /dev roots in use ("/sys", "/dev" unless overridden). */
const char *vfioctl_get_sysfs_root(struct vfioctl_ctx *ctx);
const char *vfioctl_get_dev_root(struct vfioctl_ctx *ctx);

/**
 * vfioctl_set_root() - point the context at another sysfs and /dev
 * @ctx: the context
 * @sysfs_root: absolute path used instead of "/sys", or NULL to keep it
 * @dev_root: absolute path used instead of "/dev", or NULL to keep it
 *
 * For test suites and dry runs.  vfioctl_new() never reads the roots from
 * the environment.  Objects opened before the call keep their paths.
 *
 * Return: 0, -EINVAL (NULL @ctx or a relative path), -ENAMETOOLONG, or
 * -EBUSY once the IOMMU groups were enumerated; on failure neither root
 * changes.
 */
int vfioctl_set_root(struct vfioctl_ctx *ctx, const char *sysfs_root,
		     const char *dev_root);

/**
 * vfioctl_set_userdata() - attach a pointer of the caller's to @ctx
 * @ctx: the context; NULL is ignored
 * @userdata: anything; the library never uses it
 */
void vfioctl_set_userdata(struct vfioctl_ctx *ctx, void *userdata);
/* Return: the pointer given to vfioctl_set_userdata(), or NULL. */
void *vfioctl_get_userdata(struct vfioctl_ctx *ctx);

/* 1 if the vfio module runs with enable_unsafe_noiommu_mode=Y, else 0. */
int vfioctl_noiommu_enabled(struct vfioctl_ctx *ctx);

/* ---------------------------------------------------------- container */

struct vfioctl_container;

/*
 * Adopting fds a manager opened (libvirt hands QEMU its fds this way):
 * vfioctl_container_from_fd(), vfioctl_group_from_fd() and
 * vfioctl_device_from_fd() check that the fd answers the ioctl of its
 * kind (VFIO_GET_API_VERSION, VFIO_GROUP_GET_STATUS,
 * VFIO_DEVICE_GET_INFO) and then OWN it: the object's last unref closes
 * it, and it is made close-on-exec like the library's own fds.  On
 * failure the fd is left open and unchanged, still the caller's.
 * Return: 0; -EINVAL for NULL arguments; -EBADF if the fd is not open;
 * the ioctl's errno (-ENOTTY for a non-VFIO fd), with a last error that
 * names the fd and what it is.
 */
int vfioctl_container_from_fd(struct vfioctl_ctx *ctx, int fd,
			      struct vfioctl_container **container);

/* Pass to vfioctl_container_set_iommu() to pick the best type. */
#define VFIOCTL_IOMMU_AUTO 0

int vfioctl_container_open(struct vfioctl_ctx *ctx,
			   struct vfioctl_container **container);
struct vfioctl_container *
vfioctl_container_ref(struct vfioctl_container *container);
void vfioctl_container_unref(struct vfioctl_container *container);
struct vfioctl_ctx *
vfioctl_container_get_ctx(struct vfioctl_container *container);
int vfioctl_container_get_fd(struct vfioctl_container *container);

int vfioctl_container_get_api_version(struct vfioctl_container *container);
int vfioctl_container_check_extension(struct vfioctl_container *container,
				      unsigned int extension);
int vfioctl_container_set_iommu(struct vfioctl_container *container,
				int type);
int vfioctl_container_get_iommu_type(struct vfioctl_container *container);

int vfioctl_container_get_iova_pgsizes(struct vfioctl_container *container,
				       uint64_t *pgsizes);
int vfioctl_container_get_num_iova_ranges(struct vfioctl_container *container);
int vfioctl_container_get_iova_range(struct vfioctl_container *container,
				     unsigned int index, uint64_t *start,
				     uint64_t *end);
int vfioctl_container_get_dma_avail(struct vfioctl_container *container,
				    uint32_t *avail);

/* @flags: VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE */
int vfioctl_container_map_dma(struct vfioctl_container *container,
			      void *vaddr, uint64_t iova, uint64_t size,
			      uint32_t flags);
int vfioctl_container_unmap_dma(struct vfioctl_container *container,
				uint64_t iova, uint64_t size,
				uint64_t *unmapped);
int vfioctl_container_unmap_all(struct vfioctl_container *container,
				uint64_t *unmapped);

/* -------------------------------------------------------------- group */

struct vfioctl_group;

int vfioctl_group_open(struct vfioctl_ctx *ctx, int number,
		       struct vfioctl_group **group);
int vfioctl_group_open_by_device(struct vfioctl_ctx *ctx, const char *addr,
				 struct vfioctl_group **group);
int vfioctl_group_number_of_device(struct vfioctl_ctx *ctx, const char *addr);
/*
 * See vfioctl_container_from_fd().  The group number is taken from the
 * node's name, -1 if it is not /dev/vfio/N; a container the group was
 * attached to before adoption is not known (get_container says NULL).
 */
int vfioctl_group_from_fd(struct vfioctl_ctx *ctx, int fd,
			  struct vfioctl_group **group);
struct vfioctl_group *vfioctl_group_ref(struct vfioctl_group *group);
void vfioctl_group_unref(struct vfioctl_group *group);
struct vfioctl_ctx *vfioctl_group_get_ctx(struct vfioctl_group *group);
int vfioctl_group_get_fd(struct vfioctl_group *group);
int vfioctl_group_get_number(struct vfioctl_group *group);
int vfioctl_group_is_noiommu(struct vfioctl_group *group);

int vfioctl_group_get_status(struct vfioctl_group *group, uint32_t *flags);
int vfioctl_group_is_viable(struct vfioctl_group *group);
int vfioctl_group_set_container(struct vfioctl_group *group,
				struct vfioctl_container *container);
int vfioctl_group_unset_container(struct vfioctl_group *group);
struct vfioctl_container *
vfioctl_group_get_container(struct vfioctl_group *group);

/* ------------------------------------------------------------- device */

struct vfioctl_device;

int vfioctl_device_open(struct vfioctl_group *group, const char *name,
			struct vfioctl_device **device);
/*
 * See vfioctl_container_from_fd().  @name (may be NULL) is only used in
 * messages and by vfioctl_device_get_name().
 */
int vfioctl_device_from_fd(struct vfioctl_group *group, int fd,
			   const char *name, struct vfioctl_device **device);
struct vfioctl_device *vfioctl_device_ref(struct vfioctl_device *device);
void vfioctl_device_unref(struct vfioctl_device *device);
struct vfioctl_ctx *vfioctl_device_get_ctx(struct vfioctl_device *device);
struct vfioctl_group *vfioctl_device_get_group(struct vfioctl_device *device);
int vfioctl_device_get_fd(struct vfioctl_device *device);
const char *vfioctl_device_get_name(struct vfioctl_device *device);

/* VFIO_DEVICE_FLAGS_*, the number of regions and of interrupt indexes. */
uint32_t vfioctl_device_get_flags(struct vfioctl_device *device);
unsigned int vfioctl_device_get_num_regions(struct vfioctl_device *device);
unsigned int vfioctl_device_get_num_irqs(struct vfioctl_device *device);

/**
 * vfioctl_device_get_info_cap() - a capability of VFIO_DEVICE_GET_INFO
 * @device: the device
 * @id: VFIO_DEVICE_INFO_CAP_* (zPCI, PCI atomic completer, ...)
 * @cap: set to the capability's header, followed by its payload; it
 *       points into the device's copy of the reply and lives as long as
 *       the device
 * @size: if not NULL, set to the bytes available at *@cap (header
 *        included); check it against the payload struct before reading,
 *        and memcpy() the payload first: caps are only 4-byte aligned
 *
 * Return: 0; -ENODATA if the device has no such capability; -EINVAL.
 */
int vfioctl_device_get_info_cap(struct vfioctl_device *device,
				unsigned int id,
				const struct vfio_info_cap_header **cap,
				size_t *size);
/*
 * The ids of the device-info capabilities in chain order: fills up to
 * @max entries of @ids (may be NULL with @max 0) and returns how many
 * there are.
 */
int vfioctl_device_get_info_cap_ids(struct vfioctl_device *device,
				    uint16_t *ids, unsigned int max);

int vfioctl_device_reset(struct vfioctl_device *device);

/* One device whose reset is tied to this one's (PCI hot reset). */
struct vfioctl_reset_dep {
	uint32_t group;		/* IOMMU group, or -1 if not owned (6.5+) */
	uint16_t segment;
	uint8_t bus;
	uint8_t devfn;
};
/*
 * Fills up to @max entries and returns how many there are, which may be
 * more than @max: call again with a bigger array.
 */
int vfioctl_device_get_hot_reset_info(struct vfioctl_device *device,
				      struct vfioctl_reset_dep *deps,
				      unsigned int max);

/**
 * vfioctl_device_pci_hot_reset() - reset the device's bus or slot
 * @device: a PCI device
 * @groups: the other groups of the devices the reset affects (see
 *          vfioctl_device_get_hot_reset_info()); the device's own group
 *          is always passed and may be repeated here
 * @n: the number of @groups (@groups may be NULL when 0)
 *
 * Return: 0; -EINVAL with a last error naming the first affected device
 * whose group is missing from @groups, before the kernel is asked; or
 * the errno of VFIO_DEVICE_GET_PCI_HOT_RESET_INFO or
 * VFIO_DEVICE_PCI_HOT_RESET.
 */
int vfioctl_device_pci_hot_reset(struct vfioctl_device *device,
				 struct vfioctl_group *const *groups,
				 unsigned int n);

/* ------------------------------------------------------------- region */

struct vfioctl_region;

int vfioctl_device_get_region(struct vfioctl_device *device,
			      unsigned int index,
			      struct vfioctl_region **region);
struct vfioctl_device *vfioctl_region_get_device(struct vfioctl_region *region);
struct vfioctl_ctx *vfioctl_region_get_ctx(struct vfioctl_region *region);
unsigned int vfioctl_region_get_index(struct vfioctl_region *region);
uint32_t vfioctl_region_get_flags(struct vfioctl_region *region);
uint64_t vfioctl_region_get_size(struct vfioctl_region *region);
uint64_t vfioctl_region_get_offset(struct vfioctl_region *region);

int vfioctl_region_get_type(struct vfioctl_region *region, uint32_t *type,
			    uint32_t *subtype);
int vfioctl_region_is_msix_mappable(struct vfioctl_region *region);
int vfioctl_region_get_num_sparse_areas(struct vfioctl_region *region);
int vfioctl_region_get_sparse_area(struct vfioctl_region *region,
				   unsigned int index, uint64_t *offset,
				   uint64_t *size);

int vfioctl_region_read(struct vfioctl_region *region, uint64_t offset,
			void *buf, size_t len);
int vfioctl_region_write(struct vfioctl_region *region, uint64_t offset,
			 const void *buf, size_t len);

/*
 * Maps the mmap-able parts of the region (its sparse areas, or all of it)
 * at one base address; the rest stays PROT_NONE.
 */
int vfioctl_region_mmap(struct vfioctl_region *region, int prot,
			void **addr);
int vfioctl_region_munmap(struct vfioctl_region *region);
int vfioctl_region_is_mapped(struct vfioctl_region *region, uint64_t offset,
			     uint64_t len);

/* ---------------------------------------------------------------- irq */

struct vfioctl_irq;

int vfioctl_device_get_irq(struct vfioctl_device *device, unsigned int index,
			   struct vfioctl_irq **irq);
struct vfioctl_device *vfioctl_irq_get_device(struct vfioctl_irq *irq);
struct vfioctl_ctx *vfioctl_irq_get_ctx(struct vfioctl_irq *irq);
unsigned int vfioctl_irq_get_index(struct vfioctl_irq *irq);
uint32_t vfioctl_irq_get_flags(struct vfioctl_irq *irq);
unsigned int vfioctl_irq_get_count(struct vfioctl_irq *irq);

int vfioctl_irq_enable(struct vfioctl_irq *irq, unsigned int start,
		       unsigned int count, const int *eventfds);
int vfioctl_irq_disable(struct vfioctl_irq *irq);
int vfioctl_irq_mask(struct vfioctl_irq *irq, unsigned int start,
		     unsigned int count);
int vfioctl_irq_unmask(struct vfioctl_irq *irq, unsigned int start,
		       unsigned int count);
int vfioctl_irq_trigger(struct vfioctl_irq *irq, unsigned int start,
			unsigned int count);
int vfioctl_irq_set_unmask_eventfd(struct vfioctl_irq *irq,
				   unsigned int start, int eventfd);

/* ----------------------------------------------------------- topology */

/*
 * The kernel's IOMMU groups (<sysfs>/kernel/iommu_groups) and the devices
 * in each, whether or not they have a VFIO node.  The context reads them
 * once, on the first call, and owns them: the objects live as long as the
 * context and show the system as it was then.  Groups come in number
 * order, devices in name order.
 */
struct vfioctl_iommu_group;
struct vfioctl_iommu_dev;

/*
 * Return: the number of groups; -ENODEV if there are none (no IOMMU: the
 * directory is missing or empty, as kernels leave it); another -errno.
 */
int vfioctl_iommu_groups_scan(struct vfioctl_ctx *ctx);
/* NULL when there are no groups or the scan failed (see the last error). */
struct vfioctl_iommu_group *vfioctl_iommu_group_get_first(struct vfioctl_ctx *ctx);
struct vfioctl_iommu_group *
vfioctl_iommu_group_get_next(struct vfioctl_iommu_group *group);
int vfioctl_iommu_group_get_number(struct vfioctl_iommu_group *group);
struct vfioctl_ctx *vfioctl_iommu_group_get_ctx(struct vfioctl_iommu_group *group);

struct vfioctl_iommu_dev *vfioctl_iommu_dev_get_first(struct vfioctl_iommu_group *group);
struct vfioctl_iommu_dev *vfioctl_iommu_dev_get_next(struct vfioctl_iommu_dev *dev);
struct vfioctl_iommu_group *vfioctl_iommu_dev_get_group(struct vfioctl_iommu_dev *dev);
/* "0000:01:00.0" for PCI; the sysfs name for other buses. */
const char *vfioctl_iommu_dev_get_name(struct vfioctl_iommu_dev *dev);
/* The bound driver at scan time, "" when none. */
const char *vfioctl_iommu_dev_get_driver(struct vfioctl_iommu_dev *dev);
/* PCI vendor and device IDs, 0 when not PCI. */
unsigned int vfioctl_iommu_dev_get_vendor(struct vfioctl_iommu_dev *dev);
unsigned int vfioctl_iommu_dev_get_device(struct vfioctl_iommu_dev *dev);

#define vfioctl_iommu_group_foreach(ctx, group)				\
	for (group = vfioctl_iommu_group_get_first(ctx); group != NULL;	\
	     group = vfioctl_iommu_group_get_next(group))
#define vfioctl_iommu_dev_foreach(group, dev)				\
	for (dev = vfioctl_iommu_dev_get_first(group); dev != NULL;	\
	     dev = vfioctl_iommu_dev_get_next(dev))

/* ---------------------------------------------------------------- kvm */

/*
 * The KVM-VFIO device of one VM (KVM_DEV_TYPE_VFIO), through which KVM
 * learns the VFIO groups the VM uses.  A VM may have only one: create it
 * once per VM and add every group through it.
 */
struct vfioctl_kvm;

/**
 * vfioctl_kvm_new() - create the KVM-VFIO device of a VM
 * @ctx: the context
 * @vm_fd: the fd KVM_CREATE_VM returned; not kept, not closed
 * @kvm: set to the new object, which owns the device fd
 *
 * Return: 0; -EINVAL (NULL), -EBADF (@vm_fd not open), -ENOTTY (not a
 * KVM VM), -EBUSY (the VM already has a KVM-VFIO device), -ENODEV.
 */
int vfioctl_kvm_new(struct vfioctl_ctx *ctx, int vm_fd,
		    struct vfioctl_kvm **kvm);
struct vfioctl_kvm *vfioctl_kvm_ref(struct vfioctl_kvm *kvm);
void vfioctl_kvm_unref(struct vfioctl_kvm *kvm);
/* The KVM-VFIO device fd, for the caller's own ioctls. */
int vfioctl_kvm_get_fd(struct vfioctl_kvm *kvm);
/*
 * KVM_SET_DEVICE_ATTR with KVM_DEV_VFIO_FILE (KVM_DEV_VFIO_GROUP before
 * 6.6, same value) and _ADD or _DEL.  Return: 0 or the ioctl's -errno;
 * _DEL of a group never added is -ENOENT.
 */
int vfioctl_kvm_add_group(struct vfioctl_kvm *kvm, struct vfioctl_group *group);
int vfioctl_kvm_del_group(struct vfioctl_kvm *kvm, struct vfioctl_group *group);

#ifdef __cplusplus
}
#endif

#endif /* LIBVFIOCTL_H */
