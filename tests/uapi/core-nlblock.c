// SPDX-License-Identifier: GPL-2.0-only
/*
 * core-nlblock - generic netlink stays answered while a container is busy.
 *
 *   core-nlblock GROUP MIB BOUND_MS
 *
 * One thread maps MIB MiB of unfaulted, non-THP memory into a container
 * holding GROUP (type1 holds its lock for the whole MAP_DMA, pinning page by
 * page).  Meanwhile the main thread keeps asking two generic netlink
 * families: "vfioctl" (a dump of containers, whose stats come from the busy
 * container) and "nlctrl" (CTRL_CMD_GETFAMILY, which runs under genl_mutex:
 * it would wait if our family held that mutex while blocked on the
 * container), each from its own thread.  Every answer to a request sent
 * while the map runs must come within BOUND_MS.  A map shorter than BOUND_MS proves nothing (a blocked
 * request could not be late): TAP output, exit 77 (skip) then, 1 on a
 * failed check, 2 on a setup failure.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <uapi/vfioctl_genl.h>

#include "type1-util.h"

static atomic_int map_done;
static int map_ret;
static _Atomic int64_t map_start_ns;
static int64_t map_end_ns;	/* read after pthread_join() */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct map_job {
	int container;
	void *buf;
	size_t size;
};

static void *map_thread(void *arg)
{
	struct map_job *job = arg;

	map_start_ns = now_ns();
	map_ret = t1_map(job->container, (uint64_t)(uintptr_t)job->buf, 0,
			 job->size, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
	map_end_ns = now_ns();
	atomic_store(&map_done, 1);
	return NULL;
}

/* Count the container messages of a dump. */
static int count_msg(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(*(int *)arg)++;
	return NL_OK;
}

/* One dump of our family's containers; returns 0 or a libnl error. */
static int dump_containers(struct nl_sock *sk, int family, int *count)
{
	struct nl_msg *msg = nlmsg_alloc();
	int err;

	if (!msg)
		return -NLE_NOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_DUMP,
			 VFIOCTL_CMD_GET_CONTAINER, VFIOCTL_GENL_VERSION)) {
		nlmsg_free(msg);
		return -NLE_NOMEM;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, count_msg, count);
	err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (err < 0)
		return err;
	return nl_recvmsgs_default(sk);
}

/*
 * One requester: its own socket, one kind of request, sent again and again
 * while the map runs.  Two of them run at once, so a family holding
 * genl_mutex while blocked (our dump) would hold up the other (nlctrl).
 */
struct requester {
	const char *what;
	int ours;		/* our dump, else nlctrl GETFAMILY */
	int family;
	int sent, seen, err;
	int64_t worst;
};

static void *request_thread(void *arg)
{
	struct requester *rq = arg;
	struct nl_sock *sk = nl_socket_alloc();
	int64_t t;
	int err, n;

	if (!sk || genl_connect(sk)) {
		rq->err = -NLE_FAILURE;
		goto out;
	}
	while (!atomic_load(&map_done)) {
		n = 0;
		rq->sent++;
		t = now_ns();
		err = rq->ours ? dump_containers(sk, rq->family, &n)
			       : genl_ctrl_resolve(sk, "nlctrl");
		t = now_ns() - t;
		if (err < 0) {
			rq->err = err;
			break;
		}
		rq->seen += n;
		if (t > rq->worst)
			rq->worst = t;
	}
out:
	if (sk)
		nl_socket_free(sk);
	return NULL;
}

int main(int argc, char **argv)
{
	struct requester rq[2] = {
		{ .what = "vfioctl container dump", .ours = 1 },
		{ .what = "nlctrl GETFAMILY (another genl family)" },
	};
	int group, group_fd, container, i;
	int64_t bound_ns, took;
	struct map_job job;
	pthread_t thr, rthr[2];
	struct nl_sock *sk;

	if (argc != 4)
		t1_die("usage: core-nlblock GROUP MIB BOUND_MS");
	group = atoi(argv[1]);
	job.size = (size_t)strtoul(argv[2], NULL, 0) << 20;
	bound_ns = strtoll(argv[3], NULL, 0) * 1000000;

	container = t1_setup(&group, 1, VFIO_TYPE1v2_IOMMU, &group_fd);
	job.container = container;
	/* Not populated and no THP: the map faults in 4 KiB pages, slowly. */
	job.buf = mmap(NULL, job.size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (job.buf == MAP_FAILED)
		t1_die("mmap %zu bytes: %s", job.size, strerror(errno));
	madvise(job.buf, job.size, MADV_NOHUGEPAGE);

	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk))
		t1_die("generic netlink socket");
	rq[0].family = genl_ctrl_resolve(sk, VFIOCTL_GENL_NAME);
	if (rq[0].family < 0)
		t1_die("family %s not registered (our vfio.ko not loaded?): %s",
		       VFIOCTL_GENL_NAME, nl_geterror(rq[0].family));
	nl_socket_free(sk);

	if (pthread_create(&thr, NULL, map_thread, &job))
		t1_die("pthread_create");
	/* Let the map get going. */
	while (!map_start_ns)
		sched_yield();
	usleep(20000);
	for (i = 0; i < 2; i++)
		if (pthread_create(&rthr[i], NULL, request_thread, &rq[i]))
			t1_die("pthread_create");
	pthread_join(thr, NULL);
	for (i = 0; i < 2; i++)
		pthread_join(rthr[i], NULL);

	took = map_end_ns - map_start_ns;
	printf("# MAP_DMA of %zu MiB took %lld ms; during it: %d vfioctl dumps "
	       "(worst %lld ms, %d containers seen), %d nlctrl requests "
	       "(worst %lld ms)\n", job.size >> 20, (long long)(took / 1000000),
	       rq[0].sent, (long long)(rq[0].worst / 1000000), rq[0].seen,
	       rq[1].sent, (long long)(rq[1].worst / 1000000));
	CHECK_ERR(map_ret, 0, "MAP_DMA");
	if (took < bound_ns) {
		printf("# skip: the map took less than the bound: a blocked "
		       "request could not be told from a quick one; give more MiB\n");
		return 77;
	}
	for (i = 0; i < 2; i++) {
		CHECK(!rq[i].err, "%s: no error (%s)", rq[i].what,
		      rq[i].err ? nl_geterror(rq[i].err) : "none");
		CHECK(rq[i].sent > 0, "%s: sent during the map (%d times)",
		      rq[i].what, rq[i].sent);
		CHECK(rq[i].worst <= bound_ns,
		      "%s answered within %lld ms during MAP_DMA (worst %lld ms)",
		      rq[i].what, (long long)(bound_ns / 1000000),
		      (long long)(rq[i].worst / 1000000));
	}
	CHECK(rq[0].seen >= rq[0].sent,
	      "every vfioctl dump listed the busy container (%d in %d dumps)",
	      rq[0].seen, rq[0].sent);
	return t1_failures ? 1 : 0;
}
