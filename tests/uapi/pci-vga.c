// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci-vga - the VGA region (VFIO_PCI_VGA_REGION_INDEX) of vfio-pci, on
 * QEMU's std VGA (1234:1111, class 0x0300) and, for the refusals, on a
 * non-VGA device (edu).
 *
 *   pci-vga region BDF    BDF is a VGA device bound to vfio-pci with the
 *                         VGA region on (disable_vga=0): device info, the
 *                         region's info (0xc0000 bytes, read|write, no
 *                         mmap), VGA registers and VGA memory written and
 *                         read back through it, accesses cut at the end of
 *                         their range, and every offset outside the three
 *                         legacy ranges refused with EINVAL
 *   pci-vga none BDF      BDF has no VGA region (a non-VGA device, or a
 *                         VGA device with disable_vga=1): its region info
 *                         and any read or write at its offsets fail with
 *                         EINVAL
 *   pci-vga arbiter BDF   print the VGA arbiter's line for BDF
 *                         (/dev/vga_arbiter, "target PCI:BDF"), for the
 *                         bats file to check decodes, owner and locks
 *
 * Registers used (QEMU's VGA emulates them as real VGA does): the misc
 * output register (written at 0x3c2, read at 0x3cc; bit 0 moves the CRTC
 * between 0x3b4/0x3b5 and 0x3d4/0x3d5), the CRTC index register, the
 * graphics controller's index/data pair 0x3ce/0x3cf and the sequencer's
 * 0x3c4/0x3c5 (chain-4 for a linear view of VGA memory).  Every register
 * changed is put back.  Output is TAP-like; the exit status is the number
 * of failed checks (capped), 0 when everything passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "pci-util.h"
#include "tap-util.h"

#define VGA_SIZE	0xc0000ULL

/* ports */
#define MISC_W		0x3c2
#define MISC_R		0x3cc
#define SEQ_I		0x3c4
#define SEQ_D		0x3c5
#define GC_I		0x3ce
#define GC_D		0x3cf
#define CRTC_MONO_I	0x3b4
#define CRTC_COLOR_I	0x3d4

static struct vdev dev;
static uint64_t vga_off;	/* the VGA region's offset in the device fd */

/* one access of @len bytes at legacy address @addr: bytes moved or -errno */
static ssize_t vga_read(uint64_t addr, void *buf, size_t len)
{
	ssize_t n = pread(dev.fd, buf, len, vga_off + addr);

	return n < 0 ? -errno : n;
}

static ssize_t vga_write(uint64_t addr, const void *buf, size_t len)
{
	ssize_t n = pwrite(dev.fd, buf, len, vga_off + addr);

	return n < 0 ? -errno : n;
}

static uint8_t inb(uint16_t port)
{
	uint8_t v = 0;

	if (vga_read(port, &v, 1) != 1)
		die("read of port 0x%x through the VGA region", port);
	return v;
}

static void outb(uint16_t port, uint8_t v)
{
	if (vga_write(port, &v, 1) != 1)
		die("write of port 0x%x through the VGA region", port);
}

static uint8_t idx_read(uint16_t port, uint8_t idx)
{
	outb(port, idx);
	return inb(port + 1);
}

static void idx_write(uint16_t port, uint8_t idx, uint8_t v)
{
	outb(port, idx);
	outb(port + 1, v);
}

/* ------------------------------------------------------------ region */

static void check_info(void)
{
	struct vfio_device_info di = { .argsz = sizeof(di) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct vfio_region_info *vga = &dev.reg[VFIO_PCI_VGA_REGION_INDEX];
	struct vfio_region_info *cfg = &dev.reg[VFIO_PCI_CONFIG_REGION_INDEX];
	void *p;

	check(ioctl(dev.fd, VFIO_DEVICE_GET_INFO, &di) == 0,
	      "DEVICE_GET_INFO succeeds");
	check(di.flags & VFIO_DEVICE_FLAGS_PCI, "device flags 0x%x have PCI",
	      di.flags);
	check(di.num_regions == VFIO_PCI_NUM_REGIONS,
	      "device info: %u regions (the VGA index included)",
	      di.num_regions);

	ri.index = VFIO_PCI_VGA_REGION_INDEX;
	check(ioctl(dev.fd, VFIO_DEVICE_GET_REGION_INFO, &ri) == 0,
	      "REGION_INFO of the VGA index succeeds (%s)", strerror(errno));
	check(vga->size == VGA_SIZE, "VGA region size 0x%llx (want 0xc0000)",
	      (unsigned long long)vga->size);
	check(vga->flags ==
	      (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE),
	      "VGA region flags 0x%x: READ|WRITE, no MMAP, no caps",
	      vga->flags);
	check(vga->offset > cfg->offset,
	      "VGA region offset 0x%llx above the CONFIG region's 0x%llx",
	      (unsigned long long)vga->offset,
	      (unsigned long long)cfg->offset);
	vga_off = vga->offset;

	p = mmap(NULL, 0x20000, PROT_READ, MAP_SHARED, dev.fd,
		 vga_off + 0xa0000);
	check(p == MAP_FAILED && errno == EINVAL,
	      "mmap of the VGA memory window fails with EINVAL (%s)",
	      p == MAP_FAILED ? strerror(errno) : "mapped");
	if (p != MAP_FAILED)
		munmap(p, 0x20000);
}

/* misc output, CRTC index (mono and color), GC index/data, 16-bit pair */
static void check_registers(void)
{
	uint8_t misc, gr0, mono, color, ff;
	uint16_t w;

	misc = inb(MISC_R);
	gr0 = idx_read(GC_I, 0);

	/* mono: the CRTC answers at 0x3b4, not at 0x3d4 */
	mono = (misc & ~0x11) | 0x20;	/* bit 4 is not stored */
	outb(MISC_W, mono);
	check(inb(MISC_R) == mono,
	      "misc output written at 0x3c2 reads back 0x%02x at 0x3cc",
	      mono);
	outb(CRTC_MONO_I, 0x0e);
	check(inb(CRTC_MONO_I) == 0x0e,
	      "mono: CRTC index 0x0e written at 0x3b4 reads back (0x3b0-0x3bb)");
	ff = inb(CRTC_COLOR_I);
	check(ff == 0xff, "mono: 0x3d4 does not decode (0x%02x)", ff);

	/* color: and the other way round */
	color = (misc & ~0x31) | 0x01;
	outb(MISC_W, color);
	check(inb(MISC_R) == color,
	      "misc output written at 0x3c2 reads back 0x%02x at 0x3cc",
	      color);
	outb(CRTC_COLOR_I, 0x0f);
	check(inb(CRTC_COLOR_I) == 0x0f,
	      "color: CRTC index 0x0f written at 0x3d4 reads back (0x3c0-0x3df)");
	ff = inb(CRTC_MONO_I);
	check(ff == 0xff, "color: 0x3b4 does not decode (0x%02x)", ff);

	/* a 16-bit write to 0x3ce sets index and data (GR0, set/reset) */
	w = 0x0500;
	check(vga_write(GC_I, &w, 2) == 2, "16-bit write at 0x3ce");
	check(idx_read(GC_I, 0) == 0x05,
	      "GR0 = 0x05 after the 16-bit index/data write");
	w = 0;
	check(vga_read(GC_I, &w, 2) == 2 && w == 0x0500,
	      "16-bit read at 0x3ce: index 0, data 0x05 (0x%04x)", w);

	idx_write(GC_I, 0, gr0);
	outb(MISC_W, misc & ~0x10);
	check(inb(MISC_R) == (misc & ~0x10), "misc output restored (0x%02x)",
	      misc & ~0x10);
}

/* VGA memory in chain-4 mode: what is written reads back, any size */
static void check_memory(void)
{
	uint8_t sr2, sr4, gr5, gr6;
	size_t len = 8192 + 3, i;
	uint8_t *a = malloc(len), *b = malloc(len);
	uint32_t v32;
	uint8_t v8;

	if (!a || !b)
		die("malloc");
	sr2 = idx_read(SEQ_I, 2);
	sr4 = idx_read(SEQ_I, 4);
	gr5 = idx_read(GC_I, 5);
	gr6 = idx_read(GC_I, 6);

	/* all planes, chain-4, read mode 0, window 0xa0000 (128 KiB) */
	idx_write(SEQ_I, 2, 0x0f);
	idx_write(SEQ_I, 4, sr4 | 0x08);
	idx_write(GC_I, 5, gr5 & ~0x18);
	idx_write(GC_I, 6, gr6 & ~0x0c);

	/* one 32-bit access, then one byte inside it */
	v32 = 0x5aa5c33c;
	check(vga_write(0xa0100, &v32, 4) == 4, "32-bit write at 0xa0100");
	v32 = 0;
	check(vga_read(0xa0100, &v32, 4) == 4 && v32 == 0x5aa5c33c,
	      "32-bit read at 0xa0100 returns it (0x%08x)", v32);
	v8 = 0x77;
	check(vga_write(0xa0101, &v8, 1) == 1, "8-bit write at 0xa0101");
	v32 = 0;
	check(vga_read(0xa0100, &v32, 4) == 4 && v32 == 0x5aa5773c,
	      "32-bit read sees the byte (0x%08x)", v32);

	/* more than a page, misaligned at both ends */
	for (i = 0; i < len; i++)
		a[i] = (uint8_t)(i * 7 + 1);
	check(vga_write(0xa0201, a, len) == (ssize_t)len,
	      "%zu-byte write at 0xa0201", len);
	memset(b, 0, len);
	check(vga_read(0xa0201, b, len) == (ssize_t)len,
	      "%zu-byte read at 0xa0201", len);
	for (i = 0; i < len && a[i] == b[i]; i++)
		;
	check(i == len, "the %zu bytes read back as written (first difference at %zu)",
	      len, i);

	idx_write(GC_I, 6, gr6);
	idx_write(GC_I, 5, gr5);
	idx_write(SEQ_I, 4, sr4);
	idx_write(SEQ_I, 2, sr2);
	free(a);
	free(b);
}

/* a transfer stops at the end of the range it starts in */
static void check_clipping(void)
{
	uint8_t buf[0x100];

	check(vga_read(0x3b8, buf, 16) == 4,
	      "16 bytes read at 0x3b8: 4 (the range ends at 0x3bb)");
	check(vga_read(0x3d0, buf, 64) == 16,
	      "64 bytes read at 0x3d0: 16 (the range ends at 0x3df)");
	check(vga_read(0xbff80, buf, 0x100) == 0x80,
	      "0x100 bytes read at 0xbff80: 0x80 (the window ends at 0xbffff)");
	check(vga_read(0x3c0, buf, 0x100) == 0x20,
	      "0x100 bytes read at 0x3c0: 0x20");
}

/* outside the legacy ranges: EINVAL, for reads and writes */
static const uint64_t bad_offsets[] = {
	0x0, 0x3af, 0x3bc, 0x3bf, 0x3e0, 0x400, 0x9ffff, 0xc0000, 0xfffff,
	1ULL << 39,
};

static void check_bad_offsets(bool region)
{
	const char *what = region ? "outside the legacy ranges" : "no VGA region";
	uint8_t v = 0;
	size_t i;

	for (i = 0; i < sizeof(bad_offsets) / sizeof(bad_offsets[0]); i++) {
		uint64_t o = bad_offsets[i];
		ssize_t n;
		char msg[128];

		n = vga_read(o, &v, 1);
		snprintf(msg, sizeof(msg), "read of VGA offset 0x%llx (%s)",
			 (unsigned long long)o, what);
		check_errno(n < 0 ? -1 : n, n < 0 ? (int)-n : 0, EINVAL, msg);
		n = vga_write(o, &v, 1);
		snprintf(msg, sizeof(msg), "write of VGA offset 0x%llx (%s)",
			 (unsigned long long)o, what);
		check_errno(n < 0 ? -1 : n, n < 0 ? (int)-n : 0, EINVAL, msg);
	}
}

static void check_none(void)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	static const uint64_t good[] = { 0x3c0, 0x3cc, 0x3b4, 0xa0000 };
	uint8_t v = 0;
	size_t i;
	int ret;

	ri.index = VFIO_PCI_VGA_REGION_INDEX;
	ret = ioctl(dev.fd, VFIO_DEVICE_GET_REGION_INFO, &ri);
	check_errno(ret, errno, EINVAL, "REGION_INFO of the VGA index");
	/* where the VGA region would be */
	vga_off = (uint64_t)VFIO_PCI_VGA_REGION_INDEX << 40;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ssize_t n = vga_read(good[i], &v, 1);
		char msg[96];

		snprintf(msg, sizeof(msg), "read of VGA offset 0x%llx",
			 (unsigned long long)good[i]);
		check_errno(n < 0 ? -1 : n, n < 0 ? (int)-n : 0, EINVAL, msg);
		n = vga_write(good[i], &v, 1);
		snprintf(msg, sizeof(msg), "write of VGA offset 0x%llx",
			 (unsigned long long)good[i]);
		check_errno(n < 0 ? -1 : n, n < 0 ? (int)-n : 0, EINVAL, msg);
	}
	check_bad_offsets(false);
}

static int arbiter(const char *bdf)
{
	char cmd[64], buf[512];
	ssize_t n;
	int fd = open("/dev/vga_arbiter", O_RDWR);

	if (fd < 0)
		die("open /dev/vga_arbiter");
	snprintf(cmd, sizeof(cmd), "target PCI:%s", bdf);
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		die("write '%s' to /dev/vga_arbiter", cmd);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		die("read /dev/vga_arbiter");
	buf[n] = 0;
	fputs(buf, stdout);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: pci-vga region|none|arbiter BDF\n");
		return 2;
	}
	if (!strcmp(argv[1], "arbiter"))
		return arbiter(argv[2]);

	dev.bdf = argv[2];
	vdev_open(&dev);
	if (!strcmp(argv[1], "region")) {
		check_info();
		check_registers();
		check_memory();
		check_clipping();
		check_bad_offsets(true);
	} else if (!strcmp(argv[1], "none")) {
		check_none();
	} else {
		fprintf(stderr, "pci-vga: unknown command %s\n", argv[1]);
		return 2;
	}
	vdev_close(&dev);
	return tap_status(100);
}
