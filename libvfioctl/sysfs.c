// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sysfs.c - paths under the (overridable) sysfs and /dev roots, and the
 * two ways the library reads sysfs: a one-line attribute and a symlink's
 * last component.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libvfioctl-private.h"

static int root_path(const char *root, char *buf, size_t len,
		     const char *fmt, va_list args)
{
	int n, m;

	n = snprintf(buf, len, "%s", root);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	m = vsnprintf(buf + n, len - n, fmt, args);
	if (m < 0 || (size_t)m >= len - n)
		return -ENAMETOOLONG;
	return 0;
}

int sysfs_path(struct vfioctl_ctx *ctx, char *buf, size_t len,
	       const char *fmt, ...)
{
	va_list args;
	int rc;

	va_start(args, fmt);
	rc = root_path(ctx->sysfs_root, buf, len, fmt, args);
	va_end(args);
	return rc;
}

int dev_path(struct vfioctl_ctx *ctx, char *buf, size_t len,
	     const char *fmt, ...)
{
	va_list args;
	int rc;

	va_start(args, fmt);
	rc = root_path(ctx->dev_root, buf, len, fmt, args);
	va_end(args);
	return rc;
}

/* Reads the first line of @path without its newline. */
int sysfs_read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	char *nl;
	int fd;

	if (len == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return 0;
}

/* The last path component of the symlink @path ("vfio-pci", "12"). */
int sysfs_link_basename(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}
