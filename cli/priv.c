// SPDX-License-Identifier: GPL-2.0-only
/*
 * priv.c - say up front that a command needs root.  Without it a
 * non-root attach fails on the first sysfs write, and status or the
 * holders of list come back empty because /proc hides other users' fds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "priv.h"
#include "vfioctl.h"

/* Capabilities are about this process: always the real /proc. */
static bool has_cap(int cap)
{
	unsigned long long eff = 0;
	char line[256];
	bool found = false;
	FILE *fp;

	if (cap < 0 || cap > 63)
		return false;
	fp = fopen("/proc/self/status", "re");
	if (!fp)
		return false;
	while (!found && fgets(line, sizeof(line), fp))
		found = sscanf(line, "CapEff: %llx", &eff) == 1;
	fclose(fp);
	return found && (eff >> cap) & 1;
}

bool cli_privileged(int cap)
{
	return geteuid() == 0 || has_cap(cap);
}

int cli_need_root(const char *what)
{
	if (cli_privileged(-1))
		return 0;
	cli_set_errno(EPERM);
	cli_err("%s needs root (running as uid %u): run it with sudo", what,
		(unsigned int)geteuid());
	return VFIOCTL_EXIT_FAILURE;
}
