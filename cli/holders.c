// SPDX-License-Identifier: GPL-2.0-only
/*
 * holders.c - find VFIO file descriptors in /proc/<pid>/fd.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "holders.h"

static bool classify(const char *target, enum holder_kind *kind, int *group)
{
	const char *rest;

	*group = -1;
	if (strcmp(target, "/dev/vfio/vfio") == 0) {
		*kind = HOLD_CONTAINER;
		return true;
	}
	if (strncmp(target, "/dev/vfio/devices/", 18) == 0) {
		*kind = HOLD_CDEV;
		return true;
	}
	if (strcmp(target, "/dev/iommu") == 0) {
		*kind = HOLD_IOMMUFD;
		return true;
	}
	if (strstr(target, "anon_inode:") == target &&
	    strstr(target, "vfio-device")) {
		*kind = HOLD_DEVICE;
		return true;
	}
	if (strncmp(target, "/dev/vfio/", 10) == 0) {
		char *end;
		long n;

		rest = target + 10;
		if (strncmp(rest, "noiommu-", 8) == 0)
			rest += 8;
		n = strtol(rest, &end, 10);
		if (end == rest || *end || n < 0 || n > INT_MAX)
			return false;
		*kind = HOLD_GROUP;
		*group = (int)n;
		return true;
	}
	return false;
}

static unsigned long read_vmlck(const struct cli_env *env, const char *pid)
{
	char p[PATH_MAX], line[256];
	unsigned long kb = 0;
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s/status", env->procfs, pid);
	fp = fopen(p, "re");
	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "VmLck: %lu kB", &kb) == 1)
			break;
	fclose(fp);
	return kb;
}

static int add(struct holders *hs, size_t *cap, const struct holder *h)
{
	size_t i;

	for (i = 0; i < hs->nr; i++) {
		struct holder *o = &hs->h[i];

		if (o->pid == h->pid && o->kind == h->kind &&
		    strcmp(o->node, h->node) == 0) {
			o->count++;
			return 0;
		}
	}
	if (hs->nr == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct holder *n = realloc(hs->h, c * sizeof(*n));

		if (!n)
			return -ENOMEM;
		hs->h = n;
		*cap = c;
	}
	hs->h[hs->nr++] = *h;
	return 0;
}

int holders_scan(const struct cli_env *env, struct holders *hs)
{
	char p[PATH_MAX], target[PATH_MAX];
	struct dirent *pe, *fe;
	size_t cap = 0;
	DIR *pd, *fd;
	int rc = 0;

	memset(hs, 0, sizeof(*hs));
	pd = opendir(env->procfs);
	if (!pd)
		return -errno;
	while (rc == 0 && (pe = readdir(pd))) {
		struct holder h = { 0 };
		bool have_meta = false;

		if (pe->d_name[0] < '1' || pe->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "%s/%s/fd", env->procfs, pe->d_name);
		fd = opendir(p);
		if (!fd)
			continue;	/* gone, or not ours to look at */
		while (rc == 0 && (fe = readdir(fd))) {
			ssize_t n;

			if (fe->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s/fd/%s", env->procfs,
				 pe->d_name, fe->d_name);
			n = readlink(p, target, sizeof(target) - 1);
			if (n < 0)
				continue;
			target[n] = '\0';
			if (!classify(target, &h.kind, &h.group))
				continue;
			if (!have_meta) {
				h.pid = (pid_t)atoi(pe->d_name);
				snprintf(p, sizeof(p), "%s/%s/comm", env->procfs,
					 pe->d_name);
				if (sysfs_read(p, h.comm, sizeof(h.comm)) < 0)
					strcpy(h.comm, "?");
				h.locked_kb = read_vmlck(env, pe->d_name);
				have_meta = true;
			}
			snprintf(h.node, sizeof(h.node), "%.63s", target);
			h.count = 1;
			rc = add(hs, &cap, &h);
		}
		closedir(fd);
	}
	closedir(pd);
	if (rc < 0)
		holders_free(hs);
	return rc;
}

void holders_free(struct holders *hs)
{
	free(hs->h);
	hs->h = NULL;
	hs->nr = 0;
}

const char *holder_kind_name(enum holder_kind kind)
{
	switch (kind) {
	case HOLD_CONTAINER: return "container";
	case HOLD_GROUP: return "group";
	case HOLD_DEVICE: return "device";
	case HOLD_CDEV: return "device-cdev";
	case HOLD_IOMMUFD: return "iommufd";
	}
	return "?";
}

size_t holders_of_group(const struct holders *hs, int id, char *buf,
			size_t len)
{
	size_t i, used = 0, nr = 0;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < hs->nr; i++) {
		const struct holder *h = &hs->h[i];
		int n;

		if (h->kind != HOLD_GROUP || h->group != id)
			continue;
		nr++;
		if (used >= len)
			continue;
		n = snprintf(buf + used, len - used, "%s%d(%s)",
			     used ? "," : "", (int)h->pid, h->comm);
		if (n > 0)
			used += (size_t)n;
		if (used >= len)
			used = len - 1;
	}
	return nr;
}
