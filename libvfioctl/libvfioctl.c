// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvfioctl.c - library context: creation, references, logging.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "libvfioctl-private.h"

static int log_priority_from_string(const char *s)
{
	char *end;
	long prio;

	prio = strtol(s, &end, 10);
	if (end != s && (*end == '\0' || isspace((unsigned char)*end)))
		return (int)prio;
	if (strncmp(s, "err", 3) == 0)
		return LOG_ERR;
	if (strncmp(s, "info", 4) == 0)
		return LOG_INFO;
	if (strncmp(s, "debug", 5) == 0)
		return LOG_DEBUG;
	return LOG_ERR;
}

void vfioctl_log(struct vfioctl_ctx *ctx, int priority, const char *file,
		 int line, const char *fn, const char *format, ...)
{
	int saved_errno = errno;
	va_list args;

	if (ctx->log_fn) {
		va_start(args, format);
		ctx->log_fn(ctx, priority, file, line, fn, format, args,
			    ctx->log_data);
		va_end(args);
	}
	errno = saved_errno;
}

VFIOCTL_EXPORT int vfioctl_new(struct vfioctl_ctx **ctxp)
{
	struct vfioctl_ctx *ctx;
	const char *env;

	if (!ctxp)
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->refcount = 1;
	ctx->log_priority = LOG_ERR;
	env = secure_getenv("VFIOCTL_LOG");
	if (env)
		ctx->log_priority = log_priority_from_string(env);
	*ctxp = ctx;
	return 0;
}

VFIOCTL_EXPORT struct vfioctl_ctx *vfioctl_ref(struct vfioctl_ctx *ctx)
{
	if (ctx)
		ctx->refcount++;
	return ctx;
}

VFIOCTL_EXPORT void vfioctl_unref(struct vfioctl_ctx *ctx)
{
	if (!ctx || --ctx->refcount > 0)
		return;
	free(ctx);
}

VFIOCTL_EXPORT void vfioctl_set_log_fn(struct vfioctl_ctx *ctx,
				       vfioctl_log_fn log_fn, void *data)
{
	ctx->log_fn = log_fn;
	ctx->log_data = data;
}

VFIOCTL_EXPORT int vfioctl_get_log_priority(struct vfioctl_ctx *ctx)
{
	return ctx->log_priority;
}

VFIOCTL_EXPORT void vfioctl_set_log_priority(struct vfioctl_ctx *ctx,
					     int priority)
{
	ctx->log_priority = priority;
}

VFIOCTL_EXPORT const char *vfioctl_get_version(void)
{
	return PACKAGE_VERSION;
}
