/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * attach-check.h - what `group attach` would decide for a group, without
 * changing anything: the host-use probe of each member, then the plan.
 * `group attach` acts on it and `list` shows it, so the two cannot reach
 * different verdicts.
 */
#ifndef VFIOCTL_CLI_ATTACH_CHECK_H
#define VFIOCTL_CLI_ATTACH_CHECK_H

#include <stdbool.h>

#include "plan.h"

/* The driver `group attach` moves a group to without --driver. */
#define ATTACH_DEFAULT_DRIVER	"vfio-pci"

/* One member's host use, as inuse_probe() found it. */
struct attach_use {
	unsigned int mask;	/* INUSE_* bits; 0: not in use */
	char detail[512];	/* "interface eth0 is up with ..." */
};

struct attach_check {
	size_t nr;		/* members of the group */
	struct attach_use *use;	/* one per member, in member order */
	unsigned int *mask;	/* the same masks, as plan_attach() takes them */
	struct plan plan;	/* plan_attach()'s verdict and reason */
	bool attached;		/* every PCI endpoint already on @target */
};

/*
 * attach_check - probe every PCI endpoint of @g that is not already on
 * @target, then plan the attach with @force.  0 or -errno; the verdict is
 * in @ac->plan.verdict (and @ac->attached).  Free with attach_check_release.
 */
int attach_check(const struct cli_env *env, const struct cli_topo *t,
		 const struct cli_group *g, const char *target, bool force,
		 struct attach_check *ac);
void attach_check_release(struct attach_check *ac);

/* "attached", "ok", "in-use" or "not-viable": list's word for it. */
const char *attach_check_word(const struct attach_check *ac);

#endif
