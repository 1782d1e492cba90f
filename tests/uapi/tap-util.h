/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tap-util.h - TAP-style reporting shared by the pci UAPI test programs
 * (pci-test, pci-isolation, pci-mmap, pci-sriov, pci-lowpower, pci-vga...)
 * and the DPDK clients.
 */
#ifndef TAP_UTIL_H
#define TAP_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

/* checks run and checks failed so far */
extern int tap_tests, tap_failures;

/* "ok N - MSG" or "not ok N - MSG", flushed; a failure is counted. */
bool check(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "# MSG": a TAP diagnostic line, flushed */
void diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * One check of a call's outcome, @ret and the errno @err it left: with
 * @want 0 the call must succeed (@ret >= 0), else fail with errno @want.
 */
void check_errno(long ret, int err, int want, const char *what);

/* check_errno() for calls whose only success is 0 (@ret == 0) */
void check_errno0(long ret, int err, int want, const char *what);

/*
 * CHECK_ERRNO(call, want, fmt, ...): check_errno() of @call, with errno
 * read right after it (an argument's evaluation order is unspecified);
 * CHECK_ERRNO0 the same with check_errno0().
 */
#define CHECK_OUTCOME(fn, call, want, ...) do {				\
	char what_[256];						\
	long ret_ = (call);						\
	int err_ = errno;						\
	snprintf(what_, sizeof(what_), __VA_ARGS__);			\
	fn(ret_, err_, (want), what_);					\
} while (0)
#define CHECK_ERRNO(call, want, ...)					\
	CHECK_OUTCOME(check_errno, call, want, __VA_ARGS__)
#define CHECK_ERRNO0(call, want, ...)					\
	CHECK_OUTCOME(check_errno0, call, want, __VA_ARGS__)

/* "Bail out! MSG (strerror(errno))" on stdout, then exit(99). */
void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* the exit status: the number of failed checks, at most @cap */
int tap_status(int cap);

#endif
