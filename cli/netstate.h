/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netstate.h - which network interfaces carry addresses or routes.
 *
 * The live source asks rtnetlink (libnl-route-3) and looks at every
 * routing table, so an uplink of a VRF or of policy routing counts as
 * well as one in the main table.  Fixture trees cannot fake netlink: with
 * VFIOCTL_SYSFS_ROOT set, the same facts come from a text file next to
 * the fixture's sys directory (see netstate_load()).
 */
#ifndef VFIOCTL_CLI_NETSTATE_H
#define VFIOCTL_CLI_NETSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>

#include "sysfs.h"

enum {
	NET_ADDR4	= 1 << 0,
	NET_ADDR6	= 1 << 1,
	NET_ROUTE4	= 1 << 2,
	NET_ROUTE6	= 1 << 3,
};

struct netstate_if {
	char name[IF_NAMESIZE];
	unsigned int what;	/* NET_* */
	unsigned int table;	/* a table one of its routes is in */
};

struct netstate {
	struct netstate_if *ifs;
	size_t nr, cap;
};

/*
 * netstate_load - the live kernel's view, or with a fixture sysfs root
 * the file ROOT/rtnetlink (ROOT being the parent of the sys directory)
 * whose lines are
 *	addr IFNAME inet|inet6 ADDRESS [scope link]
 *	route IFNAME inet|inet6 TABLE DESTINATION
 * A missing file means no addresses and no routes.  Returns 0 or -errno.
 */
int netstate_load(const struct cli_env *env, struct netstate *ns);
void netstate_free(struct netstate *ns);
const struct netstate_if *netstate_find(const struct netstate *ns,
					const char *ifname);

/*
 * The filters both sources share: addresses of link or host scope and
 * routes that are not unicast, or go to fe80::/10, exist on every link
 * that is up and say nothing about use.  @dst6 is the IPv6 destination
 * (NULL for IPv4 or the default route).
 */
int netstate_note_addr(struct netstate *ns, const char *ifname, int family,
		       bool link_scope);
int netstate_note_route(struct netstate *ns, const char *ifname, int family,
			unsigned int table, bool unicast,
			const unsigned char *dst6, unsigned int dst_len);

/* netstate-nl.c: the live source. */
int netstate_load_netlink(struct netstate *ns);

#endif
