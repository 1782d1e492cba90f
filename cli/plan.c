// SPDX-License-Identifier: GPL-2.0-only
/*
 * plan.c - viability and attach/detach/rollback decisions (no I/O).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inuse.h"
#include "plan.h"
#include "../libvfioctl/vfio-driver.h"

enum drv_kind driver_kind(const char *driver)
{
	if (!driver || !*driver)
		return DRV_NONE;
	/* The library's rule, so hints and plans never disagree. */
	if (vfio_pci_driver_name(driver))
		return DRV_VFIO;
	/* The in-tree drivers that set driver_managed_dma besides VFIO. */
	if (strcmp(driver, "pci-stub") == 0 || strcmp(driver, "pcieport") == 0)
		return DRV_SAFE;
	return DRV_HOST;
}

const char *drv_kind_name(enum drv_kind kind)
{
	switch (kind) {
	case DRV_NONE: return "none";
	case DRV_VFIO: return "vfio";
	case DRV_SAFE: return "dma-safe";
	case DRV_HOST: return "host";
	}
	return "?";
}

void group_viability(const struct cli_dev *devs, size_t nr,
		     const char *target, struct viability *v)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < nr; i++) {
		enum drv_kind k = driver_kind(devs[i].driver);

		if (k == DRV_VFIO)
			v->nr_vfio++;
		else if (k == DRV_HOST && !v->blocker)
			v->blocker = &devs[i];
	}
	v->has_vfio = v->nr_vfio > 0;
	v->viable = !v->blocker;
}

static void set_verdict(struct plan *p, enum plan_verdict verdict, size_t i,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void set_verdict(struct plan *p, enum plan_verdict verdict, size_t i,
			const char *fmt, ...)
{
	va_list ap;

	if (p->verdict != PLAN_OK)
		return;		/* the first problem decides */
	p->verdict = verdict;
	p->culprit = i;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
}

int plan_attach(const struct cli_dev *devs, size_t nr,
		const unsigned int *inuse, const char *target, bool force,
		struct plan *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->steps = calloc(nr ? nr : 1, sizeof(*p->steps));
	if (!p->steps)
		return -ENOMEM;
	p->nr = nr;
	for (i = 0; i < nr; i++) {
		const struct cli_dev *d = &devs[i];
		struct plan_step *s = &p->steps[i];
		enum drv_kind k = driver_kind(d->driver);

		s->dev = d;
		s->inuse = inuse ? inuse[i] : 0;
		strcpy(s->orig_driver, d->driver);
		strcpy(s->orig_override, d->override);

		if (d->is_pci && d->is_bridge) {
			/*
			 * Bridges stay where they are: the kernel treats an
			 * unbound or pcieport bridge as harmless, and taking
			 * one from the host would cut off what is behind it.
			 */
			s->action = PLAN_STAYS;
			if (k == DRV_HOST)
				set_verdict(p, PLAN_NOT_VIABLE, i,
					    "bridge %s is bound to %s, which is not DMA-safe; "
					    "vfioctl does not move bridges (unbind it first)",
					    d->name, d->driver);
			continue;
		}
		if (!d->is_pci) {
			s->action = PLAN_STAYS;
			if (k == DRV_HOST)
				set_verdict(p, PLAN_NOT_VIABLE, i,
					    "%s is a non-PCI device bound to %s; "
					    "unbind it before attaching the group",
					    d->name, d->driver);
			continue;
		}
		if (strcmp(d->driver, target) == 0) {
			s->action = PLAN_KEEP;
			continue;
		}
		s->action = PLAN_BIND;
		if (s->inuse & INUSE_VFS) {
			/* vfio-pci itself says no: --force cannot help. */
			set_verdict(p, PLAN_IN_USE, i,
				    "%s has SR-IOV VFs enabled and vfio-pci refuses "
				    "such a PF, even with --force; set its "
				    "sriov_numvfs to 0 first", d->name);
		} else if (s->inuse && !force) {
			char what[128];

			inuse_describe(s->inuse, what, sizeof(what));
			set_verdict(p, PLAN_IN_USE, i,
				    "%s is in use by the host (%s); "
				    "use --force to take it anyway",
				    d->name, what);
		}
	}
	return 0;
}

void plan_release(struct plan *p)
{
	free(p->steps);
	p->steps = NULL;
	p->nr = 0;
}

size_t plan_rollback(const struct plan *p, const unsigned int *done,
		     struct undo *out)
{
	size_t n = 0, i;

	for (i = p->nr; i-- > 0;) {
		const struct plan_step *s = &p->steps[i];

		if (s->action != PLAN_BIND || !done[i])
			continue;
		/* drivers_probe may have bound it to the target, or not. */
		if (done[i] & (DONE_PROBE | DONE_UNBIND))
			out[n++] = (struct undo){ i, UNDO_UNBIND };
		if (done[i] & DONE_OVERRIDE)
			out[n++] = (struct undo){ i, UNDO_OVERRIDE };
		if (s->orig_driver[0] && (done[i] & DONE_UNBIND))
			out[n++] = (struct undo){ i, UNDO_BIND_ORIG };
	}
	return n;
}

size_t plan_detach(const struct cli_dev *devs, size_t nr, const char *target,
		   struct undo *out)
{
	size_t n = 0, i;

	for (i = nr; i-- > 0;) {
		const struct cli_dev *d = &devs[i];

		if (!d->is_pci || d->is_bridge)
			continue;
		if (driver_kind(d->driver) != DRV_VFIO &&
		    strcmp(d->override, target) != 0)
			continue;	/* not ours to give back */
		if (d->driver[0])
			out[n++] = (struct undo){ i, UNDO_UNBIND };
		out[n++] = (struct undo){ i, UNDO_OVERRIDE };
		out[n++] = (struct undo){ i, UNDO_BIND_ORIG };
	}
	return n;
}

const char *undo_op_name(enum undo_op op)
{
	switch (op) {
	case UNDO_UNBIND: return "unbind";
	case UNDO_OVERRIDE: return "restore-override";
	case UNDO_BIND_ORIG: return "bind-original";
	case UNDO_PROBE: return "probe";
	}
	return "?";
}
