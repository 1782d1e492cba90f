// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * adopt.c - checks shared by vfioctl_*_from_fd(): fds a manager (libvirt,
 * a privileged helper) opened and handed over.  The library trusts none of
 * them until the fd answers the ioctl its kind must answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libvfioctl-private.h"

int fd_target(int fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	if (n < 0) {
		snprintf(buf, len, "?");
		return -errno;
	}
	buf[n] = '\0';
	return 0;
}

/*
 * Fails with a message naming the fd and what it is when @rc (the answer
 * to @ioctl_name) says @fd is not a VFIO @kind.
 */
int adopt_fail(struct vfioctl_ctx *ctx, int fd, int rc, const char *ioctl_name,
	       const char *kind)
{
	char object[32], target[PATH_MAX];

	snprintf(object, sizeof(object), "fd %d", fd);
	if (rc == -EBADF)
		return vfioctl_fail(ctx, rc, ioctl_name, object,
				    "fd %d is not open in this process", fd);
	fd_target(fd, target, sizeof(target));
	return vfioctl_fail(ctx, rc, ioctl_name, object,
			    "fd %d (%s) is not a %s", fd, target, kind);
}

/* -EBADF with a message unless @fd is open. */
int adopt_check_fd(struct vfioctl_ctx *ctx, int fd, const char *ioctl_name)
{
	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return adopt_fail(ctx, fd, -EBADF, ioctl_name, "");
	return 0;
}
