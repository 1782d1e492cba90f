// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lib-null - every exported function called with NULL objects (and NULL
 * result pointers) answers as the header promises instead of crashing.
 *
 * The table below names every call; the first test reads libvfioctl.sym
 * and fails for any symbol the table lacks, so a new export cannot skip
 * this check.  Each call runs in its own child so that a crash names it.
 */
#include <signal.h>

#include "lib-test.h"

#ifndef LIBVFIOCTL_SYM
#error "build with -DLIBVFIOCTL_SYM=path/to/libvfioctl.sym"
#endif

/* 0 if the call answered as documented for NULL. */
typedef int (*null_call)(void);

struct null_case {
	const char *name;
	null_call fn;
};

/* One function per symbol, so that the table can name it. */
#define NULLTEST(_name, _expr)						\
	static int null_##_name(void) { return !(_expr); }

static uint64_t u64;
static uint32_t u32;
static void *ptr;

NULLTEST(vfioctl_new, vfioctl_new(NULL) == -EINVAL)
NULLTEST(vfioctl_ref, vfioctl_ref(NULL) == NULL)
NULLTEST(vfioctl_unref, (vfioctl_unref(NULL), 1))
NULLTEST(vfioctl_set_log_fn, (vfioctl_set_log_fn(NULL, NULL, NULL), 1))
NULLTEST(vfioctl_get_log_priority, vfioctl_get_log_priority(NULL) == -EINVAL)
NULLTEST(vfioctl_set_log_priority, (vfioctl_set_log_priority(NULL, 7), 1))
NULLTEST(vfioctl_get_version, vfioctl_get_version() != NULL)
NULLTEST(vfioctl_get_last_error, strcmp(vfioctl_get_last_error(NULL), "") == 0)
NULLTEST(vfioctl_get_last_errno, vfioctl_get_last_errno(NULL) == -EINVAL)
NULLTEST(vfioctl_get_sysfs_root, vfioctl_get_sysfs_root(NULL) == NULL)
NULLTEST(vfioctl_get_dev_root, vfioctl_get_dev_root(NULL) == NULL)
NULLTEST(vfioctl_noiommu_enabled, vfioctl_noiommu_enabled(NULL) == -EINVAL)
NULLTEST(vfioctl_set_root, vfioctl_set_root(NULL, "/sys", "/dev") == -EINVAL)
NULLTEST(vfioctl_set_userdata, (vfioctl_set_userdata(NULL, &u32), 1))
NULLTEST(vfioctl_get_userdata, vfioctl_get_userdata(NULL) == NULL)

NULLTEST(vfioctl_container_open, vfioctl_container_open(NULL, NULL) == -EINVAL)
NULLTEST(vfioctl_container_from_fd,
	 vfioctl_container_from_fd(NULL, 0, NULL) == -EINVAL &&
	 vfioctl_container_from_fd(NULL, 0, (struct vfioctl_container **)&ptr) == -EINVAL)
NULLTEST(vfioctl_container_ref, vfioctl_container_ref(NULL) == NULL)
NULLTEST(vfioctl_container_unref, (vfioctl_container_unref(NULL), 1))
NULLTEST(vfioctl_container_get_ctx, vfioctl_container_get_ctx(NULL) == NULL)
NULLTEST(vfioctl_container_get_fd, vfioctl_container_get_fd(NULL) == -EINVAL)
NULLTEST(vfioctl_container_get_api_version,
	 vfioctl_container_get_api_version(NULL) == -EINVAL)
NULLTEST(vfioctl_container_check_extension,
	 vfioctl_container_check_extension(NULL, VFIO_TYPE1v2_IOMMU) == -EINVAL)
NULLTEST(vfioctl_container_set_iommu,
	 vfioctl_container_set_iommu(NULL, VFIOCTL_IOMMU_AUTO) == -EINVAL)
NULLTEST(vfioctl_container_get_iommu_type,
	 vfioctl_container_get_iommu_type(NULL) == -EINVAL)
NULLTEST(vfioctl_container_get_iova_pgsizes,
	 vfioctl_container_get_iova_pgsizes(NULL, &u64) == -EINVAL &&
	 vfioctl_container_get_iova_pgsizes(NULL, NULL) == -EINVAL)
NULLTEST(vfioctl_container_get_num_iova_ranges,
	 vfioctl_container_get_num_iova_ranges(NULL) == -EINVAL)
NULLTEST(vfioctl_container_get_iova_range,
	 vfioctl_container_get_iova_range(NULL, 0, &u64, &u64) == -EINVAL &&
	 vfioctl_container_get_iova_range(NULL, 0, NULL, NULL) == -EINVAL)
NULLTEST(vfioctl_container_get_dma_avail,
	 vfioctl_container_get_dma_avail(NULL, &u32) == -EINVAL)
NULLTEST(vfioctl_container_map_dma,
	 vfioctl_container_map_dma(NULL, &u64, 0, 4096, 3) == -EINVAL)
NULLTEST(vfioctl_container_unmap_dma,
	 vfioctl_container_unmap_dma(NULL, 0, 4096, &u64) == -EINVAL)
NULLTEST(vfioctl_container_unmap_all,
	 vfioctl_container_unmap_all(NULL, NULL) == -EINVAL)

NULLTEST(vfioctl_group_open, vfioctl_group_open(NULL, 1, NULL) == -EINVAL)
NULLTEST(vfioctl_group_open_by_device,
	 vfioctl_group_open_by_device(NULL, NULL, NULL) == -EINVAL)
NULLTEST(vfioctl_group_number_of_device,
	 vfioctl_group_number_of_device(NULL, NULL) == -EINVAL)
NULLTEST(vfioctl_group_from_fd,
	 vfioctl_group_from_fd(NULL, 0, (struct vfioctl_group **)&ptr) == -EINVAL)
NULLTEST(vfioctl_group_ref, vfioctl_group_ref(NULL) == NULL)
NULLTEST(vfioctl_group_unref, (vfioctl_group_unref(NULL), 1))
NULLTEST(vfioctl_group_get_ctx, vfioctl_group_get_ctx(NULL) == NULL)
NULLTEST(vfioctl_group_get_fd, vfioctl_group_get_fd(NULL) == -EINVAL)
NULLTEST(vfioctl_group_get_number, vfioctl_group_get_number(NULL) == -EINVAL)
NULLTEST(vfioctl_group_is_noiommu, vfioctl_group_is_noiommu(NULL) == -EINVAL)
NULLTEST(vfioctl_group_get_status,
	 vfioctl_group_get_status(NULL, &u32) == -EINVAL)
NULLTEST(vfioctl_group_is_viable, vfioctl_group_is_viable(NULL) == -EINVAL)
NULLTEST(vfioctl_group_set_container,
	 vfioctl_group_set_container(NULL, NULL) == -EINVAL)
NULLTEST(vfioctl_group_unset_container,
	 vfioctl_group_unset_container(NULL) == -EINVAL)
NULLTEST(vfioctl_group_get_container,
	 vfioctl_group_get_container(NULL) == NULL)

NULLTEST(vfioctl_device_open, vfioctl_device_open(NULL, NULL, NULL) == -EINVAL)
NULLTEST(vfioctl_device_from_fd,
	 vfioctl_device_from_fd(NULL, 0, "x", (struct vfioctl_device **)&ptr) == -EINVAL)
NULLTEST(vfioctl_device_ref, vfioctl_device_ref(NULL) == NULL)
NULLTEST(vfioctl_device_unref, (vfioctl_device_unref(NULL), 1))
NULLTEST(vfioctl_device_get_ctx, vfioctl_device_get_ctx(NULL) == NULL)
NULLTEST(vfioctl_device_get_group, vfioctl_device_get_group(NULL) == NULL)
NULLTEST(vfioctl_device_get_fd, vfioctl_device_get_fd(NULL) == -EINVAL)
NULLTEST(vfioctl_device_get_name, vfioctl_device_get_name(NULL) == NULL)
NULLTEST(vfioctl_device_get_flags, vfioctl_device_get_flags(NULL) == 0)
NULLTEST(vfioctl_device_get_num_regions,
	 vfioctl_device_get_num_regions(NULL) == 0)
NULLTEST(vfioctl_device_get_num_irqs, vfioctl_device_get_num_irqs(NULL) == 0)
NULLTEST(vfioctl_device_get_info_cap,
	 vfioctl_device_get_info_cap(NULL, 1, NULL, NULL) == -EINVAL)
NULLTEST(vfioctl_device_get_info_cap_ids,
	 vfioctl_device_get_info_cap_ids(NULL, NULL, 0) == -EINVAL)
NULLTEST(vfioctl_device_pci_hot_reset,
	 vfioctl_device_pci_hot_reset(NULL, NULL, 0) == -EINVAL)
NULLTEST(vfioctl_device_reset, vfioctl_device_reset(NULL) == -EINVAL)
NULLTEST(vfioctl_device_get_hot_reset_info,
	 vfioctl_device_get_hot_reset_info(NULL, NULL, 0) == -EINVAL)
NULLTEST(vfioctl_device_get_region,
	 vfioctl_device_get_region(NULL, 0, NULL) == -EINVAL)
NULLTEST(vfioctl_device_get_irq,
	 vfioctl_device_get_irq(NULL, 0, NULL) == -EINVAL)

NULLTEST(vfioctl_region_get_device, vfioctl_region_get_device(NULL) == NULL)
NULLTEST(vfioctl_region_get_ctx, vfioctl_region_get_ctx(NULL) == NULL)
NULLTEST(vfioctl_region_get_index, vfioctl_region_get_index(NULL) == 0)
NULLTEST(vfioctl_region_get_flags, vfioctl_region_get_flags(NULL) == 0)
NULLTEST(vfioctl_region_get_size, vfioctl_region_get_size(NULL) == 0)
NULLTEST(vfioctl_region_get_offset, vfioctl_region_get_offset(NULL) == 0)
NULLTEST(vfioctl_region_get_type,
	 vfioctl_region_get_type(NULL, NULL, NULL) == -EINVAL)
NULLTEST(vfioctl_region_is_msix_mappable,
	 vfioctl_region_is_msix_mappable(NULL) == -EINVAL)
NULLTEST(vfioctl_region_get_num_sparse_areas,
	 vfioctl_region_get_num_sparse_areas(NULL) == -EINVAL)
NULLTEST(vfioctl_region_get_sparse_area,
	 vfioctl_region_get_sparse_area(NULL, 0, &u64, &u64) == -EINVAL)
NULLTEST(vfioctl_region_read, vfioctl_region_read(NULL, 0, &u64, 8) == -EINVAL)
NULLTEST(vfioctl_region_write,
	 vfioctl_region_write(NULL, 0, &u64, 8) == -EINVAL)
NULLTEST(vfioctl_region_mmap, vfioctl_region_mmap(NULL, 1, &ptr) == -EINVAL)
NULLTEST(vfioctl_region_munmap, vfioctl_region_munmap(NULL) == -EINVAL)
NULLTEST(vfioctl_region_is_mapped,
	 vfioctl_region_is_mapped(NULL, 0, 8) == -EINVAL)

NULLTEST(vfioctl_irq_get_device, vfioctl_irq_get_device(NULL) == NULL)
NULLTEST(vfioctl_irq_get_ctx, vfioctl_irq_get_ctx(NULL) == NULL)
NULLTEST(vfioctl_irq_get_index, vfioctl_irq_get_index(NULL) == 0)
NULLTEST(vfioctl_irq_get_flags, vfioctl_irq_get_flags(NULL) == 0)
NULLTEST(vfioctl_irq_get_count, vfioctl_irq_get_count(NULL) == 0)
NULLTEST(vfioctl_irq_enable, vfioctl_irq_enable(NULL, 0, 1, NULL) == -EINVAL)
NULLTEST(vfioctl_irq_disable, vfioctl_irq_disable(NULL) == -EINVAL)
NULLTEST(vfioctl_irq_mask, vfioctl_irq_mask(NULL, 0, 1) == -EINVAL)
NULLTEST(vfioctl_irq_unmask, vfioctl_irq_unmask(NULL, 0, 1) == -EINVAL)
NULLTEST(vfioctl_irq_trigger, vfioctl_irq_trigger(NULL, 0, 1) == -EINVAL)
NULLTEST(vfioctl_irq_set_unmask_eventfd,
	 vfioctl_irq_set_unmask_eventfd(NULL, 0, -1) == -EINVAL)

NULLTEST(vfioctl_kvm_new, vfioctl_kvm_new(NULL, -1, NULL) == -EINVAL)
NULLTEST(vfioctl_kvm_ref, vfioctl_kvm_ref(NULL) == NULL)
NULLTEST(vfioctl_kvm_unref, (vfioctl_kvm_unref(NULL), 1))
NULLTEST(vfioctl_kvm_get_fd, vfioctl_kvm_get_fd(NULL) == -EINVAL)
NULLTEST(vfioctl_kvm_add_group, vfioctl_kvm_add_group(NULL, NULL) == -EINVAL)
NULLTEST(vfioctl_kvm_del_group, vfioctl_kvm_del_group(NULL, NULL) == -EINVAL)

NULLTEST(vfioctl_iommu_groups_scan, vfioctl_iommu_groups_scan(NULL) == -EINVAL)
NULLTEST(vfioctl_iommu_group_get_first, vfioctl_iommu_group_get_first(NULL) == NULL)
NULLTEST(vfioctl_iommu_group_get_next, vfioctl_iommu_group_get_next(NULL) == NULL)
NULLTEST(vfioctl_iommu_group_get_number,
	 vfioctl_iommu_group_get_number(NULL) == -EINVAL)
NULLTEST(vfioctl_iommu_group_get_ctx, vfioctl_iommu_group_get_ctx(NULL) == NULL)
NULLTEST(vfioctl_iommu_dev_get_first, vfioctl_iommu_dev_get_first(NULL) == NULL)
NULLTEST(vfioctl_iommu_dev_get_next, vfioctl_iommu_dev_get_next(NULL) == NULL)
NULLTEST(vfioctl_iommu_dev_get_group, vfioctl_iommu_dev_get_group(NULL) == NULL)
NULLTEST(vfioctl_iommu_dev_get_name, vfioctl_iommu_dev_get_name(NULL) == NULL)
NULLTEST(vfioctl_iommu_dev_get_driver, vfioctl_iommu_dev_get_driver(NULL) == NULL)
NULLTEST(vfioctl_iommu_dev_get_vendor, vfioctl_iommu_dev_get_vendor(NULL) == 0)
NULLTEST(vfioctl_iommu_dev_get_device, vfioctl_iommu_dev_get_device(NULL) == 0)

#define ENTRY(_name) { #_name, null_##_name }

static const struct null_case cases[] = {
	ENTRY(vfioctl_new), ENTRY(vfioctl_ref), ENTRY(vfioctl_unref),
	ENTRY(vfioctl_set_log_fn), ENTRY(vfioctl_get_log_priority),
	ENTRY(vfioctl_set_log_priority), ENTRY(vfioctl_get_version),
	ENTRY(vfioctl_get_last_error), ENTRY(vfioctl_get_last_errno),
	ENTRY(vfioctl_get_sysfs_root), ENTRY(vfioctl_get_dev_root),
	ENTRY(vfioctl_noiommu_enabled), ENTRY(vfioctl_set_root),
	ENTRY(vfioctl_set_userdata), ENTRY(vfioctl_get_userdata),
	ENTRY(vfioctl_container_open), ENTRY(vfioctl_container_ref),
	ENTRY(vfioctl_container_from_fd), ENTRY(vfioctl_group_from_fd),
	ENTRY(vfioctl_device_from_fd), ENTRY(vfioctl_device_get_info_cap),
	ENTRY(vfioctl_device_get_info_cap_ids),
	ENTRY(vfioctl_device_pci_hot_reset),
	ENTRY(vfioctl_container_unref), ENTRY(vfioctl_container_get_ctx),
	ENTRY(vfioctl_container_get_fd),
	ENTRY(vfioctl_container_get_api_version),
	ENTRY(vfioctl_container_check_extension),
	ENTRY(vfioctl_container_set_iommu),
	ENTRY(vfioctl_container_get_iommu_type),
	ENTRY(vfioctl_container_get_iova_pgsizes),
	ENTRY(vfioctl_container_get_num_iova_ranges),
	ENTRY(vfioctl_container_get_iova_range),
	ENTRY(vfioctl_container_get_dma_avail),
	ENTRY(vfioctl_container_map_dma), ENTRY(vfioctl_container_unmap_dma),
	ENTRY(vfioctl_container_unmap_all),
	ENTRY(vfioctl_group_open), ENTRY(vfioctl_group_open_by_device),
	ENTRY(vfioctl_group_number_of_device), ENTRY(vfioctl_group_ref),
	ENTRY(vfioctl_group_unref), ENTRY(vfioctl_group_get_ctx),
	ENTRY(vfioctl_group_get_fd), ENTRY(vfioctl_group_get_number),
	ENTRY(vfioctl_group_is_noiommu), ENTRY(vfioctl_group_get_status),
	ENTRY(vfioctl_group_is_viable), ENTRY(vfioctl_group_set_container),
	ENTRY(vfioctl_group_unset_container),
	ENTRY(vfioctl_group_get_container),
	ENTRY(vfioctl_device_open), ENTRY(vfioctl_device_ref),
	ENTRY(vfioctl_device_unref), ENTRY(vfioctl_device_get_ctx),
	ENTRY(vfioctl_device_get_group), ENTRY(vfioctl_device_get_fd),
	ENTRY(vfioctl_device_get_name), ENTRY(vfioctl_device_get_flags),
	ENTRY(vfioctl_device_get_num_regions),
	ENTRY(vfioctl_device_get_num_irqs), ENTRY(vfioctl_device_reset),
	ENTRY(vfioctl_device_get_hot_reset_info),
	ENTRY(vfioctl_device_get_region), ENTRY(vfioctl_device_get_irq),
	ENTRY(vfioctl_region_get_device), ENTRY(vfioctl_region_get_ctx),
	ENTRY(vfioctl_region_get_index), ENTRY(vfioctl_region_get_flags),
	ENTRY(vfioctl_region_get_size), ENTRY(vfioctl_region_get_offset),
	ENTRY(vfioctl_region_get_type), ENTRY(vfioctl_region_is_msix_mappable),
	ENTRY(vfioctl_region_get_num_sparse_areas),
	ENTRY(vfioctl_region_get_sparse_area), ENTRY(vfioctl_region_read),
	ENTRY(vfioctl_region_write), ENTRY(vfioctl_region_mmap),
	ENTRY(vfioctl_region_munmap), ENTRY(vfioctl_region_is_mapped),
	ENTRY(vfioctl_irq_get_device), ENTRY(vfioctl_irq_get_ctx),
	ENTRY(vfioctl_irq_get_index), ENTRY(vfioctl_irq_get_flags),
	ENTRY(vfioctl_irq_get_count), ENTRY(vfioctl_irq_enable),
	ENTRY(vfioctl_irq_disable), ENTRY(vfioctl_irq_mask),
	ENTRY(vfioctl_irq_unmask), ENTRY(vfioctl_irq_trigger),
	ENTRY(vfioctl_irq_set_unmask_eventfd),
	ENTRY(vfioctl_kvm_new), ENTRY(vfioctl_kvm_ref), ENTRY(vfioctl_kvm_unref),
	ENTRY(vfioctl_kvm_get_fd), ENTRY(vfioctl_kvm_add_group),
	ENTRY(vfioctl_kvm_del_group),
	ENTRY(vfioctl_iommu_groups_scan), ENTRY(vfioctl_iommu_group_get_first),
	ENTRY(vfioctl_iommu_group_get_next),
	ENTRY(vfioctl_iommu_group_get_number),
	ENTRY(vfioctl_iommu_group_get_ctx), ENTRY(vfioctl_iommu_dev_get_first),
	ENTRY(vfioctl_iommu_dev_get_next), ENTRY(vfioctl_iommu_dev_get_group),
	ENTRY(vfioctl_iommu_dev_get_name), ENTRY(vfioctl_iommu_dev_get_driver),
	ENTRY(vfioctl_iommu_dev_get_vendor), ENTRY(vfioctl_iommu_dev_get_device),
};

static const struct null_case *find_case(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(cases[i].name, name) == 0)
			return &cases[i];
	return NULL;
}

DEFINE_TEST(every_symbol_listed, "every symbol of libvfioctl.sym has a NULL case")
{
	char line[256], name[128];
	int missing = 0, seen = 0;
	FILE *f = fopen(LIBVFIOCTL_SYM, "r");

	expect(f, "open %s: %s", LIBVFIOCTL_SYM, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %127[a-z0-9_];", name) != 1 ||
		    strncmp(name, "vfioctl_", 8) != 0)
			continue;
		seen++;
		if (!find_case(name)) {
			printf("# no NULL case for %s\n", name);
			missing++;
		}
	}
	fclose(f);
	expect(seen > 80, "only %d symbols read from %s", seen, LIBVFIOCTL_SYM);
	expect(missing == 0, "%d symbols without a NULL case", missing);
	return 0;
}

DEFINE_TEST(null_args, "every exported function survives NULL and answers as documented")
{
	int status, failed = 0;
	size_t i;
	pid_t pid;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(cases[i].fn());
		waitpid(pid, &status, 0);
		if (WIFSIGNALED(status)) {
			printf("# %s(NULL): killed by signal %d\n", cases[i].name,
			       WTERMSIG(status));
			failed++;
		} else if (WEXITSTATUS(status) != 0) {
			printf("# %s(NULL): wrong answer\n", cases[i].name);
			failed++;
		}
	}
	expect(failed == 0, "%d functions failed with NULL", failed);
	return 0;
}

TEST_MAIN()
