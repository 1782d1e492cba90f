/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * errno-name.h - the symbolic name of an errno value.  Private: the
 * object is linked into libvfioctl (hidden) and into the vfioctl CLI.
 */
#ifndef LIBVFIOCTL_ERRNO_NAME_H
#define LIBVFIOCTL_ERRNO_NAME_H

/* "ENOENT" for ENOENT, NULL if unknown; strerrorname_np() where libc has it. */
const char *errno_name(int error);
/* The library's own table, whatever libc has; for tests. */
const char *errno_name_table(int error);

#endif
