// SPDX-License-Identifier: GPL-2.0-only
/*
 * core-nldump - print what the "vfioctl" generic netlink family reports,
 * one line per object, for the bats tests to grep:
 *
 *   core-nldump info|info-dump|containers|groups|devices
 *   core-nldump events SECONDS      print multicast events for SECONDS
 *
 * Lines look like "group id=5 node=5 viable=1 container=1 holders=42:qemu".
 * Exits 1 if the family is missing or a request fails.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <uapi/vfioctl_genl.h>

static const char *const kinds[] = {
	[VFIOCTL_CMD_GET_INFO] = "info",
	[VFIOCTL_CMD_GET_CONTAINER] = "container",
	[VFIOCTL_CMD_GET_GROUP] = "group",
	[VFIOCTL_CMD_GET_DEVICE] = "device",
	[VFIOCTL_CMD_EVENT] = "event",
};

static void print_holder(struct nlattr *nest, int *first)
{
	struct nlattr *tb[VFIOCTL_HOLDER_A_MAX + 1];

	if (nla_parse_nested(tb, VFIOCTL_HOLDER_A_MAX, nest, NULL))
		return;
	printf("%s%u:%s", *first ? " holders=" : ",",
	       tb[VFIOCTL_HOLDER_A_PID] ? nla_get_u32(tb[VFIOCTL_HOLDER_A_PID]) : 0,
	       tb[VFIOCTL_HOLDER_A_COMM] ? nla_get_string(tb[VFIOCTL_HOLDER_A_COMM]) : "?");
	*first = 0;
}

/* Print every attribute in order; repeated ones (groups, holders) too. */
static int print_msg(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *attr;
	int rem, first_holder = 1, first_group = 1;

	(void)arg;
	if (gnlh->cmd >= sizeof(kinds) / sizeof(kinds[0]) || !kinds[gnlh->cmd])
		return NL_SKIP;
	printf("%s", kinds[gnlh->cmd]);

	nla_for_each_attr(attr, genlmsg_attrdata(gnlh, 0),
			  genlmsg_attrlen(gnlh, 0), rem) {
		switch (nla_type(attr)) {
		case VFIOCTL_A_VERSION:
			printf(" version=%s", nla_get_string(attr));
			break;
		case VFIOCTL_A_NOIOMMU:
			printf(" noiommu=%u", nla_get_u8(attr));
			break;
		case VFIOCTL_A_NR_GROUPS:
			printf(" groups=%u", nla_get_u32(attr));
			break;
		case VFIOCTL_A_NR_CONTAINERS:
			printf(" containers=%u", nla_get_u32(attr));
			break;
		case VFIOCTL_A_NR_DEVICES:
			printf(" devices=%u", nla_get_u32(attr));
			break;
		case VFIOCTL_A_CONTAINER_ID:
			printf(" container=%u", nla_get_u32(attr));
			break;
		case VFIOCTL_A_IOMMU_DRIVER:
			printf(" iommu=%s", nla_get_string(attr));
			break;
		case VFIOCTL_A_IOMMU_TYPE:
			printf(" type=%u", nla_get_u32(attr));
			break;
		case VFIOCTL_A_DMA_MAPPINGS:
			printf(" mappings=%llu",
			       (unsigned long long)nla_get_u64(attr));
			break;
		case VFIOCTL_A_PINNED_BYTES:
			printf(" pinned=%llu",
			       (unsigned long long)nla_get_u64(attr));
			break;
		case VFIOCTL_A_LOCKED_BYTES:
			printf(" locked=%llu",
			       (unsigned long long)nla_get_u64(attr));
			break;
		case VFIOCTL_A_GROUP_ID:
			if (gnlh->cmd == VFIOCTL_CMD_GET_CONTAINER) {
				printf("%s%u", first_group ? " group=" : ",",
				       nla_get_u32(attr));
				first_group = 0;
			} else {
				printf(" group=%u", nla_get_u32(attr));
			}
			break;
		case VFIOCTL_A_GROUP_NODE:
			printf(" node=%s", nla_get_string(attr));
			break;
		case VFIOCTL_A_VIABLE:
			printf(" viable=%u", nla_get_u8(attr));
			break;
		case VFIOCTL_A_BLOCKER_DEV:
			printf(" blocker=%s", nla_get_string(attr));
			break;
		case VFIOCTL_A_BLOCKER_DRIVER:
			printf(" blocker_driver=%s", nla_get_string(attr));
			break;
		case VFIOCTL_A_HOLDER:
			print_holder(attr, &first_holder);
			break;
		case VFIOCTL_A_EXTERNAL_USERS:
			printf(" external=%u", nla_get_u32(attr));
			break;
		case VFIOCTL_A_DEVICE_NAME:
			printf(" name=%s", nla_get_string(attr));
			break;
		case VFIOCTL_A_BUS_DRIVER:
			printf(" driver=%s", nla_get_string(attr));
			break;
		case VFIOCTL_A_OPEN_COUNT:
			printf(" open=%u", nla_get_u32(attr));
			break;
		case VFIOCTL_A_EVENT:
			printf(" event=%u", nla_get_u32(attr));
			break;
		case VFIOCTL_A_CONTINUED:
			printf(" continued=1");
			break;
		}
	}
	printf("\n");
	fflush(stdout);
	return NL_OK;
}

static int dump(struct nl_sock *sk, int family, int cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();
	int ret;

	if (!msg)
		return -ENOMEM;
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd,
		    VFIOCTL_GENL_VERSION);
	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (ret < 0)
		return ret;
	return nl_recvmsgs_default(sk);
}

static int events(struct nl_sock *sk, int seconds)
{
	time_t end = time(NULL) + seconds;
	int grp, ret;

	grp = genl_ctrl_resolve_grp(sk, VFIOCTL_GENL_NAME,
				    VFIOCTL_GENL_MCGRP_EVENTS);
	if (grp < 0)
		return grp;
	ret = nl_socket_add_membership(sk, grp);
	if (ret < 0)
		return ret;
	nl_socket_disable_seq_check(sk);
	printf("listening\n");
	fflush(stdout);

	while (time(NULL) < end) {
		struct pollfd pfd = { .fd = nl_socket_get_fd(sk), .events = POLLIN };

		if (poll(&pfd, 1, 200) > 0) {
			ret = nl_recvmsgs_default(sk);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct nl_sock *sk;
	int family, ret, cmd;

	if (argc < 2) {
		fprintf(stderr, "usage: %s info|info-dump|containers|groups|devices|events SECONDS\n",
			argv[0]);
		return 2;
	}

	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "cannot open a generic netlink socket\n");
		return 1;
	}
	family = genl_ctrl_resolve(sk, VFIOCTL_GENL_NAME);
	if (family < 0) {
		fprintf(stderr, "no %s family: %s\n", VFIOCTL_GENL_NAME,
			nl_geterror(family));
		return 1;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, print_msg, NULL);

	if (!strcmp(argv[1], "events")) {
		ret = events(sk, argc > 2 ? atoi(argv[2]) : 5);
	} else {
		int flags = NLM_F_DUMP;

		if (!strcmp(argv[1], "info")) {
			cmd = VFIOCTL_CMD_GET_INFO;
			flags = 0;	/* a plain request */
		} else if (!strcmp(argv[1], "info-dump"))
			cmd = VFIOCTL_CMD_GET_INFO;
		else if (!strcmp(argv[1], "containers"))
			cmd = VFIOCTL_CMD_GET_CONTAINER;
		else if (!strcmp(argv[1], "groups"))
			cmd = VFIOCTL_CMD_GET_GROUP;
		else if (!strcmp(argv[1], "devices"))
			cmd = VFIOCTL_CMD_GET_DEVICE;
		else {
			fprintf(stderr, "unknown request %s\n", argv[1]);
			return 2;
		}
		ret = dump(sk, family, cmd, flags);
	}
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], nl_geterror(ret));
		return 1;
	}
	nl_socket_free(sk);
	return 0;
}
