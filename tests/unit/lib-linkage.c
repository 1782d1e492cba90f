// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lib-linkage - calls every symbol libvfioctl.so exports, through the
 * shared library and its version script, against fake-vfio.so.  The
 * lib-symbols.sh test checks that this file names every symbol of
 * libvfioctl.sym, so a new export without a call here fails the suite.
 */
#include <sys/mman.h>

#include "lib-test.h"
#include <libvfioctl.h>

static void quiet(struct vfioctl_ctx *ctx, int priority, const char *file,
		  int line, const char *fn, const char *format, va_list args,
		  void *data)
{
	(*(int *)data)++;
}

DEFINE_TEST(every_symbol, "every exported function links and answers")
{
	struct vfioctl_ctx *ctx;
	struct vfioctl_container *c, *c2;
	struct vfioctl_kvm *kvm;
	struct vfioctl_iommu_group *ig;
	struct vfioctl_iommu_dev *idev;
	struct vfioctl_group *g, *g2;
	struct vfioctl_device *d;
	struct vfioctl_region *r;
	struct vfioctl_irq *irq;
	struct vfioctl_reset_dep deps[2];
	const struct vfio_info_cap_header *cap;
	uint64_t u64a, u64b;
	uint32_t u32a, u32b;
	int logged = 0, fd[1] = { 5 };
	char buf[8], root[1024];
	void *map;

	fake_node("vfio");
	fake_node("12");
	fake_pci("0000:01:00.0", 12, "vfio-pci");

	expect(vfioctl_new(&ctx) == 0, "new");
	test_path("sys");
	snprintf(root, sizeof(root), "%s", test_path_buf);
	test_path("dev");
	expect(vfioctl_set_root(ctx, root, test_path_buf) == 0, "set root");
	vfioctl_set_userdata(ctx, &logged);
	expect(vfioctl_get_userdata(ctx) == &logged, "userdata");
	expect(vfioctl_ref(ctx) == ctx, "ref");
	vfioctl_unref(ctx);
	vfioctl_set_log_fn(ctx, quiet, &logged);
	vfioctl_set_log_priority(ctx, 3);
	expect(vfioctl_get_log_priority(ctx) == 3, "prio");
	expect(vfioctl_get_version()[0] != '\0', "version");
	expect(vfioctl_get_sysfs_root(ctx)[0] == '/', "sysfs root");
	expect(vfioctl_get_dev_root(ctx)[0] == '/', "dev root");
	expect(vfioctl_noiommu_enabled(ctx) == 0, "noiommu");

	expect(vfioctl_iommu_groups_scan(ctx) == 1, "scan");
	ig = vfioctl_iommu_group_get_first(ctx);
	expect(vfioctl_iommu_group_get_number(ig) == 12 &&
	       vfioctl_iommu_group_get_ctx(ig) == ctx &&
	       vfioctl_iommu_group_get_next(ig) == NULL, "iommu group");
	idev = vfioctl_iommu_dev_get_first(ig);
	expect(vfioctl_iommu_dev_get_group(idev) == ig &&
	       !strcmp(vfioctl_iommu_dev_get_name(idev), "0000:01:00.0") &&
	       !strcmp(vfioctl_iommu_dev_get_driver(idev), "vfio-pci") &&
	       vfioctl_iommu_dev_get_vendor(idev) == 0 &&
	       vfioctl_iommu_dev_get_device(idev) == 0 &&
	       vfioctl_iommu_dev_get_next(idev) == NULL, "iommu dev");

	expect(vfioctl_container_open(ctx, &c) == 0, "container");
	expect(vfioctl_container_ref(c) == c, "c ref");
	vfioctl_container_unref(c);
	expect(vfioctl_container_get_ctx(c) == ctx, "c ctx");
	expect(vfioctl_container_get_fd(c) >= 0, "c fd");
	expect(vfioctl_container_get_api_version(c) == VFIO_API_VERSION, "api");
	expect(vfioctl_container_check_extension(c, VFIO_TYPE1v2_IOMMU) == 1,
	       "ext");

	expect(vfioctl_group_number_of_device(ctx, "0000:01:00.0") == 12, "n");
	expect(vfioctl_group_open_by_device(ctx, "0000:01:00.0", &g) == 0, "g");
	vfioctl_group_unref(g);
	expect(vfioctl_group_open(ctx, 12, &g) == 0, "g by number");
	expect(vfioctl_group_ref(g) == g, "g ref");
	vfioctl_group_unref(g);
	expect(vfioctl_group_get_ctx(g) == ctx, "g ctx");
	expect(vfioctl_group_get_fd(g) >= 0, "g fd");
	expect(vfioctl_group_get_number(g) == 12, "g number");
	expect(vfioctl_group_is_noiommu(g) == 0, "g noiommu");
	expect(vfioctl_group_get_status(g, &u32a) == 0, "g status");
	expect(vfioctl_group_is_viable(g) == 1, "g viable");
	expect(vfioctl_group_set_container(g, c) == 0, "g set");
	expect(vfioctl_group_get_container(g) == c, "g get container");
	expect(vfioctl_container_set_iommu(c, VFIOCTL_IOMMU_AUTO) ==
	       VFIO_TYPE1v2_IOMMU, "iommu");
	expect(vfioctl_container_get_iommu_type(c) == VFIO_TYPE1v2_IOMMU, "type");
	expect(vfioctl_container_get_iova_pgsizes(c, &u64a) == 0, "pgsizes");
	expect(vfioctl_container_get_num_iova_ranges(c) == 2, "ranges");
	expect(vfioctl_container_get_iova_range(c, 0, &u64a, &u64b) == 0, "range");
	expect(vfioctl_container_get_dma_avail(c, &u32a) == 0, "avail");
	expect(vfioctl_container_map_dma(c, (void *)0x10000, 0x100000, 4096,
					 VFIO_DMA_MAP_FLAG_READ) == 0, "map");
	expect(vfioctl_container_unmap_dma(c, 0x100000, 4096, &u64a) == 0, "unmap");
	expect(vfioctl_container_unmap_all(c, &u64a) == 0, "unmap all");

	expect(vfioctl_device_open(g, "0000:01:00.0", &d) == 0, "device");
	expect(vfioctl_device_ref(d) == d, "d ref");
	vfioctl_device_unref(d);
	expect(vfioctl_device_get_ctx(d) == ctx, "d ctx");
	expect(vfioctl_device_get_group(d) == g, "d group");
	expect(vfioctl_device_get_fd(d) >= 0, "d fd");
	expect(strcmp(vfioctl_device_get_name(d), "0000:01:00.0") == 0, "d name");
	expect(vfioctl_device_get_flags(d) & VFIO_DEVICE_FLAGS_PCI, "d flags");
	expect(vfioctl_device_get_num_regions(d) == 9, "d regions");
	expect(vfioctl_device_get_num_irqs(d) == 5, "d irqs");
	expect(vfioctl_device_get_info_cap_ids(d, NULL, 0) == 2, "d cap ids");
	expect(vfioctl_device_get_info_cap(d, 42, &cap, NULL) == 0, "d cap");
	expect(vfioctl_device_reset(d) == 0, "d reset");
	expect(vfioctl_device_pci_hot_reset(d, NULL, 0) == -EINVAL,
	       "d hot reset (group 13 not passed)");
	expect(vfioctl_device_get_hot_reset_info(d, deps, 2) == 2, "hot reset");

	expect(vfioctl_device_get_region(d, 0, &r) == 0, "region");
	expect(vfioctl_region_get_device(r) == d, "r device");
	expect(vfioctl_region_get_ctx(r) == ctx, "r ctx");
	expect(vfioctl_region_get_index(r) == 0, "r index");
	expect(vfioctl_region_get_flags(r) & VFIO_REGION_INFO_FLAG_MMAP, "r flags");
	expect(vfioctl_region_get_size(r) == 0x4000, "r size");
	expect(vfioctl_region_get_offset(r) == 0, "r offset");
	expect(vfioctl_region_get_type(r, &u32a, &u32b) == -ENODATA, "r type");
	expect(vfioctl_region_is_msix_mappable(r) == 1, "r msix");
	expect(vfioctl_region_get_num_sparse_areas(r) == 2, "r sparse");
	expect(vfioctl_region_get_sparse_area(r, 0, &u64a, &u64b) == 0, "r area");
	expect(vfioctl_region_write(r, 0, "abcdefgh", 8) == 0, "r write");
	expect(vfioctl_region_read(r, 0, buf, 8) == 0 && !memcmp(buf, "abcdefgh", 8),
	       "r read");
	expect(vfioctl_region_mmap(r, PROT_READ, &map) == 0, "r mmap");
	expect(vfioctl_region_is_mapped(r, 0, 8) == 1, "r mapped");
	expect(vfioctl_region_munmap(r) == 0, "r munmap");

	expect(vfioctl_device_get_irq(d, VFIO_PCI_INTX_IRQ_INDEX, &irq) == 0, "irq");
	expect(vfioctl_irq_get_device(irq) == d, "i device");
	expect(vfioctl_irq_get_ctx(irq) == ctx, "i ctx");
	expect(vfioctl_irq_get_index(irq) == 0, "i index");
	expect(vfioctl_irq_get_flags(irq) & VFIO_IRQ_INFO_EVENTFD, "i flags");
	expect(vfioctl_irq_get_count(irq) == 1, "i count");
	expect(vfioctl_irq_enable(irq, 0, 1, fd) == 0, "i enable");
	expect(vfioctl_irq_mask(irq, 0, 1) == 0, "i mask");
	expect(vfioctl_irq_unmask(irq, 0, 1) == 0, "i unmask");
	expect(vfioctl_irq_set_unmask_eventfd(irq, 0, 5) == 0, "i resample");
	expect(vfioctl_irq_trigger(irq, 0, 1) == 0, "i trigger");
	expect(vfioctl_irq_disable(irq) == 0, "i disable");

	vfioctl_device_unref(d);
	expect(vfioctl_container_from_fd(ctx, -1, &c2) == -EBADF, "c from fd");
	expect(vfioctl_group_from_fd(ctx, -1, &g2) == -EBADF, "g from fd");
	expect(vfioctl_device_from_fd(g, -1, NULL, &d) == -EBADF, "d from fd");
	fake_node("kvm-vm");
	test_path("dev/vfio/kvm-vm");
	fd[0] = open(test_path_buf, O_RDWR | O_CLOEXEC);
	expect(vfioctl_kvm_new(ctx, fd[0], &kvm) == 0, "kvm");
	expect(vfioctl_kvm_ref(kvm) == kvm, "kvm ref");
	vfioctl_kvm_unref(kvm);
	expect(vfioctl_kvm_get_fd(kvm) >= 0, "kvm fd");
	expect(vfioctl_kvm_add_group(kvm, g) == 0, "kvm add");
	expect(vfioctl_kvm_del_group(kvm, g) == 0, "kvm del");
	vfioctl_kvm_unref(kvm);
	close(fd[0]);
	logged = 0;
	expect(vfioctl_group_unset_container(g) == 0, "g unset");
	expect(vfioctl_group_open(ctx, 40, &g) == -ENOENT, "fail on purpose");
	expect(strstr(vfioctl_get_last_error(ctx), "group 40") &&
	       vfioctl_get_last_errno(ctx) == ENOENT && logged == 1, "error");
	vfioctl_container_unref(c);
	vfioctl_unref(ctx);
	return 0;
}

TEST_MAIN()
