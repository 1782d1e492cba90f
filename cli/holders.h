/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * holders.h - which processes hold VFIO file descriptors, found by
 * scanning /proc/<pid>/fd.  Works on any VFIO stack; the vfioctl netlink
 * family gives the same answer more cheaply where it exists.
 */
#ifndef VFIOCTL_CLI_HOLDERS_H
#define VFIOCTL_CLI_HOLDERS_H

#include <sys/types.h>

#include "sysfs.h"

enum holder_kind {
	HOLD_CONTAINER,		/* /dev/vfio/vfio */
	HOLD_GROUP,		/* /dev/vfio/N, /dev/vfio/noiommu-N */
	HOLD_DEVICE,		/* a device fd (anon inode) */
	HOLD_CDEV,		/* /dev/vfio/devices/vfioX */
	HOLD_IOMMUFD,		/* /dev/iommu */
};

struct holder {
	pid_t pid;
	char comm[32];
	enum holder_kind kind;
	int group;		/* HOLD_GROUP: the group number */
	char node[64];		/* the fd's link target */
	unsigned int count;	/* fds of this kind/node in this process */
	unsigned long locked_kb;	/* VmLck: type1 accounts pins here */
};

struct holders {
	struct holder *h;
	size_t nr;
};

int holders_scan(const struct cli_env *env, struct holders *out);
void holders_free(struct holders *hs);
const char *holder_kind_name(enum holder_kind kind);

/* Writes "pid 123 (qemu), pid 456 (x)" for holders of group @id. */
size_t holders_of_group(const struct holders *hs, int id, char *buf,
			size_t len);

#endif
