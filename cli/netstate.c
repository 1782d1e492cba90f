// SPDX-License-Identifier: GPL-2.0-only
/*
 * netstate.c - the interface table of netstate.h, its shared filters and
 * the fixture source.  The netlink source is in netstate-nl.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netstate.h"

static struct netstate_if *get_if(struct netstate *ns, const char *ifname)
{
	struct netstate_if *n;
	size_t i;

	for (i = 0; i < ns->nr; i++)
		if (strcmp(ns->ifs[i].name, ifname) == 0)
			return &ns->ifs[i];
	if (strlen(ifname) >= IF_NAMESIZE)
		return NULL;
	if (ns->nr == ns->cap) {
		size_t cap = ns->cap ? 2 * ns->cap : 16;

		n = realloc(ns->ifs, cap * sizeof(*n));
		if (!n)
			return NULL;
		ns->ifs = n;
		ns->cap = cap;
	}
	n = &ns->ifs[ns->nr++];
	memset(n, 0, sizeof(*n));
	strcpy(n->name, ifname);
	return n;
}

int netstate_note_addr(struct netstate *ns, const char *ifname, int family,
		       bool link_scope)
{
	struct netstate_if *i;

	if (link_scope || (family != AF_INET && family != AF_INET6))
		return 0;
	i = get_if(ns, ifname);
	if (!i)
		return -ENOMEM;
	i->what |= family == AF_INET ? NET_ADDR4 : NET_ADDR6;
	return 0;
}

int netstate_note_route(struct netstate *ns, const char *ifname, int family,
			unsigned int table, bool unicast,
			const unsigned char *dst6, unsigned int dst_len)
{
	struct netstate_if *i;

	if (!unicast || (family != AF_INET && family != AF_INET6))
		return 0;
	/* fe80::/64 is on every IPv6 link that is up. */
	if (family == AF_INET6 && dst6 && dst_len >= 10 && dst6[0] == 0xfe &&
	    (dst6[1] & 0xc0) == 0x80)
		return 0;
	i = get_if(ns, ifname);
	if (!i)
		return -ENOMEM;
	i->what |= family == AF_INET ? NET_ROUTE4 : NET_ROUTE6;
	if (!i->table)
		i->table = table;
	return 0;
}

const struct netstate_if *netstate_find(const struct netstate *ns,
					const char *ifname)
{
	size_t i;

	for (i = 0; i < ns->nr; i++)
		if (strcmp(ns->ifs[i].name, ifname) == 0)
			return &ns->ifs[i];
	return NULL;
}

void netstate_free(struct netstate *ns)
{
	free(ns->ifs);
	memset(ns, 0, sizeof(*ns));
}

static int family_of(const char *s)
{
	return strcmp(s, "inet") == 0 ? AF_INET :
	       strcmp(s, "inet6") == 0 ? AF_INET6 : AF_UNSPEC;
}

/* One line of the fixture file; unknown lines are errors, to catch typos. */
static int parse_line(struct netstate *ns, char *line)
{
	char kind[8], ifname[IF_NAMESIZE], fam[8], a[64], b[64], c[16];
	unsigned char dst6[16];
	unsigned int len = 0;
	char *slash;
	int n;

	n = sscanf(line, "%7s %15s %7s %63s %63s %15s", kind, ifname, fam, a, b, c);
	if (n < 4 || family_of(fam) == AF_UNSPEC)
		return -EINVAL;
	if (strcmp(kind, "addr") == 0)
		return netstate_note_addr(ns, ifname, family_of(fam),
					  n == 6 && strcmp(b, "scope") == 0 &&
					  strcmp(c, "link") == 0);
	if (strcmp(kind, "route") != 0 || n < 5)
		return -EINVAL;
	slash = strchr(b, '/');
	if (slash) {
		*slash = '\0';
		len = (unsigned int)atoi(slash + 1);
	}
	if (family_of(fam) == AF_INET6 && strcmp(b, "default") != 0 &&
	    inet_pton(AF_INET6, b, dst6) == 1)
		return netstate_note_route(ns, ifname, AF_INET6,
					   (unsigned int)atoi(a), true, dst6, len);
	return netstate_note_route(ns, ifname, family_of(fam),
				   (unsigned int)atoi(a), true, NULL, 0);
}

static int load_file(const char *path, struct netstate *ns)
{
	char line[256];
	int rc = 0, nr = 0;
	FILE *fp;

	fp = fopen(path, "re");
	if (!fp)
		return errno == ENOENT ? 0 : -errno;
	while (rc == 0 && fgets(line, sizeof(line), fp)) {
		nr++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		rc = parse_line(ns, line);
		if (rc == -EINVAL)
			fprintf(stderr, "vfioctl: %s:%d: invalid line\n", path, nr);
	}
	fclose(fp);
	return rc;
}

int netstate_load(const struct cli_env *env, struct netstate *ns)
{
	char path[PATH_MAX];
	int rc;

	memset(ns, 0, sizeof(*ns));
	if (strcmp(env->sysfs, "/sys") == 0)
		rc = netstate_load_netlink(ns);
	else {
		/* Test-only: fixtures have no kernel to ask. */
		snprintf(path, sizeof(path), "%s/../rtnetlink", env->sysfs);
		rc = load_file(path, ns);
	}
	if (rc < 0)
		netstate_free(ns);
	return rc;
}
