/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR MIT */
/*
 * vfioctl_genl.h - generic netlink ABI of vfioctl's VFIO core module.
 *
 * Upstream VFIO cannot say who holds a group, why a group is not viable or
 * how much memory a container pins.  vfioctl's "vfio" module answers those
 * questions over the generic netlink family VFIOCTL_GENL_NAME.  The family
 * is read-only: no command changes state.  GET_INFO is open to every user;
 * the container, group and device dumps and the events group need
 * CAP_NET_ADMIN (EPERM otherwise), because who holds what is as private as
 * /proc/PID/fd.  Kernels without GENL_MCAST_CAP_NET_ADMIN (before 6.7,
 * unless backported as in Debian's 6.1) let every user join the events.
 *
 * Commands (all GET commands are dumps, NLM_F_DUMP):
 *
 *   VFIOCTL_CMD_GET_INFO: one message
 *       VFIOCTL_A_VERSION        string  module version (MODULE_VERSION)
 *       VFIOCTL_A_NOIOMMU        u8      enable_unsafe_noiommu_mode is on
 *       VFIOCTL_A_NR_GROUPS      u32
 *       VFIOCTL_A_NR_CONTAINERS  u32
 *       VFIOCTL_A_NR_DEVICES     u32
 *
 *   VFIOCTL_CMD_GET_CONTAINER: one message per open container
 *       VFIOCTL_A_CONTAINER_ID   u32     stable for the container's life
 *       VFIOCTL_A_IOMMU_DRIVER   string  backend name, absent before SET_IOMMU
 *       VFIOCTL_A_IOMMU_TYPE     u32     the SET_IOMMU argument
 *       VFIOCTL_A_NOIOMMU        u8      a no-IOMMU container
 *       VFIOCTL_A_DMA_MAPPINGS   u64     (from the backend's stats op)
 *       VFIOCTL_A_PINNED_BYTES   u64
 *       VFIOCTL_A_LOCKED_BYTES   u64
 *       VFIOCTL_A_GROUP_ID       u32     repeated, one per attached group
 *       VFIOCTL_A_HOLDER         nest    repeated; who opened /dev/vfio/vfio
 *
 *   VFIOCTL_CMD_GET_GROUP: one message per VFIO group
 *       VFIOCTL_A_GROUP_ID       u32     the IOMMU group number
 *       VFIOCTL_A_GROUP_NODE     string  "N" or "noiommu-N" under /dev/vfio
 *       VFIOCTL_A_NOIOMMU        u8
 *       VFIOCTL_A_VIABLE         u8
 *       VFIOCTL_A_BLOCKER_DEV    string  non-viable: first device in the way
 *       VFIOCTL_A_BLOCKER_DRIVER string  ... and the driver it is bound to
 *       VFIOCTL_A_CONTAINER_ID   u32     absent while not in a container
 *       VFIOCTL_A_HOLDER         nest    the process that opened the group
 *       VFIOCTL_A_EXTERNAL_USERS u32     KVM and other external users
 *       VFIOCTL_A_NR_DEVICES     u32
 *
 *   VFIOCTL_CMD_GET_DEVICE: one message per registered device
 *       VFIOCTL_A_DEVICE_NAME    string  e.g. "0000:01:00.0"
 *       VFIOCTL_A_GROUP_ID       u32
 *       VFIOCTL_A_BUS_DRIVER     string  the vfio_device_ops name
 *       VFIOCTL_A_OPEN_COUNT     u32     open device fds
 *       VFIOCTL_A_HOLDER         nest    repeated, one per device fd opener
 *       VFIOCTL_A_CONTINUED      flag    this message continues the holder
 *                                        list of the previous message's
 *                                        device (more than one message holds)
 *
 *   VFIOCTL_A_HOLDER nests:
 *       VFIOCTL_HOLDER_A_PID     u32     tgid at open time
 *       VFIOCTL_HOLDER_A_COMM    string
 *
 * Events: multicast group VFIOCTL_GENL_MCGRP_EVENTS carries
 * VFIOCTL_CMD_EVENT messages:
 *       VFIOCTL_A_EVENT          u32     enum vfioctl_event
 *       VFIOCTL_A_GROUP_ID, VFIOCTL_A_CONTAINER_ID, VFIOCTL_A_DEVICE_NAME,
 *       VFIOCTL_A_IOMMU_DRIVER, VFIOCTL_A_HOLDER as they apply.
 */
#ifndef _UAPI_VFIOCTL_GENL_H
#define _UAPI_VFIOCTL_GENL_H

#define VFIOCTL_GENL_NAME		"vfioctl"
#define VFIOCTL_GENL_VERSION		1
#define VFIOCTL_GENL_MCGRP_EVENTS	"events"

enum vfioctl_cmd {
	VFIOCTL_CMD_UNSPEC,
	VFIOCTL_CMD_GET_INFO,
	VFIOCTL_CMD_GET_CONTAINER,
	VFIOCTL_CMD_GET_GROUP,
	VFIOCTL_CMD_GET_DEVICE,
	VFIOCTL_CMD_EVENT,

	__VFIOCTL_CMD_MAX
};
#define VFIOCTL_CMD_MAX (__VFIOCTL_CMD_MAX - 1)

enum vfioctl_attr {
	VFIOCTL_A_UNSPEC,
	VFIOCTL_A_PAD,
	VFIOCTL_A_VERSION,
	VFIOCTL_A_NOIOMMU,
	VFIOCTL_A_NR_GROUPS,
	VFIOCTL_A_NR_CONTAINERS,
	VFIOCTL_A_NR_DEVICES,
	VFIOCTL_A_CONTAINER_ID,
	VFIOCTL_A_IOMMU_DRIVER,
	VFIOCTL_A_IOMMU_TYPE,
	VFIOCTL_A_DMA_MAPPINGS,
	VFIOCTL_A_PINNED_BYTES,
	VFIOCTL_A_LOCKED_BYTES,
	VFIOCTL_A_GROUP_ID,
	VFIOCTL_A_GROUP_NODE,
	VFIOCTL_A_VIABLE,
	VFIOCTL_A_BLOCKER_DEV,
	VFIOCTL_A_BLOCKER_DRIVER,
	VFIOCTL_A_HOLDER,
	VFIOCTL_A_EXTERNAL_USERS,
	VFIOCTL_A_DEVICE_NAME,
	VFIOCTL_A_BUS_DRIVER,
	VFIOCTL_A_OPEN_COUNT,
	VFIOCTL_A_EVENT,
	VFIOCTL_A_CONTINUED,

	__VFIOCTL_A_MAX
};
#define VFIOCTL_A_MAX (__VFIOCTL_A_MAX - 1)

enum vfioctl_holder_attr {
	VFIOCTL_HOLDER_A_UNSPEC,
	VFIOCTL_HOLDER_A_PID,
	VFIOCTL_HOLDER_A_COMM,

	__VFIOCTL_HOLDER_A_MAX
};
#define VFIOCTL_HOLDER_A_MAX (__VFIOCTL_HOLDER_A_MAX - 1)

enum vfioctl_event {
	VFIOCTL_EVENT_UNSPEC,
	VFIOCTL_EVENT_GROUP_ADDED,
	VFIOCTL_EVENT_GROUP_REMOVED,
	VFIOCTL_EVENT_GROUP_OPENED,
	VFIOCTL_EVENT_GROUP_CLOSED,
	VFIOCTL_EVENT_CONTAINER_SET,
	VFIOCTL_EVENT_CONTAINER_UNSET,
	VFIOCTL_EVENT_IOMMU_SET,
	VFIOCTL_EVENT_DEVICE_OPENED,
	VFIOCTL_EVENT_DEVICE_CLOSED,
	VFIOCTL_EVENT_DEVICE_REQUEST,

	__VFIOCTL_EVENT_MAX
};
#define VFIOCTL_EVENT_MAX (__VFIOCTL_EVENT_MAX - 1)

#endif /* _UAPI_VFIOCTL_GENL_H */
