/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tap-util.h - TAP-style reporting shared by the pci UAPI test programs
 * (pci-test, pci-isolation, pci-mmap, pci-sriov).
 */
#ifndef TAP_UTIL_H
#define TAP_UTIL_H

#include <stdbool.h>

/* checks run and checks failed so far */
extern int tap_tests, tap_failures;

/* "ok N - MSG" or "not ok N - MSG", flushed; a failure is counted. */
void check(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "Bail out! MSG (strerror(errno))" on stdout, then exit(99). */
void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* the exit status: the number of failed checks, at most @cap */
int tap_status(int cap);

#endif
