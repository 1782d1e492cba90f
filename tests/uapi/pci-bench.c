// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci-bench - latency of the vfio-pci hot paths on an edu device:
 *
 *   config-pread   4-byte pread of config space (vendor/device)
 *   bar-mmap-read  32-bit read of the edu ID register through mmap
 *   bar-pread      4-byte pread of the edu ID register
 *   msi-roundtrip  edu raises MSI -> eventfd read -> ack
 *
 *   pci-bench BDF [SCALE]
 *
 * Prints "name iterations ns/op" lines; SCALE (default 1) multiplies the
 * iteration counts.  The device must be bound to vfio-pci.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#define EDU_ID		0x00
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64

static void die(const char *what)
{
	fprintf(stderr, "pci-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void report(const char *name, unsigned long n, uint64_t ns)
{
	printf("%-14s %8lu %10.0f\n", name, n, (double)ns / n);
}

int main(int argc, char **argv)
{
	struct vfio_region_info bar = { .argsz = sizeof(bar), .index = 0 };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX };
	char path[256], link[256];
	unsigned long scale = argc > 2 ? strtoul(argv[2], NULL, 0) : 1;
	unsigned long i, n;
	volatile uint32_t *map;
	uint32_t v, sink = 0;
	uint16_t cmd;
	uint64_t t, ev;
	int container, group, dev, efd;
	struct pollfd pfd;
	ssize_t len;

	if (argc < 2) {
		fprintf(stderr, "usage: pci-bench BDF [SCALE]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 argv[1]);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		die(path);
	link[len] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);

	container = open("/dev/vfio/vfio", O_RDWR);
	group = open(path, O_RDWR);
	if (container < 0 || group < 0)
		die("open");
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		die("SET_CONTAINER");
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("SET_IOMMU");
	dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, argv[1]);
	if (dev < 0)
		die("GET_DEVICE_FD");
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &bar) ||
	    ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		die("REGION_INFO");
	map = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		   bar.offset);
	if (map == MAP_FAILED)
		die("mmap");

	n = 20000 * scale;
	t = now_ns();
	for (i = 0; i < n; i++) {
		if (pread(dev, &v, 4, cfg.offset) != 4)
			die("config pread");
		sink += v;
	}
	report("config-pread", n, now_ns() - t);

	t = now_ns();
	for (i = 0; i < n; i++)
		sink += map[EDU_ID / 4];
	report("bar-mmap-read", n, now_ns() - t);

	t = now_ns();
	for (i = 0; i < n; i++) {
		if (pread(dev, &v, 4, bar.offset + EDU_ID) != 4)
			die("BAR pread");
		sink += v;
	}
	report("bar-pread", n, now_ns() - t);

	/* MSI needs bus mastering */
	if (pread(dev, &cmd, 2, cfg.offset + PCI_COMMAND) != 2)
		die("command read");
	cmd |= PCI_COMMAND_MASTER;
	if (pwrite(dev, &cmd, 2, cfg.offset + PCI_COMMAND) != 2)
		die("command write");
	efd = eventfd(0, EFD_CLOEXEC);
	{
		char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
		struct vfio_irq_set *s = (struct vfio_irq_set *)buf;

		s->argsz = sizeof(buf);
		s->flags = VFIO_IRQ_SET_DATA_EVENTFD |
			   VFIO_IRQ_SET_ACTION_TRIGGER;
		s->index = VFIO_PCI_MSI_IRQ_INDEX;
		s->start = 0;
		s->count = 1;
		memcpy(s->data, &efd, sizeof(efd));
		if (ioctl(dev, VFIO_DEVICE_SET_IRQS, s))
			die("SET_IRQS MSI");
	}
	n = 2000 * scale;
	pfd.fd = efd;
	pfd.events = POLLIN;
	t = now_ns();
	for (i = 0; i < n; i++) {
		map[EDU_IRQ_RAISE / 4] = 1;
		if (poll(&pfd, 1, 2000) != 1) {
			errno = ETIMEDOUT;
			die("MSI not delivered");
		}
		if (read(efd, &ev, sizeof(ev)) != sizeof(ev))
			die("eventfd read");
		map[EDU_IRQ_ACK / 4] = map[EDU_IRQ_STATUS / 4];
	}
	report("msi-roundtrip", n, now_ns() - t);

	fprintf(stderr, "(checksum %u)\n", sink);
	close(efd);
	munmap((void *)map, bar.size);
	close(dev);
	close(group);
	close(container);
	return 0;
}
