// SPDX-License-Identifier: GPL-2.0-only
/*
 * dpdk-client - a real client: DPDK's own VFIO layer driving QEMU's edu.
 *
 *   dpdk-client EAL-ARGS... -- BDF
 *
 * Does what a DPDK poll-mode driver does with a vfio-pci device:
 * rte_vfio_setup_device() (DPDK opens the container and the group, checks
 * viability, sets type1 and maps all of its memory with VFIO_IOMMU_MAP_DMA),
 * then with the device fd it got back: BAR0 region info and mmap, the edu
 * ID and liveness registers, bus mastering through the config region and a
 * DMA round trip through the IOMMU using rte_malloc() memory addressed by
 * rte_malloc_virt2iova(); finally rte_vfio_release_device() and
 * rte_eal_cleanup().
 *
 * edu masks DMA addresses to 28 bits, so with IOVA as VA the DPDK memory
 * must sit below 256 MiB: run with --iova-mode=va --no-huge and a low
 * --base-virtaddr (the bats test uses 0x1000000).
 *
 * The device must already be bound to vfio-pci.  Expected values come from
 * sysfs or from the edu specification (QEMU docs/specs/edu.rst).  Output is
 * TAP-like, including the /dev/vfio nodes this process holds while it owns
 * the device ("# fd: ..."); the exit status is non-zero if any check failed.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_io.h>
#include <rte_malloc.h>
#include <rte_vfio.h>

#include "tap-util.h"

/* edu registers (QEMU docs/specs/edu.rst) */
#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define  EDU_DMA_START		0x01
#define  EDU_DMA_TO_RAM		0x02
#define EDU_DMA_BUF	0x40000
#define EDU_DMA_MASK	((1ull << 28) - 1)	/* edu's default dma_mask */
#define EDU_ID_VALUE	0x010000edu

/*
 * Short of edu's 4 KiB buffer end: QEMU 7.2's edu aborts the VM on a
 * transfer that ends exactly there.
 */
#define DMA_LEN		1024

#define SYSFS_PCI	"/sys/bus/pci/devices"

/* sysfs_u32 - read a hex attribute of the device, or -1 */
static long sysfs_u32(const char *bdf, const char *attr)
{
	char path[PATH_MAX];
	unsigned int v;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/%s/%s", SYSFS_PCI, bdf, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%x", &v);
	fclose(f);
	return n == 1 ? (long)v : -1;
}

/*
 * show_vfio_fds - list the /dev/vfio nodes and VFIO anon inodes this
 * process holds, proof that DPDK went through VFIO; returns how many
 * /dev/vfio nodes there are.
 */
static int show_vfio_fds(void)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct dirent *de;
	int n = 0;
	ssize_t len;
	DIR *dir;

	dir = opendir("/proc/self/fd");
	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		if (!strncmp(target, "/dev/vfio/", 10))
			n++;
		else if (!strstr(target, "vfio"))
			continue;
		diag("fd: %s -> %s", de->d_name, target);
	}
	closedir(dir);
	return n;
}

static uint32_t edu_rd(volatile uint8_t *bar, unsigned int reg)
{
	return rte_read32(bar + reg);
}

static void edu_wr(volatile uint8_t *bar, unsigned int reg, uint32_t v)
{
	rte_write32(v, bar + reg);
}

static void edu_wr64(volatile uint8_t *bar, unsigned int reg, uint64_t v)
{
	edu_wr(bar, reg, (uint32_t)v);
	edu_wr(bar, reg + 4, (uint32_t)(v >> 32));
}

/*
 * edu_dma - one edu DMA transfer; edu completes it from a timer, so poll
 * the START bit for up to 5 s.
 */
static bool edu_dma(volatile uint8_t *bar, uint64_t src, uint64_t dst,
		    uint32_t len, uint32_t dir)
{
	const struct timespec ms = { .tv_nsec = 1000000 };
	int i;

	edu_wr64(bar, EDU_DMA_SRC, src);
	edu_wr64(bar, EDU_DMA_DST, dst);
	edu_wr(bar, EDU_DMA_CNT, len);
	edu_wr(bar, EDU_DMA_CMD, EDU_DMA_START | dir);
	for (i = 0; i < 5000; i++) {
		if (!(edu_rd(bar, EDU_DMA_CMD) & EDU_DMA_START))
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

/*
 * set_bus_master - DMA needs bus mastering, which VFIO leaves to the user;
 * set it through the config region as DPDK's PCI bus does.
 */
static bool set_bus_master(int fd)
{
	struct vfio_region_info cfg = {
		.argsz = sizeof(cfg), .index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	uint16_t cmd;

	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		return false;
	if (pread(fd, &cmd, sizeof(cmd), cfg.offset + PCI_COMMAND) != sizeof(cmd))
		return false;
	cmd |= PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY;
	if (pwrite(fd, &cmd, sizeof(cmd), cfg.offset + PCI_COMMAND) != sizeof(cmd))
		return false;
	cmd = 0;
	if (pread(fd, &cmd, sizeof(cmd), cfg.offset + PCI_COMMAND) != sizeof(cmd))
		return false;
	return cmd & PCI_COMMAND_MASTER;
}

static void test_dma(int fd, volatile uint8_t *bar)
{
	uint8_t *buf;
	uint64_t iova;
	bool done;
	int i;

	if (!check(set_bus_master(fd), "bus mastering enabled through the config region"))
		return;

	buf = rte_malloc("edu-dma", 4096, 4096);
	if (!check(buf != NULL, "rte_malloc of a 4 KiB DMA buffer (%s)",
		   buf ? "ok" : rte_strerror(rte_errno)))
		return;
	iova = rte_malloc_virt2iova(buf);
	diag("DMA buffer va %p iova 0x%llx", (void *)buf,
	     (unsigned long long)iova);
	check(iova == (uintptr_t)buf, "rte_malloc_virt2iova gives IOVA as VA");
	if (!check(iova != RTE_BAD_IOVA && iova + 4096 <= EDU_DMA_MASK,
		   "IOVA 0x%llx within edu's 28-bit DMA mask (else lower --base-virtaddr)",
		   (unsigned long long)iova))
		goto out;

	for (i = 0; i < DMA_LEN; i++) {
		buf[i] = (uint8_t)(i * 7 + 3);
		buf[2048 + i] = 0;
	}
	rte_wmb();

	done = edu_dma(bar, iova, EDU_DMA_BUF, DMA_LEN, 0);
	check(done, "edu DMA RAM -> edu of %d bytes from IOVA 0x%llx finished",
	      DMA_LEN, (unsigned long long)iova);
	if (!done)
		goto out;
	done = edu_dma(bar, EDU_DMA_BUF, iova + 2048, DMA_LEN, EDU_DMA_TO_RAM);
	check(done, "edu DMA edu -> RAM of %d bytes to IOVA 0x%llx finished",
	      DMA_LEN, (unsigned long long)iova + 2048);
	if (!done)
		goto out;
	rte_rmb();
	check(!memcmp(buf, buf + 2048, DMA_LEN),
	      "DMA round trip through the IOMMU: data intact");
out:
	rte_free(buf);
}

static void test_device(int fd, const struct vfio_device_info *info)
{
	struct vfio_region_info bar0 = {
		.argsz = sizeof(bar0), .index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	volatile uint8_t *bar;
	uint32_t v;
	void *map;
	int ret;

	check(info->flags & VFIO_DEVICE_FLAGS_PCI, "device info: PCI device");
	check(info->num_regions >= VFIO_PCI_NUM_REGIONS,
	      "device info: %u regions (>= %d)", info->num_regions,
	      VFIO_PCI_NUM_REGIONS);
	check(info->num_irqs >= VFIO_PCI_NUM_IRQS,
	      "device info: %u irq indexes (>= %d)", info->num_irqs,
	      VFIO_PCI_NUM_IRQS);

	ret = ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &bar0);
	if (!check(!ret, "BAR0 region info (%s)", ret ? strerror(errno) : "ok"))
		return;
	diag("BAR0 size 0x%llx offset 0x%llx flags 0x%x",
	     (unsigned long long)bar0.size, (unsigned long long)bar0.offset,
	     bar0.flags);
	if (!check(bar0.flags & VFIO_REGION_INFO_FLAG_MMAP && bar0.size >= 4096,
		   "BAR0 is mmap-able"))
		return;
	map = mmap(NULL, bar0.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   bar0.offset);
	if (!check(map != MAP_FAILED, "mmap of BAR0 (%s)",
		   map == MAP_FAILED ? strerror(errno) : "ok"))
		return;
	bar = map;

	v = edu_rd(bar, EDU_ID);
	check(v == EDU_ID_VALUE, "edu ID register through the mmap: 0x%08x", v);
	edu_wr(bar, EDU_LIVENESS, 0x12345678);
	v = edu_rd(bar, EDU_LIVENESS);
	check(v == ~0x12345678u, "edu liveness register: 0x%08x", v);

	test_dma(fd, bar);

	check(!munmap(map, bar0.size), "munmap of BAR0");
}

int main(int argc, char **argv)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	const char *bdf;
	int n, ret, fd = -1, group;

	n = rte_eal_init(argc, argv);
	if (!check(n >= 0, "rte_eal_init (%s)",
		   n < 0 ? rte_strerror(rte_errno) : "ok"))
		return 1;
	argc -= n;
	argv += n;
	if (argc != 2) {
		fprintf(stderr, "usage: dpdk-client EAL-ARGS... -- BDF\n");
		rte_eal_cleanup();
		return 2;
	}
	bdf = argv[1];

	check(rte_eal_iova_mode() == RTE_IOVA_VA, "EAL uses IOVA as VA");
	if (!check(rte_vfio_is_enabled("vfio"), "EAL enabled its VFIO support"))
		goto out;

	ret = rte_vfio_get_group_num(SYSFS_PCI, bdf, &group);
	check(ret == 1, "rte_vfio_get_group_num: %s is in IOMMU group %d",
	      bdf, ret == 1 ? group : -1);
	check(sysfs_u32(bdf, "vendor") == 0x1234 &&
	      sysfs_u32(bdf, "device") == 0x11e8, "%s is an edu device", bdf);

	ret = rte_vfio_setup_device(SYSFS_PCI, bdf, &fd, &info);
	if (!check(ret == 0 && fd >= 0,
		   "rte_vfio_setup_device: container, group, type1, DMA map, device fd (ret %d)",
		   ret))
		goto out;
	check(rte_vfio_noiommu_is_enabled() == 0,
	      "VFIO runs with a real IOMMU (no-IOMMU mode off)");
	check(show_vfio_fds() >= 2,
	      "the process holds the container and group nodes of /dev/vfio");

	test_device(fd, &info);

	check(rte_vfio_release_device(SYSFS_PCI, bdf, fd) == 0,
	      "rte_vfio_release_device");
out:
	check(rte_eal_cleanup() == 0, "rte_eal_cleanup");
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}
