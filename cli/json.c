// SPDX-License-Identifier: GPL-2.0-only
/*
 * json.c - JSON views of devices, groups and holders.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../libvfioctl/errno-name.h"
#include "attach-check.h"
#include "json.h"
#include "pciids.h"
#include "vfioctl.h"

struct json_object *json_doc_new(void)
{
	struct json_object *doc = json_object_new_object();

	if (doc)
		json_object_object_add(doc, "schema_version",
				       json_object_new_int(VFIOCTL_JSON_SCHEMA));
	return doc;
}

int json_doc_print(struct json_object *doc)
{
	const char *s;
	int rc = 0;

	if (!doc)
		return -ENOMEM;
	s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
						JSON_C_TO_STRING_SPACED |
						JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || puts(s) == EOF)
		rc = -EIO;
	json_object_put(doc);
	cli_json_printed();
	return rc;
}

void json_error_print(int errnum, const char *msg, int status)
{
	struct json_object *doc = json_doc_new(), *e = json_object_new_object();
	const char *name = errno_name(errnum);

	json_object_object_add(e, "errno", json_object_new_int(errnum));
	json_object_object_add(e, "name", name ? json_object_new_string(name) : NULL);
	json_object_object_add(e, "message", json_object_new_string(msg));
	json_object_object_add(e, "exit_status", json_object_new_int(status));
	json_object_object_add(doc, "error", e);
	json_doc_print(doc);
}

static struct json_object *str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

void fmt_pci_id(const struct cli_dev *d, char *buf, size_t len)
{
	if (d->is_pci)
		snprintf(buf, len, "%04x:%04x", d->vendor, d->device);
	else
		snprintf(buf, len, "-");
}

struct json_object *json_dev(const struct cli_dev *d, const char *target)
{
	struct json_object *o = json_object_new_object();
	char buf[32];

	json_object_object_add(o, "device", json_object_new_string(d->name));
	json_object_object_add(o, "bus", json_object_new_string(d->bus));
	if (d->is_pci) {
		char vname[128], dname[256];

		pciids_lookup(d->vendor, d->device, vname, sizeof(vname),
			      dname, sizeof(dname));
		json_object_object_add(o, "vendor_name", str_or_null(vname));
		json_object_object_add(o, "device_name", str_or_null(dname));
		fmt_pci_id(d, buf, sizeof(buf));
		json_object_object_add(o, "id", json_object_new_string(buf));
		snprintf(buf, sizeof(buf), "0x%06x", d->class);
		json_object_object_add(o, "class", json_object_new_string(buf));
	}
	json_object_object_add(o, "driver", str_or_null(d->driver));
	json_object_object_add(o, "driver_override", str_or_null(d->override));
	json_object_object_add(o, "driver_kind", json_object_new_string(
		drv_kind_name(driver_kind(d->driver))));
	json_object_object_add(o, "bridge", json_object_new_boolean(d->is_bridge));
	return o;
}

const char *group_state(const struct viability *v)
{
	if (v->has_vfio)
		return v->viable ? "vfio" : "not-viable";
	return v->viable ? "free" : "host";
}

const char *group_node(const struct cli_env *env, int id, char *buf,
		       size_t len)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/vfio/%d", env->devfs, id);
	if (access(p, F_OK) == 0) {
		snprintf(buf, len, "/dev/vfio/%d", id);
		return buf;
	}
	snprintf(p, sizeof(p), "%s/vfio/noiommu-%d", env->devfs, id);
	if (access(p, F_OK) == 0) {
		snprintf(buf, len, "/dev/vfio/noiommu-%d", id);
		return buf;
	}
	return NULL;
}

struct json_object *json_holder(const struct holder *h)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "pid", json_object_new_int(h->pid));
	json_object_object_add(o, "comm", json_object_new_string(h->comm));
	json_object_object_add(o, "kind",
			       json_object_new_string(holder_kind_name(h->kind)));
	/* "path", as lsblk names a device file; "node" is its old name. */
	json_object_object_add(o, "path", json_object_new_string(h->node));
	json_object_object_add(o, "node", json_object_new_string(h->node));
	json_object_object_add(o, "fds", json_object_new_int((int)h->count));
	return o;
}

/*
 * What `group attach` (vfio-pci, no --force) would decide: {verdict:
 * attached|ok|in-use|not-viable, reason: why not or null, host_use:
 * [{device, reason}]}; null if the check itself failed (out of memory).
 */
static struct json_object *json_attach_check(const struct cli_env *env,
					     const struct cli_topo *t,
					     const struct cli_group *g)
{
	struct json_object *o, *use;
	struct attach_check ac;
	size_t i;

	if (attach_check(env, t, g, ATTACH_DEFAULT_DRIVER, false, &ac) < 0)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "verdict",
			       json_object_new_string(attach_check_word(&ac)));
	json_object_object_add(o, "reason", ac.plan.verdict == PLAN_OK ? NULL :
			       json_object_new_string(ac.plan.reason));
	use = json_object_new_array();
	for (i = 0; i < g->nr; i++) {
		struct json_object *u;

		if (!ac.use[i].mask)
			continue;
		u = json_object_new_object();
		json_object_object_add(u, "device", json_object_new_string(
					       t->devs[g->first + i].name));
		json_object_object_add(u, "reason",
				       json_object_new_string(ac.use[i].detail));
		json_object_array_add(use, u);
	}
	json_object_object_add(o, "host_use", use);
	attach_check_release(&ac);
	return o;
}

struct json_object *json_group(const struct cli_env *env,
			       const struct cli_topo *t,
			       const struct cli_group *g,
			       const struct holders *hs)
{
	struct json_object *o = json_object_new_object(), *devs, *hold, *blk;
	const struct cli_dev *members = &t->devs[g->first];
	struct viability v;
	char node[64];
	size_t i;

	group_viability(members, g->nr, NULL, &v);
	json_object_object_add(o, "group", json_object_new_int(g->id));
	json_object_object_add(o, "state",
			       json_object_new_string(group_state(&v)));
	json_object_object_add(o, "viable", json_object_new_boolean(v.viable));
	blk = NULL;
	if (v.blocker) {
		blk = json_object_new_object();
		json_object_object_add(blk, "device",
				       json_object_new_string(v.blocker->name));
		json_object_object_add(blk, "driver",
				       json_object_new_string(v.blocker->driver));
	}
	json_object_object_add(o, "blocker", blk);
	/* The group's device file; "node" stays as an alias (schema 1). */
	if (!group_node(env, g->id, node, sizeof(node)))
		node[0] = '\0';
	json_object_object_add(o, "path", node[0] ? json_object_new_string(node) : NULL);
	json_object_object_add(o, "node", node[0] ? json_object_new_string(node) : NULL);
	devs = json_object_new_array();
	for (i = 0; i < g->nr; i++)
		json_object_array_add(devs, json_dev(&members[i], NULL));
	json_object_object_add(o, "devices", devs);
	hold = json_object_new_array();
	for (i = 0; hs && i < hs->nr; i++)
		if (hs->h[i].kind == HOLD_GROUP && hs->h[i].group == g->id)
			json_object_array_add(hold, json_holder(&hs->h[i]));
	json_object_object_add(o, "holders", hold);
	json_object_object_add(o, "attach", json_attach_check(env, t, g));
	return o;
}
