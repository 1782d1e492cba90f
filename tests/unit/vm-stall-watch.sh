#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm-stall-watch.sh - tests/vm/stall-watch on the host's own /proc: a task
# held in state D (tests/unit/dstate) is dumped once, with its stack and
# the CPUs' interrupt and timer state; a task sleeping interruptibly is
# not; the line it logs matches none of tests/vm/run's kernel-report
# patterns (a slow sleep that ends must fail no run); and it is quiet.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
dstate=$top_builddir/tests/unit/dstate
watch=$top_srcdir/tests/vm/stall-watch

echo "1..6"
tmp=$(mktemp -d)
trap 'kill "$wpid" 2>/dev/null; rm -rf "$tmp"' EXIT

"$dstate" 5 &
dpid=$!
sleep 5 &
spid=$!
VFIOCTL_STALL_SECS=1 VFIOCTL_STALL_GAP=0 VFIOCTL_STALL_KMSG=$tmp/kmsg \
	"$watch" "$tmp" 1 2>"$tmp/stderr" &
wpid=$!
# Short-lived tasks meanwhile, so that some exit between the watch's look
# at /proc and its read of their stat file (test 6).
( while kill -0 "$dpid" 2>/dev/null; do /bin/true; done ) &
cpid=$!
wait "$dpid" "$spid" "$cpid"
kill "$wpid"
wait "$wpid" 2>/dev/null
out=$tmp/stall.txt

ok() { echo "ok $1 - $2"; }
notok() { echo "not ok $1 - $2"; shift 2; printf '#   %s\n' "$@"; failed=1; }
failed=0

n=$(grep -c "^=== uptime .*: task $dpid (dstate) in state D" "$out" 2>/dev/null)
if [ "${n:-0}" -eq 1 ]; then ok 1 "the task in state D is dumped, once"
else notok 1 "the task in state D is dumped, once" "dumps of $dpid: ${n:-0}" "$(head -n 5 "$out" 2>&1)"; fi

body=$(sed -n "/task $dpid (dstate)/,/^=== end of task $dpid\$/p" "$out" 2>/dev/null)
missing=
for want in "State:	D" "--- /proc/$dpid/stack" "--- first look" "--- second look" \
	    "--- /proc/interrupts" "--- /proc/timer_list"; do
	grep -qF -- "$want" <<<"$body" || missing+=" [$want]"
done
if [ -z "$missing" ]; then ok 2 "the dump has the task's state and stack, and two looks at the CPUs"
else notok 2 "the dump has the task's state and stack, and two looks at the CPUs" "missing:$missing"; fi

# (Only worth saying if the watch dumped anything at all.)
if [ -s "$out" ] && ! grep -q "task $spid " "$out"; then ok 3 "a task sleeping interruptibly is not dumped"
else notok 3 "a task sleeping interruptibly is not dumped" "$(grep "task $spid " "$out")"; fi

line=$(cat "$tmp/kmsg" 2>/dev/null)
if grep -q "stall-watch: task $dpid (dstate) uninterruptible" <<<"$line"; then ok 4 "one line on the kernel log names the task"
else notok 4 "one line on the kernel log names the task" "log: '$line'"; fi

# tests/vm/run's patterns, taken from the script itself.
bad=$(sed -n "s/^bad='\(.*\)'\$/\1/p" "$top_srcdir/tests/vm/run")
if [ -n "$bad" ] && [ -n "$line" ] && ! grep -qE "$bad" <<<"$line"; then
	ok 5 "the log line is no kernel report to tests/vm/run"
else
	notok 5 "the log line is no kernel report to tests/vm/run" "patterns: '${bad:0:60}...'" "line: '$line'"
fi
# In the guest its stderr is the console: tasks that exit between the
# look at /proc and the read must not print there.
if [ ! -s "$tmp/stderr" ]; then ok 6 "the watch prints nothing on its own stderr"
else notok 6 "the watch prints nothing on its own stderr" "$(head -n 3 "$tmp/stderr")"; fi
exit "$failed"
