#!/bin/sh
# lib-symbols.sh - the ABI gate: the dynamic symbols libvfioctl.so exports
# are exactly those of libvfioctl.sym, every one has a prototype in
# libvfioctl.h, and lib-linkage.c calls every one.  TAP.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$PWD}
so=$top_builddir/libvfioctl/.libs/libvfioctl.so
sym=$top_srcdir/libvfioctl/libvfioctl.sym
hdr=$top_srcdir/libvfioctl/libvfioctl.h
linkage=$top_srcdir/tests/unit/lib-linkage.c
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..5"
nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }' |
	sed 's/@.*//' | sort -u >"$tmp/exported"
sed -n '/global:/,/local:/p' "$sym" | sed -n 's/^[[:space:]]*\(vfioctl_[a-z0-9_]*\);.*/\1/p' |
	sort -u >"$tmp/script"

if [ -s "$tmp/exported" ] && diff -u "$tmp/script" "$tmp/exported" >"$tmp/d1"; then
	echo "ok 1 - exported symbols equal libvfioctl.sym ($(wc -l <"$tmp/exported"))"
else
	echo "not ok 1 - exported symbols differ from libvfioctl.sym"
	sed 's/^/# /' "$tmp/d1"
fi

# symbol@@NODE for every symbol, from the script's nodes.
awk '/^LIBVFIOCTL_[0-9]+ *\{/ { node = $1 }
	/^[[:space:]]*vfioctl_[a-z0-9_]*;/ { sub(/;.*/, ""); print $1 "@@" node }' \
	"$sym" | sort >"$tmp/want-versions"
nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }' | sort >"$tmp/versions"
if nm -D --defined-only "$so" | grep -q ' A LIBVFIOCTL_1$' &&
	diff -u "$tmp/want-versions" "$tmp/versions" >"$tmp/d2"; then
	echo "ok 2 - every export carries the version of its libvfioctl.sym node"
else
	echo "not ok 2 - exports with the wrong version"
	sed 's/^/# /' "$tmp/d2"
fi

soname=$(objdump -p "$so" | awk '$1 == "SONAME" { print $2 }')
if [ "$soname" = libvfioctl.so.1 ]; then
	echo "ok 3 - SONAME is libvfioctl.so.1"
else
	echo "not ok 3 - SONAME is '$soname'"
fi

missing=
for f in $(cat "$tmp/script"); do
	grep -q "\\b$f(" "$hdr" || missing="$missing $f"
done
if [ -z "$missing" ]; then
	echo "ok 4 - every versioned symbol has a prototype in libvfioctl.h"
else
	echo "not ok 4 - no prototype for:$missing"
fi

missing=
for f in $(cat "$tmp/script"); do
	grep -q "\\b$f(" "$linkage" || missing="$missing $f"
done
if [ -z "$missing" ]; then
	echo "ok 5 - lib-linkage.c calls every exported symbol"
else
	echo "not ok 5 - lib-linkage.c does not call:$missing"
fi
