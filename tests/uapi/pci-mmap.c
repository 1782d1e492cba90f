// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci-mmap - lifetime of BAR mappings of the vfio-pci device fd, on QEMU's
 * edu device (BAR0, 1 MiB of MMIO).
 *
 *   pci-mmap fork   BDF   a child forked after the parent touched its BAR0
 *                         mapping holds a copy of the parent's page tables;
 *                         the parent turns memory decode off: the child's
 *                         read must raise SIGBUS, not reach the device
 *   pci-mmap mremap BDF   a touched BAR0 mapping moved with mremap() works
 *                         at its new address; decode off: SIGBUS there
 *   pci-mmap reset  BDF   both of the above with a VFIO_DEVICE_RESET in
 *                         between: every copy refaults after the reset,
 *                         and decode off after it still reaches every copy
 *
 * The device must already be bound to vfio-pci (and, for "reset", have a
 * reset: the solo edu device).  Output is TAP-like; the exit status is the
 * number of failed checks (capped), 0 when everything passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "pci-util.h"
#include "tap-util.h"

/* ------------------------------------------------------------ device */

struct dev {
	const char *bdf;
	int container, group, fd;
	uint64_t cfg_off, bar_off, bar_size;
};

/*
 * Kept local rather than vdev_open() (pci-util.h): only the config and
 * BAR0 regions, both required, and this program's own bail-out messages.
 */
static void open_dev(struct dev *d, const char *bdf)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	char path[64];

	d->bdf = bdf;
	snprintf(path, sizeof(path), "/dev/vfio/%d", sysfs_group(bdf));

	d->container = open("/dev/vfio/vfio", O_RDWR);
	if (d->container < 0)
		die("open /dev/vfio/vfio");
	d->group = open(path, O_RDWR);
	if (d->group < 0)
		die("open %s", path);
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &st))
		die("GROUP_GET_STATUS");
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group %s is not viable", path);
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		die("GROUP_SET_CONTAINER");
	if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("SET_IOMMU");
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (d->fd < 0)
		die("GET_DEVICE_FD %s", bdf);

	ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		die("GET_REGION_INFO config");
	d->cfg_off = ri.offset;
	memset(&ri, 0, sizeof(ri));
	ri.argsz = sizeof(ri);
	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		die("GET_REGION_INFO BAR0");
	if (!(ri.flags & VFIO_REGION_INFO_FLAG_MMAP) || ri.size < 2 * 4096)
		die("BAR0 of %s cannot be mapped (flags 0x%x size 0x%llx)",
		    bdf, ri.flags, (unsigned long long)ri.size);
	d->bar_off = ri.offset;
	d->bar_size = ri.size;
}

static void *map_bar(struct dev *d)
{
	void *p = mmap(NULL, d->bar_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       d->fd, (off_t)d->bar_off);

	if (p == MAP_FAILED)
		die("mmap of BAR0");
	return p;
}

/* 2-byte write of the command register, as a user would do it */
static void set_decode(struct dev *d, bool on)
{
	uint16_t cmd;

	if (pread(d->fd, &cmd, 2, (off_t)(d->cfg_off + PCI_COMMAND)) != 2)
		die("config read of PCI_COMMAND");
	if (on)
		cmd |= PCI_COMMAND_MEMORY;
	else
		cmd &= ~PCI_COMMAND_MEMORY;
	if (pwrite(d->fd, &cmd, 2, (off_t)(d->cfg_off + PCI_COMMAND)) != 2)
		die("config write of PCI_COMMAND");
}

/* a read that must work: the edu ID register */
static void check_id(volatile uint32_t *p, const char *what)
{
	uint32_t v = 0;
	bool bus = read_sigbus(p, &v);

	check(!bus && v == EDU_ID_VALUE, "%s reads the edu ID (%s0x%08x)",
	      what, bus ? "SIGBUS, " : "", v);
}

/* a read that must raise SIGBUS */
static void check_bus(volatile uint32_t *p, const char *what)
{
	uint32_t v = 0;
	bool bus = read_sigbus(p, &v);

	check(bus, "%s with decode off raises SIGBUS (%s0x%08x)", what,
	      bus ? "" : "no SIGBUS, read ", v);
}

/* ------------------------------------------------------------ fork */

/*
 * A child holding a fork-time copy of the parent's touched mapping.  It
 * waits for a byte on the pipe, then reads its copy, and exits 0 on
 * SIGBUS, 1 when it read something (printed), 2 on a broken pipe.
 */
struct child {
	pid_t pid;
	int go;		/* write end: tell the child to read */
};

static struct child fork_reader(volatile uint32_t *bar)
{
	struct child c;
	int p[2];
	char b;

	if (pipe(p))
		die("pipe");
	c.pid = fork();
	if (c.pid < 0)
		die("fork");
	if (c.pid == 0) {
		uint32_t v = 0;

		close(p[1]);
		if (read(p[0], &b, 1) != 1)
			_exit(2);
		if (read_sigbus(&bar[EDU_ID / 4], &v))
			_exit(0);
		printf("# child read 0x%08x through its copy\n", v);
		fflush(stdout);
		_exit(1);
	}
	close(p[0]);
	c.go = p[1];
	return c;
}

static void child_check(struct child *c, const char *what)
{
	int status = 0;

	if (write(c->go, "x", 1) != 1)
		die("pipe write");
	close(c->go);
	if (waitpid(c->pid, &status, 0) != c->pid)
		die("waitpid");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "%s: the forked child's read with decode off raises SIGBUS (status 0x%x)",
	      what, status);
}

static void test_fork(struct dev *d, bool reset)
{
	volatile uint32_t *bar = map_bar(d);
	const char *what = reset ? "fork, reset" : "fork";
	struct child c;

	check_id(&bar[EDU_ID / 4], "BAR0 mapping before fork");
	c = fork_reader(bar);
	if (reset) {
		check(ioctl(d->fd, VFIO_DEVICE_RESET) == 0,
		      "VFIO_DEVICE_RESET (%s)", strerror(errno));
		check_id(&bar[EDU_ID / 4], "parent's mapping after reset");
	}
	set_decode(d, false);
	child_check(&c, what);
	check_bus(&bar[EDU_ID / 4], "parent's read");
	set_decode(d, true);
	check_id(&bar[EDU_ID / 4], "parent's mapping with decode on again");
	munmap((void *)bar, d->bar_size);
}

/* ------------------------------------------------------------ mremap */

static void test_mremap(struct dev *d, bool reset)
{
	volatile uint32_t *bar = map_bar(d);
	volatile uint32_t *moved;
	size_t len = d->bar_size;
	void *dst;

	/* touch two pages: the first and the last */
	check_id(&bar[EDU_ID / 4], "BAR0 mapping before mremap");
	(void)bar[(len - 4) / 4];

	/* a free spot to move to, not adjacent to the original */
	dst = mmap(NULL, 3 * len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (dst == MAP_FAILED)
		die("mmap of a spot to move to");
	dst = (char *)dst + len;
	moved = mremap((void *)bar, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
		       dst);
	if (moved == MAP_FAILED)
		die("mremap of the BAR0 mapping");
	check(moved != bar, "BAR0 mapping moved from %p to %p",
	      (void *)bar, (void *)moved);
	check_id(&moved[EDU_ID / 4], "moved mapping");

	if (reset) {
		check(ioctl(d->fd, VFIO_DEVICE_RESET) == 0,
		      "VFIO_DEVICE_RESET (%s)", strerror(errno));
		check_id(&moved[EDU_ID / 4], "moved mapping after reset");
	}
	set_decode(d, false);
	check_bus(&moved[EDU_ID / 4], reset ? "moved mapping after reset" :
		  "moved mapping");
	check_bus(&moved[(len - 4) / 4], "moved mapping's last page");
	set_decode(d, true);
	check_id(&moved[EDU_ID / 4], "moved mapping with decode on again");
	munmap((void *)moved, len);
	munmap((char *)dst - len, 3 * len);
}

int main(int argc, char **argv)
{
	struct dev d;

	if (argc != 3) {
		fprintf(stderr, "usage: %s fork|mremap|reset BDF\n", argv[0]);
		return 99;
	}
	/* the reader child exits with its own status, never by SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	open_dev(&d, argv[2]);

	if (!strcmp(argv[1], "fork")) {
		test_fork(&d, false);
	} else if (!strcmp(argv[1], "mremap")) {
		test_mremap(&d, false);
	} else if (!strcmp(argv[1], "reset")) {
		test_fork(&d, true);
		test_mremap(&d, true);
	} else {
		fprintf(stderr, "unknown test %s\n", argv[1]);
		return 99;
	}
	printf("1..%d\n", tap_tests);
	return tap_status(98);
}
