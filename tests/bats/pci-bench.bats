#!/usr/bin/env bats
# vfio-pci latencies on the lone edu device (open/close cycle,
# GET_REGION_INFO, config pread, BAR read through mmap and pread, MSI
# eventfd round trip), ours against stock in ONE boot, the stacks
# alternating.  Not a pass/fail performance gate: it fails only if a
# benchmark run fails.  VFIOCTL_BENCH_PAIRS as in type1-bench.bats
# ("ours-stock"; "stock-stock" is the noise floor).  One TAP comment per
# row and run:
#   # bench pair=P slot=a|b stack=S round=R prog=pci row=NAME iters=N ns_per_op=X
# tests/bench/report.py turns them into medians, ratios and CIs.

load helpers

B=$UAPI_DIR/pci-bench

# bench_on STACK ROUND DEVICE SCALE REPS TAG - (re)load STACK, run the
# benchmark once and print its lines, tagged with TAG, as TAP comments.
bench_on() {
	unload_stack
	VFIOCTL_STACK=$1 load_stack
	bind_vfio "$3"
	vrun "$B" "$3" "$4" "$5"
	unbind_all "$3"
	[ "$status" -eq 0 ] || fail "pci-bench on $1 failed"
	grep '^bench ' <<<"$output" |
		sed "s/^bench /# bench $6 stack=$1 round=$2 prog=pci /" >&3
}

@test "pci bench: region info, config/BAR reads, MSI, open/close; ours and stock alternating" {
	[ -n "${VFIOCTL_BENCH:-}" ] || skip "set VFIOCTL_BENCH=1 to run the benchmark"
	requires ours root iommu edu
	local solo r pair rounds=${VFIOCTL_BENCH_ROUNDS:-2}
	local scale=${VFIOCTL_BENCH_SCALE:-1} reps=${VFIOCTL_BENCH_REPS:-7}
	solo=$(edu_solo)

	for ((r = 0; r < rounds; r++)); do
		for pair in ${VFIOCTL_BENCH_PAIRS:-ours-stock}; do
			bench_on "${pair%-*}" "$r" "$solo" "$scale" "$reps" "pair=$pair slot=a"
			bench_on "${pair#*-}" "$r" "$solo" "$scale" "$reps" "pair=$pair slot=b"
		done
	done
	unload_stack
	load_stack
}
