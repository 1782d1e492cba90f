// SPDX-License-Identifier: GPL-2.0-only
/*
 * dpdk-virtio - a real client with a real PMD and MSI-X: DPDK's net_virtio
 * drives QEMU's modern virtio-net-pci through VFIO, with RX interrupts.
 *
 *   dpdk-virtio EAL-ARGS... -- BDF
 *
 * The EAL arguments must allow the device (-a BDF) and ask for MSI-X
 * (--vfio-intr=msix).  The port gets one RX and one TX queue with RX
 * interrupts (intr_conf.rxq): net_virtio then enables MSI-X through
 * VFIO_DEVICE_SET_IRQS with one eventfd for the config vector (0) and one
 * per RX queue (1), and routes the RX virtqueue to vector 1.  The program
 * arms the RX interrupt, sends an ARP request for the slirp gateway
 * (10.0.2.2, which slirp answers even with restrict=on), sleeps in
 * rte_epoll_wait() until the RX interrupt's eventfd fires and then
 * receives the ARP reply.  Around the wait it reads the vfio-msix lines
 * of BDF in /proc/interrupts: the RX vector's count must grow, i.e. the
 * interrupt came from the device through vfio-pci's MSI-X handler, not
 * from a poll.  Port statistics show what went over the wire.
 *
 * The device must already be bound to vfio-pci.  Output is TAP-like; the
 * exit status is non-zero if any check failed.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_epoll.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_arp.h>
#include <rte_interrupts.h>
#include <rte_mbuf.h>
#include <rte_cycles.h>

#include "tap-util.h"

#define NDESC		256
#define NMBUF		1023
#define MAXVEC		8
#define WAIT_MS		10000

/* the guest address slirp hands out first, and its gateway */
#define GUEST_IP	RTE_IPV4(10, 0, 2, 15)
#define GATEWAY_IP	RTE_IPV4(10, 0, 2, 2)

static void bail(const char *what)
{
	printf("Bail out! %s\n", what);
	exit(1);
}

/*
 * msix_counts - the interrupt count of each vfio-msix[N](BDF) line of
 * /proc/interrupts, summed over CPUs, into count[N] (-1: no such line).
 * Returns how many lines it found.
 */
static int msix_counts(const char *bdf, long long count[MAXVEC])
{
	char tag[64], line[4096];
	int i, found = 0;
	FILE *f;

	for (i = 0; i < MAXVEC; i++)
		count[i] = -1;
	f = fopen("/proc/interrupts", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;
		long long sum = 0;

		for (i = 0; i < MAXVEC; i++) {
			snprintf(tag, sizeof(tag), "vfio-msix[%d](%s)", i, bdf);
			if (strstr(line, tag))
				break;
		}
		if (i == MAXVEC)
			continue;
		/* "IRQ:" then one count per CPU, then the chip's name */
		p = strchr(line, ':');
		if (!p)
			continue;
		p++;
		for (;;) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			sum += v;
			p = end;
		}
		count[i] = sum;
		found++;
	}
	fclose(f);
	return found;
}

static struct rte_mbuf *arp_request(struct rte_mempool *pool,
				    const struct rte_ether_addr *mac)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	/* the minimum Ethernet frame, without the FCS */
	const uint16_t len = RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN;

	if (!m)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, len);
	if (!eth) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eth, 0, len);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = rte_cpu_to_be_32(GUEST_IP);
	arp->arp_data.arp_tip = rte_cpu_to_be_32(GATEWAY_IP);
	return m;
}

/* is_arp_reply - M is an ARP reply from the gateway to MAC; its MAC out */
static bool is_arp_reply(struct rte_mbuf *m, const struct rte_ether_addr *mac,
			 struct rte_ether_addr *from)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp) ||
	    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP) ||
	    arp->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REPLY) ||
	    arp->arp_data.arp_sip != rte_cpu_to_be_32(GATEWAY_IP) ||
	    !rte_is_same_ether_addr(&arp->arp_data.arp_tha, mac))
		return false;
	rte_ether_addr_copy(&arp->arp_data.arp_sha, from);
	return true;
}

int main(int argc, char **argv)
{
	struct rte_eth_conf conf = { .intr_conf = { .rxq = 1 } };
	long long before[MAXVEC], after[MAXVEC];
	char macs[RTE_ETHER_ADDR_FMT_SIZE];
	struct rte_ether_addr mac, from;
	struct rte_eth_dev_info info;
	struct rte_epoll_event ev;
	struct rte_eth_stats st;
	struct rte_mempool *pool;
	struct rte_mbuf *m, *rx[32];
	bool got_reply = false;
	const char *bdf;
	uint16_t port;
	int n, i, ret, lines;
	uint64_t deadline;

	setvbuf(stdout, NULL, _IOLBF, 0);
	n = rte_eal_init(argc, argv);
	if (!check(n >= 0, "rte_eal_init (%s)",
		   n < 0 ? rte_strerror(rte_errno) : "ok"))
		bail("EAL");
	argc -= n;
	argv += n;
	if (argc != 2) {
		fprintf(stderr, "usage: dpdk-virtio EAL-ARGS... -- BDF\n");
		return 2;
	}
	bdf = argv[1];

	if (!check(rte_eth_dev_count_avail() == 1, "one ethdev port (%u)",
		   rte_eth_dev_count_avail()))
		bail("no port");
	RTE_ETH_FOREACH_DEV(port)
		break;
	ret = rte_eth_dev_info_get(port, &info);
	check(!ret && !strcmp(info.driver_name, "net_virtio"),
	      "port %u is driven by net_virtio (%s)", port,
	      ret ? "no info" : info.driver_name);
	check(!ret && !strcmp(rte_dev_name(info.device), bdf),
	      "port %u is %s (%s)", port, bdf,
	      ret ? "no info" : rte_dev_name(info.device));

	pool = rte_pktmbuf_pool_create("mbufs", NMBUF, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (!pool)
		bail("rte_pktmbuf_pool_create");
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (!check(!ret, "configure 1 RX + 1 TX queue with RX interrupts (%s)",
		   ret ? rte_strerror(-ret) : "ok"))
		bail("configure");
	ret = rte_eth_rx_queue_setup(port, 0, NDESC, rte_socket_id(), NULL,
				     pool);
	check(!ret, "RX queue setup (%s)", ret ? rte_strerror(-ret) : "ok");
	ret = rte_eth_tx_queue_setup(port, 0, NDESC, rte_socket_id(), NULL);
	check(!ret, "TX queue setup (%s)", ret ? rte_strerror(-ret) : "ok");
	ret = rte_eth_dev_start(port);
	if (!check(!ret, "rte_eth_dev_start (%s)",
		   ret ? rte_strerror(-ret) : "ok"))
		bail("start");
	rte_eth_macaddr_get(port, &mac);
	rte_ether_format_addr(macs, sizeof(macs), &mac);
	diag("port %u MAC %s", port, macs);

	ret = rte_eth_dev_rx_intr_ctl_q(port, 0, RTE_EPOLL_PER_THREAD,
					RTE_INTR_EVENT_ADD, NULL);
	check(!ret, "RX queue 0 interrupt added to this thread's epoll (%s)",
	      ret ? rte_strerror(-ret) : "ok");
	/* anything that came in before we armed the interrupt */
	while ((n = rte_eth_rx_burst(port, 0, rx, RTE_DIM(rx))) > 0)
		rte_pktmbuf_free_bulk(rx, n);
	ret = rte_eth_dev_rx_intr_enable(port, 0);
	check(!ret, "RX queue 0 interrupt enabled (%s)",
	      ret ? rte_strerror(-ret) : "ok");

	lines = msix_counts(bdf, before);
	check(lines >= 2 && before[0] >= 0 && before[1] >= 0,
	      "/proc/interrupts has vfio-msix[0] and [1] of %s (%d lines)",
	      bdf, lines);
	for (i = 0; i < MAXVEC; i++)
		if (before[i] >= 0)
			diag("before: vfio-msix[%d](%s): %lld", i, bdf,
			     before[i]);

	m = arp_request(pool, &mac);
	if (!m)
		bail("no mbuf");
	n = rte_eth_tx_burst(port, 0, &m, 1);
	if (!check(n == 1, "ARP request for 10.0.2.2 queued for TX (%d)", n))
		rte_pktmbuf_free(m);

	/* sleep until the RX vector's eventfd fires, then take the reply */
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * WAIT_MS / 1000;
	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, &ev, 1, WAIT_MS);
	check(n == 1, "rte_epoll_wait: the RX interrupt arrived (%d)", n);
	rte_eth_dev_rx_intr_disable(port, 0);
	while (!got_reply && rte_get_timer_cycles() < deadline) {
		n = rte_eth_rx_burst(port, 0, rx, RTE_DIM(rx));
		for (i = 0; i < n; i++) {
			if (!got_reply && is_arp_reply(rx[i], &mac, &from))
				got_reply = true;
			rte_pktmbuf_free(rx[i]);
		}
		if (!n)
			rte_delay_ms(10);
	}
	rte_ether_format_addr(macs, sizeof(macs), &from);
	check(got_reply, "ARP reply: 10.0.2.2 is at %s",
	      got_reply ? macs : "(none)");

	msix_counts(bdf, after);
	for (i = 0; i < MAXVEC; i++)
		if (after[i] >= 0)
			diag("after: vfio-msix[%d](%s): %lld", i, bdf,
			     after[i]);
	check(before[1] >= 0 && after[1] > before[1],
	      "vfio-msix[1](%s), the RX vector, counted the interrupt (%lld -> %lld)",
	      bdf, before[1], after[1]);

	ret = rte_eth_stats_get(port, &st);
	check(!ret && st.opackets >= 1,
	      "stats: %" PRIu64 " packets transmitted", st.opackets);
	check(!ret && st.ipackets >= 1,
	      "stats: %" PRIu64 " packets received", st.ipackets);
	check(!ret && !st.oerrors && !st.ierrors,
	      "stats: no TX or RX errors (%" PRIu64 ", %" PRIu64 ")",
	      st.oerrors, st.ierrors);

	ret = rte_eth_dev_stop(port);
	check(!ret, "rte_eth_dev_stop (%s)", ret ? rte_strerror(-ret) : "ok");
	/* stopping the port disabled MSI-X: the vectors are gone */
	lines = msix_counts(bdf, after);
	check(lines == 0,
	      "no vfio-msix line of %s left after rte_eth_dev_stop (%d)", bdf,
	      lines);
	ret = rte_eth_dev_close(port);
	check(!ret, "rte_eth_dev_close (%s)", ret ? rte_strerror(-ret) : "ok");
	ret = rte_eal_cleanup();
	check(!ret, "rte_eal_cleanup (%s)", ret ? rte_strerror(-ret) : "ok");
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}
