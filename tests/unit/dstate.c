// SPDX-License-Identifier: GPL-2.0-only
/*
 * dstate SECONDS - stay in uninterruptible sleep (state D) for SECONDS:
 * a child created with CLONE_VFORK sleeps, and the parent waits for it in
 * the kernel (a killable wait, which /proc reports as D).  The task that
 * tests/unit/vm-stall-watch.sh points tests/vm/stall-watch at.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int child(void *arg)
{
	sleep((unsigned int)atoi(arg));
	return 0;
}

int main(int argc, char **argv)
{
	static char stack[64 * 1024];

	if (argc != 2) {
		fprintf(stderr, "usage: dstate SECONDS\n");
		return 2;
	}
	/* No CLONE_VM: the child has its own copy, so its sleep is safe. */
	if (clone(child, stack + sizeof(stack), CLONE_VFORK | SIGCHLD, argv[1]) < 0) {
		perror("dstate: clone");
		return 1;
	}
	return 0;
}
