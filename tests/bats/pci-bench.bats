#!/usr/bin/env bats
# vfio-pci latencies on the lone edu device (open/close cycle,
# GET_REGION_INFO, config pread, BAR read through mmap and pread, MSI
# eventfd round trip), ours against stock in ONE boot, the stacks
# alternating.  Not a pass/fail performance gate: it fails only if a
# benchmark run fails.  One TAP comment per row and run:
#   # bench stack=S round=R prog=pci row=NAME iters=N ns_per_op=X
# tests/bench/report.py turns them into medians, spreads and ratios.

load helpers

B=$UAPI_DIR/pci-bench

# bench_on STACK ROUND DEVICE SCALE REPS - (re)load STACK, run the
# benchmark once and print its lines, tagged, as TAP comments.
bench_on() {
	unload_stack
	VFIOCTL_STACK=$1 load_stack
	bind_vfio "$3"
	vrun "$B" "$3" "$4" "$5"
	unbind_all "$3"
	[ "$status" -eq 0 ] || fail "pci-bench on $1 failed"
	grep '^bench ' <<<"$output" |
		sed "s/^bench /# bench stack=$1 round=$2 prog=pci /" >&3
}

@test "pci bench: region info, config/BAR reads, MSI, open/close; ours and stock alternating" {
	[ -n "${VFIOCTL_BENCH:-}" ] || skip "set VFIOCTL_BENCH=1 to run the benchmark"
	requires ours root iommu edu
	local solo r rounds=${VFIOCTL_BENCH_ROUNDS:-2}
	local scale=${VFIOCTL_BENCH_SCALE:-1} reps=${VFIOCTL_BENCH_REPS:-7}
	solo=$(edu_solo)

	for ((r = 0; r < rounds; r++)); do
		bench_on ours "$r" "$solo" "$scale" "$reps"
		bench_on stock "$r" "$solo" "$scale" "$reps"
	done
	unload_stack
	load_stack
}
