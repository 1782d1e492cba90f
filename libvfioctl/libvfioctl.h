/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvfioctl.h - the public interface of libvfioctl.
 *
 * Object hierarchy (each child holds a reference on its parent context):
 *
 *   vfioctl_ctx
 *     +-- vfioctl_container      /dev/vfio/vfio
 *     +-- vfioctl_group          /dev/vfio/N or /dev/vfio/noiommu-N
 *           +-- vfioctl_device   device fd
 *
 * Every function returning int returns >= 0 on success or a negative errno.
 */
#ifndef LIBVFIOCTL_H
#define LIBVFIOCTL_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vfioctl_ctx;

int vfioctl_new(struct vfioctl_ctx **ctx);
struct vfioctl_ctx *vfioctl_ref(struct vfioctl_ctx *ctx);
void vfioctl_unref(struct vfioctl_ctx *ctx);

typedef void (*vfioctl_log_fn)(struct vfioctl_ctx *ctx, int priority,
			       const char *file, int line, const char *fn,
			       const char *format, va_list args, void *data);
void vfioctl_set_log_fn(struct vfioctl_ctx *ctx, vfioctl_log_fn log_fn,
			void *data);
int vfioctl_get_log_priority(struct vfioctl_ctx *ctx);
void vfioctl_set_log_priority(struct vfioctl_ctx *ctx, int priority);

/* The library's version, "MAJOR.MINOR.PATCH[-suffix]". */
const char *vfioctl_get_version(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBVFIOCTL_H */
