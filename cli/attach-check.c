// SPDX-License-Identifier: GPL-2.0-only
/*
 * attach-check.c - the verdict of `group attach`, computed without touching
 * the system (see attach-check.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attach-check.h"
#include "inuse.h"

int attach_check(const struct cli_env *env, const struct cli_topo *t,
		 const struct cli_group *g, const char *target, bool force,
		 struct attach_check *ac)
{
	const struct cli_dev *m = &t->devs[g->first];
	size_t i, endpoints = 0, on_target = 0;

	memset(ac, 0, sizeof(*ac));
	ac->nr = g->nr;
	ac->use = calloc(g->nr ? g->nr : 1, sizeof(*ac->use));
	ac->mask = calloc(g->nr ? g->nr : 1, sizeof(*ac->mask));
	if (!ac->use || !ac->mask) {
		attach_check_release(ac);
		return -ENOMEM;
	}
	for (i = 0; i < g->nr; i++) {
		const struct cli_dev *d = &m[i];

		if (!d->is_pci || d->is_bridge)
			continue;
		endpoints++;
		if (strcmp(d->driver, target) == 0) {
			on_target++;
			continue;
		}
		/* A probe that fails finds nothing: as attach always did. */
		if (inuse_probe(env, d, &ac->use[i].mask, ac->use[i].detail,
				sizeof(ac->use[i].detail)) < 0)
			ac->use[i].mask = 0;
		ac->mask[i] = ac->use[i].mask;
	}
	ac->attached = endpoints && on_target == endpoints;
	if (plan_attach(m, g->nr, ac->mask, target, force, &ac->plan) < 0) {
		attach_check_release(ac);
		return -ENOMEM;
	}
	return 0;
}

void attach_check_release(struct attach_check *ac)
{
	plan_release(&ac->plan);
	free(ac->use);
	free(ac->mask);
	ac->use = NULL;
	ac->mask = NULL;
}

const char *attach_check_word(const struct attach_check *ac)
{
	switch (ac->plan.verdict) {
	case PLAN_OK:
		return ac->attached ? "attached" : "ok";
	case PLAN_IN_USE:
		return "in-use";
	case PLAN_NOT_VIABLE:
		return "not-viable";
	}
	return "?";
}
