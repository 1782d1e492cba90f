// SPDX-License-Identifier: GPL-2.0-only
/*
 * tap-util.c - TAP-style reporting shared by the UAPI test programs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap-util.h"

int tap_tests, tap_failures;

bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++tap_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		tap_failures++;
	return ok;
}

void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void check_outcome(long ret, int err, int want, bool exact,
			  const char *what)
{
	if (!want)
		check(exact ? ret == 0 : ret >= 0,
		      "%s succeeds (ret %ld, errno %s)", what, ret,
		      ret < 0 ? strerror(err) : "-");
	else
		check(ret < 0 && err == want, "%s fails with %s (ret %ld, %s)",
		      what, strerror(want), ret, ret < 0 ? strerror(err) : "-");
}

void check_errno(long ret, int err, int want, const char *what)
{
	check_outcome(ret, err, want, false, what);
}

void check_errno0(long ret, int err, int want, const char *what)
{
	check_outcome(ret, err, want, true, what);
}

void die(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (%s)\n", strerror(errno));
	exit(99);
}

int tap_status(int cap)
{
	return tap_failures > cap ? cap : tap_failures;
}
