// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci-lowpower - the low-power VFIO_DEVICE_FEATUREs of vfio-pci
 * (tests/bats/pci-lowpower.bats), on a function with a PM capability:
 *
 *   pci-lowpower BDF
 *
 *   - PROBE answers SET only for LOW_POWER_ENTRY, _ENTRY_WITH_WAKEUP and
 *     _EXIT; GET is EINVAL; short argsz, a negative, closed or
 *     non-eventfd wakeup fd get stock's errnos; EXIT outside low power
 *     is a no-op
 *   - ENTRY: the function runtime-suspends (power/runtime_status,
 *     power_state D3hot); a second ENTRY is EINVAL; an mmap touch is
 *     SIGBUS; a BAR pread resumes it for the access and it suspends again
 *   - EXIT: active and D0 again, mappings and pread work, the config
 *     state (BARs, command) is intact, also after a D3hot set in PMCSR
 *   - ENTRY_WITH_WAKEUP: a BAR pread or an ioctl wakes it: the eventfd is
 *     signalled and low power is left (no SIGBUS, ENTRY allowed again)
 *   - the device fd closed in low power: the eventfd is not signalled,
 *     the closed function suspends (idle), a new open finds it working,
 *     and low power can be entered again
 *
 * With --no-idle-d3 (vfio-pci loaded with disable_idle_d3=1) the closed
 * function must stay active in D0 instead; low power works the same.
 *
 * The device must already be bound to vfio-pci.  Power states come from
 * sysfs (runtime_status and power_state do not wake the function), the
 * config state from the raw config space in sysfs.  TAP-like output; the
 * exit status is the number of failed checks (capped).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
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

#include "pci-util.h"
#include "tap-util.h"

#define FEAT_ENTRY	VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY
#define FEAT_WAKEUP	VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP
#define FEAT_EXIT	VFIO_DEVICE_FEATURE_LOW_POWER_EXIT

/*
 * VFIO_DEVICE_FEATURE with @flags and @len bytes of @payload; argsz is
 * the header plus @len unless @argsz is not 0.
 */
static int feature(struct vdev *d, uint32_t flags, const void *payload,
		   size_t len, uint32_t argsz)
{
	char buf[sizeof(struct vfio_device_feature) + 16];
	struct vfio_device_feature *f = (struct vfio_device_feature *)buf;

	memset(buf, 0, sizeof(buf));
	f->argsz = argsz ? argsz : sizeof(*f) + len;
	f->flags = flags;
	if (len)
		memcpy(f->data, payload, len);
	return ioctl(d->fd, VFIO_DEVICE_FEATURE, f);
}

#define FEAT(d, flags, payload, len, argsz, want, ...)			\
	CHECK_ERRNO0(feature((d), (flags), (payload), (len), (argsz)),	\
		    (want), __VA_ARGS__)

static int wakeup_entry(struct vdev *d, int32_t fd)
{
	struct vfio_device_low_power_entry_with_wakeup e = {
		.wakeup_eventfd = fd,
	};

	return feature(d, VFIO_DEVICE_FEATURE_SET | FEAT_WAKEUP, &e,
		       sizeof(e), 0);
}

static int set_feature(struct vdev *d, uint32_t feat)
{
	return feature(d, VFIO_DEVICE_FEATURE_SET | feat, NULL, 0, 0);
}

/* ------------------------------------------------------------ sysfs */

static void runtime_status(const char *bdf, char *buf, size_t len)
{
	if (sysfs_read(bdf, "power/runtime_status", buf, len) < 0)
		snprintf(buf, len, "(unreadable)");
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* wait up to @ms for runtime_status @want; true if it got there */
static bool wait_status(const char *bdf, const char *want, int ms)
{
	long long end = now_ms() + ms;
	char buf[64];

	for (;;) {
		runtime_status(bdf, buf, sizeof(buf));
		if (!strcmp(buf, want))
			return true;
		if (now_ms() > end)
			return false;
		usleep(20000);
	}
}

static void check_status(const char *bdf, const char *want, const char *when)
{
	char buf[64];

	runtime_status(bdf, buf, sizeof(buf));
	check(!strcmp(buf, want), "%s: runtime_status %s (want %s)", when,
	      buf, want);
}

/* the PCI core's power_state attribute, if this kernel has it */
static void check_power_state(const char *bdf, const char *want,
			      const char *when)
{
	char buf[64];

	if (sysfs_read(bdf, "power_state", buf, sizeof(buf)) < 0) {
		printf("# no power_state attribute: %s not checked\n", want);
		return;
	}
	check(!strcmp(buf, want), "%s: power_state %s (want %s)", when, buf,
	      want);
}

static void wait_suspended(const char *bdf, const char *when)
{
	check(wait_status(bdf, "suspended", 3000),
	      "%s: the function runtime-suspends", when);
}

/* false with --no-idle-d3: vfio-pci was loaded with disable_idle_d3=1 */
static bool idle_d3 = true;

/*
 * Closed, nobody counting: the function suspends, or with disable_idle_d3
 * stays active and in D0 (given the time it takes to suspend otherwise).
 */
static void check_idle(const char *bdf, const char *when)
{
	if (idle_d3) {
		wait_suspended(bdf, when);
		return;
	}
	check(!wait_status(bdf, "suspended", 1000),
	      "%s: the function does not suspend (disable_idle_d3)", when);
	check_status(bdf, "active", when);
	check_power_state(bdf, "D0", when);
}

/* ------------------------------------------------------------ device */

static uint16_t cfg16(struct vdev *d, unsigned int off)
{
	uint16_t v = 0xdead;

	if (vdev_cfg_read(d, off, &v, 2))
		check(false, "config read of 2 bytes at 0x%x", off);
	return v;
}

static unsigned int find_pm_cap(struct vdev *d)
{
	unsigned int pos, n;
	uint8_t id, next;

	if (!(cfg16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	if (vdev_cfg_read(d, PCI_CAPABILITY_LIST, &next, 1))
		return 0;
	for (pos = next & ~3u, n = 0; pos && n < 48; n++) {
		if (vdev_cfg_read(d, pos, &id, 1) ||
		    vdev_cfg_read(d, pos + 1, &next, 1))
			return 0;
		if (id == PCI_CAP_ID_PM)
			return pos;
		pos = next & ~3u;
	}
	return 0;
}

static void enable_memory(struct vdev *d)
{
	uint16_t cmd = cfg16(d, PCI_COMMAND) | PCI_COMMAND_MEMORY;

	if (vdev_cfg_write(d, PCI_COMMAND, &cmd, 2))
		die("enable memory decode");
}

static volatile uint32_t *map_bar(struct vdev *d, int bar)
{
	void *p = mmap(NULL, d->reg[bar].size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, d->fd, d->reg[bar].offset);

	if (p == MAP_FAILED)
		die("mmap BAR%d", bar);
	return p;
}

static ssize_t bar_pread(struct vdev *d, int bar, uint32_t *v)
{
	return pread(d->fd, v, 4, d->reg[bar].offset);
}

/* 0 if nothing was signalled, else the count (-1: read error) */
static long long eventfd_count(int efd)
{
	eventfd_t v;

	if (eventfd_read(efd, &v))
		return errno == EAGAIN ? 0 : -1;
	return (long long)v;
}

/* the hardware BARs and memory/io/master bits are as in @before */
static void check_config_intact(struct vdev *d, const uint8_t *before,
				const char *when)
{
	uint8_t after[64];

	if (sysfs_config_read(d->bdf, after, sizeof(after), 0))
		die("sysfs config");
	check(!memcmp(before + PCI_BASE_ADDRESS_0, after + PCI_BASE_ADDRESS_0,
		      24), "%s: the hardware BARs are intact", when);
	check(((before[PCI_COMMAND] ^ after[PCI_COMMAND]) &
	       (PCI_COMMAND_MEMORY | PCI_COMMAND_IO)) == 0,
	      "%s: the hardware command register is intact (0x%02x -> 0x%02x)",
	      when, before[PCI_COMMAND], after[PCI_COMMAND]);
}

/* ------------------------------------------------------------ tests */

static void test_probe_and_errnos(struct vdev *d)
{
	static const struct { uint32_t feat; const char *name; } f[] = {
		{ FEAT_ENTRY, "LOW_POWER_ENTRY" },
		{ FEAT_WAKEUP, "LOW_POWER_ENTRY_WITH_WAKEUP" },
		{ FEAT_EXIT, "LOW_POWER_EXIT" },
	};
	struct vfio_device_low_power_entry_with_wakeup e = { 0 };
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	unsigned int i;

	for (i = 0; i < 3; i++) {
		FEAT(d, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET |
		     f[i].feat, NULL, 0, 0, 0, "PROBE|SET %s", f[i].name);
		FEAT(d, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
		     f[i].feat, NULL, 0, 0, EINVAL, "PROBE|GET %s", f[i].name);
		FEAT(d, VFIO_DEVICE_FEATURE_GET | f[i].feat, NULL, 0, 0,
		     EINVAL, "GET %s", f[i].name);
		FEAT(d, f[i].feat, NULL, 0, 0, EINVAL,
		     "%s with neither GET nor SET", f[i].name);
	}
	FEAT(d, VFIO_DEVICE_FEATURE_SET | FEAT_ENTRY, NULL, 0,
	     sizeof(struct vfio_device_feature) - 1, EINVAL,
	     "LOW_POWER_ENTRY with argsz short of the header");
	FEAT(d, VFIO_DEVICE_FEATURE_SET | FEAT_WAKEUP, NULL, 0, 0, EINVAL,
	     "LOW_POWER_ENTRY_WITH_WAKEUP with no payload");
	FEAT(d, VFIO_DEVICE_FEATURE_SET | FEAT_WAKEUP, &e, 4, 0, EINVAL,
	     "LOW_POWER_ENTRY_WITH_WAKEUP with half its payload");
	CHECK_ERRNO0(wakeup_entry(d, -1), EINVAL,
		    "LOW_POWER_ENTRY_WITH_WAKEUP with eventfd -1");
	CHECK_ERRNO0(wakeup_entry(d, 1000), EBADF,
		    "LOW_POWER_ENTRY_WITH_WAKEUP with a closed fd");
	CHECK_ERRNO0(wakeup_entry(d, devnull), EINVAL,
		    "LOW_POWER_ENTRY_WITH_WAKEUP with /dev/null as eventfd");
	CHECK_ERRNO0(set_feature(d, FEAT_EXIT), 0,
		    "LOW_POWER_EXIT outside low power");
	check_status(d->bdf, "active", "after the failed entries and an EXIT");
	close(devnull);
}

static void test_entry_exit(struct vdev *d, int bar, volatile uint32_t *map)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	uint8_t before[64];
	uint32_t v = 0, m = 0;

	if (sysfs_config_read(d->bdf, before, sizeof(before), 0))
		die("sysfs config");
	CHECK_ERRNO0(set_feature(d, FEAT_ENTRY), 0, "LOW_POWER_ENTRY");
	CHECK_ERRNO0(set_feature(d, FEAT_ENTRY), EINVAL,
		    "LOW_POWER_ENTRY twice");
	CHECK_ERRNO0(wakeup_entry(d, efd), EINVAL,
		    "LOW_POWER_ENTRY_WITH_WAKEUP while in low power");
	close(efd);
	wait_suspended(d->bdf, "LOW_POWER_ENTRY");
	check_power_state(d->bdf, "D3hot", "LOW_POWER_ENTRY");
	check(read_sigbus(map, &m), "low power: an mmap touch raises SIGBUS");
	check(bar_pread(d, bar, &v) == 4,
	      "low power: a BAR pread resumes the function for the access");
	check(read_sigbus(map, &m),
	      "low power: mmap still SIGBUS after that access");
	wait_suspended(d->bdf, "after the pread (no wakeup eventfd)");

	CHECK_ERRNO0(set_feature(d, FEAT_EXIT), 0, "LOW_POWER_EXIT");
	check_status(d->bdf, "active", "LOW_POWER_EXIT");
	check_power_state(d->bdf, "D0", "LOW_POWER_EXIT");
	usleep(300000);
	check_status(d->bdf, "active", "300 ms after LOW_POWER_EXIT");
	check(!read_sigbus(map, &m), "after EXIT: the mapping works");
	check(bar_pread(d, bar, &v) == 4 && v == m,
	      "after EXIT: pread and mapping agree (0x%x, 0x%x)", v, m);
	check(cfg16(d, PCI_COMMAND) & PCI_COMMAND_MEMORY,
	      "after EXIT: memory decode on as the user left it");
	check_config_intact(d, before, "after EXIT");
}

/* a D3hot the user set in PMCSR does not survive low power: D0 after */
static void test_pmcsr(struct vdev *d, int bar, volatile uint32_t *map,
		       unsigned int pm)
{
	uint16_t pmcsr = cfg16(d, pm + PCI_PM_CTRL);
	uint32_t v = 0, m = 0;

	pmcsr = (pmcsr & ~(PCI_PM_CTRL_STATE_MASK | PCI_PM_CTRL_PME_STATUS)) |
		3;
	if (vdev_cfg_write(d, pm + PCI_PM_CTRL, &pmcsr, 2))
		die("PMCSR write");
	check((cfg16(d, pm + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK) == 3,
	      "PMCSR: D3hot set by the user");
	CHECK_ERRNO0(set_feature(d, FEAT_ENTRY), 0,
		    "LOW_POWER_ENTRY from D3hot");
	wait_suspended(d->bdf, "LOW_POWER_ENTRY from D3hot");
	CHECK_ERRNO0(set_feature(d, FEAT_EXIT), 0,
		    "LOW_POWER_EXIT after D3hot");
	check((cfg16(d, pm + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK) == 0,
	      "after EXIT: PMCSR reads D0");
	check(!read_sigbus(map, &m) && bar_pread(d, bar, &v) == 4 && v == m,
	      "after EXIT from D3hot: BAR access works");
}

static void test_wakeup(struct vdev *d, int bar, volatile uint32_t *map)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint32_t v = 0, m = 0;

	CHECK_ERRNO0(wakeup_entry(d, efd), 0,
		    "LOW_POWER_ENTRY_WITH_WAKEUP");
	wait_suspended(d->bdf, "LOW_POWER_ENTRY_WITH_WAKEUP");
	check(eventfd_count(efd) == 0, "wakeup eventfd quiet while asleep");
	check(read_sigbus(map, &m),
	      "low power with wakeup: an mmap touch raises SIGBUS (no wakeup)");
	check(eventfd_count(efd) == 0, "the SIGBUS did not wake it");
	check(bar_pread(d, bar, &v) == 4, "low power with wakeup: BAR pread");
	check(eventfd_count(efd) == 1, "the pread signalled the wakeup eventfd");
	usleep(300000);
	check_status(d->bdf, "active", "300 ms after the wakeup");
	check(!read_sigbus(map, &m), "after the wakeup: the mapping works");
	CHECK_ERRNO0(set_feature(d, FEAT_EXIT), 0,
		    "LOW_POWER_EXIT after the wakeup (no-op)");

	/* an ioctl wakes it too */
	CHECK_ERRNO0(wakeup_entry(d, efd), 0,
		    "LOW_POWER_ENTRY_WITH_WAKEUP again");
	wait_suspended(d->bdf, "LOW_POWER_ENTRY_WITH_WAKEUP again");
	check(!ioctl(d->fd, VFIO_DEVICE_GET_INFO, &info), "GET_INFO");
	check(eventfd_count(efd) == 1, "GET_INFO signalled the wakeup eventfd");
	CHECK_ERRNO0(set_feature(d, FEAT_ENTRY), 0,
		    "LOW_POWER_ENTRY after the wakeup (low power was left)");
	CHECK_ERRNO0(set_feature(d, FEAT_EXIT), 0, "LOW_POWER_EXIT");
	check(eventfd_count(efd) == 0, "EXIT did not signal a plain ENTRY");
	close(efd);
}

static int cmd_lowpower(const char *bdf)
{
	struct vdev d = { .bdf = bdf };
	volatile uint32_t *map;
	uint8_t before[64];
	unsigned int pm;
	uint32_t v = 0, m = 0;
	int bar, efd;

	vdev_open(&d);
	pm = find_pm_cap(&d);
	if (!pm)
		die("%s has no PM capability through VFIO", bdf);
	bar = vdev_largest_mmap_bar(&d);
	if (bar < 0)
		die("%s has no mappable BAR", bdf);
	printf("# PM capability at 0x%x, BAR%d (%llu bytes)\n", pm, bar,
	       (unsigned long long)d.reg[bar].size);
	enable_memory(&d);
	map = map_bar(&d, bar);
	check_status(bdf, "active", "open");
	check(!read_sigbus(map, &m) && bar_pread(&d, bar, &v) == 4 && v == m,
	      "open: mapping and pread agree (0x%x)", v);

	test_probe_and_errnos(&d);
	test_entry_exit(&d, bar, map);
	test_pmcsr(&d, bar, map, pm);
	test_wakeup(&d, bar, map);

	/* closed while in low power with a wakeup eventfd */
	if (sysfs_config_read(bdf, before, sizeof(before), 0))
		die("sysfs config");
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	CHECK_ERRNO0(wakeup_entry(&d, efd), 0,
		    "LOW_POWER_ENTRY_WITH_WAKEUP before close");
	wait_suspended(bdf, "before close");
	munmap((void *)map, d.reg[bar].size);
	vdev_close(&d);
	check(eventfd_count(efd) == 0,
	      "the close did not signal the wakeup eventfd");
	close(efd);
	check_idle(bdf, "closed (idle)");

	memset(&d, 0, sizeof(d));
	d.bdf = bdf;
	vdev_open(&d);
	check_status(bdf, "active", "reopened");
	check_power_state(bdf, "D0", "reopened");
	check_config_intact(&d, before, "reopened");
	enable_memory(&d);
	map = map_bar(&d, bar);
	check(!read_sigbus(map, &m) && bar_pread(&d, bar, &v) == 4 && v == m,
	      "reopened: mapping and pread agree (0x%x)", v);
	CHECK_ERRNO0(set_feature(&d, FEAT_ENTRY), 0,
		    "reopened: LOW_POWER_ENTRY");
	wait_suspended(bdf, "reopened: LOW_POWER_ENTRY");
	CHECK_ERRNO0(set_feature(&d, FEAT_EXIT), 0,
		    "reopened: LOW_POWER_EXIT");
	check(!read_sigbus(map, &m), "reopened: the mapping works after EXIT");
	munmap((void *)map, d.reg[bar].size);
	vdev_close(&d);
	/* every count given back: the closed function sleeps again */
	check_idle(bdf, "closed again (idle)");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[2], "--no-idle-d3"))
		idle_d3 = false;
	else if (argc != 2) {
		fprintf(stderr, "usage: pci-lowpower BDF [--no-idle-d3]\n");
		return 2;
	}
	cmd_lowpower(argv[1]);
	printf("1..%d\n# %d failed\n", tap_tests, tap_failures);
	return tap_status(98);
}
