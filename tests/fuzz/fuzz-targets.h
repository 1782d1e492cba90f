/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz-targets.h - the VFIO groups the fuzzer and the stress test work on:
 * every IOMMU group with a device bound to vfio-pci, found through sysfs,
 * and small helpers shared by both programs.
 */
#ifndef FUZZ_TARGETS_H
#define FUZZ_TARGETS_H

#include <stdint.h>

#define FT_MAX_GROUPS	8
#define FT_MAX_DEVS	8

struct ft_group {
	int num;			/* /dev/vfio/<num> */
	int ndev;
	char dev[FT_MAX_DEVS][32];	/* PCI names of its vfio-pci devices */
};

/* Fill @g with up to FT_MAX_GROUPS groups; returns how many were found. */
int ft_discover(struct ft_group *g);

/* The IOMMU group number of PCI device @name, or -1. */
int ft_group_of(const char *name);

/* Print the groups as "N (dev dev) N (dev)" on @f. */
void ft_print(FILE *f, const struct ft_group *g, int n);

/* splitmix64: small, seedable, good enough to drive a fuzzer. */
static inline uint64_t ft_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Seconds since an arbitrary point, monotonic. */
double ft_now(void);

#endif /* FUZZ_TARGETS_H */
