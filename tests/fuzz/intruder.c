// SPDX-License-Identifier: GPL-2.0-only
/*
 * intruder.c - a second process tries every operation on VFIO objects that
 * another process owns (issue 8, faults).  Works on ours and on stock.
 *
 *   intruder DEVICE
 *
 * The owner (this process) opens a container, DEVICE's group and the
 * device, sets type1v2, maps 64 KiB of DMA and mmaps BAR0.  Then three
 * intruders, each a child that first closes what it inherited:
 *
 *   same-uid   root, no fds: reopen the group node (EBUSY), the owner's fds
 *              through /proc/PID/fd (group: EBUSY, device: ENXIO, the
 *              container: a new, empty container that can neither map nor
 *              unmap nor see the owner's mappings).
 *   nobody     uid 65534: the group node (EACCES), /proc/PID/fd (EACCES),
 *              pidfd_getfd (EPERM); /dev/vfio/vfio opens (0666) but a
 *              container without a group cannot map.
 *   fd-holder  keeps only a duplicate of the container fd (as if passed with
 *              SCM_RIGHTS).  The fd is the capability, as on stock: it may
 *              map its own memory and unmap the owner's mapping -- whose
 *              pages and locked_vm charge go back to the owner's mm, not to
 *              the fd-holder's.  Its own mapping outlives it.
 *
 * Afterwards the owner's objects are intact: the group is viable with its
 * container set, the device answers, BAR0 reads the edu ID; the owner's
 * mapping is gone, the owner unmaps the exited fd-holder's, and closing
 * releases everything (fuzz.bats checks the modules unload).
 *
 * Prints "ok - ..." or "FAIL - ..." per check; exits 0 when all passed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "fuzz-targets.h"
#include "type1-util.h"

#define MAP_SIZE	(64 * 1024UL)
#define OWNER_IOVA	(1ULL << 32)
#define HOLDER_IOVA	(2ULL << 32)
#define EDU_ID_MASK	0xffffU
#define EDU_ID		0x00edU
#define NOBODY		65534

#ifndef SYS_pidfd_open
#define SYS_pidfd_open	434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd	438
#endif

/* The owner's objects, by fd number (the intruders only know the numbers). */
static struct {
	pid_t pid;
	int container, group, device, gnum;
} owner;

static int failures;

/* check - record one verdict; @ok false prints why. */
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

/* expect_err - @err (0 or -errno) must be -@want; @what names the call. */
static void expect_err(int err, int want, const char *what)
{
	check(err == -want, "%s: %s (expected %s)", what,
	      err ? strerror(-err) : "succeeded", strerror(want));
}

/* expect_errno - a syscall's @ret must be -1 with errno @want. */
static void expect_errno(long ret, int want, const char *what)
{
	expect_err(ret < 0 ? -errno : 0, want, what);
}

/* map_rw - MAP_DMA @vaddr for reading and writing, MAP_SIZE bytes at @iova. */
static int map_rw(int c, void *vaddr, uint64_t iova)
{
	return t1_map(c, (uintptr_t)vaddr, iova, MAP_SIZE,
		      VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
}

static void *anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* open_owner_fd - open /proc/<owner>/fd/<fd> the way another process can. */
static int open_owner_fd(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", owner.pid, fd);
	return open(path, O_RDWR);
}

static int open_group_node(void)
{
	char path[32];

	snprintf(path, sizeof(path), "/dev/vfio/%d", owner.gnum);
	return open(path, O_RDWR);
}

/* A container that reached us some other way must not be usable for DMA. */
static void expect_empty_container(int c, const char *how)
{
	uint64_t done = 0;
	void *buf = anon(MAP_SIZE);
	char what[96];

	check(ioctl(c, VFIO_GET_API_VERSION) == VFIO_API_VERSION,
	      "%s: it is a container (GET_API_VERSION)", how);
	snprintf(what, sizeof(what), "%s: UNMAP_DMA of the owner's IOVA", how);
	expect_err(t1_unmap(c, OWNER_IOVA, MAP_SIZE, 0, &done), EINVAL, what);
	snprintf(what, sizeof(what), "%s: MAP_DMA", how);
	expect_err(buf ? map_rw(c, buf, HOLDER_IOVA) : -ENOMEM, EINVAL, what);
	snprintf(what, sizeof(what), "%s: SET_IOMMU without a group", how);
	expect_errno(ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), EINVAL,
		     what);
}

/* ---------------------------------------------------------- intruders */

static void intrude_same_uid(void)
{
	int fd;

	expect_errno(open_group_node(), EBUSY, "same-uid: open the group node");
	expect_errno(open_owner_fd(owner.group), EBUSY,
		     "same-uid: reopen the owner's group fd via /proc");
	expect_errno(open_owner_fd(owner.device), ENXIO,
		     "same-uid: reopen the owner's device fd via /proc");
	fd = open_owner_fd(owner.container);
	check(fd >= 0, "same-uid: reopen the owner's container via /proc: %s",
	      fd >= 0 ? "a new container" : strerror(errno));
	if (fd >= 0) {
		expect_empty_container(fd, "same-uid reopened container");
		close(fd);
	}
}

static void intrude_nobody(void)
{
	int pidfd, fd;

	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)) {
		check(false, "nobody: drop to uid %d: %s", NOBODY,
		      strerror(errno));
		return;
	}
	expect_errno(open_group_node(), EACCES, "nobody: open the group node");
	expect_errno(open_owner_fd(owner.group), EACCES,
		     "nobody: the owner's group fd via /proc");
	expect_errno(open_owner_fd(owner.container), EACCES,
		     "nobody: the owner's container fd via /proc");
	pidfd = syscall(SYS_pidfd_open, owner.pid, 0);
	check(pidfd >= 0, "nobody: pidfd_open of the owner: %s",
	      pidfd >= 0 ? "ok" : strerror(errno));
	if (pidfd >= 0) {
		expect_errno(syscall(SYS_pidfd_getfd, pidfd, owner.group, 0),
			     EPERM, "nobody: pidfd_getfd of the group fd");
		expect_errno(syscall(SYS_pidfd_getfd, pidfd, owner.device, 0),
			     EPERM, "nobody: pidfd_getfd of the device fd");
		close(pidfd);
	}
	fd = open("/dev/vfio/vfio", O_RDWR);
	check(fd >= 0, "nobody: open /dev/vfio/vfio (0666): %s",
	      fd >= 0 ? "ok" : strerror(errno));
	if (fd >= 0) {
		expect_empty_container(fd, "nobody's own container");
		close(fd);
	}
}

static void intrude_fd_holder(int c)
{
	long before = t1_vmlck_kib(owner.pid), mine = t1_vmlck_kib(0);
	uint64_t done = 0;
	void *buf = anon(MAP_SIZE);
	int ret;

	ret = buf ? map_rw(c, buf, HOLDER_IOVA) : -ENOMEM;
	check(!ret, "fd-holder: MAP_DMA of its own memory: %s",
	      ret ? strerror(-ret) : "ok");
	check(t1_vmlck_kib(0) - mine == MAP_SIZE / 1024,
	      "fd-holder: its own mapping is charged to it (%ld -> %ld kB)",
	      mine, t1_vmlck_kib(0));
	ret = t1_unmap(c, OWNER_IOVA, MAP_SIZE, 0, &done);
	check(!ret && done == MAP_SIZE,
	      "fd-holder: UNMAP_DMA of the owner's mapping (%s, %llu bytes)",
	      ret ? strerror(-ret) : "ok", (unsigned long long)done);
	check(before - t1_vmlck_kib(owner.pid) == MAP_SIZE / 1024,
	      "fd-holder: the owner's locked_vm went back (%ld -> %ld kB)",
	      before, t1_vmlck_kib(owner.pid));
	/* Exits with its mapping in place: the container must release it. */
}

/* run_intruder - fork, keep only @keep (or none), run @fn; its verdicts. */
static void run_intruder(const char *name, void (*fn)(void), int keep)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		check(false, "%s: fork: %s", name, strerror(errno));
		return;
	}
	if (!pid) {
		/* A process that never had the owner's fds. */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != keep)
				close(fd);
		failures = 0;
		if (fn)
			fn();
		else
			intrude_fd_holder(keep);
		_exit(failures ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		check(false, "%s: the intruder died (status %#x)", name,
		      status);
	else if (WEXITSTATUS(status))
		failures++;
}

/* -------------------------------------------------------------- owner */

static int owner_setup(const char *dev, void **mem, volatile uint32_t **bar)
{
	struct vfio_region_info reg = {
		.argsz = sizeof(reg), .index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	void *p;

	owner.pid = getpid();
	owner.gnum = ft_group_of(dev);
	owner.container = open("/dev/vfio/vfio", O_RDWR);
	owner.group = owner.gnum < 0 ? -1 : open_group_node();
	if (owner.container < 0 || owner.group < 0 ||
	    ioctl(owner.group, VFIO_GROUP_SET_CONTAINER, &owner.container) ||
	    ioctl(owner.container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		fprintf(stderr, "intruder: container with the group of %s: %m\n",
			dev);
		return -1;
	}
	owner.device = ioctl(owner.group, VFIO_GROUP_GET_DEVICE_FD, dev);
	*mem = anon(MAP_SIZE);
	if (owner.device < 0 || !*mem ||
	    map_rw(owner.container, *mem, OWNER_IOVA) ||
	    ioctl(owner.device, VFIO_DEVICE_GET_REGION_INFO, &reg)) {
		fprintf(stderr, "intruder: device %s, DMA map: %m\n", dev);
		return -1;
	}
	p = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 owner.device, reg.offset);
	if (p == MAP_FAILED) {
		fprintf(stderr, "intruder: mmap of BAR0 of %s: %m\n", dev);
		return -1;
	}
	*bar = p;
	return 0;
}

static void owner_verify(volatile uint32_t *bar)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint64_t done = 0;
	int ret;

	ret = ioctl(owner.group, VFIO_GROUP_GET_STATUS, &st);
	check(!ret && st.flags == (VFIO_GROUP_FLAGS_VIABLE |
				   VFIO_GROUP_FLAGS_CONTAINER_SET),
	      "owner: the group is still viable with its container (flags %#x)",
	      st.flags);
	ret = ioctl(owner.device, VFIO_DEVICE_GET_INFO, &info);
	check(!ret && info.num_regions >= VFIO_PCI_NUM_REGIONS,
	      "owner: the device still answers GET_INFO (%u regions)",
	      info.num_regions);
	check((bar[0] & EDU_ID_MASK) == EDU_ID,
	      "owner: BAR0 still reads the edu ID (%#x)", bar[0]);
	ret = t1_unmap(owner.container, OWNER_IOVA, MAP_SIZE, 0, &done);
	check(!ret && done == 0,
	      "owner: its mapping is gone, unmapped by the fd-holder (%llu bytes left)",
	      (unsigned long long)done);
	done = 0;
	ret = t1_unmap(owner.container, HOLDER_IOVA, MAP_SIZE, 0, &done);
	check(!ret && done == MAP_SIZE,
	      "owner: unmaps the exited fd-holder's mapping (%llu bytes)",
	      (unsigned long long)done);
}

int main(int argc, char **argv)
{
	volatile uint32_t *bar;
	void *mem;

	if (argc != 2) {
		fprintf(stderr, "usage: intruder DEVICE\n");
		return 2;
	}
	if (owner_setup(argv[1], &mem, &bar))
		return 2;
	printf("# owner %d: container fd %d, group %d fd %d, device fd %d\n",
	       owner.pid, owner.container, owner.gnum, owner.group,
	       owner.device);
	run_intruder("same-uid", intrude_same_uid, -1);
	run_intruder("nobody", intrude_nobody, -1);
	run_intruder("fd-holder", NULL, owner.container);
	owner_verify(bar);
	printf("# failures: %d\n", failures);
	return failures ? 1 : 0;
}
