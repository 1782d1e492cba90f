// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfio-driver.c - the one rule for "is this a VFIO PCI driver", shared by
 * the library's viability hints and the CLI's --driver and plans.
 */
#include <string.h>

#include "vfio-driver.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls > lx && strcmp(s + ls - lx, suffix) == 0;
}

bool vfio_pci_driver_name(const char *name)
{
	/* It also names a sysfs directory: no path tricks. */
	if (!name || strchr(name, '/'))
		return false;
	/* A bare suffix ("-vfio-pci") has no vendor part: not a driver. */
	return strcmp(name, "vfio-pci") == 0 || ends_with(name, "-vfio-pci") ||
	       ends_with(name, "_vfio_pci");
}
