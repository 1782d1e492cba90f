// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci-msix-grow - MSI-X vectors added while MSI-X is enabled, and the MSI-X
 * BAR's region capabilities (tests/bats/pci-msix.bats).
 *
 *   pci-msix-grow BDF 6.1|6.12
 *
 * The second argument names the stock behaviour to expect:
 *
 * 6.1   GET_IRQ_INFO sets NORESIZE on MSI-X; any SET_IRQS on a vector past
 *       those enabled is EINVAL (an eventfd, fd -1 or a loopback trigger)
 *       and leaves the enabled vectors as they were; growing means
 *       disabling and enabling again with more vectors (what QEMU does).
 * 6.12  the MSI-X domain allocates vectors dynamically (x86 vector domain
 *       and intel-iommu interrupt remapping: pci_msix_can_alloc_dyn()), so
 *       NORESIZE is clear and an eventfd on a vector past those enabled
 *       allocates it, MSI-X staying enabled: the vectors already there keep
 *       their Linux irq; fd -1 or a loopback trigger there is a no-op.
 *
 * Each vector is checked through the loopback trigger (SET_IRQS DATA_NONE
 * fires the vector's eventfd through vfio-pci, proving it is wired) and
 * through /proc/interrupts (vfio-msix[N](BDF) lines and their irqs).
 * Region capabilities: the BAR holding the MSI-X table, and only it, has
 * VFIO_REGION_INFO_CAP_MSIX_MAPPABLE; no BAR has a sparse-mmap capability
 * (the whole BAR is mmappable), and the page of the table does mmap.
 *
 * The device must already be bound to vfio-pci and have 3 or more MSI-X
 * vectors.  TAP-like output; the exit status is the number of failed
 * checks (capped).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "pci-util.h"
#include "tap-util.h"

#define MAXVEC	8

static struct vdev d;
static const char *bdf;

static int set_irqs(uint32_t flags, uint32_t start, uint32_t count,
		    const int32_t *fds)
{
	size_t sz = sizeof(struct vfio_irq_set) +
		    (fds ? count * sizeof(int32_t) : 0);
	struct vfio_irq_set *s = calloc(1, sz);
	int ret;

	if (!s)
		die("calloc");
	s->argsz = sz;
	s->flags = VFIO_IRQ_SET_ACTION_TRIGGER | flags;
	s->index = VFIO_PCI_MSIX_IRQ_INDEX;
	s->start = start;
	s->count = count;
	if (fds)
		memcpy(s->data, fds, count * sizeof(int32_t));
	ret = ioctl(d.fd, VFIO_DEVICE_SET_IRQS, s) ? errno : 0;
	free(s);
	return ret;
}

static int set_fds(uint32_t start, uint32_t count, const int32_t *fds)
{
	return set_irqs(VFIO_IRQ_SET_DATA_EVENTFD, start, count, fds);
}

static int loopback(uint32_t start, uint32_t count)
{
	return set_irqs(VFIO_IRQ_SET_DATA_NONE, start, count, NULL);
}

/* fired - has eventfd FD been signalled?  Consumes the count. */
static bool fired(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, 1000) != 1)
		return false;
	return read(fd, &v, sizeof(v)) == sizeof(v) && v > 0;
}

/* vec_irqs - the Linux irq of each vfio-msix[N](BDF) line, 0: no line */
static int vec_irqs(int irq[MAXVEC])
{
	char line[4096], tag[64];
	int i, n = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		die("/proc/interrupts: %s", strerror(errno));
	for (i = 0; i < MAXVEC; i++)
		irq[i] = 0;
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; i < MAXVEC; i++) {
			snprintf(tag, sizeof(tag), "vfio-msix[%d](%s)", i, bdf);
			if (strstr(line, tag)) {
				irq[i] = atoi(line);
				n++;
				break;
			}
		}
	}
	fclose(f);
	return n;
}

static const char *err(int e)
{
	return e ? strerror(e) : "ok";
}

/* the capability IDs in region INDEX's chain, as a bit mask by ID */
static unsigned int region_caps(unsigned int index, uint32_t *flags)
{
	struct vfio_region_info *ri;
	struct vfio_info_cap_header *h;
	unsigned int mask = 0;
	uint32_t off;
	size_t sz = 4096;

	ri = calloc(1, sz);
	if (!ri)
		die("calloc");
	ri->argsz = sz;
	ri->index = index;
	if (ioctl(d.fd, VFIO_DEVICE_GET_REGION_INFO, ri))
		die("GET_REGION_INFO %u: %s", index, strerror(errno));
	*flags = ri->flags;
	if (ri->flags & VFIO_REGION_INFO_FLAG_CAPS) {
		for (off = ri->cap_offset; off; off = h->next) {
			if (off + sizeof(*h) > sz)
				die("region %u: capability at %u", index, off);
			h = (struct vfio_info_cap_header *)((char *)ri + off);
			if (h->id < 32)
				mask |= 1u << h->id;
		}
	}
	free(ri);
	return mask;
}

/* the config offset of BDF's MSI-X capability, 0 if none */
static unsigned int msix_cap_of(const char *dev)
{
	uint8_t pos = 0, hdr[2];
	int guard = 48;

	sysfs_config_read(dev, &pos, 1, PCI_CAPABILITY_LIST);
	while (pos >= 0x40 && guard--) {
		sysfs_config_read(dev, hdr, 2, pos);
		if (hdr[0] == PCI_CAP_ID_MSIX)
			return pos;
		pos = hdr[1] & ~3;
	}
	return 0;
}

static void check_region_caps(void)
{
	unsigned int cap = msix_cap_of(bdf);
	uint32_t table, flags, bir;
	unsigned int i, caps;
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	if (!cap)
		die("%s has no MSI-X capability", bdf);
	sysfs_config_read(bdf, &table, 4, cap + PCI_MSIX_TABLE);
	bir = table & PCI_MSIX_TABLE_BIR;
	for (i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX;
	     i++) {
		caps = region_caps(i, &flags);
		if (i == bir) {
			check((flags & VFIO_REGION_INFO_FLAG_MMAP) &&
			      (flags & VFIO_REGION_INFO_FLAG_CAPS) &&
			      (caps & (1u << VFIO_REGION_INFO_CAP_MSIX_MAPPABLE)),
			      "BAR%u holds the MSI-X table: MMAP and MSIX_MAPPABLE (flags 0x%x, caps 0x%x)",
			      i, flags, caps);
		} else {
			check(!(caps & (1u << VFIO_REGION_INFO_CAP_MSIX_MAPPABLE)),
			      "BAR%u: no MSIX_MAPPABLE (caps 0x%x)", i, caps);
		}
		check(!(caps & (1u << VFIO_REGION_INFO_CAP_SPARSE_MMAP)),
		      "BAR%u: no sparse-mmap capability, the whole BAR maps (caps 0x%x)",
		      i, caps);
	}
	/* what MSIX_MAPPABLE promises: the table's own page maps */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, d.fd,
		 d.reg[bir].offset + ((table & PCI_MSIX_TABLE_OFFSET) & ~(page - 1)));
	check(p != MAP_FAILED, "mmap of the MSI-X table's page of BAR%u (%s)",
	      bir, p == MAP_FAILED ? strerror(errno) : "ok");
	if (p != MAP_FAILED)
		munmap(p, page);
}

int main(int argc, char **argv)
{
	struct vfio_irq_info info = { .argsz = sizeof(info) };
	int32_t fds[MAXVEC], minus1 = -1;
	int irq0[MAXVEC], irq[MAXVEC];
	unsigned int n, i;
	bool dyn;
	int ret, lines;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3 || (strcmp(argv[2], "6.1") && strcmp(argv[2], "6.12"))) {
		fprintf(stderr, "usage: pci-msix-grow BDF 6.1|6.12\n");
		return 2;
	}
	bdf = d.bdf = argv[1];
	dyn = !strcmp(argv[2], "6.12");
	vdev_open(&d);

	check_region_caps();

	info.index = VFIO_PCI_MSIX_IRQ_INDEX;
	if (ioctl(d.fd, VFIO_DEVICE_GET_IRQ_INFO, &info))
		die("GET_IRQ_INFO: %s", strerror(errno));
	n = info.count < MAXVEC ? info.count : MAXVEC;
	if (n < 3)
		die("%s has %u MSI-X vectors, 3 needed", bdf, info.count);
	printf("# MSI-X: %u vectors, flags 0x%x\n", info.count, info.flags);
	if (dyn)
		check(info.flags == VFIO_IRQ_INFO_EVENTFD,
		      "MSI-X IRQ info: EVENTFD without NORESIZE, vectors allocate while enabled (0x%x)",
		      info.flags);
	else
		check(info.flags == (VFIO_IRQ_INFO_EVENTFD |
				     VFIO_IRQ_INFO_NORESIZE),
		      "MSI-X IRQ info: EVENTFD|NORESIZE (0x%x)", info.flags);
	for (i = 0; i < n; i++) {
		fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (fds[i] < 0)
			die("eventfd: %s", strerror(errno));
	}

	/* one vector */
	ret = set_fds(0, 1, fds);
	check(!ret, "enable MSI-X with vector 0 only (%s)", err(ret));
	lines = vec_irqs(irq0);
	check(lines == 1 && irq0[0] > 0,
	      "/proc/interrupts: vfio-msix[0](%s) only (%d lines, irq %d)",
	      bdf, lines, irq0[0]);
	ret = loopback(0, 1);
	check(!ret && fired(fds[0]), "loopback trigger fires vector 0 (%s)",
	      err(ret));

	/* past the enabled range: fd -1 and loopback */
	ret = set_fds(1, 1, &minus1);
	check(ret == (dyn ? 0 : EINVAL),
	      "fd -1 on vector 1, not enabled: %s (want %s)", err(ret),
	      err(dyn ? 0 : EINVAL));
	ret = loopback(1, 1);
	check(ret == (dyn ? 0 : EINVAL) && !fired(fds[1]),
	      "loopback on vector 1, not enabled: %s (want %s), nothing fired",
	      err(ret), err(dyn ? 0 : EINVAL));

	/* a new vector past the enabled range, leaving a hole */
	ret = set_fds(2, 1, &fds[2]);
	check(ret == (dyn ? 0 : EINVAL),
	      "eventfd on vector 2 while only vector 0 is enabled: %s (want %s)",
	      err(ret), err(dyn ? 0 : EINVAL));
	lines = vec_irqs(irq);
	if (dyn) {
		check(lines == 2 && irq[0] == irq0[0] && irq[2] > 0 &&
		      irq[2] != irq0[0] && !irq[1],
		      "vector 2 allocated, vector 0 kept irq %d, no vector 1 (irqs %d %d %d)",
		      irq0[0], irq[0], irq[1], irq[2]);
		ret = loopback(2, 1);
		check(!ret && fired(fds[2]) && !fired(fds[0]),
		      "loopback trigger fires vector 2 alone (%s)", err(ret));
	} else {
		check(lines == 1 && irq[0] == irq0[0],
		      "the failed call left vector 0 alone (%d lines, irq %d -> %d)",
		      lines, irq0[0], irq[0]);
	}

	/* grow to every vector in one call */
	ret = set_fds(0, n, fds);
	check(ret == (dyn ? 0 : EINVAL),
	      "eventfds on vectors 0-%u while enabled: %s (want %s)", n - 1,
	      err(ret), err(dyn ? 0 : EINVAL));
	if (!dyn) {
		lines = vec_irqs(irq);
		check(lines == 1 && irq[0] == irq0[0],
		      "the failed call left vector 0 alone (%d lines, irq %d -> %d)",
		      lines, irq0[0], irq[0]);
		ret = loopback(0, 1);
		check(!ret && fired(fds[0]),
		      "vector 0 still fires after the refused growth (%s)",
		      err(ret));
		/* what a VMM does on 6.1: disable, enable with more */
		ret = set_irqs(VFIO_IRQ_SET_DATA_NONE, 0, 0, NULL);
		check(!ret, "disable MSI-X (%s)", err(ret));
		ret = set_fds(0, n, fds);
		check(!ret, "enable MSI-X again with %u vectors (%s)", n,
		      err(ret));
	}
	lines = vec_irqs(irq);
	check(lines == (int)n, "/proc/interrupts: %u vfio-msix lines (%d)", n,
	      lines);
	for (i = 0; i < n; i++)
		printf("# vfio-msix[%u](%s): irq %d\n", i, bdf, irq[i]);
	if (dyn)
		check(irq[0] == irq0[0],
		      "vector 0 kept its irq while MSI-X grew (%d -> %d)",
		      irq0[0], irq[0]);
	for (i = 1; i < n; i++)
		check(irq[i] > 0 && irq[i] != irq[i - 1],
		      "vector %u has an irq of its own (%d)", i, irq[i]);
	ret = loopback(0, n);
	check(!ret, "loopback trigger on vectors 0-%u (%s)", n - 1, err(ret));
	for (i = 0; i < n; i++)
		check(fired(fds[i]), "vector %u's eventfd fired", i);

	/* shrinking the set of eventfds keeps MSI-X enabled */
	ret = set_fds(n - 1, 1, &minus1);
	check(!ret, "fd -1 on vector %u (%s)", n - 1, err(ret));
	lines = vec_irqs(irq);
	check(lines == (int)n - 1 && !irq[n - 1],
	      "vector %u's handler is gone, %u left (%d)", n - 1, n - 1, lines);

	ret = set_irqs(VFIO_IRQ_SET_DATA_NONE, 0, 0, NULL);
	check(!ret, "disable MSI-X (%s)", err(ret));
	lines = vec_irqs(irq);
	check(lines == 0, "no vfio-msix line of %s left (%d)", bdf, lines);
	vdev_close(&d);
	for (i = 0; i < n; i++)
		close(fds[i]);
	printf("1..%d\n# %d failed\n", tap_tests, tap_failures);
	return tap_status(98);
}
