// SPDX-License-Identifier: GPL-2.0-only
/*
 * pciids.c - pci.ids names through libpci.  Only the name database is
 * used: no bus access, so no privileges and no side effects.
 */
#include <pci/pci.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pciids.h"

static struct pci_access *pacc;

static void quiet(char *msg, ...)
{
	(void)msg;	/* a missing pci.ids only means no names */
}

/* libpci calls this only when out of memory. */
static void __attribute__((noreturn)) fatal(char *msg, ...)
{
	va_list ap;

	fputs("vfioctl: libpci: ", stderr);
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static struct pci_access *get_access(void)
{
	const char *path;

	if (pacc)
		return pacc;
	pacc = pci_alloc();
	if (!pacc)
		return NULL;
	/* pci_init() would set these, but it also probes the bus. */
	pacc->warning = quiet;
	pacc->debug = quiet;
	pacc->error = fatal;
	path = secure_getenv("VFIOCTL_PCI_IDS");
	if (path && *path) {
		char *copy = strdup(path);

		if (copy)
			pci_set_name_list_path(pacc, copy, 1);
	}
	return pacc;
}

void pciids_lookup(unsigned int vid, unsigned int did, char *vendor,
		   size_t vlen, char *device, size_t dlen)
{
	struct pci_access *a = get_access();
	int flags = PCI_LOOKUP_NO_NUMBERS;
	const char *n;

	vendor[0] = device[0] = '\0';
	if (!a)
		return;
	/* A test database must be the only source: no udev hwdb. */
	if (secure_getenv("VFIOCTL_PCI_IDS"))
		flags |= PCI_LOOKUP_NO_HWDB;
	n = pci_lookup_name(a, vendor, (int)vlen, flags | PCI_LOOKUP_VENDOR,
			    (int)vid);
	if (!n)
		vendor[0] = '\0';
	n = pci_lookup_name(a, device, (int)dlen, flags | PCI_LOOKUP_DEVICE,
			    (int)vid, (int)did);
	if (!n)
		device[0] = '\0';
}
