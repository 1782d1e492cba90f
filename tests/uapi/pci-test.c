// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci-test - the vfio-pci userspace ABI, exercised on QEMU's edu device.
 *
 *   pci-test info   BDF [OTHER_BDF]  device/region/irq info, BAR0 registers
 *                                    (mmap and pread), config-space
 *                                    virtualization, SET_IRQS errnos, DMA,
 *                                    RESET and hot reset (OTHER_BDF: a device
 *                                    of another group, for the wrong-group
 *                                    hot-reset case)
 *   pci-test irq    BDF              MSI and INTx delivered to eventfds,
 *                                    mask/unmask, loopback triggers
 *   pci-test quiet  BDF              (ours) INTx stays disabled in hardware
 *                                    without a handler, even when pending
 *   pci-test unbind BDF              unbind while held: REQ fires, the
 *                                    unbind finishes once the fd is closed
 *   pci-test pair   BDF BDF [OTHER]  two devices of one group: both fds,
 *                                    hot-reset info lists both, hot reset;
 *                                    the group fds HOT_RESET accepts (a
 *                                    duplicate, count bounds, non-group
 *                                    fds, OTHER's group without container)
 *
 * Every device must already be bound to vfio-pci.  Expected values come
 * from sysfs (IDs, resources, reset methods, config size) or from the edu
 * specification (QEMU docs/specs/edu.rst), never from the stack under test.
 * Output is TAP-like; the exit status is the number of failed checks
 * (capped), 0 when everything passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "pci-util.h"
#include "tap-util.h"

/* edu registers (QEMU docs/specs/edu.rst); the ID is in pci-util.h */
#define EDU_LIVENESS	0x04
#define EDU_FACTORIAL	0x08
#define EDU_STATUS	0x20
#define  EDU_STATUS_COMPUTING	0x01
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define  EDU_DMA_START		0x01
#define  EDU_DMA_TO_RAM		0x02
#define EDU_DMA_BUF	0x40000

/* ------------------------------------------------------------ sysfs */

static unsigned long sysfs_ulong(const char *bdf, const char *attr)
{
	char buf[64];

	if (sysfs_read_raw(bdf, attr, buf, sizeof(buf)) < 0)
		die("cannot read %s/%s", bdf, attr);
	return strtoul(buf, NULL, 0);
}

static off_t sysfs_config_size(const char *bdf)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	if (stat(path, &st))
		die("stat %s", path);
	return st.st_size;
}

struct sysfs_res {
	unsigned long long start, end, flags;
};

/* line @i of the sysfs "resource" file: BAR0-5, then ROM */
static void sysfs_resource(const char *bdf, int i, struct sysfs_res *r)
{
	char buf[4096], *line;
	int n;

	if (sysfs_read_raw(bdf, "resource", buf, sizeof(buf)) < 0)
		die("cannot read %s/resource", bdf);
	line = buf;
	for (n = 0; n < i && line; n++) {
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (!line || sscanf(line, "%llx %llx %llx", &r->start, &r->end,
			    &r->flags) != 3)
		die("cannot parse resource line %d of %s", i, bdf);
}

static unsigned long long res_len(const struct sysfs_res *r)
{
	return r->start || r->end ? r->end - r->start + 1 : 0;
}

/* number of devices on the bus of @bdf */
static int devices_on_bus(const char *bdf)
{
	char pattern[256];
	glob_t g;
	int n;

	/* "0000:02:01.0" -> "0000:02:*" */
	snprintf(pattern, sizeof(pattern), "/sys/bus/pci/devices/%.*s:*", 7,
		 bdf);
	if (glob(pattern, 0, NULL, &g))
		return -1;
	n = (int)g.gl_pathc;
	globfree(&g);
	return n;
}

/*
 * Can @bdf be reset?  sysfs reset_method lists what the PCI core probed
 * at enumeration; "bus" was probed before the device's siblings appeared,
 * and a secondary bus reset of a single function needs it alone on its bus.
 */
static bool sysfs_has_reset(const char *bdf)
{
	char buf[256], *tok, *save;

	if (sysfs_read_raw(bdf, "reset_method", buf, sizeof(buf)) < 0)
		return false;
	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save)) {
		if (strcmp(tok, "bus") || devices_on_bus(bdf) == 1)
			return true;
	}
	return false;
}

/* the stock stack of Linux 6.1, whose behaviour differs in places */
static bool stock_6_1(void)
{
	const char *stack = getenv("VFIOCTL_STACK");
	struct utsname u;

	if (!stack || strcmp(stack, "stock") || uname(&u))
		return false;
	return !strncmp(u.release, "6.1.", 4);
}

/* ------------------------------------------------------------ VFIO setup */

struct edu_dev {
	const char *bdf;
	int container, group, fd;
	int groupnum;
	struct vfio_region_info reg[VFIO_PCI_NUM_REGIONS];
	volatile uint32_t *bar0;	/* mmap of BAR0, or NULL */
};

/*
 * This program's device (struct edu_dev: group number, BAR0 mapping) and
 * setup are kept local rather than vdev_open() of pci-util.h: its own
 * bail-out messages, a container set up separately from the device fd.
 */
static int open_group(int groupnum)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", groupnum);
	return open(path, O_RDWR);
}

static void setup_container(struct edu_dev *d)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };

	d->container = open("/dev/vfio/vfio", O_RDWR);
	if (d->container < 0)
		die("open /dev/vfio/vfio");
	d->groupnum = sysfs_group(d->bdf);
	d->group = open_group(d->groupnum);
	if (d->group < 0)
		die("open /dev/vfio/%d", d->groupnum);
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &st))
		die("GROUP_GET_STATUS");
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group %d is not viable", d->groupnum);
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		die("GROUP_SET_CONTAINER");
	if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("SET_IOMMU TYPE1v2");
}

static void open_device(struct edu_dev *d)
{
	unsigned int i;

	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->bdf);
	if (d->fd < 0)
		die("GET_DEVICE_FD %s", d->bdf);
	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		d->reg[i].argsz = sizeof(d->reg[i]);
		d->reg[i].index = i;
		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &d->reg[i]))
			memset(&d->reg[i], 0, sizeof(d->reg[i]));
	}
	d->bar0 = NULL;
	if (d->reg[0].flags & VFIO_REGION_INFO_FLAG_MMAP) {
		void *p = mmap(NULL, d->reg[0].size, PROT_READ | PROT_WRITE,
			       MAP_SHARED, d->fd, d->reg[0].offset);

		if (p != MAP_FAILED)
			d->bar0 = p;
	}
}

static void close_device(struct edu_dev *d)
{
	if (d->bar0)
		munmap((void *)d->bar0, d->reg[0].size);
	d->bar0 = NULL;
	close(d->fd);
	d->fd = -1;
}

/* ------------------------------------------------------------ accessors */

static int cfg_read(struct edu_dev *d, unsigned int off, void *buf, size_t len)
{
	ssize_t n = pread(d->fd, buf, len,
			  d->reg[VFIO_PCI_CONFIG_REGION_INDEX].offset + off);

	return n == (ssize_t)len ? 0 : (n < 0 ? -errno : -EIO);
}

static int cfg_write(struct edu_dev *d, unsigned int off, const void *buf,
		     size_t len)
{
	ssize_t n = pwrite(d->fd, buf, len,
			   d->reg[VFIO_PCI_CONFIG_REGION_INDEX].offset + off);

	return n == (ssize_t)len ? 0 : (n < 0 ? -errno : -EIO);
}

static uint32_t cfg32(struct edu_dev *d, unsigned int off)
{
	uint32_t v = 0xdeadbeef;

	if (cfg_read(d, off, &v, 4))
		check(false, "config read of 4 bytes at 0x%x", off);
	return v;
}

static uint16_t cfg16(struct edu_dev *d, unsigned int off)
{
	uint16_t v = 0xdead;

	if (cfg_read(d, off, &v, 2))
		check(false, "config read of 2 bytes at 0x%x", off);
	return v;
}

static uint8_t cfg8(struct edu_dev *d, unsigned int off)
{
	uint8_t v = 0xde;

	if (cfg_read(d, off, &v, 1))
		check(false, "config read of 1 byte at 0x%x", off);
	return v;
}

static int bar_pread32(struct edu_dev *d, unsigned int off, uint32_t *v)
{
	ssize_t n = pread(d->fd, v, 4, d->reg[0].offset + off);

	return n == 4 ? 0 : (n < 0 ? -errno : -EIO);
}

static int bar_pwrite32(struct edu_dev *d, unsigned int off, uint32_t v)
{
	ssize_t n = pwrite(d->fd, &v, 4, d->reg[0].offset + off);

	return n == 4 ? 0 : (n < 0 ? -errno : -EIO);
}

/* BAR0 register access, through mmap when there is one */
static uint32_t edu_rd(struct edu_dev *d, unsigned int off)
{
	uint32_t v = 0xffffffff;

	if (d->bar0)
		return d->bar0[off / 4];
	if (bar_pread32(d, off, &v))
		check(false, "BAR0 pread at 0x%x", off);
	return v;
}

static void edu_wr(struct edu_dev *d, unsigned int off, uint32_t v)
{
	if (d->bar0)
		d->bar0[off / 4] = v;
	else if (bar_pwrite32(d, off, v))
		check(false, "BAR0 pwrite at 0x%x", off);
}

static unsigned int find_cap(struct edu_dev *d, uint8_t id)
{
	unsigned int pos, n;

	if (!(cfg16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = cfg8(d, PCI_CAPABILITY_LIST) & ~3u;
	for (n = 0; pos && n < 48; n++) {
		if (cfg8(d, pos + PCI_CAP_LIST_ID) == id)
			return pos;
		pos = cfg8(d, pos + PCI_CAP_LIST_NEXT) & ~3u;
	}
	return 0;
}

/* the capability as the hardware has it (sysfs), independent of VFIO */
static unsigned int sysfs_find_cap(const char *bdf, uint8_t id)
{
	uint8_t cfg[256];
	unsigned int pos, n;

	if (sysfs_config_read(bdf, cfg, sizeof(cfg), 0))
		die("read %s config", bdf);
	if (!(cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		return 0;
	pos = cfg[PCI_CAPABILITY_LIST] & ~3u;
	for (n = 0; pos && n < 48; n++) {
		if (cfg[pos] == id)
			return pos;
		pos = cfg[pos + 1] & ~3u;
	}
	return 0;
}

/* ------------------------------------------------------------ IRQ helpers */

static int set_irqs(struct edu_dev *d, uint32_t flags, uint32_t index,
		    uint32_t start, uint32_t count, const void *data,
		    size_t datalen)
{
	struct vfio_irq_set *s;
	size_t sz = sizeof(*s) + datalen;
	int ret;

	s = calloc(1, sz);
	if (!s)
		die("calloc");
	s->argsz = sz;
	s->flags = flags;
	s->index = index;
	s->start = start;
	s->count = count;
	if (datalen)
		memcpy(s->data, data, datalen);
	ret = ioctl(d->fd, VFIO_DEVICE_SET_IRQS, s);
	free(s);
	return ret;
}

static int set_eventfd(struct edu_dev *d, uint32_t index, int efd)
{
	return set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD |
			VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, 1,
			&efd, sizeof(efd));
}

static int disable_index(struct edu_dev *d, uint32_t index)
{
	return set_irqs(d, VFIO_IRQ_SET_DATA_NONE |
			VFIO_IRQ_SET_ACTION_TRIGGER, index, 0, 0, NULL, 0);
}

/* wait up to @ms for @efd; returns the counter read, 0 on timeout */
static uint64_t wait_event(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v = 0;

	if (poll(&p, 1, ms) != 1)
		return 0;
	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

/* ------------------------------------------------------------ info */

static void test_device_info(struct edu_dev *d)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	bool reset = sysfs_has_reset(d->bdf);

	CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_GET_INFO, &info), 0,
		    "DEVICE_GET_INFO");
	check(info.flags & VFIO_DEVICE_FLAGS_PCI, "device info: PCI flag");
	check(!!(info.flags & VFIO_DEVICE_FLAGS_RESET) == reset,
	      "device info: RESET flag %s, as sysfs reset_method says",
	      reset ? "set" : "clear");
	check(info.num_regions == VFIO_PCI_NUM_REGIONS,
	      "device info: %u regions", info.num_regions);
	check(info.num_irqs == VFIO_PCI_NUM_IRQS, "device info: %u irqs",
	      info.num_irqs);

	info.argsz = offsetof(struct vfio_device_info, num_irqs);
	CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_GET_INFO, &info), EINVAL,
		    "DEVICE_GET_INFO with argsz short of num_irqs");
}

static void test_region_info(struct edu_dev *d)
{
	struct vfio_region_info ri;
	struct sysfs_res r;
	unsigned int i;

	for (i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX;
	     i++) {
		uint32_t want = 0;

		sysfs_resource(d->bdf, i, &r);
		if (res_len(&r))
			want = VFIO_REGION_INFO_FLAG_READ |
			       VFIO_REGION_INFO_FLAG_WRITE;
		/* page-aligned memory BARs can be mapped */
		if (res_len(&r) && (r.flags & 0x200) &&
		    !(r.start & (getpagesize() - 1)) &&
		    res_len(&r) >= (unsigned long long)getpagesize())
			want |= VFIO_REGION_INFO_FLAG_MMAP;
		check(d->reg[i].size == res_len(&r),
		      "BAR%u region size 0x%llx as sysfs", i,
		      (unsigned long long)d->reg[i].size);
		check(d->reg[i].flags == want,
		      "BAR%u region flags 0x%x (want 0x%x)", i,
		      d->reg[i].flags, want);
	}

	/* edu has no ROM BAR: the ROM region is empty and has no flags */
	sysfs_resource(d->bdf, 6, &r);
	if (!res_len(&r))
		check(d->reg[VFIO_PCI_ROM_REGION_INDEX].size == 0 &&
		      d->reg[VFIO_PCI_ROM_REGION_INDEX].flags == 0,
		      "ROM region empty (size 0x%llx flags 0x%x)",
		      (unsigned long long)d->reg[VFIO_PCI_ROM_REGION_INDEX].size,
		      d->reg[VFIO_PCI_ROM_REGION_INDEX].flags);
	else
		check(d->reg[VFIO_PCI_ROM_REGION_INDEX].flags ==
		      VFIO_REGION_INFO_FLAG_READ,
		      "ROM region read-only");

	check(d->reg[VFIO_PCI_CONFIG_REGION_INDEX].size ==
	      (uint64_t)sysfs_config_size(d->bdf),
	      "CONFIG region size %llu as sysfs config",
	      (unsigned long long)d->reg[VFIO_PCI_CONFIG_REGION_INDEX].size);
	check(d->reg[VFIO_PCI_CONFIG_REGION_INDEX].flags ==
	      (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE),
	      "CONFIG region flags READ|WRITE");

	/* offsets are distinct and ordered, whatever their encoding */
	for (i = 1; i < VFIO_PCI_VGA_REGION_INDEX; i++)
		check(d->reg[i].offset > d->reg[i - 1].offset,
		      "region %u offset 0x%llx above region %u", i,
		      (unsigned long long)d->reg[i].offset, i - 1);

	/* edu is no VGA device: no VGA region */
	memset(&ri, 0, sizeof(ri));
	ri.argsz = sizeof(ri);
	ri.index = VFIO_PCI_VGA_REGION_INDEX;
	CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri), EINVAL,
		    "REGION_INFO of VGA on a non-VGA device");
	ri.index = VFIO_PCI_NUM_REGIONS;
	CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri), EINVAL,
		    "REGION_INFO of index %u (no device-specific regions)",
		    VFIO_PCI_NUM_REGIONS);
	ri.index = 0;
	ri.argsz = offsetof(struct vfio_region_info, offset);
	CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri), EINVAL,
		    "REGION_INFO with argsz short of offset");
}

static void test_irq_info(struct edu_dev *d)
{
	struct vfio_irq_info ii;
	unsigned int msi = sysfs_find_cap(d->bdf, PCI_CAP_ID_MSI);
	unsigned int msix = sysfs_find_cap(d->bdf, PCI_CAP_ID_MSIX);
	bool pcie = sysfs_find_cap(d->bdf, PCI_CAP_ID_EXP) != 0;
	uint8_t pin = 0;
	uint16_t flags;
	uint32_t want_msi = 0, want_msix = 0;
	unsigned int i;

	sysfs_config_read(d->bdf, &pin, 1, PCI_INTERRUPT_PIN);
	if (msi) {
		sysfs_config_read(d->bdf, &flags, 2, msi + PCI_MSI_FLAGS);
		want_msi = 1u << ((flags & PCI_MSI_FLAGS_QMASK) >> 1);
	}
	if (msix) {
		sysfs_config_read(d->bdf, &flags, 2, msix + PCI_MSIX_FLAGS);
		want_msix = (flags & PCI_MSIX_FLAGS_QSIZE) + 1;
	}

	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		memset(&ii, 0, sizeof(ii));
		ii.argsz = sizeof(ii);
		ii.index = i;
		if (i == VFIO_PCI_ERR_IRQ_INDEX && !pcie) {
			CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii),
				    EINVAL, "IRQ_INFO ERR on a conventional PCI device");
			continue;
		}
		CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii), 0,
			    "IRQ_INFO index %u", i);
		switch (i) {
		case VFIO_PCI_INTX_IRQ_INDEX:
			check(ii.flags == (VFIO_IRQ_INFO_EVENTFD |
					   VFIO_IRQ_INFO_MASKABLE |
					   VFIO_IRQ_INFO_AUTOMASKED) &&
			      ii.count == (pin ? 1u : 0u),
			      "INTx: EVENTFD|MASKABLE|AUTOMASKED, count %u (pin %u)",
			      ii.count, pin);
			break;
		case VFIO_PCI_MSI_IRQ_INDEX:
			check(ii.flags == (VFIO_IRQ_INFO_EVENTFD |
					   VFIO_IRQ_INFO_NORESIZE) &&
			      ii.count == want_msi,
			      "MSI: EVENTFD|NORESIZE (0x%x), count %u (want %u)",
			      ii.flags, ii.count, want_msi);
			break;
		case VFIO_PCI_MSIX_IRQ_INDEX:
			check(ii.flags == (VFIO_IRQ_INFO_EVENTFD |
					   VFIO_IRQ_INFO_NORESIZE) &&
			      ii.count == want_msix,
			      "MSI-X: EVENTFD|NORESIZE (0x%x), count %u (want %u)",
			      ii.flags, ii.count, want_msix);
			break;
		case VFIO_PCI_ERR_IRQ_INDEX:
			check(ii.flags == (VFIO_IRQ_INFO_EVENTFD |
					   VFIO_IRQ_INFO_NORESIZE) &&
			      ii.count == 1,
			      "ERR: EVENTFD|NORESIZE, count 1 (0x%x, %u)", ii.flags,
			      ii.count);
			break;
		case VFIO_PCI_REQ_IRQ_INDEX:
			check(ii.flags == (VFIO_IRQ_INFO_EVENTFD |
					   VFIO_IRQ_INFO_NORESIZE) &&
			      ii.count == 1,
			      "REQ: EVENTFD|NORESIZE, count 1 (0x%x, %u)", ii.flags,
			      ii.count);
			break;
		}
	}
	memset(&ii, 0, sizeof(ii));
	ii.argsz = sizeof(ii);
	ii.index = VFIO_PCI_NUM_IRQS;
	CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii), EINVAL,
		    "IRQ_INFO index %u", VFIO_PCI_NUM_IRQS);
	ii.index = 0;
	ii.argsz = offsetof(struct vfio_irq_info, count);
	CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &ii), EINVAL,
		    "IRQ_INFO with argsz short of count");
}

static void test_set_irqs_errors(struct edu_dev *d)
{
	struct vfio_irq_set hdr;
	int efd = eventfd(0, EFD_CLOEXEC);
	int fds[2] = { efd, efd };
	bool pcie = sysfs_find_cap(d->bdf, PCI_CAP_ID_EXP) != 0;

	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_NUM_IRQS,
			     0, 0, NULL, 0), EINVAL, "SET_IRQS bad index");
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_INTX_IRQ_INDEX, 1, 1, &efd, 4), EINVAL,
		    "SET_IRQS INTx start 1 beyond count 1");
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_INTX_IRQ_INDEX, 0, 2, fds, 8), EINVAL,
		    "SET_IRQS INTx count 2 beyond count 1");
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0), EINVAL,
		    "SET_IRQS eventfd without data");
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_BOOL |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0), EINVAL,
		    "SET_IRQS bool without data");
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_DATA_BOOL |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, fds, 4), EINVAL,
		    "SET_IRQS two data types");
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_NONE | (1u << 9),
			     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0), EINVAL,
		    "SET_IRQS unknown flag");
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_MASK |
			     VFIO_IRQ_SET_ACTION_UNMASK,
			     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0), ENOTTY,
		    "SET_IRQS two actions");
	/* MSI has no mask action */
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_MASK,
			     VFIO_PCI_MSI_IRQ_INDEX, 0, 1, NULL, 0), ENOTTY,
		    "SET_IRQS MSI mask");
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_MASK,
			     VFIO_PCI_REQ_IRQ_INDEX, 0, 1, NULL, 0), ENOTTY,
		    "SET_IRQS REQ mask");
	/* edu has no MSI-X: every MSI-X request is out of range */
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_MSIX_IRQ_INDEX, 0, 0, NULL, 0), EINVAL,
		    "SET_IRQS MSI-X on a device without MSI-X");
	if (!pcie)
		CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD |
				     VFIO_IRQ_SET_ACTION_TRIGGER,
				     VFIO_PCI_ERR_IRQ_INDEX, 0, 1, &efd, 4),
			    EINVAL, "SET_IRQS ERR on a conventional PCI device");

	/*
	 * Negative fds other than -1: stock 6.1 silently ignores them for
	 * REQ/ERR, later kernels (and ours, on every kernel) refuse them.
	 */
	fds[0] = -2;
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_REQ_IRQ_INDEX, 0, 1, fds, 4),
		    stock_6_1() ? 0 : EINVAL, "SET_IRQS REQ with eventfd -2");
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, fds, 4), 0,
		    "SET_IRQS INTx with eventfd -2 (enables INTx, no trigger)");
	CHECK_ERRNO(disable_index(d, VFIO_PCI_INTX_IRQ_INDEX), 0,
		    "SET_IRQS INTx disable after that");
	fds[0] = open("/dev/null", O_RDONLY);
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_REQ_IRQ_INDEX, 0, 1, fds, 4), EINVAL,
		    "SET_IRQS REQ with a non-eventfd fd");
	close(fds[0]);

	/* short argsz: the header itself */
	memset(&hdr, 0, sizeof(hdr));
	hdr.argsz = offsetof(struct vfio_irq_set, count);
	hdr.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
	CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &hdr), EINVAL,
		    "SET_IRQS argsz short of count");
	/* short argsz: the data */
	hdr.argsz = sizeof(hdr) + 3;
	hdr.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	hdr.index = VFIO_PCI_INTX_IRQ_INDEX;
	hdr.count = 1;
	CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &hdr), EINVAL,
		    "SET_IRQS argsz short of the eventfd array");
	/* disabling or unmasking what is not enabled is refused */
	CHECK_ERRNO(disable_index(d, VFIO_PCI_INTX_IRQ_INDEX), EINVAL,
		    "SET_IRQS INTx disable while disabled");
	CHECK_ERRNO(disable_index(d, VFIO_PCI_MSI_IRQ_INDEX), EINVAL,
		    "SET_IRQS MSI disable while disabled");
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_UNMASK,
			     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0), EINVAL,
		    "SET_IRQS INTx unmask while disabled");
	CHECK_ERRNO(disable_index(d, VFIO_PCI_REQ_IRQ_INDEX), EINVAL,
		    "SET_IRQS REQ disable while no eventfd is set");
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_REQ_IRQ_INDEX, 0, 1, NULL, 0), EINVAL,
		    "SET_IRQS REQ loopback while no eventfd is set");
	CHECK_ERRNO(set_eventfd(d, VFIO_PCI_REQ_IRQ_INDEX, efd), 0,
		    "SET_IRQS REQ eventfd");
	CHECK_ERRNO(disable_index(d, VFIO_PCI_REQ_IRQ_INDEX), 0,
		    "SET_IRQS REQ disable");
	close(efd);
}

/* ------------------------------------------------------------ BAR0 */

static void test_bar0(struct edu_dev *d)
{
	uint32_t v = 0;
	unsigned int i;

	check(d->bar0 != NULL, "mmap of BAR0 (%llu bytes)",
	      (unsigned long long)d->reg[0].size);
	if (d->bar0)
		check(d->bar0[EDU_ID / 4] == EDU_ID_VALUE,
		      "edu ID register via mmap: 0x%08x", d->bar0[0]);
	CHECK_ERRNO(bar_pread32(d, EDU_ID, &v), 0, "pread of BAR0 ID");
	check(v == EDU_ID_VALUE, "edu ID register via pread: 0x%08x", v);

	/* liveness: the register returns the complement of what was written */
	CHECK_ERRNO(bar_pwrite32(d, EDU_LIVENESS, 0x12345678), 0,
		    "pwrite of liveness register");
	CHECK_ERRNO(bar_pread32(d, EDU_LIVENESS, &v), 0,
		    "pread of liveness register");
	check(v == ~0x12345678u, "liveness via pread: 0x%08x", v);
	if (d->bar0) {
		d->bar0[EDU_LIVENESS / 4] = 0xa5a50f0f;
		check(d->bar0[EDU_LIVENESS / 4] == ~0xa5a50f0fu,
		      "liveness via mmap: 0x%08x", d->bar0[EDU_LIVENESS / 4]);
		/* pread and mmap see the same device */
		bar_pread32(d, EDU_LIVENESS, &v);
		check(v == ~0xa5a50f0fu, "liveness mmap write seen by pread");
	}

	/* factorial: 10! = 3628800 */
	edu_wr(d, EDU_STATUS, 0);
	edu_wr(d, EDU_FACTORIAL, 10);
	for (i = 0; i < 1000 && (edu_rd(d, EDU_STATUS) & EDU_STATUS_COMPUTING);
	     i++)
		usleep(1000);
	check(!(edu_rd(d, EDU_STATUS) & EDU_STATUS_COMPUTING),
	      "factorial finished (status 0x%x)", edu_rd(d, EDU_STATUS));
	check(edu_rd(d, EDU_FACTORIAL) == 3628800,
	      "factorial of 10: %u", edu_rd(d, EDU_FACTORIAL));

	/* unaligned and oversized accesses beyond the BAR fail */
	CHECK_ERRNO(pread(d->fd, &v, 4, d->reg[0].offset + d->reg[0].size),
		    EINVAL, "pread past the end of BAR0");
	if (!(d->reg[1].flags & VFIO_REGION_INFO_FLAG_READ))
		CHECK_ERRNO(pread(d->fd, &v, 4, d->reg[1].offset), EINVAL,
			    "pread of unimplemented BAR1");
	CHECK_ERRNO(pwrite(d->fd, &v, 4,
			   d->reg[VFIO_PCI_ROM_REGION_INDEX].offset), EINVAL,
		    "pwrite to the ROM region");
}

/* ------------------------------------------------------------ config */

static void test_config(struct edu_dev *d)
{
	uint32_t bar, orig, sized, v32;
	uint16_t ven = cfg16(d, PCI_VENDOR_ID), dev = cfg16(d, PCI_DEVICE_ID);
	uint16_t cmd;
	struct sysfs_res r;
	unsigned int msi, hwmsi;
	uint8_t raw[4];
	uint32_t lw;
	bool bus;

	check(ven == sysfs_ulong(d->bdf, "vendor"),
	      "config vendor 0x%04x equals sysfs", ven);
	check(dev == sysfs_ulong(d->bdf, "device"),
	      "config device 0x%04x equals sysfs", dev);
	check(cfg16(d, PCI_SUBSYSTEM_VENDOR_ID) ==
	      sysfs_ulong(d->bdf, "subsystem_vendor"),
	      "config subsystem vendor equals sysfs");
	check((cfg32(d, PCI_CLASS_REVISION) >> 8) ==
	      sysfs_ulong(d->bdf, "class"), "config class equals sysfs");

	/* BAR0 starts as the real BAR */
	sysfs_resource(d->bdf, 0, &r);
	orig = cfg32(d, PCI_BASE_ADDRESS_0);
	check((orig & PCI_BASE_ADDRESS_MEM_MASK) == (uint32_t)r.start,
	      "BAR0 in config 0x%08x matches the resource 0x%llx", orig,
	      r.start);

	/* sizing: all ones reads back as the size mask plus the flags */
	bar = 0xffffffff;
	CHECK_ERRNO(cfg_write(d, PCI_BASE_ADDRESS_0, &bar, 4), 0,
		    "config write of all ones to BAR0");
	sized = cfg32(d, PCI_BASE_ADDRESS_0);
	check(sized == ((uint32_t)~(res_len(&r) - 1) | (orig & 0xf)),
	      "BAR0 sizing reads 0x%08x (size 0x%llx)", sized, res_len(&r));
	/* the hardware BAR was never touched */
	sysfs_config_read(d->bdf, &v32, 4, PCI_BASE_ADDRESS_0);
	check(v32 == orig, "hardware BAR0 still 0x%08x during sizing", v32);
	CHECK_ERRNO(cfg_write(d, PCI_BASE_ADDRESS_0, &orig, 4), 0,
		    "config write restoring BAR0");
	check(cfg32(d, PCI_BASE_ADDRESS_0) == orig, "BAR0 restored: 0x%08x",
	      cfg32(d, PCI_BASE_ADDRESS_0));
	/* unimplemented BARs size to zero */
	bar = 0xffffffff;
	cfg_write(d, PCI_BASE_ADDRESS_1, &bar, 4);
	check(cfg32(d, PCI_BASE_ADDRESS_1) == 0,
	      "unimplemented BAR1 sizes to 0 (0x%08x)",
	      cfg32(d, PCI_BASE_ADDRESS_1));
	/* edu has no ROM: the ROM BAR sizes to zero */
	cfg_write(d, PCI_ROM_ADDRESS, &bar, 4);
	check(cfg32(d, PCI_ROM_ADDRESS) == 0, "ROM BAR sizes to 0 (0x%08x)",
	      cfg32(d, PCI_ROM_ADDRESS));
	check(edu_rd(d, EDU_ID) == EDU_ID_VALUE,
	      "BAR0 still works after sizing");

	/* read-only fields stay as they are */
	v32 = 0xffffffff;
	cfg_write(d, PCI_VENDOR_ID, &v32, 4);
	check(cfg16(d, PCI_VENDOR_ID) == ven && cfg16(d, PCI_DEVICE_ID) == dev,
	      "vendor/device are read-only");

	/* unaligned multi-byte access works byte-wise */
	CHECK_ERRNO(cfg_read(d, PCI_VENDOR_ID + 1, raw, 3), 0,
		    "config read of 3 bytes at offset 1");
	check(raw[0] == (ven >> 8) && raw[1] == (dev & 0xff) &&
	      raw[2] == (dev >> 8), "unaligned config read sees the IDs");
	CHECK_ERRNO(cfg_read(d, (unsigned int)d->reg[7].size - 2, &lw, 4),
		    EFAULT, "config read straddling the end");
	CHECK_ERRNO(cfg_read(d, (unsigned int)d->reg[7].size, &lw, 4),
		    EFAULT, "config read past the end");

	/* MSI capability is virtualized: address writes stay in the shadow */
	msi = find_cap(d, PCI_CAP_ID_MSI);
	hwmsi = sysfs_find_cap(d->bdf, PCI_CAP_ID_MSI);
	check(msi && msi == hwmsi, "MSI capability at 0x%x (hardware 0x%x)",
	      msi, hwmsi);
	if (msi) {
		uint32_t addr = 0xfee01230, hw = 0;

		CHECK_ERRNO(cfg_write(d, msi + PCI_MSI_ADDRESS_LO, &addr, 4), 0,
			    "write of MSI address");
		check(cfg32(d, msi + PCI_MSI_ADDRESS_LO) == addr,
		      "MSI address reads back 0x%08x",
		      cfg32(d, msi + PCI_MSI_ADDRESS_LO));
		sysfs_config_read(d->bdf, &hw, 4, msi + PCI_MSI_ADDRESS_LO);
		check(hw != addr, "hardware MSI address untouched (0x%08x)", hw);
		check(!(cfg16(d, msi + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE),
		      "MSI disabled in the virtual flags");
	}

	/* memory decode off: mmap access SIGBUSes, pread fails with EIO */
	cmd = cfg16(d, PCI_COMMAND);
	check(cmd & PCI_COMMAND_MEMORY, "memory decode on (cmd 0x%04x)", cmd);
	cmd &= ~PCI_COMMAND_MEMORY;
	CHECK_ERRNO(cfg_write(d, PCI_COMMAND, &cmd, 2), 0,
		    "config write clearing memory decode");
	if (d->bar0) {
		bus = read_sigbus(&d->bar0[EDU_ID / 4], &v32);
		check(bus, "mmap read with decode off raises SIGBUS");
	}
	CHECK_ERRNO(bar_pread32(d, EDU_ID, &v32), EIO,
		    "BAR0 pread with decode off");
	cmd |= PCI_COMMAND_MEMORY;
	cfg_write(d, PCI_COMMAND, &cmd, 2);
	if (d->bar0) {
		bus = read_sigbus(&d->bar0[EDU_ID / 4], &v32);
		check(!bus && v32 == EDU_ID_VALUE,
		      "mmap works again with decode on (0x%08x)", v32);
	}
}

/* ------------------------------------------------------------ DMA */

/* DMA and MSI writes need bus mastering, which VFIO leaves to the user */
static void enable_master(struct edu_dev *d)
{
	uint16_t cmd = cfg16(d, PCI_COMMAND), hw = 0;

	cmd |= PCI_COMMAND_MASTER;
	CHECK_ERRNO(cfg_write(d, PCI_COMMAND, &cmd, 2), 0,
		    "config write setting bus master");
	check(cfg16(d, PCI_COMMAND) & PCI_COMMAND_MASTER,
	      "bus master reads back set");
	sysfs_config_read(d->bdf, &hw, 2, PCI_COMMAND);
	check(hw & PCI_COMMAND_MASTER, "bus master set in hardware (0x%04x)",
	      hw);
}

static void test_dma(struct edu_dev *d)
{
	const uint64_t iova = 0x200000;	/* within edu's 28-bit DMA mask */
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	size_t len = 0x1000, n = 0x100;
	uint8_t *buf;
	unsigned int i;

	enable_master(d);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap");
	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	map.vaddr = (uintptr_t)buf;
	map.iova = iova;
	map.size = len;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	CHECK_ERRNO(ioctl(d->container, VFIO_IOMMU_MAP_DMA, &map), 0,
		    "MAP_DMA of a 4 KiB buffer at IOVA 0x%llx",
		    (unsigned long long)iova);

	/* RAM -> edu buffer, then back into the second half of the page;
	 * stay well short of the end of edu's buffer (QEMU 7.2 quirk) */
	edu_wr(d, EDU_DMA_SRC, (uint32_t)iova);
	edu_wr(d, EDU_DMA_SRC + 4, 0);
	edu_wr(d, EDU_DMA_DST, EDU_DMA_BUF);
	edu_wr(d, EDU_DMA_DST + 4, 0);
	edu_wr(d, EDU_DMA_CNT, (uint32_t)n);
	edu_wr(d, EDU_DMA_CMD, EDU_DMA_START);
	for (i = 0; i < 2000 && (edu_rd(d, EDU_DMA_CMD) & EDU_DMA_START); i++)
		usleep(1000);
	check(!(edu_rd(d, EDU_DMA_CMD) & EDU_DMA_START),
	      "edu DMA from RAM finished");
	edu_wr(d, EDU_DMA_SRC, EDU_DMA_BUF);
	edu_wr(d, EDU_DMA_SRC + 4, 0);
	edu_wr(d, EDU_DMA_DST, (uint32_t)iova + 0x800);
	edu_wr(d, EDU_DMA_DST + 4, 0);
	edu_wr(d, EDU_DMA_CNT, (uint32_t)n);
	edu_wr(d, EDU_DMA_CMD, EDU_DMA_START | EDU_DMA_TO_RAM);
	for (i = 0; i < 2000 && (edu_rd(d, EDU_DMA_CMD) & EDU_DMA_START); i++)
		usleep(1000);
	check(!(edu_rd(d, EDU_DMA_CMD) & EDU_DMA_START),
	      "edu DMA to RAM finished");
	check(!memcmp(buf, buf + 0x800, n), "DMA round trip: data intact");

	unmap.iova = iova;
	unmap.size = len;
	CHECK_ERRNO(ioctl(d->container, VFIO_IOMMU_UNMAP_DMA, &unmap), 0,
		    "UNMAP_DMA");
	munmap(buf, len);
}

/* ------------------------------------------------------------ reset */

static struct vfio_pci_hot_reset_info *hot_reset_info(struct edu_dev *d,
						      int *err)
{
	struct vfio_pci_hot_reset_info hdr = { .argsz = sizeof(hdr) }, *info;
	size_t sz;

	*err = 0;
	if (!ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &hdr))
		return NULL;	/* zero devices cannot be */
	if (errno != ENOSPC) {
		*err = errno;
		return NULL;
	}
	sz = sizeof(hdr) + hdr.count * sizeof(struct vfio_pci_dependent_device);
	info = calloc(1, sz);
	info->argsz = sz;
	if (ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info)) {
		*err = errno;
		free(info);
		return NULL;
	}
	return info;
}

static bool info_has(struct vfio_pci_hot_reset_info *info, const char *bdf,
		     int groupnum)
{
	unsigned int dom, bus, dev, fn, i;

	if (sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return false;
	for (i = 0; i < info->count; i++) {
		struct vfio_pci_dependent_device *dd = &info->devices[i];

		if (dd->segment == dom && dd->bus == bus &&
		    dd->devfn == ((dev << 3) | fn) &&
		    dd->group_id == (uint32_t)groupnum)
			return true;
	}
	return false;
}

static int hot_reset(struct edu_dev *d, const int *fds, unsigned int n)
{
	struct vfio_pci_hot_reset *r;
	size_t sz = sizeof(*r) + n * sizeof(int32_t);
	int ret;

	r = calloc(1, sz);
	r->argsz = sz;
	r->count = n;
	memcpy(r->group_fds, fds, n * sizeof(int32_t));
	ret = ioctl(d->fd, VFIO_DEVICE_PCI_HOT_RESET, r);
	free(r);
	return ret;
}

static void test_reset(struct edu_dev *d, const char *other)
{
	struct vfio_pci_hot_reset_info small = { .argsz = sizeof(small) };
	struct vfio_pci_hot_reset_info *info;
	int err, fds[2], efd = eventfd(0, 0);

	if (sysfs_has_reset(d->bdf)) {
		edu_wr(d, EDU_LIVENESS, 0);	/* reads back as ~0 */
		CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_RESET), 0, "DEVICE_RESET");
		check(edu_rd(d, EDU_ID) == EDU_ID_VALUE,
		      "BAR0 works after DEVICE_RESET");
		check(cfg16(d, PCI_COMMAND) & PCI_COMMAND_MEMORY,
		      "memory decode restored after DEVICE_RESET");
	} else {
		CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_RESET), EINVAL,
			    "DEVICE_RESET without a reset method");
	}

	CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &small),
		    ENOSPC, "HOT_RESET_INFO with room for no device");
	check(small.count >= 1, "HOT_RESET_INFO reports %u devices",
	      small.count);
	small.argsz = offsetof(struct vfio_pci_hot_reset_info, count);
	CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &small),
		    EINVAL, "HOT_RESET_INFO with argsz short of count");
	info = hot_reset_info(d, &err);
	check(info != NULL, "HOT_RESET_INFO (%s)", strerror(err));
	if (info) {
		check(info_has(info, d->bdf, d->groupnum),
		      "HOT_RESET_INFO lists %s in group %d", d->bdf,
		      d->groupnum);
		free(info);
	}

	CHECK_ERRNO(hot_reset(d, fds, 0), EINVAL, "HOT_RESET with no group fd");
	fds[0] = efd;
	CHECK_ERRNO(hot_reset(d, fds, 1), EINVAL,
		    "HOT_RESET with an eventfd as group fd");
	fds[0] = -1;
	CHECK_ERRNO(hot_reset(d, fds, 1), EBADF,
		    "HOT_RESET with group fd -1");
	fds[0] = d->container;
	CHECK_ERRNO(hot_reset(d, fds, 1), EINVAL,
		    "HOT_RESET with the container fd");
	if (other) {
		/* another group, set up but not covering this device */
		struct edu_dev o = { .bdf = other };

		setup_container(&o);
		fds[0] = o.group;
		CHECK_ERRNO(hot_reset(d, fds, 1), EINVAL,
			    "HOT_RESET with the group of %s only", other);
		fds[1] = d->group;
		fds[0] = o.group;
		CHECK_ERRNO(hot_reset(d, fds, 2), EINVAL,
			    "HOT_RESET with more groups than affected");
		close(o.group);
		close(o.container);
	}
	fds[0] = d->group;
	CHECK_ERRNO(hot_reset(d, fds, 1), 0, "HOT_RESET with the right group");
	check(edu_rd(d, EDU_ID) == EDU_ID_VALUE, "BAR0 works after hot reset");
	{
		struct vfio_pci_hot_reset r = {
			.argsz = sizeof(r), .flags = 1,
		};

		CHECK_ERRNO(ioctl(d->fd, VFIO_DEVICE_PCI_HOT_RESET, &r),
			    EINVAL, "HOT_RESET with flags 1");
	}
	close(efd);
}

static int cmd_info(const char *bdf, const char *other)
{
	struct edu_dev d = { .bdf = bdf };

	setup_container(&d);
	open_device(&d);
	test_device_info(&d);
	test_region_info(&d);
	test_irq_info(&d);
	test_bar0(&d);
	test_config(&d);
	test_set_irqs_errors(&d);
	test_dma(&d);
	test_reset(&d, other);
	close_device(&d);
	close(d.group);
	close(d.container);
	return 0;
}

/* ------------------------------------------------------------ irq */

static void edu_ack_all(struct edu_dev *d)
{
	edu_wr(d, EDU_IRQ_ACK, edu_rd(d, EDU_IRQ_STATUS));
}

static void test_msi(struct edu_dev *d)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int efd2 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	unsigned int msi = sysfs_find_cap(d->bdf, PCI_CAP_ID_MSI);
	uint16_t hwflags = 0;
	uint8_t one = 1, zero = 0;
	int i, got;

	CHECK_ERRNO(set_eventfd(d, VFIO_PCI_MSI_IRQ_INDEX, efd), 0,
		    "SET_IRQS MSI eventfd");
	sysfs_config_read(d->bdf, &hwflags, 2, msi + PCI_MSI_FLAGS);
	check(hwflags & PCI_MSI_FLAGS_ENABLE, "hardware MSI enabled");
	CHECK_ERRNO(set_eventfd(d, VFIO_PCI_INTX_IRQ_INDEX, efd2), EINVAL,
		    "SET_IRQS INTx eventfd while MSI is enabled");

	for (i = 0, got = 0; i < 3; i++) {
		edu_wr(d, EDU_IRQ_RAISE, 1u << i);
		if (wait_event(efd, 2000) >= 1)
			got++;
		check(edu_rd(d, EDU_IRQ_STATUS) == 1u << i,
		      "edu irq status 0x%x", edu_rd(d, EDU_IRQ_STATUS));
		edu_ack_all(d);
	}
	check(got == 3, "edu MSI delivered to the eventfd %d/3 times", got);

	/* loopback */
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_MSI_IRQ_INDEX, 0, 1, NULL, 0), 0,
		    "MSI loopback DATA_NONE");
	check(wait_event(efd, 1000) == 1, "MSI loopback DATA_NONE signals");
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_BOOL |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &zero, 1), 0,
		    "MSI loopback DATA_BOOL 0");
	check(wait_event(efd, 200) == 0, "MSI loopback DATA_BOOL 0 is silent");
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_BOOL |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &one, 1), 0,
		    "MSI loopback DATA_BOOL 1");
	check(wait_event(efd, 1000) == 1, "MSI loopback DATA_BOOL 1 signals");

	/* change the vector's eventfd in place */
	CHECK_ERRNO(set_eventfd(d, VFIO_PCI_MSI_IRQ_INDEX, efd2), 0,
		    "SET_IRQS MSI: swap the eventfd");
	edu_wr(d, EDU_IRQ_RAISE, 1);
	check(wait_event(efd2, 2000) >= 1, "MSI delivered to the new eventfd");
	check(wait_event(efd, 100) == 0, "old eventfd stays quiet");
	edu_ack_all(d);

	/* de-assign with -1: no signal, still enabled */
	got = -1;
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &got, 4), 0,
		    "SET_IRQS MSI eventfd -1 de-assigns");

	CHECK_ERRNO(disable_index(d, VFIO_PCI_MSI_IRQ_INDEX), 0,
		    "SET_IRQS MSI disable");
	sysfs_config_read(d->bdf, &hwflags, 2, msi + PCI_MSI_FLAGS);
	check(!(hwflags & PCI_MSI_FLAGS_ENABLE), "hardware MSI disabled");
	close(efd);
	close(efd2);
}

static void test_intx(struct edu_dev *d)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int efd2 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint8_t one = 1;

	CHECK_ERRNO(set_eventfd(d, VFIO_PCI_INTX_IRQ_INDEX, efd), 0,
		    "SET_IRQS INTx eventfd");
	CHECK_ERRNO(set_eventfd(d, VFIO_PCI_MSI_IRQ_INDEX, efd2), EINVAL,
		    "SET_IRQS MSI eventfd while INTx is enabled");

	edu_wr(d, EDU_IRQ_RAISE, 1);
	check(wait_event(efd, 2000) >= 1, "edu INTx delivered");
	edu_ack_all(d);

	/* automasked: a second assertion is held back until unmask */
	edu_wr(d, EDU_IRQ_RAISE, 2);
	check(wait_event(efd, 300) == 0, "INTx automasked after delivery");
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_UNMASK,
			     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0), 0,
		    "INTx unmask");
	check(wait_event(efd, 2000) >= 1, "pending INTx delivered on unmask");
	edu_ack_all(d);
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_BOOL |
			     VFIO_IRQ_SET_ACTION_UNMASK,
			     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &one, 1), 0,
		    "INTx unmask with DATA_BOOL");

	/* user mask */
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_MASK,
			     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0), 0,
		    "INTx mask");
	edu_wr(d, EDU_IRQ_RAISE, 4);
	check(wait_event(efd, 300) == 0, "masked INTx is not delivered");
	set_irqs(d, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		 VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0);
	check(wait_event(efd, 2000) >= 1, "INTx delivered after unmask");
	edu_ack_all(d);
	set_irqs(d, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		 VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0);
	check(wait_event(efd, 300) == 0, "no INTx once acknowledged");

	/* resampling: an unmask eventfd unmasks when signalled */
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD |
			     VFIO_IRQ_SET_ACTION_UNMASK,
			     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &efd2, 4), 0,
		    "INTx unmask eventfd");

	/* loopback */
	CHECK_ERRNO(set_irqs(d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0), 0,
		    "INTx loopback DATA_NONE");
	check(wait_event(efd, 1000) == 1, "INTx loopback signals");

	CHECK_ERRNO(disable_index(d, VFIO_PCI_INTX_IRQ_INDEX), 0,
		    "SET_IRQS INTx disable");
	edu_wr(d, EDU_IRQ_RAISE, 1);
	check(wait_event(efd, 300) == 0, "no INTx after disable");
	edu_ack_all(d);
	close(efd);
	close(efd2);
}

static int cmd_irq(const char *bdf)
{
	struct edu_dev d = { .bdf = bdf };

	setup_container(&d);
	open_device(&d);
	enable_master(&d);
	edu_ack_all(&d);
	test_msi(&d);
	test_intx(&d);
	close_device(&d);
	close(d.group);
	close(d.container);
	return 0;
}

/* ------------------------------------------------------------ quiet */

/* hw_cmd_status - the physical command and status registers, via sysfs. */
static void hw_cmd_status(struct edu_dev *d, uint16_t *cmd, uint16_t *status)
{
	*cmd = *status = 0;
	sysfs_config_read(d->bdf, cmd, 2, PCI_COMMAND);
	sysfs_config_read(d->bdf, status, 2, PCI_STATUS);
}

/*
 * ours: the hardware INTx disable bit is clear only while an INTx handler
 * is registered, so an interrupt left pending (no handler, or after close)
 * cannot assert a line that other devices' handlers share.  Stock clears
 * it at open; this is an ours-only property.
 */
static int cmd_quiet(const char *bdf)
{
	struct edu_dev d = { .bdf = bdf };
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint16_t cmd, status;

	setup_container(&d);
	open_device(&d);
	enable_master(&d);
	edu_ack_all(&d);
	hw_cmd_status(&d, &cmd, &status);
	check(cmd & PCI_COMMAND_INTX_DISABLE,
	      "open, no INTx handler: INTx disabled in hardware (0x%04x)", cmd);
	check(!(cfg16(&d, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE),
	      "... while the user sees it enabled");

	edu_wr(&d, EDU_IRQ_RAISE, 1);
	hw_cmd_status(&d, &cmd, &status);
	check(status & PCI_STATUS_INTERRUPT,
	      "edu interrupt pending (status 0x%04x)", status);
	check(cmd & PCI_COMMAND_INTX_DISABLE,
	      "... and still not asserted on the line (0x%04x)", cmd);

	CHECK_ERRNO(set_eventfd(&d, VFIO_PCI_INTX_IRQ_INDEX, efd), 0,
		    "SET_IRQS INTx eventfd");
	check(wait_event(efd, 2000) >= 1,
	      "the pending interrupt is delivered once the handler exists");
	edu_ack_all(&d);
	CHECK_ERRNO(set_irqs(&d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_UNMASK,
			     VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0), 0,
		    "INTx unmask");
	hw_cmd_status(&d, &cmd, &status);
	check(!(cmd & PCI_COMMAND_INTX_DISABLE),
	      "INTx enabled in hardware while delivered (0x%04x)", cmd);
	CHECK_ERRNO(disable_index(&d, VFIO_PCI_INTX_IRQ_INDEX), 0,
		    "SET_IRQS INTx disable");
	hw_cmd_status(&d, &cmd, &status);
	check(cmd & PCI_COMMAND_INTX_DISABLE,
	      "INTx disabled in hardware again (0x%04x)", cmd);

	/*
	 * Leave one pending and close: the device must stay quiet.  (A
	 * device with a reset method loses the interrupt in the reset at
	 * close; one without keeps it pending.)
	 */
	edu_wr(&d, EDU_IRQ_RAISE, 1);
	close_device(&d);
	hw_cmd_status(&d, &cmd, &status);
	check(cmd & PCI_COMMAND_INTX_DISABLE,
	      "closed with an interrupt raised: INTx disabled (cmd 0x%04x, status 0x%04x)",
	      cmd, status);

	/* Tidy up for the next test: acknowledge it. */
	open_device(&d);
	enable_master(&d);
	edu_ack_all(&d);
	close_device(&d);
	close(efd);
	close(d.group);
	close(d.container);
	return 0;
}

/* ------------------------------------------------------------ unbind */

static int cmd_unbind(const char *bdf)
{
	struct edu_dev d = { .bdf = bdf };
	char path[256], drv[256];
	int efd, go[2];
	struct timespec t0, t1;
	uint64_t n;
	pid_t pid;
	int status;

	/*
	 * Fork the unbinding child before opening anything: a child forked
	 * later would inherit the device fd and the BAR mapping and so hold
	 * the device itself.
	 */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind",
		 bdf);
	if (pipe(go))
		die("pipe");
	pid = fork();
	if (pid == 0) {
		char c;
		int fd;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		fd = open(path, O_WRONLY);
		_exit(fd < 0 || write(fd, bdf, strlen(bdf)) < 0 ? 1 : 0);
	}
	close(go[0]);

	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	setup_container(&d);
	open_device(&d);
	CHECK_ERRNO(set_eventfd(&d, VFIO_PCI_REQ_IRQ_INDEX, efd), 0,
		    "SET_IRQS REQ eventfd");
	CHECK_ERRNO(set_irqs(&d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_REQ_IRQ_INDEX, 0, 1, NULL, 0), 0,
		    "REQ loopback");
	check(wait_event(efd, 1000) == 1, "REQ loopback signals");

	if (write(go[1], "g", 1) != 1)
		die("pipe write");
	close(go[1]);
	n = wait_event(efd, 30000);
	check(n >= 1, "REQ eventfd fired on unbind");
	/* the unbind is still blocked on us */
	check(waitpid(pid, &status, WNOHANG) == 0,
	      "unbind blocks while the device is held");
	/* (the driver link is gone already: sysfs goes before remove()) */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	close_device(&d);
	close(d.group);
	close(d.container);
	/* bounded: a stuck unbind must fail the test, not hang the VM */
	do {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		status = -1;
		usleep(10000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (t1.tv_sec - t0.tv_sec < 30);
	check(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "unbind completes after close");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	check(t1.tv_sec - t0.tv_sec < 15, "unbind finished within %ld s",
	      (long)(t1.tv_sec - t0.tv_sec));
	check(readlink(path, drv, sizeof(drv)) < 0 && errno == ENOENT,
	      "device unbound");
	close(efd);
	return 0;
}

/* ------------------------------------------------------------ pair */

/*
 * The group fds HOT_RESET accepts, as stock checks them (6.1
 * vfio_pci_ioctl_pci_hot_reset + vfio_pci_dev_set_hot_reset, 6.12
 * vfio_pci_ioctl_pci_hot_reset_groups): count from 1 to the number of
 * affected devices (not groups), each fd a VFIO group file, every affected
 * device in one of them; nothing else is asked of a group (a second copy
 * or a group that covers nothing is fine, container or not).  @other: a
 * device in another group, bound to vfio-pci, whose group is opened here
 * without a container.
 */
static void test_pair_hot_reset_groups(struct edu_dev *d1, struct edu_dev *d2,
				       const char *other)
{
	struct vfio_pci_hot_reset big = { .argsz = sizeof(big), .count = 1000 };
	int fds[3], efd = eventfd(0, EFD_CLOEXEC);

	fds[0] = fds[1] = fds[2] = d1->group;
	CHECK_ERRNO(hot_reset(d1, fds, 2), 0,
		    "HOT_RESET with the pair's group fd twice (count 2 = affected devices)");
	CHECK_ERRNO(hot_reset(d1, fds, 3), EINVAL,
		    "HOT_RESET with count 3, more than the 2 affected devices");
	CHECK_ERRNO(ioctl(d1->fd, VFIO_DEVICE_PCI_HOT_RESET, &big), EINVAL,
		    "HOT_RESET with count 1000 (checked before the copy)");
	fds[0] = efd;
	CHECK_ERRNO(hot_reset(d1, fds, 2), EINVAL,
		    "HOT_RESET with an eventfd beside the right group");
	fds[0] = d2->fd;
	CHECK_ERRNO(hot_reset(d1, fds, 2), EINVAL,
		    "HOT_RESET with a device fd beside the right group");
	fds[0] = d1->group;
	fds[1] = 1000;
	CHECK_ERRNO(hot_reset(d1, fds, 2), EBADF,
		    "HOT_RESET with a closed fd beside the right group");
	if (other) {
		int g = open_group(sysfs_group(other));
		struct vfio_group_status st = { .argsz = sizeof(st) };

		if (g < 0)
			die("open the group of %s", other);
		check(!ioctl(g, VFIO_GROUP_GET_STATUS, &st) &&
		      !(st.flags & VFIO_GROUP_FLAGS_CONTAINER_SET),
		      "the group of %s is open without a container", other);
		fds[0] = g;
		CHECK_ERRNO(hot_reset(d1, fds, 1), EINVAL,
			    "HOT_RESET with only an unrelated group without a container");
		fds[1] = d1->group;
		CHECK_ERRNO(hot_reset(d1, fds, 2), 0,
			    "HOT_RESET with the right group and an unrelated one without a container");
		close(g);
	}
	check(d1->bar0[0] == EDU_ID_VALUE && d2->bar0[0] == EDU_ID_VALUE,
	      "both devices work after these hot resets");
	close(efd);
}

static int cmd_pair(const char *a, const char *b, const char *other)
{
	struct edu_dev d1 = { .bdf = a }, d2 = { .bdf = b };
	struct vfio_pci_hot_reset_info *info;
	int err, fds[1];

	check(sysfs_group(a) == sysfs_group(b), "%s and %s share group %d", a,
	      b, sysfs_group(a));
	setup_container(&d1);
	open_device(&d1);
	d2.container = d1.container;
	d2.group = d1.group;
	d2.groupnum = d1.groupnum;
	open_device(&d2);
	check(d1.fd >= 0 && d2.fd >= 0, "both device fds from one group");
	check(d1.bar0 && d2.bar0 && d1.bar0[0] == EDU_ID_VALUE &&
	      d2.bar0[0] == EDU_ID_VALUE, "both BAR0 mmaps read the edu ID");
	/* the two devices are distinct */
	d1.bar0[EDU_LIVENESS / 4] = 1;
	d2.bar0[EDU_LIVENESS / 4] = 2;
	check(d1.bar0[EDU_LIVENESS / 4] == ~1u &&
	      d2.bar0[EDU_LIVENESS / 4] == ~2u, "the devices are distinct");
	CHECK_ERRNO(ioctl(d1.group, VFIO_GROUP_GET_DEVICE_FD, "0000:ff:1f.7"),
		    ENODEV, "GET_DEVICE_FD of a device not in the group");

	test_device_info(&d1);
	test_device_info(&d2);

	info = hot_reset_info(&d1, &err);
	if (info) {
		check(info->count >= 2 && info_has(info, a, d1.groupnum) &&
		      info_has(info, b, d1.groupnum),
		      "HOT_RESET_INFO lists both devices (%u)", info->count);
		free(info);
		fds[0] = d1.group;
		CHECK_ERRNO(hot_reset(&d1, fds, 1), 0,
			    "HOT_RESET of the pair with their group");
		check(d1.bar0[0] == EDU_ID_VALUE && d2.bar0[0] == EDU_ID_VALUE,
		      "both devices work after hot reset");
		test_pair_hot_reset_groups(&d1, &d2, other);
	} else {
		check(err == ENODEV, "HOT_RESET_INFO: %s", strerror(err));
	}
	close_device(&d2);
	close_device(&d1);
	close(d1.group);
	close(d1.container);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "info"))
		cmd_info(argv[2], argc > 3 ? argv[3] : NULL);
	else if (argc == 3 && !strcmp(argv[1], "irq"))
		cmd_irq(argv[2]);
	else if (argc == 3 && !strcmp(argv[1], "quiet"))
		cmd_quiet(argv[2]);
	else if (argc == 3 && !strcmp(argv[1], "unbind"))
		cmd_unbind(argv[2]);
	else if ((argc == 4 || argc == 5) && !strcmp(argv[1], "pair"))
		cmd_pair(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	else {
		fprintf(stderr, "usage: pci-test info|irq|quiet|unbind BDF | pair BDF BDF [OTHER_BDF]\n");
		return 2;
	}
	printf("1..%d\n# %d failed\n", tap_tests, tap_failures);
	return tap_status(98);
}
