/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio_pci_capwalk_shim.h - the few kernel types and helpers that
 * vfio_pci_capwalk.c needs, for userspace builds (host unit tests, fuzzing).
 * Config space is read byte by byte, so no endian helpers are needed.
 */
#ifndef VFIO_PCI_CAPWALK_SHIM_H
#define VFIO_PCI_CAPWALK_SHIM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;

#endif /* VFIO_PCI_CAPWALK_SHIM_H */
