// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci-sriov - vfio-pci on SR-IOV functions (QEMU's NVMe controller with
 * sriov_max_vfs, tests/vm/run).
 *
 *   pci-sriov ids   VF        the VF's IDs through the config region are
 *                             the PF's (vendor, SR-IOV VF device ID), not
 *                             the hardware's 0xffff; a VF token where the
 *                             PF is not on vfio-pci is EINVAL
 *   pci-sriov mem   VF PF     the VF's COMMAND memory bit is virtual:
 *                             it shows set, and clearing it never makes
 *                             VFIO refuse BAR access (the PF's VF MSE
 *                             gates decode; QEMU does not model it)
 *   pci-sriov token PF        the PF is on vfio-pci (enable_sriov=Y, no VF
 *                             yet): DEVICE_FEATURE errnos, the token set,
 *                             one VF created and captured, opening it and
 *                             the PF with and without the token
 *
 * VF and PF are bound to vfio-pci by the caller (except VFs made by the
 * token test).  Expected values come from sysfs, never from the stack
 * under test.  TAP-like output; the exit status counts failed checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "pci-util.h"
#include "tap-util.h"

#define NVME_REG_CSTS	0x1c

/* ------------------------------------------------------------ sysfs */

/* a hex attribute (pci-test's sysfs_ulong takes any base) */
static unsigned long sysfs_ulong(const char *bdf, const char *attr)
{
	char buf[64];

	if (sysfs_read(bdf, attr, buf, sizeof(buf)) < 0)
		die("cannot read %s/%s", bdf, attr);
	return strtoul(buf, NULL, 16);
}

/* the offset of extended capability @id in @bdf's raw config, or 0 */
static unsigned int sysfs_find_ecap(const char *bdf, uint16_t id)
{
	unsigned int pos = PCI_CFG_SPACE_SIZE, n = 0;
	uint32_t hdr;

	while (pos && n++ < 100) {
		if (sysfs_config_read(bdf, &hdr, 4, pos) || !hdr)
			return 0;
		if (PCI_EXT_CAP_ID(hdr) == id)
			return pos;
		pos = PCI_EXT_CAP_NEXT(hdr);
	}
	return 0;
}

/* the VF that @attr (virtfnN) of @pf links to */
static int sysfs_virtfn(const char *pf, const char *attr, char *vf,
			size_t len)
{
	char path[256], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", pf, attr);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	snprintf(vf, len, "%s", strrchr(link, '/') + 1);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------ VFIO */

static int container = -1;
static bool iommu_set;

/* the group of @d joins the one container (type1 set on the first: the
 * IOMMU is set once, later it is EINVAL) */
static void setup_group(struct vdev *d)
{
	vdev_open_group(d, &container, !iommu_set);
	iommu_set = true;
}

/* GET_DEVICE_FD with @opts after the name (NULL: none) */
static int get_fd(struct vdev *d, const char *opts)
{
	char name[128];

	snprintf(name, sizeof(name), "%s%s%s", d->bdf, opts ? " " : "",
		 opts ? opts : "");
	return ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, name);
}

static uint16_t cfg16(struct vdev *d, unsigned int off)
{
	uint16_t v = 0xdead;

	if (vdev_cfg_read(d, off, &v, 2))
		check(false, "config read at 0x%x", off);
	return v;
}

/* 0 and *@v, or -errno */
static int bar0_read32(struct vdev *d, unsigned int off, uint32_t *v)
{
	ssize_t n = pread(d->fd, v, 4, d->reg[0].offset + off);

	return n == 4 ? 0 : (n < 0 ? -errno : -EIO);
}

/* VFIO_DEVICE_FEATURE with a payload of @len bytes of @data */
static int feature(int fd, uint32_t flags, const void *data, size_t len)
{
	struct {
		struct vfio_device_feature hdr;
		uint8_t data[64];
	} f;

	memset(&f, 0, sizeof(f));
	f.hdr.argsz = sizeof(f.hdr) + len;
	f.hdr.flags = flags;
	if (data)
		memcpy(f.data, data, len);
	return ioctl(fd, VFIO_DEVICE_FEATURE, &f);
}

/* ------------------------------------------------------------ ids */

static void test_ids(const char *vf)
{
	struct vdev d = { .bdf = vf };
	char pf[64];
	uint16_t hw = 0;
	unsigned long vendor, device;
	int fd;

	if (sysfs_virtfn(vf, "physfn", pf, sizeof(pf)))
		die("%s has no physfn", vf);
	vendor = sysfs_ulong(vf, "vendor");
	device = sysfs_ulong(pf, "sriov_vf_device");
	if (sysfs_config_read(vf, &hw, 2, PCI_VENDOR_ID))
		die("raw config read of %s", vf);
	check(hw == 0xffff, "hardware: the VF's vendor ID reads 0xffff (0x%04x)",
	      hw);

	setup_group(&d);
	/* the PF is on a host driver: no token to show */
	fd = get_fd(&d, "vf_token=2ab74924-c335-45f4-9b16-8569e5b08258");
	check_errno(fd, errno, EINVAL,
		    "GET_DEVICE_FD of a VF with a token, PF not on vfio-pci,");
	if (fd >= 0)
		close(fd);
	vdev_open_fd(&d, d.bdf);
	check(cfg16(&d, PCI_VENDOR_ID) == vendor,
	      "VFIO config: vendor ID 0x%04x is the PF's 0x%04lx",
	      cfg16(&d, PCI_VENDOR_ID), vendor);
	check(cfg16(&d, PCI_DEVICE_ID) == device,
	      "VFIO config: device ID 0x%04x is the PF's SR-IOV VF device ID 0x%04lx",
	      cfg16(&d, PCI_DEVICE_ID), device);
	close(d.fd);
}

/* ------------------------------------------------------------ mem */

static void test_mem(const char *vf, const char *pf)
{
	struct vdev d = { .bdf = vf };
	unsigned int sriov = sysfs_find_ecap(pf, PCI_EXT_CAP_ID_SRIOV);
	uint32_t csts = 0, v = 0;
	uint16_t cmd, hw = 0xffff;
	int ret;

	if (!sriov)
		die("%s has no SR-IOV capability", pf);
	setup_group(&d);
	vdev_open_fd(&d, d.bdf);
	if (!d.reg[0].size)
		die("%s has no BAR0", vf);

	cmd = cfg16(&d, PCI_COMMAND);
	/*
	 * Real VFs hardwire COMMAND's memory bit to 0; QEMU's NVMe VFs
	 * implement it.  Either way the PCI core marks them
	 * no_command_memory and VFIO shows the bit set from the start.
	 */
	if (sysfs_config_read(vf, &hw, 2, PCI_COMMAND))
		die("raw config read of %s", vf);
	printf("# hardware COMMAND of the VF: 0x%04x\n", hw);
	check(cmd & PCI_COMMAND_MEMORY,
	      "VFIO config: the VF's COMMAND shows memory enabled (0x%04x)",
	      cmd);
	ret = bar0_read32(&d, NVME_REG_CSTS, &csts);
	check(!ret, "BAR0 read with the PF's VF MSE on (%s, 0x%x)",
	      ret ? strerror(-ret) : "ok", csts);

	/*
	 * Whether the PF's VF MSE stops the VF decoding is the hardware's
	 * business (QEMU 7.2's VFs ignore it): not checked here.
	 */
	/*
	 * The virtual memory bit does not gate a VF's BARs in VFIO: with
	 * it off, a BAR read is still passed to the device (no EIO), as
	 * stock does for no_command_memory devices.
	 */
	cmd &= ~PCI_COMMAND_MEMORY;
	check(!vdev_cfg_write(&d, PCI_COMMAND, &cmd, 2),
	      "COMMAND write with memory off");
	cmd = cfg16(&d, PCI_COMMAND);
	check(!(cmd & PCI_COMMAND_MEMORY),
	      "VFIO config: COMMAND reads back memory off (0x%04x)", cmd);
	ret = bar0_read32(&d, NVME_REG_CSTS, &v);
	check(!ret, "BAR0 read with COMMAND memory off is not refused (%s)",
	      ret ? strerror(-ret) : "ok");
	close(d.fd);
}

/* ------------------------------------------------------------ token */

static const uint8_t token[16] = {
	0x5e, 0xc3, 0x9a, 0x11, 0x0b, 0x7d, 0x4f, 0x2a,
	0x9c, 0x41, 0x66, 0x03, 0xde, 0xad, 0xbe, 0xef,
};
#define TOKEN_STR	"5ec39a11-0b7d-4f2a-9c41-6603deadbeef"
#define WRONG_STR	"5ec39a11-0b7d-4f2a-9c41-6603deadbee0"
#define TOKEN_FLAGS	(VFIO_DEVICE_FEATURE_PCI_VF_TOKEN)

static void test_token(const char *pf)
{
	struct vdev p = { .bdf = pf }, v;
	char vf[64], drv[256], buf[256];
	int i, fd, fd2;

	setup_group(&p);
	vdev_open_fd(&p, p.bdf);

	/* DEVICE_FEATURE on the PF */
	CHECK_ERRNO(feature(p.fd, TOKEN_FLAGS | VFIO_DEVICE_FEATURE_PROBE |
			    VFIO_DEVICE_FEATURE_SET, NULL, 0), 0,
		    "PF: FEATURE PROBE|SET PCI_VF_TOKEN");
	CHECK_ERRNO(feature(p.fd, TOKEN_FLAGS | VFIO_DEVICE_FEATURE_PROBE |
			    VFIO_DEVICE_FEATURE_GET, NULL, 0), EINVAL,
		    "PF: FEATURE PROBE|GET PCI_VF_TOKEN (no reading it back)");
	CHECK_ERRNO(feature(p.fd, TOKEN_FLAGS | VFIO_DEVICE_FEATURE_GET,
			    NULL, 16), EINVAL, "PF: FEATURE GET PCI_VF_TOKEN");
	CHECK_ERRNO(feature(p.fd, TOKEN_FLAGS, token, 16), EINVAL,
		    "PF: FEATURE PCI_VF_TOKEN without GET/SET/PROBE");
	CHECK_ERRNO(feature(p.fd, TOKEN_FLAGS | VFIO_DEVICE_FEATURE_SET |
			    VFIO_DEVICE_FEATURE_GET, token, 16), EINVAL,
		    "PF: FEATURE SET|GET without PROBE");
	CHECK_ERRNO(feature(p.fd, TOKEN_FLAGS | VFIO_DEVICE_FEATURE_SET,
			    token, 8), EINVAL,
		    "PF: FEATURE SET PCI_VF_TOKEN with 8 bytes of UUID");
	CHECK_ERRNO(feature(p.fd, TOKEN_FLAGS | VFIO_DEVICE_FEATURE_SET |
			    (1u << 20), token, 16), EINVAL,
		    "PF: FEATURE with an unknown flag");
	CHECK_ERRNO(feature(p.fd, 0x7abc | VFIO_DEVICE_FEATURE_PROBE |
			    VFIO_DEVICE_FEATURE_SET, NULL, 0), ENOTTY,
		    "PF: FEATURE PROBE of an unknown feature");
	CHECK_ERRNO(feature(p.fd, TOKEN_FLAGS | VFIO_DEVICE_FEATURE_SET,
			    token, 16), 0, "PF: FEATURE SET PCI_VF_TOKEN");

	/* one VF, captured for vfio-pci by the PF */
	i = sysfs_write(pf, "sriov_numvfs", "1");
	check_errno(i, -i, 0, "PF on vfio-pci: sriov_numvfs=1");
	if (sysfs_virtfn(pf, "virtfn0", vf, sizeof(vf)))
		die("no virtfn0 on %s", pf);
	snprintf(buf, sizeof(buf), "/sys/bus/pci/devices/%s/driver", vf);
	for (i = 0; i < 100; i++) {
		memset(drv, 0, sizeof(drv));
		if (readlink(buf, drv, sizeof(drv) - 1) > 0)
			break;
		sleep_ms(50);
	}
	check(strstr(drv, "/vfio-pci") != NULL,
	      "the new VF %s is bound to vfio-pci (%s)", vf, drv);
	if (sysfs_read(vf, "driver_override", buf, sizeof(buf)) < 0)
		buf[0] = 0;
	check(!strcmp(buf, "vfio-pci"), "its driver_override is vfio-pci (%s)",
	      buf);

	v.bdf = vf;
	setup_group(&v);
	fd = get_fd(&v, NULL);
	check_errno(fd, errno, EACCES, "GET_DEVICE_FD of the VF without a token");
	if (fd >= 0)
		close(fd);
	fd = get_fd(&v, "vf_token=" WRONG_STR);
	check_errno(fd, errno, EACCES, "GET_DEVICE_FD of the VF with a wrong token");
	if (fd >= 0)
		close(fd);
	fd = get_fd(&v, "vf_token=not-a-uuid-not-a-uuid-not-a-uuid-xx");
	check_errno(fd, errno, EINVAL, "GET_DEVICE_FD of the VF with a malformed token");
	if (fd >= 0)
		close(fd);
	fd = get_fd(&v, "vf_token=" TOKEN_STR " vf_token=" TOKEN_STR);
	check_errno(fd, errno, EINVAL, "GET_DEVICE_FD of the VF with two tokens");
	if (fd >= 0)
		close(fd);
	fd = get_fd(&v, "bogus=1");
	check_errno(fd, errno, EINVAL, "GET_DEVICE_FD of the VF with an unknown option");
	if (fd >= 0)
		close(fd);
	fd = get_fd(&v, "vf_token=" TOKEN_STR);
	check_errno(fd, errno, 0, "GET_DEVICE_FD of the VF with the token");
	if (fd >= 0) {
		CHECK_ERRNO(feature(fd, TOKEN_FLAGS | VFIO_DEVICE_FEATURE_PROBE |
				    VFIO_DEVICE_FEATURE_SET, NULL, 0), ENOTTY,
			    "VF: FEATURE PROBE|SET PCI_VF_TOKEN (not a PF)");
	}

	/* a VF in use: the PF needs the token too */
	fd2 = get_fd(&p, NULL);
	check_errno(fd2, errno, EACCES,
		    "GET_DEVICE_FD of the PF without the token while its VF is open");
	if (fd2 >= 0)
		close(fd2);
	fd2 = get_fd(&p, "vf_token=" WRONG_STR);
	check_errno(fd2, errno, EACCES,
		    "GET_DEVICE_FD of the PF with a wrong token while its VF is open");
	if (fd2 >= 0)
		close(fd2);
	fd2 = get_fd(&p, "vf_token=" TOKEN_STR);
	check_errno(fd2, errno, 0,
		    "GET_DEVICE_FD of the PF with the token while its VF is open");
	if (fd2 >= 0)
		close(fd2);

	if (fd >= 0)
		close(fd);
	fd2 = get_fd(&p, NULL);
	check_errno(fd2, errno, 0,
		    "GET_DEVICE_FD of the PF without a token once no VF is open");
	if (fd2 >= 0)
		close(fd2);
	close(v.group);

	i = sysfs_write(pf, "sriov_numvfs", "0");
	check_errno(i, -i, 0, "PF on vfio-pci: sriov_numvfs=0");
	close(p.fd);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "ids"))
		test_ids(argv[2]);
	else if (argc == 4 && !strcmp(argv[1], "mem"))
		test_mem(argv[2], argv[3]);
	else if (argc == 3 && !strcmp(argv[1], "token"))
		test_token(argv[2]);
	else {
		fprintf(stderr, "usage: pci-sriov ids VF | mem VF PF | token PF\n");
		return 2;
	}
	printf("1..%d\n", tap_tests);
	return tap_status(100);
}
