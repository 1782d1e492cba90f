// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * info.c - ioctl helpers.  Every VFIO *_INFO reply starts with argsz; when
 * the capabilities do not fit, the kernel raises argsz to what it needs and
 * leaves cap_offset 0.  info_ioctl() grows the buffer and asks again, so
 * callers never see a truncated chain.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libvfioctl-private.h"

/* No VFIO reply is anywhere near this; more means a broken argsz. */
#define INFO_MAX_SIZE (1u << 20)
#define INFO_MAX_TRIES 4

int xioctl(int fd, unsigned long request, void *arg)
{
	int rc = ioctl(fd, request, arg);

	return rc < 0 ? -errno : rc;
}

int ioctl_noarg(int fd, unsigned long request)
{
	int rc = ioctl(fd, request);

	return rc < 0 ? -errno : rc;
}

int ioctl_ularg(int fd, unsigned long request, unsigned long arg)
{
	int rc = ioctl(fd, request, arg);

	return rc < 0 ? -errno : rc;
}

/*
 * Issues @request with a copy of @tmpl (whose argsz is filled in) until the
 * reply fits.  On success *@out is a malloc()ed buffer of at least
 * @tmpl_size bytes and *@out_len the number of valid bytes in it.
 */
int info_ioctl(struct vfioctl_ctx *ctx, int fd, unsigned long request,
	       const char *name, const char *object, const void *tmpl,
	       size_t tmpl_size, void **out, size_t *out_len)
{
	size_t size = tmpl_size;
	uint32_t argsz;
	void *buf = NULL, *tmp;
	int tries, rc;

	for (tries = 0; tries < INFO_MAX_TRIES; tries++) {
		tmp = realloc(buf, size);
		if (!tmp) {
			free(buf);
			return vfioctl_fail(ctx, ENOMEM, name, object, NULL);
		}
		buf = tmp;
		memset(buf, 0, size);
		memcpy(buf, tmpl, tmpl_size);
		argsz = (uint32_t)size;
		memcpy(buf, &argsz, sizeof(argsz));
		rc = xioctl(fd, request, buf);
		if (rc < 0) {
			free(buf);
			return vfioctl_fail(ctx, rc, name, object, NULL);
		}
		memcpy(&argsz, buf, sizeof(argsz));
		if (argsz <= size) {
			*out = buf;
			*out_len = argsz < tmpl_size ? tmpl_size : argsz;
			return 0;
		}
		if (argsz > INFO_MAX_SIZE) {
			free(buf);
			return vfioctl_fail(ctx, EPROTO, name, object,
					    "the kernel asked for argsz %u, more than the %u bytes any VFIO reply needs",
					    argsz, INFO_MAX_SIZE);
		}
		dbg(ctx, "%s on %s: growing argsz %zu -> %u\n", name, object,
		    size, argsz);
		size = argsz;
	}
	free(buf);
	return vfioctl_fail(ctx, EPROTO, name, object,
			    "the kernel kept raising argsz (last %zu bytes)",
			    size);
}
