// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lib-fake - the library against fake-vfio.so (an LD_PRELOAD kernel) and a
 * fake sysfs and /dev: argsz growth and retry for every *_INFO ioctl, the
 * IOMMU model choice, the IOVA check, and the text of every error hint.
 */
#include <limits.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <syslog.h>

#include "lib-test.h"
#include <libvfioctl.h>
#include <linux/vfio_zdev.h>

#define DEV "0000:01:00.0"

static struct vfioctl_ctx *ctx;

static int has(const char *needle)
{
	const char *text = vfioctl_get_last_error(ctx);

	if (strstr(text, needle))
		return 1;
	printf("# last error: %s\n# (looking for '%s')\n", text, needle);
	return 0;
}

/* ctx, container, group 12 with DEV on vfio-pci, IOMMU set, device open */
static struct vfioctl_container *c;
static struct vfioctl_group *g;
static struct vfioctl_device *d;

static int setup(int want_device)
{
	fake_node("vfio");
	fake_node("12");
	fake_pci(DEV, 12, "vfio-pci");
	if (test_new(&ctx) < 0)
		return -1;
	if (vfioctl_container_open(ctx, &c) < 0 ||
	    vfioctl_group_open(ctx, 12, &g) < 0)
		return -1;
	if (!want_device)
		return 0;
	if (vfioctl_group_set_container(g, c) < 0 ||
	    vfioctl_container_set_iommu(c, VFIOCTL_IOMMU_AUTO) < 0 ||
	    vfioctl_device_open(g, DEV, &d) < 0)
		return -1;
	return 0;
}

DEFINE_TEST(roots_ignore_env, "vfioctl_new ignores VFIOCTL_SYSFS_ROOT and VFIOCTL_DEV_ROOT")
{
	/* lib-test.h set both variables to the fake tree. */
	expect(getenv("VFIOCTL_DEV_ROOT") && getenv("VFIOCTL_SYSFS_ROOT"), "env");
	expect(vfioctl_new(&ctx) == 0, "new");
	expect(strcmp(vfioctl_get_sysfs_root(ctx), "/sys") == 0, "%s",
	       vfioctl_get_sysfs_root(ctx));
	expect(strcmp(vfioctl_get_dev_root(ctx), "/dev") == 0, "%s",
	       vfioctl_get_dev_root(ctx));
	vfioctl_unref(ctx);
	return 0;
}

DEFINE_TEST(set_root, "vfioctl_set_root: absolute paths only, all or nothing")
{
	char *longp = malloc(PATH_MAX + 2);

	expect(longp, "malloc");
	expect(vfioctl_new(&ctx) == 0, "new");
	expect(vfioctl_set_root(NULL, "/a", "/b") == -EINVAL, "NULL ctx");
	expect(vfioctl_set_root(ctx, "relative", "/b") == -EINVAL, "relative sysfs");
	expect(vfioctl_set_root(ctx, "/a", "b") == -EINVAL, "relative dev");
	expect(strcmp(vfioctl_get_sysfs_root(ctx), "/sys") == 0,
	       "unchanged after a failure: %s", vfioctl_get_sysfs_root(ctx));
	memset(longp, 'y', PATH_MAX + 1);
	longp[0] = '/';
	longp[PATH_MAX + 1] = '\0';
	expect(vfioctl_set_root(ctx, "/a", longp) == -ENAMETOOLONG, "too long");
	expect(strcmp(vfioctl_get_sysfs_root(ctx), "/sys") == 0 &&
	       strcmp(vfioctl_get_dev_root(ctx), "/dev") == 0,
	       "neither changed");
	expect(vfioctl_set_root(ctx, "/tmp/x//", NULL) == 0, "sysfs only");
	expect(strcmp(vfioctl_get_sysfs_root(ctx), "/tmp/x") == 0, "%s",
	       vfioctl_get_sysfs_root(ctx));
	expect(strcmp(vfioctl_get_dev_root(ctx), "/dev") == 0, "dev kept");
	vfioctl_unref(ctx);
	free(longp);
	return 0;
}

DEFINE_TEST(roots_set, "vfioctl_set_root redirects sysfs and /dev")
{
	expect(test_new(&ctx) == 0, "new");
	test_path("sys");
	expect(strcmp(vfioctl_get_sysfs_root(ctx), test_path_buf) == 0, "%s",
	       vfioctl_get_sysfs_root(ctx));
	test_path("dev");
	expect(strcmp(vfioctl_get_dev_root(ctx), test_path_buf) == 0, "%s",
	       vfioctl_get_dev_root(ctx));
	expect(strcmp(vfioctl_get_last_error(ctx), "") == 0 &&
	       vfioctl_get_last_errno(ctx) == 0, "no error yet");
	vfioctl_unref(ctx);
	return 0;
}

DEFINE_TEST(container_enoent, "no /dev/vfio/vfio: -ENOENT, path and modprobe hint")
{
	expect(test_new(&ctx) == 0, "new");
	expect(vfioctl_container_open(ctx, &c) == -ENOENT, "rc");
	expect(has("open on ") && has("/dev/vfio/vfio: No such file or directory (ENOENT)") &&
	       has("modprobe vfio-pci"), "text");
	expect(vfioctl_get_last_errno(ctx) == ENOENT, "errno");
	return 0;
}

DEFINE_TEST(fds_cloexec, "container, group and device fds are O_CLOEXEC")
{
	expect(setup(1) == 0, "setup: %s", vfioctl_get_last_error(ctx));
	expect(fcntl(vfioctl_container_get_fd(c), F_GETFD) & FD_CLOEXEC, "c");
	expect(fcntl(vfioctl_group_get_fd(g), F_GETFD) & FD_CLOEXEC, "g");
	expect(fcntl(vfioctl_device_get_fd(d), F_GETFD) & FD_CLOEXEC, "d");
	return 0;
}

DEFINE_TEST(iommu_auto_order, "auto picks TYPE1v2, else TYPE1, else nothing")
{
	expect(setup(0) == 0, "setup");
	expect(vfioctl_container_set_iommu(c, VFIOCTL_IOMMU_AUTO) == -EINVAL,
	       "no group yet");
	expect(has("VFIO_SET_IOMMU") && has("attach a group first"), "text");
	expect(vfioctl_group_set_container(g, c) == 0, "attach");
	fake_vfio_set_extensions(1u << VFIO_TYPE1_IOMMU);
	expect(vfioctl_container_set_iommu(c, VFIOCTL_IOMMU_AUTO) ==
	       VFIO_TYPE1_IOMMU, "TYPE1 when v2 is missing");
	expect(vfioctl_container_get_iommu_type(c) == VFIO_TYPE1_IOMMU, "get");
	return 0;
}

DEFINE_TEST(iommu_auto_v2, "auto prefers TYPE1v2")
{
	expect(setup(0) == 0 && vfioctl_group_set_container(g, c) == 0, "setup");
	expect(vfioctl_container_set_iommu(c, VFIOCTL_IOMMU_AUTO) ==
	       VFIO_TYPE1v2_IOMMU, "v2");
	return 0;
}

DEFINE_TEST(iommu_auto_noiommu, "NOIOMMU only when enable_unsafe_noiommu_mode is Y")
{
	expect(setup(0) == 0 && vfioctl_group_set_container(g, c) == 0, "setup");
	fake_vfio_set_extensions(1u << VFIO_NOIOMMU_IOMMU);
	expect(vfioctl_noiommu_enabled(ctx) == 0, "param N");
	expect(vfioctl_container_set_iommu(c, VFIOCTL_IOMMU_AUTO) == -ENODEV,
	       "nothing offered");
	expect(has("no IOMMU model offered") &&
	       has("enable_unsafe_noiommu_mode"), "text");
	fake_file("sys/module/vfio/parameters/enable_unsafe_noiommu_mode", "Y\n");
	expect(vfioctl_noiommu_enabled(ctx) == 1, "param Y");
	expect(vfioctl_container_set_iommu(c, VFIOCTL_IOMMU_AUTO) ==
	       VFIO_NOIOMMU_IOMMU, "NOIOMMU");
	return 0;
}

DEFINE_TEST(iommu_info_argsz_retry, "IOMMU info grows argsz once and reads both caps")
{
	uint64_t pg, s, e;
	uint32_t avail;

	expect(setup(1) == 0, "setup");
	expect(vfioctl_container_get_iova_pgsizes(c, &pg) == 0 &&
	       pg == 0x40201000, "pgsizes %#llx", (unsigned long long)pg);
	expect(fake_vfio_count(VFIO_IOMMU_GET_INFO) == 2,
	       "%d GET_INFO calls", fake_vfio_count(VFIO_IOMMU_GET_INFO));
	expect(vfioctl_container_get_num_iova_ranges(c) == 2, "2 ranges");
	expect(vfioctl_container_get_iova_range(c, 1, &s, &e) == 0 &&
	       s == 0xfef00000 && e == (1ULL << 48) - 1, "range 1");
	expect(vfioctl_container_get_iova_range(c, 2, &s, &e) == -ERANGE,
	       "range 2");
	expect(fake_vfio_count(VFIO_IOMMU_GET_INFO) == 2, "cached");
	expect(vfioctl_container_get_dma_avail(c, &avail) == 0 &&
	       avail == 65535, "avail %u", avail);
	return 0;
}

DEFINE_TEST(iommu_info_malformed, "a looping IOMMU info chain is -EPROTO, named")
{
	uint64_t pg;
	uint32_t avail;

	expect(setup(1) == 0, "setup");
	fake_vfio_set_corrupt(1);
	expect(vfioctl_container_get_iova_pgsizes(c, &pg) == -EPROTO, "rc");
	expect(has("VFIO_IOMMU_GET_INFO on container") &&
	       has("malformed capability chain"), "text");
	expect(vfioctl_container_get_dma_avail(c, &avail) == -EPROTO, "avail");
	return 0;
}

DEFINE_TEST(info_before_iommu, "IOMMU info and map before a model: -EINVAL with a hint")
{
	uint64_t pg;

	expect(setup(0) == 0, "setup");
	expect(vfioctl_container_get_iova_pgsizes(c, &pg) == -EINVAL, "rc");
	expect(has("set an IOMMU model first"), "text");
	expect(vfioctl_container_map_dma(c, (void *)0x1000, 0x1000, 0x1000,
					 VFIO_DMA_MAP_FLAG_READ) == -EINVAL &&
	       has("VFIO_IOMMU_MAP_DMA") && has("set an IOMMU model first"),
	       "map");
	return 0;
}

DEFINE_TEST(map_outside_ranges, "a map outside the IOVA ranges is refused before the ioctl")
{
	expect(setup(1) == 0, "setup");
	expect(vfioctl_container_map_dma(c, (void *)0x10000, 0xfee00000, 4096,
					 VFIO_DMA_MAP_FLAG_READ) == -EINVAL,
	       "rc");
	expect(fake_vfio_count(VFIO_IOMMU_MAP_DMA) == 0, "not sent");
	expect(has("VFIO_IOMMU_MAP_DMA") && has("[0xfee00000, 0xfee00fff]") &&
	       has("outside the usable ranges [0x0, 0xfedfffff] [0xfef00000, 0xffffffffffff]"),
	       "text");
	expect(vfioctl_container_map_dma(c, (void *)0x10000, ~0ULL - 4095,
					 8192, VFIO_DMA_MAP_FLAG_READ) == -EINVAL &&
	       has("wraps around"), "wrap");
	expect(vfioctl_container_map_dma(c, (void *)0x10000, 0x1000, 0,
					 VFIO_DMA_MAP_FLAG_READ) == -EINVAL,
	       "empty");
	expect(vfioctl_container_map_dma(c, (void *)0x10000, 0x100000, 4096,
					 VFIO_DMA_MAP_FLAG_READ) == 0, "inside");
	expect(fake_vfio_count(VFIO_IOMMU_MAP_DMA) == 1, "sent once");
	return 0;
}

DEFINE_TEST(map_enomem_memlock, "ENOMEM on map explains RLIMIT_MEMLOCK with figures")
{
	struct rlimit rl = { 64 * 1024, 128 * 1024 };
	void *buf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	expect(setup(1) == 0, "setup");
	expect(setrlimit(RLIMIT_MEMLOCK, &rl) == 0, "setrlimit");
	fake_vfio_fail_ioctl(VFIO_IOMMU_MAP_DMA, ENOMEM);
	expect(vfioctl_container_map_dma(c, buf, 0x100000, 1 << 20,
					 VFIO_DMA_MAP_FLAG_READ) == -ENOMEM,
	       "rc");
	expect(has("VFIO_IOMMU_MAP_DMA on container") &&
	       has("Cannot allocate memory (ENOMEM)") &&
	       has("pinning needs 1024 KiB more but RLIMIT_MEMLOCK is 64 KiB (hard 128 KiB) and VmLck is already 0 kB") &&
	       has("CAP_IPC_LOCK"), "text");
	return 0;
}

DEFINE_TEST(map_other_errors, "ENOSPC, EEXIST and EINVAL on map each get their hint")
{
	expect(setup(1) == 0, "setup");
	fake_vfio_fail_ioctl(VFIO_IOMMU_MAP_DMA, ENOSPC);
	expect(vfioctl_container_map_dma(c, (void *)0x10000, 0x100000, 4096,
					 VFIO_DMA_MAP_FLAG_READ) == -ENOSPC &&
	       has("dma_entry_limit"), "ENOSPC");
	return 0;
}

DEFINE_TEST(map_eexist, "EEXIST names the overlapping range")
{
	expect(setup(1) == 0, "setup");
	fake_vfio_fail_ioctl(VFIO_IOMMU_MAP_DMA, EEXIST);
	expect(vfioctl_container_map_dma(c, (void *)0x10000, 0x100000, 4096,
					 VFIO_DMA_MAP_FLAG_READ) == -EEXIST &&
	       has("IOVA [0x100000, +0x1000) overlaps an existing mapping"),
	       "EEXIST");
	return 0;
}

DEFINE_TEST(map_einval, "EINVAL names the smallest IOMMU page")
{
	expect(setup(1) == 0, "setup");
	fake_vfio_fail_ioctl(VFIO_IOMMU_MAP_DMA, EINVAL);
	expect(vfioctl_container_map_dma(c, (void *)0x10001, 0x100000, 4096,
					 VFIO_DMA_MAP_FLAG_READ) == -EINVAL &&
	       has("multiples of the smallest IOMMU page (0x1000)"), "EINVAL");
	return 0;
}

DEFINE_TEST(unmap_all_flag, "unmap_all uses VFIO_DMA_UNMAP_FLAG_ALL when offered")
{
	uint64_t n = 0;

	expect(setup(1) == 0, "setup");
	expect(vfioctl_container_map_dma(c, (void *)0x10000, 0x100000, 8192,
					 VFIO_DMA_MAP_FLAG_READ) == 0, "map");
	expect(vfioctl_container_unmap_all(c, &n) == 0 && n == 8192, "n %llu",
	       (unsigned long long)n);
	expect(fake_vfio_count(VFIO_IOMMU_UNMAP_DMA) == 1, "one call");
	return 0;
}

DEFINE_TEST(unmap_all_halves, "without UNMAP_ALL, unmap_all covers the space in two halves")
{
	uint64_t n = 0;

	fake_vfio_set_extensions(1u << VFIO_TYPE1v2_IOMMU);
	expect(setup(1) == 0, "setup");
	expect(vfioctl_container_map_dma(c, (void *)0x10000, 0x100000, 8192,
					 VFIO_DMA_MAP_FLAG_READ) == 0, "map");
	expect(vfioctl_container_unmap_all(c, &n) == 0 && n == 8192, "n");
	expect(fake_vfio_count(VFIO_IOMMU_UNMAP_DMA) == 2, "two calls");
	return 0;
}

DEFINE_TEST(group_ebusy_holder, "EBUSY on group open names the process holding it")
{
	char want[64];
	int fd;

	fake_node("12");
	test_path("dev/vfio/12");
	fd = open(test_path_buf, O_RDONLY | O_CLOEXEC);
	expect(fd >= 0, "hold it");
	fake_vfio_fail_open("/vfio/12", EBUSY);
	expect(test_new(&ctx) == 0, "new");
	expect(vfioctl_group_open(ctx, 12, &g) == -EBUSY, "rc");
	snprintf(want, sizeof(want), "pid %d (lib-fake) has it open", getpid());
	expect(has("open on ") && has("/dev/vfio/12: Device or resource busy (EBUSY)") &&
	       has(want), "text");
	return 0;
}

DEFINE_TEST(group_enoent, "ENOENT on group open: absent group vs. nothing on vfio-pci")
{
	expect(test_new(&ctx) == 0, "new");
	expect(vfioctl_group_open(ctx, 12, &g) == -ENOENT, "rc");
	expect(has("IOMMU group 12 does not exist"), "absent");
	fake_pci(DEV, 12, "e1000e");
	expect(vfioctl_group_open(ctx, 12, &g) == -ENOENT, "rc");
	expect(has("no device of group 12 is bound to vfio-pci"), "unbound");
	return 0;
}

DEFINE_TEST(group_noiommu, "a no-IOMMU group is found as /dev/vfio/noiommu-N")
{
	fake_node("noiommu-3");
	expect(test_new(&ctx) == 0, "new");
	expect(vfioctl_group_open(ctx, 3, &g) == 0, "open");
	expect(vfioctl_group_is_noiommu(g) == 1 &&
	       vfioctl_group_get_number(g) == 3, "noiommu");
	return 0;
}

DEFINE_TEST(group_by_device, "group by PCI address through sysfs, short or full")
{
	fake_node("12");
	fake_pci(DEV, 12, "vfio-pci");
	fake_pci("0000:02:00.0", -1, NULL);
	expect(test_new(&ctx) == 0, "new");
	expect(vfioctl_group_number_of_device(ctx, DEV) == 12, "full");
	expect(vfioctl_group_number_of_device(ctx, "01:00.0") == 12, "short");
	expect(vfioctl_group_open_by_device(ctx, "01:00.0", &g) == 0 &&
	       vfioctl_group_get_number(g) == 12, "open");
	expect(vfioctl_group_number_of_device(ctx, "0000:09:00.0") == -ENODEV &&
	       has("there is no PCI device 0000:09:00.0"), "absent");
	expect(vfioctl_group_number_of_device(ctx, "0000:02:00.0") == -ENOENT &&
	       has("enable the IOMMU"), "no group");
	expect(vfioctl_group_number_of_device(ctx, "../x") == -EINVAL, "slash");
	return 0;
}

DEFINE_TEST(group_not_viable, "not viable: the blocking device and its driver are named")
{
	fake_node("vfio");
	fake_node("12");
	fake_pci(DEV, 12, "vfio-pci");
	fake_pci("0000:01:00.1", 12, "e1000e");
	fake_pci("0000:00:1c.0", 12, "pcieport");
	fake_vfio_set_group_flags(0);
	expect(test_new(&ctx) == 0 && vfioctl_container_open(ctx, &c) == 0 &&
	       vfioctl_group_open(ctx, 12, &g) == 0, "setup");
	expect(vfioctl_group_set_container(g, c) == -EPERM, "rc");
	expect(has("VFIO_GROUP_SET_CONTAINER on group 12") &&
	       has("Operation not permitted (EPERM)") &&
	       has("the group is not viable: device 0000:01:00.1 is bound to e1000e;") &&
	       has("must be unbound or bound to vfio-pci"), "text");
	expect(!strstr(vfioctl_get_last_error(ctx), "0000:01:00.0 is") &&
	       !strstr(vfioctl_get_last_error(ctx), "pcieport"),
	       "vfio-pci and pcieport members are not blamed");
	expect(vfioctl_group_is_viable(g) == 0, "is_viable");
	expect(has("0000:01:00.1 is bound to e1000e"), "is_viable text");
	return 0;
}

DEFINE_TEST(group_container_errors, "set twice, unset when unset: -EINVAL with hints")
{
	expect(setup(0) == 0, "setup");
	expect(vfioctl_group_unset_container(g) == -EINVAL &&
	       has("not in a container"), "unset");
	expect(vfioctl_group_set_container(g, c) == 0, "set");
	expect(vfioctl_group_get_container(g) == c, "get");
	expect(vfioctl_group_set_container(g, c) == -EINVAL &&
	       has("already in a container"), "twice");
	expect(vfioctl_group_unset_container(g) == 0 &&
	       !vfioctl_group_get_container(g), "unset");
	return 0;
}

DEFINE_TEST(device_errors, "device open: before a container, unknown name")
{
	expect(setup(0) == 0, "setup");
	expect(vfioctl_device_open(g, DEV, &d) == -EINVAL &&
	       has("put the group in a container and set its IOMMU model first"),
	       "no container");
	expect(vfioctl_group_set_container(g, c) == 0 &&
	       vfioctl_container_set_iommu(c, 0) > 0, "attach");
	expect(vfioctl_device_open(g, "0000:05:00.0", &d) == -ENODEV &&
	       has("VFIO_GROUP_GET_DEVICE_FD on device 0000:05:00.0 in group 12") &&
	       has("no such device in group 12"), "unknown");
	return 0;
}

DEFINE_TEST(device_info_argsz_retry, "device info grows argsz past an unknown cap")
{
	expect(setup(1) == 0, "setup: %s", vfioctl_get_last_error(ctx));
	expect(fake_vfio_count(VFIO_DEVICE_GET_INFO) == 2, "%d calls",
	       fake_vfio_count(VFIO_DEVICE_GET_INFO));
	expect(vfioctl_device_get_num_regions(d) == VFIO_PCI_NUM_REGIONS &&
	       vfioctl_device_get_num_irqs(d) == VFIO_PCI_NUM_IRQS, "counts");
	expect(vfioctl_device_get_flags(d) & VFIO_DEVICE_FLAGS_PCI, "flags");
	expect(strcmp(vfioctl_device_get_name(d), DEV) == 0, "name");
	return 0;
}

DEFINE_TEST(device_info_caps, "device-info capabilities are kept and found by id")
{
	struct vfio_device_info_cap_zpci_base zpci;
	const struct vfio_info_cap_header *cap;
	uint16_t ids[4];
	size_t size;

	expect(setup(1) == 0, "setup: %s", vfioctl_get_last_error(ctx));
	expect(vfioctl_device_get_info_cap_ids(d, NULL, 0) == 2, "count");
	expect(vfioctl_device_get_info_cap_ids(d, ids, 1) == 2 && ids[0] == 42,
	       "short array");
	expect(vfioctl_device_get_info_cap_ids(d, ids, 4) == 2 && ids[0] == 42 &&
	       ids[1] == VFIO_DEVICE_INFO_CAP_ZPCI_BASE, "chain order");
	expect(vfioctl_device_get_info_cap(d, 42, &cap, &size) == 0, "unknown id");
	expect(cap->id == 42 && cap->version == 1 && size == 16, "size %zu", size);
	expect(vfioctl_device_get_info_cap(d, VFIO_DEVICE_INFO_CAP_ZPCI_BASE,
					   &cap, &size) == 0, "zpci");
	expect(size >= sizeof(zpci), "size %zu", size);
	memcpy(&zpci, cap, sizeof(zpci));	/* caps are only 4-aligned */
	expect(zpci.start_dma == 0x1000 && zpci.end_dma == 0xffffffff,
	       "payload");
	expect(vfioctl_device_get_info_cap(d, VFIO_DEVICE_INFO_CAP_ZPCI_UTIL,
					   &cap, NULL) == -ENODATA, "absent");
	expect(vfioctl_device_get_info_cap(d, 0x10000, &cap, NULL) == -ENODATA,
	       "id too big");
	expect(vfioctl_device_get_info_cap(d, 42, NULL, NULL) == -EINVAL,
	       "NULL cap");
	return 0;
}

DEFINE_TEST(pci_hot_reset, "hot reset passes the own group and the given ones; a missing group is named")
{
	struct vfioctl_group *g13, *list[2];

	fake_node("13");
	expect(setup(1) == 0, "setup: %s", vfioctl_get_last_error(ctx));
	/* fake: the reset affects 0000:01:00.0 (group 12) and 01:00.1 (13) */
	expect(vfioctl_device_pci_hot_reset(d, NULL, 0) == -EINVAL, "missing 13");
	expect(has("VFIO_DEVICE_PCI_HOT_RESET") && has("0000:01:00.1 in group 13") &&
	       has("open group 13 and pass it"), "text");
	expect(fake_vfio_count(VFIO_DEVICE_PCI_HOT_RESET) == 0,
	       "not sent to the kernel");
	expect(vfioctl_group_open(ctx, 13, &g13) == 0, "group 13");
	list[0] = g13;
	expect(vfioctl_device_pci_hot_reset(d, list, 1) == 0, "reset: %s",
	       vfioctl_get_last_error(ctx));
	list[1] = g;	/* the own group again: passed once */
	expect(vfioctl_device_pci_hot_reset(d, list, 2) == 0, "with own group");
	expect(fake_vfio_count(VFIO_DEVICE_PCI_HOT_RESET) == 2, "two resets");
	list[0] = NULL;
	expect(vfioctl_device_pci_hot_reset(d, list, 1) == -EINVAL, "NULL entry");
	expect(vfioctl_device_pci_hot_reset(d, NULL, 1) == -EINVAL, "NULL array");
	fake_vfio_fail_ioctl(VFIO_DEVICE_PCI_HOT_RESET, EBUSY);
	list[0] = g13;
	expect(vfioctl_device_pci_hot_reset(d, list, 1) == -EBUSY, "busy");
	expect(has("open elsewhere"), "text");
	vfioctl_group_unref(g13);
	return 0;
}

DEFINE_TEST(pci_hot_reset_info_fails, "hot reset of a device without one: the info ioctl's error")
{
	expect(setup(1) == 0, "setup");
	fake_vfio_fail_ioctl(VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, ENOTTY);
	expect(vfioctl_device_pci_hot_reset(d, NULL, 0) == -ENOTTY, "rc");
	expect(has("cannot be hot reset"), "text");
	expect(fake_vfio_count(VFIO_DEVICE_PCI_HOT_RESET) == 0, "not sent");
	return 0;
}

DEFINE_TEST(region_caps, "region info: sparse areas, MSI-X mappable, type/subtype")
{
	struct vfioctl_region *r, *r2, *cfg;
	uint64_t off, size;
	uint32_t type, sub;

	expect(setup(1) == 0, "setup");
	expect(vfioctl_device_get_region(d, 0, &r) == 0, "bar0");
	expect(fake_vfio_count(VFIO_DEVICE_GET_REGION_INFO) == 2, "retried");
	expect(vfioctl_device_get_region(d, 0, &r2) == 0 && r2 == r &&
	       fake_vfio_count(VFIO_DEVICE_GET_REGION_INFO) == 2, "cached");
	expect(vfioctl_region_get_size(r) == 0x4000 &&
	       vfioctl_region_get_offset(r) == 0, "size");
	expect(vfioctl_region_get_num_sparse_areas(r) == 2, "2 areas");
	expect(vfioctl_region_get_sparse_area(r, 1, &off, &size) == 0 &&
	       off == 0x3000 && size == 0x1000, "area 1");
	expect(vfioctl_region_get_sparse_area(r, 2, &off, &size) == -ERANGE,
	       "area 2");
	expect(vfioctl_region_is_msix_mappable(r) == 1, "msix");
	expect(vfioctl_region_get_type(r, &type, &sub) == -ENODATA, "no type");
	expect(vfioctl_device_get_region(d, 2, &r2) == 0 &&
	       vfioctl_region_get_type(r2, &type, &sub) == 0 &&
	       type == 0x8086 && sub == 3, "type");
	expect(vfioctl_region_get_num_sparse_areas(r2) == -ENODATA, "no sparse");
	expect(vfioctl_device_get_region(d, 7, &cfg) == 0 &&
	       vfioctl_region_get_size(cfg) == 256, "config");
	expect(vfioctl_device_get_region(d, 9, &r2) == -EINVAL &&
	       has("region 9 does not exist; the device has 9"), "past");
	return 0;
}

DEFINE_TEST(region_io_mmap, "region read/write and mmap of the sparse areas only")
{
	struct vfioctl_region *r, *cfg;
	uint32_t v = 0x12345678, back = 0;
	uint8_t small[4];
	void *map;

	expect(setup(1) == 0, "setup");
	expect(vfioctl_device_get_region(d, 0, &r) == 0, "bar0");
	expect(vfioctl_region_write(r, 0x3004, &v, 4) == 0, "write");
	expect(vfioctl_region_read(r, 0x3004, &back, 4) == 0 && back == v,
	       "read back %#x", back);
	expect(vfioctl_region_read(r, 0x3ffe, &back, 4) == -EINVAL &&
	       has("past its size 0x4000"), "past end");
	expect(vfioctl_region_mmap(r, PROT_READ | PROT_WRITE, &map) == 0,
	       "mmap: %s", vfioctl_get_last_error(ctx));
	expect(*(uint32_t *)((char *)map + 0x3004) == v, "mapped data");
	expect(vfioctl_region_is_mapped(r, 0x3000, 0x1000) == 1, "area 1");
	expect(vfioctl_region_is_mapped(r, 0x1000, 4) == 0, "hole");
	expect(vfioctl_region_is_mapped(r, 0xffc, 8) == 0, "straddles");
	expect(vfioctl_region_munmap(r) == 0 && vfioctl_region_munmap(r) == -EINVAL,
	       "munmap");
	expect(vfioctl_device_get_region(d, 7, &cfg) == 0, "config");
	expect(vfioctl_region_mmap(cfg, PROT_READ, &map) == -ENOTSUP &&
	       has("does not allow mmap"), "config mmap");
	expect(vfioctl_region_write(cfg, 0, small, 4) == 0, "config write");
	return 0;
}

DEFINE_TEST(irq_set, "irq info and SET_IRQS for enable/disable/mask/unmask/trigger")
{
	struct vfioctl_irq *msix, *intx, *err;
	const struct vfio_irq_set *s;
	const int32_t *fds;
	int efd[4] = { 10, 11, 12, 13 };

	expect(setup(1) == 0, "setup");
	expect(vfioctl_device_get_irq(d, VFIO_PCI_MSIX_IRQ_INDEX, &msix) == 0 &&
	       vfioctl_irq_get_count(msix) == 8, "msix");
	expect(vfioctl_irq_enable(msix, 2, 4, efd) == 0, "enable");
	s = fake_vfio_last_irq_set(&fds);
	expect(s->index == VFIO_PCI_MSIX_IRQ_INDEX && s->start == 2 &&
	       s->count == 4 && s->argsz == sizeof(*s) + 16 &&
	       s->flags == (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER) &&
	       fds[0] == 10 && fds[3] == 13, "enable set");
	expect(vfioctl_irq_enable(msix, 6, 4, efd) == -EINVAL &&
	       has("vectors [6, +4) but the index has 8"), "range");
	expect(fake_vfio_count(VFIO_DEVICE_SET_IRQS) == 1, "not sent");
	expect(vfioctl_irq_trigger(msix, 0, 1) == 0, "trigger");
	s = fake_vfio_last_irq_set(&fds);
	expect(s->flags == (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER) &&
	       s->count == 1, "trigger set");
	expect(vfioctl_irq_disable(msix) == 0, "disable");
	s = fake_vfio_last_irq_set(&fds);
	expect(s->flags == (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER) &&
	       s->count == 0 && s->start == 0, "disable set");
	expect(vfioctl_device_get_irq(d, VFIO_PCI_INTX_IRQ_INDEX, &intx) == 0 &&
	       (vfioctl_irq_get_flags(intx) & VFIO_IRQ_INFO_MASKABLE), "intx");
	expect(vfioctl_irq_mask(intx, 0, 1) == 0 &&
	       fake_vfio_last_irq_set(&fds)->flags ==
	       (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK), "mask");
	expect(vfioctl_irq_unmask(intx, 0, 1) == 0 &&
	       fake_vfio_last_irq_set(&fds)->flags ==
	       (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK), "unmask");
	expect(vfioctl_irq_set_unmask_eventfd(intx, 0, 42) == 0 &&
	       fake_vfio_last_irq_set(&fds)->flags ==
	       (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK) &&
	       fds[0] == 42, "resample");
	expect(vfioctl_device_get_irq(d, VFIO_PCI_ERR_IRQ_INDEX, &err) == 0 &&
	       vfioctl_irq_get_index(err) == VFIO_PCI_ERR_IRQ_INDEX, "err");
	expect(vfioctl_device_get_irq(d, 5, &err) == -EINVAL, "past");
	fake_vfio_fail_ioctl(VFIO_DEVICE_SET_IRQS, EINVAL);
	expect(vfioctl_irq_enable(msix, 0, 1, efd) == -EINVAL &&
	       has("VFIO_DEVICE_SET_IRQS on irq 2 (MSI-X) of device 0000:01:00.0") &&
	       has("only one of INTx, MSI and MSI-X"), "hint");
	return 0;
}

DEFINE_TEST(hot_reset_info, "hot reset info grows on -ENOSPC and reports the count")
{
	struct vfioctl_reset_dep deps[4];

	expect(setup(1) == 0, "setup");
	expect(vfioctl_device_get_hot_reset_info(d, deps, 4) == 2, "two");
	expect(fake_vfio_count(VFIO_DEVICE_GET_PCI_HOT_RESET_INFO) == 2, "retry");
	expect(deps[1].group == 13 && deps[1].bus == 1 && deps[1].devfn == 1,
	       "dep");
	expect(vfioctl_device_get_hot_reset_info(d, deps, 1) == 2, "count > max");
	expect(vfioctl_device_reset(d) == 0, "reset");
	return 0;
}

static void *fail_in_thread(void *arg)
{
	struct vfioctl_group *tg;

	(void)vfioctl_group_open(ctx, 77, &tg);
	return strdup(vfioctl_get_last_error(ctx));
}

DEFINE_TEST(error_per_thread, "the last error is per thread")
{
	pthread_t t;
	char *text;

	expect(test_new(&ctx) == 0, "new");
	expect(pthread_create(&t, NULL, fail_in_thread, NULL) == 0, "thread");
	pthread_join(t, (void **)&text);
	expect(strstr(text, "group 77"), "thread saw: %s", text);
	expect(strcmp(vfioctl_get_last_error(ctx), "") == 0,
	       "main thread sees nothing: %s", vfioctl_get_last_error(ctx));
	free(text);
	return 0;
}

static int logged;
static void *logged_data;
static char logged_text[512];

static void log_fn(struct vfioctl_ctx *lctx, int priority, const char *file,
		   int line, const char *fn, const char *format, va_list args,
		   void *data)
{
	logged++;
	logged_data = data;
	vsnprintf(logged_text, sizeof(logged_text), format, args);
}

DEFINE_TEST(log_callback, "failures reach the log callback with its data; VFIOCTL_LOG sets the level")
{
	int token;

	setenv("VFIOCTL_LOG", "info", 1);
	expect(test_new(&ctx) == 0, "new");
	expect(vfioctl_get_log_priority(ctx) == LOG_INFO, "level");
	vfioctl_set_log_fn(ctx, log_fn, &token);
	expect(vfioctl_group_open(ctx, 5, &g) == -ENOENT, "fail");
	expect(logged == 1 && logged_data == &token &&
	       strstr(logged_text, "group 5 does not exist"), "logged '%s'",
	       logged_text);
	vfioctl_set_log_priority(ctx, LOG_EMERG);
	expect(vfioctl_group_open(ctx, 5, &g) == -ENOENT && logged == 1,
	       "quiet below the level");
	return 0;
}

/* The fd is still open, and the caller's. */
static int fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

DEFINE_TEST(adopt_container, "container_from_fd: owns the fd, makes it CLOEXEC, closes it")
{
	struct vfioctl_container *c2;
	int fd;

	fake_node("vfio");
	expect(test_new(&ctx) == 0, "new");
	test_path("dev/vfio/vfio");
	fd = open(test_path_buf, O_RDWR);	/* no O_CLOEXEC, as handed over */
	expect(fd >= 0, "open");
	expect(vfioctl_container_from_fd(ctx, fd, &c2) == 0, "adopt: %s",
	       vfioctl_get_last_error(ctx));
	expect(vfioctl_container_get_fd(c2) == fd, "same fd");
	expect(fcntl(fd, F_GETFD) & FD_CLOEXEC, "CLOEXEC");
	expect(vfioctl_container_get_api_version(c2) == VFIO_API_VERSION, "api");
	expect(vfioctl_container_get_iommu_type(c2) == 0, "model not known");
	vfioctl_container_unref(c2);
	expect(!fd_open(fd), "the last unref closed the fd");
	return 0;
}

DEFINE_TEST(adopt_group_device, "group_from_fd and device_from_fd work like open")
{
	struct vfioctl_region *r;
	char buf[4];
	int gfd, dfd;

	fake_node("vfio");
	fake_node("12");
	fake_pci(DEV, 12, "vfio-pci");
	expect(test_new(&ctx) == 0 && vfioctl_container_open(ctx, &c) == 0,
	       "setup");
	test_path("dev/vfio/12");
	gfd = open(test_path_buf, O_RDWR);
	expect(gfd >= 0, "open");
	expect(vfioctl_group_from_fd(ctx, gfd, &g) == 0, "adopt group: %s",
	       vfioctl_get_last_error(ctx));
	expect(vfioctl_group_get_number(g) == 12, "number from the node name: %d",
	       vfioctl_group_get_number(g));
	expect(vfioctl_group_get_fd(g) == gfd, "same fd");
	expect(vfioctl_group_get_container(g) == NULL, "no container known");
	expect(vfioctl_group_set_container(g, c) == 0 &&
	       vfioctl_container_set_iommu(c, VFIOCTL_IOMMU_AUTO) > 0, "attach");

	dfd = ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, DEV);
	expect(dfd >= 0, "device fd");
	expect(vfioctl_device_from_fd(g, dfd, NULL, &d) == 0, "adopt device: %s",
	       vfioctl_get_last_error(ctx));
	expect(strstr(vfioctl_device_get_name(d), "fd "), "named after the fd: %s",
	       vfioctl_device_get_name(d));
	expect(vfioctl_device_get_num_regions(d) == 9, "info loaded");
	expect(vfioctl_device_get_region(d, 0, &r) == 0 &&
	       vfioctl_region_read(r, 0, buf, sizeof(buf)) == 0, "region io");
	vfioctl_device_unref(d);
	expect(!fd_open(dfd), "device fd closed");
	vfioctl_group_unref(g);
	expect(!fd_open(gfd), "group fd closed");
	vfioctl_container_unref(c);
	return 0;
}

DEFINE_TEST(adopt_wrong_fd, "a pipe, a closed fd or the wrong kind: -errno naming the fd, fd left alone")
{
	char want[64];
	int p[2], gfd;

	fake_node("vfio");
	fake_node("12");
	expect(test_new(&ctx) == 0, "new");
	expect(pipe(p) == 0, "pipe");

	expect(vfioctl_container_from_fd(ctx, p[0], &c) == -ENOTTY, "pipe container");
	snprintf(want, sizeof(want), "fd %d (pipe:[", p[0]);
	expect(has("VFIO_GET_API_VERSION on fd ") && has(want) &&
	       has("is not a VFIO container"), "text");
	expect(fd_open(p[0]) && !(fcntl(p[0], F_GETFD) & FD_CLOEXEC),
	       "fd left alone");
	expect(vfioctl_group_from_fd(ctx, p[0], &g) == -ENOTTY, "pipe group");
	expect(has("VFIO_GROUP_GET_STATUS") && has(want) &&
	       has("is not a VFIO group"), "text");

	test_path("dev/vfio/12");
	gfd = open(test_path_buf, O_RDWR);
	expect(gfd >= 0 && vfioctl_group_from_fd(ctx, gfd, &g) == 0, "group");
	expect(vfioctl_device_from_fd(g, p[1], "dev", &d) == -ENOTTY,
	       "pipe device");
	expect(has("VFIO_DEVICE_GET_INFO") && has("is not a VFIO device"), "text");
	expect(fd_open(p[1]), "fd left alone");
	/* A group is not a container. */
	expect(vfioctl_container_from_fd(ctx, gfd, &c) == -ENOTTY, "group as container");
	expect(has("/dev/vfio/12) is not a VFIO container"), "text");

	expect(vfioctl_container_from_fd(ctx, -1, &c) == -EBADF, "-1");
	close(p[0]);
	expect(vfioctl_container_from_fd(ctx, p[0], &c) == -EBADF, "closed");
	snprintf(want, sizeof(want), "fd %d is not open in this process", p[0]);
	expect(has(want), "text");
	vfioctl_group_unref(g);
	return 0;
}

DEFINE_TEST(kvm_errors, "kvm_new: a closed fd, a pipe, NULL: -errno naming the fd")
{
	struct vfioctl_kvm *kvm;
	char want[64];
	int p[2];

	expect(test_new(&ctx) == 0 && pipe(p) == 0, "setup");
	expect(vfioctl_kvm_new(ctx, -1, &kvm) == -EBADF, "-1");
	expect(has("KVM_CREATE_DEVICE on VM fd -1") &&
	       has("fd -1 is not open"), "text");
	expect(vfioctl_kvm_new(ctx, p[0], &kvm) == -ENOTTY, "pipe");
	snprintf(want, sizeof(want), "fd %d (pipe:[", p[0]);
	expect(has(want) && has("is not a KVM VM"), "text");
	expect(vfioctl_kvm_new(ctx, p[0], NULL) == -EINVAL, "NULL out");
	expect(vfioctl_kvm_add_group(NULL, NULL) == -EINVAL, "NULL add");
	return 0;
}

DEFINE_TEST(kvm_add_del, "KVM-VFIO device: created once per VM, groups added and removed")
{
	struct vfioctl_kvm *kvm, *kvm2;
	int vm;

	expect(setup(0) == 0, "setup: %s", vfioctl_get_last_error(ctx));
	fake_node("kvm-vm");
	test_path("dev/vfio/kvm-vm");
	vm = open(test_path_buf, O_RDWR | O_CLOEXEC);
	expect(vm >= 0, "vm");
	expect(vfioctl_kvm_new(ctx, vm, &kvm) == 0, "new: %s",
	       vfioctl_get_last_error(ctx));
	expect(fcntl(vfioctl_kvm_get_fd(kvm), F_GETFD) & FD_CLOEXEC, "CLOEXEC");
	expect(vfioctl_kvm_add_group(kvm, g) == 0, "add: %s",
	       vfioctl_get_last_error(ctx));
	expect(fake_vfio_kvm_has_group(vfioctl_group_get_fd(g)),
	       "the kernel got the group's fd");
	expect(vfioctl_kvm_add_group(kvm, g) == -EEXIST, "twice");
	expect(has("KVM_DEV_VFIO_FILE_ADD") && has("group 12"), "text");
	expect(vfioctl_kvm_del_group(kvm, g) == 0, "del");
	expect(!fake_vfio_kvm_has_group(vfioctl_group_get_fd(g)), "gone");
	expect(vfioctl_kvm_del_group(kvm, g) == -ENOENT, "del twice");
	expect(has("was not added to this VM"), "text");
	expect(vfioctl_kvm_new(ctx, vm, &kvm2) == -EBUSY, "second device");
	expect(has("only one is allowed"), "text");
	expect(vfioctl_kvm_ref(kvm) == kvm, "ref");
	vfioctl_kvm_unref(kvm);
	vfioctl_kvm_unref(kvm);
	close(vm);
	return 0;
}

DEFINE_TEST(topology, "IOMMU groups in number order, their devices in name order, drivers and IDs")
{
	struct vfioctl_iommu_group *ig, *seen[4];
	struct vfioctl_iommu_dev *dev;
	char names[256] = "";
	int n = 0;

	fake_pci("0000:02:02.0", 3, NULL);
	fake_pci("0000:02:01.0", 3, "e1000");
	fake_pci(DEV, 12, "vfio-pci");
	fake_pci("0000:00:1f.0", 20, "lpc_ich");
	fake_file("sys/devices/pci0000:00/0000:02:01.0/vendor", "0x8086\n");
	fake_file("sys/devices/pci0000:00/0000:02:01.0/device", "0x100e\n");
	expect(test_new(&ctx) == 0, "new");
	expect(vfioctl_iommu_groups_scan(ctx) == 3, "three groups");
	vfioctl_iommu_group_foreach(ctx, ig) {
		expect(n < 4, "too many");
		seen[n++] = ig;
	}
	expect(n == 3, "%d groups iterated", n);
	expect(vfioctl_iommu_group_get_number(seen[0]) == 3 &&
	       vfioctl_iommu_group_get_number(seen[1]) == 12 &&
	       vfioctl_iommu_group_get_number(seen[2]) == 20, "numeric order");
	expect(vfioctl_iommu_group_get_ctx(seen[0]) == ctx, "ctx");
	vfioctl_iommu_dev_foreach(seen[0], dev) {
		strcat(names, vfioctl_iommu_dev_get_name(dev));
		strcat(names, "=");
		strcat(names, vfioctl_iommu_dev_get_driver(dev));
		strcat(names, " ");
		expect(vfioctl_iommu_dev_get_group(dev) == seen[0], "back link");
	}
	expect(strcmp(names, "0000:02:01.0=e1000 0000:02:02.0= ") == 0, "%s",
	       names);
	dev = vfioctl_iommu_dev_get_first(seen[0]);
	expect(vfioctl_iommu_dev_get_vendor(dev) == 0x8086 &&
	       vfioctl_iommu_dev_get_device(dev) == 0x100e, "IDs");
	dev = vfioctl_iommu_dev_get_next(dev);
	expect(vfioctl_iommu_dev_get_vendor(dev) == 0, "no vendor file");
	expect(vfioctl_iommu_dev_get_next(dev) == NULL, "end");
	dev = vfioctl_iommu_dev_get_first(seen[1]);
	expect(strcmp(vfioctl_iommu_dev_get_name(dev), DEV) == 0 &&
	       strcmp(vfioctl_iommu_dev_get_driver(dev), "vfio-pci") == 0,
	       "group 12");
	/* A snapshot: the roots cannot move under it. */
	expect(vfioctl_set_root(ctx, "/sys", "/dev") == -EBUSY, "set_root");
	vfioctl_unref(ctx);
	return 0;
}

DEFINE_TEST(topology_no_iommu, "an empty and a missing iommu_groups both give -ENODEV")
{
	expect(test_new(&ctx) == 0, "new");
	expect(vfioctl_iommu_groups_scan(ctx) == -ENODEV, "empty");
	expect(has("no IOMMU groups"), "text");
	expect(vfioctl_iommu_group_get_first(ctx) == NULL, "no first");
	vfioctl_unref(ctx);
	test_path("sys/kernel/iommu_groups");
	expect(rmdir(test_path_buf) == 0, "rmdir");
	expect(test_new(&ctx) == 0, "new");
	expect(vfioctl_iommu_groups_scan(ctx) == -ENODEV, "missing");
	expect(has("no IOMMU groups"), "text");
	return 0;
}

DEFINE_TEST(lifetimes, "children keep their parents alive; unref order does not matter")
{
	struct vfioctl_region *r;

	expect(setup(1) == 0, "setup");
	expect(vfioctl_device_get_region(d, 0, &r) == 0, "region");
	vfioctl_unref(ctx);
	vfioctl_container_unref(c);
	vfioctl_group_unref(g);
	/* The device still holds group, container and context. */
	expect(vfioctl_device_get_group(d) == g &&
	       vfioctl_group_get_container(g) == c &&
	       vfioctl_region_get_ctx(r) == vfioctl_container_get_ctx(c) &&
	       strstr(vfioctl_get_sysfs_root(vfioctl_device_get_ctx(d)), "/sys"),
	       "reachable");
	expect(vfioctl_device_ref(d) == d, "ref");
	vfioctl_device_unref(d);
	vfioctl_device_unref(d);
	vfioctl_device_unref(NULL);
	vfioctl_group_unref(NULL);
	vfioctl_container_unref(NULL);
	vfioctl_unref(NULL);
	return 0;
}

TEST_MAIN()
