// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfioctl.c - command dispatch of the vfioctl admin tool.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfioctl.h"

static const struct vfioctl_cmd *commands[] = {
	NULL,
};

const char *argp_program_version = PACKAGE_STRING;

static const char doc[] =
	"vfioctl -- inspect and manage VFIO groups, devices and containers\v"
	"Commands:\n"
	"  (none yet)\n";

static struct argp_option options[] = {
	{ 0 }
};

struct global_args {
	int cmd_index;
};

static error_t parse_global(int key, char *arg, struct argp_state *state)
{
	struct global_args *g = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		/* Hand the rest of the line to the subcommand. */
		g->cmd_index = state->next - 1;
		state->next = state->argc;
		return 0;
	case ARGP_KEY_NO_ARGS:
		argp_usage(state);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static struct argp argp = { options, parse_global, "COMMAND [ARGS...]", doc };

int main(int argc, char **argv)
{
	struct global_args g = { .cmd_index = -1 };
	struct vfioctl_ctx *ctx;
	const char *name;
	size_t i;
	int rc;

	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &g);
	name = argv[g.cmd_index];

	for (i = 0; commands[i]; i++)
		if (strcmp(commands[i]->name, name) == 0)
			break;
	if (!commands[i]) {
		fprintf(stderr, "vfioctl: unknown command '%s' (see vfioctl --help)\n", name);
		return VFIOCTL_EXIT_USAGE;
	}

	rc = vfioctl_new(&ctx);
	if (rc < 0) {
		fprintf(stderr, "vfioctl: cannot create library context: %s\n", strerror(-rc));
		return VFIOCTL_EXIT_FAILURE;
	}
	rc = commands[i]->fn(argc - g.cmd_index, argv + g.cmd_index, ctx);
	vfioctl_unref(ctx);

	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "vfioctl: error writing output: %s\n", strerror(errno));
		return VFIOCTL_EXIT_FAILURE;
	}
	return rc;
}
