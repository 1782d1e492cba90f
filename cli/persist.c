// SPDX-License-Identifier: GPL-2.0-only
/*
 * persist.c - parse, write and re-validate persisted group records.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persist.h"

static int parse_dev(const char *val, struct persist_dev *d)
{
	char addr[32], norm[16], tail;
	unsigned int v, dv;

	if (sscanf(val, "%31s %x:%x %c", addr, &v, &dv, &tail) != 3 ||
	    v > 0xffff || dv > 0xffff)
		return -EINVAL;
	if (pci_addr_normalize(addr, norm, sizeof(norm)) < 0)
		return -EINVAL;
	strcpy(d->addr, norm);
	d->vendor = v;
	d->device = dv;
	return 0;
}

int persist_parse(const char *text, struct persist_rec *r, int *line)
{
	const char *p = text;
	int ln = 0;

	memset(r, 0, sizeof(*r));
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char buf[256], *s, *eq;

		ln++;
		if (n >= sizeof(buf))
			goto bad;
		memcpy(buf, p, n);
		buf[n] = '\0';
		p += n + (eol ? 1 : 0);
		for (s = buf; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '#' || *s == '\0')
			continue;
		eq = strchr(s, '=');
		if (!eq)
			goto bad;
		*eq++ = '\0';
		if (strcmp(s, "driver") == 0) {
			if (!*eq || strlen(eq) >= sizeof(r->driver) ||
			    strchr(eq, '/') || strchr(eq, ' '))
				goto bad;
			strcpy(r->driver, eq);
		} else if (strcmp(s, "forced") == 0) {
			if (strcmp(eq, "yes") == 0)
				r->forced = true;
			else if (strcmp(eq, "no") == 0)
				r->forced = false;
			else
				goto bad;
		} else if (strcmp(s, "reason") == 0) {
			if (!persist_reason_ok(eq))
				goto bad;
			strcpy(r->reason, eq);
		} else if (strcmp(s, "device") == 0 || strcmp(s, "bridge") == 0) {
			if (r->nr >= PERSIST_MAX_DEVS ||
			    parse_dev(eq, &r->dev[r->nr]) < 0)
				goto bad;
			r->dev[r->nr++].bridge = s[0] == 'b';
		} else {
			goto bad;
		}
	}
	if (!r->driver[0] || !persist_key(r)) {
		ln = 0;	/* incomplete rather than malformed */
		goto bad;
	}
	return 0;
bad:
	if (line)
		*line = ln;
	return -EINVAL;
}

int persist_format(const struct persist_rec *r, char *buf, size_t len)
{
	size_t used, i;
	int n;

	n = snprintf(buf, len,
		     "# Written by 'vfioctl group attach --persist'; applied at boot by\n"
		     "# vfioctl-persist.service only while the group has exactly these members.\n"
		     "driver=%s\nforced=%s\n", r->driver, r->forced ? "yes" : "no");
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	used = (size_t)n;
	if (r->reason[0]) {
		n = snprintf(buf + used, len - used, "reason=%s\n", r->reason);
		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	for (i = 0; i < r->nr; i++) {
		n = snprintf(buf + used, len - used, "%s=%s %04x:%04x\n",
			     r->dev[i].bridge ? "bridge" : "device",
			     r->dev[i].addr, r->dev[i].vendor, r->dev[i].device);
		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	return 0;
}

int persist_from_group(const struct cli_dev *devs, size_t nr,
		       const char *driver, struct persist_rec *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	if (nr > PERSIST_MAX_DEVS || strlen(driver) >= sizeof(r->driver))
		return -E2BIG;
	strcpy(r->driver, driver);
	for (i = 0; i < nr; i++) {
		if (!devs[i].is_pci || strlen(devs[i].name) >= sizeof(r->dev[0].addr))
			return -EINVAL;
		strcpy(r->dev[i].addr, devs[i].name);
		r->dev[i].vendor = devs[i].vendor;
		r->dev[i].device = devs[i].device;
		r->dev[i].bridge = devs[i].is_bridge;
	}
	r->nr = nr;
	return 0;
}

bool persist_reason_ok(const char *reason)
{
	const unsigned char *p;

	if (strlen(reason) > PERSIST_REASON_MAX)
		return false;
	for (p = (const unsigned char *)reason; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

const char *persist_key(const struct persist_rec *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		if (!r->dev[i].bridge)
			return r->dev[i].addr;
	return NULL;
}

int persist_validate(const struct persist_rec *r, const struct cli_dev *devs,
		     size_t nr, char *why, size_t len)
{
	size_t i, j;

	for (i = 0; i < r->nr; i++) {
		const struct persist_dev *p = &r->dev[i];

		for (j = 0; j < nr; j++)
			if (strcmp(devs[j].name, p->addr) == 0)
				break;
		if (j == nr) {
			snprintf(why, len, "recorded device %s is no longer in the group",
				 p->addr);
			return -ESTALE;
		}
		if (devs[j].vendor != p->vendor || devs[j].device != p->device) {
			snprintf(why, len, "%s is now %04x:%04x, recorded as %04x:%04x",
				 p->addr, devs[j].vendor, devs[j].device,
				 p->vendor, p->device);
			return -ESTALE;
		}
	}
	for (j = 0; j < nr; j++) {
		for (i = 0; i < r->nr; i++)
			if (strcmp(devs[j].name, r->dev[i].addr) == 0)
				break;
		if (i == r->nr) {
			snprintf(why, len, "%s joined the group since it was recorded",
				 devs[j].name);
			return -ESTALE;
		}
	}
	if (len)
		why[0] = '\0';
	return 0;
}

int persist_read_file(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "re");
	size_t n;

	if (!fp)
		return -errno;
	n = fread(buf, 1, len - 1, fp);
	fclose(fp);
	if (n == len - 1)
		return -EFBIG;
	buf[n] = '\0';
	return 0;
}
