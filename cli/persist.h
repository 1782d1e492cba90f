/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * persist.h - groups saved with `group attach --persist`.  A record names
 * the group by its members (address and vendor:device), never by its
 * number, which firmware updates and ACS changes renumber.  At boot,
 * `group apply-persisted` re-applies a record only if the group the first
 * member is in today has exactly the recorded members.
 *
 * File format (one file per group, /etc/vfioctl.d/<first-member>.conf):
 *   # comment
 *   driver=vfio-pci
 *   forced=yes                       (optional; absent means no)
 *   reason=NIC handed to the router VM (optional; one line)
 *   device=0000:02:01.0 1234:11e8
 *   bridge=0000:00:11.0 1b36:000e
 *
 * forced= and reason= came later: records without them are unforced.
 */
#ifndef VFIOCTL_CLI_PERSIST_H
#define VFIOCTL_CLI_PERSIST_H

#include <stdbool.h>
#include <stddef.h>

#include "sysfs.h"

#define PERSIST_MAX_DEVS 64
#define PERSIST_REASON_MAX 200	/* bytes, without the NUL */

struct persist_dev {
	char addr[16];
	unsigned int vendor, device;
	bool bridge;
};

struct persist_rec {
	char driver[64];
	bool forced;			/* recorded from --force */
	char reason[PERSIST_REASON_MAX + 1];
	size_t nr;
	struct persist_dev dev[PERSIST_MAX_DEVS];
};

/* Returns 0, or -EINVAL with the offending line number in *@line. */
int persist_parse(const char *text, struct persist_rec *r, int *line);
int persist_format(const struct persist_rec *r, char *buf, size_t len);
int persist_from_group(const struct cli_dev *devs, size_t nr,
		       const char *driver, struct persist_rec *r);
/*
 * persist_reason_ok - a reason fits a record: one line of printable
 * characters, at most PERSIST_REASON_MAX bytes.
 */
bool persist_reason_ok(const char *reason);
/* The first non-bridge member: it names the record's file. */
const char *persist_key(const struct persist_rec *r);
/*
 * persist_validate - 0 when @devs (one group, as found now) has exactly
 * the recorded members and IDs; -ESTALE with the difference in @why.
 */
int persist_validate(const struct persist_rec *r, const struct cli_dev *devs,
		     size_t nr, char *why, size_t len);

/*
 * persist_udev_sync - rewrite the udev rules file (VFIOCTL_UDEV_RULES, by
 * default /etc/udev/rules.d/61-vfioctl-persist.rules) from the records in
 * @env->confdir, or remove it when there are none.  In persist-cmd.c.
 */
int persist_udev_sync(const struct cli_env *env);
const char *persist_udev_rules_path(void);

/*
 * persist_read_file - a record file into @buf (NUL-terminated); -EFBIG if
 * it does not fit in @len - 1 bytes, else 0 or fopen()'s -errno.
 */
int persist_read_file(const char *path, char *buf, size_t len);

#endif
