/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json.h - JSON serializers shared by the commands.  Every document is an
 * object with "schema_version" first; arrays are always arrays, even with
 * one element, so consumers never special-case shapes.
 */
#ifndef VFIOCTL_CLI_JSON_H
#define VFIOCTL_CLI_JSON_H

#include <json.h>

#include "holders.h"
#include "plan.h"
#include "sysfs.h"

#define VFIOCTL_JSON_SCHEMA 1

struct json_object *json_doc_new(void);
/* Print @doc on stdout and drop the reference.  Returns 0 or -EIO. */
int json_doc_print(struct json_object *doc);

/*
 * {"error": {"errno", "name", "message", "exit_status"}}: what --json
 * prints instead of a document when the command fails, so scripts always
 * get JSON on stdout.
 */
void json_error_print(int errnum, const char *msg, int status);

struct json_object *json_dev(const struct cli_dev *d, const char *target);
struct json_object *json_group(const struct cli_env *env,
			       const struct cli_topo *t,
			       const struct cli_group *g,
			       const struct holders *hs);
struct json_object *json_holder(const struct holder *h);

/* Helpers for human output shared with the JSON view. */
const char *group_state(const struct viability *v);
/* "/dev/vfio/N" (or noiommu-N) when the node exists, else NULL. */
const char *group_node(const struct cli_env *env, int id, char *buf,
		       size_t len);
void fmt_pci_id(const struct cli_dev *d, char *buf, size_t len);

#endif
