/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef LIBVFIOCTL_PRIVATE_H
#define LIBVFIOCTL_PRIVATE_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <syslog.h>
#include "libvfioctl.h"

#define VFIOCTL_EXPORT __attribute__((visibility("default")))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Refcounts are atomic so that objects may be shared between threads;
 * everything else about an object is set up before it is published and
 * then only read, except where a struct says otherwise.
 */
static inline void ref_get(int *refcount)
{
	__atomic_add_fetch(refcount, 1, __ATOMIC_RELAXED);
}

/* True when the last reference went away. */
static inline bool ref_put(int *refcount)
{
	return __atomic_sub_fetch(refcount, 1, __ATOMIC_ACQ_REL) == 0;
}

struct vfioctl_ctx {
	int refcount;
	vfioctl_log_fn log_fn;
	void *log_data;
	int log_priority;
	void *userdata;		/* the caller's; never looked at */
	char sysfs_root[PATH_MAX];
	char dev_root[PATH_MAX];
	/* The IOMMU groups (topology.c), read once under lock. */
	pthread_mutex_t lock;
	bool topology_scanned;
	unsigned int nr_iommu_groups;
	struct vfioctl_iommu_group *iommu_groups;
};

/*
 * Locking of container attachment, so that threads may attach groups,
 * set the IOMMU model and map on one container at the same time:
 *
 *   group->lock      the group's container pointer (set/unset_container)
 *   container->attach  iommu_type and nr_groups; held across the
 *                      SET_CONTAINER and SET_IOMMU ioctls so that the
 *                      kernel's answer and our record change together
 *   container->lock  the cached IOMMU info
 *
 * Taken in that order, never the other way.  iommu_type is also read
 * without the lock (map and info error paths), hence atomic accesses.
 */
struct vfioctl_container {
	int refcount;
	struct vfioctl_ctx *ctx;
	int fd;
	pthread_mutex_t attach;
	int iommu_type;		/* 0 until SET_IOMMU succeeded; attach */
	int nr_groups;		/* attached through our group objects; attach */
	char object[PATH_MAX + 16];
	/* IOVA ranges from the last GET_INFO; protected by lock. */
	pthread_mutex_t lock;
	bool info_valid;
	uint64_t pgsizes;
	unsigned int nr_ranges;
	struct vfio_iova_range *ranges;
};

struct vfioctl_group {
	int refcount;
	struct vfioctl_ctx *ctx;
	int fd;
	int number;
	bool noiommu;
	char path[PATH_MAX];
	char object[PATH_MAX + 32];
	/* Referenced while attached; under lock (see the container). */
	pthread_mutex_t lock;
	struct vfioctl_container *container;
};

struct vfioctl_region {
	struct vfioctl_device *device;
	unsigned int index;
	uint32_t flags;
	uint64_t size;
	uint64_t offset;
	bool has_type;
	uint32_t type, subtype;
	bool msix_mappable;
	int nr_sparse;		/* -1: no sparse mmap capability */
	struct vfio_region_sparse_mmap_area *sparse;
	void *map;		/* base of vfioctl_region_mmap(), or NULL */
};

struct vfioctl_irq {
	struct vfioctl_device *device;
	unsigned int index;
	uint32_t flags;
	unsigned int count;
};

struct vfioctl_device {
	int refcount;
	struct vfioctl_group *group;
	int fd;
	char *name;
	char object[NAME_MAX + 64];
	uint32_t flags;
	unsigned int num_regions;
	unsigned int num_irqs;
	/* The GET_INFO reply, kept for its capability chain (read-only). */
	void *info;
	size_t info_len;
	/* Regions and irqs are created on first use under lock. */
	pthread_mutex_t lock;
	struct vfioctl_region **regions;
	struct vfioctl_irq **irqs;
};

/* log.c-style helpers (libvfioctl.c) */
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

/* errors.c: record the last failure; returns -error for tail calls. */
int vfioctl_fail(struct vfioctl_ctx *ctx, int error, const char *what,
		 const char *object, const char *hint_fmt, ...)
	__attribute__((format(printf, 5, 6)));
void vfioctl_clear_error(struct vfioctl_ctx *ctx);

/* hints.c: explanations that read sysfs and /proc. */
int hint_group_viability(struct vfioctl_ctx *ctx, int group, char *buf,
			 size_t len);
int hint_memlock(uint64_t size, char *buf, size_t len);
int hint_holders(const char *path, char *buf, size_t len);

/* sysfs.c */
int sysfs_path(struct vfioctl_ctx *ctx, char *buf, size_t len,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int dev_path(struct vfioctl_ctx *ctx, char *buf, size_t len,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int sysfs_read_line(const char *path, char *buf, size_t len);
int sysfs_link_basename(const char *path, char *buf, size_t len);

/* caps.c: the capability-chain walker; never trusts the chain. */
typedef int (*cap_walk_fn)(const struct vfio_info_cap_header *hdr,
			   size_t avail, void *data);
int cap_walk(const void *buf, size_t len, size_t base, uint32_t first,
	     cap_walk_fn fn, void *data);
int cap_find(const void *buf, size_t len, size_t base, uint32_t first,
	     uint16_t id, size_t min_size, const void **cap, size_t *avail);
int cap_sparse_mmap(const void *buf, size_t len, size_t base, uint32_t first,
		    struct vfio_region_sparse_mmap_area **areas,
		    uint32_t *count);
int cap_iova_ranges(const void *buf, size_t len, size_t base, uint32_t first,
		    struct vfio_iova_range **ranges, uint32_t *count);

/* info.c: *_INFO ioctls with argsz growth. */
int info_ioctl(struct vfioctl_ctx *ctx, int fd, unsigned long request,
	       const char *name, const char *object, const void *tmpl,
	       size_t tmpl_size, void **out, size_t *out_len);
int xioctl(int fd, unsigned long request, void *arg);
int ioctl_noarg(int fd, unsigned long request);
int ioctl_ularg(int fd, unsigned long request, unsigned long arg);

/* adopt.c: fds handed over to vfioctl_*_from_fd() */
int fd_target(int fd, char *buf, size_t len);
int adopt_fail(struct vfioctl_ctx *ctx, int fd, int rc, const char *ioctl_name,
	       const char *kind);
int adopt_check_fd(struct vfioctl_ctx *ctx, int fd, const char *ioctl_name);

/* topology.c */
void topology_free(struct vfioctl_ctx *ctx);

/* region.c, used by device.c */
void region_free(struct vfioctl_region *region);

/* container.c, used by group.c */
void container_invalidate_info(struct vfioctl_container *container);
static inline int container_iommu_type(struct vfioctl_container *container)
{
	return __atomic_load_n(&container->iommu_type, __ATOMIC_ACQUIRE);
}

#endif
