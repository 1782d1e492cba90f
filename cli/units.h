/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * units.h - sizes for people: "1 GiB", "1.5 MiB", "512 B".  JSON keeps
 * exact bytes; only text output goes through here.
 */
#ifndef VFIOCTL_CLI_UNITS_H
#define VFIOCTL_CLI_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Binary units; one decimal unless the size is a whole number of them. */
void fmt_bytes(uint64_t bytes, char *buf, size_t len);

#endif
