#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# cli-hints.sh - every "vfioctl COMMAND [SUB]" that a message, hint or man
# page tells the user to run must exist: COMMAND in the dispatch table
# (vfioctl COMMAND --help succeeds) and SUB in that command's usage.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
V=${VFIOCTL:-$top_builddir/cli/vfioctl}
n=0
failed=0

# Prose about vfioctl itself, not commands ("vfioctl does not move ...").
prose=" does family stack speaks "
# Files with a known wrong hint, reported as TODO (none now).
todo_files=""

cd "$top_srcdir" || exit 1
while IFS=: read -r file line text; do
	for ref in $(grep -oE "vfioctl [a-z][a-z-]*( [a-z][a-z-]*)?" <<<"$text" | tr ' ' '+'); do
		cmd=$(cut -d+ -f2 <<<"$ref")
		sub=$(cut -d+ -f3 <<<"$ref")
		case "$prose" in *" $cmd "*) continue ;; esac
		n=$((n + 1))
		desc="$file:$line names 'vfioctl $cmd${sub:+ $sub}'"
		directive=
		case " $todo_files " in *" $file "*) directive=" # TODO fix in libvfioctl" ;; esac
		if ! "$V" "$cmd" --help >"${TMPDIR:-/tmp}/cli-hints.$$" 2>&1; then
			echo "not ok $n - $desc: no such command$directive"
			[ -n "$directive" ] || failed=$((failed + 1))
			continue
		fi
		# Only group and device have subcommands; a SUB of another
		# command is the next word of the sentence.
		if [ -n "$sub" ] && { [ "$cmd" = group ] || [ "$cmd" = device ]; } &&
		   ! tr -s ' \n' '  ' <"${TMPDIR:-/tmp}/cli-hints.$$" | grep -qE "\] $sub( |\$)"; then
			echo "not ok $n - $desc: no such subcommand$directive"
			[ -n "$directive" ] || failed=$((failed + 1))
			continue
		fi
		echo "ok $n - $desc"
	done
done < <(grep -nE '"[^"]*vfioctl [a-z]' cli/*.c libvfioctl/*.c
	 grep -nE '^\.B vfioctl [a-z]|\\fBvfioctl [a-z]' man/*.8 | sed -E 's/\\f[BRI]//g; s/\\-/-/g')
rm -f "${TMPDIR:-/tmp}/cli-hints.$$"
echo "1..$n"
[ "$failed" -eq 0 ]
