// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci-isolation - vfio-pci isolation properties of config space, power
 * state, INTx masking and ROM/BAR reads (tests/bats/pci-isolation.bats).
 *
 *   pci-isolation cmd   BDF       a 1-, 2- or 4-byte COMMAND write that
 *                                 turns memory decode off zaps the BAR
 *                                 mappings (SIGBUS) and makes BAR pread
 *                                 fail with EIO; decode back on, both work
 *   pci-isolation pm    BDF       D3hot through PMCSR: BAR pread EIO, mmap
 *                                 SIGBUS; back to D0: BAR access works and
 *                                 the config state (BARs, command) is intact
 *   pci-isolation intx  BDF SECS  one thread toggles INTx disable through
 *                                 config space while another enables and
 *                                 disables INTx with SET_IRQS
 *   pci-isolation rom   BDF       ROM, BAR and config reads into an
 *                                 unfaulted mapping of the device's own
 *                                 BAR0 complete (no deadlock on the fault);
 *                                 then BAR reads and writes of every size
 *                                 agree with the mapping
 *   pci-isolation barmap BDF SECS two threads make the first BAR0 pread
 *                                 of a fresh device fd at once, again and
 *                                 again: both must read the edu's ID
 *
 * The device must already be bound to vfio-pci.  Expected values come from
 * sysfs (the raw config space), never from the stack under test.  Output
 * is TAP-like; the exit status is the number of failed checks (capped).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "pci-util.h"
#include "tap-util.h"

static uint16_t cfg16(struct vdev *d, unsigned int off)
{
	uint16_t v = 0xdead;

	if (vdev_cfg_read(d, off, &v, 2))
		check(false, "config read of 2 bytes at 0x%x", off);
	return v;
}

static uint8_t cfg8(struct vdev *d, unsigned int off)
{
	uint8_t v = 0xde;

	if (vdev_cfg_read(d, off, &v, 1))
		check(false, "config read of 1 byte at 0x%x", off);
	return v;
}

static uint16_t hw16(struct vdev *d, unsigned int off)
{
	uint16_t v = 0xdead;

	if (sysfs_config_read(d->bdf, &v, 2, off))
		die("sysfs config read at 0x%x", off);
	return v;
}

/* pread of 4 bytes of region @bar at @off: 0 or -errno */
static int bar_pread32(struct vdev *d, int bar, unsigned int off,
		       uint32_t *v)
{
	ssize_t n = pread(d->fd, v, 4, d->reg[bar].offset + off);

	return n == 4 ? 0 : (n < 0 ? -errno : -EIO);
}

static volatile uint32_t *map_bar(struct vdev *d, int bar)
{
	void *p;

	if (!(d->reg[bar].flags & VFIO_REGION_INFO_FLAG_MMAP))
		die("BAR%d cannot be mapped", bar);
	p = mmap(NULL, d->reg[bar].size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 d->fd, d->reg[bar].offset);
	if (p == MAP_FAILED)
		die("mmap BAR%d", bar);
	return p;
}

static unsigned int find_cap(struct vdev *d, uint8_t id)
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

/* memory decode on, as the user sees the command register */
static void enable_memory(struct vdev *d)
{
	uint16_t cmd = cfg16(d, PCI_COMMAND) | PCI_COMMAND_MEMORY;

	if (vdev_cfg_write(d, PCI_COMMAND, &cmd, 2))
		die("enable memory decode");
}

/* ------------------------------------------------------------ cmd */

/*
 * Write the COMMAND register with @size bytes at offset 4 (4 bytes cover
 * STATUS too, whose bits are not writable through VFIO).
 */
static int write_cmd(struct vdev *d, uint16_t cmd, int size)
{
	uint32_t v = cmd;

	return vdev_cfg_write(d, PCI_COMMAND, &v, size);
}

static void decode_off_on(struct vdev *d, volatile uint32_t *bar0,
			  uint32_t id, int size)
{
	uint16_t cmd = cfg16(d, PCI_COMMAND);
	uint32_t v = 0;
	int ret;

	bool bus;

	/* fault the mapping in while decode is on */
	bus = read_sigbus(bar0, &v);
	check(!bus && v == id,
	      "%d-byte: BAR0 mapping reads the ID register before (0x%08x)",
	      size, v);

	ret = write_cmd(d, cmd & ~PCI_COMMAND_MEMORY, size);
	check(!ret, "%d-byte COMMAND write clearing memory decode (%s)",
	      size, strerror(-ret));
	check(!(hw16(d, PCI_COMMAND) & PCI_COMMAND_MEMORY),
	      "%d-byte: memory decode is off in hardware (cmd 0x%04x)", size,
	      hw16(d, PCI_COMMAND));
	check(!(cfg16(d, PCI_COMMAND) & PCI_COMMAND_MEMORY),
	      "%d-byte: memory decode reads back off through VFIO", size);
	v = 0;
	ret = bar_pread32(d, 0, 0, &v);
	check(ret == -EIO, "%d-byte: BAR0 pread with decode off fails with EIO (ret %s, value 0x%08x)",
	      size, ret ? strerror(-ret) : "success", v);
	v = 0;
	bus = read_sigbus(bar0, &v);
	check(bus,
	      "%d-byte: the BAR0 mapping was zapped: touching it raises SIGBUS (read 0x%08x)",
	      size, v);

	ret = write_cmd(d, cmd | PCI_COMMAND_MEMORY, size);
	check(!ret, "%d-byte COMMAND write setting memory decode (%s)", size,
	      strerror(-ret));
	check(hw16(d, PCI_COMMAND) & PCI_COMMAND_MEMORY,
	      "%d-byte: memory decode is on in hardware again", size);
	v = 0;
	ret = bar_pread32(d, 0, 0, &v);
	check(!ret && v == id, "%d-byte: BAR0 pread works again (0x%08x)",
	      size, v);
	v = 0;
	bus = read_sigbus(bar0, &v);
	check(!bus && v == id,
	      "%d-byte: the BAR0 mapping works again (0x%08x)", size, v);
}

static int cmd_cmd(const char *bdf)
{
	struct vdev d = { .bdf = bdf };
	volatile uint32_t *bar0;
	uint32_t id = 0;

	vdev_open(&d);
	enable_memory(&d);
	if (bar_pread32(&d, 0, 0, &id))
		die("pread BAR0");
	check(id != 0xffffffff, "BAR0 register 0 reads 0x%08x", id);
	bar0 = map_bar(&d, 0);
	decode_off_on(&d, bar0, id, 1);
	decode_off_on(&d, bar0, id, 2);
	decode_off_on(&d, bar0, id, 4);
	munmap((void *)bar0, d.reg[0].size);
	vdev_close(&d);
	return 0;
}

/* ------------------------------------------------------------ pm */

static void set_state(struct vdev *d, unsigned int pm, int state, int size)
{
	uint16_t pmcsr = cfg16(d, pm + PCI_PM_CTRL);
	uint32_t v;
	int ret;

	/* PME status is write-1-to-clear: leave it alone */
	v = (pmcsr & ~(PCI_PM_CTRL_STATE_MASK | PCI_PM_CTRL_PME_STATUS)) |
	    state;
	ret = vdev_cfg_write(d, pm + PCI_PM_CTRL, &v, size);
	check(!ret, "%d-byte PMCSR write of D%d (%s)", size, state,
	      strerror(-ret));
}

static void pm_cycle(struct vdev *d, unsigned int pm, int bar,
		     volatile uint32_t *map, int size)
{
	uint8_t hw_before[0x40], hw_after[0x40];
	uint32_t v0 = 0, v = 0;
	uint16_t st;
	bool bus;
	int ret;

	if (sysfs_config_read(d->bdf, hw_before, sizeof(hw_before), 0))
		die("sysfs config");
	ret = bar_pread32(d, bar, 0, &v0);
	check(!ret, "BAR%d pread in D0 (0x%08x)", bar, v0);
	bus = read_sigbus(map, &v);
	check(!bus && v == v0,
	      "BAR%d mapping in D0 reads what pread read (0x%08x)", bar, v);

	set_state(d, pm, 3, size);
	st = cfg16(d, pm + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK;
	check(st == 3, "%d-byte: PMCSR reads D3hot through VFIO (D%d)", size,
	      st);
	st = hw16(d, pm + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK;
	check(st == 3, "%d-byte: the function is in D3hot (sysfs PMCSR D%d)",
	      size, st);
	v = 0;
	ret = bar_pread32(d, bar, 0, &v);
	check(ret == -EIO, "%d-byte: BAR%d pread in D3hot fails with EIO (ret %s, value 0x%08x)",
	      size, bar, ret ? strerror(-ret) : "success", v);
	v = 0;
	bus = read_sigbus(map, &v);
	check(bus,
	      "%d-byte: BAR%d mapping in D3hot raises SIGBUS (read 0x%08x)",
	      size, bar, v);

	set_state(d, pm, 0, size);
	st = cfg16(d, pm + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK;
	check(st == 0, "%d-byte: PMCSR reads D0 again (D%d)", size, st);
	st = hw16(d, pm + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK;
	check(st == 0, "%d-byte: the function is in D0 (sysfs PMCSR D%d)",
	      size, st);
	v = 0;
	ret = bar_pread32(d, bar, 0, &v);
	check(!ret && v == v0, "%d-byte: BAR%d pread back in D0 (%s, 0x%08x)",
	      size, bar, ret ? strerror(-ret) : "ok", v);
	v = 0;
	bus = read_sigbus(map, &v);
	check(!bus && v == v0,
	      "%d-byte: BAR%d mapping back in D0 (0x%08x)", size, bar, v);

	if (sysfs_config_read(d->bdf, hw_after, sizeof(hw_after), 0))
		die("sysfs config");
	check(!memcmp(hw_before + PCI_BASE_ADDRESS_0,
		      hw_after + PCI_BASE_ADDRESS_0, 24),
	      "%d-byte: the hardware BARs are intact after D3hot -> D0", size);
	check(((hw_before[PCI_COMMAND] ^ hw_after[PCI_COMMAND]) &
	       (PCI_COMMAND_MEMORY | PCI_COMMAND_IO |
		PCI_COMMAND_MASTER)) == 0,
	      "%d-byte: the hardware command register is intact (0x%02x -> 0x%02x)",
	      size, hw_before[PCI_COMMAND], hw_after[PCI_COMMAND]);
}

static int cmd_pm(const char *bdf)
{
	struct vdev d = { .bdf = bdf };
	volatile uint32_t *map;
	unsigned int pm;
	int bar;

	vdev_open(&d);
	pm = find_cap(&d, PCI_CAP_ID_PM);
	if (!pm)
		die("%s has no PM capability through VFIO", bdf);
	bar = vdev_largest_mmap_bar(&d);
	if (bar < 0)
		die("%s has no mappable BAR", bdf);
	printf("# PM capability at 0x%x, BAR%d (%llu bytes)\n", pm, bar,
	       (unsigned long long)d.reg[bar].size);
	enable_memory(&d);
	map = map_bar(&d, bar);
	pm_cycle(&d, pm, bar, map, 2);
	pm_cycle(&d, pm, bar, map, 1);
	pm_cycle(&d, pm, bar, map, 4);
	munmap((void *)map, d.reg[bar].size);
	vdev_close(&d);
	return 0;
}

/* ------------------------------------------------------------ intx */

struct race {
	struct vdev *d;
	volatile bool stop;
	unsigned long loops;
	int errors;
	char err[128];
};

static int set_irqs(struct vdev *d, uint32_t flags, uint32_t index,
		    uint32_t count, const int32_t *fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;

	memset(buf, 0, sizeof(buf));
	s->argsz = sizeof(*s) + (fd ? sizeof(*fd) : 0);
	s->flags = flags;
	s->index = index;
	s->start = 0;
	s->count = count;
	if (fd)
		memcpy(s->data, fd, sizeof(*fd));
	return ioctl(d->fd, VFIO_DEVICE_SET_IRQS, s);
}

/* toggle INTx disable: 1-byte writes at 5 and 2-byte writes at 4 */
static void *toggler(void *arg)
{
	struct race *r = arg;
	uint16_t cmd = cfg16(r->d, PCI_COMMAND);

	while (!r->stop) {
		uint16_t c = cmd ^ (r->loops & 1 ? PCI_COMMAND_INTX_DISABLE : 0);
		uint8_t hi = c >> 8;
		int ret = (r->loops & 2) ?
			  vdev_cfg_write(r->d, PCI_COMMAND, &c, 2) :
			  vdev_cfg_write(r->d, PCI_COMMAND + 1, &hi, 1);

		if (ret && !r->errors++)
			snprintf(r->err, sizeof(r->err), "config write: %s",
				 strerror(-ret));
		r->loops++;
	}
	return NULL;
}

/* INTx trigger on, then off (count 0 frees the interrupt context) */
static void *irqer(void *arg)
{
	struct race *r = arg;
	int32_t efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	while (!r->stop) {
		if (set_irqs(r->d, VFIO_IRQ_SET_DATA_EVENTFD |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_INTX_IRQ_INDEX, 1, &efd) &&
		    !r->errors++)
			snprintf(r->err, sizeof(r->err), "INTx on: %s",
				 strerror(errno));
		if (set_irqs(r->d, VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_TRIGGER,
			     VFIO_PCI_INTX_IRQ_INDEX, 0, NULL) &&
		    !r->errors++)
			snprintf(r->err, sizeof(r->err), "INTx off: %s",
				 strerror(errno));
		r->loops++;
	}
	close(efd);
	return NULL;
}

static int cmd_intx(const char *bdf, int secs)
{
	struct vfio_irq_info info = { .argsz = sizeof(info),
				      .index = VFIO_PCI_INTX_IRQ_INDEX };
	struct vdev d = { .bdf = bdf };
	struct race rt = { .d = &d }, ri = { .d = &d };
	struct pollfd p;
	pthread_t t1, t2;
	uint16_t cmd;
	uint64_t cnt = 0;
	int32_t efd;

	vdev_open(&d);
	if (ioctl(d.fd, VFIO_DEVICE_GET_IRQ_INFO, &info) || info.count != 1)
		die("%s has no INTx", bdf);
	if (pthread_create(&t1, NULL, toggler, &rt) ||
	    pthread_create(&t2, NULL, irqer, &ri))
		die("pthread_create");
	sleep(secs);
	rt.stop = ri.stop = true;
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	printf("# %lu INTx disable toggles, %lu INTx enable/disable cycles\n",
	       rt.loops, ri.loops);
	check(!rt.errors, "config writes all succeeded (%d errors%s%s)",
	      rt.errors, rt.errors ? ": " : "", rt.err);
	check(!ri.errors, "SET_IRQS all succeeded (%d errors%s%s)",
	      ri.errors, ri.errors ? ": " : "", ri.err);
	check(rt.loops > 10 && ri.loops > 10, "both threads ran");

	/* INTx still works: INTx disable clear, loopback trigger */
	cmd = cfg16(&d, PCI_COMMAND) & ~PCI_COMMAND_INTX_DISABLE;
	check(!vdev_cfg_write(&d, PCI_COMMAND, &cmd, 2), "INTx disable cleared");
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	check(!set_irqs(&d, VFIO_IRQ_SET_DATA_EVENTFD |
			VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_INTX_IRQ_INDEX,
			1, &efd), "INTx eventfd set after the race");
	check(!set_irqs(&d, VFIO_IRQ_SET_DATA_NONE |
			VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_INTX_IRQ_INDEX,
			1, NULL), "INTx loopback trigger");
	p.fd = efd;
	p.events = POLLIN;
	if (poll(&p, 1, 1000) == 1 && read(efd, &cnt, sizeof(cnt)) != 8)
		cnt = 0;
	check(cnt == 1, "INTx loopback signalled the eventfd (%llu)",
	      (unsigned long long)cnt);
	check(!set_irqs(&d, VFIO_IRQ_SET_DATA_NONE |
			VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_INTX_IRQ_INDEX,
			0, NULL), "INTx disabled");
	close(efd);
	vdev_close(&d);
	return 0;
}

/* ------------------------------------------------------------ rom */

/*
 * BAR pread/pwrite of every access size against the mapping, over @len
 * bytes of plain storage at BAR0 + @off (the e1000's multicast table).
 * The e1000 implements only aligned 32-bit accesses: QEMU widens a
 * smaller write (zeroing the rest of the dword) and answers a smaller
 * read at offset k of a dword with the dword's low bytes.  So writes are
 * whole dwords (4, 8 and 16 bytes), reads of 4, 8 and 16 bytes must
 * return the pattern, and 1- and 2-byte reads at every offset they can
 * take must return what a CPU load of the same size at the same address
 * of the mapping returns: one device access of that size, as stock.
 */
static void bar_sizes(struct vdev *d, unsigned int off, unsigned int len)
{
	static const unsigned int wsizes[] = { 4, 8, 16, 4, 8, 4 };
	static const unsigned int rsizes[] = { 1, 2, 4, 8, 16 };
	volatile uint32_t *map = map_bar(d, 0);
	volatile uint8_t *m8 = (volatile uint8_t *)map + off;
	uint64_t base = d->reg[0].offset + off;
	uint8_t pat[64], got[16], want[16];
	unsigned int i, at, n, bad = 0, reads = 0;
	char err[96] = "";

	if (len < sizeof(pat))
		die("bar_sizes needs %zu bytes", sizeof(pat));
	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 37 + 11);
	for (at = 0, i = 0; at < sizeof(pat); at += n, i++) {
		n = wsizes[i % 6];
		if (pwrite(d->fd, pat + at, n, base + at) != (ssize_t)n && !bad++)
			snprintf(err, sizeof(err), "pwrite of %u at +%u: %s", n, at,
				 strerror(errno));
	}
	for (i = 0; i < sizeof(pat) / 4; i++) {
		uint32_t v = map[(off / 4) + i], w;

		memcpy(&w, pat + 4 * i, 4);
		if (v != w && !bad++)
			snprintf(err, sizeof(err), "mapping dword %u: 0x%08x, wrote 0x%08x",
				 i, v, w);
	}
	check(!bad, "BAR pwrite of 4, 8 and 16 bytes lands as written (%s)",
	      bad ? err : "the mapping agrees");

	bad = 0;
	for (i = 0; i < sizeof(rsizes) / sizeof(rsizes[0]); i++) {
		n = rsizes[i];
		for (at = 0; at + n <= sizeof(pat); at += n < 4 ? n : 4) {
			ssize_t r = pread(d->fd, got, n, base + at);

			if (n == 1) {
				want[0] = m8[at];
			} else if (n == 2) {
				uint16_t v = *(volatile uint16_t *)(m8 + at);

				memcpy(want, &v, 2);
			} else {
				memcpy(want, pat + at, n);
			}
			reads++;
			if ((r != (ssize_t)n || memcmp(got, want, n)) && !bad++)
				snprintf(err, sizeof(err), "pread of %u at +%u: %zd%s",
					 n, at, r, r == (ssize_t)n ? ", wrong data" : "");
		}
	}
	check(!bad, "%u BAR preads of 1, 2, 4, 8 and 16 bytes at every offset they can take match (%s)",
	      reads, bad ? err : "all");
	munmap((void *)map, d->reg[0].size);
}

/* a fresh (never touched) shared mapping of BAR0 */
static int cmd_rom(const char *bdf, unsigned int off, unsigned int len)
{
	struct vdev d = { .bdf = bdf };
	struct vfio_region_info *rom;
	volatile uint32_t *map;
	uint8_t *buf;
	ssize_t n;

	vdev_open(&d);
	rom = &d.reg[VFIO_PCI_ROM_REGION_INDEX];
	if (!(rom->flags & VFIO_REGION_INFO_FLAG_READ) || rom->size < len)
		die("%s has no readable ROM of %u bytes", bdf, len);
	if (d.reg[0].size < off + len)
		die("BAR0 too small");
	enable_memory(&d);

	buf = malloc(len);
	if (!buf)
		die("malloc");
	n = pread(d.fd, buf, len, rom->offset);
	check(n == (ssize_t)len && buf[0] == 0x55 && buf[1] == 0xaa,
	      "ROM read into plain memory: %zd bytes, signature %02x %02x",
	      n, buf[0], buf[1]);

	/* each destination a fresh, never-faulted mapping of BAR0 */
	map = map_bar(&d, 0);
	n = pread(d.fd, (char *)map + off, len, rom->offset);
	check(n == (ssize_t)len,
	      "ROM read into an unfaulted mapping of BAR0 (+0x%x): %zd (%s)",
	      off, n, n < 0 ? strerror(errno) : "-");
	munmap((void *)map, d.reg[0].size);

	map = map_bar(&d, 0);
	n = pread(d.fd, (char *)map + off, len, d.reg[0].offset + off);
	check(n == (ssize_t)len,
	      "BAR0 read into an unfaulted mapping of BAR0 (+0x%x): %zd (%s)",
	      off, n, n < 0 ? strerror(errno) : "-");
	munmap((void *)map, d.reg[0].size);

	map = map_bar(&d, 0);
	n = pread(d.fd, (char *)map + off, 64,
		  d.reg[VFIO_PCI_CONFIG_REGION_INDEX].offset);
	check(n == 64,
	      "config read into an unfaulted mapping of BAR0: %zd (%s)", n,
	      n < 0 ? strerror(errno) : "-");
	munmap((void *)map, d.reg[0].size);

	/* and a config write from one (interrupt line: virtual, harmless) */
	map = map_bar(&d, 0);
	n = pwrite(d.fd, (char *)map + off, 1,
		   d.reg[VFIO_PCI_CONFIG_REGION_INDEX].offset +
		   PCI_INTERRUPT_LINE);
	check(n == 1,
	      "config write from an unfaulted mapping of BAR0: %zd (%s)", n,
	      n < 0 ? strerror(errno) : "-");
	munmap((void *)map, d.reg[0].size);

	bar_sizes(&d, off, len);
	free(buf);
	vdev_close(&d);
	return 0;
}

/* ------------------------------------------------------------ barmap */

struct first_read {
	struct vdev *d;
	pthread_barrier_t *go, *done;
	volatile bool stop;
	int ret;
	uint32_t val;
};

/* on each "go", one BAR0 pread; the result is read after "done" */
static void *first_reader(void *arg)
{
	struct first_read *r = arg;

	for (;;) {
		pthread_barrier_wait(r->go);
		if (r->stop)
			return NULL;
		r->val = 0;
		r->ret = bar_pread32(r->d, 0, EDU_ID, &r->val);
		pthread_barrier_wait(r->done);
	}
}

/*
 * The first access to a BAR after the device is opened requests and maps
 * it (vfio_pci_setup_barmap()).  Two threads doing that at once must
 * both succeed: unserialized, the loser finds the region already
 * requested and fails with EBUSY (stock has this race on 6.1 and 6.12).
 */
static int cmd_barmap(const char *bdf, int secs)
{
	pthread_barrier_t go, done;
	struct vdev d = { .bdf = bdf };
	struct first_read r[2] = {
		{ .d = &d, .go = &go, .done = &done },
		{ .d = &d, .go = &go, .done = &done },
	};
	unsigned long rounds = 0, bad = 0;
	char err[128] = "";
	pthread_t t[2];
	time_t end, hard_end;
	int i;

	d.container = -1;
	vdev_open_group(&d, &d.container, true);
	if (pthread_barrier_init(&go, NULL, 3) ||
	    pthread_barrier_init(&done, NULL, 3))
		die("pthread_barrier_init");
	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, first_reader, &r[i]))
			die("pthread_create");
	/*
	 * SECS seconds and at least 10 rounds: a round opens the device
	 * (a reset), which on a debug kernel under TCG takes half a second.
	 * Four times SECS at most, so a slow open fails the rounds check.
	 */
	end = time(NULL) + secs;
	hard_end = end + 3 * secs;
	while ((time(NULL) < end || rounds < 10) && time(NULL) < hard_end) {
		vdev_open_fd(&d, bdf);
		enable_memory(&d);
		pthread_barrier_wait(&go);
		pthread_barrier_wait(&done);
		for (i = 0; i < 2; i++) {
			if (!r[i].ret && r[i].val == EDU_ID_VALUE)
				continue;
			if (!bad++)
				snprintf(err, sizeof(err), "round %lu: %s, read 0x%08x",
					 rounds, r[i].ret ? strerror(-r[i].ret) : "ok",
					 r[i].val);
		}
		close(d.fd);
		d.fd = -1;
		rounds++;
	}
	r[0].stop = r[1].stop = true;
	pthread_barrier_wait(&go);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("# %lu rounds of two first BAR0 reads on a fresh device fd\n",
	       rounds);
	check(rounds >= 10, "at least 10 rounds ran (%lu)", rounds);
	check(!bad, "every first read of BAR0 returned the edu ID (%lu bad%s%s)",
	      bad, bad ? "; first: " : "", err);
	vdev_close(&d);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "cmd"))
		cmd_cmd(argv[2]);
	else if (argc == 3 && !strcmp(argv[1], "pm"))
		cmd_pm(argv[2]);
	else if (argc == 4 && !strcmp(argv[1], "intx"))
		cmd_intx(argv[2], atoi(argv[3]));
	else if (argc == 4 && !strcmp(argv[1], "barmap"))
		cmd_barmap(argv[2], atoi(argv[3]));
	else if (argc == 5 && !strcmp(argv[1], "rom"))
		cmd_rom(argv[2], strtoul(argv[3], NULL, 0),
			strtoul(argv[4], NULL, 0));
	else {
		fprintf(stderr, "usage: pci-isolation cmd|pm BDF | intx|barmap BDF SECS | rom BDF BAR0_OFFSET LEN\n");
		return 2;
	}
	printf("1..%d\n# %d failed\n", tap_tests, tap_failures);
	return tap_status(98);
}
