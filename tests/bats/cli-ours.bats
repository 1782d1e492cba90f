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

@test "ours: status shows a container's DMA mappings and pinned memory" {
	vrun "$VFIOCTL" group attach "$SOLO_G"
	assert_success
	# type1-test hold maps 4 KiB + 64 KiB + 1 MiB (1118208 bytes) and waits
	# for stdin EOF.
	local fifo=$BATS_TEST_TMPDIR/hold.in out=$BATS_TEST_TMPDIR/hold.out i
	mkfifo "$fifo"
	"$UAPI_DIR/type1-test" hold "$SOLO_G" <"$fifo" >"$out" 2>&1 &
	PIDS+=($!)
	exec 5>"$fifo"
	for i in $(seq 100); do
		grep -q '^# holding' "$out" && break
		sleep 0.1
	done
	grep -q '^# holding' "$out" || { cat "$out" >&2; fail "type1-test hold did not map"; }
	vrun "$VFIOCTL" status --json
	assert_success
	run jq -e --argjson g "$SOLO_G" '.containers[] | select([.groups[]?] | index($g) != null)
		| .dma_mappings == 3 and .pinned_bytes == 1118208 and .iommu_driver != null' <<<"$output"
	[ "$status" -eq 0 ] || { echo "$output" >&2; fail "container of group $SOLO_G: want 3 mappings, 1118208 bytes pinned"; }
	vrun "$VFIOCTL" status
	assert_success
	# CONTAINER ID MAPPINGS PINNED HELD-BY; 1118208 bytes print as 1.1 MiB
	assert_output --regexp "container +[0-9]+ +3 +1\.1 MiB +[0-9]+\(type1-test\)"
	exec 5>&-
	wait "${PIDS[0]}"
	PIDS=()
	vrun "$VFIOCTL" status --json
	run jq -e '[.containers[]] | length == 0' <<<"$output"
	assert_success
}

@test "ours: status and monitor refuse an unprivileged user with the reason" {
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	vrun "$VFIOCTL" group attach "$SOLO_G"
	assert_success
	sleep 600 3<>"/dev/vfio/$SOLO_G" &
	PIDS+=($!)
	vrun "${nobody[@]}" "$VFIOCTL" status
	assert_failure 1
	assert_output "vfioctl: who holds VFIO objects is visible to CAP_NET_ADMIN only: run vfioctl status as root"
	vrun "${nobody[@]}" timeout 10 "$VFIOCTL" monitor
	assert_failure 1
	assert_output "vfioctl: VFIO events are visible to CAP_NET_ADMIN only: run vfioctl monitor as root"
}

@test "ours: monitor streams group and container events with their holders, stops on SIGINT" {
	vrun "$VFIOCTL" group attach "$SOLO_G"
	assert_success
	local ev=$BATS_TEST_TMPDIR/events i
	"$VFIOCTL" monitor --json >"$ev" 2>&1 &
	PIDS+=($!)
	# The subscription is live once an event comes through: open and
	# close the group until one does (TCG can take seconds to start it).
	for i in $(seq 100); do
		: 3<>"/dev/vfio/$SOLO_G"
		grep -q group-closed "$ev" && break
		sleep 0.1
	done
	grep -q group-closed "$ev" || { cat "$ev" >&2; fail "monitor saw no event"; }
	sleep 0.2 3<>"/dev/vfio/$SOLO_G" &
	local holder=$!
	wait "$holder"
	# A process with a group in a container and a device fd: type1-test
	# hold sets the container and maps, then waits for stdin EOF.
	echo | "$UAPI_DIR/type1-test" hold "$SOLO_G" >/dev/null 2>&1
	local mon=${PIDS[0]} rc=0
	kill -INT "$mon"
	for i in $(seq 50); do
		kill -0 "$mon" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$mon" 2>/dev/null && fail "monitor still runs 5 s after SIGINT"
	wait "$mon" || rc=$?
	PIDS=()
	cat "$ev" >&2
	[ "$rc" -eq 0 ] || fail "monitor exited $rc on SIGINT, want 0"
	run jq -e -s --argjson g "$SOLO_G" --argjson p "$holder" \
		'[.[] | select(.group == $g and .pid == $p) | .event] == ["group-opened", "group-closed"]' "$ev"
	assert_success
	run jq -e -s --argjson g "$SOLO_G" \
		'[.[] | select(.group == $g) | .event] | index("container-set") != null and index("container-unset") != null' "$ev"
	assert_success
	run jq -e -s '[.[] | select(.event == "iommu-set") | .iommu_driver][0] | test("type1")' "$ev"
	assert_success
}
