/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pciids.h - vendor and device names from the pci.ids database (libpci),
 * as lspci shows them.  VFIOCTL_PCI_IDS names another database file, for
 * tests on fixture trees.
 */
#ifndef VFIOCTL_CLI_PCIIDS_H
#define VFIOCTL_CLI_PCIIDS_H

#include <stddef.h>

/*
 * pciids_lookup - fill @vendor and @device with the names of vid:did, or
 * empty strings for what the database does not know.
 */
void pciids_lookup(unsigned int vid, unsigned int did, char *vendor,
		   size_t vlen, char *device, size_t dlen);

#endif
