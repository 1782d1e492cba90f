// SPDX-License-Identifier: GPL-2.0-only
/*
 * group.c - `vfioctl group show|attach|detach|apply-persisted`.
 *
 * Attach moves a whole IOMMU group to a VFIO bus driver or nothing at all:
 * it checks every member for host use before touching anything, records
 * the original drivers under the run directory, binds each endpoint with
 * driver_override + unbind + drivers_probe, and undoes every completed
 * step if any later one fails.  Bridges stay on their driver.
 */
#include <argp.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "holders.h"
#include "attach-check.h"
#include "inuse.h"
#include "json.h"
#include "list.h"
#include "persist.h"
#include "plan.h"
#include "priv.h"
#include "vfioctl.h"
#include "../libvfioctl/vfio-driver.h"

/* A driver name that cannot exist: test-only failure injection. */
#define FAIL_DRIVER "vfioctl-test-no-such-driver"

struct group_args {
	const char *sub;
	int group;
	bool json, force, persist;
	const char *driver;
	const char *reason;
};

/* ------------------------------------------------------------ records */

struct orig {
	bool recorded;
	char driver[64];
	char override[64];
};

static void record_path(const struct cli_env *env, const char *addr,
			char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", env->rundir, addr);
}

static int record_write(const struct cli_env *env, const struct plan_step *s)
{
	char p[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *fp;

	if (mkdir(env->rundir, 0755) < 0 && errno != EEXIST)
		return -errno;
	record_path(env, s->dev->name, p, sizeof(p));
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	fp = fopen(tmp, "we");
	if (!fp)
		return -errno;
	fprintf(fp, "driver=%s\noverride=%s\n", s->orig_driver,
		s->orig_override);
	if (fclose(fp) != 0 || rename(tmp, p) < 0) {
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

static void record_read(const struct cli_env *env, const char *addr,
			struct orig *o)
{
	char p[PATH_MAX], line[128];
	FILE *fp;

	memset(o, 0, sizeof(*o));
	record_path(env, addr, p, sizeof(p));
	fp = fopen(p, "re");
	if (!fp)
		return;
	o->recorded = true;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "driver=", 7) == 0)
			snprintf(o->driver, sizeof(o->driver), "%.63s", line + 7);
		else if (strncmp(line, "override=", 9) == 0)
			snprintf(o->override, sizeof(o->override), "%.63s", line + 9);
	}
	fclose(fp);
}

static void record_remove(const struct cli_env *env, const char *addr)
{
	char p[PATH_MAX];

	record_path(env, addr, p, sizeof(p));
	unlink(p);
}

/* ---------------------------------------------------------- sysfs ops */

static int dev_attr_write(const struct cli_env *env, const char *addr,
			  const char *attr, const char *val)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/%s", env->sysfs, addr, attr);
	return sysfs_write(p, val);
}

static int current_driver(const struct cli_env *env, const char *addr,
			  char *buf, size_t len)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/driver", env->sysfs, addr);
	if (sysfs_link_base(p, buf, len) < 0)
		buf[0] = '\0';
	return 0;
}

static int unbind(const struct cli_env *env, const char *addr)
{
	char drv[64];

	current_driver(env, addr, drv, sizeof(drv));
	if (!drv[0])
		return 0;
	return dev_attr_write(env, addr, "driver/unbind", addr);
}

static int probe(const struct cli_env *env, const char *addr)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/bus/pci/drivers_probe", env->sysfs);
	return sysfs_write(p, addr);
}

static int run_undo(const struct cli_env *env, const char *addr,
		    enum undo_op op, const struct orig *o)
{
	char p[PATH_MAX];
	int rc;

	switch (op) {
	case UNDO_UNBIND:
		return unbind(env, addr);
	case UNDO_OVERRIDE:
		/* A lone newline clears driver_override. */
		return dev_attr_write(env, addr, "driver_override",
				      o->override[0] ? o->override : "\n");
	case UNDO_BIND_ORIG:
		if (o->recorded && !o->driver[0])
			return 0;	/* it was unbound before */
		if (!o->recorded)
			return probe(env, addr);	/* the kernel chooses */
		/*
		 * Drivers without an ID match (pci-stub, or one bound through
		 * driver_override before) only accept the device while the
		 * override names them: set it for the bind, then restore it.
		 */
		rc = dev_attr_write(env, addr, "driver_override", o->driver);
		if (rc == 0) {
			snprintf(p, sizeof(p), "%s/bus/pci/drivers/%s/bind",
				 env->sysfs, o->driver);
			rc = sysfs_write(p, addr);
			dev_attr_write(env, addr, "driver_override",
				       o->override[0] ? o->override : "\n");
		}
		if (rc < 0) {
			cli_err("%s: cannot rebind to %s: %s; asking the kernel "
				"to probe it", addr, o->driver, strerror(-rc));
			rc = probe(env, addr);
		}
		return rc;
	case UNDO_PROBE:
		return probe(env, addr);
	}
	return -EINVAL;
}

static int undo_all(const struct cli_env *env, const struct plan *plan,
		    const struct undo *ops, size_t n)
{
	int failures = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct plan_step *s = &plan->steps[ops[i].step];
		struct orig o = { .recorded = true };
		int rc;

		strcpy(o.driver, s->orig_driver);
		strcpy(o.override, s->orig_override);
		rc = run_undo(env, s->dev->name, ops[i].op, &o);
		if (rc < 0) {
			cli_err("rollback: %s: %s failed: %s", s->dev->name,
				undo_op_name(ops[i].op), strerror(-rc));
			failures++;
		}
	}
	return failures;
}

/* One endpoint: driver_override, unbind, drivers_probe, check. */
static int bind_one(const struct cli_env *env, const struct plan_step *s,
		    const char *target, unsigned int *done)
{
	const char *fail = secure_getenv("VFIOCTL_TEST_FAIL_BIND");
	const char *want = target;
	const char *addr = s->dev->name;
	char drv[64];
	int rc;

	/* Test hook: make this bind fail for real in the kernel. */
	if (fail && strcmp(fail, addr) == 0)
		want = FAIL_DRIVER;
	rc = dev_attr_write(env, addr, "driver_override", want);
	if (rc < 0) {
		cli_err("%s: cannot set driver_override: %s", addr, strerror(-rc));
		return rc;
	}
	*done |= DONE_OVERRIDE;
	if (s->orig_driver[0]) {
		rc = unbind(env, addr);
		if (rc < 0) {
			cli_err("%s: cannot unbind from %s: %s", addr,
				s->orig_driver, strerror(-rc));
			return rc;
		}
		*done |= DONE_UNBIND;
	}
	*done |= DONE_PROBE;
	rc = probe(env, addr);
	if (rc < 0) {
		cli_err("%s: drivers_probe failed: %s", addr, strerror(-rc));
		return rc;
	}
	current_driver(env, addr, drv, sizeof(drv));
	if (strcmp(drv, target) != 0) {
		cli_err("%s: did not bind to %s (now %s)", addr, target,
			drv[0] ? drv : "unbound");
		return -ENODEV;
	}
	return 0;
}

/*
 * Ask VFIO itself.  Returns 1 viable, 0 not viable, -errno when it cannot
 * be asked (e.g. -EBUSY: somebody else holds the group).
 */
static int vfio_says_viable(struct cli_ctx *ctx, int id)
{
	struct vfioctl_group *g;
	int rc;

	rc = vfioctl_group_open(ctx->lib, id, &g);
	if (rc < 0)
		return rc;
	rc = vfioctl_group_is_viable(g);
	vfioctl_group_unref(g);
	return rc;
}

/* -------------------------------------------------------------- attach */

static bool driver_loaded(const struct cli_env *env, const char *drv)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/bus/pci/drivers/%s", env->sysfs, drv);
	return access(p, F_OK) == 0;
}

static int persist_save(const struct cli_env *env, const struct cli_group *g,
			const struct cli_topo *t, const char *target,
			bool force, const char *reason)
{
	char p[PATH_MAX], tmp[PATH_MAX + 8], buf[8192];
	struct persist_rec *r;
	FILE *fp;
	int rc;

	r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	rc = persist_from_group(&t->devs[g->first], g->nr, target, r);
	if (rc == 0) {
		r->forced = force;
		snprintf(r->reason, sizeof(r->reason), "%s", reason ? reason : "");
		rc = persist_format(r, buf, sizeof(buf));
	}
	if (rc == 0 && !persist_key(r))
		rc = -EINVAL;
	if (rc < 0)
		goto out;
	if (mkdir(env->confdir, 0755) < 0 && errno != EEXIST) {
		rc = -errno;
		goto out;
	}
	snprintf(p, sizeof(p), "%s/%s.conf", env->confdir, persist_key(r));
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	fp = fopen(tmp, "we");
	if (!fp) {
		rc = -errno;
		goto out;
	}
	if (fputs(buf, fp) == EOF || fclose(fp) != 0 || rename(tmp, p) < 0) {
		unlink(tmp);
		rc = -EIO;
		goto out;
	}
	printf("persisted: %s%s\n", p, force ? " (forced)" : "");
	rc = persist_udev_sync(env);
	if (rc < 0)
		cli_err("%s written, but the udev rules for boot were not: %s",
			p, strerror(-rc));
	rc = 0;
out:
	free(r);
	return rc;
}

static size_t plan_nr_binds(const struct plan *plan)
{
	size_t i, n = 0;

	for (i = 0; i < plan->nr; i++)
		n += plan->steps[i].action == PLAN_BIND;
	return n;
}

/*
 * do_attach - move group @id to @target, all or nothing.  @persist also
 * records it (with @force and @reason) for boot.
 */
static int do_attach(struct cli_ctx *ctx, int id, const char *target,
		     bool force, bool persist, const char *reason)
{
	const struct cli_env *env = &ctx->env;
	struct undo *ops = NULL;
	unsigned int *done = NULL;
	struct attach_check ac = { 0 };
	struct plan plan = { 0 };	/* ac's, once attach_check() ran */
	const struct cli_group *g;
	struct cli_topo t;
	size_t i, nbound = 0;
	const char *fail_dev = NULL;
	int rc, ret = VFIOCTL_EXIT_FAILURE;

	rc = topo_scan(env, id, &t);
	if (rc < 0)
		return cli_scan_error(rc, id);
	g = &t.groups[0];
	/* --driver is checked by argp; a persisted record is not. */
	if (!vfio_pci_driver_name(target)) {
		cli_err("group %d: %s is not a VFIO driver (vfio-pci or a "
			"*-vfio-pci variant); fix the record or re-attach", id,
			target);
		goto out;
	}
	if (!driver_loaded(env, target)) {
		cli_set_errno(ENOENT);
		cli_err("driver %s is not loaded: load the VFIO stack first "
			"(modprobe %s)", target, target);
		goto out;
	}
	done = calloc(g->nr, sizeof(*done));
	ops = calloc(3 * g->nr, sizeof(*ops));
	if (!done || !ops)
		goto out;

	/* Look before touching anything (the same check `list` shows). */
	if (attach_check(env, &t, g, target, force, &ac) < 0)
		goto out;
	for (i = 0; i < g->nr; i++)
		if (ac.use[i].mask)
			cli_err("%s: %s%s", t.devs[g->first + i].name,
				ac.use[i].detail,
				force && !(ac.use[i].mask & INUSE_VFS) ?
				" (--force: taking it anyway)" : "");
	plan = ac.plan;
	if (plan.verdict != PLAN_OK) {
		cli_err("group %d not attached: %s", id, plan.reason);
		ret = plan.verdict == PLAN_IN_USE ? VFIOCTL_EXIT_IN_USE :
						    VFIOCTL_EXIT_NOT_VIABLE;
		goto out;
	}

	/* Record every original driver before the first change. */
	for (i = 0; i < plan.nr; i++) {
		if (plan.steps[i].action != PLAN_BIND)
			continue;
		rc = record_write(env, &plan.steps[i]);
		if (rc < 0) {
			cli_err("cannot record the original driver of %s in %s: %s",
				plan.steps[i].dev->name, env->rundir, strerror(-rc));
			goto out;
		}
	}

	for (i = 0; i < plan.nr; i++) {
		const struct plan_step *s = &plan.steps[i];

		if (s->action == PLAN_STAYS)
			cli_note("%s: stays on %s", s->dev->name,
				 s->orig_driver[0] ? s->orig_driver : "(no driver)");
		if (s->action != PLAN_BIND)
			continue;
		rc = bind_one(env, s, target, &done[i]);
		if (rc < 0) {
			fail_dev = s->dev->name;
			goto rollback;
		}
		nbound++;
		cli_note("%s: %s -> %s", s->dev->name,
			 s->orig_driver[0] ? s->orig_driver : "(no driver)", target);
	}

	rc = vfio_says_viable(ctx, id);
	if (rc == 0) {
		cli_err("group %d: VFIO_GROUP_GET_STATUS does not report it viable",
			id);
		ret = VFIOCTL_EXIT_NOT_VIABLE;
		rc = -EPERM;
		goto rollback;
	}
	if (rc < 0)
		cli_err("group %d: cannot confirm viability with VFIO (%s); "
			"sysfs shows every member on a DMA-safe driver",
			id, strerror(-rc));
	if (persist) {
		rc = persist_save(env, g, &t, target, force, reason);
		if (rc < 0) {
			cli_err("group %d attached, but persisting it failed: %s",
				id, strerror(-rc));
			goto out;
		}
	}
	cli_note("group %d attached to %s (%zu device%s moved)", id, target,
		 nbound, nbound == 1 ? "" : "s");
	ret = VFIOCTL_EXIT_OK;
	goto out;

rollback:
	{
		size_t n = plan_rollback(&plan, done, ops);

		/* The device and errno, for the journal of a boot-time apply. */
		cli_err("group %d: %s failed (errno %d, %s) with %zu of %zu "
			"moved; rolling back %zu operation%s", id,
			fail_dev ? fail_dev : "the viability check", -rc,
			strerror(-rc), nbound, plan_nr_binds(&plan),
			n, n == 1 ? "" : "s");
		if (undo_all(env, &plan, ops, n))
			cli_err("group %d: rollback incomplete; see the errors above",
				id);
		else
			cli_note("group %d: rolled back; every member is on the "
				 "driver it had before", id);
		for (i = 0; i < plan.nr; i++)
			if (plan.steps[i].action == PLAN_BIND)
				record_remove(env, plan.steps[i].dev->name);
	}
out:
	attach_check_release(&ac);
	free(ops);
	free(done);
	topo_free(&t);
	return ret;
}

/* -------------------------------------------------------------- detach */

static int do_detach(struct cli_ctx *ctx, int id, const char *target)
{
	const struct cli_env *env = &ctx->env;
	struct holders hs = { 0 };
	const struct cli_group *g;
	struct undo *ops = NULL;
	struct cli_topo t;
	char held[256];
	size_t n, i;
	int failures = 0, ret = VFIOCTL_EXIT_FAILURE;
	int rc;

	rc = topo_scan(env, id, &t);
	if (rc < 0)
		return cli_scan_error(rc, id);
	g = &t.groups[0];
	/* vfio-pci's remove blocks until the user lets go: refuse instead. */
	if (holders_scan(env, &hs) == 0 &&
	    holders_of_group(&hs, id, held, sizeof(held))) {
		cli_err("group %d is held by %s; stop it first", id, held);
		ret = VFIOCTL_EXIT_IN_USE;
		goto out;
	}
	ops = calloc(3 * g->nr + 1, sizeof(*ops));
	if (!ops)
		goto out;
	n = plan_detach(&t.devs[g->first], g->nr, target, ops);
	if (n == 0) {
		cli_set_errno(EINVAL);
		cli_err("group %d is not attached: no member is on %s or has "
			"driver_override %s (see 'vfioctl group show %d')",
			id, target, target, id);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct cli_dev *d = &t.devs[g->first + ops[i].step];
		struct orig o;

		record_read(env, d->name, &o);
		rc = run_undo(env, d->name, ops[i].op, &o);
		if (rc < 0) {
			cli_err("%s: %s failed: %s", d->name,
				undo_op_name(ops[i].op), strerror(-rc));
			failures++;
		}
		if (ops[i].op == UNDO_BIND_ORIG) {
			char now[64];

			current_driver(env, d->name, now, sizeof(now));
			printf("%s: %s -> %s\n", d->name, d->driver[0] ? d->driver : "(no driver)",
			       now[0] ? now : "(no driver)");
			if (!failures)
				record_remove(env, d->name);
		}
	}
	if (failures) {
		cli_err("group %d: detach incomplete", id);
		goto out;
	}
	/* Detached on purpose: do not bring it back at the next boot. */
	for (i = 0; i < g->nr; i++) {
		const struct cli_dev *d = &t.devs[g->first + i];
		char p[PATH_MAX + 16];

		if (!d->is_pci || d->is_bridge)
			continue;
		snprintf(p, sizeof(p), "%s/%s.conf", env->confdir, d->name);
		if (unlink(p) == 0) {
			printf("no longer persisted: %s\n", p);
			rc = persist_udev_sync(env);
			if (rc < 0)
				cli_err("%s: cannot update: %s",
					persist_udev_rules_path(), strerror(-rc));
		}
		break;
	}
	printf("group %d detached\n", id);
	ret = VFIOCTL_EXIT_OK;
out:
	holders_free(&hs);
	free(ops);
	topo_free(&t);
	return ret;
}

/* ------------------------------------------------------- apply-persisted */

static int worse(int a, int b)
{
	/* Any failure beats success; the first specific code is kept. */
	return a != VFIOCTL_EXIT_OK ? a : b;
}

static int apply_one(struct cli_ctx *ctx, const char *path)
{
	const struct cli_env *env = &ctx->env;
	struct persist_rec *r;
	struct cli_topo t = { 0 };
	char text[8192], p[PATH_MAX], why[256], grp[32];
	int rc, line = 0, id, ret = VFIOCTL_EXIT_FAILURE;

	r = malloc(sizeof(*r));
	if (!r)
		return VFIOCTL_EXIT_FAILURE;
	rc = persist_read_file(path, text, sizeof(text));
	if (rc == 0)
		rc = persist_parse(text, r, &line);
	if (rc < 0) {
		cli_err("%s:%d: invalid record (%s)", path, line, strerror(-rc));
		goto out;
	}
	/* The same answer as every command: no IOMMU, not a missing device. */
	rc = topo_iommu_present(env);
	if (rc < 0) {
		ret = cli_scan_error(rc, -1);
		goto out;
	}
	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/iommu_group", env->sysfs,
		 persist_key(r));
	if (sysfs_link_base(p, grp, sizeof(grp)) < 0) {
		cli_err("%s: %s is not present or has no IOMMU group; not applied",
			path, persist_key(r));
		ret = VFIOCTL_EXIT_NOT_VIABLE;
		goto out;
	}
	id = atoi(grp);
	rc = topo_scan(env, id, &t);
	if (rc < 0) {
		ret = cli_scan_error(rc, id);
		goto out;
	}
	rc = persist_validate(r, &t.devs[0], t.nr_devs, why, sizeof(why));
	if (rc < 0) {
		cli_err("%s: group %d changed since it was persisted: %s; not applied "
			"(re-run 'vfioctl group attach --persist' after checking it)",
			path, id, why);
		ret = VFIOCTL_EXIT_NOT_VIABLE;
		goto out;
	}
	/* Only a record made with --force passes the host-use gate. */
	if (r->forced)
		cli_note("%s: group %d to %s, forced as recorded: %s", path, id,
			 r->driver, r->reason[0] ? r->reason : "(no reason recorded)");
	else
		cli_note("%s: group %d to %s", path, id, r->driver);
	ret = do_attach(ctx, id, r->driver, r->forced, false, NULL);
out:
	topo_free(&t);
	free(r);
	return ret;
}

static int apply_persisted(struct cli_ctx *ctx)
{
	struct dirent **names;
	int n, i, ret = VFIOCTL_EXIT_OK;

	n = scandir(ctx->env.confdir, &names, NULL, alphasort);
	if (n < 0) {
		if (errno == ENOENT)
			return VFIOCTL_EXIT_OK;	/* nothing persisted */
		cli_err("cannot read %s: %s", ctx->env.confdir, strerror(errno));
		return VFIOCTL_EXIT_FAILURE;
	}
	for (i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		size_t len = strlen(nm);
		char p[PATH_MAX];

		if (len > 5 && strcmp(nm + len - 5, ".conf") == 0 && nm[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", ctx->env.confdir, nm);
			ret = worse(ret, apply_one(ctx, p));
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

/* ---------------------------------------------------------------- show */

static int do_show(struct cli_ctx *ctx, int id, bool json)
{
	const struct cli_env *env = &ctx->env;
	struct holders hs = { 0 };
	const struct cli_group *g;
	struct json_object *doc = NULL, *jg = NULL, *arr = NULL;
	struct cli_topo t;
	size_t i;
	int rc;

	rc = topo_scan(env, id, &t);
	if (rc < 0)
		return cli_scan_error(rc, id);
	g = &t.groups[0];
	if (!cli_privileged(-1))
		cli_err("not root: holders and devices other users' processes "
			"have open are not shown (run it as root)");
	holders_scan(env, &hs);
	if (json) {
		doc = json_doc_new();
		jg = json_group(env, &t, g, &hs);
		arr = json_object_new_array();
	} else {
		print_list_header();
		print_group_human(env, &t, g, &hs, false);
	}
	/* Host use, so the admin sees why an attach would be refused. */
	for (i = 0; i < g->nr; i++) {
		const struct cli_dev *d = &t.devs[g->first + i];
		unsigned int mask = 0;
		char detail[512];

		if (!d->is_pci || d->is_bridge)
			continue;
		if (inuse_probe(env, d, &mask, detail, sizeof(detail)) < 0 || !mask)
			continue;
		if (json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "device",
					       json_object_new_string(d->name));
			json_object_object_add(o, "reason",
					       json_object_new_string(detail));
			json_object_array_add(arr, o);
		} else {
			printf("  in use: %s: %s\n", d->name, detail);
		}
	}
	if (json) {
		json_object_object_add(jg, "host_use", arr);
		json_object_object_add(doc, "group", jg);
		rc = json_doc_print(doc);
	}
	holders_free(&hs);
	topo_free(&t);
	return rc < 0 ? VFIOCTL_EXIT_FAILURE : VFIOCTL_EXIT_OK;
}

/* ---------------------------------------------------------------- argp */

/*
 * Each subcommand has its own options, so that 'vfioctl group attach
 * --help' shows attach's and nothing else.
 */
static struct argp_option show_options[] = {
	{ "json", 'j', 0, 0, "JSON output", 0 },
	{ 0 }
};

static struct argp_option attach_options[] = {
	{ "force", 'f', 0, 0, "attach even devices the host is using (never a "
	  "PF with VFs, never a non-viable group)", 0 },
	{ "persist", 'p', 0, 0, "also attach it at every boot, before host "
	  "drivers bind (see vfioctl-persist(8))", 0 },
	{ "reason", 'r', "TEXT", 0, "why; recorded with --persist and logged at "
	  "every boot (required with --force --persist)", 0 },
	{ "driver", 'd', "NAME", 0, "VFIO bus driver to use (default vfio-pci)", 0 },
	{ 0 }
};

static struct argp_option detach_options[] = {
	{ "driver", 'd', "NAME", 0, "the VFIO driver it is on (default vfio-pci)", 0 },
	{ 0 }
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct group_args *a = state->input;
	char *end;
	long n;

	switch (key) {
	case 'j': a->json = true; return 0;
	case 'f': a->force = true; return 0;
	case 'p': a->persist = true; return 0;
	case 'r':
		if (!persist_reason_ok(arg))
			argp_error(state, "--reason: one line of at most %d "
				   "printable characters", PERSIST_REASON_MAX);
		a->reason = arg;
		return 0;
	case 'd':
		if (strlen(arg) >= 64 || !vfio_pci_driver_name(arg))
			argp_error(state, "--driver %s: not a VFIO driver; use "
				   "vfio-pci or a variant named *-vfio-pci or "
				   "*_vfio_pci", arg);
		a->driver = arg;
		return 0;
	case ARGP_KEY_ARG:
		if (strcmp(a->sub, "apply-persisted") == 0)
			argp_error(state, "apply-persisted takes no group");
		if (a->group >= 0)
			argp_error(state, "unexpected argument '%s'", arg);
		n = strtol(arg, &end, 10);
		if (end == arg || *end || n < 0 || n > INT_MAX)
			argp_error(state, "'%s' is not a group number", arg);
		a->group = (int)n;
		return 0;
	case ARGP_KEY_END:
		if (strcmp(a->sub, "apply-persisted") == 0)
			return 0;
		if (a->group < 0)
			argp_error(state, "missing group number");
		if (a->reason && !a->persist)
			argp_error(state, "--reason goes with --persist (it is "
				   "kept in the record)");
		if (a->force && a->persist && !a->reason)
			argp_error(state, "--force --persist needs --reason TEXT: "
				   "the boot log names why the host's device is taken");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct group_sub {
	const char *name;
	struct argp argp;
} subs[] = {
	{ "show", { show_options, parse, "N [--json]",
	  "Show IOMMU group N: its members, its state, and what the host uses "
	  "of them (why an attach would be refused).\v"
	  "Exit status:\n"
	  "  0  shown\n"
	  "  1  no such group, or it cannot be read\n"
	  "  2  usage error\n"
	  "  5  no IOMMU" } },
	{ "attach", { attach_options, parse, "N [--force] [--persist [--reason "
	  "TEXT]] [--driver NAME]",
	  "Move every endpoint of IOMMU group N to a VFIO driver, or none: "
	  "host use is checked first, and a failed bind undoes every step.  "
	  "Bridges stay on their drivers.\v"
	  "Exit status:\n"
	  "  0  attached\n"
	  "  1  failure (rolled back), no such group, driver not loaded, not root\n"
	  "  2  usage error\n"
	  "  3  the group cannot be made viable (e.g. a bridge on a host driver)\n"
	  "  4  a device is in use by the host (see --force)\n"
	  "  5  no IOMMU" } },
	{ "detach", { detach_options, parse, "N [--driver NAME]",
	  "Return the members of IOMMU group N to the drivers they had before "
	  "attach, and forget the group's persisted record.\v"
	  "Exit status:\n"
	  "  0  detached\n"
	  "  1  failure, the group is not attached, no such group, not root\n"
	  "  2  usage error\n"
	  "  4  a process holds the group\n"
	  "  5  no IOMMU" } },
	{ "apply-persisted", { NULL, parse, NULL,
	  "Attach every group recorded with 'attach --persist' whose members "
	  "are still exactly the recorded ones (run by vfioctl-persist.service "
	  "at boot).  Only a forced record passes host use.  Under "
	  "systemd, lines carry syslog priorities for the journal.\v"
	  "Exit status (the first failing record's):\n"
	  "  0  every record applied, or none exists\n"
	  "  1  failure (that group rolled back), an unreadable record, not root\n"
	  "  3  a group changed since it was recorded, or is not viable\n"
	  "  4  a device is in use by the host and the record is not forced\n"
	  "  5  no IOMMU" } },
};

static struct argp_option top_options[] = { { 0 } };

static struct argp top_argp = { top_options, cli_parse_subcommand_only,
	"show N [--json]\nattach N [--force] [--persist] [--reason TEXT] "
	"[--driver NAME]\ndetach N [--driver NAME]\napply-persisted",
	"Show one IOMMU group, attach all of it to VFIO or detach it.  Run "
	"'vfioctl group SUBCOMMAND --help' for its options.\v"
	"Exit status: 0 ok, 1 failure, 2 usage, 3 not viable, 4 in use, "
	"5 no IOMMU." };

static int group_fn(int argc, char **argv, struct cli_ctx *ctx)
{
	struct group_args a = { .group = -1 };
	const char *target;
	char what[64], prog[64];
	size_t i;
	int rc;

	for (i = 0; argc > 1 && i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			break;
	if (argc <= 1 || i == sizeof(subs) / sizeof(subs[0])) {
		argp_parse(&top_argp, argc, argv, 0, NULL, &a);
		return VFIOCTL_EXIT_USAGE;
	}
	a.sub = subs[i].name;
	cli_sub_argv(&argc, &argv, prog, sizeof(prog));
	argp_parse(&subs[i].argp, argc, argv, 0, NULL, &a);
	target = a.driver ? a.driver : ATTACH_DEFAULT_DRIVER;
	if (strcmp(a.sub, "show") == 0)
		return do_show(ctx, a.group, a.json);
	/* No IOMMU is the answer whoever asks; root comes next. */
	rc = topo_iommu_present(&ctx->env);
	if (rc < 0 && strcmp(a.sub, "apply-persisted"))
		return cli_scan_error(rc, a.group);
	snprintf(what, sizeof(what), "vfioctl group %s", a.sub);
	rc = cli_need_root(what);
	if (rc)
		return rc;
	if (strcmp(a.sub, "attach") == 0)
		return do_attach(ctx, a.group, target, a.force, a.persist,
				 a.reason);
	if (strcmp(a.sub, "detach") == 0)
		return do_detach(ctx, a.group, target);
	return apply_persisted(ctx);
}

const struct cli_cmd cmd_group = {
	.name = "group",
	.doc = "show, attach or detach one IOMMU group",
	.fn = group_fn,
};
