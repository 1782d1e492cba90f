/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lib-test.h - a small kmod-style harness for the library's unit tests.
 *
 * Tests register with DEFINE_TEST() into an ELF section; TEST_MAIN() runs
 * each in a forked child (so the fake kernel's state and the environment
 * start clean), with a fresh fake rootfs, and prints TAP.  When built with
 * FAKE_VFIO_SO, the program re-executes itself with the LD_PRELOAD shim.
 */
#ifndef LIB_TEST_H
#define LIB_TEST_H

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libvfioctl.h>

struct test {
	const char *name;
	const char *description;
	int (*fn)(void);
};

#define DEFINE_TEST(_name, _description)				\
	static int _name(void);						\
	static const struct test test_##_name				\
	__attribute__((used, section("vfioctl_tests"), aligned(8))) = {	\
		.name = #_name,						\
		.description = _description,				\
		.fn = _name,						\
	};								\
	static int _name(void)

extern const struct test __start_vfioctl_tests[];
extern const struct test __stop_vfioctl_tests[];

#define EXIT_SKIP 77

/* Fails the current test with a diagnostic. */
#define expect(cond, ...) do {						\
		if (!(cond)) {						\
			printf("# %s:%d: expected %s: ", __FILE__,	\
			       __LINE__, #cond);			\
			printf(__VA_ARGS__);				\
			printf("\n");					\
			fflush(stdout);					\
			return 1;					\
		}							\
	} while (0)

/* ---------------------------------------------------------- fake rootfs */

static char test_root[256];

static void __attribute__((format(printf, 1, 2))) test_path(const char *fmt, ...);
static char test_path_buf[1024];

static void test_path(const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(test_path_buf, sizeof(test_path_buf), "%s/", test_root);

	va_start(ap, fmt);
	vsnprintf(test_path_buf + n, sizeof(test_path_buf) - n, fmt, ap);
	va_end(ap);
}

static void mkdir_p(const char *path)
{
	char tmp[1024], *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	mkdir(tmp, 0755);
}

static inline void fake_node(const char *name)
{
	int fd;

	test_path("dev/vfio/%s", name);
	fd = open(test_path_buf, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

static inline void fake_file(const char *rel, const char *content)
{
	FILE *f;

	test_path("%s", rel);
	f = fopen(test_path_buf, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

/* A PCI device in IOMMU group @group (-1: none), bound to @driver or not. */
static inline void fake_pci(const char *addr, int group, const char *driver)
{
	char link[1024];

	test_path("sys/devices/pci0000:00/%s", addr);
	mkdir_p(test_path_buf);
	test_path("sys/bus/pci/devices/%s", addr);
	snprintf(link, sizeof(link), "../../../devices/pci0000:00/%s", addr);
	if (symlink(link, test_path_buf) < 0)
		perror("symlink");
	if (group >= 0) {
		test_path("sys/kernel/iommu_groups/%d/devices", group);
		mkdir_p(test_path_buf);
		test_path("sys/kernel/iommu_groups/%d/devices/%s", group, addr);
		snprintf(link, sizeof(link),
			 "../../../../devices/pci0000:00/%s", addr);
		if (symlink(link, test_path_buf) < 0)
			perror("symlink");
		test_path("sys/devices/pci0000:00/%s/iommu_group", addr);
		snprintf(link, sizeof(link), "../../../kernel/iommu_groups/%d",
			 group);
		if (symlink(link, test_path_buf) < 0)
			perror("symlink");
	}
	if (driver) {
		test_path("sys/bus/pci/drivers/%s", driver);
		mkdir_p(test_path_buf);
		test_path("sys/devices/pci0000:00/%s/driver", addr);
		snprintf(link, sizeof(link), "../../../bus/pci/drivers/%s",
			 driver);
		if (symlink(link, test_path_buf) < 0)
			perror("symlink");
	}
}

static void fake_root_setup(void)
{
	test_path("dev/vfio");
	mkdir_p(test_path_buf);
	test_path("sys/module/vfio/parameters");
	mkdir_p(test_path_buf);
	test_path("sys/bus/pci/devices");
	mkdir_p(test_path_buf);
	test_path("sys/kernel/iommu_groups");
	mkdir_p(test_path_buf);
	fake_file("sys/module/vfio/parameters/enable_unsafe_noiommu_mode",
		  "N\n");
	test_path("sys");
	setenv("VFIOCTL_SYSFS_ROOT", test_path_buf, 1);
	test_path("dev");
	setenv("VFIOCTL_DEV_ROOT", test_path_buf, 1);
}

/* A context on the fake rootfs: the library ignores the environment. */
static inline int test_new(struct vfioctl_ctx **ctx)
{
	char sys[1024];
	int rc;

	rc = vfioctl_new(ctx);
	if (rc < 0)
		return rc;
	test_path("sys");
	snprintf(sys, sizeof(sys), "%s", test_path_buf);
	test_path("dev");
	rc = vfioctl_set_root(*ctx, sys, test_path_buf);
	if (rc < 0)
		vfioctl_unref(*ctx);
	return rc;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	return remove(path);
}

/* ------------------------------------------------------- fake-vfio.so */

#define FAKE_FN(ret, name, args, call)					\
	static inline ret name args					\
	{								\
		ret (*fn) args = (ret (*) args)dlsym(RTLD_DEFAULT, #name); \
		if (!fn) {						\
			fprintf(stderr, "fake-vfio.so is not loaded\n"); \
			exit(99);					\
		}							\
		return fn call;						\
	}

#ifdef FAKE_VFIO_SO
struct vfio_irq_set;
FAKE_FN(void, fake_vfio_set_extensions, (uint32_t m), (m))
FAKE_FN(void, fake_vfio_set_group_flags, (uint32_t f), (f))
FAKE_FN(void, fake_vfio_set_corrupt, (int c), (c))
FAKE_FN(void, fake_vfio_fail_ioctl, (unsigned long r, int e), (r, e))
FAKE_FN(void, fake_vfio_fail_open, (const char *s, int e), (s, e))
FAKE_FN(int, fake_vfio_count, (unsigned long r), (r))
FAKE_FN(int, fake_vfio_kvm_has_group, (int fd), (fd))
FAKE_FN(const struct vfio_irq_set *, fake_vfio_last_irq_set,
	(const int32_t **fds), (fds))

static void ensure_preload(char **argv)
{
	const char *cur = getenv("LD_PRELOAD");
	char self[4096];
	ssize_t n;

	if (dlsym(RTLD_DEFAULT, "fake_vfio_count"))
		return;
	if (cur && strstr(cur, FAKE_VFIO_SO)) {
		fprintf(stderr, "LD_PRELOAD=%s did not load\n", cur);
		exit(99);
	}
	setenv("LD_PRELOAD", FAKE_VFIO_SO, 1);
	/* By its real name, so that /proc/PID/comm stays the test's. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		perror("readlink /proc/self/exe");
		exit(99);
	}
	self[n] = '\0';
	execv(self, argv);
	perror("execv");
	exit(99);
}
#else
static void ensure_preload(char **argv)
{
}
#endif

/* ---------------------------------------------------------------- main */

static int run_tests(int argc, char **argv)
{
	const struct test *t;
	int n = 0, failed = 0, status;
	pid_t pid;

	ensure_preload(argv);
	printf("1..%d\n", (int)(__stop_vfioctl_tests - __start_vfioctl_tests));
	for (t = __start_vfioctl_tests; t < __stop_vfioctl_tests; t++) {
		n++;
		if (argc > 1 && strcmp(argv[1], t->name) != 0) {
			printf("ok %d - %s # SKIP not selected\n", n, t->name);
			continue;
		}
		snprintf(test_root, sizeof(test_root),
			 "%s/vfioctl-test-XXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(test_root)) {
			perror("mkdtemp");
			return 99;
		}
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			fake_root_setup();
			exit(t->fn());
		}
		waitpid(pid, &status, 0);
		nftw(test_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			printf("ok %d - %s: %s\n", n, t->name, t->description);
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_SKIP) {
			printf("ok %d - %s # SKIP\n", n, t->name);
		} else {
			failed++;
			printf("not ok %d - %s: %s (%s %d)\n", n, t->name,
			       t->description,
			       WIFSIGNALED(status) ? "signal" : "exit",
			       WIFSIGNALED(status) ? WTERMSIG(status) :
			       WEXITSTATUS(status));
		}
	}
	return failed ? 1 : 0;
}

#define TEST_MAIN()							\
	int main(int argc, char **argv)					\
	{								\
		return run_tests(argc, argv);				\
	}

#endif
