/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio_test.h - what the vfio_test module and the test programs agree on.
 * Included by kernel and userspace code: UAPI types only.
 */
#ifndef VFIOCTL_VFIO_TEST_H
#define VFIOCTL_VFIO_TEST_H

#include <linux/types.h>
#ifdef __KERNEL__
#include <uapi/linux/vfio.h>
#else
#include <linux/vfio.h>
#endif

/* SET_IOMMU type of the mock backend; far from upstream's numbers. */
#define VFIO_TEST_IOMMU		0x7e57

/* The one region of every device. */
#define VFIO_TEST_REGION_SIZE	4096

/* GET_INFO carries two of these: version 1 with MAGIC, version 2 with ~MAGIC. */
#define VFIO_TEST_CAP_ID	0x7e57
#define VFIO_TEST_CAP_MAGIC	0x0123456789abcdefULL

struct vfio_test_cap {
	struct vfio_info_cap_header	header;
	__u64				magic;
};

#endif
