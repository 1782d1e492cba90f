// SPDX-License-Identifier: GPL-2.0-only
/*
 * cli-plan.c - TAP tests of the CLI's pure decisions: driver kinds,
 * viability and its blocker, attach plans, rollback and detach operation
 * lists, and persisted-group records.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../cli/inuse.h"
#include "../../cli/persist.h"
#include "../../cli/plan.h"
#include "../../cli/units.h"
#include "../../libvfioctl/vfio-driver.h"

static int nr_tests, nr_failed;

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	nr_tests++;
	if (!cond)
		nr_failed++;
	printf("%sok %d - ", cond ? "" : "not ", nr_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static struct cli_dev mkdev(const char *name, const char *driver,
			    unsigned int class, bool pci)
{
	struct cli_dev d;

	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.driver, sizeof(d.driver), "%s", driver);
	snprintf(d.bus, sizeof(d.bus), "%s", pci ? "pci" : "platform");
	d.is_pci = pci;
	d.class = class;
	d.vendor = 0x1234;
	d.device = 0x11e8;
	d.is_bridge = pci && ((class >> 8) == 0x0604);
	d.boot_vga = -1;
	return d;
}

static void test_driver_kind(void)
{
	ok(driver_kind("") == DRV_NONE, "unbound is DRV_NONE");
	ok(driver_kind("vfio-pci") == DRV_VFIO, "vfio-pci is VFIO");
	ok(driver_kind("mlx5_vfio_pci") == DRV_VFIO, "variant driver is VFIO");
	ok(driver_kind("vfio_platform") == DRV_HOST &&
	   driver_kind("vfioctl-test") == DRV_HOST,
	   "a 'vfio' prefix alone does not make a VFIO PCI driver");
	ok(driver_kind("pci-stub") == DRV_SAFE, "pci-stub is DMA-safe");
	ok(driver_kind("pcieport") == DRV_SAFE, "pcieport is DMA-safe");
	ok(driver_kind("e1000e") == DRV_HOST, "e1000e is a host driver");
}

static void test_units(void)
{
	static const struct { uint64_t n; const char *s; } cases[] = {
		{ 0, "0 B" }, { 512, "512 B" }, { 1024, "1 KiB" },
		{ 1536, "1.5 KiB" }, { 1048576, "1 MiB" },
		{ 1073741824, "1 GiB" }, { 3ULL << 40, "3 TiB" },
		{ 1048575, "1024.0 KiB" }, { 2097152 + 104858, "2.1 MiB" },
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fmt_bytes(cases[i].n, buf, sizeof(buf));
		ok(strcmp(buf, cases[i].s) == 0, "fmt_bytes(%llu) = %s (got %s)",
		   (unsigned long long)cases[i].n, cases[i].s, buf);
	}
}

/* The shared rule itself (libvfioctl/vfio-driver.c). */
static void test_vfio_driver_rule(void)
{
	ok(vfio_pci_driver_name("vfio-pci"), "rule: vfio-pci");
	ok(vfio_pci_driver_name("hisi_acc_vfio_pci") &&
	   vfio_pci_driver_name("mlx5-vfio-pci"), "rule: *_vfio_pci and *-vfio-pci variants");
	ok(!vfio_pci_driver_name("-vfio-pci") && !vfio_pci_driver_name("_vfio_pci"),
	   "rule: a bare suffix is not a driver");
	ok(!vfio_pci_driver_name("e1000e") && !vfio_pci_driver_name("pci-stub") &&
	   !vfio_pci_driver_name("vfio") && !vfio_pci_driver_name("vfio-pci-x") &&
	   !vfio_pci_driver_name("") && !vfio_pci_driver_name(NULL) &&
	   !vfio_pci_driver_name("../../x-vfio-pci"),
	   "rule: host drivers, pci-stub, prefixes, paths and empty names are not");
}

static void test_viability(void)
{
	struct cli_dev g[3] = {
		mkdev("0000:00:11.0", "", 0x060400, true),
		mkdev("0000:02:01.0", "vfio-pci", 0x00ff00, true),
		mkdev("0000:02:02.0", "e1000e", 0x020000, true),
	};
	struct viability v;

	group_viability(g, 3, NULL, &v);
	ok(!v.viable && v.has_vfio, "vfio + host member: not viable");
	ok(v.blocker == &g[2], "blocker is the e1000e device");
	strcpy(g[2].driver, "pci-stub");
	group_viability(g, 3, NULL, &v);
	ok(v.viable && !v.blocker && v.nr_vfio == 1, "pci-stub member keeps it viable");
	strcpy(g[0].driver, "shpchp");
	group_viability(g, 3, NULL, &v);
	ok(!v.viable && v.blocker == &g[0], "bridge on shpchp blocks");
}

static void test_plan(void)
{
	struct cli_dev g[3] = {
		mkdev("0000:00:11.0", "pcieport", 0x060400, true),
		mkdev("0000:02:01.0", "", 0x00ff00, true),
		mkdev("0000:02:02.0", "e1000e", 0x020000, true),
	};
	unsigned int inuse[3] = { 0, 0, INUSE_NET };
	struct plan p;

	ok(plan_attach(g, 3, NULL, "vfio-pci", false, &p) == 0 &&
	   p.verdict == PLAN_OK, "plan without host use is OK");
	ok(p.steps[0].action == PLAN_STAYS, "bridge stays");
	ok(p.steps[1].action == PLAN_BIND && p.steps[2].action == PLAN_BIND,
	   "endpoints are bound");
	ok(strcmp(p.steps[2].orig_driver, "e1000e") == 0, "original driver recorded");
	plan_release(&p);

	plan_attach(g, 3, inuse, "vfio-pci", false, &p);
	ok(p.verdict == PLAN_IN_USE && p.culprit == 2, "in-use member refuses the plan");
	ok(strstr(p.reason, "0000:02:02.0") && strstr(p.reason, "network"),
	   "reason names the device and the use: %s", p.reason);
	plan_release(&p);

	plan_attach(g, 3, inuse, "vfio-pci", true, &p);
	ok(p.verdict == PLAN_OK, "--force accepts an in-use member");
	plan_release(&p);

	strcpy(g[1].driver, "vfio-pci");
	plan_attach(g, 3, NULL, "vfio-pci", false, &p);
	ok(p.steps[1].action == PLAN_KEEP, "device already on vfio-pci is kept");
	plan_release(&p);

	strcpy(g[0].driver, "shpchp");
	plan_attach(g, 3, NULL, "vfio-pci", true, &p);
	ok(p.verdict == PLAN_NOT_VIABLE && p.culprit == 0,
	   "bridge on a host driver: not viable even with --force");
	plan_release(&p);

	{
		struct cli_dev q[2] = {
			mkdev("0000:05:00.0", "", 0x020000, true),
			mkdev("platform-dma", "some_dma", 0, false),
		};

		plan_attach(q, 2, NULL, "vfio-pci", false, &p);
		ok(p.verdict == PLAN_NOT_VIABLE && p.culprit == 1,
		   "non-PCI member on a host driver: not viable");
		plan_release(&p);
	}
}

static void test_rollback(void)
{
	struct cli_dev g[4] = {
		mkdev("0000:00:11.0", "", 0x060400, true),
		mkdev("0000:02:01.0", "e1000e", 0x020000, true),
		mkdev("0000:02:02.0", "", 0x00ff00, true),
		mkdev("0000:02:03.0", "igb", 0x020000, true),
	};
	unsigned int done[4] = { 0 };
	struct undo ops[12];
	struct plan p;
	size_t n;

	plan_attach(g, 4, NULL, "vfio-pci", false, &p);
	/* 02:01.0 fully bound, 02:02.0 failed after its probe, 02:03.0 untouched. */
	done[1] = DONE_OVERRIDE | DONE_UNBIND | DONE_PROBE;
	done[2] = DONE_OVERRIDE | DONE_PROBE;
	n = plan_rollback(&p, done, ops);
	ok(n == 5, "rollback has 5 operations (got %zu)", n);
	ok(ops[0].step == 2 && ops[0].op == UNDO_UNBIND,
	   "last device first: unbind 02:02.0");
	ok(ops[1].step == 2 && ops[1].op == UNDO_OVERRIDE, "then restore its override");
	ok(ops[2].step == 1 && ops[2].op == UNDO_UNBIND, "then unbind 02:01.0");
	ok(ops[3].step == 1 && ops[3].op == UNDO_OVERRIDE, "restore its override");
	ok(ops[4].step == 1 && ops[4].op == UNDO_BIND_ORIG,
	   "and rebind it to e1000e");
	ok(strcmp(p.steps[ops[4].step].orig_driver, "e1000e") == 0,
	   "original driver of the rebind is e1000e");

	memset(done, 0, sizeof(done));
	done[1] = DONE_OVERRIDE;	/* failed on unbind */
	n = plan_rollback(&p, done, ops);
	ok(n == 1 && ops[0].op == UNDO_OVERRIDE,
	   "failure before unbind only restores the override");
	memset(done, 0, sizeof(done));
	ok(plan_rollback(&p, done, ops) == 0, "nothing done, nothing undone");
	plan_release(&p);
}

static void test_detach(void)
{
	struct cli_dev g[3] = {
		mkdev("0000:00:11.0", "", 0x060400, true),
		mkdev("0000:02:01.0", "vfio-pci", 0x00ff00, true),
		mkdev("0000:02:02.0", "e1000e", 0x020000, true),
	};
	struct undo ops[9];
	size_t n;

	strcpy(g[1].override, "vfio-pci");
	n = plan_detach(g, 3, "vfio-pci", ops);
	ok(n == 3, "detach touches only the VFIO-bound endpoint (%zu ops)", n);
	ok(ops[0].step == 1 && ops[0].op == UNDO_UNBIND &&
	   ops[1].op == UNDO_OVERRIDE && ops[2].op == UNDO_BIND_ORIG,
	   "unbind, restore override, rebind");
	/* Left unbound by a failed probe but still overridden: ours. */
	g[1].driver[0] = '\0';
	n = plan_detach(g, 3, "vfio-pci", ops);
	ok(n == 2 && ops[0].op == UNDO_OVERRIDE, "unbound but overridden: no unbind");
}

static void test_persist(void)
{
	struct cli_dev g[3] = {
		mkdev("0000:00:11.0", "", 0x060400, true),
		mkdev("0000:02:01.0", "vfio-pci", 0x00ff00, true),
		mkdev("0000:02:02.0", "vfio-pci", 0x00ff00, true),
	};
	struct persist_rec r, r2;
	char buf[2048], why[256];
	int line = -1;

	ok(persist_from_group(g, 3, "vfio-pci", &r) == 0, "record from group");
	ok(strcmp(persist_key(&r), "0000:02:01.0") == 0, "key is the first endpoint");
	ok(persist_format(&r, buf, sizeof(buf)) == 0, "format");
	ok(strstr(buf, "bridge=0000:00:11.0 1234:11e8\n") != NULL, "bridge line");
	ok(persist_parse(buf, &r2, &line) == 0 && r2.nr == 3 &&
	   strcmp(r2.driver, "vfio-pci") == 0, "round trip");
	ok(persist_validate(&r2, g, 3, why, sizeof(why)) == 0, "same group validates");
	g[2].device = 0x1234;
	ok(persist_validate(&r2, g, 3, why, sizeof(why)) == -ESTALE &&
	   strstr(why, "0000:02:02.0"), "changed ID is refused: %s", why);
	g[2].device = 0x11e8;
	ok(persist_validate(&r2, g, 2, why, sizeof(why)) == -ESTALE &&
	   strstr(why, "no longer"), "missing member is refused: %s", why);
	{
		struct cli_dev g4[4] = { g[0], g[1], g[2],
			mkdev("0000:02:03.0", "", 0x00ff00, true) };

		ok(persist_validate(&r2, g4, 4, why, sizeof(why)) == -ESTALE &&
		   strstr(why, "joined"), "new member is refused: %s", why);
	}
	ok(persist_parse("driver=vfio-pci\ndevice=zz\n", &r2, &line) == -EINVAL &&
	   line == 2, "bad address rejected on line 2");
	ok(persist_parse("driver=vfio-pci\nbridge=0000:00:11.0 1b36:000e\n", &r2,
			 &line) == -EINVAL, "record without an endpoint rejected");
	ok(persist_parse("# c\n\ndriver=vfio-pci\ndevice=02:01.0 1234:11e8\n", &r2,
			 &line) == 0 && strcmp(r2.dev[0].addr, "0000:02:01.0") == 0,
	   "short address gets domain 0000");
	ok(persist_parse("driver=../x\ndevice=0000:02:01.0 1234:11e8\n", &r2,
			 &line) == -EINVAL, "driver name with a slash rejected");

	/* --force and its reason survive a round trip; old records parse. */
	ok(persist_parse("driver=vfio-pci\ndevice=0000:02:01.0 1234:11e8\n",
			 &r2, &line) == 0 && !r2.forced && !r2.reason[0],
	   "record without forced=/reason= parses as unforced");
	r.forced = true;
	strcpy(r.reason, "NIC for the router VM; host uses eth1");
	ok(persist_format(&r, buf, sizeof(buf)) == 0 &&
	   strstr(buf, "\nforced=yes\nreason=NIC for the router VM; host uses eth1\n"),
	   "forced and reason are written");
	ok(persist_parse(buf, &r2, &line) == 0 && r2.forced &&
	   strcmp(r2.reason, r.reason) == 0 && r2.nr == 3, "forced and reason round trip");
	r.forced = false;
	r.reason[0] = '\0';
	ok(persist_format(&r, buf, sizeof(buf)) == 0 && strstr(buf, "forced=no\n") &&
	   !strstr(buf, "reason="), "unforced record has forced=no and no reason");
	ok(persist_parse("driver=vfio-pci\nforced=maybe\ndevice=0000:02:01.0 1234:11e8\n",
			 &r2, &line) == -EINVAL && line == 2, "forced=maybe rejected on line 2");
	ok(!persist_reason_ok("two\tparts") && persist_reason_ok("ok; fine") &&
	   persist_reason_ok(""), "reason: control characters rejected");
	memset(buf, 'x', PERSIST_REASON_MAX + 1);
	buf[PERSIST_REASON_MAX + 1] = '\0';
	ok(!persist_reason_ok(buf), "reason longer than %d bytes rejected",
	   PERSIST_REASON_MAX);
}

static void test_addr(void)
{
	char out[16];

	ok(pci_addr_normalize("0000:01:00.0", out, sizeof(out)) == 0 &&
	   !strcmp(out, "0000:01:00.0"), "full address");
	ok(pci_addr_normalize("1:0.7", out, sizeof(out)) == 0 &&
	   !strcmp(out, "0000:01:00.7"), "short address");
	ok(pci_addr_normalize("0000:01:20.0", out, sizeof(out)) == -EINVAL,
	   "device 0x20 rejected");
	ok(pci_addr_normalize("0000:01:00.0x", out, sizeof(out)) == -EINVAL,
	   "trailing garbage rejected");
}

int main(void)
{
	test_driver_kind();
	test_vfio_driver_rule();
	test_units();
	test_viability();
	test_plan();
	test_rollback();
	test_detach();
	test_persist();
	test_addr();
	printf("1..%d\n", nr_tests);
	return nr_failed ? 1 : 0;
}
