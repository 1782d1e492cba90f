#!/bin/sh
# lib-man.sh - `man <function>` works for every export: each symbol of
# libvfioctl.sym has man/<symbol>.3, either a page whose NAME section
# lists it or a ".so man3/<page>.3" alias to such a page, and man/lib.mk
# installs it.  TAP.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
sym=$top_srcdir/libvfioctl/libvfioctl.sym
man=$top_srcdir/man
mk=$man/lib.mk

# The names a page's NAME section lists, one a line.
names_of() {
	sed -n '/^\.SH NAME/,/^\.SH/p' "$1" | grep -o 'vfioctl_[a-z0-9_]*'
}

echo "1..3"
syms=$(sed -n 's/^[[:space:]]*\(vfioctl_[a-z0-9_]*\);.*/\1/p' "$sym")
[ -n "$syms" ] || { echo "Bail out! no symbols read from $sym"; exit 1; }

nopage= badpage=
for s in $syms; do
	page=$man/$s.3
	if [ ! -f "$page" ]; then
		nopage="$nopage $s"
		continue
	fi
	target=$(sed -n 's|^\.so man3/\(.*\)$|\1|p' "$page")
	[ -n "$target" ] && page=$man/$target
	if [ ! -f "$page" ] || ! names_of "$page" | grep -qx "$s"; then
		badpage="$badpage $s"
	fi
done
if [ -z "$nopage" ]; then
	echo "ok 1 - every exported symbol has man/<symbol>.3"
else
	echo "not ok 1 - no man page for:$nopage"
fi
if [ -z "$badpage" ]; then
	echo "ok 2 - each page (or the page it aliases) names its symbol in NAME"
else
	echo "not ok 2 - page or alias target does not name:$badpage"
fi

notinst=
for s in $syms; do
	grep -q "^[[:space:]]*man/$s\.3\([[:space:]]*\\\\\)\{0,1\}[[:space:]]*$" "$mk" ||
		notinst="$notinst $s"
done
if [ -z "$notinst" ]; then
	echo "ok 3 - man/lib.mk installs every symbol's page"
else
	echo "not ok 3 - man/lib.mk does not install:$notinst"
fi
