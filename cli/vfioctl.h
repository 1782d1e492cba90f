/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef VFIOCTL_CLI_H
#define VFIOCTL_CLI_H

#include <stdbool.h>

#include <libvfioctl.h>

#include "sysfs.h"

/* Exit codes (documented in vfioctl(8)). */
enum {
	VFIOCTL_EXIT_OK		= 0,
	VFIOCTL_EXIT_FAILURE	= 1,
	VFIOCTL_EXIT_USAGE	= 2,
	VFIOCTL_EXIT_NOT_VIABLE	= 3,
	VFIOCTL_EXIT_IN_USE	= 4,
	VFIOCTL_EXIT_NO_IOMMU	= 5,
	VFIOCTL_EXIT_UNSUPPORTED = 6,	/* the running VFIO stack lacks it */
};

/* Created once in main() and handed to every command. */
struct cli_ctx {
	struct vfioctl_ctx *lib;
	struct cli_env env;
};

struct cli_cmd {
	const char *name;
	const char *doc;
	int (*fn)(int argc, char **argv, struct cli_ctx *ctx);
};

extern const struct cli_cmd cmd_list;
extern const struct cli_cmd cmd_group;
extern const struct cli_cmd cmd_device;
extern const struct cli_cmd cmd_status;
extern const struct cli_cmd cmd_monitor;
extern const struct cli_cmd cmd_check;
extern const struct cli_cmd cmd_persist;

/*
 * "vfioctl: " + message on stderr.  The first one is also kept as the
 * message of the JSON error object (see cli_json_errors()).
 */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A line on stdout that a boot-time run leaves in the journal: with a
 * "<6>" prefix when stdout goes to the journal (cli_journal), as cli_err()
 * then prefixes "<3>".  systemd reads the priority from the prefix.
 */
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern bool cli_journal;

/* The errno a failing command reports in JSON (the first one set wins;
 * without one the exit status picks it). */
void cli_set_errno(int errnum);

/* A JSON document is on stdout: no error object at exit. */
void cli_json_printed(void);

/* Exit code for a topo_scan() failure, with the message printed. */
int cli_scan_error(int rc, int group);

/*
 * cli_sub_argv - make "vfioctl CMD SUB ARGS" the argv of SUB: argv[1]
 * becomes argv[0], named "vfioctl CMD SUB" in @prog for argp's messages.
 */
void cli_sub_argv(int *argc, char ***argv, char *prog, size_t len);

struct argp_state;
/*
 * argp parser of the commands whose only option is --json ('j') and that
 * take no arguments; the argp input is the command's bool json.
 */
int cli_parse_json_only(int key, char *arg, struct argp_state *state);
/*
 * argp parser of a command's top level when a known subcommand was not
 * given first (`vfioctl group`, `vfioctl persist`): every argument is an
 * unknown subcommand, none is a missing one.
 */
int cli_parse_subcommand_only(int key, char *arg, struct argp_state *state);

#endif
