/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef LIBVFIOCTL_PRIVATE_H
#define LIBVFIOCTL_PRIVATE_H

#include <syslog.h>
#include "libvfioctl.h"

#define VFIOCTL_EXPORT __attribute__((visibility("default")))

struct vfioctl_ctx {
	int refcount;
	vfioctl_log_fn log_fn;
	void *log_data;
	int log_priority;
};

void vfioctl_log(struct vfioctl_ctx *ctx, int priority, const char *file,
		 int line, const char *fn, const char *format, ...)
	__attribute__((format(printf, 6, 7)));

#define vfioctl_log_cond(ctx, prio, ...)					\
	do {								\
		if (vfioctl_get_log_priority(ctx) >= (prio))		\
			vfioctl_log(ctx, prio, __FILE__, __LINE__,	\
				    __func__, __VA_ARGS__);		\
	} while (0)

#ifdef ENABLE_DEBUG
#define dbg(ctx, ...) vfioctl_log_cond(ctx, LOG_DEBUG, __VA_ARGS__)
#else
#define dbg(ctx, ...) do { if (0) vfioctl_log(ctx, LOG_DEBUG, "", 0, "", __VA_ARGS__); } while (0)
#endif
#define info(ctx, ...) vfioctl_log_cond(ctx, LOG_INFO, __VA_ARGS__)
#define err(ctx, ...) vfioctl_log_cond(ctx, LOG_ERR, __VA_ARGS__)

#endif
