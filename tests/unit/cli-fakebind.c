// SPDX-License-Identifier: GPL-2.0-only
/*
 * cli-fakebind.c - LD_PRELOAD for tests/unit/cli-fixture.sh: makes the
 * fixture's sysfs files act like the PCI core's for vfioctl, so that a
 * group can be half attached and its rollback observed.
 *
 * Under the directory in $FAKEBIND_SYSFS (the fixture's sys), after the
 * real write():
 *   drivers/DRV/unbind ADDR   removes devices/ADDR/driver
 *   drivers/DRV/bind ADDR     links devices/ADDR/driver to DRV, unless
 *                             driver_override names another driver
 *                             (then fails with ENODEV, as the kernel)
 *   drivers_probe ADDR        an unbound device whose driver_override
 *                             names an existing driver gets linked to it
 * Nothing binds without an override: the fixture has no ID tables.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static ssize_t (*real_write)(int, const void *, size_t);

static void trim(char *s)
{
	s[strcspn(s, "\n")] = '\0';
}

static void read_override(const char *sys, const char *addr, char *buf,
			  size_t len)
{
	char p[PATH_MAX];
	FILE *fp;

	buf[0] = '\0';
	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/driver_override", sys, addr);
	fp = fopen(p, "re");
	if (!fp)
		return;
	if (!fgets(buf, (int)len, fp))
		buf[0] = '\0';
	fclose(fp);
	trim(buf);
	if (strcmp(buf, "(null)") == 0)
		buf[0] = '\0';
}

/* 0, or -errno as the kernel's bind would fail. */
static int link_driver(const char *sys, const char *addr, const char *drv)
{
	char p[PATH_MAX], d[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/driver", sys, addr);
	if (lstat(p, &st) == 0)
		return -EBUSY;
	snprintf(d, sizeof(d), "%s/bus/pci/drivers/%s", sys, drv);
	if (stat(d, &st) < 0)
		return -ENODEV;
	return symlink(d, p) < 0 ? -errno : 0;
}

static int act(const char *sys, const char *path, const char *val)
{
	char addr[64], ovr[128], drv[128], p[PATH_MAX];
	const char *rest;
	size_t n = strlen(sys);
	int rc;

	if (strncmp(path, sys, n) != 0)
		return 0;
	rest = path + n;
	snprintf(addr, sizeof(addr), "%s", val);
	trim(addr);
	if (strcmp(rest, "/bus/pci/drivers_probe") == 0) {
		read_override(sys, addr, ovr, sizeof(ovr));
		if (ovr[0])
			link_driver(sys, addr, ovr);
		return 0;
	}
	if (strncmp(rest, "/bus/pci/drivers/", 17) != 0)
		return 0;
	snprintf(drv, sizeof(drv), "%s", rest + 17);
	if (!strchr(drv, '/'))
		return 0;
	*strchr(drv, '/') = '\0';
	rest += 17 + strlen(drv);
	if (strcmp(rest, "/unbind") == 0) {
		snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/driver", sys, addr);
		unlink(p);
	} else if (strcmp(rest, "/bind") == 0) {
		read_override(sys, addr, ovr, sizeof(ovr));
		rc = ovr[0] && strcmp(ovr, drv) ? -ENODEV : link_driver(sys, addr, drv);
		return rc;
	}
	return 0;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	char link[64], path[PATH_MAX], sys[PATH_MAX], val[64];
	const char *root = getenv("FAKEBIND_SYSFS");
	ssize_t n, r;
	int rc;

	if (!real_write)
		real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	r = real_write(fd, buf, len);
	if (r < 0 || !root || !realpath(root, sys))
		return r;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return r;
	path[n] = '\0';
	snprintf(val, sizeof(val), "%.*s", (int)(len < sizeof(val) ? len : sizeof(val) - 1),
		 (const char *)buf);
	rc = act(sys, path, val);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return r;
}
