// SPDX-License-Identifier: GPL-2.0-only
/*
 * monitor.c - `vfioctl monitor`: stream the vfioctl core's events until
 * interrupted.  The stock stack has no event source; say so and exit with
 * VFIOCTL_EXIT_UNSUPPORTED instead of waiting forever for nothing.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "genl.h"
#include "json.h"
#include "stack.h"
#include "vfioctl.h"

struct monitor_args {
	bool json;
};

static int on_event(int cmd, struct nlattr **tb, struct nlattr *head, int len,
		    void *data)
{
	const struct monitor_args *a = data;
	unsigned int ev = tb[VFIOCTL_A_EVENT] ? nla_get_u32(tb[VFIOCTL_A_EVENT]) : 0;
	struct json_object *o;
	struct timespec ts;

	if (cmd != VFIOCTL_CMD_EVENT)
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	o = json_doc_new();
	json_object_object_add(o, "time", json_object_new_double(
		(double)ts.tv_sec + (double)ts.tv_nsec / 1e9));
	json_object_object_add(o, "event", json_object_new_string(genl_event_name(ev)));
	if (tb[VFIOCTL_A_GROUP_ID])
		json_object_object_add(o, "group", json_object_new_int(
			(int)nla_get_u32(tb[VFIOCTL_A_GROUP_ID])));
	if (tb[VFIOCTL_A_CONTAINER_ID])
		json_object_object_add(o, "container", json_object_new_int(
			(int)nla_get_u32(tb[VFIOCTL_A_CONTAINER_ID])));
	if (tb[VFIOCTL_A_DEVICE_NAME])
		json_object_object_add(o, "device", json_object_new_string(
			nla_get_string(tb[VFIOCTL_A_DEVICE_NAME])));
	if (tb[VFIOCTL_A_IOMMU_DRIVER])
		json_object_object_add(o, "iommu_driver", json_object_new_string(
			nla_get_string(tb[VFIOCTL_A_IOMMU_DRIVER])));
	if (tb[VFIOCTL_A_HOLDER]) {
		unsigned int pid;
		const char *comm;

		if (genl_holder(tb[VFIOCTL_A_HOLDER], &pid, &comm) == 0) {
			json_object_object_add(o, "pid", json_object_new_int((int)pid));
			json_object_object_add(o, "comm", json_object_new_string(comm));
		}
	}
	if (a->json) {
		/* One document per line, so `jq` can follow the stream. */
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		struct json_object_iterator it = json_object_iter_begin(o);
		struct json_object_iterator end = json_object_iter_end(o);

		printf("%s", genl_event_name(ev));
		for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
			const char *k = json_object_iter_peek_name(&it);

			if (!strcmp(k, "event") || !strcmp(k, "schema_version") ||
			    !strcmp(k, "time"))
				continue;
			printf(" %s=%s", k, json_object_get_string(
				json_object_iter_peek_value(&it)));
		}
		printf("\n");
	}
	json_object_put(o);
	return ferror(stdout) ? -EIO : 0;
}

static void on_signal(int sig)
{
	(void)sig;
	genl_stop = 1;	/* and poll() returns EINTR */
}

static struct argp_option options[] = {
	{ "json", 'j', 0, 0, "one JSON document per event and line", 0 },
	{ 0 }
};

static struct argp argp = { options, cli_parse_json_only, NULL,
	"Stream VFIO events (groups opened and closed, containers, devices) "
	"until interrupted.  Needs vfioctl's VFIO core; exits 6 on other stacks.\v"
	"Exit status:\n"
	"  0  interrupted after streaming\n"
	"  1  failure\n"
	"  2  usage error\n"
	"  6  the running VFIO stack has no event source" };

static int monitor_fn(int argc, char **argv, struct cli_ctx *ctx)
{
	struct monitor_args a = { 0 };
	struct genl_client nl;
	struct sigaction sa = { .sa_handler = on_signal };
	struct stack_info si;
	int rc;

	argp_parse(&argp, argc, argv, 0, NULL, &a.json);
	stack_detect(&ctx->env, &si);
	if (ctx->env.fake_proc || genl_client_open(&nl) < 0) {
		cli_err("the running VFIO stack (%s%s%s) has no event source: "
			"monitor needs vfioctl's vfio module and its \"%s\" "
			"netlink family", stack_name(si.stack),
			si.version[0] ? " " : "", si.version, VFIOCTL_GENL_NAME);
		return VFIOCTL_EXIT_UNSUPPORTED;
	}
	/* No SA_RESTART: the signal must break poll() so we exit cleanly. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = genl_listen(&nl, on_event, &a);
	genl_client_close(&nl);
	if (rc == -EPERM) {
		cli_err("VFIO events are visible to CAP_NET_ADMIN only: "
			"run vfioctl monitor as root");
		return VFIOCTL_EXIT_FAILURE;
	}
	if (rc == -ENOENT) {
		cli_err("the vfioctl family has no \"%s\" multicast group",
			VFIOCTL_GENL_MCGRP_EVENTS);
		return VFIOCTL_EXIT_UNSUPPORTED;
	}
	return rc < 0 ? VFIOCTL_EXIT_FAILURE : VFIOCTL_EXIT_OK;
}

const struct cli_cmd cmd_monitor = {
	.name = "monitor",
	.doc = "stream VFIO events",
	.fn = monitor_fn,
};
