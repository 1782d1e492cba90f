#!/usr/bin/env bats
# Profiles one pci-bench row with ftrace's function_graph tracer, ours and
# stock alternating in ONE boot (tests/bench/profile runs it; the suite does
# not: tests/run-all leaves *-profile.bats out).  Each run writes the
# tracer's output for VFIOCTL_PROFILE_ITERS operations of
# VFIOCTL_PROFILE_ROW, entered at VFIOCTL_PROFILE_ENTRY (default vfs_read),
# to $VFIOCTL_PROFILE_OUT/KERNEL-STACK-rROUND.trace.
# tests/bench/profile-report.py turns them into per-function tables.

load helpers

B=$UAPI_DIR/pci-bench
T=/sys/kernel/tracing

# tracer_reset - no tracer, no filters, an empty buffer.
tracer_reset() {
	echo 0 >$T/tracing_on
	echo nop >$T/current_tracer
	echo >$T/set_graph_function
	echo >$T/set_ftrace_pid
	echo >$T/trace
}

# profile_on STACK ROUND DEVICE - (re)load STACK, trace the row once.
profile_on() {
	local out=$VFIOCTL_PROFILE_OUT/$(uname -r)-$1-r$2.trace
	unload_stack
	VFIOCTL_STACK=$1 load_stack
	bind_vfio "$3"
	tracer_reset
	echo 16384 >$T/buffer_size_kb
	echo "${VFIOCTL_PROFILE_ENTRY:-vfs_read}" >$T/set_graph_function
	# The row's own path only: no interrupt handlers inside the calls.
	echo 0 >$T/options/funcgraph-irqs
	echo 1 >$T/options/funcgraph-tail
	echo function_graph >$T/current_tracer
	vrun "$B" --trace "$VFIOCTL_PROFILE_ROW" "${VFIOCTL_PROFILE_ITERS:-200}" "$3"
	cp $T/trace "$out"
	tracer_reset
	unbind_all "$3"
	[ "$status" -eq 0 ] || fail "pci-bench --trace on $1 failed"
	# A trace that lost events would count calls wrongly.
	! grep -q 'LOST' "$out" || fail "$out: the trace buffer overflowed"
	echo "# profile stack=$1 round=$2 file=$out lines=$(wc -l <"$out")" >&3
}

@test "pci profile: function_graph of one row, ours and stock alternating" {
	[ -n "${VFIOCTL_PROFILE_OUT:-}" ] || skip "tests/bench/profile runs this"
	[ -n "${VFIOCTL_PROFILE_ROW:-}" ] || fail "VFIOCTL_PROFILE_ROW is not set"
	requires ours root iommu edu
	mountpoint -q $T || mount -t tracefs none $T
	local solo r
	solo=$(edu_solo)
	mkdir -p "$VFIOCTL_PROFILE_OUT"
	for ((r = 0; r < ${VFIOCTL_PROFILE_ROUNDS:-2}; r++)); do
		profile_on ours "$r" "$solo"
		profile_on stock "$r" "$solo"
	done
	unload_stack
	load_stack
}
