// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * errors.c - the last failure, as a sentence a user can act on:
 *
 *   "<ioctl or call> on <object>: <strerror> (<ENAME>); <hint>"
 *
 * It is kept per thread, like errno, so that threads sharing a context
 * read their own failures.  Successful calls leave it alone.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errno-name.h"
#include "libvfioctl-private.h"

#define ERROR_TEXT_MAX 2048

static __thread struct {
	const struct vfioctl_ctx *ctx;
	int error;
	char text[ERROR_TEXT_MAX];
} last;

int vfioctl_fail(struct vfioctl_ctx *ctx, int error, const char *what,
		 const char *object, const char *hint_fmt, ...)
{
	const char *name;
	va_list args;
	int n;

	if (error < 0)
		error = -error;
	name = errno_name(error);
	n = snprintf(last.text, sizeof(last.text), "%s on %s: %s (%s)", what,
		     object, strerror(error), name ? name : "?");
	if (hint_fmt && n > 0 && (size_t)n < sizeof(last.text) - 3) {
		memcpy(last.text + n, "; ", 3);
		n += 2;
		va_start(args, hint_fmt);
		vsnprintf(last.text + n, sizeof(last.text) - n, hint_fmt, args);
		va_end(args);
	}
	last.ctx = ctx;
	last.error = error;
	err(ctx, "%s\n", last.text);
	return -error;
}

void vfioctl_clear_error(struct vfioctl_ctx *ctx)
{
	if (last.ctx == ctx) {
		last.ctx = NULL;
		last.error = 0;
		last.text[0] = '\0';
	}
}

VFIOCTL_EXPORT const char *vfioctl_get_last_error(struct vfioctl_ctx *ctx)
{
	if (!ctx)
		return "";
	return last.ctx == ctx ? last.text : "";
}

VFIOCTL_EXPORT int vfioctl_get_last_errno(struct vfioctl_ctx *ctx)
{
	if (!ctx)
		return -EINVAL;
	return last.ctx == ctx ? last.error : 0;
}
