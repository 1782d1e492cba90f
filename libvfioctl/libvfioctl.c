// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvfioctl.c - library context: creation, references, logging, the
 * caller's userdata, the sysfs and /dev roots.
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

/* Copies @val without trailing slashes; "/" stays "/". */
static int copy_root(char *root, const char *val)
{
	size_t len = strlen(val);

	if (val[0] != '/')
		return -EINVAL;
	while (len > 1 && val[len - 1] == '/')
		len--;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(root, val, len);
	root[len] = '\0';
	return 0;
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
	/*
	 * The roots are never taken from the environment: whoever can set
	 * a VMM's environment must not be able to redirect its /dev.  Test
	 * suites call vfioctl_set_root().
	 */
	strcpy(ctx->sysfs_root, "/sys");
	strcpy(ctx->dev_root, "/dev");
	pthread_mutex_init(&ctx->lock, NULL);
	*ctxp = ctx;
	return 0;
}

VFIOCTL_EXPORT struct vfioctl_ctx *vfioctl_ref(struct vfioctl_ctx *ctx)
{
	if (ctx)
		ref_get(&ctx->refcount);
	return ctx;
}

VFIOCTL_EXPORT void vfioctl_unref(struct vfioctl_ctx *ctx)
{
	if (!ctx || !ref_put(&ctx->refcount))
		return;
	vfioctl_clear_error(ctx);
	topology_free(ctx);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

VFIOCTL_EXPORT void vfioctl_set_log_fn(struct vfioctl_ctx *ctx,
				       vfioctl_log_fn log_fn, void *data)
{
	if (!ctx)
		return;
	ctx->log_fn = log_fn;
	ctx->log_data = data;
}

VFIOCTL_EXPORT int vfioctl_get_log_priority(struct vfioctl_ctx *ctx)
{
	if (!ctx)
		return -EINVAL;
	return ctx->log_priority;
}

VFIOCTL_EXPORT void vfioctl_set_log_priority(struct vfioctl_ctx *ctx,
					     int priority)
{
	if (!ctx)
		return;
	ctx->log_priority = priority;
}

VFIOCTL_EXPORT void vfioctl_set_userdata(struct vfioctl_ctx *ctx, void *userdata)
{
	if (ctx)
		ctx->userdata = userdata;
}

VFIOCTL_EXPORT void *vfioctl_get_userdata(struct vfioctl_ctx *ctx)
{
	return ctx ? ctx->userdata : NULL;
}

VFIOCTL_EXPORT const char *vfioctl_get_version(void)
{
	return PACKAGE_VERSION;
}

/*
 * Both roots are checked before either changes, so a failure leaves the
 * context as it was.  Objects already open keep the paths they opened.
 */
VFIOCTL_EXPORT int vfioctl_set_root(struct vfioctl_ctx *ctx,
				    const char *sysfs_root,
				    const char *dev_root)
{
	char sysfs[PATH_MAX], dev[PATH_MAX];
	int rc;

	if (!ctx)
		return -EINVAL;
	rc = copy_root(sysfs, sysfs_root ? sysfs_root : ctx->sysfs_root);
	if (rc == 0)
		rc = copy_root(dev, dev_root ? dev_root : ctx->dev_root);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&ctx->lock);
	/* The enumerated groups came from the old root and stay valid. */
	if (ctx->topology_scanned) {
		pthread_mutex_unlock(&ctx->lock);
		return -EBUSY;
	}
	memcpy(ctx->sysfs_root, sysfs, sizeof(sysfs));
	memcpy(ctx->dev_root, dev, sizeof(dev));
	pthread_mutex_unlock(&ctx->lock);
	return 0;
}

VFIOCTL_EXPORT const char *vfioctl_get_sysfs_root(struct vfioctl_ctx *ctx)
{
	if (!ctx)
		return NULL;
	return ctx->sysfs_root;
}

VFIOCTL_EXPORT const char *vfioctl_get_dev_root(struct vfioctl_ctx *ctx)
{
	if (!ctx)
		return NULL;
	return ctx->dev_root;
}

VFIOCTL_EXPORT int vfioctl_noiommu_enabled(struct vfioctl_ctx *ctx)
{
	char path[PATH_MAX], val[8];

	if (!ctx)
		return -EINVAL;
	if (sysfs_path(ctx, path, sizeof(path),
		       "/module/vfio/parameters/enable_unsafe_noiommu_mode") < 0)
		return 0;
	if (sysfs_read_line(path, val, sizeof(val)) < 0)
		return 0;
	return val[0] == 'Y' || val[0] == 'y' || val[0] == '1';
}
