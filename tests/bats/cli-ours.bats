#!/usr/bin/env bats
# vfioctl status and monitor on vfioctl's own core, which answers over the
# "vfioctl" netlink family (ours only: the stock stack has no family).

load helpers

setup() {
	requires ours root edu iommu
	SOLO=$(edu_solo)
	PAIR=($(edu_pair))
	SOLO_G=$(iommu_group_of "$SOLO")
	PAIR_G=$(iommu_group_of "${PAIR[0]}")
	export VFIOCTL_RUNDIR=$BATS_TEST_TMPDIR/run
	PIDS=()
}

teardown() {
	local p d
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for d in $(edu_devices); do unbind_all "$d"; done
	return 0
}

@test "ours: status comes from netlink and names each group's holder" {
	vrun "$VFIOCTL" group attach "$SOLO_G"
	assert_success
	vrun "$VFIOCTL" group attach "$PAIR_G"
	assert_success
	sleep 600 3<>"/dev/vfio/$SOLO_G" &
	PIDS+=($!)
	sleep 600 3<>/dev/vfio/vfio 4<>"/dev/vfio/$PAIR_G" &
	PIDS+=($!)
	sleep 0.5
	vrun "$VFIOCTL" status --json
	assert_success
	run jq -e '.source == "netlink" and .stack == "vfioctl"' <<<"$output"
	assert_success
	vrun "$VFIOCTL" status --json
	run jq -e --argjson g "$SOLO_G" --argjson p "${PIDS[0]}" '.groups[] | select(.group == $g) | [.holders[].pid] == [$p] and .viable' <<<"$output"
	assert_success
	vrun "$VFIOCTL" status --json
	run jq -e --argjson g "$PAIR_G" --argjson p "${PIDS[1]}" '.groups[] | select(.group == $g) | [.holders[].pid] == [$p]' <<<"$output"
	assert_success
	vrun "$VFIOCTL" status --json
	run jq -e --argjson p "${PIDS[1]}" '[.containers[].holders[].pid] | index($p) != null' <<<"$output"
	assert_success
	vrun "$VFIOCTL" status --json
	run jq -e '[.devices[].device] | length == 3' <<<"$output"
	assert_success
}

# Event delivery (group-opened/closed with the holder) is not asserted
# yet: in the first runs no event reached the client; see the report.
@test "ours: monitor subscribes on our stack and stops cleanly on SIGINT" {
	vrun "$VFIOCTL" group attach "$SOLO_G"
	assert_success
	# SIGINT after 4 s; SIGKILL 5 s later should it not stop.
	timeout -s INT -k 5 4 "$VFIOCTL" monitor --json >"$BATS_TEST_TMPDIR/events" 2>&1 &
	PIDS+=($!)
	sleep 1
	sleep 0.2 3<>"/dev/vfio/$SOLO_G" &
	local holder=$!
	wait "$holder"
	sleep 1
	local mon=${PIDS[0]} rc=0
	wait "$mon" || rc=$?
	PIDS=()
	cat "$BATS_TEST_TMPDIR/events" >&2
	# timeout reports 124 when it had to send SIGINT, 137 after SIGKILL.
	[ "$rc" -eq 124 ] || fail "monitor did not stop cleanly on SIGINT (status $rc)"
	run grep -c "no event source" "$BATS_TEST_TMPDIR/events"
	assert_output 0
}
