// SPDX-License-Identifier: GPL-2.0-only
/*
 * status.c - `vfioctl status`: containers, groups, devices and who holds
 * them.  vfioctl's core answers over netlink (with DMA mappings and pinned
 * memory); on the stock stack the same picture is pieced together from
 * sysfs and /proc/<pid>/fd, and what cannot be known is reported as null.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>

#include "genl.h"
#include "holders.h"
#include "json.h"
#include "priv.h"
#include "stack.h"
#include "units.h"
#include "vfioctl.h"

struct status_args {
	bool json;
};

/* ------------------------------------------------------ netlink source */

struct nl_collect {
	struct json_object *arr;
};

/* HOLDER and (in containers) GROUP_ID repeat: walk the raw attributes. */
static void add_repeated_to(struct json_object *holders,
			    struct json_object *groups, struct nlattr *head,
			    int len)
{
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) == VFIOCTL_A_HOLDER) {
			struct json_object *h = json_object_new_object();
			unsigned int pid;
			const char *comm;

			if (genl_holder(a, &pid, &comm) == 0) {
				json_object_object_add(h, "pid", json_object_new_int((int)pid));
				json_object_object_add(h, "comm", json_object_new_string(comm));
			}
			json_object_array_add(holders, h);
		} else if (groups && nla_type(a) == VFIOCTL_A_GROUP_ID &&
			   nla_len(a) >= 4) {
			json_object_array_add(groups,
					      json_object_new_int((int)nla_get_u32(a)));
		}
	}
}

static void add_repeated(struct json_object *o, int cmd, struct nlattr *head,
			 int len)
{
	struct json_object *holders = json_object_new_array(), *groups = NULL;

	if (cmd == VFIOCTL_CMD_GET_CONTAINER)
		groups = json_object_new_array();
	add_repeated_to(holders, groups, head, len);
	json_object_object_add(o, "holders", holders);
	if (groups)
		json_object_object_add(o, "groups", groups);
}

static struct json_object *u64_or_null(struct nlattr *a)
{
	return a ? json_object_new_int64((int64_t)nla_get_u64(a)) : NULL;
}

static struct json_object *str_or_null(struct nlattr *a)
{
	return a ? json_object_new_string(nla_get_string(a)) : NULL;
}

static int collect(int cmd, struct nlattr **tb, struct nlattr *head, int len,
		   void *data)
{
	struct nl_collect *c = data;
	struct json_object *o = json_object_new_object();
	size_t n;

	switch (cmd) {
	case VFIOCTL_CMD_GET_CONTAINER:
		if (tb[VFIOCTL_A_CONTAINER_ID])
			json_object_object_add(o, "id", json_object_new_int(
				(int)nla_get_u32(tb[VFIOCTL_A_CONTAINER_ID])));
		json_object_object_add(o, "iommu_driver", str_or_null(tb[VFIOCTL_A_IOMMU_DRIVER]));
		json_object_object_add(o, "dma_mappings", u64_or_null(tb[VFIOCTL_A_DMA_MAPPINGS]));
		json_object_object_add(o, "pinned_bytes", u64_or_null(tb[VFIOCTL_A_PINNED_BYTES]));
		json_object_object_add(o, "locked_bytes", u64_or_null(tb[VFIOCTL_A_LOCKED_BYTES]));
		break;
	case VFIOCTL_CMD_GET_GROUP:
		if (tb[VFIOCTL_A_GROUP_ID])
			json_object_object_add(o, "group", json_object_new_int(
				(int)nla_get_u32(tb[VFIOCTL_A_GROUP_ID])));
		json_object_object_add(o, "path", str_or_null(tb[VFIOCTL_A_GROUP_NODE]));
		json_object_object_add(o, "node", str_or_null(tb[VFIOCTL_A_GROUP_NODE]));
		json_object_object_add(o, "viable", json_object_new_boolean(
			tb[VFIOCTL_A_VIABLE] && nla_get_u8(tb[VFIOCTL_A_VIABLE])));
		if (tb[VFIOCTL_A_CONTAINER_ID])
			json_object_object_add(o, "container", json_object_new_int(
				(int)nla_get_u32(tb[VFIOCTL_A_CONTAINER_ID])));
		break;
	case VFIOCTL_CMD_GET_DEVICE:
		n = json_object_array_length(c->arr);
		if (tb[VFIOCTL_A_CONTINUED] && n) {
			/* More holders of the previous message's device. */
			struct json_object *prev, *holders;

			json_object_put(o);
			prev = json_object_array_get_idx(c->arr, n - 1);
			if (json_object_object_get_ex(prev, "holders", &holders))
				add_repeated_to(holders, NULL, head, len);
			return 0;
		}
		json_object_object_add(o, "device", str_or_null(tb[VFIOCTL_A_DEVICE_NAME]));
		if (tb[VFIOCTL_A_GROUP_ID])
			json_object_object_add(o, "group", json_object_new_int(
				(int)nla_get_u32(tb[VFIOCTL_A_GROUP_ID])));
		json_object_object_add(o, "driver", str_or_null(tb[VFIOCTL_A_BUS_DRIVER]));
		if (tb[VFIOCTL_A_OPEN_COUNT])
			json_object_object_add(o, "open_fds", json_object_new_int(
				(int)nla_get_u32(tb[VFIOCTL_A_OPEN_COUNT])));
		break;
	default:
		json_object_put(o);
		return 0;
	}
	add_repeated(o, cmd, head, len);
	json_object_array_add(c->arr, o);
	return 0;
}

static int status_netlink(struct genl_client *nl, struct json_object *doc)
{
	static const struct { int cmd; const char *key; } dumps[] = {
		{ VFIOCTL_CMD_GET_CONTAINER, "containers" },
		{ VFIOCTL_CMD_GET_GROUP, "groups" },
		{ VFIOCTL_CMD_GET_DEVICE, "devices" },
	};
	size_t i;
	int rc;

	json_object_object_add(doc, "source", json_object_new_string("netlink"));
	for (i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		struct nl_collect c = { json_object_new_array() };

		rc = genl_dump(nl, dumps[i].cmd, collect, &c);
		json_object_object_add(doc, dumps[i].key, c.arr);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* -------------------------------------------------------- procfs source */

static int status_procfs(const struct cli_env *env, struct json_object *doc)
{
	struct json_object *containers, *groups, *devices, *procs;
	struct holders hs;
	struct cli_topo t;
	size_t i, j;
	int rc;

	json_object_object_add(doc, "source", json_object_new_string("procfs"));
	rc = holders_scan(env, &hs);
	if (rc < 0)
		return rc;
	rc = topo_scan(env, -1, &t);
	if (rc < 0 && rc != -ENODEV) {
		holders_free(&hs);
		return rc;
	}

	/* A container is an open /dev/vfio/vfio; which groups are in it is
	 * not visible from outside on the stock stack. */
	containers = json_object_new_array();
	for (i = 0; i < hs.nr; i++) {
		struct json_object *o, *h1;

		if (hs.h[i].kind != HOLD_CONTAINER && hs.h[i].kind != HOLD_IOMMUFD)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "id", NULL);
		json_object_object_add(o, "kind", json_object_new_string(
			hs.h[i].kind == HOLD_IOMMUFD ? "iommufd" : "container"));
		h1 = json_object_new_array();
		json_object_array_add(h1, json_holder(&hs.h[i]));
		json_object_object_add(o, "holders", h1);
		json_object_object_add(o, "groups", NULL);	/* unknown */
		json_object_object_add(o, "dma_mappings", NULL);
		json_object_object_add(o, "pinned_bytes", NULL);
		json_object_array_add(containers, o);
	}

	groups = json_object_new_array();
	devices = json_object_new_array();
	for (i = 0; rc == 0 && i < t.nr_groups; i++) {
		const struct cli_group *g = &t.groups[i];
		struct json_object *o, *hold;
		struct viability v;
		char node[64];

		if (!group_node(env, g->id, node, sizeof(node)))
			continue;	/* VFIO does not know this group */
		group_viability(&t.devs[g->first], g->nr, NULL, &v);
		o = json_object_new_object();
		json_object_object_add(o, "group", json_object_new_int(g->id));
		json_object_object_add(o, "path", json_object_new_string(node));
		json_object_object_add(o, "node", json_object_new_string(node));
		json_object_object_add(o, "viable", json_object_new_boolean(v.viable));
		hold = json_object_new_array();
		for (j = 0; j < hs.nr; j++)
			if (hs.h[j].kind == HOLD_GROUP && hs.h[j].group == g->id)
				json_object_array_add(hold, json_holder(&hs.h[j]));
		json_object_object_add(o, "holders", hold);
		json_object_array_add(groups, o);
		for (j = 0; j < g->nr; j++) {
			const struct cli_dev *d = &t.devs[g->first + j];

			if (driver_kind(d->driver) != DRV_VFIO)
				continue;
			json_object_array_add(devices, json_dev(d, NULL));
		}
	}

	/* Per process: what it holds, and VmLck, where type1 counts pins. */
	procs = json_object_new_array();
	for (i = 0; i < hs.nr; i++) {
		struct json_object *o, *held;
		bool seen = false;

		for (j = 0; j < i; j++)
			seen |= hs.h[j].pid == hs.h[i].pid;
		if (seen)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "pid", json_object_new_int(hs.h[i].pid));
		json_object_object_add(o, "comm", json_object_new_string(hs.h[i].comm));
		json_object_object_add(o, "locked_bytes", json_object_new_int64(
			(int64_t)hs.h[i].locked_kb * 1024));
		held = json_object_new_array();
		for (j = i; j < hs.nr; j++)
			if (hs.h[j].pid == hs.h[i].pid)
				json_object_array_add(held, json_holder(&hs.h[j]));
		json_object_object_add(o, "holds", held);
		json_object_array_add(procs, o);
	}
	json_object_object_add(doc, "containers", containers);
	json_object_object_add(doc, "groups", groups);
	json_object_object_add(doc, "devices", devices);
	json_object_object_add(doc, "processes", procs);
	holders_free(&hs);
	topo_free(&t);
	return 0;
}

/* ----------------------------------------------------------------- human */

static const char *s(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !v)
		return "-";
	return json_object_get_string(v);
}

/* A byte count as "1 GiB", or "-" when the stack does not report it. */
static const char *size_of(struct json_object *o, const char *k, char *buf,
			   size_t len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !v)
		return "-";
	fmt_bytes((uint64_t)json_object_get_int64(v), buf, len);
	return buf;
}

/* "4242(qemu) 4343(dpdk)" from a holders array, "-" when empty. */
static const char *holders_text(struct json_object *h, char *buf, size_t len)
{
	size_t k, used = 0;

	buf[0] = '\0';
	if (h && json_object_is_type(h, json_type_object)) {
		snprintf(buf, len, "%s(%s)", s(h, "pid"), s(h, "comm"));
		return buf;
	}
	for (k = 0; h && k < json_object_array_length(h) && used < len; k++) {
		struct json_object *x = json_object_array_get_idx(h, k);
		int n = snprintf(buf + used, len - used, "%s%s(%s)",
				 used ? " " : "", s(x, "pid"), s(x, "comm"));

		used += n > 0 ? (size_t)n : 0;
	}
	return buf[0] ? buf : "-";
}

static void print_human(struct json_object *doc)
{
	char held[256], sz[32];
	struct json_object *arr, *h;
	size_t i, k;

	printf("stack %s  source %s\n", s(doc, "stack"), s(doc, "source"));
	json_object_object_get_ex(doc, "containers", &arr);
	printf("\n%-10s %-6s %-8s %-10s %s\n", "CONTAINER", "ID", "MAPPINGS",
	       "PINNED", "HELD-BY");
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *c = json_object_array_get_idx(arr, i);

		json_object_object_get_ex(c, "holders", &h);
		printf("%-10s %-6s %-8s %-10s %s\n",
		       s(c, "kind")[0] != '-' ? s(c, "kind") : "container",
		       s(c, "id"), s(c, "dma_mappings"),
		       size_of(c, "pinned_bytes", sz, sizeof(sz)),
		       holders_text(h, held, sizeof(held)));
	}
	json_object_object_get_ex(doc, "groups", &arr);
	printf("\n%-6s %-16s %-11s %s\n", "GROUP", "PATH", "STATE", "HELD-BY");
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *g = json_object_array_get_idx(arr, i);

		if (!json_object_object_get_ex(g, "holders", &h) || !h)
			json_object_object_get_ex(g, "holder", &h);
		printf("%-6s %-16s %-11s %s\n", s(g, "group"), s(g, "path"),
		       json_object_get_boolean(json_object_object_get(g, "viable")) ?
		       "viable" : "not-viable", holders_text(h, held, sizeof(held)));
	}
	json_object_object_get_ex(doc, "devices", &arr);
	printf("\n%-14s %s\n", "DEVICE", "DRIVER");
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *d = json_object_array_get_idx(arr, i);

		printf("%-14s %s\n", s(d, "device"), s(d, "driver"));
	}
	if (!json_object_object_get_ex(doc, "processes", &arr))
		return;
	printf("\n%-8s %-16s %-10s %s\n", "PID", "COMM", "LOCKED", "HOLDS");
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *p = json_object_array_get_idx(arr, i);

		printf("%-8s %-16s %-10s", s(p, "pid"), s(p, "comm"),
		       size_of(p, "locked_bytes", sz, sizeof(sz)));
		json_object_object_get_ex(p, "holds", &h);
		for (k = 0; h && k < json_object_array_length(h); k++)
			printf(" %s", s(json_object_array_get_idx(h, k), "path"));
		printf("\n");
	}
}

static struct argp_option options[] = {
	{ "json", 'j', 0, 0, "JSON output", 0 },
	{ 0 }
};

static struct argp argp = { options, cli_parse_json_only, NULL,
	"Show VFIO containers, groups, devices and the processes holding them.\v"
	"Exit status:\n"
	"  0  shown\n"
	"  1  failure; or not root (holders are visible to CAP_NET_ADMIN only)\n"
	"  2  usage error" };

static int status_fn(int argc, char **argv, struct cli_ctx *ctx)
{
	struct status_args a = { 0 };
	struct genl_client nl = { 0 };
	struct stack_info si;
	struct json_object *doc;
	int rc;

	argp_parse(&argp, argc, argv, 0, NULL, &a.json);
	/* Otherwise other users' holders would silently be missing. */
	if (!cli_privileged(CAP_NET_ADMIN)) {
		/* The same words as the kernel's EPERM below. */
		cli_set_errno(EPERM);
		cli_err("who holds VFIO objects is visible to CAP_NET_ADMIN only: "
			"run vfioctl status as root");
		return VFIOCTL_EXIT_FAILURE;
	}
	stack_detect(&ctx->env, &si);
	doc = json_doc_new();
	json_object_object_add(doc, "stack", json_object_new_string(stack_name(si.stack)));
	/* Fixture trees have no kernel behind them: never ask netlink. */
	if (!ctx->env.fake_proc && genl_client_open(&nl) == 0) {
		rc = status_netlink(&nl, doc);
		genl_client_close(&nl);
	} else if (!cli_privileged(-1)) {
		/* CAP_NET_ADMIN does not open other users' /proc/PID/fd. */
		cli_err("vfioctl status without vfioctl's netlink family scans "
			"/proc: run it as root");
		json_object_put(doc);
		return VFIOCTL_EXIT_FAILURE;
	} else {
		rc = status_procfs(&ctx->env, doc);
	}
	if (rc < 0)
		cli_set_errno(-rc);
	if (rc == -EPERM) {
		cli_err("who holds VFIO objects is visible to CAP_NET_ADMIN only: "
			"run vfioctl status as root");
		json_object_put(doc);
		return VFIOCTL_EXIT_FAILURE;
	}
	if (rc < 0) {
		cli_err("cannot collect status: %s", strerror(-rc));
		json_object_put(doc);
		return VFIOCTL_EXIT_FAILURE;
	}
	if (a.json)
		return json_doc_print(doc) < 0 ? VFIOCTL_EXIT_FAILURE : VFIOCTL_EXIT_OK;
	print_human(doc);
	json_object_put(doc);
	return VFIOCTL_EXIT_OK;
}

const struct cli_cmd cmd_status = {
	.name = "status",
	.doc = "containers, groups, devices and holders",
	.fn = status_fn,
};
