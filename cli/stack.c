// SPDX-License-Identifier: GPL-2.0-only
/*
 * stack.c - tell vfioctl's VFIO stack from the distribution's.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stack.h"

static bool module_present(const struct cli_env *env, const char *name)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/module/%s", env->sysfs, name);
	return access(p, F_OK) == 0;
}

void stack_detect(const struct cli_env *env, struct stack_info *si)
{
	char p[PATH_MAX], buf[8];
	size_t n;

	memset(si, 0, sizeof(*si));
	si->vfio_pci = module_present(env, "vfio_pci");
	si->type1 = module_present(env, "vfio_iommu_type1");
	if (!module_present(env, "vfio"))
		return;
	si->stack = STACK_STOCK;
	snprintf(p, sizeof(p), "%s/module/vfio/version", env->sysfs);
	if (sysfs_read(p, si->version, sizeof(si->version)) < 0)
		si->version[0] = '\0';
	n = strlen(si->version);
	if (n >= 8 && strcmp(si->version + n - 8, "-vfioctl") == 0)
		si->stack = STACK_VFIOCTL;
	snprintf(p, sizeof(p), "%s/module/vfio/parameters/enable_unsafe_noiommu_mode",
		 env->sysfs);
	si->noiommu = sysfs_read(p, buf, sizeof(buf)) == 0 && buf[0] == 'Y';
}

const char *stack_name(enum vfio_stack s)
{
	switch (s) {
	case STACK_NONE: return "none";
	case STACK_STOCK: return "stock";
	case STACK_VFIOCTL: return "vfioctl";
	}
	return "?";
}
