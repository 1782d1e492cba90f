// SPDX-License-Identifier: GPL-2.0-only
/*
 * list.c - `vfioctl list`: every IOMMU group, its members, whether VFIO
 * can use it and, if not, which device is in the way.
 */
#include <argp.h>
#include <stdio.h>
#include <string.h>

#include "attach-check.h"
#include "holders.h"
#include "json.h"
#include "list.h"
#include "pciids.h"
#include "priv.h"
#include "vfioctl.h"

void print_group_human(const struct cli_env *env, const struct cli_topo *t,
		       const struct cli_group *g, const struct holders *hs,
		       bool verbose)
{
	const struct cli_dev *m = &t->devs[g->first];
	char node[64], held[256], id[16];
	struct attach_check ac;
	struct viability v;
	bool checked;
	size_t i;

	group_viability(m, g->nr, NULL, &v);
	holders_of_group(hs, g->id, held, sizeof(held));
	checked = attach_check(env, t, g, ATTACH_DEFAULT_DRIVER, false, &ac) == 0;
	printf("group %d  %s", g->id, group_state(&v));
	if (v.blocker)
		printf(" (%s is bound to host driver %s)", v.blocker->name,
		       v.blocker->driver);
	printf("  path %s  held-by %s  attach %s\n",
	       group_node(env, g->id, node, sizeof(node)) ?: "-",
	       held[0] ? held : "-", checked ? attach_check_word(&ac) : "?");
	/* -v: why attach would refuse, and every host use found. */
	if (verbose && checked) {
		if (ac.plan.verdict != PLAN_OK)
			printf("    attach refused: %s\n", ac.plan.reason);
		for (i = 0; i < g->nr; i++)
			if (ac.use[i].mask)
				printf("    %s in use: %s\n", m[i].name,
				       ac.use[i].detail);
	}
	if (checked)
		attach_check_release(&ac);
	for (i = 0; i < g->nr; i++) {
		const struct cli_dev *d = &m[i];
		char cls[8], flags[80], vname[128], dname[256];

		fmt_pci_id(d, id, sizeof(id));
		vname[0] = dname[0] = '\0';
		if (d->is_pci) {
			snprintf(cls, sizeof(cls), "%04x", d->class >> 8);
			pciids_lookup(d->vendor, d->device, vname, sizeof(vname),
				      dname, sizeof(dname));
		} else {
			snprintf(cls, sizeof(cls), "%s", "-");
		}
		snprintf(flags, sizeof(flags), "%s%s%s%s",
			 d->is_bridge ? "bridge" : "",
			 d->is_bridge && d->override[0] ? "," : "",
			 d->override[0] ? "override=" : "", d->override);
		printf("  %-14s %-9s %-5s %-14s %-10s %s%s%s\n", d->name, id, cls,
		       d->driver[0] ? d->driver : "-", flags[0] ? flags : "-",
		       vname, vname[0] && dname[0] ? " " : "",
		       vname[0] || dname[0] ? dname : "-");
	}
}

/* Once at the top: the columns of the device lines under each group. */
void print_list_header(void)
{
	printf("%-16s %-9s %-5s %-14s %-10s %s\n", "GROUP/DEVICE", "ID",
	       "CLASS", "DRIVER", "FLAGS", "NAME");
}

static struct argp_option options[] = {
	{ "json", 'j', 0, 0, "JSON output", 0 },
	{ "verbose", 'v', 0, 0, "say why attach would refuse a group, and every host use found", 0 },
	{ 0 }
};

struct list_args {
	bool json, verbose;
};

static int list_parse(int key, char *arg, struct argp_state *state)
{
	struct list_args *a = state->input;

	switch (key) {
	case 'j':
		a->json = true;
		return 0;
	case 'v':
		a->verbose = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static struct argp argp = { options, list_parse, NULL,
	"List every IOMMU group with its devices, its state, who holds it and "
	"what `group attach` would decide (attach: attached, ok, in-use, "
	"not-viable; -v says why).\v"
	"Exit status:\n"
	"  0  listed\n"
	"  1  the groups cannot be read\n"
	"  2  usage error\n"
	"  5  no IOMMU" };

static int list_fn(int argc, char **argv, struct cli_ctx *ctx)
{
	struct list_args a = { 0 };
	struct holders hs = { 0 };
	struct cli_topo t;
	size_t i;
	int rc;

	argp_parse(&argp, argc, argv, 0, NULL, &a);
	rc = topo_scan(&ctx->env, -1, &t);
	if (rc < 0)
		return cli_scan_error(rc, -1);
	if (!cli_privileged(-1))
		cli_err("not root: processes of other users that hold groups "
			"are not shown (run vfioctl list as root)");
	if (holders_scan(&ctx->env, &hs) < 0)
		cli_err("cannot scan processes; holders are not shown");
	if (a.json) {
		struct json_object *doc = json_doc_new(), *arr;

		arr = json_object_new_array();
		for (i = 0; i < t.nr_groups; i++)
			json_object_array_add(arr, json_group(&ctx->env, &t,
							      &t.groups[i], &hs));
		json_object_object_add(doc, "groups", arr);
		rc = json_doc_print(doc);
	} else {
		print_list_header();
		for (i = 0; i < t.nr_groups; i++)
			print_group_human(&ctx->env, &t, &t.groups[i], &hs,
					  a.verbose);
		rc = 0;
	}
	holders_free(&hs);
	topo_free(&t);
	return rc < 0 ? VFIOCTL_EXIT_FAILURE : VFIOCTL_EXIT_OK;
}

const struct cli_cmd cmd_list = {
	.name = "list",
	.doc = "list IOMMU groups, their devices and state",
	.fn = list_fn,
};
