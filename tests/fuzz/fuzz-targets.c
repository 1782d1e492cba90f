// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz-targets.c - find the groups of devices bound to vfio-pci (see
 * fuzz-targets.h).
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz-targets.h"

int ft_group_of(const char *name)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	base = strrchr(link, '/');
	return base ? atoi(base + 1) : -1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int ft_discover(struct ft_group *g)
{
	struct dirent **ents;
	int i, j, n, ng = 0;

	n = scandir("/sys/bus/pci/drivers/vfio-pci", &ents, NULL, by_name);
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		int num;

		/* Device links look like 0000:01:00.0; skip bind, unbind... */
		if (!strchr(name, ':') || strlen(name) >= sizeof(g->dev[0]))
			continue;
		num = ft_group_of(name);
		if (num < 0)
			continue;
		for (j = 0; j < ng && g[j].num != num; j++)
			;
		if (j == ng) {
			if (ng == FT_MAX_GROUPS)
				continue;
			g[ng].num = num;
			g[ng].ndev = 0;
			ng++;
		}
		if (g[j].ndev < FT_MAX_DEVS)
			strcpy(g[j].dev[g[j].ndev++], name);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return ng;
}

void ft_print(FILE *f, const struct ft_group *g, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		fprintf(f, "%s%d (", i ? " " : "", g[i].num);
		for (j = 0; j < g[i].ndev; j++)
			fprintf(f, "%s%s", j ? " " : "", g[i].dev[j]);
		fprintf(f, ")");
	}
}

double ft_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
