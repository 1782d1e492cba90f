// SPDX-License-Identifier: GPL-2.0-only
/*
 * units.c - human-readable byte counts for text output.
 */
#include <inttypes.h>
#include <stdio.h>

#include "units.h"

void fmt_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int u = 0;
	uint64_t whole = bytes, rem = 0, tenths;

	while (whole >= 1024 && u < sizeof(unit) / sizeof(unit[0]) - 1) {
		rem = whole % 1024;
		whole /= 1024;
		u++;
	}
	if (rem == 0) {
		snprintf(buf, len, "%" PRIu64 " %s", whole, unit[u]);
		return;
	}
	/* Round to tenths; 1023.96 KiB prints as 1024.0 KiB, never 1 MiB. */
	tenths = (rem * 10 + 512) / 1024;
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	snprintf(buf, len, "%" PRIu64 ".%" PRIu64 " %s", whole, tenths, unit[u]);
}
