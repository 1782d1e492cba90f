// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci-irqbypass - every MSI/MSI-X trigger eventfd is an irq-bypass
 * producer while it is set (tests/bats/pci-irqbypass.bats).
 *
 *   pci-irqbypass BDF INDEX     INDEX: msi or msix
 *
 * Without KVM nothing consumes a producer, but irqbypass.ko holds a
 * reference on itself for each registered producer: its refcnt in
 * /sys/module/irqbypass counts them.  Checked through SET_IRQS: enabling
 * N vectors registers N producers; clearing one vector (fd -1)
 * unregisters it, setting it again registers it; the same eventfd on a
 * second vector registers nothing more (irqbypass refuses a token twice,
 * the vector still works as an eventfd); disabling the index, and closing
 * the device, leave none; a few enable/disable cycles leak none.
 *
 * The device must already be bound to vfio-pci.  TAP-like output; the
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
#include <unistd.h>

#include <linux/vfio.h>

#include "pci-util.h"
#include "tap-util.h"

#define MAXVEC	8

static long refcnt(void)
{
	char buf[32] = "";
	long v;
	int fd = open("/sys/module/irqbypass/refcnt", O_RDONLY);

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		die("/sys/module/irqbypass/refcnt: %s (irqbypass not loaded?)",
		    strerror(errno));
	close(fd);
	v = strtol(buf, NULL, 10);
	return v;
}

static int set_irqs(struct vdev *d, uint32_t index, uint32_t start,
		    uint32_t count, const int32_t *fds)
{
	size_t sz = sizeof(struct vfio_irq_set) + count * sizeof(int32_t);
	struct vfio_irq_set *s = calloc(1, sz);
	int ret;

	if (!s)
		die("calloc");
	s->argsz = sz;
	s->flags = VFIO_IRQ_SET_ACTION_TRIGGER |
		   (fds ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE);
	s->index = index;
	s->start = start;
	s->count = count;
	if (fds)
		memcpy(s->data, fds, count * sizeof(int32_t));
	ret = ioctl(d->fd, VFIO_DEVICE_SET_IRQS, s) ? -errno : 0;
	free(s);
	return ret;
}

int main(int argc, char **argv)
{
	struct vfio_irq_info info = { .argsz = sizeof(info) };
	struct vdev d = { 0 };
	int32_t fds[MAXVEC], one;
	long base, now;
	unsigned int n, i;
	uint32_t index;
	int ret, cycle;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3 || (strcmp(argv[2], "msi") && strcmp(argv[2], "msix"))) {
		fprintf(stderr, "usage: pci-irqbypass BDF msi|msix\n");
		return 2;
	}
	d.bdf = argv[1];
	index = strcmp(argv[2], "msi") ? VFIO_PCI_MSIX_IRQ_INDEX :
					 VFIO_PCI_MSI_IRQ_INDEX;
	vdev_open(&d);
	info.index = index;
	if (ioctl(d.fd, VFIO_DEVICE_GET_IRQ_INFO, &info))
		die("GET_IRQ_INFO: %s", strerror(errno));
	n = info.count < MAXVEC ? info.count : MAXVEC;
	if (!n)
		die("%s has no %s vectors", d.bdf, argv[2]);
	for (i = 0; i < n; i++) {
		fds[i] = eventfd(0, EFD_CLOEXEC);
		if (fds[i] < 0)
			die("eventfd: %s", strerror(errno));
	}
	base = refcnt();
	printf("# %s: %u of %u vectors, irqbypass refcnt %ld\n", argv[2], n,
	       info.count, base);

	for (cycle = 0; cycle < 3; cycle++) {
		ret = set_irqs(&d, index, 0, n, fds);
		check(!ret, "cycle %d: enable %u vectors (%s)", cycle, n,
		      ret ? strerror(-ret) : "ok");
		now = refcnt();
		check(now == base + n,
		      "cycle %d: %u producers registered (refcnt %ld -> %ld)",
		      cycle, n, base, now);
		ret = set_irqs(&d, index, 0, 0, NULL);
		check(!ret, "cycle %d: disable (%s)", cycle,
		      ret ? strerror(-ret) : "ok");
		now = refcnt();
		check(now == base, "cycle %d: none left after disable (refcnt %ld)",
		      cycle, now);
	}

	ret = set_irqs(&d, index, 0, n, fds);
	check(!ret, "enable %u vectors again (%s)", n,
	      ret ? strerror(-ret) : "ok");
	one = -1;
	ret = set_irqs(&d, index, 0, 1, &one);
	check(!ret, "clear vector 0 (%s)", ret ? strerror(-ret) : "ok");
	now = refcnt();
	check(now == base + n - 1,
	      "clearing a vector unregisters its producer (refcnt %ld, want %ld)",
	      now, base + n - 1);
	ret = set_irqs(&d, index, 0, 1, &fds[0]);
	check(!ret, "set vector 0 again (%s)", ret ? strerror(-ret) : "ok");
	now = refcnt();
	check(now == base + n,
	      "setting it again registers it (refcnt %ld, want %ld)", now,
	      base + n);
	if (n >= 2) {
		ret = set_irqs(&d, index, 1, 1, &fds[0]);
		check(!ret, "vector 1 takes vector 0's eventfd (%s)",
		      ret ? strerror(-ret) : "ok");
		now = refcnt();
		check(now == base + n - 1,
		      "a token already registered is not registered twice (refcnt %ld, want %ld)",
		      now, base + n - 1);
		ret = set_irqs(&d, index, 1, 1, &fds[1]);
		check(!ret, "vector 1 back to its own eventfd (%s)",
		      ret ? strerror(-ret) : "ok");
		now = refcnt();
		check(now == base + n, "and registered again (refcnt %ld)",
		      now);
	}

	/* the close disables the index: every producer goes */
	vdev_close(&d);
	now = refcnt();
	check(now == base, "none left after the device fd is closed (refcnt %ld)",
	      now);
	for (i = 0; i < n; i++)
		close(fds[i]);
	printf("1..%d\n# %d failed\n", tap_tests, tap_failures);
	return tap_status(98);
}
