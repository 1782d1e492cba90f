#!/usr/bin/env bats
# type1 MAP_DMA+UNMAP_DMA throughput at 4K/2M/64M/256M, ours against stock
# in ONE boot: the stacks alternate (ours, stock, ours, stock...) so that a
# slow spell of the shared TCG host does not land on one of them only.  Not
# a pass/fail performance gate: it fails only if a benchmark run fails.
# Each run prints one TAP comment per size, which tests/bench/report.py
# turns into medians, spreads and ratios:
#   # bench stack=S round=R prog=type1 size=BYTES ops_per_s=N mib_per_s=N ...
# Opt-in (tests/bench/run does all of this):
#   tests/vm/run --cpus 1 --kernel 6.12 --stack ours -- \
#       env VFIOCTL_BENCH=1 bats --tap tests/bats/type1-bench.bats

load helpers

B=$UAPI_DIR/type1-bench

# bench_on STACK ROUND GROUP DEVICE REPS - (re)load STACK, run the
# benchmark once and print its lines, tagged, as TAP comments.
bench_on() {
	unload_stack
	VFIOCTL_STACK=$1 load_stack
	bind_vfio "$4"
	vrun "$B" "$3" "$5"
	unbind_all "$4"
	[ "$status" -eq 0 ] || fail "type1-bench on $1 failed"
	grep '^bench ' <<<"$output" |
		sed "s/^bench /# bench stack=$1 round=$2 prog=type1 /" >&3
}

@test "type1 bench: map+unmap 4K/2M/64M/256M, ours and stock alternating" {
	[ -n "${VFIOCTL_BENCH:-}" ] || skip "set VFIOCTL_BENCH=1 to run the benchmark"
	requires ours root iommu edu
	local solo g r reps=${VFIOCTL_BENCH_REPS:-7} rounds=${VFIOCTL_BENCH_ROUNDS:-2}
	solo=$(edu_solo)
	g=$(iommu_group_of "$solo")

	for ((r = 0; r < rounds; r++)); do
		bench_on ours "$r" "$g" "$solo" "$reps"
		bench_on stock "$r" "$g" "$solo" "$reps"
	done
	unload_stack
	load_stack
}
