#!/usr/bin/env bats
# type1 MAP_DMA+UNMAP_DMA costs (tests/uapi/type1-bench: THP sizes 4 KiB to
# 1 GiB, 64 MiB of scattered 4 KiB pages, cost against 1-65536 live
# mappings, the stall of a 1 GiB map/unmap), ours against stock in ONE
# boot: the stacks alternate (ours, stock, ours, stock...) so that a slow
# spell of the shared TCG host does not land on one of them only.  Not a
# pass/fail performance gate: it fails only if a benchmark run fails.
# VFIOCTL_BENCH_PAIRS (default "ours-stock") lists the pairs each round
# runs, slot a then slot b; "stock-stock" is the noise floor (stock
# against itself, alternated the same way).  Each run prints one TAP
# comment per line of the program, which tests/bench/report.py turns into
# medians, ratios and confidence intervals:
#   # bench pair=P slot=a|b stack=S round=R prog=type1 mem=thp size=BYTES ops_per_s=N ...
# Both stacks get dma_entry_limit=131072 (default 65535) so that the live
# mappings curve reaches 65536.
# Opt-in (tests/bench/run does all of this):
#   tests/vm/run --cpus 1 --kernel 6.12 --stack ours -- \
#       env VFIOCTL_BENCH=1 bats --tap tests/bats/type1-bench.bats

load helpers

B=$UAPI_DIR/type1-bench

# bench_on STACK ROUND GROUP DEVICE REPS TAG - (re)load STACK, run the
# benchmark once and print its lines, tagged with TAG, as TAP comments.
bench_on() {
	local p=/sys/module/vfio_iommu_type1/parameters/dma_entry_limit
	unload_stack
	VFIOCTL_STACK=$1 load_stack
	echo 131072 >"$p" || echo "# bench-note: cannot raise $p on $1" >&3
	bind_vfio "$4"
	vrun "$B" "$3" "$5" ${VFIOCTL_BENCH_TYPE1_PARTS:-}
	unbind_all "$4"
	[ "$status" -eq 0 ] || fail "type1-bench on $1 failed: $(tail -n 3 <<<"$output")"
	grep '^bench ' <<<"$output" |
		sed "s/^bench /# bench $6 stack=$1 round=$2 prog=type1 /" >&3
}

@test "type1 bench: map+unmap sizes, no-THP, live mappings, stall; ours and stock alternating" {
	[ -n "${VFIOCTL_BENCH:-}" ] || skip "set VFIOCTL_BENCH=1 to run the benchmark"
	requires ours root iommu edu
	local solo g r pair reps=${VFIOCTL_BENCH_REPS:-7} rounds=${VFIOCTL_BENCH_ROUNDS:-2}
	solo=$(edu_solo)
	g=$(iommu_group_of "$solo")

	for ((r = 0; r < rounds; r++)); do
		for pair in ${VFIOCTL_BENCH_PAIRS:-ours-stock}; do
			bench_on "${pair%-*}" "$r" "$g" "$solo" "$reps" "pair=$pair slot=a"
			bench_on "${pair#*-}" "$r" "$g" "$solo" "$reps" "pair=$pair slot=b"
		done
	done
	unload_stack
	load_stack
}
