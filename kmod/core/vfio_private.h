/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio_private.h - the objects of the core module and what its files share
 * with each other and nobody else.
 *
 * Object model (classic vfio.c, see shared/seed/vfio.c.rst):
 *
 *   container (/dev/vfio/vfio fd)  <--- group (/dev/vfio/N)  <--- device
 *
 * Lifetime rules:
 *  - A container is allocated on open of /dev/vfio/vfio and freed by kref.
 *    The container fd holds one reference, every attached group another.
 *  - A group holds a reference on its iommu_group.  References on a group:
 *    every registered device, an open group fd, every external user, and
 *    short-lived lookups.  The last put (kref_put_mutex under
 *    vfio.group_lock) removes the /dev/vfio node, the minor and the lookup
 *    entry, so a group in the lookup table always has a non-zero kref.
 *  - A device holds a reference on its group.  References on a device: the
 *    bus driver's (dropped by vfio_del_group_dev), every device fd, and
 *    short-lived lookups.  The last put (kref_put_mutex under
 *    group->device_lock) unlinks it and wakes vfio_del_group_dev().
 *  - group->container_users counts users of the group's container
 *    attachment: the group fd that did SET_CONTAINER counts 1 (while
 *    group->fd_user says it still holds it), every device fd and every
 *    external user 1 more.  Whoever drops it to 0 unsets the container,
 *    which is how container, group and device fds can be closed in any
 *    order by any process.  Only the holder of a count may drop it: the
 *    group fd's count is dropped once (UNSET_CONTAINER, close, or the
 *    revocation when the last device goes), never an external user's.
 *
 * Locking order (outer first):
 *   group->ioctl_lock > container->group_lock (rwsem) > vfio.iommu_drivers_lock
 *   vfio.group_lock > group->device_lock
 * Module references: each fd pins this module through its fops owner; a
 * container with a backend pins the backend's module.
 */
#ifndef VFIOCTL_CORE_PRIVATE_H
#define VFIOCTL_CORE_PRIVATE_H

#include <linux/cdev.h>
#include <linux/idr.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <uapi/vfioctl_genl.h>

#include "vfio.h"

/* Who opened something: reported through netlink. */
struct vfio_holder {
	pid_t	pid;
	char	comm[TASK_COMM_LEN];
};

void vfio_holder_init(struct vfio_holder *holder);

/* A registered IOMMU backend; lives on vfio.iommu_drivers_list. */
struct vfio_iommu_driver {
	const struct vfio_iommu_driver_ops	*ops;
	struct list_head			vfio_next;
};

/**
 * struct vfio_container - an open /dev/vfio/vfio
 * @kref:         see the lifetime rules above
 * @group_list:   attached groups; under @group_lock
 * @group_lock:   write for attach/detach and SET_IOMMU, read for
 *                forwarding to the backend and CHECK_EXTENSION
 * @iommu_driver: backend chosen by SET_IOMMU, NULL before; under @group_lock
 * @iommu_data:   backend's cookie; under @group_lock
 * @iommu_type:   the SET_IOMMU argument
 * @noiommu:      the attached groups are no-IOMMU groups
 * @id:           introspection id (vfio.containers xarray)
 * @holder:       who opened /dev/vfio/vfio
 */
struct vfio_container {
	struct kref			kref;
	struct list_head		group_list;
	struct rw_semaphore		group_lock;
	struct vfio_iommu_driver	*iommu_driver;
	void				*iommu_data;
	unsigned long			iommu_type;
	bool				noiommu;
	u32				id;
	struct vfio_holder		holder;
};

enum vfio_group_type {
	VFIO_IOMMU,		/* real IOMMU: DMA ownership is claimed */
	VFIO_EMULATED_IOMMU,	/* DMA never reaches hardware (vfio_test) */
	VFIO_NO_IOMMU,		/* enable_unsafe_noiommu_mode */
};

/**
 * struct vfio_group - a /dev/vfio/N node, one per iommu_group in use
 * @kref:            see the lifetime rules above
 * @minor:           chrdev minor; fixed
 * @container_users: see the lifetime rules above
 * @opened:          1 while a group fd is open (single opener)
 * @external_users:  external users (KVM, hot reset) holding the group
 * @iommu_group:     referenced for the group's whole life
 * @container:       the container, or NULL; changed under the container's
 *                   group_lock (write) and @ioctl_lock
 * @container_next:  on container->group_list
 * @device_list:     registered devices; under @device_lock
 * @nr_devices:      length of @device_list
 * @ioctl_lock:      serialises the group ioctls, release and revocation
 * @type:            see enum vfio_group_type
 * @dev:             the class device behind /dev/vfio/N
 * @holder:          who has the group fd open (valid while @opened)
 * @fd_user:         the group fd still holds its container_users count
 *                   (taken by SET_CONTAINER); under @ioctl_lock
 * @dma_owned:       we hold DMA ownership of @iommu_group; under the
 *                   container's group_lock
 * @container_id:    @container's id or 0, for introspection without
 *                   touching @container
 */
struct vfio_group {
	struct kref			kref;
	int				minor;
	atomic_t			container_users;
	atomic_t			opened;
	atomic_t			external_users;
	struct iommu_group		*iommu_group;
	struct vfio_container		*container;
	struct list_head		container_next;
	struct list_head		device_list;
	struct mutex			device_lock;
	unsigned int			nr_devices;
	struct mutex			ioctl_lock;
	enum vfio_group_type		type;
	struct device			*dev;
	struct vfio_holder		holder;
	bool				fd_user;
	bool				dma_owned;
	u32				container_id;
};

/**
 * struct vfio_device - a device registered by a bus driver
 * @kref:        see the lifetime rules above
 * @dev:         the physical/emulated device, referenced (get_device) for
 *               the vfio_device's life; its drvdata points here until the
 *               last put clears it under group->device_lock
 * @ops:         the bus driver's callbacks
 * @group:       referenced for the device's whole life
 * @group_next:  on group->device_list
 * @device_data: the bus driver's cookie
 * @file_list:   open device fds (struct vfio_device_file); under
 *               group->device_lock
 * @open_count:  length of @file_list
 * @requests:    ops->request calls so far during removal
 */
struct vfio_device {
	struct kref			kref;
	struct device			*dev;
	const struct vfio_device_ops	*ops;
	struct vfio_group		*group;
	struct list_head		group_next;
	void				*device_data;
	struct list_head		file_list;
	unsigned int			open_count;
	unsigned int			requests;
	/*
	 * The address_space of every fd of the device (their f_mapping):
	 * an inode on the core's pseudo filesystem, allocated with the
	 * device and put in vfio_device_release(), so it outlives every
	 * fd and every vma mapping one (a vma holds its file).
	 */
	struct inode			*inode;
};

/* The private_data of a device fd. */
struct vfio_device_file {
	struct vfio_device	*device;
	struct list_head	device_next;
	struct vfio_holder	holder;
};

/* Global state of the core; see vfio_main.c. */
struct vfio_core {
	struct class		*class;
	struct list_head	iommu_drivers_list;
	struct mutex		iommu_drivers_lock;
	struct mutex		group_lock;	/* groups, group_minors */
	struct xarray		groups;		/* iommu_group id -> group */
	struct idr		group_minors;	/* minor -> group */
	struct xarray		containers;	/* id -> container */
	dev_t			group_devt;
	struct cdev		group_cdev;	/* all group minors */
	wait_queue_head_t	release_q;
	atomic_t		nr_devices;
};

extern struct vfio_core vfio;
extern bool vfio_noiommu;
extern const struct vfio_iommu_driver_ops vfio_noiommu_ops;
extern const struct file_operations vfio_fops;
extern const struct file_operations vfio_group_fops;
extern const struct file_operations vfio_device_fops;

/* container.c */
void vfio_container_get(struct vfio_container *container);
void vfio_container_put(struct vfio_container *container);
long vfio_ioctl_check_extension(struct vfio_container *container,
				unsigned long arg);
int vfio_container_attach_group(struct vfio_container *container,
				struct vfio_group *group);
void __vfio_group_unset_container(struct vfio_group *group);
bool vfio_iommu_driver_allowed(struct vfio_container *container,
			       struct vfio_iommu_driver *driver);

/* group.c */
int vfio_group_init(void);
void vfio_group_exit(void);
struct vfio_group *vfio_create_group(struct iommu_group *iommu_group,
				     enum vfio_group_type type);
struct vfio_group *vfio_group_get_from_iommu(struct iommu_group *iommu_group);
void vfio_group_get(struct vfio_group *group);
void vfio_group_put(struct vfio_group *group);
bool vfio_group_viable(struct vfio_group *group);
int vfio_group_blocker(struct vfio_group *group, char *dev, size_t dev_len,
		       char *drv, size_t drv_len);
void vfio_group_try_dissolve_container(struct vfio_group *group);
void vfio_group_revoke_container(struct vfio_group *group);
int vfio_group_nb_add_dev(struct vfio_group *group, struct device *dev);

/* device.c */
struct vfio_device *vfio_group_get_device(struct vfio_group *group,
					  struct device *dev);
struct vfio_device *vfio_group_get_device_by_name(struct vfio_group *group,
						  const char *name);
int vfio_group_get_device_fd(struct vfio_group *group, const char *name);
void vfio_device_get(struct vfio_device *device);

/* noiommu.c */
bool vfio_iommu_group_is_noiommu(struct iommu_group *iommu_group);

/* netlink.c */
int vfio_netlink_init(void);
void vfio_netlink_exit(void);
void vfio_nl_event(enum vfioctl_event event, struct vfio_group *group,
		   struct vfio_container *container,
		   struct vfio_device *device,
		   const struct vfio_holder *holder);

#endif
