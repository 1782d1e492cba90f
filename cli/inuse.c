// SPDX-License-Identifier: GPL-2.0-only
/*
 * inuse.c - host-use detection for a PCI device: everything below its
 * sysfs directory (block devices and their stacked holders, network
 * interfaces, framebuffers, virtio 9p transports, device nodes) is
 * matched against what the host has mounted, swapped on, routed through,
 * displays on or holds open.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <libmount.h>

#include "inuse.h"
#include "netstate.h"

#define MAX_BLK 64

struct blkset {
	size_t nr;
	char name[MAX_BLK][64];
	char majmin[MAX_BLK][24];
	char holder[MAX_BLK][64];	/* first dm/md device stacked on it */
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
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (!b->holder[i][0])
			snprintf(b->holder[i], sizeof(b->holder[i]), "%.63s",
				 de->d_name);
		blk_add(env, b, de->d_name, depth + 1);
	}
	closedir(d);
}

/*
 * A disk or partition with a holder is in use even when nothing is
 * mounted: an LVM PV, a dm-crypt or multipath leg, an MD RAID member.
 */
static void check_holders(const struct cli_env *env, const struct blkset *b,
			  struct finding *f)
{
	char p[PATH_MAX], dmname[128];
	size_t i;

	for (i = 0; i < b->nr; i++) {
		const char *h = b->holder[i];

		if (!h[0])
			continue;
		snprintf(p, sizeof(p), "%s/class/block/%s/dm/name", env->sysfs, h);
		if (sysfs_read(p, dmname, sizeof(dmname)) == 0)
			note(f, INUSE_HOLDER, "%s is held by %s (device-mapper %s: "
			     "LVM, dm-crypt or multipath)", b->name[i], h, dmname);
		else
			note(f, INUSE_HOLDER, "%s is held by %s (%s)", b->name[i], h,
			     strncmp(h, "md", 2) == 0 ? "MD RAID" : "a stacked block device");
	}
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
	char p[PATH_MAX], tags[8][128], mm[24];
	struct libmnt_table *tb;
	struct libmnt_iter *it;
	struct libmnt_fs *fs;
	size_t nr_tags, i;

	collect_9p_tags(dev, tags, &nr_tags, 8);
	if (!b->nr && !nr_tags)
		return;
	/* libmount parses mountinfo as util-linux does (escapes, fields). */
	snprintf(p, sizeof(p), "%s/self/mountinfo", env->procfs);
	tb = mnt_new_table();
	it = mnt_new_iter(MNT_ITER_FORWARD);
	if (!tb || !it || mnt_table_parse_file(tb, p) < 0)
		goto out;
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *name, *fstype = mnt_fs_get_fstype(fs);
		const char *src = mnt_fs_get_source(fs);
		const char *mnt = mnt_fs_get_target(fs);
		dev_t devno = mnt_fs_get_devno(fs);
		char *val;
		size_t vlen;

		if (!mnt)
			continue;
		snprintf(mm, sizeof(mm), "%u:%u", major(devno), minor(devno));
		name = blk_by_majmin(b, mm);
		if (name) {
			note(f, INUSE_MOUNT, "%s is mounted on %s", name, mnt);
			continue;
		}
		if (!fstype || strcmp(fstype, "9p") != 0 || !src ||
		    mnt_fs_get_option(fs, "trans", &val, &vlen) != 0 ||
		    vlen != 6 || strncmp(val, "virtio", 6) != 0)
			continue;
		for (i = 0; i < nr_tags; i++)
			if (strcmp(src, tags[i]) == 0)
				note(f, INUSE_MOUNT, "9p tag %s is mounted on %s",
				     src, mnt);
	}
out:
	mnt_free_iter(it);
	mnt_unref_table(tb);
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

#define MAX_STACK 16

/* An interface and the chain of uppers that led to it from the port. */
struct ifstack {
	size_t nr;
	char name[MAX_STACK][IF_NAMESIZE];
	int from[MAX_STACK];		/* index of the lower one, -1 for the port */
	bool is_master[MAX_STACK];	/* it is the lower one's master */
};

static void stack_push(struct ifstack *st, const char *name, int from,
		       bool master)
{
	size_t i;

	for (i = 0; i < st->nr; i++)
		if (strcmp(st->name[i], name) == 0) {
			st->is_master[i] |= master;
			return;
		}
	if (st->nr >= MAX_STACK || strlen(name) >= IF_NAMESIZE)
		return;
	strcpy(st->name[st->nr], name);
	st->from[st->nr] = from;
	st->is_master[st->nr] = master;
	st->nr++;
}

/*
 * Everything stacked on the port: its master (bridge, bond, team, VRF)
 * and its upper_* devices (VLAN, macvlan, ...), transitively.  Traffic
 * of those uppers flows through the port.
 */
static void collect_uppers(const struct cli_env *env, struct ifstack *st)
{
	char p[PATH_MAX], master[IF_NAMESIZE + 1];
	struct dirent *de;
	size_t i;
	DIR *d;

	for (i = 0; i < st->nr; i++) {
		snprintf(p, sizeof(p), "%s/class/net/%s/master", env->sysfs,
			 st->name[i]);
		if (sysfs_link_base(p, master, sizeof(master)) == 0)
			stack_push(st, master, (int)i, true);
		snprintf(p, sizeof(p), "%s/class/net/%s", env->sysfs, st->name[i]);
		d = opendir(p);
		if (!d)
			continue;
		while ((de = readdir(d)))
			if (strncmp(de->d_name, "upper_", 6) == 0)
				stack_push(st, de->d_name + 6, (int)i, false);
		closedir(d);
	}
}

static bool if_up(const struct cli_env *env, const char *ifname)
{
	char p[PATH_MAX];
	unsigned int flags = 0;

	snprintf(p, sizeof(p), "%s/class/net/%s/flags", env->sysfs, ifname);
	return sysfs_read_hex(p, &flags) == 0 && (flags & IFF_UP);
}

static void use_text(const struct netstate_if *n, char *buf, size_t len)
{
	const char *why = n->what & NET_ROUTE4 ? "IPv4 routes" :
			  n->what & NET_ADDR4 ? "IPv4 addresses" :
			  n->what & NET_ADDR6 ? "IPv6 addresses" : "IPv6 routes";

	/* 254 is the main table; others are VRFs or policy routing. */
	if ((n->what & (NET_ROUTE4 | NET_ROUTE6)) && !(n->what & NET_ADDR4) &&
	    n->table && n->table != 254)
		snprintf(buf, len, "%s in table %u", why, n->table);
	else
		snprintf(buf, len, "%s", why);
}

static void check_port(const struct cli_env *env, const struct netstate *ns,
		       const char *port, struct finding *f)
{
	const struct netstate_if *n;
	struct ifstack st = { 0 };
	char why[64], via[128];
	size_t i;

	stack_push(&st, port, -1, false);
	collect_uppers(env, &st);
	for (i = 0; i < st.nr; i++) {
		int j;

		n = netstate_find(ns, st.name[i]);
		if (!n || !n->what || !if_up(env, st.name[i]))
			continue;
		use_text(n, why, sizeof(why));
		if (i == 0) {
			note(f, INUSE_NET, "interface %s is up with %s", port, why);
			continue;
		}
		/* The path between, for "eth4 is a port of br0 (via bond0)". */
		via[0] = '\0';
		for (j = st.from[i]; j > 0; j = st.from[j]) {
			size_t l = strlen(via);

			snprintf(via + l, sizeof(via) - l, "%s%s", l ? ", " : " (via ",
				 st.name[j]);
		}
		if (via[0])
			strncat(via, ")", sizeof(via) - strlen(via) - 1);
		note(f, INUSE_NET, "interface %s is %s %s%s, which is up with %s",
		     port, st.is_master[i] ? "a port of" : "the lower device of",
		     st.name[i], via, why);
	}
}

static void check_net(const struct cli_env *env, const struct cli_dev *dev,
		      struct finding *f)
{
	char p[PATH_MAX], canon[PATH_MAX];
	struct netstate ns;
	struct dirent *de;
	bool loaded = false;
	DIR *d;

	snprintf(p, sizeof(p), "%s/class/net", env->sysfs);
	d = opendir(p);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/class/net/%s", env->sysfs, de->d_name);
		if (!realpath(p, canon) || !below(canon, dev->path))
			continue;
		if (!loaded) {
			if (netstate_load(env, &ns) < 0) {
				/* Cannot tell: assume the worst for an up link. */
				note(f, INUSE_NET, "cannot read addresses and routes "
				     "(rtnetlink) to check interface %s", de->d_name);
				break;
			}
			loaded = true;
		}
		check_port(env, &ns, de->d_name, f);
	}
	closedir(d);
	if (loaded)
		netstate_free(&ns);
}

/* vfio-pci's probe fails on a PF with VFs enabled (-EBUSY). */
static void check_sriov(const struct cli_env *env, const struct cli_dev *dev,
			struct finding *f)
{
	char p[PATH_MAX], v[16];
	int nr;

	snprintf(p, sizeof(p), "%s/sriov_numvfs", dev->path);
	if (sysfs_read(p, v, sizeof(v)) < 0 || (nr = atoi(v)) <= 0)
		return;
	note(f, INUSE_VFS, "it is an SR-IOV PF with %d VF%s enabled, and vfio-pci "
	     "refuses to bind such a PF; disable them first: echo 0 > "
	     "%s/bus/pci/devices/%s/sriov_numvfs", nr, nr == 1 ? "" : "s",
	     env->sysfs, dev->name);
}

/* For a VF, "VF 3 of PF 0000:3b:00.0"; "" otherwise. */
static void vf_of(const struct cli_dev *dev, char *buf, size_t len)
{
	char p[PATH_MAX], pf[PATH_MAX], canon[PATH_MAX];
	struct dirent *de;
	const char *base;
	DIR *d;

	buf[0] = '\0';
	snprintf(p, sizeof(p), "%s/physfn", dev->path);
	if (!realpath(p, pf))
		return;
	base = strrchr(pf, '/') ? strrchr(pf, '/') + 1 : pf;
	snprintf(buf, len, "it is a VF of PF %.32s", base);
	d = opendir(pf);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "virtfn", 6) != 0)
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", pf, de->d_name) >= (int)sizeof(p))
			continue;
		if (realpath(p, canon) && strcmp(canon, dev->path) == 0) {
			snprintf(buf, len, "it is VF %.8s of PF %.32s",
				 de->d_name + 6, base);
			break;
		}
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
	check_holders(env, b, &f);
	check_net(env, dev, &f);
	check_console(env, dev, &f);
	check_open_nodes(env, dev, &f);
	check_sriov(env, dev, &f);
	free(b);
	/* The admin knows the PF, not the VF's address. */
	if (f.mask) {
		char vf[128];

		vf_of(dev, vf, sizeof(vf));
		if (vf[0])
			note(&f, 0, "%s", vf);
	}
	*mask = f.mask;
	return 0;
}

void inuse_describe(unsigned int mask, char *buf, size_t len)
{
	static const char *const names[] = {
		"mounted filesystem", "active swap", "network interface in use",
		"console/framebuffer", "open device node",
		"held by device-mapper/MD", "SR-IOV VFs enabled",
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
