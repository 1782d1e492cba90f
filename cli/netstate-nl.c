// SPDX-License-Identifier: GPL-2.0-only
/*
 * netstate-nl.c - addresses and routes from rtnetlink through
 * libnl-route-3.  The route dump covers every table (main, local, VRF
 * and policy-routing tables alike), unlike /proc/net/route.
 */
#include <errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>
#include <linux/rtnetlink.h>

#include "netstate.h"

struct walk {
	struct netstate *ns;
	struct nl_cache *links;
	int rc;
};

static void on_addr(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct walk *w = arg;
	char name[IF_NAMESIZE];

	if (w->rc || !rtnl_link_i2name(w->links, rtnl_addr_get_ifindex(a),
				       name, sizeof(name)))
		return;
	w->rc = netstate_note_addr(w->ns, name, rtnl_addr_get_family(a),
				   rtnl_addr_get_scope(a) >= RT_SCOPE_LINK);
}

static void on_route(struct nl_object *obj, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct nl_addr *dst = rtnl_route_get_dst(r);
	const unsigned char *d6 = NULL;
	struct walk *w = arg;
	int i, n;

	if (dst && rtnl_route_get_family(r) == AF_INET6 &&
	    nl_addr_get_len(dst) == 16)
		d6 = nl_addr_get_binary_addr(dst);
	n = rtnl_route_get_nnexthops(r);
	for (i = 0; i < n && !w->rc; i++) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, i);
		char name[IF_NAMESIZE];

		if (!rtnl_link_i2name(w->links, rtnl_route_nh_get_ifindex(nh),
				      name, sizeof(name)))
			continue;
		w->rc = netstate_note_route(w->ns, name, rtnl_route_get_family(r),
					    rtnl_route_get_table(r),
					    rtnl_route_get_type(r) == RTN_UNICAST,
					    d6, d6 ? nl_addr_get_prefixlen(dst) : 0);
	}
}

int netstate_load_netlink(struct netstate *ns)
{
	struct nl_cache *addrs = NULL, *routes = NULL;
	struct walk w = { .ns = ns };
	struct nl_sock *sk;
	int rc;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc == 0)
		rc = rtnl_link_alloc_cache(sk, AF_UNSPEC, &w.links);
	if (rc == 0)
		rc = rtnl_addr_alloc_cache(sk, &addrs);
	if (rc == 0)
		rc = rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, &routes);
	if (rc < 0) {
		rc = -EIO;	/* libnl's codes are not errnos */
		goto out;
	}
	nl_cache_foreach(addrs, on_addr, &w);
	if (!w.rc)
		nl_cache_foreach(routes, on_route, &w);
	rc = w.rc;
out:
	if (routes)
		nl_cache_free(routes);
	if (addrs)
		nl_cache_free(addrs);
	if (w.links)
		nl_cache_free(w.links);
	nl_socket_free(sk);
	return rc;
}
