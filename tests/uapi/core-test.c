// SPDX-License-Identifier: GPL-2.0-only
/*
 * core-test - UAPI tests of the VFIO core: container, group and device fds.
 *
 * Runs against any VFIO stack (stock or vfioctl) given a group whose
 * devices are all bound to a VFIO bus driver:
 *
 *   core-test MODE --group N --device NAME --type IOMMU_TYPE
 *
 * MODE:
 *   errno        the errno table of kernel-vfio.md section 1
 *   close-order  every order of closing container/group/device, in one
 *                process, after fork and after passing over SCM_RIGHTS
 *   race         two processes open the group at once: one wins, one EBUSY
 *   hold         open everything, map one page, print "ready", wait to
 *                be killed
 *   hold-fds=N   open everything with N device fds, print "ready", wait
 *   reopen       the group can be opened and has no container
 *   caps         GET_INFO capability chain (vfio_test devices only)
 *   external     external-user protocol and vfio_file_* via vfio_test's
 *                debugfs (vfio_test devices only)
 *   revoke       the device goes away while only an external user holds
 *                the group: the external user keeps its container
 *                (unregisters the vfio_test device)
 *   drvdata      the device is registered again while its old release
 *                still runs (vfio_test's stall-release): the old release
 *                must not touch the new registration's drvdata
 *   cc-emulated  CHECK_EXTENSION(DMA_CC_IOMMU) of type1 (--type 3) with
 *                an emulated group and no IOMMU domain
 *   nonviable    the group has a device on a DMA-API driver: not viable,
 *                SET_CONTAINER fails
 *   noiommu      no-IOMMU mode: group N is noiommu-N, --other-group M an
 *                IOMMU group that must not mix with it
 *   noiommu-norawio  opening noiommu-N without CAP_SYS_RAWIO fails
 *   bench --count N --type T   N vfio_test groups (multi=1) in one
 *                container: cost per open/SET_CONTAINER/GET_DEVICE_FD
 *
 * Prints TAP-style "ok"/"not ok" lines; exits 1 if anything failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "../../kmod/test/vfio_test.h"

static int group_nr = -1;
static const char *device_name;
static unsigned long iommu_type = VFIO_TYPE1v2_IOMMU;
static int failures;
static int checks;

#define check(cond, ...) do {						\
	checks++;							\
	if (cond) {							\
		printf("ok %d - ", checks);				\
	} else {							\
		failures++;						\
		printf("not ok %d - ", checks);				\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

/* check that @ret is -1 with errno @err */
#define check_errno(ret, err, what) do {				\
	long __r = (ret);						\
	int __e = errno;						\
	check(__r == -1 && __e == (err), "%s: %s (got %ld, %s)",	\
	      what, strerror(err), __r, __r == -1 ? strerror(__e) : "success"); \
} while (0)

#define check_ok(ret, what) do {					\
	long __r = (ret);						\
	int __e = errno;						\
	check(__r >= 0, "%s (got %ld%s%s)", what, __r,			\
	      __r < 0 ? ", " : "", __r < 0 ? strerror(__e) : "");	\
} while (0)

static void die(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(2);
}

static char *group_path(void)
{
	static char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", group_nr);
	return path;
}

static int open_group(void)
{
	return open(group_path(), O_RDWR);
}

static unsigned int group_flags(int group)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };

	if (ioctl(group, VFIO_GROUP_GET_STATUS, &st))
		die("VFIO_GROUP_GET_STATUS");
	return st.flags;
}

/* container + group + SET_CONTAINER + SET_IOMMU + device fd */
struct stack {
	int container, group, device;
};

static int setup(struct stack *s)
{
	s->container = open("/dev/vfio/vfio", O_RDWR);
	if (s->container < 0)
		return -1;
	s->group = open_group();
	if (s->group < 0)
		return -1;
	if (ioctl(s->group, VFIO_GROUP_SET_CONTAINER, &s->container))
		return -1;
	if (ioctl(s->container, VFIO_SET_IOMMU, iommu_type))
		return -1;
	s->device = ioctl(s->group, VFIO_GROUP_GET_DEVICE_FD, device_name);
	return s->device < 0 ? -1 : 0;
}

static void teardown(struct stack *s)
{
	close(s->device);
	close(s->group);
	close(s->container);
}

/* ---------------------------------------------------------------- errno */

/* Some errnos changed between kernels; stock of the running one is right. */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		die("uname");
	return ma > major || (ma == major && mi >= minor);
}

/* pread/pwrite work on device fds: read 4 bytes of the first readable region. */
static void check_pread(int device, unsigned int num_regions)
{
	unsigned int i;

	for (i = 0; i < num_regions; i++) {
		struct vfio_region_info reg = { .argsz = sizeof(reg), .index = i };
		__u32 val;

		if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &reg) ||
		    !(reg.flags & VFIO_REGION_INFO_FLAG_READ) || reg.size < 4)
			continue;
		check(pread(device, &val, 4, reg.offset) == 4,
		      "pread of region %u at its offset", i);
		return;
	}
	check(0, "no readable region to pread");
}


static void test_errno(void)
{
	struct vfio_group_status st;
	struct stack s;
	int container, container2, group, group2, device, nullfd, bad = 12345;
	char link[64], target[128];
	ssize_t n;

	container = open("/dev/vfio/vfio", O_RDWR);
	check_ok(container, "open /dev/vfio/vfio");
	if (container < 0)
		return;
	check(ioctl(container, VFIO_GET_API_VERSION) == VFIO_API_VERSION,
	      "GET_API_VERSION is %d", VFIO_API_VERSION);
	check(ioctl(container, VFIO_CHECK_EXTENSION, 0x7fff) == 0,
	      "CHECK_EXTENSION of an unknown extension is 0");
	check(ioctl(container, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU) == 0,
	      "CHECK_EXTENSION(NOIOMMU) is 0 while no-IOMMU mode is off");
	check(ioctl(container, VFIO_CHECK_EXTENSION, iommu_type) > 0,
	      "CHECK_EXTENSION(%lu) of the backend under test is positive",
	      iommu_type);
	check_errno(ioctl(container, VFIO_SET_IOMMU, iommu_type), EINVAL,
		    "SET_IOMMU without a group");
	check_errno(ioctl(container, VFIO_IOMMU_GET_INFO, NULL), EINVAL,
		    "backend ioctl before SET_IOMMU");

	group = open_group();
	check_ok(group, "open the group");
	if (group < 0)
		return;
	group2 = open_group();
	check_errno(group2, EBUSY, "second open of the group");

	st.argsz = sizeof(st) - 1;
	check_errno(ioctl(group, VFIO_GROUP_GET_STATUS, &st), EINVAL,
		    "GET_STATUS with a short argsz");
	check(group_flags(group) == VFIO_GROUP_FLAGS_VIABLE,
	      "GET_STATUS: viable, no container");
	check_errno(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, device_name), EINVAL,
		    "GET_DEVICE_FD without a container");
	check_errno(ioctl(group, VFIO_GROUP_UNSET_CONTAINER), EINVAL,
		    "UNSET_CONTAINER without a container");
	/* Not EINVAL as older kernels: 6.x looks the fd up first. */
	check_errno(ioctl(group, VFIO_GROUP_SET_CONTAINER, &(int){ -1 }), EBADF,
		    "SET_CONTAINER with fd -1");
	check_errno(ioctl(group, VFIO_GROUP_SET_CONTAINER, &bad), EBADF,
		    "SET_CONTAINER with a closed fd");
	nullfd = open("/dev/null", O_RDWR);
	/* 6.2+ also accepts an iommufd and says EBADFD for anything else */
	check_errno(ioctl(group, VFIO_GROUP_SET_CONTAINER, &nullfd),
		    kernel_at_least(6, 2) ? EBADFD : EINVAL,
		    "SET_CONTAINER with a fd that is not a container");
	check_errno(ioctl(group, VFIO_GROUP_SET_CONTAINER, NULL), EFAULT,
		    "SET_CONTAINER with a bad pointer");
	check_errno(ioctl(group, _IO(VFIO_TYPE, VFIO_BASE + 50)), ENOTTY,
		    "unknown group ioctl");

	check_ok(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container),
		 "SET_CONTAINER");
	check(group_flags(group) ==
	      (VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET),
	      "GET_STATUS: viable, container set");
	container2 = open("/dev/vfio/vfio", O_RDWR);
	check_errno(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container2), EINVAL,
		    "SET_CONTAINER while set");
	check_errno(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, device_name), EINVAL,
		    "GET_DEVICE_FD before SET_IOMMU");
	check_errno(ioctl(container, VFIO_SET_IOMMU, 0x7fff), ENODEV,
		    "SET_IOMMU of a type no backend has");
	check_ok(ioctl(container, VFIO_SET_IOMMU, iommu_type), "SET_IOMMU");
	check_errno(ioctl(container, VFIO_SET_IOMMU, iommu_type), EINVAL,
		    "SET_IOMMU twice");
	check_errno(ioctl(container, _IO(VFIO_TYPE, VFIO_BASE + 50)), ENOTTY,
		    "unknown container ioctl reaches the backend");
	check_errno(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, "no-such-device"),
		    ENODEV, "GET_DEVICE_FD of an unknown name");
	check_errno(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, NULL), EFAULT,
		    "GET_DEVICE_FD with a bad pointer");

	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, device_name);
	check_ok(device, "GET_DEVICE_FD of the device");
	if (device >= 0) {
		struct vfio_device_info info = { .argsz = sizeof(info) };

		check(fcntl(device, F_GETFD) & FD_CLOEXEC,
		      "device fd is O_CLOEXEC");
		snprintf(link, sizeof(link), "/proc/self/fd/%d", device);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		check(!strcmp(target, "anon_inode:[vfio-device]"),
		      "device fd is anon_inode:[vfio-device] (%s)", target);
		check_ok(ioctl(device, VFIO_DEVICE_GET_INFO, &info),
			 "device GET_INFO");
		check(info.num_regions > 0, "device has regions");
		check_errno(lseek(device, 0, SEEK_SET), ESPIPE,
			    "lseek on a device fd");
		check_pread(device, info.num_regions);
		check_errno(ioctl(group, VFIO_GROUP_UNSET_CONTAINER), EBUSY,
			    "UNSET_CONTAINER with a device fd open");
		close(device);
	}
	check_ok(ioctl(group, VFIO_GROUP_UNSET_CONTAINER),
		 "UNSET_CONTAINER after the device fd is closed");
	check(group_flags(group) == VFIO_GROUP_FLAGS_VIABLE,
	      "GET_STATUS: container unset");
	check_errno(ioctl(container, VFIO_IOMMU_GET_INFO, NULL), EINVAL,
		    "the container lost its backend with its last group");
	check_ok(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container2),
		 "SET_CONTAINER to another container");
	close(container2);
	close(container);
	close(nullfd);
	close(group);

	/* A group still in use from an earlier open cannot be reopened. */
	if (setup(&s))
		die("setup");
	close(s.group);
	close(s.container);
	check_errno(open_group(), EBUSY,
		    "open while a device fd of an earlier open remains");
	close(s.device);
	group = open_group();
	check_ok(group, "open after the last device fd is closed");
	if (group >= 0) {
		check(group_flags(group) == VFIO_GROUP_FLAGS_VIABLE,
		      "the group came back without a container");
		close(group);
	}
}

/* ---------------------------------------------------------------- close order */

static const int orders[6][3] = {
	{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
	{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
};
static const char *const names[3] = { "container", "group", "device" };

/*
 * Close @fds in @order; after each close, the group can be reopened iff
 * both the group and the device fd are gone (a container alone does not
 * hold the group), and a remaining device fd still works.
 */
static void close_in_order(int fds[3], const int order[3], const char *how)
{
	bool closed[3] = { false, false, false };
	int i;

	for (i = 0; i < 3; i++) {
		struct vfio_device_info info = { .argsz = sizeof(info) };
		bool free_now;
		int g;

		close(fds[order[i]]);
		closed[order[i]] = true;
		free_now = closed[1] && closed[2];

		g = open_group();
		if (free_now)
			check(g >= 0 && group_flags(g) == VFIO_GROUP_FLAGS_VIABLE,
			      "%s: %s,%s,%s: group free after closing %s", how,
			      names[order[0]], names[order[1]], names[order[2]],
			      names[order[i]]);
		else
			check(g < 0 && errno == EBUSY,
			      "%s: %s,%s,%s: group busy after closing %s", how,
			      names[order[0]], names[order[1]], names[order[2]],
			      names[order[i]]);
		if (g >= 0)
			close(g);
		if (!closed[2])
			check(!ioctl(fds[2], VFIO_DEVICE_GET_INFO, &info),
			      "%s: device fd works after closing %s", how,
			      names[order[i]]);
	}
}

static int send_fds(int sock, int fds[3])
{
	char buf[CMSG_SPACE(3 * sizeof(int))] = {};
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = buf, .msg_controllen = sizeof(buf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(3 * sizeof(int));
	memcpy(CMSG_DATA(cmsg), fds, 3 * sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fds(int sock, int fds[3])
{
	char buf[CMSG_SPACE(3 * sizeof(int))];
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = buf, .msg_controllen = sizeof(buf),
	};
	struct cmsghdr *cmsg;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(fds, CMSG_DATA(cmsg), 3 * sizeof(int));
	return 0;
}

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void test_close_order(void)
{
	int o;

	for (o = 0; o < 6; o++) {
		struct stack s;
		int fds[3], sv[2], pipefd[2];
		pid_t pid;
		char c;

		/* One process. */
		if (setup(&s))
			die("setup");
		fds[0] = s.container; fds[1] = s.group; fds[2] = s.device;
		close_in_order(fds, orders[o], "one process");

		/* fork: the parent closes everything, the child in order. */
		if (setup(&s))
			die("setup");
		if (pipe(pipefd))
			die("pipe");
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			close(pipefd[1]);
			if (read(pipefd[0], &c, 1) != 1)
				_exit(2);
			fds[0] = s.container; fds[1] = s.group; fds[2] = s.device;
			close_in_order(fds, orders[o], "fork");
			_exit(failures ? 1 : 0);
		}
		close(pipefd[0]);
		teardown(&s);
		if (write(pipefd[1], "x", 1) != 1)
			die("write");
		close(pipefd[1]);
		check(wait_child(pid) == 0, "fork: child closed in order %d", o);

		/* SCM_RIGHTS: a stranger gets the fds and closes them. */
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			die("socketpair");
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			close(sv[0]);
			if (recv_fds(sv[1], fds))
				_exit(2);
			/* Wait until the sender has closed its copies. */
			if (read(sv[1], &c, 1) != 1)
				_exit(2);
			close_in_order(fds, orders[o], "SCM_RIGHTS");
			_exit(failures ? 1 : 0);
		}
		close(sv[1]);
		if (setup(&s))
			die("setup");
		fds[0] = s.container; fds[1] = s.group; fds[2] = s.device;
		if (send_fds(sv[0], fds))
			die("sendmsg");
		teardown(&s);
		if (write(sv[0], "g", 1) != 1)
			die("write");
		close(sv[0]);
		check(wait_child(pid) == 0,
		      "SCM_RIGHTS: receiver closed in order %d", o);
	}
}

/* ---------------------------------------------------------------- race */

static void test_race(void)
{
	int round;

	for (round = 0; round < 20; round++) {
		int pipefd[2], i, won = 0, busy = 0;
		pid_t pids[2];

		if (pipe(pipefd))
			die("pipe");
		for (i = 0; i < 2; i++) {
			pids[i] = fork();
			if (pids[i] < 0)
				die("fork");
			if (!pids[i]) {
				char c;
				int g;

				close(pipefd[1]);
				/* Both start when the parent closes the pipe. */
				if (read(pipefd[0], &c, 1) != 0)
					_exit(3);
				g = open_group();
				if (g >= 0) {
					usleep(100 * 1000);
					_exit(0);
				}
				_exit(errno == EBUSY ? 1 : 2);
			}
		}
		close(pipefd[0]);
		close(pipefd[1]);
		for (i = 0; i < 2; i++) {
			int r = wait_child(pids[i]);

			won += r == 0;
			busy += r == 1;
		}
		if (won != 1 || busy != 1) {
			check(0, "race round %d: %d won, %d got EBUSY", round,
			      won, busy);
			return;
		}
	}
	check(1, "20 races: exactly one opener wins, the other gets EBUSY");
}

/* ---------------------------------------------------------------- hold, reopen */

static void hold(void)
{
	struct stack s;

	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = 1 << 20,
		.size = 4096,
	};
	void *page;

	if (setup(&s))
		die("setup");
	/* One mapping, so introspection has something to count. */
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		die("mmap");
	map.vaddr = (uintptr_t)page;
	if (ioctl(s.container, VFIO_IOMMU_MAP_DMA, &map))
		die("VFIO_IOMMU_MAP_DMA");
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* hold-fds N: open the device N times (N holders), then as hold. */
static void hold_fds(int n)
{
	struct rlimit rl = { n + 64, n + 64 };
	struct stack s;
	int i;

	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit");
	if (setup(&s))
		die("setup");
	for (i = 1; i < n; i++)
		if (ioctl(s.group, VFIO_GROUP_GET_DEVICE_FD, device_name) < 0)
			die("VFIO_GROUP_GET_DEVICE_FD");
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

static void test_reopen(void)
{
	int g = open_group();

	check_ok(g, "the group can be opened");
	if (g >= 0) {
		check(group_flags(g) == VFIO_GROUP_FLAGS_VIABLE,
		      "the group is viable and has no container");
		close(g);
	}
}

/* ---------------------------------------------------------------- caps */

static void test_caps(void)
{
	struct vfio_device_info *info;
	struct vfio_info_cap_header *hdr;
	struct vfio_test_cap *cap;
	struct stack s;
	__u32 need, base;

	if (setup(&s))
		die("setup");

	info = calloc(1, 4096);
	if (!info)
		die("calloc");
	info->argsz = sizeof(*info);
	check_ok(ioctl(s.device, VFIO_DEVICE_GET_INFO, info),
		 "GET_INFO with room for the struct only");
	check(info->flags & VFIO_DEVICE_FLAGS_CAPS, "CAPS flag set");
	check(info->cap_offset == 0, "cap_offset is 0 when the chain does not fit");
	need = info->argsz;
	/*
	 * The chain follows the kernel's struct vfio_device_info, which need
	 * not be ours: 6.6 added a trailing pad (24 bytes, 6.12) to the 20 of
	 * 6.1, and this program may be built against either header.
	 */
	base = kernel_at_least(6, 6) ?
		offsetof(struct vfio_device_info, cap_offset) + 8 :
		offsetof(struct vfio_device_info, cap_offset) + 4;
	check(need == base + 2 * sizeof(struct vfio_test_cap),
	      "argsz says how much is needed (%u, kernel struct %u + 2 caps)",
	      need, base);

	memset(info, 0, 4096);
	info->argsz = need;
	check_ok(ioctl(s.device, VFIO_DEVICE_GET_INFO, info),
		 "GET_INFO with the needed argsz");
	check(info->cap_offset == base, "cap_offset follows the struct (%u)",
	      info->cap_offset);
	hdr = (void *)((char *)info + info->cap_offset);
	cap = (void *)hdr;
	check(hdr->id == VFIO_TEST_CAP_ID && hdr->version == 1 &&
	      cap->magic == VFIO_TEST_CAP_MAGIC, "first capability intact");
	check(hdr->next == base + sizeof(*cap),
	      "next is relative to the info struct (%u)", hdr->next);
	if (hdr->next && hdr->next < need) {
		hdr = (void *)((char *)info + hdr->next);
		cap = (void *)hdr;
		check(hdr->id == VFIO_TEST_CAP_ID && hdr->version == 2 &&
		      cap->magic == ~VFIO_TEST_CAP_MAGIC && hdr->next == 0,
		      "second capability intact and last");
	}

	memset(info, 0, 4096);
	info->argsz = offsetof(struct vfio_device_info, cap_offset);
	check_ok(ioctl(s.device, VFIO_DEVICE_GET_INFO, info),
		 "GET_INFO with the pre-capability struct size");
	check(!(info->flags & VFIO_DEVICE_FLAGS_CAPS),
	      "no CAPS flag for an old caller");
	free(info);
	teardown(&s);
}

/* ---------------------------------------------------------------- external */

#define EXT_PATH "/sys/kernel/debug/vfio_test/external"

/* Write "CMD FD" (or just "put") to vfio_test's debugfs file; 0 or -errno. */
static int ext_cmd(const char *cmd, int fd)
{
	char buf[64];
	int f, ret = 0, len;

	if (!strcmp(cmd, "put"))
		len = snprintf(buf, sizeof(buf), "put");
	else
		len = snprintf(buf, sizeof(buf), "%s %d", cmd, fd);
	f = open(EXT_PATH, O_RDWR);
	if (f < 0)
		die("open " EXT_PATH);
	if (write(f, buf, len) != len)
		ret = -errno;
	close(f);
	return ret;
}

static void ext_state(char *buf, size_t size)
{
	int f = open(EXT_PATH, O_RDONLY);
	ssize_t n;

	if (f < 0)
		die("open " EXT_PATH);
	n = read(f, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(f);
}

static void test_external(void)
{
	char state[512], want[256];
	int container, group, has_dev0;
	struct stack s;

	container = open("/dev/vfio/vfio", O_RDWR);
	check(ext_cmd("get", container) == -EINVAL,
	      "external user of a container fd: EINVAL");
	group = open_group();
	check(ext_cmd("get", group) == -EINVAL,
	      "external user of a group without container: EINVAL");
	check(ext_cmd("get", 9999) == -EBADF, "external user of a bad fd: EBADF");
	ioctl(group, VFIO_GROUP_SET_CONTAINER, &container);
	check(ext_cmd("get", group) == -EINVAL,
	      "external user of a group without IOMMU: EINVAL");
	close(group);
	close(container);

	if (setup(&s))
		die("setup");
	check(ext_cmd("get", s.group) == 0, "external user get");
	ext_state(state, sizeof(state));
	snprintf(want, sizeof(want),
		 "external iommu_id=%d test_iommu=1 cc=1\n", group_nr);
	check(!strncmp(state, want, strlen(want)),
	      "iommu id and check extension through the external user (%.*s)",
	      (int)strcspn(state, "\n"), state);
	check(ext_cmd("get", s.group) == -EBUSY, "the test slot is taken");
	close(s.device);
	check_errno(ioctl(s.group, VFIO_GROUP_UNSET_CONTAINER), EBUSY,
		    "UNSET_CONTAINER while an external user holds the group");
	close(s.group);
	close(s.container);
	check_errno(open_group(), EBUSY,
		    "the group cannot be reopened while the external user holds it");
	check(ext_cmd("put", 0) == 0, "external user put");
	check(ext_cmd("put", 0) == -ENOENT, "nothing left to put");
	test_reopen();

	/* vfio_file_* through symbol_get(), as kvm-vfio resolves them */
	has_dev0 = !strcmp(device_name, "vfio_test.0") ||
		   !strcmp(device_name, "vfio_test.1");
	if (setup(&s))
		die("setup");
	check(ext_cmd("file", s.group) == 0, "vfio_file_* on the group fd");
	ext_state(state, sizeof(state));
	snprintf(want, sizeof(want),
		 "is_group=1 is_valid=1 coherent=1 iommu_group=%d has_dev0=%d\n",
		 group_nr, has_dev0);
	check(strstr(state, want), "group fd: %s", want);
	check(ext_cmd("file", s.device) == 0, "vfio_file_* on the device fd");
	ext_state(state, sizeof(state));
	check(strstr(state, "is_group=0 is_valid=1 coherent=1 iommu_group=-1 has_dev0=0\n"),
	      "device fd: valid for KVM, not a group");
	check(ext_cmd("file", s.container) == 0,
	      "vfio_file_* on the container fd");
	ext_state(state, sizeof(state));
	check(strstr(state, "is_group=0 is_valid=0 coherent=1 iommu_group=-1 has_dev0=0\n"),
	      "container fd: not a VFIO file for KVM");
	teardown(&s);
}

/*
 * The device's last user is gone while only an external user holds the
 * group (its group fd already closed): removing the device must revoke
 * the group fd's attachment only, never the external user's, which keeps
 * a working container until it lets go.
 */
static void test_revoke(void)
{
	char state[512], want[256], node[64];
	struct stack s;
	int idx;

	if (sscanf(device_name, "vfio_test.%d", &idx) != 1)
		die("revoke needs a vfio_test device");
	snprintf(node, sizeof(node), "/dev/vfio/%d", group_nr);
	if (setup(&s))
		die("setup");
	check(ext_cmd("get", s.group) == 0, "external user get");
	teardown(&s);
	check(ext_cmd("unregister", idx) == 0,
	      "unregister the device (no device fd left, does not block)");
	ext_state(state, sizeof(state));
	snprintf(want, sizeof(want),
		 "external iommu_id=%d test_iommu=1 cc=1\n", group_nr);
	check(!strncmp(state, want, strlen(want)),
	      "the external user's container survives the revocation (%.*s)",
	      (int)strcspn(state, "\n"), state);
	check(access(node, F_OK) == 0,
	      "the group stays while the external user holds it");
	check_errno(open(node, O_RDWR), EBUSY,
		    "the group cannot be reopened while the external user holds it");
	check(ext_cmd("put", 0) == 0, "external user put");
	check(access(node, F_OK) && errno == ENOENT,
	      "the group is gone with its last user");
}

/* vfio_test/NAME, a debugfs integer */
static int debugfs_int(const char *name)
{
	char path[128], buf[32] = "";
	int f, n;

	snprintf(path, sizeof(path), "/sys/kernel/debug/vfio_test/%s", name);
	f = open(path, O_RDONLY);
	if (f < 0)
		die(path);
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		die(path);
	return atoi(buf);
}

/* poll every 10 ms for up to @ms until vfio_test/NAME differs from @than */
static bool debugfs_wait_change(const char *name, int than, int ms)
{
	for (; ms > 0; ms -= 10) {
		if (debugfs_int(name) != than)
			return true;
		usleep(10000);
	}
	return false;
}

static int closer_fd;
static int closer_done;

static void *close_device(void *arg)
{
	(void)arg;
	close(closer_fd);
	__atomic_store_n(&closer_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

#define DRVDATA_STALL_MS	2000

/*
 * A bus driver's remove (vfio_del_group_dev()) may return, and another
 * driver bind, as soon as the device is off its group's list; its
 * vfio_device_release() may still be running then.  Before 0f6030b the
 * release cleared drvdata only after dropping the list lock, so a late
 * store could wipe the drvdata of the driver bound since (vfio-pci then
 * finds no address_space to zap BAR mappings on, and its remove no
 * device).  The window is instructions wide: vfio_test's stall-release
 * widens it to DRVDATA_STALL_MS in the release, after the device left
 * the list.  Meanwhile a signal lets the unregistering task re-check and
 * return, and the device is registered again; its drvdata must survive
 * the old release.  Stock has no such path (its core never touches a
 * driver's drvdata).
 */
static void test_drvdata(void)
{
	int idx, requests, st = -1, ms;
	pthread_t closer;
	struct stack s;
	pid_t unreg;

	if (sscanf(device_name, "vfio_test.%d", &idx) != 1)
		die("drvdata needs a vfio_test device");
	if (setup(&s))
		die("setup");
	check(ext_cmd("stall-release", DRVDATA_STALL_MS) == 0,
	      "arm a %d ms stall in the next device release", DRVDATA_STALL_MS);
	check(ext_cmd("stall-release", 0) == -EINVAL &&
	      ext_cmd("stall-release", 5001) == -EINVAL,
	      "stall-release refuses 0 and more than 5000 ms");
	requests = debugfs_int("requests");

	unreg = fork();
	if (unreg < 0)
		die("fork");
	if (unreg == 0) {
		struct sigaction sa = { .sa_handler = on_sigusr1 };

		/* the device fd must be the parent's alone */
		teardown(&s);
		sigaction(SIGUSR1, &sa, NULL);
		_exit(ext_cmd("unregister", idx) ? 1 : 0);
	}
	/* vfio_del_group_dev() asks for the device, then waits */
	check(debugfs_wait_change("requests", requests, 10000),
	      "the unregistering task asks for the device back");
	usleep(200000);
	check(waitpid(unreg, &st, WNOHANG) == 0,
	      "unregister waits while the device fd is open");

	closer_fd = s.device;
	if (pthread_create(&closer, NULL, close_device, NULL))
		die("pthread_create");
	check(debugfs_wait_change("stalling", 0, 5000),
	      "the last close stalls in the release, the device off its list");

	/* the first signal makes the waiter look again: the device is gone */
	kill(unreg, SIGUSR1);
	for (ms = 0; ms < DRVDATA_STALL_MS; ms += 10) {
		if (waitpid(unreg, &st, WNOHANG) == unreg)
			break;
		usleep(10000);
	}
	check(ms < DRVDATA_STALL_MS && WIFEXITED(st) && !WEXITSTATUS(st),
	      "unregister returns while the release still runs (%d ms)", ms);
	check(ext_cmd("register", idx) == 0,
	      "the device is registered again (another driver binds)");
	check(!__atomic_load_n(&closer_done, __ATOMIC_SEQ_CST),
	      "... before the old release has finished (the window was hit)");

	pthread_join(closer, NULL);
	if (waitpid(unreg, &st, WNOHANG) == 0) {
		/* it returned only with the release's wake-up: no race run */
		waitpid(unreg, &st, 0);
	}
	check(ext_cmd("drvdata", idx) == 0,
	      "the new registration's drvdata survived the old release");
	close(s.group);
	close(s.container);
}

/*
 * VFIO_DMA_CC_IOMMU with --type 3 (TYPE1v2) on a vfio_test group: type1
 * takes the emulated group without an IOMMU domain.  Upstream type1 says
 * "coherent" when no domain says otherwise (vfio_domains_have_enforce_
 * cache_coherency starts from 1), 0 before SET_IOMMU.
 */
static void test_cc_emulated(void)
{
	int container, group;

	container = open("/dev/vfio/vfio", O_RDWR);
	group = open_group();
	if (container < 0 || group < 0)
		die("open");
	check(ioctl(container, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == 0,
	      "DMA_CC_IOMMU is 0 before SET_IOMMU");
	check_ok(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container),
		 "SET_CONTAINER");
	check(ioctl(container, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == 0,
	      "DMA_CC_IOMMU is 0 with a group but no backend");
	check_ok(ioctl(container, VFIO_SET_IOMMU, iommu_type), "SET_IOMMU");
	check(ioctl(container, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU) == 1,
	      "DMA_CC_IOMMU is 1 with no IOMMU domain (emulated group only)");
	close(group);
	close(container);
}

/* ---------------------------------------------------------------- no-IOMMU */

static int other_group = -1;

/*
 * --group N is the no-IOMMU group (/dev/vfio/noiommu-N), --other-group M
 * an IOMMU group.  Expects enable_unsafe_noiommu_mode=1 and root.
 */
static void test_noiommu(void)
{
	char path[64];
	int container, group, other, device;

	snprintf(path, sizeof(path), "/dev/vfio/noiommu-%d", group_nr);
	container = open("/dev/vfio/vfio", O_RDWR);
	check(ioctl(container, VFIO_CHECK_EXTENSION, VFIO_NOIOMMU_IOMMU) == 1,
	      "CHECK_EXTENSION(NOIOMMU) is 1 in no-IOMMU mode");
	group = open(path, O_RDWR);
	check_ok(group, "open the no-IOMMU group");
	if (group < 0)
		return;
	check(group_flags(group) == VFIO_GROUP_FLAGS_VIABLE,
	      "no-IOMMU group is viable");
	check_ok(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container),
		 "SET_CONTAINER");
	check(ioctl(container, VFIO_CHECK_EXTENSION, iommu_type) == 0,
	      "a no-IOMMU container only offers the no-IOMMU backend");
	check_errno(ioctl(container, VFIO_SET_IOMMU, iommu_type), ENODEV,
		    "SET_IOMMU of an IOMMU backend on a no-IOMMU container");
	if (other_group >= 0) {
		char opath[64];

		snprintf(opath, sizeof(opath), "/dev/vfio/%d", other_group);
		other = open(opath, O_RDWR);
		check_ok(other, "open an IOMMU group");
		check_errno(ioctl(other, VFIO_GROUP_SET_CONTAINER, &container),
			    EPERM, "an IOMMU group cannot join a no-IOMMU container");
		close(other);
	}
	check_ok(ioctl(container, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU),
		 "SET_IOMMU(NOIOMMU)");
	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, device_name);
	check_ok(device, "GET_DEVICE_FD in a no-IOMMU group");
	close(device);
	close(group);
	close(container);

	/* and the other way round */
	if (other_group >= 0) {
		char opath[64];

		snprintf(opath, sizeof(opath), "/dev/vfio/%d", other_group);
		container = open("/dev/vfio/vfio", O_RDWR);
		other = open(opath, O_RDWR);
		check_ok(ioctl(other, VFIO_GROUP_SET_CONTAINER, &container),
			 "IOMMU group joins a fresh container");
		group = open(path, O_RDWR);
		check_errno(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container),
			    EPERM, "a no-IOMMU group cannot join an IOMMU container");
		close(group);
		close(other);
		close(container);
	}
}

/* Without CAP_SYS_RAWIO the no-IOMMU group cannot even be opened. */
static void test_noiommu_norawio(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/noiommu-%d", group_nr);
	check_errno(open(path, O_RDWR), EPERM,
		    "open a no-IOMMU group without CAP_SYS_RAWIO");
}

/* ---------------------------------------------------------------- bench */

static int bench_count;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * vfio_test loaded with nr_groups=COUNT multi=1: device vfio_test.I is
 * alone in its group.  Put every group in one container and fetch every
 * device fd; print the cost per operation of each phase.
 */
static void bench(void)
{
	int n = bench_count, i, container, *groups, *devices, *ids;
	struct rlimit rl = { .rlim_cur = 2 * n + 64, .rlim_max = 2 * n + 64 };
	double t0, t_mark = 0, t_open, t_set, t_get, t_close;
	double l_open, l_set, l_get;
	int last;
	char name[64];

	if (rl.rlim_cur > 1024 && setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit");
	groups = calloc(n, sizeof(int));
	devices = calloc(n, sizeof(int));
	ids = calloc(n, sizeof(int));
	if (!groups || !devices || !ids)
		die("calloc");
	for (i = 0; i < n; i++) {
		char link[128], target[128];
		ssize_t len;

		snprintf(link, sizeof(link),
			 "/sys/bus/platform/devices/vfio_test.%d/iommu_group", i);
		len = readlink(link, target, sizeof(target) - 1);
		if (len < 0)
			die(link);
		target[len] = '\0';
		ids[i] = atoi(strrchr(target, '/') + 1);
	}

	container = open("/dev/vfio/vfio", O_RDWR);
	/*
	 * Each phase: the average over all N operations, and over the last
	 * 16 (done with N-16 groups already open/attached: the lookup cost at
	 * size N, less disturbed by one-time costs such as SET_IOMMU).
	 */
	last = n > 16 ? n - 16 : 0;
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		char path[64];

		if (i == last)
			t_mark = now_ns();
		snprintf(path, sizeof(path), "/dev/vfio/%d", ids[i]);
		groups[i] = open(path, O_RDWR);
		if (groups[i] < 0)
			die(path);
	}
	t_open = now_ns() - t0;
	l_open = now_ns() - t_mark;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (i == last)
			t_mark = now_ns();
		if (ioctl(groups[i], VFIO_GROUP_SET_CONTAINER, &container))
			die("VFIO_GROUP_SET_CONTAINER");
		if (!i && ioctl(container, VFIO_SET_IOMMU, iommu_type))
			die("VFIO_SET_IOMMU");
	}
	t_set = now_ns() - t0;
	l_set = now_ns() - t_mark;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (i == last)
			t_mark = now_ns();
		snprintf(name, sizeof(name), "vfio_test.%d", i);
		devices[i] = ioctl(groups[i], VFIO_GROUP_GET_DEVICE_FD, name);
		if (devices[i] < 0)
			die("VFIO_GROUP_GET_DEVICE_FD");
	}
	t_get = now_ns() - t0;
	l_get = now_ns() - t_mark;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		close(devices[i]);
		close(groups[i]);
	}
	close(container);
	t_close = now_ns() - t0;

	printf("groups=%d open_ns=%.0f set_container_ns=%.0f get_device_fd_ns=%.0f close_ns=%.0f\n",
	       n, t_open / n, t_set / n, t_get / n, t_close / n);
	printf("groups=%d last16: open_ns=%.0f set_container_ns=%.0f get_device_fd_ns=%.0f\n",
	       n, l_open / (n - last), l_set / (n - last), l_get / (n - last));
	check(1, "benchmark with %d groups ran", n);
	free(groups);
	free(devices);
	free(ids);
}

/* ---------------------------------------------------------------- viability */

/*
 * A device of the group is bound to a driver that uses the kernel's DMA
 * API: the group is not viable and cannot join a container.
 */
static void test_nonviable(void)
{
	int container, group;

	container = open("/dev/vfio/vfio", O_RDWR);
	group = open_group();
	check_ok(group, "open the non-viable group");
	if (group < 0)
		return;
	check(group_flags(group) == 0, "GET_STATUS: not viable, no container");
	check_errno(ioctl(group, VFIO_GROUP_SET_CONTAINER, &container), EPERM,
		    "SET_CONTAINER of a non-viable group");
	check(group_flags(group) == 0, "still no container");
	check_errno(ioctl(group, VFIO_GROUP_GET_DEVICE_FD, device_name), EINVAL,
		    "GET_DEVICE_FD of a non-viable group");
	close(group);
	close(container);
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "device", required_argument, NULL, 'd' },
		{ "type", required_argument, NULL, 't' },
		{ "other-group", required_argument, NULL, 'o' },
		{ "count", required_argument, NULL, 'n' },
		{ }
	};
	const char *mode;
	int c;

	while ((c = getopt_long(argc, argv, "g:d:t:o:n:", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			group_nr = atoi(optarg);
			break;
		case 'd':
			device_name = optarg;
			break;
		case 't':
			iommu_type = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			other_group = atoi(optarg);
			break;
		case 'n':
			bench_count = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (optind == argc - 1 && !strcmp(argv[optind], "bench") &&
	    bench_count > 0) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		bench();
		return failures ? 1 : 0;
	}
	if (optind != argc - 1 || group_nr < 0 || !device_name) {
		fprintf(stderr, "usage: %s errno|close-order|race|hold|reopen|caps|external|revoke|cc-emulated|nonviable|noiommu[-norawio] --group N --device NAME [--type T]\n",
			argv[0]);
		return 2;
	}
	mode = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(mode, "errno"))
		test_errno();
	else if (!strcmp(mode, "close-order"))
		test_close_order();
	else if (!strcmp(mode, "race"))
		test_race();
	else if (!strcmp(mode, "hold"))
		hold();
	else if (!strncmp(mode, "hold-fds=", 9))
		hold_fds(atoi(mode + 9));
	else if (!strcmp(mode, "reopen"))
		test_reopen();
	else if (!strcmp(mode, "caps"))
		test_caps();
	else if (!strcmp(mode, "external"))
		test_external();
	else if (!strcmp(mode, "revoke"))
		test_revoke();
	else if (!strcmp(mode, "drvdata"))
		test_drvdata();
	else if (!strcmp(mode, "cc-emulated"))
		test_cc_emulated();
	else if (!strcmp(mode, "nonviable"))
		test_nonviable();
	else if (!strcmp(mode, "noiommu"))
		test_noiommu();
	else if (!strcmp(mode, "noiommu-norawio"))
		test_noiommu_norawio();
	else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 2;
	}

	printf("# %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
