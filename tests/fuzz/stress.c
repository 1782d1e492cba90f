// SPDX-License-Identifier: GPL-2.0-only
/*
 * stress.c - concurrency and fault stress of a VFIO stack (ours or stock)
 * on the groups of the devices bound to vfio-pci.
 *
 *   stress [run] [--procs N] [--seconds S] [--seed S] [--kill]
 *	       [--exclude DEVICE]
 *	N processes (default 8) cycle: open the container, open a random
 *	group (EBUSY while another process has it: the one documented
 *	contention error), attach it, SET_IOMMU, GET_DEVICE_FD on its
 *	devices, MAP_DMA/UNMAP_DMA on a few IOVA slots (EEXIST exactly when
 *	the slot is mapped), close everything in a random order.  Any other
 *	errno, or a wrong answer, fails the run.  --kill: the parent kill -9s
 *	random children at random points and starts new ones.  Afterwards
 *	every group must still open, attach and give its devices (nothing
 *	leaked by the killed processes).  --exclude leaves DEVICE's group
 *	alone (another process holds it).
 *
 *   stress memlock [--limit KiB]
 *	Drops CAP_IPC_LOCK, sets RLIMIT_MEMLOCK, maps until MAP_DMA fails:
 *	it must fail with ENOMEM near the limit, and after UNMAP_DMA the
 *	same amount must map again (the accounting was given back).
 *
 *   stress hold DEVICE [--seconds S] [--ready FILE]
 *	Opens DEVICE through its group, maps DMA, registers the device
 *	request eventfd, touches FILE, and waits for the kernel's request
 *	(unbind or remove of the device); then closes everything and exits 0.
 *	Exits 3 when no request came within S seconds (default 60).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/vfio.h>

#include "fuzz-targets.h"
#include "type1-util.h"

#define PAGE		4096UL
#define NSLOTS		16
#define SLOT_SIZE	(16 * PAGE)
#define IOVA_BASE	(1ULL << 32)
#define MAX_PROCS	64

static struct ft_group groups[FT_MAX_GROUPS];
static int ngroups;
static uint64_t rng;

static uint32_t rn(uint32_t n)
{
	return n ? ft_next(&rng) % n : 0;
}

/* Counters of all processes (MAP_SHARED). */
struct counts {
	uint64_t cycles, ebusy, devfds, maps, eexist, unmaps, failures;
	uint64_t killed, spawned;
};
static struct counts *cnt;

#define INC(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)

/* An error no run may see: say what and count it. */
#define FAIL(...)							\
	do {								\
		INC(cnt->failures);					\
		fprintf(stderr, "FAIL [pid %d]: ", getpid());		\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
	} while (0)

static int open_group(int num)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", num);
	return open(path, O_RDWR);
}

/* map_rw - MAP_DMA @size bytes at @vaddr to @iova, readable and writable. */
static int map_rw(int c, void *vaddr, uint64_t iova, uint64_t size)
{
	return t1_map(c, (uintptr_t)vaddr, iova, size,
		      VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
}

static void shuffle(int *fds, int n)
{
	int i;

	for (i = n - 1; i > 0; i--) {
		int j = rn(i + 1), t = fds[i];

		fds[i] = fds[j];
		fds[j] = t;
	}
}

/* One open/attach/map/close cycle on a random group. */
static void cycle(unsigned char *mem)
{
	const struct ft_group *g = &groups[rn(ngroups)];
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	bool mapped[NSLOTS] = { false };
	int fds[2 + 2 * FT_MAX_DEVS], nfds = 0, c, grp, i;

	c = open("/dev/vfio/vfio", O_RDWR);
	if (c < 0) {
		FAIL("open /dev/vfio/vfio: %m");
		return;
	}
	fds[nfds++] = c;
	grp = open_group(g->num);
	if (grp < 0) {
		if (errno == EBUSY)
			INC(cnt->ebusy);
		else
			FAIL("open group %d: %m", g->num);
		goto out;
	}
	fds[nfds++] = grp;
	INC(cnt->cycles);
	if (ioctl(grp, VFIO_GROUP_GET_STATUS, &gs) ||
	    !(gs.flags & VFIO_GROUP_FLAGS_VIABLE) ||
	    (gs.flags & VFIO_GROUP_FLAGS_CONTAINER_SET)) {
		FAIL("group %d status: %m, flags 0x%x", g->num, gs.flags);
		goto out;
	}
	if (ioctl(grp, VFIO_GROUP_SET_CONTAINER, &c)) {
		FAIL("group %d SET_CONTAINER: %m", g->num);
		goto out;
	}
	if (ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		FAIL("SET_IOMMU after group %d: %m", g->num);
		goto out;
	}
	for (i = 0; i < g->ndev; i++) {
		int d = ioctl(grp, VFIO_GROUP_GET_DEVICE_FD, g->dev[i]);
		struct vfio_device_info info = { .argsz = sizeof(info) };

		if (d < 0) {
			FAIL("GET_DEVICE_FD %s: %m", g->dev[i]);
			continue;
		}
		INC(cnt->devfds);
		fds[nfds++] = d;
		if (ioctl(d, VFIO_DEVICE_GET_INFO, &info) ||
		    info.num_irqs != VFIO_PCI_NUM_IRQS)
			FAIL("DEVICE_GET_INFO %s: %m, irqs %u", g->dev[i],
			     info.num_irqs);
	}
	for (i = 0; i < 24; i++) {
		int s = rn(NSLOTS);
		uint64_t iova = IOVA_BASE + s * SLOT_SIZE;

		if (rn(2)) {
			int r = map_rw(c, mem + s * SLOT_SIZE, iova,
					SLOT_SIZE);

			INC(cnt->maps);
			if (r == -EEXIST && mapped[s])
				INC(cnt->eexist);
			else if (r || mapped[s])
				FAIL("MAP_DMA slot %d (%s): %s", s,
				     mapped[s] ? "mapped" : "free",
				     r ? strerror(-r) : "success");
			mapped[s] = true;
		} else {
			uint64_t done = 0;
			int r = t1_unmap(c, iova, SLOT_SIZE, 0, &done);

			INC(cnt->unmaps);
			if (r || done != (mapped[s] ? SLOT_SIZE : 0))
				FAIL("UNMAP_DMA slot %d (%s): %s, %llu bytes",
				     s, mapped[s] ? "mapped" : "free",
				     r ? strerror(-r) : "ok",
				     (unsigned long long)done);
			mapped[s] = false;
		}
	}
out:
	/* Close in a random order: the container or the group may go
	 * first, with mappings and device fds still live. */
	shuffle(fds, nfds);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
}

static void child(uint64_t seed, double deadline)
{
	unsigned char *mem;

	rng = seed;
	mem = mmap(NULL, NSLOTS * SLOT_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED) {
		FAIL("mmap: %m");
		_exit(1);
	}
	while (ft_now() < deadline)
		cycle(mem);
	_exit(0);
}

/* Every group still opens, attaches and gives its devices. */
static int check_reusable(void)
{
	int i, j, bad = 0;

	for (i = 0; i < ngroups; i++) {
		int c = open("/dev/vfio/vfio", O_RDWR);
		int g = open_group(groups[i].num);

		if (c < 0 || g < 0 || ioctl(g, VFIO_GROUP_SET_CONTAINER, &c) ||
		    ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
			fprintf(stderr, "FAIL: group %d not reusable after the run: %m\n",
				groups[i].num);
			bad++;
		} else {
			for (j = 0; j < groups[i].ndev; j++) {
				int d = ioctl(g, VFIO_GROUP_GET_DEVICE_FD,
					      groups[i].dev[j]);

				if (d < 0) {
					fprintf(stderr, "FAIL: %s not reusable after the run: %m\n",
						groups[i].dev[j]);
					bad++;
				} else {
					close(d);
				}
			}
		}
		if (g >= 0)
			close(g);
		if (c >= 0)
			close(c);
	}
	return bad;
}

static int do_run(int nprocs, int seconds, uint64_t seed, bool kill_mode)
{
	pid_t pids[MAX_PROCS];
	double start = ft_now(), deadline = start + seconds;
	int i, bad = 0, status;

	printf("# stress: %d procs, %d s, seed %llu%s, groups ", nprocs,
	       seconds, (unsigned long long)seed, kill_mode ? ", kill -9" : "");
	ft_print(stdout, groups, ngroups);
	printf("\n");
	fflush(stdout);
	rng = seed;
	for (i = 0; i < nprocs; i++) {
		uint64_t s = ft_next(&rng);

		pids[i] = fork();
		if (!pids[i])
			child(s, deadline);
		INC(cnt->spawned);
	}
	while (ft_now() < deadline) {
		pid_t pid;

		if (!kill_mode) {
			usleep(100000);
			continue;
		}
		usleep(20000 + rn(300000));
		i = rn(nprocs);
		if (kill(pids[i], SIGKILL) == 0) {
			waitpid(pids[i], &status, 0);
			INC(cnt->killed);
			if (WIFEXITED(status) && WEXITSTATUS(status))
				bad++;
		}
		if (ft_now() < deadline) {
			uint64_t s = ft_next(&rng);

			pid = fork();
			if (!pid)
				child(s, deadline);
			pids[i] = pid;
			INC(cnt->spawned);
		}
	}
	for (i = 0; i < nprocs; i++) {
		double limit = deadline + 120;

		while (waitpid(pids[i], &status, WNOHANG) == 0) {
			if (ft_now() > limit) {
				fprintf(stderr, "FAIL: child %d hung\n",
					pids[i]);
				kill(pids[i], SIGKILL);
				waitpid(pids[i], &status, 0);
				bad++;
				break;
			}
			usleep(50000);
		}
		if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL) {
			fprintf(stderr, "FAIL: child %d died from signal %d\n",
				pids[i], WTERMSIG(status));
			bad++;
		}
	}
	bad += check_reusable();
	printf("# cycles %llu (group busy %llu), device fds %llu, maps %llu (EEXIST %llu), unmaps %llu, processes %llu (killed %llu), %.1f s\n",
	       (unsigned long long)cnt->cycles,
	       (unsigned long long)cnt->ebusy,
	       (unsigned long long)cnt->devfds,
	       (unsigned long long)cnt->maps,
	       (unsigned long long)cnt->eexist,
	       (unsigned long long)cnt->unmaps,
	       (unsigned long long)cnt->spawned,
	       (unsigned long long)cnt->killed, ft_now() - start);
	printf("# failures: %llu\n",
	       (unsigned long long)(cnt->failures + bad));
	if (!cnt->cycles) {
		fprintf(stderr, "FAIL: no cycle completed\n");
		bad++;
	}
	return cnt->failures || bad ? 1 : 0;
}

/* ------------------------------------------------------------ memlock */

static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	d[CAP_TO_INDEX(CAP_IPC_LOCK)].permitted &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d);
}

/* A container with the first group attached and type1v2 set, or -1. */
static int setup_container(const struct ft_group *g, int *grp)
{
	int c = open("/dev/vfio/vfio", O_RDWR);

	*grp = open_group(g->num);
	if (c < 0 || *grp < 0 || ioctl(*grp, VFIO_GROUP_SET_CONTAINER, &c) ||
	    ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		fprintf(stderr, "FAIL: container with group %d: %m\n", g->num);
		return -1;
	}
	return c;
}

static int do_memlock(unsigned long limit_kib)
{
	const uint64_t chunk = 64 * 1024, limit = limit_kib * 1024;
	const uint64_t span = 4 * limit + 4 * chunk;
	struct rlimit rl = { limit, limit };
	uint64_t mapped = 0, again = 0, un = 0;
	unsigned char *mem;
	int c, grp, r = 0, bad = 0;

	if (setrlimit(RLIMIT_MEMLOCK, &rl) || drop_ipc_lock()) {
		fprintf(stderr, "FAIL: setrlimit/capset: %m\n");
		return 2;
	}
	mem = mmap(NULL, span, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED)
		return 2;
	c = setup_container(&groups[0], &grp);
	if (c < 0)
		return 1;

	/* One map bigger than the limit fails whole. */
	r = map_rw(c, mem, IOVA_BASE, span);
	printf("# map of %llu KiB over a %lu KiB limit: %s\n",
	       (unsigned long long)span / 1024, limit_kib,
	       r ? strerror(-r) : "success");
	if (r != -ENOMEM) {
		fprintf(stderr, "FAIL: oversized MAP_DMA: %s, want ENOMEM\n",
			r ? strerror(-r) : "success");
		bad++;
	}
	/* Chunks until the limit. */
	while (mapped < span) {
		r = map_rw(c, mem + mapped, IOVA_BASE + mapped, chunk);
		if (r)
			break;
		mapped += chunk;
	}
	printf("# mapped %llu KiB in %llu KiB chunks, then %s\n",
	       (unsigned long long)mapped / 1024,
	       (unsigned long long)chunk / 1024,
	       r ? strerror(-r) : "no failure");
	if (r != -ENOMEM || mapped > limit || mapped + chunk <= limit) {
		fprintf(stderr, "FAIL: want ENOMEM after %llu KiB\n",
			(unsigned long long)(limit / chunk * chunk) / 1024);
		bad++;
	}
	r = t1_unmap(c, 0, 0, VFIO_DMA_UNMAP_FLAG_ALL, &un);
	if (r || un != mapped) {
		fprintf(stderr, "FAIL: UNMAP_ALL: %s, %llu bytes, want %llu\n",
			r ? strerror(-r) : "ok", (unsigned long long)un,
			(unsigned long long)mapped);
		bad++;
	}
	/* The accounting came back: the same amount maps again. */
	while (again < mapped &&
	       !map_rw(c, mem + again, IOVA_BASE + again, chunk))
		again += chunk;
	printf("# after UNMAP_DMA(ALL): mapped %llu KiB again\n",
	       (unsigned long long)again / 1024);
	if (again != mapped) {
		fprintf(stderr, "FAIL: only %llu of %llu KiB map again\n",
			(unsigned long long)again / 1024,
			(unsigned long long)mapped / 1024);
		bad++;
	}
	close(grp);
	close(c);
	return bad ? 1 : 0;
}

/* ------------------------------------------------------------ hold */

static int do_hold(const char *dev, int seconds, const char *ready)
{
	struct ft_group g = { .ndev = 1 };
	struct {
		struct vfio_irq_set set;
		int32_t fd;
	} irq;
	struct pollfd pfd;
	unsigned char *mem;
	int c, grp, d, efd, r;

	g.num = ft_group_of(dev);
	snprintf(g.dev[0], sizeof(g.dev[0]), "%s", dev);
	c = setup_container(&g, &grp);
	if (c < 0)
		return 2;
	d = ioctl(grp, VFIO_GROUP_GET_DEVICE_FD, dev);
	efd = eventfd(0, 0);
	if (d < 0 || efd < 0) {
		fprintf(stderr, "FAIL: device %s: %m\n", dev);
		return 2;
	}
	mem = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED || map_rw(c, mem, IOVA_BASE, SLOT_SIZE)) {
		fprintf(stderr, "FAIL: MAP_DMA: %m\n");
		return 2;
	}
	irq.set = (struct vfio_irq_set){
		.argsz = sizeof(irq), .index = VFIO_PCI_REQ_IRQ_INDEX,
		.flags = VFIO_IRQ_SET_DATA_EVENTFD |
			 VFIO_IRQ_SET_ACTION_TRIGGER,
		.start = 0, .count = 1,
	};
	irq.fd = efd;
	if (ioctl(d, VFIO_DEVICE_SET_IRQS, &irq)) {
		fprintf(stderr, "FAIL: SET_IRQS(REQ): %m\n");
		return 2;
	}
	if (ready) {
		int f = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (f >= 0)
			close(f);
	}
	printf("# holding %s (group %d)\n", dev, g.num);
	fflush(stdout);
	pfd = (struct pollfd){ .fd = efd, .events = POLLIN };
	r = poll(&pfd, 1, seconds * 1000);
	if (r < 0)
		printf("# poll: %m, releasing\n");
	else
		printf("# %s\n", r ? "device request received, releasing" :
				      "no device request, releasing");
	fflush(stdout);
	/* Device first: that is what the kernel waits for. */
	close(d);
	close(efd);
	close(grp);
	close(c);
	return r > 0 ? 0 : 3;
}

/* exclude_group - drop group @num from @g[@n]; the new count. */
static int exclude_group(struct ft_group *g, int n, int num)
{
	int i;

	for (i = 0; i < n; i++) {
		if (g[i].num == num) {
			memmove(&g[i], &g[i + 1], (n - i - 1) * sizeof(*g));
			return n - 1;
		}
	}
	return n;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: stress [run] [--procs N] [--seconds S] [--seed S] [--kill]\n"
		"                    [--exclude DEVICE]\n"
		"       stress memlock [--limit KiB]\n"
		"       stress hold DEVICE [--seconds S] [--ready FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "procs", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' },
		{ "kill", no_argument, NULL, 'k' },
		{ "limit", required_argument, NULL, 'l' },
		{ "ready", required_argument, NULL, 'r' },
		{ "exclude", required_argument, NULL, 'x' },
		{ 0 }
	};
	int nprocs = 8, seconds = -1, c;
	uint64_t seed = time(NULL);
	unsigned long limit = 1024;
	const char *mode = "run", *ready = NULL, *exclude = NULL;
	bool kill_mode = false;

	if (argc > 1 && argv[1][0] != '-') {
		mode = argv[1];
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': nprocs = atoi(optarg); break;
		case 't': seconds = atoi(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'k': kill_mode = true; break;
		case 'l': limit = strtoul(optarg, NULL, 0); break;
		case 'r': ready = optarg; break;
		case 'x': exclude = optarg; break;
		default: usage();
		}
	}
	if (!strcmp(mode, "hold")) {
		if (optind != argc - 1)
			usage();
		return do_hold(argv[optind], seconds < 0 ? 60 : seconds,
			       ready);
	}
	if (optind != argc || nprocs < 1 || nprocs > MAX_PROCS)
		usage();
	ngroups = ft_discover(groups);
	if (exclude)
		ngroups = exclude_group(groups, ngroups, ft_group_of(exclude));
	if (!ngroups) {
		fprintf(stderr, "stress: no device is bound to vfio-pci\n");
		return 2;
	}
	cnt = mmap(NULL, sizeof(*cnt), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cnt == MAP_FAILED)
		return 2;
	if (!strcmp(mode, "memlock"))
		return do_memlock(limit);
	if (strcmp(mode, "run"))
		usage();
	return do_run(nprocs, seconds < 0 ? 10 : seconds, seed, kill_mode);
}
