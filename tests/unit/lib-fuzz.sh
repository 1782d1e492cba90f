#!/bin/sh
# lib-fuzz.sh - a short libFuzzer run of the capability walker (make
# fuzz-quick); skipped when clang is not installed.  TAP.
set -u
echo "1..1"
if ! command -v clang >/dev/null 2>&1; then
	echo "ok 1 - # SKIP clang is not installed"
	exit 0
fi
if ${MAKE:-make} -s fuzz-quick >fuzz.log 2>&1; then
	echo "ok 1 - capability walker survives a bounded libFuzzer run ($(grep -o 'Done [0-9]* runs' fuzz.log | tail -1))"
else
	echo "not ok 1 - libFuzzer found a crash"
	sed 's/^/# /' fuzz.log | tail -40
fi
rm -f fuzz.log
