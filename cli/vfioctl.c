// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfioctl.c - command dispatch of the vfioctl admin tool.
 */
#include <argp.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "vfioctl.h"

static const struct cli_cmd *const commands[] = {
	&cmd_list,
	&cmd_group,
	&cmd_device,
	&cmd_status,
	&cmd_monitor,
	&cmd_check,
	&cmd_persist,
	NULL,
};

const char *argp_program_version = PACKAGE_STRING;

static const char doc[] =
	"vfioctl -- inspect and manage VFIO groups, devices and containers\v"
	"Commands:\n"
	"  list                      IOMMU groups, their devices and state\n"
	"  group show|attach|detach  one group; attach/detach move it to/from VFIO\n"
	"  group apply-persisted     re-apply groups saved with --persist\n"
	"  persist list|remove       groups saved with --persist\n"
	"  device info ADDR          regions, interrupts, capabilities, reset\n"
	"  status                    containers, groups, devices and holders\n"
	"  monitor                   stream VFIO events (vfioctl stack)\n"
	"  check                     diagnose the host for VFIO use\n"
	"\n"
	"Run 'vfioctl COMMAND --help' for a command's options.  Exit status: "
	"0 ok, 1 failure, 2 usage, 3 group not viable, 4 device in use by the "
	"host, 5 no IOMMU, 6 not supported by the running VFIO stack.";

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

/* What --json prints at exit when the command failed. */
static struct {
	bool json;
	bool printed;
	int errnum;
	char msg[512];
} failure;

bool cli_journal;

void cli_note(const char *fmt, ...)
{
	va_list ap;

	if (cli_journal)
		fputs("<6>", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	/* Keep the journal's order of stdout and stderr lines. */
	if (cli_journal)
		fflush(stdout);
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs(cli_journal ? "<3>vfioctl: " : "vfioctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (!failure.msg[0]) {
		va_start(ap, fmt);
		vsnprintf(failure.msg, sizeof(failure.msg), fmt, ap);
		va_end(ap);
	}
}

void cli_set_errno(int errnum)
{
	if (!failure.errnum)
		failure.errnum = errnum;
}

void cli_json_printed(void)
{
	failure.printed = true;
}

static int errno_of_status(int status)
{
	switch (status) {
	case VFIOCTL_EXIT_USAGE:	return EINVAL;
	case VFIOCTL_EXIT_NOT_VIABLE:	return EPERM;	/* as VFIO says it */
	case VFIOCTL_EXIT_IN_USE:	return EBUSY;
	case VFIOCTL_EXIT_NO_IOMMU:	return ENODEV;
	case VFIOCTL_EXIT_UNSUPPORTED:	return EOPNOTSUPP;
	default:			return EIO;
	}
}

/*
 * on_exit() sees argp's exit(2) on usage errors too, which a return
 * from main() would not.  --help exits 0 and prints nothing here.
 */
static void json_error_at_exit(int status, void *arg)
{
	(void)arg;
	if (!failure.json || failure.printed || status == 0)
		return;
	if (!failure.msg[0])
		snprintf(failure.msg, sizeof(failure.msg),
			 "invalid arguments (see vfioctl COMMAND --help)");
	json_error_print(failure.errnum ?: errno_of_status(status), failure.msg,
			 status);
	fflush(stdout);
}

static bool wants_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0)
			return true;
	return false;
}

int cli_scan_error(int rc, int group)
{
	cli_set_errno(-rc);
	switch (rc) {
	case -ENODEV:
		cli_err("no IOMMU groups: the IOMMU is off or absent "
			"(run 'vfioctl check' for the fix)");
		return VFIOCTL_EXIT_NO_IOMMU;
	case -ENOENT:
		cli_err("IOMMU group %d does not exist (see 'vfioctl list')",
			group);
		return VFIOCTL_EXIT_FAILURE;
	default:
		cli_err("cannot read IOMMU groups: %s", strerror(-rc));
		return VFIOCTL_EXIT_FAILURE;
	}
}

int cli_parse_subcommand_only(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case ARGP_KEY_ARG:
		argp_error(state, "unknown subcommand '%s'", arg);
		return 0;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "missing subcommand");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

int cli_parse_json_only(int key, char *arg, struct argp_state *state)
{
	bool *json = state->input;

	switch (key) {
	case 'j':
		*json = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

void cli_sub_argv(int *argc, char ***argv, char *prog, size_t len)
{
	snprintf(prog, len, "%s %s", (*argv)[0], (*argv)[1]);
	(*argv)++;
	(*argc)--;
	(*argv)[0] = prog;
}

int main(int argc, char **argv)
{
	struct global_args g = { .cmd_index = -1 };
	struct cli_ctx ctx = { 0 };
	char progname[64];
	const char *name;
	size_t i;
	int rc;

	argp_err_exit_status = VFIOCTL_EXIT_USAGE;
	/* systemd sets it for a service whose output goes to the journal. */
	cli_journal = getenv("JOURNAL_STREAM") != NULL;
	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &g);
	name = argv[g.cmd_index];

	failure.json = wants_json(argc - g.cmd_index, argv + g.cmd_index);
	if (failure.json)
		on_exit(json_error_at_exit, NULL);
	for (i = 0; commands[i]; i++)
		if (strcmp(commands[i]->name, name) == 0)
			break;
	if (!commands[i]) {
		cli_err("unknown command '%s' (see vfioctl --help)", name);
		return VFIOCTL_EXIT_USAGE;
	}

	rc = cli_env_init(&ctx.env);
	if (rc < 0) {
		cli_err("a VFIOCTL_*_ROOT/DIR path is too long");
		return VFIOCTL_EXIT_USAGE;
	}
	rc = vfioctl_new(&ctx.lib);
	if (rc < 0) {
		cli_err("cannot create library context: %s", strerror(-rc));
		return VFIOCTL_EXIT_FAILURE;
	}
	/* The library never reads the roots from the environment; the CLI does. */
	rc = vfioctl_set_root(ctx.lib, ctx.env.sysfs, ctx.env.devfs);
	if (rc < 0) {
		cli_err("VFIOCTL_SYSFS_ROOT and VFIOCTL_DEV_ROOT must be absolute paths");
		vfioctl_unref(ctx.lib);
		return VFIOCTL_EXIT_USAGE;
	}
	/* argp names the program after argv[0]: "vfioctl group: ..." */
	snprintf(progname, sizeof(progname), "vfioctl %s", name);
	argv[g.cmd_index] = progname;
	rc = commands[i]->fn(argc - g.cmd_index, argv + g.cmd_index, &ctx);
	vfioctl_unref(ctx.lib);

	if (fflush(stdout) || ferror(stdout)) {
		cli_err("error writing output: %s", strerror(errno));
		return VFIOCTL_EXIT_FAILURE;
	}
	return rc;
}
