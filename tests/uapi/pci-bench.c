// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci-bench - latency of the vfio-pci hot paths on an edu device:
 *
 *   open-close     container + group + SET_CONTAINER + SET_IOMMU +
 *                  GET_DEVICE_FD, then close all three (one cycle)
 *   region-info    VFIO_DEVICE_GET_REGION_INFO of BAR 0
 *   config-pread   4-byte pread of config space (vendor/device)
 *   bar-mmap-read  32-bit read of the edu ID register through mmap
 *   bar-pread      4-byte pread of the edu ID register
 *   msi-roundtrip  edu raises MSI -> eventfd read -> ack
 *
 *   pci-bench BDF [SCALE [REPS]]
 *   pci-bench --trace ROW N BDF
 *
 * Each row runs REPS (default 5) repetitions of a fixed iteration count
 * (times SCALE, default 1) and prints the median cost per operation:
 *
 *   bench row=NAME iters=N ns_per_op=X
 *
 * --trace runs only ROW (region-info, config-pread or bar-pread), N times,
 * in the same device state as the bench, with ftrace's tracing_on set
 * around it and set_ftrace_pid set to this process; the caller sets up
 * the tracer (tests/bench/profile).  It prints "trace row=ROW iters=N".
 *
 * The device must be bound to vfio-pci, its group unused.
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

#define MAXREPS		31

static const char *bdf;
static char group_path[64];
static unsigned long scale = 1;
static int reps = 5;

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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Time @fn(@ctx, n) for REPS repetitions of n = @base * SCALE operations;
 * one span per repetition, so a stall of the (TCG) host hits one sample and
 * the median drops it.
 */
static void run_row(const char *name, unsigned long base,
		    void (*fn)(void *ctx, unsigned long n), void *ctx)
{
	unsigned long n = base * scale;
	double v[MAXREPS];
	uint64_t t;
	int r;

	for (r = 0; r < reps; r++) {
		t = now_ns();
		fn(ctx, n);
		v[r] = (double)(now_ns() - t) / n;
	}
	qsort(v, reps, sizeof(*v), cmp_double);
	printf("bench row=%s iters=%lu ns_per_op=%.0f\n", name, n,
	       reps % 2 ? v[reps / 2] : (v[reps / 2 - 1] + v[reps / 2]) / 2);
	fflush(stdout);
}

struct dev {
	int container, group, fd;
	struct vfio_region_info bar, cfg;
	volatile uint32_t *map;
	int efd;
	uint32_t sink;
};

static void dev_open(struct dev *d)
{
	d->container = open("/dev/vfio/vfio", O_RDWR);
	d->group = open(group_path, O_RDWR);
	if (d->container < 0 || d->group < 0)
		die("open");
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		die("SET_CONTAINER");
	if (ioctl(d->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("SET_IOMMU");
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (d->fd < 0)
		die("GET_DEVICE_FD");
}

static void dev_close(struct dev *d)
{
	close(d->fd);
	close(d->group);
	close(d->container);
}

static void do_open_close(void *ctx, unsigned long n)
{
	struct dev d;

	(void)ctx;
	while (n--) {
		dev_open(&d);
		dev_close(&d);
	}
}

static void do_region_info(void *ctx, unsigned long n)
{
	struct dev *d = ctx;
	struct vfio_region_info ri;

	while (n--) {
		ri.argsz = sizeof(ri);
		ri.index = VFIO_PCI_BAR0_REGION_INDEX;
		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri))
			die("REGION_INFO");
		d->sink += ri.size;
	}
}

static void do_config_pread(void *ctx, unsigned long n)
{
	struct dev *d = ctx;
	uint32_t v;

	while (n--) {
		if (pread(d->fd, &v, 4, d->cfg.offset) != 4)
			die("config pread");
		d->sink += v;
	}
}

static void do_bar_mmap_read(void *ctx, unsigned long n)
{
	struct dev *d = ctx;

	while (n--)
		d->sink += d->map[EDU_ID / 4];
}

static void do_bar_pread(void *ctx, unsigned long n)
{
	struct dev *d = ctx;
	uint32_t v;

	while (n--) {
		if (pread(d->fd, &v, 4, d->bar.offset + EDU_ID) != 4)
			die("BAR pread");
		d->sink += v;
	}
}

static void do_msi_roundtrip(void *ctx, unsigned long n)
{
	struct dev *d = ctx;
	struct pollfd pfd = { .fd = d->efd, .events = POLLIN };
	uint64_t ev;

	while (n--) {
		d->map[EDU_IRQ_RAISE / 4] = 1;
		if (poll(&pfd, 1, 2000) != 1) {
			errno = ETIMEDOUT;
			die("MSI not delivered");
		}
		if (read(d->efd, &ev, sizeof(ev)) != sizeof(ev))
			die("eventfd read");
		d->map[EDU_IRQ_ACK / 4] = d->map[EDU_IRQ_STATUS / 4];
	}
}

static void msi_enable(struct dev *d)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;
	uint16_t cmd;

	/* MSI needs bus mastering */
	if (pread(d->fd, &cmd, 2, d->cfg.offset + PCI_COMMAND) != 2)
		die("command read");
	cmd |= PCI_COMMAND_MASTER;
	if (pwrite(d->fd, &cmd, 2, d->cfg.offset + PCI_COMMAND) != 2)
		die("command write");
	d->efd = eventfd(0, EFD_CLOEXEC);
	if (d->efd < 0)
		die("eventfd");
	s->argsz = sizeof(buf);
	s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	s->index = VFIO_PCI_MSI_IRQ_INDEX;
	s->start = 0;
	s->count = 1;
	memcpy(s->data, &d->efd, sizeof(d->efd));
	if (ioctl(d->fd, VFIO_DEVICE_SET_IRQS, s))
		die("SET_IRQS MSI");
}

static void tracefs_write(const char *file, const char *val)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		die(path);
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		die(path);
	close(fd);
}

/* One row, @n operations, traced (--trace). */
static int trace_row(struct dev *d, const char *row, unsigned long n)
{
	static const struct {
		const char *name;
		void (*fn)(void *ctx, unsigned long n);
	} rows[] = {
		{ "region-info", do_region_info },
		{ "config-pread", do_config_pread },
		{ "bar-pread", do_bar_pread },
	};
	char pid[16];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (!strcmp(rows[i].name, row))
			break;
	if (i == sizeof(rows) / sizeof(rows[0])) {
		fprintf(stderr, "pci-bench: --trace: no row '%s' (region-info, config-pread, bar-pread)\n",
			row);
		return 2;
	}
	/* Warm the path (first-use faults, barmap) outside the trace. */
	rows[i].fn(d, 16);
	snprintf(pid, sizeof(pid), "%d", getpid());
	tracefs_write("set_ftrace_pid", pid);
	tracefs_write("tracing_on", "1");
	rows[i].fn(d, n);
	tracefs_write("tracing_on", "0");
	printf("trace row=%s iters=%lu\n", row, n);
	return 0;
}

int main(int argc, char **argv)
{
	struct dev d = { 0 };
	char path[256], link[256];
	const char *trace = NULL;
	unsigned long trace_n = 0;
	ssize_t len;

	if (argc == 5 && !strcmp(argv[1], "--trace")) {
		trace = argv[2];
		trace_n = strtoul(argv[3], NULL, 0);
		argv += 3;
		argc -= 3;
		if (!trace_n) {
			fprintf(stderr, "pci-bench: --trace: N must be > 0\n");
			return 2;
		}
	}
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: pci-bench BDF [SCALE [REPS]]\n"
				"       pci-bench --trace ROW N BDF\n");
		return 2;
	}
	bdf = argv[1];
	if (argc > 2)
		scale = strtoul(argv[2], NULL, 0);
	if (argc > 3)
		reps = atoi(argv[3]);
	if (!scale || reps < 1 || reps > MAXREPS) {
		fprintf(stderr, "pci-bench: SCALE must be > 0, REPS 1..%d\n",
			MAXREPS);
		return 2;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		die(path);
	link[len] = 0;
	snprintf(group_path, sizeof(group_path), "/dev/vfio/%s",
		 strrchr(link, '/') + 1);

	/* First, while nothing holds the group: the whole open/close cycle. */
	if (!trace)
		run_row("open-close", 4, do_open_close, NULL);

	dev_open(&d);
	d.bar.argsz = sizeof(d.bar);
	d.bar.index = VFIO_PCI_BAR0_REGION_INDEX;
	d.cfg.argsz = sizeof(d.cfg);
	d.cfg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (ioctl(d.fd, VFIO_DEVICE_GET_REGION_INFO, &d.bar) ||
	    ioctl(d.fd, VFIO_DEVICE_GET_REGION_INFO, &d.cfg))
		die("REGION_INFO");
	d.map = mmap(NULL, d.bar.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		     d.fd, d.bar.offset);
	if (d.map == MAP_FAILED)
		die("mmap");
	/* Both BAR paths must read the device, not something else. */
	{
		uint32_t id;

		if (pread(d.fd, &id, 4, d.bar.offset + EDU_ID) != 4)
			die("BAR pread");
		if (id != d.map[EDU_ID / 4] || (id & 0xffff) != 0xed) {
			fprintf(stderr, "pci-bench: edu ID: pread %#x, mmap %#x\n",
				id, d.map[EDU_ID / 4]);
			return 1;
		}
	}

	if (trace) {
		int ret = trace_row(&d, trace, trace_n);

		munmap((void *)d.map, d.bar.size);
		dev_close(&d);
		return ret;
	}

	run_row("region-info", 4000, do_region_info, &d);
	run_row("config-pread", 4000, do_config_pread, &d);
	run_row("bar-mmap-read", 4000, do_bar_mmap_read, &d);
	run_row("bar-pread", 4000, do_bar_pread, &d);
	msi_enable(&d);
	run_row("msi-roundtrip", 400, do_msi_roundtrip, &d);

	fprintf(stderr, "(checksum %u)\n", d.sink);
	close(d.efd);
	munmap((void *)d.map, d.bar.size);
	dev_close(&d);
	return 0;
}
