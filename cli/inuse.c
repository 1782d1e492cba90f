// SPDX-License-Identifier: GPL-2.0-only
/*
 * inuse.c - host-use detection for a PCI device: everything below its
 * sysfs directory (block devices and their stacked holders, network
 * interfaces, framebuffers, virtio 9p transports, device nodes) is
 * matched against what the host has mounted, swapped on, routed through,
 * displays on or holds open.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "inuse.h"

#define MAX_BLK 64

struct blkset {
	size_t nr;
	char name[MAX_BLK][64];
	char majmin[MAX_BLK][24];
};

struct finding {
	char *buf;
	size_t len, used;
	unsigned int mask;
};

static void note(struct finding *f, unsigned int bit, const char *fmt, ...)
{
	va_list ap;
	int n;

	f->mask |= bit;
	if (f->used >= f->len)
		return;
	if (f->used) {
		n = snprintf(f->buf + f->used, f->len - f->used, "; ");
		f->used += n > 0 ? (size_t)n : 0;
		if (f->used >= f->len)
			return;
	}
	va_start(ap, fmt);
	n = vsnprintf(f->buf + f->used, f->len - f->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		f->used += (size_t)n;
	if (f->used >= f->len)
		f->used = f->len - 1;
}

/* Is the canonical path @p at or below device directory @dev? */
static bool below(const char *p, const char *dev)
{
	size_t n = strlen(dev);

	return strncmp(p, dev, n) == 0 && (p[n] == '/' || p[n] == '\0');
}

static void blk_add(const struct cli_env *env, struct blkset *b,
		    const char *name, int depth)
{
	char p[PATH_MAX];
	struct dirent *de;
	size_t i;
	DIR *d;

	for (i = 0; i < b->nr; i++)
		if (strcmp(b->name[i], name) == 0)
			return;
	if (b->nr >= MAX_BLK || strlen(name) >= sizeof(b->name[0]))
		return;
	i = b->nr++;
	strcpy(b->name[i], name);
	snprintf(p, sizeof(p), "%s/class/block/%s/dev", env->sysfs, name);
	if (sysfs_read(p, b->majmin[i], sizeof(b->majmin[i])) < 0)
		b->majmin[i][0] = '\0';
	/* dm, md and friends stacked on top use it too. */
	if (depth >= 4)
		return;
	snprintf(p, sizeof(p), "%s/class/block/%s/holders", env->sysfs, name);
	d = opendir(p);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			blk_add(env, b, de->d_name, depth + 1);
	closedir(d);
}

/* Every block device (disks, partitions, holders) backed by @dev. */
static void collect_blk(const struct cli_env *env, const struct cli_dev *dev,
			struct blkset *b)
{
	char p[PATH_MAX], canon[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(p, sizeof(p), "%s/class/block", env->sysfs);
	d = opendir(p);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/class/block/%s", env->sysfs, de->d_name);
		if (realpath(p, canon) && below(canon, dev->path))
			blk_add(env, b, de->d_name, 0);
	}
	closedir(d);
}

static const char *blk_by_majmin(const struct blkset *b, const char *mm)
{
	size_t i;

	for (i = 0; i < b->nr; i++)
		if (b->majmin[i][0] && strcmp(b->majmin[i], mm) == 0)
			return b->name[i];
	return NULL;
}

static const char *blk_by_name(const struct blkset *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->nr; i++)
		if (strcmp(b->name[i], name) == 0)
			return b->name[i];
	return NULL;
}

/* 9p filesystems ride on a virtio transport identified by its tag. */
static void collect_9p_tags(const struct cli_dev *dev, char tags[][128],
			    size_t *nr, size_t max)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;

	*nr = 0;
	d = opendir(dev->path);
	if (!d)
		return;
	while ((de = readdir(d)) && *nr < max) {
		if (strncmp(de->d_name, "virtio", 6) != 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s/mount_tag", dev->path, de->d_name);
		if (sysfs_read(p, tags[*nr], sizeof(tags[0])) == 0)
			(*nr)++;
	}
	closedir(d);
}

static void check_mounts(const struct cli_env *env, const struct cli_dev *dev,
			 const struct blkset *b, struct finding *f)
{
	char p[PATH_MAX], line[4096], tags[8][128];
	size_t nr_tags, i;
	FILE *fp;

	collect_9p_tags(dev, tags, &nr_tags, 8);
	if (!b->nr && !nr_tags)
		return;
	snprintf(p, sizeof(p), "%s/self/mountinfo", env->procfs);
	fp = fopen(p, "re");
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		char mm[24], mnt[1024], fstype[64], src[1024];
		const char *sep = strstr(line, " - "), *name;

		/* id parent maj:min root mountpoint ... - fstype source opts */
		if (!sep || sscanf(line, "%*s %*s %23s %*s %1023s", mm, mnt) != 2 ||
		    sscanf(sep + 3, "%63s %1023s", fstype, src) != 2)
			continue;
		name = blk_by_majmin(b, mm);
		if (name) {
			note(f, INUSE_MOUNT, "%s is mounted on %s", name, mnt);
			continue;
		}
		if (strcmp(fstype, "9p") != 0 || !strstr(sep, "trans=virtio"))
			continue;
		for (i = 0; i < nr_tags; i++)
			if (strcmp(src, tags[i]) == 0)
				note(f, INUSE_MOUNT, "9p tag %s is mounted on %s",
				     src, mnt);
	}
	fclose(fp);
}

static void check_swaps(const struct cli_env *env, const struct blkset *b,
			struct finding *f)
{
	char p[PATH_MAX], line[1024], file[1024], canon[PATH_MAX];
	const char *base, *name;
	FILE *fp;

	if (!b->nr)
		return;
	snprintf(p, sizeof(p), "%s/swaps", env->procfs);
	fp = fopen(p, "re");
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%1023s", file) != 1 || file[0] != '/')
			continue;
		/* /dev/disk/by-uuid/... and /dev/mapper/... are symlinks. */
		if (!env->fake_proc && realpath(file, canon))
			strcpy(file, canon);
		base = strrchr(file, '/') + 1;
		name = blk_by_name(b, base);
		if (name)
			note(f, INUSE_SWAP, "swap is active on %s", name);
	}
	fclose(fp);
}

/* Does a /proc/net table list @ifname in column @col (1-based)? */
static bool proc_net_lists(const struct cli_env *env, const char *table,
			   const char *ifname, int col, bool skip_linklocal)
{
	char p[PATH_MAX], line[512];
	bool found = false;
	FILE *fp;

	snprintf(p, sizeof(p), "%s/net/%s", env->procfs, table);
	fp = fopen(p, "re");
	if (!fp)
		return false;
	while (!found && fgets(line, sizeof(line), fp)) {
		char *tok, *save = NULL, *first = NULL, *field = NULL;
		int i = 0;

		for (tok = strtok_r(line, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save)) {
			if (i == 0)
				first = tok;
			field = tok;
			if (++i == col)
				break;
		}
		if (col > 0 && i != col)
			continue;
		if (!field || strcmp(field, ifname) != 0)
			continue;
		/* fe80::/10 addresses and routes exist on every up link. */
		if (skip_linklocal && first && strncmp(first, "fe8", 3) == 0)
			continue;
		if (skip_linklocal && first && strncmp(first, "ff", 2) == 0)
			continue;
		found = true;
	}
	fclose(fp);
	return found;
}

/* IPv4 addresses are not in procfs; ask the kernel (host mode only). */
static bool has_ipv4(const struct cli_env *env, const char *ifname)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (env->fake_proc || getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    strcmp(i->ifa_name, ifname) == 0)
			found = true;
	freeifaddrs(ifa);
	return found;
}

static void check_net(const struct cli_env *env, const struct cli_dev *dev,
		      struct finding *f)
{
	char p[PATH_MAX], canon[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(p, sizeof(p), "%s/class/net", env->sysfs);
	d = opendir(p);
	if (!d)
		return;
	while ((de = readdir(d))) {
		unsigned int flags = 0;
		const char *why = NULL;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/class/net/%s", env->sysfs, de->d_name);
		if (!realpath(p, canon) || !below(canon, dev->path))
			continue;
		snprintf(p, sizeof(p), "%s/class/net/%s/flags", env->sysfs,
			 de->d_name);
		if (sysfs_read_hex(p, &flags) < 0 || !(flags & IFF_UP))
			continue;
		/* route: Iface is column 1; if_inet6/ipv6_route: last. */
		if (proc_net_lists(env, "route", de->d_name, 1, false))
			why = "IPv4 routes";
		else if (has_ipv4(env, de->d_name))
			why = "IPv4 addresses";
		else if (proc_net_lists(env, "if_inet6", de->d_name, 6, true))
			why = "IPv6 addresses";
		else if (proc_net_lists(env, "ipv6_route", de->d_name, 10, true))
			why = "IPv6 routes";
		if (why)
			note(f, INUSE_NET, "interface %s is up with %s",
			     de->d_name, why);
	}
	closedir(d);
}

static void check_console(const struct cli_env *env, const struct cli_dev *dev,
			  struct finding *f)
{
	char p[PATH_MAX], canon[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (dev->boot_vga == 1)
		note(f, INUSE_CONSOLE,
		     "it is the boot VGA device (firmware framebuffer and console)");
	snprintf(p, sizeof(p), "%s/class/graphics", env->sysfs);
	d = opendir(p);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "fb", 2) != 0)
			continue;
		snprintf(p, sizeof(p), "%s/class/graphics/%s/device", env->sysfs,
			 de->d_name);
		if (realpath(p, canon) && strcmp(canon, dev->path) == 0)
			note(f, INUSE_CONSOLE, "framebuffer %s is on it",
			     de->d_name);
	}
	closedir(d);
}

/*
 * Device nodes (a tty, a disk, a virtio port...) of the device that some
 * process holds open.  Only meaningful on the live /proc, since it needs
 * stat() of the node.
 */
static void check_open_nodes(const struct cli_env *env,
			     const struct cli_dev *dev, struct finding *f)
{
	char p[PATH_MAX], canon[PATH_MAX], target[PATH_MAX];
	struct dirent *pe, *fe;
	DIR *pd, *fd;
	int hits = 0;

	if (env->fake_proc)
		return;
	pd = opendir(env->procfs);
	if (!pd)
		return;
	while ((pe = readdir(pd)) && hits < 4) {
		if (pe->d_name[0] < '1' || pe->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "%s/%s/fd", env->procfs, pe->d_name);
		fd = opendir(p);
		if (!fd)
			continue;
		while ((fe = readdir(fd)) && hits < 4) {
			struct stat st;
			ssize_t n;

			if (fe->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s/fd/%s", env->procfs,
				 pe->d_name, fe->d_name);
			if (stat(p, &st) < 0 ||
			    !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
				continue;
			n = readlink(p, target, sizeof(target) - 1);
			target[n > 0 ? n : 0] = '\0';
			snprintf(p, sizeof(p), "%s/dev/%s/%u:%u", env->sysfs,
				 S_ISCHR(st.st_mode) ? "char" : "block",
				 major(st.st_rdev), minor(st.st_rdev));
			if (!realpath(p, canon) || !below(canon, dev->path))
				continue;
			{
				char comm[64] = "?";

				snprintf(p, sizeof(p), "%s/%s/comm", env->procfs,
					 pe->d_name);
				sysfs_read(p, comm, sizeof(comm));
				note(f, INUSE_OPEN, "process %s (%s) has %s open",
				     pe->d_name, comm, target);
			}
			hits++;
		}
		closedir(fd);
	}
	closedir(pd);
}

int inuse_probe(const struct cli_env *env, const struct cli_dev *dev,
		unsigned int *mask, char *detail, size_t len)
{
	struct finding f = { .buf = detail, .len = len };
	struct blkset *b;

	if (len)
		detail[0] = '\0';
	*mask = 0;
	if (!dev->path)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	collect_blk(env, dev, b);
	check_mounts(env, dev, b, &f);
	check_swaps(env, b, &f);
	check_net(env, dev, &f);
	check_console(env, dev, &f);
	check_open_nodes(env, dev, &f);
	free(b);
	*mask = f.mask;
	return 0;
}

void inuse_describe(unsigned int mask, char *buf, size_t len)
{
	static const char *const names[] = {
		"mounted filesystem", "active swap", "network interface in use",
		"console/framebuffer", "open device node",
	};
	size_t i, used = 0;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n;

		if (!(mask & (1u << i)) || used >= len)
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
			     names[i]);
		if (n > 0)
			used += (size_t)n;
	}
}
