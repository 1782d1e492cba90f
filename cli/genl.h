/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * genl.h - client of the "vfioctl" generic netlink family
 * (include/uapi/vfioctl_genl.h), present only with vfioctl's VFIO core.
 */
#ifndef VFIOCTL_CLI_GENL_H
#define VFIOCTL_CLI_GENL_H

#include <signal.h>
#include <netlink/attr.h>
#include <uapi/vfioctl_genl.h>

struct genl_client {
	struct nl_sock *sk;
	int family;
	int mcgrp;
};

/* -ENOENT when the family is not registered (stock VFIO). */
int genl_client_open(struct genl_client *c);
void genl_client_close(struct genl_client *c);

/* Called with the parsed top-level attributes of each message. */
typedef int (*genl_msg_fn)(int cmd, struct nlattr **tb, struct nlattr *head,
			   int len, void *data);

/* Dump @cmd; returns 0 or -errno (kernel errors print "kernel reports",
 * except -EPERM: the dumps need CAP_NET_ADMIN and the caller says so). */
int genl_dump(struct genl_client *c, int cmd, genl_msg_fn fn, void *data);

/* Join the events group and deliver each event until @fn returns < 0 or
 * a signal interrupts; returns 0 on interruption, -EPERM (silently) when
 * joining needs CAP_NET_ADMIN. */
int genl_listen(struct genl_client *c, genl_msg_fn fn, void *data);
extern volatile sig_atomic_t genl_stop;

/* Parse a VFIOCTL_A_HOLDER nest. */
int genl_holder(struct nlattr *nest, unsigned int *pid, const char **comm);

const char *genl_event_name(unsigned int ev);

#endif
