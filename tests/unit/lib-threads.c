// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lib-threads - container attachment from several threads at once, on
 * fake-vfio.so: group attach and detach, SET_IOMMU and DMA maps on one
 * container object.  Afterwards the library's record (each group's
 * container, the container's references and group count) must agree
 * with what the fake kernel says.
 */
#include <pthread.h>

#include "lib-test.h"
#include "libvfioctl-private.h"

#define NR_THREADS 4
#define ROUNDS 20000

static struct vfioctl_ctx *ctx;
static struct vfioctl_container *c;
static struct vfioctl_group *groups[NR_THREADS];
static int errors;

static int setup(int nr_groups)
{
	char name[16];
	int i;

	fake_node("vfio");
	for (i = 0; i < nr_groups; i++) {
		snprintf(name, sizeof(name), "%d", 12 + i);
		fake_node(name);
	}
	if (test_new(&ctx) < 0 || vfioctl_container_open(ctx, &c) < 0)
		return -1;
	for (i = 0; i < nr_groups; i++)
		if (vfioctl_group_open(ctx, 12 + i, &groups[i]) < 0)
			return -1;
	return 0;
}

/* The fake kernel's view of @g. */
static int kernel_attached(struct vfioctl_group *g)
{
	uint32_t flags = 0;

	if (vfioctl_group_get_status(g, &flags) < 0)
		return -1;
	return !!(flags & VFIO_GROUP_FLAGS_CONTAINER_SET);
}

static void *flip_same_group(void *arg)
{
	long i;
	int rc;

	for (i = 0; i < ROUNDS; i++) {
		/* Other threads flip it too: "already" answers are fine. */
		if ((i + (long)arg) & 1)
			rc = vfioctl_group_set_container(groups[0], c);
		else
			rc = vfioctl_group_unset_container(groups[0]);
		if (rc < 0 && rc != -EINVAL)
			__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

DEFINE_TEST(same_group, "threads attaching and detaching one group agree with the kernel")
{
	pthread_t t[NR_THREADS];
	int attached;
	long i;

	expect(setup(1) == 0, "setup: %s", vfioctl_get_last_error(ctx));
	for (i = 0; i < NR_THREADS; i++)
		expect(pthread_create(&t[i], NULL, flip_same_group, (void *)i) == 0,
		       "thread");
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(t[i], NULL);
	expect(errors == 0, "%d unexpected errors", errors);
	attached = kernel_attached(groups[0]);
	expect(attached >= 0, "status");
	expect((vfioctl_group_get_container(groups[0]) != NULL) == attached,
	       "library says %s, kernel says %s",
	       vfioctl_group_get_container(groups[0]) ? "attached" : "detached",
	       attached ? "attached" : "detached");
	expect(c->nr_groups == attached, "nr_groups %d, kernel %d",
	       c->nr_groups, attached);
	expect(c->refcount == 1 + attached, "container refcount %d, want %d",
	       c->refcount, 1 + attached);
	return 0;
}

static void *cycle_own_group(void *arg)
{
	struct vfioctl_group *g = groups[(long)arg];
	int i;

	for (i = 0; i < ROUNDS / 4; i++)
		if (vfioctl_group_set_container(g, c) < 0 ||
		    vfioctl_group_unset_container(g) < 0)
			__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
	return NULL;
}

DEFINE_TEST(many_groups, "threads cycling their own groups on one container")
{
	pthread_t t[NR_THREADS];
	long i;

	expect(setup(NR_THREADS) == 0, "setup: %s", vfioctl_get_last_error(ctx));
	for (i = 0; i < NR_THREADS; i++)
		expect(pthread_create(&t[i], NULL, cycle_own_group, (void *)i) == 0,
		       "thread");
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(t[i], NULL);
	expect(errors == 0, "%d calls failed", errors);
	expect(c->nr_groups == 0 && c->refcount == 1,
	       "nr_groups %d refcount %d", c->nr_groups, c->refcount);
	/* With no group left the hint must say so. */
	expect(vfioctl_container_set_iommu(c, VFIO_TYPE1v2_IOMMU) == -EINVAL,
	       "set iommu without groups");
	expect(strstr(vfioctl_get_last_error(ctx), "attach a group first"),
	       "%s", vfioctl_get_last_error(ctx));
	return 0;
}

static int iommu_set_ok;
static void *attach_set_map(void *arg)
{
	long n = (long)arg;
	int rc;

	if (vfioctl_group_set_container(groups[n], c) < 0)
		__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
	/* One thread's SET_IOMMU wins; the kernel refuses the others. */
	rc = vfioctl_container_set_iommu(c, VFIO_TYPE1v2_IOMMU);
	if (rc == VFIO_TYPE1v2_IOMMU)
		__atomic_add_fetch(&iommu_set_ok, 1, __ATOMIC_RELAXED);
	while (vfioctl_container_get_iommu_type(c) == 0)
		sched_yield();
	if (vfioctl_container_map_dma(c, (void *)0x10000, 0x100000 + n * 0x1000,
				      0x1000, VFIO_DMA_MAP_FLAG_READ) < 0)
		__atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
	return NULL;
}

DEFINE_TEST(attach_iommu_map, "threads attach, set the IOMMU model and map on one container")
{
	pthread_t t[NR_THREADS];
	uint64_t unmapped;
	long i;

	expect(setup(NR_THREADS) == 0, "setup: %s", vfioctl_get_last_error(ctx));
	for (i = 0; i < NR_THREADS; i++)
		expect(pthread_create(&t[i], NULL, attach_set_map, (void *)i) == 0,
		       "thread");
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(t[i], NULL);
	expect(errors == 0, "%d calls failed", errors);
	expect(iommu_set_ok == 1, "SET_IOMMU succeeded %d times", iommu_set_ok);
	expect(vfioctl_container_get_iommu_type(c) == VFIO_TYPE1v2_IOMMU, "type");
	expect(c->nr_groups == NR_THREADS, "nr_groups %d", c->nr_groups);
	expect(vfioctl_container_unmap_all(c, &unmapped) == 0 &&
	       unmapped == NR_THREADS * 0x1000, "unmapped 0x%llx",
	       (unsigned long long)unmapped);
	return 0;
}

TEST_MAIN()
