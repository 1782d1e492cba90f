// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvm.c - the KVM-VFIO device: tells KVM which VFIO groups a VM uses, so
 * that KVM can set up coherent DMA (no-snoop) and, on some platforms,
 * interrupt bypass.  A VM may have only one such device, so it is an
 * object the caller creates once per VM and adds groups through.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "libvfioctl-private.h"

/* Renamed in 6.6 (VFIO files, not only groups); the values are the same. */
#ifndef KVM_DEV_VFIO_FILE
#define KVM_DEV_VFIO_FILE KVM_DEV_VFIO_GROUP
#define KVM_DEV_VFIO_FILE_ADD KVM_DEV_VFIO_GROUP_ADD
#define KVM_DEV_VFIO_FILE_DEL KVM_DEV_VFIO_GROUP_DEL
#endif

struct vfioctl_kvm {
	int refcount;
	struct vfioctl_ctx *ctx;
	int fd;			/* the KVM-VFIO device */
	char object[48];
};

VFIOCTL_EXPORT int vfioctl_kvm_new(struct vfioctl_ctx *ctx, int vm_fd,
				   struct vfioctl_kvm **out)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	struct vfioctl_kvm *k;
	char object[32];
	int rc;

	if (!ctx || !out)
		return -EINVAL;
	snprintf(object, sizeof(object), "VM fd %d", vm_fd);
	if (vm_fd < 0 || fcntl(vm_fd, F_GETFD) < 0)
		return vfioctl_fail(ctx, EBADF, "KVM_CREATE_DEVICE", object,
				    "fd %d is not open in this process", vm_fd);
	rc = xioctl(vm_fd, KVM_CREATE_DEVICE, &cd);
	if (rc == -EBUSY)
		return vfioctl_fail(ctx, rc, "KVM_CREATE_DEVICE", object,
				    "the VM already has a KVM-VFIO device (only one is allowed); add groups through that one");
	if (rc == -ENODEV)
		return vfioctl_fail(ctx, rc, "KVM_CREATE_DEVICE", object,
				    "this kernel's KVM has no VFIO device (CONFIG_KVM_VFIO)");
	if (rc < 0)
		return adopt_fail(ctx, vm_fd, rc, "KVM_CREATE_DEVICE",
				  "KVM VM (from KVM_CREATE_VM)");
	k = calloc(1, sizeof(*k));
	if (!k) {
		close((int)cd.fd);
		return vfioctl_fail(ctx, ENOMEM, "KVM_CREATE_DEVICE", object,
				    NULL);
	}
	k->refcount = 1;
	k->fd = (int)cd.fd;
	fcntl(k->fd, F_SETFD, FD_CLOEXEC);
	snprintf(k->object, sizeof(k->object), "KVM-VFIO device of VM fd %d",
		 vm_fd);
	k->ctx = vfioctl_ref(ctx);
	*out = k;
	return 0;
}

VFIOCTL_EXPORT struct vfioctl_kvm *vfioctl_kvm_ref(struct vfioctl_kvm *k)
{
	if (k)
		ref_get(&k->refcount);
	return k;
}

/* KVM keeps the groups it was given until the VM goes away. */
VFIOCTL_EXPORT void vfioctl_kvm_unref(struct vfioctl_kvm *k)
{
	if (!k || !ref_put(&k->refcount))
		return;
	close(k->fd);
	vfioctl_unref(k->ctx);
	free(k);
}

VFIOCTL_EXPORT int vfioctl_kvm_get_fd(struct vfioctl_kvm *k)
{
	return k ? k->fd : -EINVAL;
}

static int set_group(struct vfioctl_kvm *k, struct vfioctl_group *g,
		     uint64_t op, const char *what)
{
	int32_t fd;
	struct kvm_device_attr attr = {
		.group = KVM_DEV_VFIO_FILE,
		.attr = op,
		.addr = (uintptr_t)&fd,
	};
	int rc;

	if (!k || !g)
		return -EINVAL;
	fd = g->fd;
	rc = xioctl(k->fd, KVM_SET_DEVICE_ATTR, &attr);
	if (rc == 0)
		return 0;
	if (rc == -ENOENT && op == KVM_DEV_VFIO_FILE_DEL)
		return vfioctl_fail(k->ctx, rc, what, k->object,
				    "%s was not added to this VM", g->object);
	return vfioctl_fail(k->ctx, rc, what, k->object, "%s", g->object);
}

VFIOCTL_EXPORT int vfioctl_kvm_add_group(struct vfioctl_kvm *k,
					 struct vfioctl_group *g)
{
	return set_group(k, g, KVM_DEV_VFIO_FILE_ADD,
			 "KVM_SET_DEVICE_ATTR(KVM_DEV_VFIO_FILE_ADD)");
}

VFIOCTL_EXPORT int vfioctl_kvm_del_group(struct vfioctl_kvm *k,
					 struct vfioctl_group *g)
{
	return set_group(k, g, KVM_DEV_VFIO_FILE_DEL,
			 "KVM_SET_DEVICE_ATTR(KVM_DEV_VFIO_FILE_DEL)");
}
