// SPDX-License-Identifier: GPL-2.0-only
/*
 * check.c - `vfioctl check`: is this host ready for VFIO?  Every problem
 * comes with the fix.  Exit 5 when there is no IOMMU, 1 on any other
 * failed check, 0 when only warnings remain.
 */
#include <argp.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "genl.h"
#include "json.h"
#include "stack.h"
#include "vfioctl.h"

enum verdict { CHK_OK, CHK_WARN, CHK_FAIL };

struct report {
	bool json;
	struct json_object *arr;
	int fails, warns;
	bool no_iommu;
};

static void result(struct report *r, const char *name, enum verdict v,
		   const char *fix, const char *fmt, ...)
{
	static const char *const tag[] = { "ok", "warn", "fail" };
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->fails += v == CHK_FAIL;
	r->warns += v == CHK_WARN;
	if (r->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "check", json_object_new_string(name));
		json_object_object_add(o, "status", json_object_new_string(tag[v]));
		json_object_object_add(o, "message", json_object_new_string(msg));
		json_object_object_add(o, "fix", fix && v != CHK_OK ?
				       json_object_new_string(fix) : NULL);
		json_object_array_add(r->arr, o);
		return;
	}
	printf("[%-4s] %-18s %s\n", tag[v], name, msg);
	if (fix && v != CHK_OK)
		printf("       %-18s fix: %s\n", "", fix);
}

static int count_dir(const char *path, const char *prefix, char *first,
		     size_t len)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int n = 0;

	if (first && len)
		first[0] = '\0';
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (prefix && strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		if (first && !first[0])
			snprintf(first, len, "%.63s", de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static void check_iommu(const struct cli_env *env, struct report *r)
{
	char p[PATH_MAX], unit[64];
	int units, groups;

	snprintf(p, sizeof(p), "%s/class/iommu", env->sysfs);
	units = count_dir(p, NULL, unit, sizeof(unit));
	snprintf(p, sizeof(p), "%s/kernel/iommu_groups", env->sysfs);
	groups = count_dir(p, NULL, NULL, 0);
	if (units <= 0 || groups <= 0) {
		r->no_iommu = true;
		result(r, "iommu", CHK_FAIL,
		       "enable VT-d / AMD-Vi in the firmware setup and boot with "
		       "intel_iommu=on (Intel) or amd_iommu=on; add iommu=pt to "
		       "keep host DMA fast",
		       "no IOMMU is active (%d units, %d groups)",
		       units < 0 ? 0 : units, groups < 0 ? 0 : groups);
		return;
	}
	result(r, "iommu", CHK_OK, NULL, "%d unit%s (%s...), %d groups", units,
	       units == 1 ? "" : "s", unit, groups);
}

static void check_intremap(const struct cli_env *env, struct report *r)
{
	char p[PATH_MAX], line[512], val[8];
	bool remapped = false, allow_unsafe = false;
	FILE *fp;

	snprintf(p, sizeof(p), "%s/interrupts", env->procfs);
	fp = fopen(p, "re");
	if (fp) {
		while (!remapped && fgets(line, sizeof(line), fp))
			remapped = strstr(line, " IR-") != NULL;
		fclose(fp);
	}
	snprintf(p, sizeof(p), "%s/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts",
		 env->sysfs);
	allow_unsafe = sysfs_read(p, val, sizeof(val)) == 0 && val[0] == 'Y';
	if (remapped) {
		result(r, "interrupt-remap", CHK_OK, NULL,
		       "interrupts are remapped (IR- in /proc/interrupts)");
		return;
	}
	result(r, "interrupt-remap", allow_unsafe ? CHK_WARN : CHK_FAIL,
	       "enable interrupt remapping in the firmware and do not boot with "
	       "intremap=off; vfio_iommu_type1.allow_unsafe_interrupts=1 is the "
	       "unsafe last resort",
	       "interrupt remapping is off%s",
	       allow_unsafe ? "; allow_unsafe_interrupts=Y lets devices spoof MSIs" :
	       ": vfio_iommu_type1 will refuse to attach groups");
}

static void check_stack(const struct cli_env *env, struct report *r)
{
	struct genl_client nl;
	struct stack_info si;
	bool family = false;

	stack_detect(env, &si);
	if (!env->fake_proc && genl_client_open(&nl) == 0) {
		family = true;
		genl_client_close(&nl);
	}
	if (si.stack == STACK_NONE) {
		result(r, "vfio-stack", CHK_FAIL,
		       "modprobe vfio-pci (stock) or load vfioctl's modules "
		       "(vfio, vfio_iommu_type1, vfio-pci)",
		       "no VFIO core is loaded");
		return;
	}
	if (si.stack == STACK_VFIOCTL && !family && !env->fake_proc)
		result(r, "vfio-stack", CHK_WARN,
		       "reload vfioctl's vfio module; status and monitor need its family",
		       "vfioctl %s is loaded but its \"%s\" netlink family is missing",
		       si.version, VFIOCTL_GENL_NAME);
	else
		result(r, "vfio-stack", CHK_OK, NULL, "%s VFIO core%s%s%s",
		       si.stack == STACK_VFIOCTL ? "vfioctl" : "stock",
		       si.version[0] ? " " : "", si.version,
		       family ? " with netlink status/events" : "");
	if (!si.type1 || !si.vfio_pci)
		result(r, "vfio-modules", CHK_FAIL,
		       "modprobe vfio-pci vfio_iommu_type1 (or insmod vfioctl's)",
		       "missing:%s%s", si.type1 ? "" : " vfio_iommu_type1",
		       si.vfio_pci ? "" : " vfio-pci");
	else
		result(r, "vfio-modules", CHK_OK, NULL,
		       "vfio_iommu_type1 and vfio-pci are loaded");
	if (si.noiommu)
		result(r, "noiommu", CHK_WARN,
		       "unset vfio.enable_unsafe_noiommu_mode unless you accept "
		       "unprotected DMA",
		       "unsafe no-IOMMU mode is enabled: devices can DMA anywhere");
}

static void check_memlock(struct report *r)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0)
		return;
	if (rl.rlim_cur == RLIM_INFINITY) {
		result(r, "memlock", CHK_OK, NULL, "unlimited for this user");
		return;
	}
	/* type1 pins all guest memory; 64 MiB holds only a toy guest. */
	result(r, "memlock", rl.rlim_cur < (1ULL << 30) ? CHK_WARN : CHK_OK,
	       "raise it for the VMM's user: 'memlock' in /etc/security/limits.conf "
	       "or LimitMEMLOCK= in its systemd unit (root with CAP_IPC_LOCK is exempt)",
	       "RLIMIT_MEMLOCK is %llu KiB: DMA mappings beyond it fail with ENOMEM",
	       (unsigned long long)rl.rlim_cur / 1024);
}

static void check_devperms(const struct cli_env *env, struct report *r)
{
	char p[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int groups = 0, rootonly = 0;
	DIR *d;

	snprintf(p, sizeof(p), "%s/vfio/vfio", env->devfs);
	if (stat(p, &st) < 0) {
		result(r, "dev-vfio", CHK_WARN, "load the VFIO stack",
		       "/dev/vfio/vfio does not exist");
		return;
	}
	if ((st.st_mode & 0666) != 0666)
		result(r, "dev-vfio", CHK_WARN,
		       "chmod 0666 /dev/vfio/vfio (it grants nothing by itself) or "
		       "install vfioctl's udev rules",
		       "/dev/vfio/vfio is mode %04o: non-root VMMs cannot open it",
		       st.st_mode & 07777);
	snprintf(p, sizeof(p), "%s/vfio", env->devfs);
	d = opendir(p);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "%s/vfio/%s", env->devfs, de->d_name);
		if (stat(p, &st) < 0)
			continue;
		groups++;
		rootonly += st.st_uid == 0 && st.st_gid == 0 && !(st.st_mode & 0066);
	}
	if (d)
		closedir(d);
	if (rootonly)
		result(r, "dev-vfio", CHK_WARN,
		       "root-only is the safe default; to run VMMs unprivileged, "
		       "opt in with the local udev rule described in "
		       "70-vfioctl.rules (group 'vfio', mode 0660)",
		       "%d of %d group nodes are root-only", rootonly, groups);
	else
		result(r, "dev-vfio", CHK_OK, NULL,
		       "/dev/vfio/vfio is usable; %d group node%s", groups,
		       groups == 1 ? "" : "s");
}

static struct argp_option options[] = {
	{ "json", 'j', 0, 0, "JSON output", 0 },
	{ 0 }
};

static struct argp argp = { options, cli_parse_json_only, NULL,
	"Diagnose the host: IOMMU, interrupt remapping, the VFIO stack, memlock "
	"limits and /dev/vfio permissions, each problem with its fix.\v"
	"Exit status:\n"
	"  0  no check failed (warnings allowed)\n"
	"  1  a check failed\n"
	"  2  usage error\n"
	"  5  no IOMMU" };

static int check_fn(int argc, char **argv, struct cli_ctx *ctx)
{
	struct report r = { 0 };
	struct json_object *doc = NULL;

	argp_parse(&argp, argc, argv, 0, NULL, &r.json);
	if (r.json)
		r.arr = json_object_new_array();
	check_iommu(&ctx->env, &r);
	check_intremap(&ctx->env, &r);
	check_stack(&ctx->env, &r);
	check_memlock(&r);
	check_devperms(&ctx->env, &r);
	if (r.json) {
		doc = json_doc_new();
		json_object_object_add(doc, "checks", r.arr);
		json_object_object_add(doc, "failures", json_object_new_int(r.fails));
		json_object_object_add(doc, "warnings", json_object_new_int(r.warns));
		if (json_doc_print(doc) < 0)
			return VFIOCTL_EXIT_FAILURE;
	}
	if (r.no_iommu)
		return VFIOCTL_EXIT_NO_IOMMU;
	return r.fails ? VFIOCTL_EXIT_FAILURE : VFIOCTL_EXIT_OK;
}

const struct cli_cmd cmd_check = {
	.name = "check",
	.doc = "diagnose the host for VFIO use",
	.fn = check_fn,
};
