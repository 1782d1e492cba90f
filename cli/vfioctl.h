/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef VFIOCTL_CLI_H
#define VFIOCTL_CLI_H

#include <libvfioctl.h>

/* Exit codes (documented in vfioctl(8)). */
enum {
	VFIOCTL_EXIT_OK		= 0,
	VFIOCTL_EXIT_FAILURE	= 1,
	VFIOCTL_EXIT_USAGE	= 2,
	VFIOCTL_EXIT_NOT_VIABLE	= 3,
	VFIOCTL_EXIT_IN_USE	= 4,
	VFIOCTL_EXIT_NO_IOMMU	= 5,
};

struct vfioctl_cmd {
	const char *name;
	const char *doc;
	int (*fn)(int argc, char **argv, struct vfioctl_ctx *ctx);
};

#endif
