// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lib-errno - the library's own errno-name table (used where libc has no
 * strerrorname_np: glibc < 2.32, musl) gives the names glibc gives.
 */
#include "lib-test.h"
#include "errno-name.h"

DEFINE_TEST(table_known, "the table names common errnos and not unknown ones")
{
	expect(errno_name_table(ENOENT) &&
	       strcmp(errno_name_table(ENOENT), "ENOENT") == 0, "ENOENT");
	expect(errno_name_table(EAGAIN) &&
	       strcmp(errno_name_table(EAGAIN), "EAGAIN") == 0,
	       "EAGAIN, not EWOULDBLOCK: %s", errno_name_table(EAGAIN));
	expect(errno_name_table(EHWPOISON) &&
	       strcmp(errno_name_table(EHWPOISON), "EHWPOISON") == 0, "last");
	expect(errno_name_table(0) == NULL, "0");
	expect(errno_name_table(-1) == NULL && errno_name_table(4095) == NULL,
	       "out of range");
	expect(errno_name(EPROTO) && strcmp(errno_name(EPROTO), "EPROTO") == 0,
	       "errno_name");
	return 0;
}

DEFINE_TEST(table_matches_libc, "the table agrees with strerrorname_np for 1..255")
{
#ifdef HAVE_STRERRORNAME_NP
	const char *ours, *libc;
	int e, bad = 0;

	for (e = 1; e < 256; e++) {
		ours = errno_name_table(e);
		libc = strerrorname_np(e);
		if ((ours == NULL) != (libc == NULL) ||
		    (ours && strcmp(ours, libc) != 0)) {
			printf("# %d: table %s, libc %s\n", e,
			       ours ? ours : "NULL", libc ? libc : "NULL");
			bad++;
		}
	}
	expect(bad == 0, "%d differences", bad);
	return 0;
#else
	printf("# libc has no strerrorname_np to compare with\n");
	return EXIT_SKIP;
#endif
}

TEST_MAIN()
