#!/usr/bin/env bats
# Debug kernels only (tests/vm/debug-kernel): tests/run-all runs this file
# last in every suite on a SERIES-debug kernel, and never elsewhere.  Once
# the other tests ran, the VFIO stack is unloaded and kmemleak scans for
# what leaked since tests/vm/guest-init set the boot's leaks aside.  Any
# unreferenced object fails, with kmemleak's report (its backtraces).
# Then lockdep must still be on: a report anywhere in the run (even the
# kernel's own, before our modules) would have switched it off.
# bats file_tags=stock

load helpers

KMEMLEAK=/sys/kernel/debug/kmemleak

setup() {
	requires root
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	[ -e "$KMEMLEAK" ] || skip "kernel without kmemleak (not a debug kernel)"
}

@test "kmemleak: nothing leaked once the VFIO stack is unloaded" {
	local report
	unload_stack || fail "the VFIO stack did not unload: $(lsmod | grep -E '^(vfio|irqbypass)')"
	# kmemleak reports an object only once it has been unreferenced for
	# 5 s (its minimum age), and a freshly freed module's data may still
	# be in flight: wait, then scan twice.
	sleep 6
	echo scan >"$KMEMLEAK" || fail "kmemleak scan failed (kmemleak off?)"
	echo scan >"$KMEMLEAK"
	report=$(cat "$KMEMLEAK")
	[ -z "$report" ] || fail "kmemleak: suspected memory leaks after the tests:
$report"
}

@test "lockdep: still validating at the end of the run" {
	# Lockdep turns itself off after its first report (or when it runs
	# out of its tables): the run saw no lock bug only if it is still on.
	[ -r /proc/lockdep_stats ] || skip "kernel without lockdep"
	vrun grep -E '^ *debug_locks: ' /proc/lockdep_stats
	assert_success
	assert_output --regexp 'debug_locks: +1$'
}
