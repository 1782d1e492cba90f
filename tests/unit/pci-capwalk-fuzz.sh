#!/bin/sh
# pci-capwalk-fuzz.sh - a short libFuzzer run of vfio-pci's capability
# walker (make fuzz-quick-capwalk); skipped when clang is not installed.
# TAP.
set -u
echo "1..1"
if ! command -v clang >/dev/null 2>&1; then
	echo "ok 1 - # SKIP clang is not installed"
	exit 0
fi
if ${MAKE:-make} -s fuzz-quick-capwalk >capwalk-fuzz.log 2>&1; then
	echo "ok 1 - vfio-pci capability walker keeps its invariants under libFuzzer ($(grep -o 'Done [0-9]* runs' capwalk-fuzz.log | tail -1))"
else
	echo "not ok 1 - libFuzzer found a crash or a broken invariant"
	sed 's/^/# /' capwalk-fuzz.log | tail -40
fi
rm -f capwalk-fuzz.log
