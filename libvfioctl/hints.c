// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * hints.c - the "what to do about it" half of an error message.  Each
 * helper looks at the system (sysfs, rlimits, /proc) and writes one
 * clause into @buf; it returns how much it found, never an error, since
 * a missing hint must not turn into a second failure.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvfioctl-private.h"
#include "vfio-driver.h"

/* Drivers that leave a group viable: they never do DMA of their own. */
static bool driver_keeps_viable(const char *drv)
{
	static const char *const safe[] = { "pci-stub", "pcieport" };
	size_t i;

	if (vfio_pci_driver_name(drv))
		return true;
	for (i = 0; i < ARRAY_SIZE(safe); i++)
		if (strcmp(drv, safe[i]) == 0)
			return true;
	return false;
}

static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list args;
	int n;

	if (*pos >= len)
		return;
	va_start(args, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, args);
	va_end(args);
	if (n > 0)
		*pos += (size_t)n;
}

/* Names the members of @group that keep it from being viable. */
int hint_group_viability(struct vfioctl_ctx *ctx, int group, char *buf,
			 size_t len)
{
	char dir[PATH_MAX], link[PATH_MAX], drv[NAME_MAX + 1];
	struct dirent *de;
	size_t pos = 0;
	int blockers = 0;
	DIR *d;

	buf[0] = '\0';
	if (sysfs_path(ctx, dir, sizeof(dir), "/kernel/iommu_groups/%d/devices",
		       group) < 0)
		return 0;
	d = opendir(dir);
	if (!d) {
		snprintf(buf, len, "cannot list %s: %s", dir, strerror(errno));
		return 0;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(link, sizeof(link), "%s/%s/driver", dir,
			     de->d_name) >= (int)sizeof(link))
			continue;
		if (sysfs_link_basename(link, drv, sizeof(drv)) < 0)
			continue;	/* unbound: fine */
		if (driver_keeps_viable(drv))
			continue;
		append(buf, len, &pos, "%sdevice %s is bound to %s",
		       blockers ? ", " : "", de->d_name, drv);
		blockers++;
	}
	closedir(d);
	if (blockers)
		append(buf, len, &pos,
		       "; every device of group %d must be unbound or bound to vfio-pci (vfioctl group attach %d moves them all)",
		       group, group);
	else
		snprintf(buf, len,
			 "every device of group %d is unbound or on a VFIO driver; a driver may still be releasing one",
			 group);
	return blockers;
}

static long vmlck_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void rlim_text(rlim_t v, char *buf, size_t len)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu KiB", (unsigned long long)v / 1024);
}

/* RLIMIT_MEMLOCK against what is locked and what the mapping needs. */
int hint_memlock(uint64_t size, char *buf, size_t len)
{
	char soft[32], hard[32];
	struct rlimit rl;
	long locked;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0) {
		snprintf(buf, len, "getrlimit(RLIMIT_MEMLOCK): %s",
			 strerror(errno));
		return 0;
	}
	locked = vmlck_kib();
	rlim_text(rl.rlim_cur, soft, sizeof(soft));
	rlim_text(rl.rlim_max, hard, sizeof(hard));
	if (rl.rlim_cur == RLIM_INFINITY) {
		snprintf(buf, len,
			 "RLIMIT_MEMLOCK is unlimited and VmLck is %ld kB, so the kernel could not pin the %llu KiB: check free memory and that the buffer is ordinary anonymous or file memory",
			 locked, (unsigned long long)(size / 1024));
		return 1;
	}
	snprintf(buf, len,
		 "pinning needs %llu KiB more but RLIMIT_MEMLOCK is %s (hard %s) and VmLck is already %ld kB; raise it (ulimit -l, systemd LimitMEMLOCK=, limits.conf memlock) or grant CAP_IPC_LOCK",
		 (unsigned long long)(size / 1024), soft, hard, locked);
	return 1;
}

/* Which processes have @path open (those /proc lets us see). */
int hint_holders(const char *path, char *buf, size_t len)
{
	char fdpath[PATH_MAX], comm[64];
	struct dirent *pe, *fe;
	struct stat node, st;
	size_t pos = 0;
	int found = 0;
	DIR *proc, *fds;

	buf[0] = '\0';
	if (stat(path, &node) < 0)
		return 0;
	proc = opendir("/proc");
	if (!proc)
		return 0;
	while ((pe = readdir(proc)) && found < 4) {
		if (pe->d_name[0] < '0' || pe->d_name[0] > '9')
			continue;
		snprintf(fdpath, sizeof(fdpath), "/proc/%s/fd", pe->d_name);
		fds = opendir(fdpath);
		if (!fds)
			continue;
		while ((fe = readdir(fds))) {
			if (fe->d_name[0] == '.')
				continue;
			snprintf(fdpath, sizeof(fdpath), "/proc/%s/fd/%s",
				 pe->d_name, fe->d_name);
			if (stat(fdpath, &st) < 0 || st.st_dev != node.st_dev ||
			    st.st_ino != node.st_ino)
				continue;
			snprintf(fdpath, sizeof(fdpath), "/proc/%s/comm",
				 pe->d_name);
			if (sysfs_read_line(fdpath, comm, sizeof(comm)) < 0)
				strcpy(comm, "?");
			append(buf, len, &pos, "%spid %s (%s)",
			       found ? ", " : "", pe->d_name, comm);
			found++;
			break;
		}
		closedir(fds);
	}
	closedir(proc);
	if (found)
		append(buf, len, &pos, " %s it open",
		       found > 1 ? "have" : "has");
	else
		snprintf(buf, len,
			 "no process we can see holds %s; another user's process may (run as root to find it)",
			 path);
	return found;
}
