/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stack.h - which VFIO stack is loaded: vfioctl's modules carry a version
 * ending in "-vfioctl" and register the "vfioctl" genl family; Debian's
 * 6.12 vfio says "0.3" and 6.1's may have no version file at all.
 */
#ifndef VFIOCTL_CLI_STACK_H
#define VFIOCTL_CLI_STACK_H

#include "sysfs.h"

enum vfio_stack {
	STACK_NONE,
	STACK_STOCK,
	STACK_VFIOCTL,
};

struct stack_info {
	enum vfio_stack stack;
	char version[64];	/* "" when the module has none */
	bool vfio_pci, type1;	/* modules loaded */
	bool noiommu;		/* enable_unsafe_noiommu_mode=Y */
};

void stack_detect(const struct cli_env *env, struct stack_info *si);
const char *stack_name(enum vfio_stack s);

#endif
