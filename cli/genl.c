// SPDX-License-Identifier: GPL-2.0-only
/*
 * genl.c - libnl-genl-3 client of the vfioctl family: resolve once, dump
 * with per-request state (no globals), report libnl errors with
 * nl_geterror() and the kernel's extended ack text when it sends one.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "genl.h"
#include "vfioctl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

static struct nla_policy attr_policy[VFIOCTL_A_MAX + 1] = {
	[VFIOCTL_A_VERSION] = { .type = NLA_STRING },
	[VFIOCTL_A_NOIOMMU] = { .type = NLA_U8 },
	[VFIOCTL_A_NR_GROUPS] = { .type = NLA_U32 },
	[VFIOCTL_A_NR_CONTAINERS] = { .type = NLA_U32 },
	[VFIOCTL_A_NR_DEVICES] = { .type = NLA_U32 },
	[VFIOCTL_A_CONTAINER_ID] = { .type = NLA_U32 },
	[VFIOCTL_A_IOMMU_DRIVER] = { .type = NLA_STRING },
	[VFIOCTL_A_IOMMU_TYPE] = { .type = NLA_U32 },
	[VFIOCTL_A_DMA_MAPPINGS] = { .type = NLA_U64 },
	[VFIOCTL_A_PINNED_BYTES] = { .type = NLA_U64 },
	[VFIOCTL_A_LOCKED_BYTES] = { .type = NLA_U64 },
	[VFIOCTL_A_GROUP_ID] = { .type = NLA_U32 },
	[VFIOCTL_A_GROUP_NODE] = { .type = NLA_STRING },
	[VFIOCTL_A_VIABLE] = { .type = NLA_U8 },
	[VFIOCTL_A_BLOCKER_DEV] = { .type = NLA_STRING },
	[VFIOCTL_A_BLOCKER_DRIVER] = { .type = NLA_STRING },
	[VFIOCTL_A_HOLDER] = { .type = NLA_NESTED },
	[VFIOCTL_A_EXTERNAL_USERS] = { .type = NLA_U32 },
	[VFIOCTL_A_DEVICE_NAME] = { .type = NLA_STRING },
	[VFIOCTL_A_BUS_DRIVER] = { .type = NLA_STRING },
	[VFIOCTL_A_OPEN_COUNT] = { .type = NLA_U32 },
	[VFIOCTL_A_EVENT] = { .type = NLA_U32 },
	[VFIOCTL_A_CONTINUED] = { .type = NLA_FLAG },
};

static struct nla_policy holder_policy[VFIOCTL_HOLDER_A_MAX + 1] = {
	[VFIOCTL_HOLDER_A_PID] = { .type = NLA_U32 },
	[VFIOCTL_HOLDER_A_COMM] = { .type = NLA_STRING },
};

int genl_client_open(struct genl_client *c)
{
	int one = 1, rc;

	memset(c, 0, sizeof(*c));
	c->sk = nl_socket_alloc();
	if (!c->sk)
		return -ENOMEM;
	rc = genl_connect(c->sk);
	if (rc < 0) {
		cli_err("netlink: %s", nl_geterror(rc));
		goto fail;
	}
	setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	c->family = genl_ctrl_resolve(c->sk, VFIOCTL_GENL_NAME);
	if (c->family < 0) {
		rc = -ENOENT;
		goto out;
	}
	c->mcgrp = genl_ctrl_resolve_grp(c->sk, VFIOCTL_GENL_NAME,
					 VFIOCTL_GENL_MCGRP_EVENTS);
	return 0;
fail:
	rc = -EIO;
out:
	nl_socket_free(c->sk);
	c->sk = NULL;
	return rc;
}

void genl_client_close(struct genl_client *c)
{
	if (c->sk)
		nl_socket_free(c->sk);
	c->sk = NULL;
}

struct request {
	genl_msg_fn fn;
	void *data;
	int err;	/* 1 while running, then 0 or -errno */
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[VFIOCTL_A_MAX + 1];
	int rc;

	rc = genlmsg_parse(nlmsg_hdr(msg), 0, tb, VFIOCTL_A_MAX, attr_policy);
	if (rc < 0) {
		cli_err("netlink: malformed message: %s", nl_geterror(rc));
		return NL_SKIP;
	}
	if (req->fn(gh->cmd, tb, genlmsg_attrdata(gh, 0),
		    genlmsg_attrlen(gh, 0), req->data) < 0) {
		req->err = -ECANCELED;
		return NL_STOP;
	}
	return NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	if (req->err > 0)
		req->err = 0;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct request *req = arg;

	req->err = e->error < 0 ? e->error : -EPROTO;
	/* The caller explains EPERM (which capability, what to do). */
	if (req->err != -EPERM)
		cli_err("kernel reports: %s", strerror(-req->err));
	return NL_STOP;
}

int genl_dump(struct genl_client *c, int cmd, genl_msg_fn fn, void *data)
{
	struct request req = { fn, data, 1 };
	struct nl_msg *msg;
	struct nl_cb *cb;
	int rc;

	msg = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb) {
		rc = -ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0,
			 NLM_F_DUMP, (uint8_t)cmd, VFIOCTL_GENL_VERSION)) {
		rc = -ENOMEM;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &req);
	rc = nl_send_auto(c->sk, msg);
	if (rc < 0) {
		cli_err("netlink: %s", nl_geterror(rc));
		rc = -EIO;
		goto out;
	}
	while (req.err > 0) {
		rc = nl_recvmsgs(c->sk, cb);
		if (rc < 0 && req.err > 0) {
			cli_err("netlink: %s", nl_geterror(rc));
			req.err = -EIO;
		}
	}
	rc = req.err;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return rc;
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

/* Set by the caller's signal handler; the loop below stops on it. */
volatile sig_atomic_t genl_stop;

int genl_listen(struct genl_client *c, genl_msg_fn fn, void *data)
{
	struct request req = { fn, data, 1 };
	struct nl_cb *cb;
	int rc;

	if (c->mcgrp < 0)
		return -ENOENT;
	rc = nl_socket_add_membership(c->sk, c->mcgrp);
	if (rc == -NLE_PERM)
		return -EPERM;	/* the caller explains */
	if (rc < 0) {
		cli_err("netlink: cannot join the events group: %s", nl_geterror(rc));
		return -EIO;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &req);
	/* libnl retries recvmsg() on EINTR: only poll() may block. */
	nl_socket_set_nonblocking(c->sk);
	while (!genl_stop) {
		struct pollfd pfd = { nl_socket_get_fd(c->sk), POLLIN, 0 };

		if (poll(&pfd, 1, -1) < 0) {
			rc = errno == EINTR ? 0 : -errno;
			break;
		}
		rc = nl_recvmsgs(c->sk, cb);
		if (req.err < 0) {
			rc = req.err;
			break;
		}
		if (rc == -NLE_AGAIN || rc == -NLE_INTR)
			rc = 0;
		if (rc < 0) {
			cli_err("netlink: %s", nl_geterror(rc));
			rc = -EIO;
			break;
		}
		fflush(stdout);
	}
	nl_cb_put(cb);
	return rc;
}

int genl_holder(struct nlattr *nest, unsigned int *pid, const char **comm)
{
	struct nlattr *tb[VFIOCTL_HOLDER_A_MAX + 1];
	int rc;

	rc = nla_parse_nested(tb, VFIOCTL_HOLDER_A_MAX, nest, holder_policy);
	if (rc < 0)
		return -EINVAL;
	*pid = tb[VFIOCTL_HOLDER_A_PID] ? nla_get_u32(tb[VFIOCTL_HOLDER_A_PID]) : 0;
	*comm = tb[VFIOCTL_HOLDER_A_COMM] ?
		nla_get_string(tb[VFIOCTL_HOLDER_A_COMM]) : "?";
	return 0;
}

const char *genl_event_name(unsigned int ev)
{
	static const char *const names[] = {
		[VFIOCTL_EVENT_GROUP_ADDED] = "group-added",
		[VFIOCTL_EVENT_GROUP_REMOVED] = "group-removed",
		[VFIOCTL_EVENT_GROUP_OPENED] = "group-opened",
		[VFIOCTL_EVENT_GROUP_CLOSED] = "group-closed",
		[VFIOCTL_EVENT_CONTAINER_SET] = "container-set",
		[VFIOCTL_EVENT_CONTAINER_UNSET] = "container-unset",
		[VFIOCTL_EVENT_IOMMU_SET] = "iommu-set",
		[VFIOCTL_EVENT_DEVICE_OPENED] = "device-opened",
		[VFIOCTL_EVENT_DEVICE_CLOSED] = "device-closed",
		[VFIOCTL_EVENT_DEVICE_REQUEST] = "device-request",
	};

	if (ev < sizeof(names) / sizeof(names[0]) && names[ev])
		return names[ev];
	return "unknown";
}
