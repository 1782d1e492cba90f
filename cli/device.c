// SPDX-License-Identifier: GPL-2.0-only
/*
 * device.c - `vfioctl device info ADDR`: what VFIO exposes of one device
 * (regions, their capabilities, interrupts, reset), read through
 * libvfioctl exactly as a VMM would see it.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/vfio.h>

#include "json.h"
#include "units.h"
#include "vfioctl.h"

static const char *const pci_region_names[] = {
	"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM", "CONFIG", "VGA",
};
static const char *const pci_irq_names[] = {
	"INTX", "MSI", "MSIX", "ERR", "REQ",
};

struct dev_args {
	const char *sub;
	const char *addr;
	bool json;
};

static struct json_object *region_json(struct vfioctl_region *r, unsigned int i)
{
	struct json_object *o = json_object_new_object(), *caps;
	uint32_t flags = vfioctl_region_get_flags(r), type, subtype;
	int nsparse;

	json_object_object_add(o, "index", json_object_new_int((int)i));
	json_object_object_add(o, "name", json_object_new_string(
		i < sizeof(pci_region_names) / sizeof(pci_region_names[0]) ?
		pci_region_names[i] : "device-specific"));
	json_object_object_add(o, "size",
			       json_object_new_int64((int64_t)vfioctl_region_get_size(r)));
	json_object_object_add(o, "offset",
			       json_object_new_int64((int64_t)vfioctl_region_get_offset(r)));
	json_object_object_add(o, "read", json_object_new_boolean(flags & VFIO_REGION_INFO_FLAG_READ));
	json_object_object_add(o, "write", json_object_new_boolean(flags & VFIO_REGION_INFO_FLAG_WRITE));
	json_object_object_add(o, "mmap", json_object_new_boolean(flags & VFIO_REGION_INFO_FLAG_MMAP));
	caps = json_object_new_array();
	if (vfioctl_region_get_type(r, &type, &subtype) == 0) {
		char buf[48];

		snprintf(buf, sizeof(buf), "type %u/%u", type, subtype);
		json_object_array_add(caps, json_object_new_string(buf));
	}
	if (vfioctl_region_is_msix_mappable(r) > 0)
		json_object_array_add(caps, json_object_new_string("msix-mappable"));
	nsparse = vfioctl_region_get_num_sparse_areas(r);
	if (nsparse > 0) {
		char buf[48];

		snprintf(buf, sizeof(buf), "sparse-mmap %d areas", nsparse);
		json_object_array_add(caps, json_object_new_string(buf));
	}
	json_object_object_add(o, "capabilities", caps);
	return o;
}

static struct json_object *irq_json(struct vfioctl_irq *q, unsigned int i)
{
	struct json_object *o = json_object_new_object();
	uint32_t flags = vfioctl_irq_get_flags(q);

	json_object_object_add(o, "index", json_object_new_int((int)i));
	json_object_object_add(o, "name", json_object_new_string(
		i < sizeof(pci_irq_names) / sizeof(pci_irq_names[0]) ?
		pci_irq_names[i] : "device-specific"));
	json_object_object_add(o, "count",
			       json_object_new_int((int)vfioctl_irq_get_count(q)));
	json_object_object_add(o, "eventfd", json_object_new_boolean(flags & VFIO_IRQ_INFO_EVENTFD));
	json_object_object_add(o, "maskable", json_object_new_boolean(flags & VFIO_IRQ_INFO_MASKABLE));
	json_object_object_add(o, "automasked", json_object_new_boolean(flags & VFIO_IRQ_INFO_AUTOMASKED));
	return o;
}

static void print_human(struct json_object *doc)
{
	struct json_object *d, *arr, *x;
	char size[32];
	size_t i;

	json_object_object_get_ex(doc, "device", &d);
	json_object_object_get_ex(d, "name", &x);
	printf("device %s", json_object_get_string(x));
	json_object_object_get_ex(d, "group", &x);
	printf("  group %d", json_object_get_int(x));
	json_object_object_get_ex(d, "reset", &x);
	printf("  reset %s", json_object_get_boolean(x) ? "yes" : "no");
	json_object_object_get_ex(d, "hot_reset_deps", &x);
	printf("  hot-reset-deps %d\n", json_object_get_int(x));
	json_object_object_get_ex(d, "regions", &arr);
	/* Exact bytes first (scripts match them), then the size for people. */
	printf("  %-6s %-8s %12s %-5s %-10s %s\n", "REGION", "NAME", "BYTES",
	       "FLAGS", "SIZE", "CAPABILITIES");
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *r = json_object_array_get_idx(arr, i), *c;
		size_t k;

		json_object_object_get_ex(r, "size", &x);
		if (json_object_get_int64(x) == 0)
			continue;
		printf("  %-6d %-8s %12" PRId64 " ",
		       json_object_get_int(json_object_object_get(r, "index")),
		       json_object_get_string(json_object_object_get(r, "name")),
		       json_object_get_int64(x));
		printf("%s%s%s", json_object_get_boolean(json_object_object_get(r, "read")) ? "r" : "-",
		       json_object_get_boolean(json_object_object_get(r, "write")) ? "w" : "-",
		       json_object_get_boolean(json_object_object_get(r, "mmap")) ? "m" : "-");
		fmt_bytes((uint64_t)json_object_get_int64(x), size, sizeof(size));
		json_object_object_get_ex(r, "capabilities", &c);
		printf("   %-*s", json_object_array_length(c) ? 10 : 0, size);
		for (k = 0; k < json_object_array_length(c); k++)
			printf(" [%s]", json_object_get_string(json_object_array_get_idx(c, k)));
		printf("\n");
	}
	json_object_object_get_ex(d, "irqs", &arr);
	printf("  %-6s %-8s %5s\n", "IRQ", "NAME", "COUNT");
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *q = json_object_array_get_idx(arr, i);

		printf("  %-6d %-8s %5d%s\n",
		       json_object_get_int(json_object_object_get(q, "index")),
		       json_object_get_string(json_object_object_get(q, "name")),
		       json_object_get_int(json_object_object_get(q, "count")),
		       json_object_get_boolean(json_object_object_get(q, "maskable")) ? " maskable" : "");
	}
}

static int info(struct cli_ctx *ctx, const char *addr, bool json)
{
	struct vfioctl_container *c = NULL;
	struct vfioctl_group *g = NULL;
	struct vfioctl_device *dev = NULL;
	struct json_object *doc = NULL, *d, *regions, *irqs;
	struct cli_dev sd;
	unsigned int i, n;
	int rc, group, ret = VFIOCTL_EXIT_FAILURE;

	rc = topo_iommu_present(&ctx->env);
	if (rc < 0)
		return cli_scan_error(rc, -1);
	rc = topo_read_dev(&ctx->env, addr, &sd);
	if (rc < 0) {
		cli_set_errno(ENODEV);
		cli_err("%s: no such PCI device (lspci -D lists them)", addr);
		return VFIOCTL_EXIT_FAILURE;
	}
	group = sd.group;
	cli_dev_release(&sd);
	if (group < 0) {
		cli_err("%s: the device has no IOMMU group, so VFIO cannot use it "
			"(run 'vfioctl check')", addr);
		return VFIOCTL_EXIT_NO_IOMMU;
	}
	rc = vfioctl_group_open(ctx->lib, group, &g);
	if (rc < 0) {
		/* The library's message names the node and its own fix. */
		cli_set_errno(-rc);
		cli_err("%s (group %d): %s", addr, group,
			vfioctl_get_last_error(ctx->lib) ?: strerror(-rc));
		if (rc == -ENOENT)
			cli_err("attach its group first: vfioctl group attach %d",
				group);
		if (rc == -EBUSY)
			cli_err("another process holds the group (vfioctl status "
				"shows which)");
		if (rc == -EACCES || rc == -EPERM)
			cli_err("device info opens /dev/vfio/%d: run it as root", group);
		return rc == -ENOENT ? VFIOCTL_EXIT_NOT_VIABLE :
		       rc == -EBUSY ? VFIOCTL_EXIT_IN_USE : VFIOCTL_EXIT_FAILURE;
	}
	if (vfioctl_group_is_viable(g) == 0) {
		cli_err("%s: group %d is not viable (see vfioctl group show %d)",
			addr, vfioctl_group_get_number(g), vfioctl_group_get_number(g));
		ret = VFIOCTL_EXIT_NOT_VIABLE;
		goto out;
	}
	/* Every step returns >= 0 on success (set_iommu: the type chosen). */
	rc = vfioctl_container_open(ctx->lib, &c);
	if (rc >= 0)
		rc = vfioctl_group_set_container(g, c);
	if (rc >= 0)
		rc = vfioctl_container_set_iommu(c, VFIOCTL_IOMMU_AUTO);
	if (rc >= 0)
		rc = vfioctl_device_open(g, addr, &dev);
	if (rc < 0) {
		cli_set_errno(-rc);
		cli_err("%s: %s", addr, vfioctl_get_last_error(ctx->lib) ?: strerror(-rc));
		goto out;
	}
	doc = json_doc_new();
	d = json_object_new_object();
	json_object_object_add(d, "name", json_object_new_string(addr));
	json_object_object_add(d, "group", json_object_new_int(vfioctl_group_get_number(g)));
	json_object_object_add(d, "pci", json_object_new_boolean(
		vfioctl_device_get_flags(dev) & VFIO_DEVICE_FLAGS_PCI));
	json_object_object_add(d, "reset", json_object_new_boolean(
		vfioctl_device_get_flags(dev) & VFIO_DEVICE_FLAGS_RESET));
	rc = vfioctl_device_get_hot_reset_info(dev, NULL, 0);
	json_object_object_add(d, "hot_reset_deps", json_object_new_int(rc < 0 ? 0 : rc));
	regions = json_object_new_array();
	n = vfioctl_device_get_num_regions(dev);
	for (i = 0; i < n; i++) {
		struct vfioctl_region *r;

		if (vfioctl_device_get_region(dev, i, &r) < 0)
			continue;
		json_object_array_add(regions, region_json(r, i));
	}
	json_object_object_add(d, "regions", regions);
	irqs = json_object_new_array();
	n = vfioctl_device_get_num_irqs(dev);
	for (i = 0; i < n; i++) {
		struct vfioctl_irq *q;

		if (vfioctl_device_get_irq(dev, i, &q) < 0)
			continue;
		json_object_array_add(irqs, irq_json(q, i));
	}
	json_object_object_add(d, "irqs", irqs);
	json_object_object_add(doc, "device", d);
	if (json) {
		rc = json_doc_print(doc);
		doc = NULL;
	} else {
		print_human(doc);
		rc = 0;
	}
	ret = rc < 0 ? VFIOCTL_EXIT_FAILURE : VFIOCTL_EXIT_OK;
out:
	json_object_put(doc);
	vfioctl_device_unref(dev);
	if (c)
		vfioctl_group_unset_container(g);
	vfioctl_container_unref(c);
	vfioctl_group_unref(g);
	return ret;
}

static struct argp_option options[] = {
	{ "json", 'j', 0, 0, "JSON output", 0 },
	{ 0 }
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct dev_args *a = state->input;
	static char norm[16];

	switch (key) {
	case 'j':
		a->json = true;
		return 0;
	case ARGP_KEY_ARG:
		if (!a->sub) {
			if (strcmp(arg, "info"))
				argp_error(state, "unknown subcommand '%s'", arg);
			a->sub = arg;
		} else if (!a->addr) {
			if (pci_addr_normalize(arg, norm, sizeof(norm)) < 0)
				argp_error(state, "'%s' is not a PCI address", arg);
			a->addr = norm;
		} else {
			argp_error(state, "unexpected argument '%s'", arg);
		}
		return 0;
	case ARGP_KEY_END:
		if (!a->sub || !a->addr)
			argp_error(state, "usage: device info ADDR");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static struct argp argp = { options, parse, "info ADDR [--json]",
	"Show what VFIO exposes of one device: regions, capabilities, "
	"interrupts, reset support.  The device's group must be attached.\v"
	"Exit status:\n"
	"  0  shown\n"
	"  1  no such device, failure, or not root\n"
	"  2  usage error\n"
	"  3  its group is not attached to VFIO (not viable)\n"
	"  4  another process holds its group\n"
	"  5  no IOMMU" };

static int device_fn(int argc, char **argv, struct cli_ctx *ctx)
{
	struct dev_args a = { 0 };

	argp_parse(&argp, argc, argv, 0, NULL, &a);
	return info(ctx, a.addr, a.json);
}

const struct cli_cmd cmd_device = {
	.name = "device",
	.doc = "inspect one VFIO device",
	.fn = device_fn,
};
