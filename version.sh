#!/bin/sh
# Print the project version: git describe when in a checkout, else the
# fallback below (kept in step with the last tag).
fallback=0.1.0
if [ -d "$(dirname "$0")/.git" ] && v=$(git -C "$(dirname "$0")" describe --tags --match 'v*' 2>/dev/null); then
	echo "${v#v}" | tr -d '\n'
else
	printf '%s' "$fallback"
fi
