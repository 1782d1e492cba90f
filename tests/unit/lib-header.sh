#!/bin/sh
# lib-header.sh - the public header stands alone: it compiles by itself as
# C (with -Wredundant-decls and the project's strict warnings) and as C++,
# and includes nothing from the build tree.  TAP.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
hdr=$top_srcdir/libvfioctl/libvfioctl.h

echo "1..3"
printf '#include <libvfioctl.h>\n#include <libvfioctl.h>\n' >"$tmp/t.c"
if $CC -std=c99 -fsyntax-only -Wall -Wextra -Wredundant-decls -Wstrict-prototypes \
	-Wmissing-prototypes -pedantic -Werror -I"$top_srcdir/libvfioctl" \
	"$tmp/t.c" >"$tmp/err" 2>&1; then
	echo "ok 1 - libvfioctl.h compiles standalone (C99, -Wredundant-decls, twice)"
else
	echo "not ok 1 - libvfioctl.h does not compile standalone"
	sed 's/^/# /' "$tmp/err"
fi
if command -v c++ >/dev/null 2>&1; then
	cp "$tmp/t.c" "$tmp/t.cc"
	if c++ -fsyntax-only -Wall -Wextra -Wredundant-decls -Werror \
		-I"$top_srcdir/libvfioctl" "$tmp/t.cc" >"$tmp/err" 2>&1; then
		echo "ok 2 - libvfioctl.h compiles as C++"
	else
		echo "not ok 2 - libvfioctl.h does not compile as C++"
		sed 's/^/# /' "$tmp/err"
	fi
else
	echo "ok 2 - # SKIP no C++ compiler"
fi
if grep -n '#include "' "$hdr" >"$tmp/err"; then
	echo "not ok 3 - libvfioctl.h includes private headers"
	sed 's/^/# /' "$tmp/err"
else
	echo "ok 3 - libvfioctl.h includes only system headers"
fi
