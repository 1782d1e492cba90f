// SPDX-License-Identifier: GPL-2.0-only
/*
 * persist-cmd.c - `vfioctl persist list|remove`, and the udev rules that
 * keep host drivers off persisted devices from the moment they are added.
 *
 * The records in the configuration directory are the truth; the rules
 * file is derived from them and rewritten whenever a record is written or
 * removed.  For every endpoint of every record it holds one line:
 *
 *   ACTION=="add", SUBSYSTEM=="pci", KERNEL=="0000:01:00.0",
 *     ATTR{vendor}=="0x1234", ATTR{device}=="0x11e8",
 *     ATTR{driver_override}="vfio-pci", RUN{builtin}+="kmod load vfio-pci",
 *     RUN+="/bin/sh -c 'echo $kernel >/sys/bus/pci/drivers_probe'"
 *
 * udev runs it for the add event, before 80-drivers.rules loads the host
 * driver's module: that driver then finds driver_override naming another
 * driver and leaves the device alone (driverctl works the same way).
 */
#include <argp.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "persist.h"
#include "priv.h"
#include "vfioctl.h"

#define DEFAULT_UDEV_RULES "/etc/udev/rules.d/61-vfioctl-persist.rules"

const char *persist_udev_rules_path(void)
{
	const char *p = secure_getenv("VFIOCTL_UDEV_RULES");

	return p && *p ? p : DEFAULT_UDEV_RULES;
}

/* One record as found on disk and checked against the host now. */
struct rec_entry {
	char file[NAME_MAX + 1];
	struct persist_rec rec;
	int group;		/* -1: the key device is absent */
	bool matches;		/* the group has exactly the recorded members */
	bool attached;		/* and every endpoint is on the record's driver */
	char why[256];
};

static void rec_check(const struct cli_env *env, struct rec_entry *e)
{
	const struct persist_rec *r = &e->rec;
	struct cli_topo t;
	char p[PATH_MAX], grp[32];
	size_t i, j;

	e->group = -1;
	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/iommu_group", env->sysfs,
		 persist_key(r));
	if (sysfs_link_base(p, grp, sizeof(grp)) < 0) {
		snprintf(e->why, sizeof(e->why), "%s is not present or has no "
			 "IOMMU group", persist_key(r));
		return;
	}
	e->group = atoi(grp);
	if (topo_scan(env, e->group, &t) < 0) {
		snprintf(e->why, sizeof(e->why), "cannot read IOMMU group %d",
			 e->group);
		return;
	}
	e->matches = persist_validate(r, &t.devs[0], t.nr_devs, e->why,
				      sizeof(e->why)) == 0;
	e->attached = e->matches;
	for (i = 0; e->attached && i < r->nr; i++) {
		if (r->dev[i].bridge)
			continue;
		for (j = 0; j < t.nr_devs; j++)
			if (strcmp(t.devs[j].name, r->dev[i].addr) == 0 &&
			    strcmp(t.devs[j].driver, r->driver) != 0)
				e->attached = false;
	}
	topo_free(&t);
}

static int is_record_name(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return d->d_name[0] != '.' && len > 5 &&
	       strcmp(d->d_name + len - 5, ".conf") == 0;
}

/*
 * records_load - every record in the configuration directory, sorted by
 * file name; *@bad counts the files that do not parse (reported).
 */
static int records_load(const struct cli_env *env, bool check,
			struct rec_entry **out, size_t *nr, int *bad)
{
	struct dirent **names;
	struct rec_entry *v;
	char text[8192];
	int n, i, rc;

	*out = NULL;
	*nr = 0;
	*bad = 0;
	n = scandir(env->confdir, &names, is_record_name, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct rec_entry *e = &v[*nr];
		char p[PATH_MAX];
		int line = 0;

		snprintf(p, sizeof(p), "%s/%s", env->confdir, names[i]->d_name);
		rc = persist_read_file(p, text, sizeof(text));
		if (rc == 0)
			rc = persist_parse(text, &e->rec, &line);
		if (rc < 0) {
			cli_err("%s:%d: invalid record (%s); skipped", p, line,
				strerror(-rc));
			(*bad)++;
			continue;
		}
		snprintf(e->file, sizeof(e->file), "%s", names[i]->d_name);
		if (check)
			rec_check(env, e);
		(*nr)++;
	}
	*out = v;
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int persist_udev_sync(const struct cli_env *env)
{
	const char *path = persist_udev_rules_path();
	struct rec_entry *v;
	char tmp[PATH_MAX];
	size_t nr, i, k, lines = 0;
	FILE *fp;
	int bad, rc;

	rc = records_load(env, false, &v, &nr, &bad);
	if (rc < 0)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "we");
	if (!fp) {
		rc = -errno;
		goto out;
	}
	fprintf(fp, "# Written by vfioctl(8) from %s/*.conf: do not edit.\n"
		"# Keeps host drivers off devices persisted with 'vfioctl group "
		"attach --persist'\n# from the moment they are added; see "
		"vfioctl-persist(8).\n", env->confdir);
	for (i = 0; i < nr; i++) {
		const struct persist_rec *r = &v[i].rec;

		if (r->forced)
			fprintf(fp, "\n# %s (forced%s%s)\n", v[i].file,
				r->reason[0] ? ": " : "", r->reason);
		else
			fprintf(fp, "\n# %s\n", v[i].file);
		for (k = 0; k < r->nr; k++) {
			if (r->dev[k].bridge)
				continue;
			fprintf(fp, "ACTION==\"add\", SUBSYSTEM==\"pci\", "
				"KERNEL==\"%s\", ATTR{vendor}==\"0x%04x\", "
				"ATTR{device}==\"0x%04x\", "
				"ATTR{driver_override}=\"%s\", "
				"RUN{builtin}+=\"kmod load %s\", "
				"RUN+=\"/bin/sh -c 'echo $kernel "
				">/sys/bus/pci/drivers_probe'\"\n",
				r->dev[k].addr, r->dev[k].vendor,
				r->dev[k].device, r->driver, r->driver);
			lines++;
		}
	}
	if (fclose(fp) != 0) {
		rc = -EIO;
		unlink(tmp);
		goto out;
	}
	if (lines == 0) {
		/* Nothing persisted: no file at all. */
		unlink(tmp);
		if (unlink(path) < 0 && errno != ENOENT)
			rc = -errno;
		goto out;
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		unlink(tmp);
	}
out:
	free(v);
	return rc;
}

/* ---------------------------------------------------------------- list */

static void devices_text(const struct persist_rec *r, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < r->nr && used < len; i++) {
		if (r->dev[i].bridge)
			continue;
		used += snprintf(buf + used, len - used, "%s%s",
				 used ? "," : "", r->dev[i].addr);
	}
}

static int do_list(struct cli_ctx *ctx, bool json)
{
	struct rec_entry *v;
	size_t nr, i, k;
	int bad, rc;

	rc = records_load(&ctx->env, true, &v, &nr, &bad);
	if (rc < 0) {
		cli_set_errno(-rc);
		cli_err("cannot read %s: %s", ctx->env.confdir, strerror(-rc));
		return VFIOCTL_EXIT_FAILURE;
	}
	if (json) {
		struct json_object *doc = json_doc_new();
		struct json_object *arr = json_object_new_array();

		for (i = 0; i < nr; i++) {
			const struct rec_entry *e = &v[i];
			const struct persist_rec *r = &e->rec;
			struct json_object *o = json_object_new_object();
			struct json_object *devs = json_object_new_array();

			for (k = 0; k < r->nr; k++) {
				struct json_object *d = json_object_new_object();
				char id[16];

				snprintf(id, sizeof(id), "%04x:%04x",
					 r->dev[k].vendor, r->dev[k].device);
				json_object_object_add(d, "device",
					json_object_new_string(r->dev[k].addr));
				json_object_object_add(d, "id",
					json_object_new_string(id));
				json_object_object_add(d, "bridge",
					json_object_new_boolean(r->dev[k].bridge));
				json_object_array_add(devs, d);
			}
			json_object_object_add(o, "key",
				json_object_new_string(persist_key(r)));
			json_object_object_add(o, "file",
				json_object_new_string(e->file));
			json_object_object_add(o, "group", e->group < 0 ? NULL :
				json_object_new_int(e->group));
			json_object_object_add(o, "driver",
				json_object_new_string(r->driver));
			json_object_object_add(o, "forced",
				json_object_new_boolean(r->forced));
			json_object_object_add(o, "reason", r->reason[0] ?
				json_object_new_string(r->reason) : NULL);
			json_object_object_add(o, "matches",
				json_object_new_boolean(e->matches));
			json_object_object_add(o, "mismatch", e->matches ? NULL :
				json_object_new_string(e->why));
			json_object_object_add(o, "attached",
				json_object_new_boolean(e->attached));
			json_object_object_add(o, "devices", devs);
			json_object_array_add(arr, o);
		}
		json_object_object_add(doc, "records", arr);
		rc = json_doc_print(doc);
		cli_json_printed();
	} else {
		printf("%-14s %-5s %-10s %-6s %-8s %-9s %-28s %s\n", "KEY",
		       "GROUP", "DRIVER", "FORCED", "MATCHES", "ATTACHED",
		       "DEVICES", "REASON");
		for (i = 0; i < nr; i++) {
			const struct rec_entry *e = &v[i];
			char grp[16], devs[512];

			snprintf(grp, sizeof(grp), "%d", e->group);
			devices_text(&e->rec, devs, sizeof(devs));
			printf("%-14s %-5s %-10s %-6s %-8s %-9s %-28s %s\n",
			       persist_key(&e->rec), e->group < 0 ? "-" : grp,
			       e->rec.driver, e->rec.forced ? "yes" : "no",
			       e->matches ? "yes" : "no",
			       e->attached ? "yes" : "no", devs,
			       e->rec.reason[0] ? e->rec.reason : "-");
		}
		for (i = 0; i < nr; i++)
			if (!v[i].matches)
				printf("%s: not applied at boot: %s\n",
				       persist_key(&v[i].rec), v[i].why);
	}
	free(v);
	if (rc < 0)
		return VFIOCTL_EXIT_FAILURE;
	return bad ? VFIOCTL_EXIT_FAILURE : VFIOCTL_EXIT_OK;
}

/* -------------------------------------------------------------- remove */

static int do_remove(struct cli_ctx *ctx, const char *what)
{
	const struct cli_env *env = &ctx->env;
	struct rec_entry *v;
	char norm[16], p[PATH_MAX];
	size_t nr, i, found = 0;
	int bad, rc, group = -1;
	char *end;
	long n;

	n = strtol(what, &end, 10);
	if (end != what && !*end && n >= 0 && n <= INT_MAX)
		group = (int)n;
	else if (pci_addr_normalize(what, norm, sizeof(norm)) < 0) {
		cli_set_errno(EINVAL);
		cli_err("'%s' is neither a record key (PCI address) nor a group "
			"number (see 'vfioctl persist list')", what);
		return VFIOCTL_EXIT_USAGE;
	}
	rc = cli_need_root("vfioctl persist remove");
	if (rc)
		return rc;
	rc = records_load(env, group >= 0, &v, &nr, &bad);
	if (rc < 0) {
		cli_set_errno(-rc);
		cli_err("cannot read %s: %s", env->confdir, strerror(-rc));
		return VFIOCTL_EXIT_FAILURE;
	}
	for (i = 0; i < nr; i++) {
		const struct persist_rec *r = &v[i].rec;
		size_t k;
		bool hit = false;

		if (group >= 0) {
			hit = v[i].group == group;
		} else {
			for (k = 0; k < r->nr; k++)
				hit |= strcmp(r->dev[k].addr, norm) == 0;
		}
		if (!hit)
			continue;
		snprintf(p, sizeof(p), "%s/%s", env->confdir, v[i].file);
		if (unlink(p) < 0) {
			rc = -errno;
			cli_set_errno(-rc);
			cli_err("cannot remove %s: %s", p, strerror(-rc));
			free(v);
			return VFIOCTL_EXIT_FAILURE;
		}
		printf("removed: %s\n", p);
		found++;
	}
	free(v);
	if (!found) {
		cli_set_errno(ENOENT);
		if (group >= 0)
			cli_err("no persisted record for IOMMU group %d (see "
				"'vfioctl persist list')", group);
		else
			cli_err("no persisted record holds %s (see 'vfioctl "
				"persist list')", norm);
		return VFIOCTL_EXIT_FAILURE;
	}
	rc = persist_udev_sync(env);
	if (rc < 0) {
		cli_err("records removed, but %s was not updated: %s; run "
			"'vfioctl persist remove' again", persist_udev_rules_path(),
			strerror(-rc));
		return VFIOCTL_EXIT_FAILURE;
	}
	printf("the group stays on its driver until detached or rebooted "
	       "('vfioctl group detach')\n");
	return VFIOCTL_EXIT_OK;
}

/* ---------------------------------------------------------------- argp */

struct persist_args {
	const char *sub;
	const char *what;
	bool json;
};

static struct argp_option list_options[] = {
	{ "json", 'j', 0, 0, "JSON output", 0 },
	{ 0 }
};

static error_t parse_remove(int key, char *arg, struct argp_state *state)
{
	struct persist_args *a = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		if (a->what)
			argp_error(state, "unexpected argument '%s'", arg);
		a->what = arg;
		return 0;
	case ARGP_KEY_END:
		if (!a->what)
			argp_error(state, "missing KEY or GROUP");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static struct argp list_argp = { list_options, cli_parse_json_only, NULL,
	"List the groups recorded with 'vfioctl group attach --persist': the "
	"key device naming the record, its group now, the driver, whether "
	"--force was recorded and why, and whether the group still has exactly "
	"the recorded members (only then is it applied at boot).\v"
	"Exit status:\n"
	"  0  listed\n"
	"  1  a record could not be read (named on stderr)\n"
	"  2  usage error" };

static struct argp remove_argp = { NULL, parse_remove, "KEY|GROUP",
	"Forget a persisted group: KEY is any recorded device address, GROUP "
	"the number of the IOMMU group the record's devices are in now.  The "
	"group stays attached until detached or rebooted.\v"
	"Exit status:\n"
	"  0  removed\n"
	"  1  no such record, or it could not be removed; or not root\n"
	"  2  usage error" };

static struct argp_option top_options[] = { { 0 } };

static struct argp top_argp = { top_options, cli_parse_subcommand_only,
	"list [--json]\nremove KEY|GROUP",
	"Groups re-attached at boot (see 'vfioctl group attach --persist').  "
	"Run 'vfioctl persist SUBCOMMAND --help' for its options.\v"
	"Exit status: 0 ok, 1 failure or no such record, 2 usage." };

static int persist_fn(int argc, char **argv, struct cli_ctx *ctx)
{
	struct persist_args a = { 0 };
	char prog[64];

	/* The subcommand comes first; each has its own options and --help. */
	if (argc > 1 && (strcmp(argv[1], "list") == 0 ||
			 strcmp(argv[1], "remove") == 0)) {
		a.sub = argv[1];
		cli_sub_argv(&argc, &argv, prog, sizeof(prog));
		if (strcmp(a.sub, "list") == 0) {
			argp_parse(&list_argp, argc, argv, 0, NULL, &a.json);
			return do_list(ctx, a.json);
		}
		argp_parse(&remove_argp, argc, argv, 0, NULL, &a);
		return do_remove(ctx, a.what);
	}
	argp_parse(&top_argp, argc, argv, 0, NULL, &a);
	return VFIOCTL_EXIT_USAGE;
}

const struct cli_cmd cmd_persist = {
	.name = "persist",
	.doc = "list or forget groups re-attached at boot",
	.fn = persist_fn,
};
