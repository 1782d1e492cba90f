// SPDX-License-Identifier: GPL-2.0-only
/*
 * netlink.c - the read-only "vfioctl" generic netlink family
 * (ABI: include/uapi/vfioctl_genl.h): dumps of containers, groups and
 * devices with their holders, and multicast events.  Nothing here changes
 * state; every object is only read under the lock that protects it.
 *
 * The family is parallel_ops: its handlers run without genl_mutex, so a
 * dump that waits here never holds up other generic netlink families.  The
 * locks taken are vfio.group_lock, group->device_lock and a container's
 * group_lock (read), never a backend's own lock: backend counters are read
 * through the stats op, which must not block on a long MAP_DMA.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "vfio_private.h"

static struct genl_family vfio_genl_family;

static int vfio_nl_put_holder(struct sk_buff *msg,
			      const struct vfio_holder *holder)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, VFIOCTL_A_HOLDER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, VFIOCTL_HOLDER_A_PID, holder->pid) ||
	    nla_put_string(msg, VFIOCTL_HOLDER_A_COMM, holder->comm)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* ---------------------------------------------------------------- GET_INFO */

static int vfio_nl_fill_info(struct sk_buff *msg, u32 portid, u32 seq,
			     int flags)
{
	u32 nr_groups = 0, nr_containers = 0;
	struct vfio_container *container;
	struct vfio_group *group;
	unsigned long i;
	void *hdr;

	xa_for_each(&vfio.groups, i, group)
		nr_groups++;
	xa_for_each(&vfio.containers, i, container)
		nr_containers++;

	hdr = genlmsg_put(msg, portid, seq, &vfio_genl_family, flags,
			  VFIOCTL_CMD_GET_INFO);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(msg, VFIOCTL_A_VERSION, VFIOCTL_VERSION "-vfioctl") ||
	    nla_put_u8(msg, VFIOCTL_A_NOIOMMU, vfio_noiommu) ||
	    nla_put_u32(msg, VFIOCTL_A_NR_GROUPS, nr_groups) ||
	    nla_put_u32(msg, VFIOCTL_A_NR_CONTAINERS, nr_containers) ||
	    nla_put_u32(msg, VFIOCTL_A_NR_DEVICES,
			atomic_read(&vfio.nr_devices))) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

static int vfio_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = vfio_nl_fill_info(msg, info->snd_portid, info->snd_seq, 0);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* The same single message as a dump: all GET commands can be dumped. */
static int vfio_nl_dump_info(struct sk_buff *skb, struct netlink_callback *cb)
{
	if (cb->args[0])
		return 0;
	if (vfio_nl_fill_info(skb, NETLINK_CB(cb->skb).portid,
			      cb->nlh->nlmsg_seq, NLM_F_MULTI))
		return -EMSGSIZE;
	cb->args[0] = 1;
	return skb->len;
}

/* ---------------------------------------------------------------- containers */

static int vfio_nl_fill_container(struct sk_buff *msg,
				  struct netlink_callback *cb,
				  struct vfio_container *container)
{
	struct vfio_iommu_driver *driver;
	struct vfio_group *group;
	void *hdr;
	int ret = -EMSGSIZE;

	hdr = genlmsg_put(msg, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vfio_genl_family, NLM_F_MULTI,
			  VFIOCTL_CMD_GET_CONTAINER);
	if (!hdr)
		return -EMSGSIZE;

	down_read(&container->group_lock);
	if (nla_put_u32(msg, VFIOCTL_A_CONTAINER_ID, container->id) ||
	    nla_put_u8(msg, VFIOCTL_A_NOIOMMU, container->noiommu))
		goto out;

	driver = container->iommu_driver;
	if (driver) {
		struct vfio_iommu_stats stats = {};

		if (driver->ops->stats)
			driver->ops->stats(container->iommu_data, &stats);
		if (nla_put_string(msg, VFIOCTL_A_IOMMU_DRIVER,
				   driver->ops->name ?: "") ||
		    nla_put_u32(msg, VFIOCTL_A_IOMMU_TYPE,
				container->iommu_type) ||
		    nla_put_u64_64bit(msg, VFIOCTL_A_DMA_MAPPINGS,
				      stats.dma_mappings, VFIOCTL_A_PAD) ||
		    nla_put_u64_64bit(msg, VFIOCTL_A_PINNED_BYTES,
				      stats.pinned_bytes, VFIOCTL_A_PAD) ||
		    nla_put_u64_64bit(msg, VFIOCTL_A_LOCKED_BYTES,
				      stats.locked_bytes, VFIOCTL_A_PAD))
			goto out;
	}

	list_for_each_entry(group, &container->group_list, container_next)
		if (nla_put_u32(msg, VFIOCTL_A_GROUP_ID,
				iommu_group_id(group->iommu_group)))
			goto out;

	if (vfio_nl_put_holder(msg, &container->holder))
		goto out;
	ret = 0;
out:
	up_read(&container->group_lock);
	if (ret)
		genlmsg_cancel(msg, hdr);
	else
		genlmsg_end(msg, hdr);
	return ret;
}

static int vfio_nl_dump_containers(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	unsigned long index = cb->args[0];
	struct vfio_container *container;

	for (;;) {
		/* Pin it so it can be read under its (sleeping) lock. */
		xa_lock(&vfio.containers);
		container = xa_find(&vfio.containers, &index, ULONG_MAX,
				    XA_PRESENT);
		if (container && !kref_get_unless_zero(&container->kref)) {
			/* Dying: skip it, the rest of the dump is still due. */
			xa_unlock(&vfio.containers);
			index++;
			continue;
		}
		xa_unlock(&vfio.containers);
		if (!container)
			break;

		if (vfio_nl_fill_container(skb, cb, container)) {
			vfio_container_put(container);
			break;
		}
		vfio_container_put(container);
		index++;
	}
	cb->args[0] = index;
	return skb->len;
}

/* ---------------------------------------------------------------- groups */

/* Called with vfio.group_lock held: @group cannot go away. */
static int vfio_nl_fill_group(struct sk_buff *msg, struct netlink_callback *cb,
			      struct vfio_group *group)
{
	char node[32], dev[64], drv[64];
	int id = iommu_group_id(group->iommu_group);
	u32 container_id;
	void *hdr;

	hdr = genlmsg_put(msg, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vfio_genl_family, NLM_F_MULTI,
			  VFIOCTL_CMD_GET_GROUP);
	if (!hdr)
		return -EMSGSIZE;

	snprintf(node, sizeof(node), "%s%d",
		 group->type == VFIO_NO_IOMMU ? "noiommu-" : "", id);
	if (nla_put_u32(msg, VFIOCTL_A_GROUP_ID, id) ||
	    nla_put_string(msg, VFIOCTL_A_GROUP_NODE, node) ||
	    nla_put_u8(msg, VFIOCTL_A_NOIOMMU, group->type == VFIO_NO_IOMMU) ||
	    nla_put_u8(msg, VFIOCTL_A_VIABLE, vfio_group_viable(group)) ||
	    nla_put_u32(msg, VFIOCTL_A_EXTERNAL_USERS,
			atomic_read(&group->external_users)) ||
	    nla_put_u32(msg, VFIOCTL_A_NR_DEVICES, READ_ONCE(group->nr_devices)))
		goto nospace;

	if (!vfio_group_viable(group) &&
	    vfio_group_blocker(group, dev, sizeof(dev), drv, sizeof(drv)) &&
	    (nla_put_string(msg, VFIOCTL_A_BLOCKER_DEV, dev) ||
	     nla_put_string(msg, VFIOCTL_A_BLOCKER_DRIVER, drv)))
		goto nospace;

	container_id = READ_ONCE(group->container_id);
	if (container_id &&
	    nla_put_u32(msg, VFIOCTL_A_CONTAINER_ID, container_id))
		goto nospace;

	if (atomic_read(&group->opened) &&
	    vfio_nl_put_holder(msg, &group->holder))
		goto nospace;

	genlmsg_end(msg, hdr);
	return 0;

nospace:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

static int vfio_nl_dump_groups(struct sk_buff *skb,
			       struct netlink_callback *cb)
{
	unsigned long index = cb->args[0];
	struct vfio_group *group;

	mutex_lock(&vfio.group_lock);
	xa_for_each_start(&vfio.groups, index, group, cb->args[0])
		if (vfio_nl_fill_group(skb, cb, group))
			break;
	mutex_unlock(&vfio.group_lock);

	cb->args[0] = group ? index : ULONG_MAX;
	return skb->len;
}

/* ---------------------------------------------------------------- devices */

/*
 * Called with group->device_lock held.  The first *@sent holders of
 * @device went out in earlier messages (which then carry
 * VFIOCTL_A_CONTINUED on the next one); put as many of the rest as fit.
 * Returns 0 when the device is complete, -EAGAIN when the message was ended
 * before its last holder (*@sent says where to resume), -EMSGSIZE when not
 * even one holder fit (nothing added to @msg).
 */
static int vfio_nl_fill_device(struct sk_buff *msg, struct netlink_callback *cb,
			       struct vfio_device *device, unsigned long *sent)
{
	struct vfio_device_file *df;
	unsigned long n = 0, put = 0;
	void *hdr;

	hdr = genlmsg_put(msg, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vfio_genl_family, NLM_F_MULTI,
			  VFIOCTL_CMD_GET_DEVICE);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_string(msg, VFIOCTL_A_DEVICE_NAME, dev_name(device->dev)) ||
	    nla_put_u32(msg, VFIOCTL_A_GROUP_ID,
			iommu_group_id(device->group->iommu_group)) ||
	    nla_put_string(msg, VFIOCTL_A_BUS_DRIVER, device->ops->name ?: "") ||
	    nla_put_u32(msg, VFIOCTL_A_OPEN_COUNT, device->open_count) ||
	    (*sent && nla_put_flag(msg, VFIOCTL_A_CONTINUED)))
		goto nospace;

	list_for_each_entry(df, &device->file_list, device_next) {
		if (n++ < *sent)
			continue;
		if (vfio_nl_put_holder(msg, &df->holder)) {
			if (!put)
				goto nospace;
			/* The rest goes in the next message. */
			*sent += put;
			genlmsg_end(msg, hdr);
			return -EAGAIN;
		}
		put++;
	}

	genlmsg_end(msg, hdr);
	return 0;

nospace:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/*
 * The resume cursor: cb->args[0] group index, cb->args[1] devices of it
 * already sent whole, cb->args[2] holders already sent of the next one (a
 * device with more open fds than one message holds goes out in several).
 */
static int vfio_nl_dump_devices(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	unsigned long index = cb->args[0];
	struct vfio_device *device;
	struct vfio_group *group;
	bool full = false;
	int ret = 0;

	mutex_lock(&vfio.group_lock);
	xa_for_each_start(&vfio.groups, index, group, cb->args[0]) {
		unsigned long n = 0;

		mutex_lock(&group->device_lock);
		list_for_each_entry(device, &group->device_list, group_next) {
			if (n++ < cb->args[1])
				continue;
			ret = vfio_nl_fill_device(skb, cb, device,
						  &cb->args[2]);
			if (ret) {
				full = true;
				break;
			}
			cb->args[1] = n;
			cb->args[2] = 0;
		}
		mutex_unlock(&group->device_lock);
		if (full)
			break;
		cb->args[1] = 0;
	}
	mutex_unlock(&vfio.group_lock);

	cb->args[0] = full ? index : ULONG_MAX;
	/* Not one holder fits an empty message: fail rather than truncate. */
	if (ret == -EMSGSIZE && !skb->len)
		return -EMSGSIZE;
	return skb->len;
}

/* ---------------------------------------------------------------- events */

void vfio_nl_event(enum vfioctl_event event, struct vfio_group *group,
		   struct vfio_container *container,
		   struct vfio_device *device,
		   const struct vfio_holder *holder)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&vfio_genl_family, &init_net, 0))
		return;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &vfio_genl_family, 0, VFIOCTL_CMD_EVENT);
	if (!hdr)
		goto nospace;

	if (nla_put_u32(msg, VFIOCTL_A_EVENT, event))
		goto nospace;
	if (!group && device)
		group = device->group;
	if (group && nla_put_u32(msg, VFIOCTL_A_GROUP_ID,
				 iommu_group_id(group->iommu_group)))
		goto nospace;
	if (container &&
	    nla_put_u32(msg, VFIOCTL_A_CONTAINER_ID, container->id))
		goto nospace;
	if (container && event == VFIOCTL_EVENT_IOMMU_SET &&
	    container->iommu_driver &&
	    nla_put_string(msg, VFIOCTL_A_IOMMU_DRIVER,
			   container->iommu_driver->ops->name ?: ""))
		goto nospace;
	if (device && nla_put_string(msg, VFIOCTL_A_DEVICE_NAME,
				     dev_name(device->dev)))
		goto nospace;
	if (holder && vfio_nl_put_holder(msg, holder))
		goto nospace;

	genlmsg_end(msg, hdr);
	genlmsg_multicast(&vfio_genl_family, msg, 0, 0, GFP_KERNEL);
	return;

nospace:
	nlmsg_free(msg);
}

/* ---------------------------------------------------------------- family */

/*
 * Who holds which group, with which pid, and what it mapped is as private
 * as /proc/PID/fd: the object dumps and the events need CAP_NET_ADMIN.
 * GET_INFO (versions, counts) is open to everyone.
 */
static const struct genl_small_ops vfio_genl_ops[] = {
	{
		.cmd	= VFIOCTL_CMD_GET_INFO,
		.doit	= vfio_nl_get_info,
		.dumpit	= vfio_nl_dump_info,
	},
	{
		.cmd	= VFIOCTL_CMD_GET_CONTAINER,
		.flags	= GENL_ADMIN_PERM,
		.dumpit	= vfio_nl_dump_containers,
	},
	{
		.cmd	= VFIOCTL_CMD_GET_GROUP,
		.flags	= GENL_ADMIN_PERM,
		.dumpit	= vfio_nl_dump_groups,
	},
	{
		.cmd	= VFIOCTL_CMD_GET_DEVICE,
		.flags	= GENL_ADMIN_PERM,
		.dumpit	= vfio_nl_dump_devices,
	},
};

static const struct genl_multicast_group vfio_genl_mcgrps[] = {
	{
		.name	= VFIOCTL_GENL_MCGRP_EVENTS,
		.flags	= VFIOCTL_MCGRP_ADMIN_FLAGS,
	},
};

static struct genl_family vfio_genl_family __ro_after_init = {
	.name		= VFIOCTL_GENL_NAME,
	.version	= VFIOCTL_GENL_VERSION,
	.maxattr	= VFIOCTL_A_MAX,
	.module		= THIS_MODULE,
	.parallel_ops	= true,
	.small_ops	= vfio_genl_ops,
	.n_small_ops	= ARRAY_SIZE(vfio_genl_ops),
	.mcgrps		= vfio_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vfio_genl_mcgrps),
};

int __init vfio_netlink_init(void)
{
	return genl_register_family(&vfio_genl_family);
}

void vfio_netlink_exit(void)
{
	genl_unregister_family(&vfio_genl_family);
}
