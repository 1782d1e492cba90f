/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * plan.h - decisions of group attach/detach as pure functions: viability,
 * the attach plan, and what to undo after a partial failure.  Nothing here
 * touches the system, so host unit tests drive every branch.
 */
#ifndef VFIOCTL_CLI_PLAN_H
#define VFIOCTL_CLI_PLAN_H

#include "sysfs.h"

enum drv_kind {
	DRV_NONE,	/* unbound */
	DRV_VFIO,	/* vfio-pci or a variant: vfio_pci_driver_name() */
	DRV_SAFE,	/* driver_managed_dma but not VFIO: pci-stub, pcieport */
	DRV_HOST,	/* anything else: makes the group not viable */
};

enum drv_kind driver_kind(const char *driver);
const char *drv_kind_name(enum drv_kind kind);

/*
 * The kernel's rule: a group is viable when every member is unbound or
 * bound to a driver that manages DMA itself.  @blocker names the first
 * member in the way.
 */
struct viability {
	bool viable;
	bool has_vfio;		/* some member is on a VFIO driver */
	size_t nr_vfio;
	const struct cli_dev *blocker;
};

void group_viability(const struct cli_dev *devs, size_t nr,
		     const char *target, struct viability *v);

/* Why a device must not be taken from the host (bitmask, see inuse.h). */
enum plan_action {
	PLAN_KEEP,		/* already on the target driver */
	PLAN_BIND,		/* override + unbind + drivers_probe */
	PLAN_STAYS,		/* bridge or DMA-safe non-PCI member, left as is */
};

enum plan_verdict {
	PLAN_OK,
	PLAN_IN_USE,		/* a member is used by the host and no --force */
	PLAN_NOT_VIABLE,	/* a member cannot be moved and blocks viability */
};

struct plan_step {
	const struct cli_dev *dev;
	enum plan_action action;
	unsigned int inuse;	/* INUSE_* bits */
	char orig_driver[64];
	char orig_override[64];
};

struct plan {
	struct plan_step *steps;
	size_t nr;
	enum plan_verdict verdict;
	size_t culprit;		/* step that decided a non-OK verdict */
	char reason[256];
};

/*
 * plan_attach - decide what attaching a group to @target means.  @inuse
 * holds one INUSE_* mask per device (may be NULL).  Returns -ENOMEM or 0;
 * the decision is in plan->verdict.
 */
int plan_attach(const struct cli_dev *devs, size_t nr,
		const unsigned int *inuse, const char *target, bool force,
		struct plan *plan);
void plan_release(struct plan *plan);

/* What an attach step has done so far to one device. */
enum {
	DONE_OVERRIDE	= 1 << 0,	/* driver_override written */
	DONE_UNBIND	= 1 << 1,	/* unbound from the original driver */
	DONE_PROBE	= 1 << 2,	/* drivers_probe written */
};

enum undo_op {
	UNDO_UNBIND,		/* unbind from whatever driver it is on now */
	UNDO_OVERRIDE,		/* write the original driver_override back */
	UNDO_BIND_ORIG,		/* bind to the original driver explicitly */
	UNDO_PROBE,		/* let the kernel pick a driver */
};

struct undo {
	size_t step;
	enum undo_op op;
};

/*
 * plan_rollback - the undo operations for a partially applied plan, in
 * the order to run them: devices in reverse order of attachment, each
 * unbound, its override restored, then rebound to its original driver.
 * @done holds one DONE_* mask per step.  Returns the number of operations
 * written to @out (at most 3 per step; size @out as 3 * plan->nr).
 */
size_t plan_rollback(const struct plan *plan, const unsigned int *done,
		     struct undo *out);

/*
 * Detach: @orig_driver per device is what the recorded state says (NULL
 * when there is no record: the kernel then chooses, as after a reboot).
 * Fills @out as plan_rollback() does and returns the count.
 */
size_t plan_detach(const struct cli_dev *devs, size_t nr, const char *target,
		   struct undo *out);

const char *undo_op_name(enum undo_op op);

#endif
