#!/usr/bin/env bats
# type1 MAP_DMA+UNMAP_DMA throughput, ours against stock in ONE boot (same
# guest): alternate ours and Debian's stack, print the ratios of the best
# rounds.  Not a pass/fail performance gate (TCG
# timing is noisy); it fails only if a benchmark run fails.  Ratios of
# ops/s are also ratios of MiB/s (same bytes per op).  Opt-in:
#   tests/vm/run --cpus 1 --kernel 6.12 --stack ours -- \
#       env VFIOCTL_BENCH=1 bats --tap tests/bats/type1-bench.bats

load helpers

B=$UAPI_DIR/type1-bench

# bench_on STACK GROUP DEVICE REPS - (re)load STACK, run the benchmark once
# and append its lines, tagged with the stack, to $BENCH_OUT.
bench_on() {
	unload_stack
	VFIOCTL_STACK=$1 load_stack
	bind_vfio "$3"
	vrun "$B" "$2" "$4"
	unbind_all "$3"
	[ "$status" -eq 0 ] || fail "type1-bench on $1 failed"
	echo "$output" | grep '^bench' | sed "s/^/$1 /" >>"$BENCH_OUT"
}

@test "type1 bench: map+unmap 4K/2M/64M/256M, ours vs stock (ratios)" {
	[ -n "${VFIOCTL_BENCH:-}" ] || skip "set VFIOCTL_BENCH=1 to run the benchmark"
	requires ours root iommu edu
	local solo g r reps=${VFIOCTL_BENCH_REPS:-7} rounds=${VFIOCTL_BENCH_ROUNDS:-2}
	solo=$(edu_solo)
	g=$(iommu_group_of "$solo")
	BENCH_OUT=$BATS_TEST_TMPDIR/bench
	: >"$BENCH_OUT"

	# Alternate the stacks so that a slow spell of the (shared, TCG) host
	# does not land on one of them only; keep each stack's best round.
	for ((r = 0; r < rounds; r++)); do
		bench_on ours "$g" "$solo" "$reps"
		bench_on stock "$g" "$solo" "$reps"
	done
	unload_stack
	load_stack

	sed 's/^/# /' "$BENCH_OUT" >&3
	awk '{
		for (i = 3; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		k = $1 SUBSEP f["size"]
		if (f["ops_per_s"] > best[k]) best[k] = f["ops_per_s"]
		sizes[f["size"]] = 1
	} END {
		for (s in sizes)
			printf "# ratio ours/stock size=%s ops/s=%.2f (%.1f vs %.1f)\n",
			       s, best["ours" SUBSEP s] / best["stock" SUBSEP s],
			       best["ours" SUBSEP s], best["stock" SUBSEP s]
	}' "$BENCH_OUT" | sort -t= -k2 -n >&3
}
