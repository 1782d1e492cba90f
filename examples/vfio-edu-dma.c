// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfio-edu-dma - what a VMM does with libvfioctl, on QEMU's "edu" device:
 * container, group, device, two DMA-mapped buffers, a DMA transfer
 * RAM -> device -> RAM, completion signalled by MSI on an eventfd, and a
 * clean teardown.  Exits 0 only if every step and the data check passed.
 *
 *   vfio-edu-dma 0000:01:00.0      (the device must be bound to vfio-pci)
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <syslog.h>
#include <unistd.h>

#include <libvfioctl.h>

/* edu BAR0 registers (QEMU docs/specs/edu.txt) */
#define EDU_ID			0x00
#define EDU_ID_VALUE		0x010000ed
#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_ACK		0x64
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define EDU_CMD_START		0x1
#define EDU_CMD_TO_RAM		0x2	/* clear: RAM -> edu */
#define EDU_CMD_IRQ		0x4
#define EDU_IRQ_DMA		0x100
#define EDU_BUF			0x40000	/* device address of its 4 KiB buffer */

/*
 * Below the 28-bit DMA mask edu applies and away from the x86 MSI window.
 * The transfer is shorter than edu's buffer: QEMU 7.2 aborts when a
 * transfer ends exactly at the buffer's end.
 */
#define IOVA_SRC		0x100000
#define IOVA_DST		0x200000
#define BUF_SIZE		4096
#define XFER_SIZE		2048

#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x2
#define PCI_COMMAND_MASTER	0x4

static struct vfioctl_ctx *ctx;

static int fail(const char *step, int rc)
{
	const char *why = vfioctl_get_last_error(ctx);

	fprintf(stderr, "vfio-edu-dma: %s failed: %s\n", step,
		*why ? why : strerror(-rc));
	return 1;
}

static int rd32(struct vfioctl_region *bar, uint64_t off, uint32_t *val)
{
	return vfioctl_region_read(bar, off, val, sizeof(*val));
}

static int wr32(struct vfioctl_region *bar, uint64_t off, uint32_t val)
{
	return vfioctl_region_write(bar, off, &val, sizeof(val));
}

static int wr64(struct vfioctl_region *bar, uint64_t off, uint64_t val)
{
	return vfioctl_region_write(bar, off, &val, sizeof(val));
}

/*
 * Starts one transfer and waits for its MSI; then checks that the device
 * says DMA completion and acknowledges it.
 */
static int dma(struct vfioctl_region *bar, int efd, uint64_t src,
	       uint64_t dst, uint32_t cmd)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	uint64_t count;
	uint32_t status;
	int rc;

	if ((rc = wr64(bar, EDU_DMA_SRC, src)) < 0 ||
	    (rc = wr64(bar, EDU_DMA_DST, dst)) < 0 ||
	    (rc = wr64(bar, EDU_DMA_COUNT, XFER_SIZE)) < 0 ||
	    (rc = wr64(bar, EDU_DMA_CMD, cmd | EDU_CMD_START | EDU_CMD_IRQ)) < 0)
		return fail("programming the DMA engine", rc);
	/* TCG is slow; edu itself waits 100 ms before moving data. */
	rc = poll(&pfd, 1, 20000);
	if (rc <= 0) {
		fprintf(stderr, "vfio-edu-dma: no MSI within 20 s\n");
		return 1;
	}
	if (read(efd, &count, sizeof(count)) != sizeof(count)) {
		perror("vfio-edu-dma: read eventfd");
		return 1;
	}
	if ((rc = rd32(bar, EDU_IRQ_STATUS, &status)) < 0)
		return fail("reading the interrupt status", rc);
	printf("  MSI received (eventfd count %llu), interrupt status %#x\n",
	       (unsigned long long)count, status);
	if (!(status & EDU_IRQ_DMA)) {
		fprintf(stderr, "vfio-edu-dma: interrupt is not DMA completion\n");
		return 1;
	}
	if ((rc = wr32(bar, EDU_IRQ_ACK, status)) < 0)
		return fail("acknowledging the interrupt", rc);
	return 0;
}

int main(int argc, char **argv)
{
	struct vfioctl_container *container = NULL;
	struct vfioctl_group *group = NULL;
	struct vfioctl_device *dev = NULL;
	struct vfioctl_region *bar, *config;
	struct vfioctl_irq *msi;
	uint8_t *src = MAP_FAILED, *dst = MAP_FAILED;
	uint64_t unmapped = 0;
	uint32_t id;
	uint16_t cmd;
	int rc, type, efd = -1, status = 1;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PCI-ADDRESS\n", argv[0]);
		return 2;
	}
	rc = vfioctl_new(&ctx);
	if (rc < 0) {
		fprintf(stderr, "vfio-edu-dma: vfioctl_new: %s\n", strerror(-rc));
		return 1;
	}
	printf("libvfioctl %s, device %s\n", vfioctl_get_version(), argv[1]);

	if ((rc = vfioctl_container_open(ctx, &container)) < 0) {
		status = fail("opening the container", rc);
		goto out;
	}
	if ((rc = vfioctl_group_open_by_device(ctx, argv[1], &group)) < 0) {
		status = fail("opening the group", rc);
		goto out;
	}
	printf("group %d%s opened\n", vfioctl_group_get_number(group),
	       vfioctl_group_is_noiommu(group) ? " (no-IOMMU)" : "");
	if ((rc = vfioctl_group_set_container(group, container)) < 0) {
		status = fail("adding the group to the container", rc);
		goto out;
	}
	if ((type = vfioctl_container_set_iommu(container,
						VFIOCTL_IOMMU_AUTO)) < 0) {
		status = fail("setting the IOMMU model", type);
		goto out;
	}
	printf("IOMMU model %d set\n", type);
	if ((rc = vfioctl_device_open(group, argv[1], &dev)) < 0) {
		status = fail("opening the device", rc);
		goto out;
	}
	printf("device opened: %u regions, %u irq indexes\n",
	       vfioctl_device_get_num_regions(dev),
	       vfioctl_device_get_num_irqs(dev));

	if ((rc = vfioctl_device_get_region(dev, VFIO_PCI_BAR0_REGION_INDEX,
					    &bar)) < 0 ||
	    (rc = vfioctl_device_get_region(dev, VFIO_PCI_CONFIG_REGION_INDEX,
					    &config)) < 0) {
		status = fail("reading region info", rc);
		goto out;
	}
	if ((rc = rd32(bar, EDU_ID, &id)) < 0) {
		status = fail("reading the ID register", rc);
		goto out;
	}
	printf("BAR0: %llu KiB, ID register %#010x\n",
	       (unsigned long long)vfioctl_region_get_size(bar) / 1024, id);
	if (id != EDU_ID_VALUE) {
		fprintf(stderr, "vfio-edu-dma: not an edu device\n");
		goto out;
	}

	/* The device may only master the bus once we say so. */
	if ((rc = vfioctl_region_read(config, PCI_COMMAND, &cmd,
				      sizeof(cmd))) < 0) {
		status = fail("reading the command register", rc);
		goto out;
	}
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if ((rc = vfioctl_region_write(config, PCI_COMMAND, &cmd,
				       sizeof(cmd))) < 0) {
		status = fail("enabling bus mastering", rc);
		goto out;
	}
	printf("bus mastering enabled\n");

	src = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED) {
		perror("vfio-edu-dma: mmap");
		goto out;
	}
	for (i = 0; i < BUF_SIZE; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	memset(dst, 0, BUF_SIZE);
	if ((rc = vfioctl_container_map_dma(container, src, IOVA_SRC, BUF_SIZE,
					    VFIO_DMA_MAP_FLAG_READ |
					    VFIO_DMA_MAP_FLAG_WRITE)) < 0 ||
	    (rc = vfioctl_container_map_dma(container, dst, IOVA_DST, BUF_SIZE,
					    VFIO_DMA_MAP_FLAG_READ |
					    VFIO_DMA_MAP_FLAG_WRITE)) < 0) {
		status = fail("mapping the buffers", rc);
		goto out;
	}
	printf("buffers mapped at IOVA %#x and %#x\n", IOVA_SRC, IOVA_DST);

	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0) {
		perror("vfio-edu-dma: eventfd");
		goto out;
	}
	if ((rc = vfioctl_device_get_irq(dev, VFIO_PCI_MSI_IRQ_INDEX,
					 &msi)) < 0 ||
	    (rc = vfioctl_irq_enable(msi, 0, 1, &efd)) < 0) {
		status = fail("enabling MSI", rc);
		goto out;
	}
	printf("MSI enabled on eventfd %d\n", efd);

	printf("DMA RAM -> edu, %d bytes\n", XFER_SIZE);
	if (dma(bar, efd, IOVA_SRC, EDU_BUF, 0))
		goto out;
	printf("DMA edu -> RAM, %d bytes\n", XFER_SIZE);
	if (dma(bar, efd, EDU_BUF, IOVA_DST, EDU_CMD_TO_RAM))
		goto out;

	for (i = 0; i < XFER_SIZE; i++)
		if (dst[i] != src[i]) {
			fprintf(stderr,
				"vfio-edu-dma: byte %zu is %#x, expected %#x\n",
				i, dst[i], src[i]);
			goto out;
		}
	for (; i < BUF_SIZE; i++)
		if (dst[i]) {
			fprintf(stderr,
				"vfio-edu-dma: byte %zu past the transfer was written\n",
				i);
			goto out;
		}
	printf("verified %d bytes\n", XFER_SIZE);

	if ((rc = vfioctl_irq_disable(msi)) < 0) {
		status = fail("disabling MSI", rc);
		goto out;
	}
	if ((rc = vfioctl_container_unmap_all(container, &unmapped)) < 0) {
		status = fail("unmapping the buffers", rc);
		goto out;
	}
	printf("MSI disabled, %llu bytes unmapped\n",
	       (unsigned long long)unmapped);
	if (unmapped != 2 * BUF_SIZE) {
		fprintf(stderr, "vfio-edu-dma: expected %d bytes unmapped\n",
			2 * BUF_SIZE);
		goto out;
	}
	status = 0;
out:
	vfioctl_device_unref(dev);
	vfioctl_group_unref(group);
	vfioctl_container_unref(container);
	vfioctl_unref(ctx);
	if (efd >= 0)
		close(efd);
	if (src != MAP_FAILED)
		munmap(src, BUF_SIZE);
	if (dst != MAP_FAILED)
		munmap(dst, BUF_SIZE);
	printf("%s\n", status ? "FAILED" : "OK: all checks passed");
	return status;
}
