/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef VFIOCTL_CLI_LIST_H
#define VFIOCTL_CLI_LIST_H

#include <stdbool.h>

#include "holders.h"
#include "sysfs.h"

/* The column headers of the lines print_group_human() prints. */
void print_list_header(void);
/* The human view of one group, shared by `list` and `group show`. */
void print_group_human(const struct cli_env *env, const struct cli_topo *t,
		       const struct cli_group *g, const struct holders *hs,
		       bool verbose);

#endif
