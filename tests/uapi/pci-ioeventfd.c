// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci-ioeventfd - VFIO_DEVICE_IOEVENTFD on the QEMU edu device
 * (tests/bats/pci-ioeventfd.bats).
 *
 *   pci-ioeventfd edu BDF
 *   pci-ioeventfd d3 BDF      (virtio-net-pci: no write in D3hot)
 *
 * edu's card liveness register (BAR0 + 4) reads back the inverse of what
 * was written, and its DMA source register (BAR0 + 0x80) reads back what
 * was written: an ioeventfd's write is seen by reading them with pread.
 * Checked: a signal writes, once per signal; assignment is keyed on
 * (offset, size, data); EEXIST, ENODEV, EINVAL (flags, size, fd < -1,
 * past the BAR, not a BAR, over the MSI-X table does not apply to edu),
 * EBADF for a closed fd, EINVAL for a fd that is not an eventfd; the
 * limit of 1000 (ENOSPC); no write while memory decode is off; nothing
 * after de-assignment.  The errnos are stock's (drivers/vfio/pci,
 * vfio_pci_ioctl_ioeventfd and vfio_pci_ioeventfd, 6.1 and 6.12).
 *
 * The device must already be bound to vfio-pci.  TAP-like output; the
 * exit status is the number of failed checks (capped).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "pci-util.h"
#include "tap-util.h"

#define EDU_LIVENESS	0x04
#define EDU_DMA_SRC	0x80
#define IOEVENTFD_MAX	1000

static int ioeventfd(struct vdev *d, uint64_t offset, uint32_t size,
		     uint64_t data, int32_t fd)
{
	struct vfio_device_ioeventfd e = {
		.argsz = sizeof(e),
		.flags = size,
		.offset = offset,
		.data = data,
		.fd = fd,
	};

	return ioctl(d->fd, VFIO_DEVICE_IOEVENTFD, &e) ? -errno : 0;
}

static uint64_t bar0(struct vdev *d, unsigned int off)
{
	return d->reg[VFIO_PCI_BAR0_REGION_INDEX].offset + off;
}

static uint32_t rd32(struct vdev *d, unsigned int off)
{
	uint32_t v = 0xdeadbeef;

	if (pread(d->fd, &v, 4, bar0(d, off)) != 4)
		die("BAR0 pread at 0x%x: %s", off, strerror(errno));
	return v;
}

static void wr32(struct vdev *d, unsigned int off, uint32_t v)
{
	if (pwrite(d->fd, &v, 4, bar0(d, off)) != 4)
		die("BAR0 pwrite at 0x%x: %s", off, strerror(errno));
}

static void sig(int efd)
{
	uint64_t one = 1;

	if (write(efd, &one, 8) != 8)
		die("eventfd write: %s", strerror(errno));
}

/* poll @off until it reads @want (the write may come from a work item) */
static bool wait32(struct vdev *d, unsigned int off, uint32_t want)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	int i;

	for (i = 0; i < 1000; i++) {
		if (rd32(d, off) == want)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static void settle(void)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void set_memory(struct vdev *d, bool on)
{
	uint16_t cmd;

	if (vdev_cfg_read(d, PCI_COMMAND, &cmd, 2))
		die("command read");
	cmd = on ? (cmd | PCI_COMMAND_MEMORY) : (cmd & ~PCI_COMMAND_MEMORY);
	if (vdev_cfg_write(d, PCI_COMMAND, &cmd, 2))
		die("command write");
}

static const char *err(int ret)
{
	return ret ? strerror(-ret) : "success";
}

static int cmd_edu(const char *bdf)
{
	struct vdev d = { .bdf = bdf };
	uint64_t size0, off;
	int efd, efd2, nullfd, ret, i, n;
	uint32_t v;

	vdev_open(&d);
	size0 = d.reg[VFIO_PCI_BAR0_REGION_INDEX].size;
	if (size0 < 0x100)
		die("%s: BAR0 is %llu bytes, not an edu?", bdf,
		    (unsigned long long)size0);
	set_memory(&d, true);
	efd = eventfd(0, EFD_CLOEXEC);
	efd2 = eventfd(0, EFD_CLOEXEC);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (efd < 0 || efd2 < 0 || nullfd < 0)
		die("eventfd/open: %s", strerror(errno));

	/* --- a signal writes the data */
	wr32(&d, EDU_LIVENESS, 0);
	check(rd32(&d, EDU_LIVENESS) == 0xffffffff,
	      "edu liveness register inverts a pwrite (0x%08x)",
	      rd32(&d, EDU_LIVENESS));
	ret = ioeventfd(&d, bar0(&d, EDU_LIVENESS), 4, 0x12345678, efd);
	check(!ret, "assign 4 bytes at BAR0+4 (%s)", err(ret));
	v = rd32(&d, EDU_LIVENESS);
	check(v == 0xffffffff, "no write before a signal (0x%08x)", v);
	sig(efd);
	check(wait32(&d, EDU_LIVENESS, ~0x12345678u),
	      "a signal writes 0x12345678 (reads 0x%08x)",
	      rd32(&d, EDU_LIVENESS));
	wr32(&d, EDU_LIVENESS, 0);
	sig(efd);
	check(wait32(&d, EDU_LIVENESS, ~0x12345678u),
	      "every signal writes again (reads 0x%08x)",
	      rd32(&d, EDU_LIVENESS));

	/* --- keyed on (offset, size, data) */
	ret = ioeventfd(&d, bar0(&d, EDU_LIVENESS), 4, 0x12345678, efd2);
	check(ret == -EEXIST, "the same offset, size and data again: EEXIST (%s)",
	      err(ret));
	ret = ioeventfd(&d, bar0(&d, EDU_LIVENESS), 4, 0x0badf00d, efd2);
	check(!ret, "the same offset with other data: a second one (%s)",
	      err(ret));
	sig(efd2);
	check(wait32(&d, EDU_LIVENESS, ~0x0badf00du),
	      "the second eventfd writes its own data (reads 0x%08x)",
	      rd32(&d, EDU_LIVENESS));
	ret = ioeventfd(&d, bar0(&d, EDU_LIVENESS), 4, 0x0badf00d, -1);
	check(!ret, "de-assign the second with fd -1 (%s)", err(ret));
	ret = ioeventfd(&d, bar0(&d, EDU_LIVENESS), 4, 0x0badf00d, -1);
	check(ret == -ENODEV, "de-assign it again: ENODEV (%s)", err(ret));
	wr32(&d, EDU_LIVENESS, 0);
	sig(efd2);
	settle();
	v = rd32(&d, EDU_LIVENESS);
	check(v == 0xffffffff, "a de-assigned eventfd writes nothing (0x%08x)", v);

	/* --- no write while memory decode is off */
	set_memory(&d, false);
	sig(efd);
	settle();
	set_memory(&d, true);
	v = rd32(&d, EDU_LIVENESS);
	check(v == 0xffffffff,
	      "a signal while memory decode is off writes nothing (0x%08x)", v);
	sig(efd);
	check(wait32(&d, EDU_LIVENESS, ~0x12345678u),
	      "decode back on, a signal writes again (reads 0x%08x)",
	      rd32(&d, EDU_LIVENESS));

	/* --- a pending signal at assignment counts */
	ret = ioeventfd(&d, bar0(&d, EDU_LIVENESS), 4, 0x12345678, -1);
	check(!ret, "de-assign the first (%s)", err(ret));
	wr32(&d, EDU_LIVENESS, 0);
	sig(efd);
	settle();
	check(rd32(&d, EDU_LIVENESS) == 0xffffffff,
	      "nothing assigned: the signal stays pending");
	ret = ioeventfd(&d, bar0(&d, EDU_LIVENESS), 4, 0x5a5a5a5a, efd);
	check(!ret, "assign with a signal pending (%s)", err(ret));
	check(wait32(&d, EDU_LIVENESS, ~0x5a5a5a5au),
	      "the pending signal writes at assignment (reads 0x%08x)",
	      rd32(&d, EDU_LIVENESS));
	ret = ioeventfd(&d, bar0(&d, EDU_LIVENESS), 4, 0x5a5a5a5a, -1);
	check(!ret, "de-assign it (%s)", err(ret));

	/*
	 * --- 8 bytes at edu's DMA source register.  Stock and ours write
	 * 8 bytes as two dwords, low first, on x86-64 (no atomic
	 * iowrite64 there), and edu ignores a dword write at 0x84: the low
	 * dword is what both stacks can be held to.
	 */
	wr32(&d, EDU_DMA_SRC, 0);
	ret = ioeventfd(&d, bar0(&d, EDU_DMA_SRC), 8, 0x1122334455667788ull,
			efd);
	check(!ret, "assign 8 bytes at BAR0+0x80 (%s)", err(ret));
	if (!ret) {
		sig(efd);
		check(wait32(&d, EDU_DMA_SRC, 0x55667788),
		      "a signal writes the low dword of 8 bytes (reads 0x%08x)",
		      rd32(&d, EDU_DMA_SRC));
		ret = ioeventfd(&d, bar0(&d, EDU_DMA_SRC), 8,
				0x1122334455667788ull, -1);
		check(!ret, "de-assign the 8-byte one (%s)", err(ret));
	}
	/* 1 and 2 bytes: edu ignores them, but they are assignable */
	ret = ioeventfd(&d, bar0(&d, 0x90), 1, 0xab, efd);
	check(!ret, "assign 1 byte (%s)", err(ret));
	ret = ioeventfd(&d, bar0(&d, 0x90), 2, 0xab, efd);
	check(!ret, "assign 2 bytes at the same offset and data (%s)",
	      err(ret));
	ret = ioeventfd(&d, bar0(&d, 0x90), 1, 0xab, -1);
	check(!ret, "de-assign the 1-byte one (%s)", err(ret));
	ret = ioeventfd(&d, bar0(&d, 0x90), 2, 0xab, -1);
	check(!ret, "de-assign the 2-byte one (%s)", err(ret));
	/* no alignment rule, as stock: an odd offset is accepted */
	ret = ioeventfd(&d, bar0(&d, 0x91), 2, 0xab, efd);
	check(!ret, "2 bytes at an odd offset are accepted, as stock (%s)",
	      err(ret));
	ioeventfd(&d, bar0(&d, 0x91), 2, 0xab, -1);

	/* --- bad arguments */
	ret = ioeventfd(&d, bar0(&d, 0), 0, 0, efd);
	check(ret == -EINVAL, "size 0: EINVAL (%s)", err(ret));
	ret = ioeventfd(&d, bar0(&d, 0), 3, 0, efd);
	check(ret == -EINVAL, "size 3 (two size bits): EINVAL (%s)", err(ret));
	ret = ioeventfd(&d, bar0(&d, 0), 0x10 | 4, 0, efd);
	check(ret == -EINVAL, "an unknown flag: EINVAL (%s)", err(ret));
	ret = ioeventfd(&d, bar0(&d, 0), 4, 0, -2);
	check(ret == -EINVAL, "fd -2: EINVAL (%s)", err(ret));
	ret = ioeventfd(&d, bar0(&d, size0 - 2), 4, 0, efd);
	check(ret == -EINVAL, "4 bytes running past BAR0: EINVAL (%s)",
	      err(ret));
	ret = ioeventfd(&d, bar0(&d, size0), 1, 0, efd);
	check(ret == -EINVAL, "at the end of BAR0: EINVAL (%s)", err(ret));
	off = (uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << 40;
	ret = ioeventfd(&d, off, 4, 0, efd);
	check(ret == -EINVAL, "the config region: EINVAL (%s)", err(ret));
	off = (uint64_t)VFIO_PCI_ROM_REGION_INDEX << 40;
	ret = ioeventfd(&d, off, 4, 0, efd);
	check(ret == -EINVAL, "the ROM region: EINVAL (%s)", err(ret));
	/* index << 40: not ABI, but both stacks' region offsets */
	ret = ioeventfd(&d, (uint64_t)VFIO_PCI_BAR1_REGION_INDEX << 40, 4, 0,
			efd);
	check(ret == -EINVAL, "BAR1, which edu does not have: EINVAL (%s)",
	      err(ret));
	ret = ioeventfd(&d, bar0(&d, EDU_LIVENESS), 4, 0, nullfd);
	check(ret == -EINVAL, "a fd that is not an eventfd: EINVAL (%s)",
	      err(ret));
	close(nullfd);
	ret = ioeventfd(&d, bar0(&d, EDU_LIVENESS), 4, 0, nullfd);
	check(ret == -EBADF, "a closed fd: EBADF (%s)", err(ret));
	{
		struct vfio_device_ioeventfd e = {
			.argsz = offsetof(struct vfio_device_ioeventfd, fd),
			.flags = 4, .offset = bar0(&d, EDU_LIVENESS),
			.fd = efd,
		};

		ret = ioctl(d.fd, VFIO_DEVICE_IOEVENTFD, &e) ? -errno : 0;
		check(ret == -EINVAL, "argsz short of fd: EINVAL (%s)",
		      err(ret));
	}

	/* --- at most 1000 per device */
	for (i = 0, n = 0; i < IOEVENTFD_MAX; i++) {
		ret = ioeventfd(&d, bar0(&d, 0x90), 4, i, efd);
		if (ret) {
			check(false, "assignment %d of %d: %s", i + 1,
			      IOEVENTFD_MAX, err(ret));
			break;
		}
		n++;
	}
	check(n == IOEVENTFD_MAX, "%d ioeventfds assigned", n);
	ret = ioeventfd(&d, bar0(&d, 0x90), 4, IOEVENTFD_MAX, efd);
	check(ret == -ENOSPC, "number %d: ENOSPC (%s)", IOEVENTFD_MAX + 1,
	      err(ret));
	ret = ioeventfd(&d, bar0(&d, 0x90), 4, 7, -1);
	check(!ret, "de-assign one of them (%s)", err(ret));
	ret = ioeventfd(&d, bar0(&d, 0x90), 4, IOEVENTFD_MAX, efd);
	check(!ret, "then one more fits (%s)", err(ret));
	/* signal all of them at once; then the close tears them down */
	sig(efd);
	settle();

	/* --- the close releases every ioeventfd: reopen, nothing writes */
	vdev_close(&d);
	d = (struct vdev){ .bdf = bdf };
	vdev_open(&d);
	set_memory(&d, true);
	wr32(&d, EDU_LIVENESS, 0);
	sig(efd);
	settle();
	v = rd32(&d, EDU_LIVENESS);
	check(v == 0xffffffff,
	      "after the device fd was closed, a signal writes nothing (0x%08x)",
	      v);
	ret = ioeventfd(&d, bar0(&d, 0x90), 4, 0, -1);
	check(ret == -ENODEV, "and none is left to de-assign: ENODEV (%s)",
	      err(ret));
	vdev_close(&d);
	close(efd);
	close(efd2);
	return 0;
}

/* ------------------------------------------------------------ d3 */

static uint8_t cfg8(struct vdev *d, unsigned int off)
{
	uint8_t v = 0;

	if (vdev_cfg_read(d, off, &v, 1))
		die("config read at 0x%x", off);
	return v;
}

static uint16_t cfg16(struct vdev *d, unsigned int off)
{
	uint16_t v = 0;

	if (vdev_cfg_read(d, off, &v, 2))
		die("config read at 0x%x", off);
	return v;
}

static uint32_t cfg32(struct vdev *d, unsigned int off)
{
	uint32_t v = 0;

	if (vdev_cfg_read(d, off, &v, 4))
		die("config read at 0x%x", off);
	return v;
}

/* the @n-th capability with ID @id (from 0), 0 if none */
static unsigned int find_cap(struct vdev *d, uint8_t id, unsigned int n)
{
	unsigned int pos, steps;

	if (!(cfg16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = cfg8(d, PCI_CAPABILITY_LIST) & ~3u;
	for (steps = 0; pos && steps < 48; steps++) {
		if (cfg8(d, pos) == id && !n--)
			return pos;
		pos = cfg8(d, pos + 1) & ~3u;
	}
	return 0;
}

static void set_pm_state(struct vdev *d, unsigned int pm, int state)
{
	uint16_t v = cfg16(d, pm + PCI_PM_CTRL);

	v = (v & ~(PCI_PM_CTRL_STATE_MASK | PCI_PM_CTRL_PME_STATUS)) | state;
	if (vdev_cfg_write(d, pm + PCI_PM_CTRL, &v, 2))
		die("PMCSR write");
}

/*
 * A virtio-pci modern function in D3hot: the common configuration's
 * device_feature_select (read/write, kept by QEMU across power states)
 * is the target.  The ioeventfd writes it in D0, not in D3hot, and again
 * once back in D0.
 */
static int cmd_d3(const char *bdf)
{
	struct vdev d = { .bdf = bdf };
	unsigned int pm, vcap = 0, i, bar = 0;
	uint64_t where = 0;
	uint32_t v;
	int efd, ret;

	vdev_open(&d);
	pm = find_cap(&d, PCI_CAP_ID_PM, 0);
	if (!pm)
		die("%s: no PM capability", bdf);
	/* the virtio common configuration (vendor capability, cfg_type 1) */
	for (i = 0; (vcap = find_cap(&d, PCI_CAP_ID_VNDR, i)); i++) {
		if (cfg8(&d, vcap + 3) == 1) {
			bar = cfg8(&d, vcap + 4);
			where = cfg32(&d, vcap + 8);
			break;
		}
	}
	if (!vcap || bar > 5)
		die("%s: no virtio common configuration", bdf);
	where += d.reg[bar].offset;
	printf("# PM at 0x%x, common configuration in BAR%u\n", pm, bar);
	set_memory(&d, true);
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		die("eventfd: %s", strerror(errno));

	v = 0;
	if (pwrite(d.fd, &v, 4, where) != 4)
		die("pwrite: %s", strerror(errno));
	ret = ioeventfd(&d, where, 4, 1, efd);
	check(!ret, "assign 4 bytes at device_feature_select (%s)", err(ret));
	sig(efd);
	settle();
	v = 0xdead;
	check(pread(d.fd, &v, 4, where) == 4 && v == 1,
	      "in D0 a signal writes (reads %u)", v);
	v = 0;
	if (pwrite(d.fd, &v, 4, where) != 4)
		die("pwrite: %s", strerror(errno));

	set_pm_state(&d, pm, 3);
	check((cfg16(&d, pm + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK) == 3,
	      "the function is in D3hot");
	check(pread(d.fd, &v, 4, where) < 0 && errno == EIO,
	      "BAR pread in D3hot fails with EIO");
	sig(efd);
	settle();
	set_pm_state(&d, pm, 0);
	check((cfg16(&d, pm + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK) == 0,
	      "back in D0");
	set_memory(&d, true);
	v = 0xdead;
	check(pread(d.fd, &v, 4, where) == 4 && v == 0,
	      "a signal in D3hot wrote nothing (reads %u)", v);
	sig(efd);
	settle();
	v = 0xdead;
	check(pread(d.fd, &v, 4, where) == 4 && v == 1,
	      "back in D0 a signal writes again (reads %u)", v);
	ret = ioeventfd(&d, where, 4, 1, -1);
	check(!ret, "de-assign (%s)", err(ret));
	vdev_close(&d);
	close(efd);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "edu")) {
		cmd_edu(argv[2]);
	} else if (argc == 3 && !strcmp(argv[1], "d3")) {
		cmd_d3(argv[2]);
	} else {
		fprintf(stderr, "usage: pci-ioeventfd edu|d3 BDF\n");
		return 2;
	}
	printf("1..%d\n# %d failed\n", tap_tests, tap_failures);
	return tap_status(98);
}
