// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lib-vm-test - libvfioctl against a real VFIO stack (run inside the test
 * VM by tests/bats/lib-*.bats).  Takes the PCI address of an edu device
 * bound to vfio-pci and alone in its group; prints TAP and exits non-zero
 * if any check failed.  Every expectation is what the stock kernel does.
 *
 * "lib-vm-test hot-reset ADDR" instead runs only vfioctl_device_pci_hot_reset()
 * on ADDR, whose group may hold more devices (the edu pair).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>

#include <libvfioctl.h>

static int tests, failures;
static struct vfioctl_ctx *ctx;

#define check(cond, ...) do {						\
		tests++;						\
		if (cond) {						\
			printf("ok %d - ", tests);			\
		} else {						\
			failures++;					\
			printf("not ok %d - ", tests);			\
		}							\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		if (!(cond))						\
			printf("# last error: %s\n",			\
			       vfioctl_get_last_error(ctx));		\
	} while (0)

static int cloexec(int fd)
{
	return fcntl(fd, F_GETFD) & FD_CLOEXEC;
}

/*
 * Hot reset of @addr, passing only its own group: that must do when
 * every device the reset affects is in that group, and otherwise fail
 * before the kernel with the missing group named.
 */
static int hot_reset(const char *addr)
{
	struct vfioctl_reset_dep deps[16];
	struct vfioctl_container *c;
	struct vfioctl_group *g;
	struct vfioctl_device *d;
	int rc, n, i, own, foreign = 0;

	if (vfioctl_new(&ctx) < 0 || vfioctl_container_open(ctx, &c) < 0 ||
	    vfioctl_group_open_by_device(ctx, addr, &g) < 0 ||
	    vfioctl_group_set_container(g, c) < 0 ||
	    vfioctl_container_set_iommu(c, VFIOCTL_IOMMU_AUTO) < 0 ||
	    vfioctl_device_open(g, addr, &d) < 0) {
		printf("not ok 1 - setup: %s\n", vfioctl_get_last_error(ctx));
		return 1;
	}
	own = vfioctl_group_get_number(g);
	n = vfioctl_device_get_hot_reset_info(d, deps, 16);
	check(n >= 1 && n <= 16, "hot reset info lists %d device(s)", n);
	for (i = 0; i < n && i < 16; i++) {
		printf("# dep: group %u %04x:%02x:%02x.%x\n", deps[i].group,
		       deps[i].segment, deps[i].bus, deps[i].devfn >> 3,
		       deps[i].devfn & 7);
		if (deps[i].group != (uint32_t)own)
			foreign++;
	}
	rc = vfioctl_device_pci_hot_reset(d, NULL, 0);
	if (foreign)
		check(rc == -EINVAL && strstr(vfioctl_get_last_error(ctx),
					      "open group"),
		      "hot reset without the other groups is refused (%d)", rc);
	else
		check(rc == 0, "hot reset with the own group only (%d)", rc);
	rc = vfioctl_device_pci_hot_reset(d, &g, 1);
	check(foreign ? rc == -EINVAL : rc == 0,
	      "own group passed explicitly too (%d)", rc);
	vfioctl_device_unref(d);
	vfioctl_group_unref(g);
	vfioctl_container_unref(c);
	vfioctl_unref(ctx);
	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct vfioctl_container *c;
	struct vfioctl_group *g, *g2 = NULL;
	struct vfioctl_device *d, *d2 = NULL;
	struct vfioctl_region *bar, *cfg;
	struct vfioctl_irq *intx, *msi, *msix, *req;
	struct vfioctl_reset_dep deps[8];
	uint64_t pgsizes = 0, start, end, unmapped = 0, off, len;
	uint32_t avail = 0, avail2 = 0, flags = 0, id = 0;
	int rc, n, i, efd, in_range;
	char pid[32];
	void *buf, *map;

	if (argc == 3 && strcmp(argv[1], "hot-reset") == 0)
		return hot_reset(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: %s [hot-reset] PCI-ADDRESS\n", argv[0]);
		return 2;
	}
	if (vfioctl_new(&ctx) < 0)
		return 1;

	rc = vfioctl_container_open(ctx, &c);
	check(rc == 0, "container opens");
	if (rc < 0)
		return 1;
	check(cloexec(vfioctl_container_get_fd(c)), "container fd is O_CLOEXEC");
	check(vfioctl_container_get_api_version(c) == VFIO_API_VERSION,
	      "API version is %d", VFIO_API_VERSION);
	check(vfioctl_container_check_extension(c, VFIO_TYPE1v2_IOMMU) == 1,
	      "TYPE1v2 is offered");
	rc = vfioctl_container_set_iommu(c, VFIOCTL_IOMMU_AUTO);
	check(rc == -EINVAL && strstr(vfioctl_get_last_error(ctx),
				      "attach a group first"),
	      "set_iommu before any group fails with a hint (%d)", rc);
	rc = vfioctl_container_get_iova_pgsizes(c, &pgsizes);
	check(rc == -EINVAL && strstr(vfioctl_get_last_error(ctx),
				      "set an IOMMU model first"),
	      "IOMMU info before set_iommu is -EINVAL with a hint (%d)", rc);

	n = vfioctl_group_number_of_device(ctx, argv[1]);
	check(n >= 0, "group number of %s is %d", argv[1], n);
	rc = vfioctl_group_open_by_device(ctx, argv[1], &g);
	check(rc == 0, "group opens by device address");
	if (rc < 0)
		return 1;
	check(vfioctl_group_get_number(g) == n, "group number matches");
	check(cloexec(vfioctl_group_get_fd(g)), "group fd is O_CLOEXEC");
	check(!vfioctl_group_is_noiommu(g), "group is not no-IOMMU");
	check(vfioctl_group_is_viable(g) == 1, "group is viable");
	check(vfioctl_group_get_ctx(g) == ctx, "group_get_ctx");

	rc = vfioctl_group_open(ctx, n, &g2);
	snprintf(pid, sizeof(pid), "pid %d ", getpid());
	check(rc == -EBUSY, "second open of the group is -EBUSY (%d)", rc);
	check(strstr(vfioctl_get_last_error(ctx), pid) != NULL,
	      "EBUSY text names the holder: %s", vfioctl_get_last_error(ctx));
	rc = vfioctl_group_open(ctx, 99999, &g2);
	check(rc == -ENOENT && strstr(vfioctl_get_last_error(ctx),
				      "does not exist"),
	      "absent group is -ENOENT with a hint (%d)", rc);
	rc = vfioctl_group_open_by_device(ctx, "0000:7f:1f.7", &g2);
	check(rc == -ENODEV, "absent device is -ENODEV (%d)", rc);

	rc = vfioctl_device_open(g, argv[1], &d);
	check(rc == -EINVAL && strstr(vfioctl_get_last_error(ctx),
				      "container"),
	      "device before a container is -EINVAL with a hint (%d)", rc);
	rc = vfioctl_group_unset_container(g);
	check(rc == -EINVAL, "unset_container when not set is -EINVAL (%d)", rc);

	rc = vfioctl_group_set_container(g, c);
	check(rc == 0, "group joins the container");
	check(vfioctl_group_get_container(g) == c, "group_get_container");
	check(vfioctl_group_get_status(g, &flags) == 0 &&
	      flags == (VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET),
	      "status is VIABLE|CONTAINER_SET (%#x)", flags);
	rc = vfioctl_group_set_container(g, c);
	check(rc == -EINVAL && strstr(vfioctl_get_last_error(ctx),
				      "already in a container"),
	      "second set_container is -EINVAL with a hint (%d)", rc);
	rc = vfioctl_container_set_iommu(c, VFIOCTL_IOMMU_AUTO);
	check(rc == VFIO_TYPE1v2_IOMMU, "auto IOMMU model is TYPE1v2 (%d)", rc);
	check(vfioctl_container_get_iommu_type(c) == VFIO_TYPE1v2_IOMMU,
	      "get_iommu_type");

	check(vfioctl_container_get_iova_pgsizes(c, &pgsizes) == 0 &&
	      (pgsizes & 4096), "page sizes include 4 KiB (%#" PRIx64 ")",
	      pgsizes);
	n = vfioctl_container_get_num_iova_ranges(c);
	check(n >= 1, "%d IOVA ranges", n);
	in_range = 0;
	for (i = 0; i < n; i++) {
		rc = vfioctl_container_get_iova_range(c, i, &start, &end);
		printf("# IOVA range %d: [%#" PRIx64 ", %#" PRIx64 "]\n", i,
		       start, end);
		if (0xfee00000 >= start && 0xfee00000 <= end)
			in_range = 1;
	}
	check(!in_range, "the MSI window 0xfee00000 is outside every range");
	check(vfioctl_container_get_iova_range(c, n, &start, &end) == -ERANGE,
	      "range index out of bounds is -ERANGE");
	rc = vfioctl_container_get_dma_avail(c, &avail);
	check(rc == 0 && avail > 0, "DMA mappings available: %u", avail);

	buf = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rc = vfioctl_container_map_dma(c, buf, 0xfee00000, 4096,
				       VFIO_DMA_MAP_FLAG_READ);
	check(rc == -EINVAL && strstr(vfioctl_get_last_error(ctx),
				      "not sent to the kernel"),
	      "map into the MSI window is refused before the ioctl (%d)", rc);
	rc = vfioctl_container_map_dma(c, buf, 0x100000, 8192,
				       VFIO_DMA_MAP_FLAG_READ |
				       VFIO_DMA_MAP_FLAG_WRITE);
	check(rc == 0, "map 8 KiB at 0x100000");
	check(vfioctl_container_get_dma_avail(c, &avail2) == 0 &&
	      avail2 == avail - 1, "one mapping fewer available (%u)", avail2);
	rc = vfioctl_container_map_dma(c, buf, 0x101000, 4096,
				       VFIO_DMA_MAP_FLAG_READ);
	check(rc == -EEXIST && strstr(vfioctl_get_last_error(ctx), "overlaps"),
	      "overlapping map is -EEXIST with a hint (%d)", rc);
	rc = vfioctl_container_map_dma(c, (char *)buf + 1, 0x300000, 4096,
				       VFIO_DMA_MAP_FLAG_READ);
	check(rc == -EINVAL && strstr(vfioctl_get_last_error(ctx), "multiples"),
	      "unaligned vaddr is -EINVAL with a hint (%d)", rc);
	rc = vfioctl_container_unmap_dma(c, 0x100000, 4096, &unmapped);
	check(rc == -EINVAL, "TYPE1v2 partial unmap is -EINVAL (%d)", rc);
	rc = vfioctl_container_unmap_dma(c, 0x100000, 8192, &unmapped);
	check(rc == 0 && unmapped == 8192, "unmap returns 8192 (%" PRIu64 ")",
	      unmapped);
	rc = vfioctl_container_map_dma(c, buf, 0x100000, 8192,
				       VFIO_DMA_MAP_FLAG_READ);
	rc |= vfioctl_container_unmap_all(c, &unmapped);
	check(rc == 0 && unmapped == 8192, "unmap_all unmaps 8192 (%" PRIu64 ")",
	      unmapped);

	rc = vfioctl_device_open(g, "0000:7f:00.0", &d);
	check(rc == -ENODEV, "unknown device name is -ENODEV (%d)", rc);
	rc = vfioctl_device_open(g, argv[1], &d);
	check(rc == 0, "device opens");
	if (rc < 0)
		return 1;
	check(cloexec(vfioctl_device_get_fd(d)), "device fd is O_CLOEXEC");
	check(vfioctl_device_get_ctx(d) == ctx && vfioctl_device_get_group(d) == g,
	      "device_get_ctx/get_group");
	check(vfioctl_device_get_flags(d) & VFIO_DEVICE_FLAGS_PCI,
	      "device is PCI (flags %#x)", vfioctl_device_get_flags(d));
	check(vfioctl_device_get_num_regions(d) >= VFIO_PCI_CONFIG_REGION_INDEX + 1,
	      "%u regions", vfioctl_device_get_num_regions(d));
	check(vfioctl_device_get_num_irqs(d) >= VFIO_PCI_REQ_IRQ_INDEX + 1,
	      "%u irq indexes", vfioctl_device_get_num_irqs(d));
	rc = vfioctl_device_open(g, argv[1], &d2);
	printf("# second device open: %d\n", rc);
	if (rc == 0)
		vfioctl_device_unref(d2);
	rc = vfioctl_group_unset_container(g);
	check(rc == -EBUSY && strstr(vfioctl_get_last_error(ctx), "still open"),
	      "unset_container with an open device is -EBUSY (%d)", rc);

	rc = vfioctl_device_get_region(d, VFIO_PCI_BAR0_REGION_INDEX, &bar);
	check(rc == 0 && vfioctl_region_get_size(bar) == 1 << 20,
	      "BAR0 is 1 MiB");
	check(vfioctl_region_get_flags(bar) & VFIO_REGION_INFO_FLAG_MMAP,
	      "BAR0 is mmap-able");
	check(vfioctl_region_get_device(bar) == d &&
	      vfioctl_region_get_ctx(bar) == ctx &&
	      vfioctl_region_get_index(bar) == 0, "region getters");
	rc = vfioctl_region_read(bar, 0, &id, 4);
	check(rc == 0 && id == 0x010000ed, "ID register by pread: %#x", id);
	rc = vfioctl_region_read(bar, (1 << 20) - 2, &id, 4);
	check(rc == -EINVAL, "read past the end is -EINVAL (%d)", rc);
	rc = vfioctl_region_mmap(bar, PROT_READ | PROT_WRITE, &map);
	check(rc == 0, "BAR0 mmap");
	if (rc == 0) {
		check(*(volatile uint32_t *)map == 0x010000ed,
		      "ID register by mmap");
		check(vfioctl_region_is_mapped(bar, 0, 4) == 1, "is_mapped");
		check(vfioctl_region_munmap(bar) == 0, "munmap");
	}
	check(vfioctl_region_get_num_sparse_areas(bar) == -ENODATA ||
	      vfioctl_region_get_sparse_area(bar, 0, &off, &len) == 0,
	      "sparse-area accessors are consistent");
	rc = vfioctl_device_get_region(d, VFIO_PCI_CONFIG_REGION_INDEX, &cfg);
	check(rc == 0 && vfioctl_region_get_size(cfg) >= 256, "config region");
	id = 0;
	check(vfioctl_region_read(cfg, 0, &id, 4) == 0 && id == 0x11e81234,
	      "config vendor/device is 1234:11e8 (%#x)", id);
	check(!(vfioctl_region_get_flags(cfg) & VFIO_REGION_INFO_FLAG_MMAP) &&
	      vfioctl_region_mmap(cfg, PROT_READ, &map) == -ENOTSUP,
	      "config space mmap is -ENOTSUP");
	rc = vfioctl_device_get_region(d, 1000, &cfg);
	check(rc == -EINVAL, "region index past num_regions is -EINVAL");

	check(vfioctl_device_get_irq(d, VFIO_PCI_INTX_IRQ_INDEX, &intx) == 0 &&
	      vfioctl_irq_get_count(intx) == 1, "INTx: 1 vector");
	check(vfioctl_device_get_irq(d, VFIO_PCI_MSI_IRQ_INDEX, &msi) == 0 &&
	      vfioctl_irq_get_count(msi) >= 1, "MSI: %u vectors",
	      vfioctl_irq_get_count(msi));
	check(vfioctl_device_get_irq(d, VFIO_PCI_MSIX_IRQ_INDEX, &msix) == 0 &&
	      vfioctl_irq_get_count(msix) == 0, "MSI-X: none on edu");
	check(vfioctl_device_get_irq(d, VFIO_PCI_REQ_IRQ_INDEX, &req) == 0 &&
	      vfioctl_irq_get_count(req) == 1, "REQ: 1 vector");
	check(vfioctl_irq_get_device(msi) == d && vfioctl_irq_get_ctx(msi) == ctx &&
	      vfioctl_irq_get_index(msi) == VFIO_PCI_MSI_IRQ_INDEX &&
	      (vfioctl_irq_get_flags(msi) & VFIO_IRQ_INFO_EVENTFD),
	      "irq getters");
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rc = vfioctl_irq_enable(msi, 0, 1, &efd);
	check(rc == 0, "MSI enabled on an eventfd");
	rc = vfioctl_irq_trigger(msi, 0, 1);
	{
		struct pollfd p = { .fd = efd, .events = POLLIN };
		uint64_t v = 0;

		check(rc == 0 && poll(&p, 1, 2000) == 1 &&
		      read(efd, &v, 8) == 8 && v == 1,
		      "loopback trigger signals the eventfd");
	}
	rc = vfioctl_irq_mask(msi, 0, 1);
	check(rc == -ENOTTY && strstr(vfioctl_get_last_error(ctx), "maskable"),
	      "masking MSI is -ENOTTY: not maskable (%d)", rc);
	rc = vfioctl_irq_enable(intx, 0, 1, &efd);
	check(rc == -EINVAL && strstr(vfioctl_get_last_error(ctx), "only one"),
	      "INTx while MSI is on is -EINVAL with a hint (%d)", rc);
	rc = vfioctl_irq_enable(msi, 1, 40, &efd);
	check(rc == -EINVAL, "vectors past the count are -EINVAL");
	check(vfioctl_irq_disable(msi) == 0, "MSI disabled");
	check(vfioctl_irq_enable(intx, 0, 1, &efd) == 0, "INTx enabled");
	check(vfioctl_irq_mask(intx, 0, 1) == 0, "INTx masked");
	check(vfioctl_irq_unmask(intx, 0, 1) == 0, "INTx unmasked");
	check(vfioctl_irq_set_unmask_eventfd(intx, 0, efd) == 0,
	      "INTx resample eventfd");
	check(vfioctl_irq_disable(intx) == 0, "INTx disabled");
	check(vfioctl_irq_enable(req, 0, 1, &efd) == 0 &&
	      vfioctl_irq_disable(req) == 0, "REQ eventfd set and cleared");
	close(efd);

	check(vfioctl_device_reset(d) == 0, "device reset");
	rc = vfioctl_device_get_hot_reset_info(d, deps, 8);
	check(rc >= 1, "hot reset info lists %d device(s)", rc);
	for (i = 0; i < rc && i < 8; i++)
		printf("# hot reset dep: group %u %04x:%02x:%02x.%x\n",
		       deps[i].group, deps[i].segment, deps[i].bus,
		       deps[i].devfn >> 3, deps[i].devfn & 7);
	check(rc < 1 || vfioctl_device_get_hot_reset_info(d, deps, 0) == rc,
	      "hot reset info with no room still returns the count");

	vfioctl_device_unref(d);
	check(vfioctl_group_unset_container(g) == 0,
	      "unset_container once the device is closed");
	vfioctl_group_unref(g);
	vfioctl_container_unref(c);
	vfioctl_unref(ctx);
	munmap(buf, 8192);
	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
