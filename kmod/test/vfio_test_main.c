// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_test_main.c - vfio_test: emulated devices in synthetic IOMMU groups
 * for the test suite (the role nfit_test plays for ndctl).  Tests only.
 *
 * FOUNDATION SKELETON: loads and unloads.
 */
#include <linux/module.h>

static int __init vfio_test_init(void)
{
	return 0;
}

static void __exit vfio_test_exit(void)
{
}

module_init(vfio_test_init);
module_exit(vfio_test_exit);

MODULE_VERSION(VFIOCTL_VERSION "-vfioctl");
MODULE_LICENSE("GPL v2");
MODULE_AUTHOR("vfioctl developers");
MODULE_DESCRIPTION("vfioctl test devices (tests only)");
