// SPDX-License-Identifier: GPL-2.0-only
/*
 * netlink.c - the read-only "vfioctl" generic netlink family
 * (ABI: include/uapi/vfioctl_genl.h).
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include <uapi/vfioctl_genl.h>
#include "vfio_private.h"

static struct genl_family vfio_genl_family;

static int vfio_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &vfio_genl_family, 0,
				VFIOCTL_CMD_GET_INFO);
	if (!hdr)
		goto nospace;
	if (nla_put_string(msg, VFIOCTL_A_VERSION, VFIOCTL_VERSION))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_small_ops vfio_genl_ops[] = {
	{
		.cmd	= VFIOCTL_CMD_GET_INFO,
		.doit	= vfio_nl_get_info,
	},
};

static const struct genl_multicast_group vfio_genl_mcgrps[] = {
	{ .name = VFIOCTL_GENL_MCGRP_EVENTS },
};

static struct genl_family vfio_genl_family __ro_after_init = {
	.name		= VFIOCTL_GENL_NAME,
	.version	= VFIOCTL_GENL_VERSION,
	.maxattr	= VFIOCTL_A_MAX,
	.module		= THIS_MODULE,
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
