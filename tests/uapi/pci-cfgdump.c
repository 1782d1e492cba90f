// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci-cfgdump - read a vfio-pci device's whole config space through the
 * VFIO config region, as a user sees it, for comparisons between stacks.
 *
 *   pci-cfgdump dump BDF     hex dump: "OFF: 16 bytes" per line
 *   pci-cfgdump chains BDF   the capability chains the user can follow:
 *                            "std OFF ID" and "ext OFF ID VERSION" lines
 *   pci-cfgdump poke BDF OFF VAL
 *                            write the dword VAL at OFF, print the dword
 *                            read back before and after ("%08x %08x")
 *   pci-cfgdump pokehw BDF OFF VAL
 *                            the same, then the hardware's dword (sysfs
 *                            config) before and after the write, read
 *                            while the device is open (a close resets and
 *                            restores it): "%08x %08x %08x %08x"
 *
 * The device must be bound to vfio-pci and its group viable.  Reads are
 * dword reads, as a VMM's are.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/*
 * Not the TAP helpers of tap-util.h and pci-util.h: this is a dump tool,
 * not a test; its errors go to stderr with exit status 1, and it reads
 * the config region with dword preads of its own.
 */
static void die(const char *what, const char *arg)
{
	fprintf(stderr, "pci-cfgdump: %s %s: %s\n", what, arg ? arg : "",
		strerror(errno));
	exit(1);
}

static uint8_t cfg[4096];

static int dev_fd;
static uint64_t cfg_off;

static size_t read_config(const char *bdf)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	char path[PATH_MAX], link[PATH_MAX];
	int container, group, dev;
	ssize_t n;
	size_t off;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		die("readlink", path);
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));

	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		die("open", "/dev/vfio/vfio");
	group = open(path, O_RDWR);
	if (group < 0)
		die("open", path);
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group not viable", path);
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		die("SET_CONTAINER", path);
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("SET_IOMMU", NULL);
	dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (dev < 0)
		die("GET_DEVICE_FD", bdf);
	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &reg))
		die("GET_REGION_INFO", bdf);
	if (reg.size != 256 && reg.size != 4096) {
		errno = EINVAL;
		die("config region size", bdf);
	}
	for (off = 0; off < reg.size; off += 4)
		if (pread(dev, cfg + off, 4, reg.offset + off) != 4)
			die("pread", bdf);
	/* kept open for poke; the process exit closes it all */
	dev_fd = dev;
	cfg_off = reg.offset;
	return reg.size;
}

static void chains(size_t size)
{
	unsigned int pos, steps;

	if (cfg[6] & 0x10) {
		pos = cfg[0x34] & ~3U;
		for (steps = 0; pos >= 0x40 && steps < 48; steps++) {
			printf("std 0x%02x 0x%02x\n", pos, cfg[pos]);
			pos = cfg[pos + 1] & ~3U;
		}
	}
	if (size < 4096)
		return;
	pos = 0x100;
	for (steps = 0; pos >= 0x100 && pos <= 0xffc && steps < 960; steps++) {
		uint32_t h = cfg[pos] | cfg[pos + 1] << 8 | cfg[pos + 2] << 16 |
			     (uint32_t)cfg[pos + 3] << 24;

		if (!h)
			break;
		printf("ext 0x%03x 0x%04x %u\n", pos, h & 0xffff,
		       (h >> 16) & 0xf);
		pos = (h >> 20) & ~3U;
	}
}

int main(int argc, char **argv)
{
	size_t size, i;

	if (argc == 5 && (!strcmp(argv[1], "poke") ||
			  !strcmp(argv[1], "pokehw"))) {
		unsigned long off = strtoul(argv[3], NULL, 0);
		uint32_t val = strtoul(argv[4], NULL, 0), before, after;
		uint32_t hw_before = 0, hw_after = 0;
		bool hw = !strcmp(argv[1], "pokehw");
		char path[PATH_MAX];
		int sysfs = -1;

		size = read_config(argv[2]);
		if (off > size - 4 || off % 4) {
			errno = EINVAL;
			die("offset", argv[3]);
		}
		if (hw) {
			snprintf(path, sizeof(path),
				 "/sys/bus/pci/devices/%s/config", argv[2]);
			sysfs = open(path, O_RDONLY);
			if (sysfs < 0 ||
			    pread(sysfs, &hw_before, 4, off) != 4)
				die("read", path);
		}
		if (pread(dev_fd, &before, 4, cfg_off + off) != 4 ||
		    pwrite(dev_fd, &val, 4, cfg_off + off) != 4 ||
		    pread(dev_fd, &after, 4, cfg_off + off) != 4)
			die("poke", argv[3]);
		if (!hw) {
			printf("%08x %08x\n", before, after);
			return 0;
		}
		if (pread(sysfs, &hw_after, 4, off) != 4)
			die("read", path);
		printf("%08x %08x %08x %08x\n", before, after, hw_before,
		       hw_after);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: pci-cfgdump dump|chains BDF | poke|pokehw BDF OFF VAL\n");
		return 2;
	}
	size = read_config(argv[2]);
	if (!strcmp(argv[1], "chains")) {
		chains(size);
		return 0;
	}
	for (i = 0; i < size; i++) {
		if (!(i % 16))
			printf("%03zx:", i);
		printf(" %02x%s", cfg[i], i % 16 == 15 ? "\n" : "");
	}
	return 0;
}
