/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * priv.h - privilege checks of the commands that need root.
 */
#ifndef VFIOCTL_CLI_PRIV_H
#define VFIOCTL_CLI_PRIV_H

#include <stdbool.h>

/* Root, or capability @cap (-1: none counts) in the effective set. */
bool cli_privileged(int cap);

/*
 * cli_need_root - 0 for root, else prints "@what needs root" and
 * returns the exit code to end with.
 */
int cli_need_root(const char *what);

#endif
