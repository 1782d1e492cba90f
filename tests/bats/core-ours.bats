#!/usr/bin/env bats
# VFIO core, ours only: what upstream has no UAPI for or what needs the
# vfio_test module (capability chains, external users and the vfio_file_*
# exports KVM resolves, netlink introspection and events).

load helpers

CORE_TEST=$UAPI_DIR/core-test
NLDUMP=$UAPI_DIR/core-nldump

setup() {
	requires ours root
	module_loaded vfio_test || insmod "$VFIOCTL_KMOD_DIR/vfio_test.ko"
	[ -d /sys/kernel/debug/vfio_test ] || mount -t debugfs none /sys/kernel/debug
	GROUP=$(basename "$(readlink /sys/bus/platform/devices/vfio_test.2/iommu_group)")
	GROUP0=$(basename "$(readlink /sys/bus/platform/devices/vfio_test.0/iommu_group)")
	ARGS=(--group "$GROUP" --device vfio_test.2 --type 0x7e57)
	ARGS0=(--group "$GROUP0" --device vfio_test.1 --type 0x7e57)
	HOLDERS=()
}

teardown() {
	local p
	for p in "${HOLDERS[@]}"; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null || true
	done
	! module_loaded vfio_test || rmmod vfio_test
}

# start_holder ARGS... - `core-test hold ARGS` in the background (mode
# $HOLD_MODE if set); sets HOLDER.
start_holder() {
	local out=$BATS_TEST_TMPDIR/holder.$RANDOM
	"$CORE_TEST" "${HOLD_MODE:-hold}" "$@" >"$out" 2>&1 &
	HOLDER=$!
	HOLDERS+=("$HOLDER")
	for _ in $(seq 600); do
		grep -q '^ready' "$out" && return 0
		kill -0 "$HOLDER" 2>/dev/null || break
		sleep 0.1
	done
	cat "$out" >&2
	fail "holder did not get ready"
}

# line_of KIND KEY=VALUE - the dump line of one object.
line_of() {
	"$NLDUMP" "$1" | grep -E "^${1%s}( | .* )$2( |\$)"
}

@test "core: GET_INFO capability chain (argsz too small -> CAPS, cap_offset 0, needed argsz)" {
	vrun "$CORE_TEST" caps "${ARGS[@]}"
	assert_success
	refute_output --partial "not ok"
}

@test "core: external user protocol and the vfio_file_* exports via symbol_get" {
	vrun "$CORE_TEST" external "${ARGS[@]}"
	assert_success
	refute_output --partial "not ok"
}

@test "core: the last device going away revokes the group fd's attachment, never an external user's" {
	# Group fd closed, an external user holds the group: unregistering
	# the device must leave the external user a working container (it
	# used to unset it, and CHECK_EXTENSION through the external user
	# then dereferenced a NULL container).
	vrun "$CORE_TEST" revoke "${ARGS[@]}"
	assert_success
	refute_output --partial "not ok"
}

@test "core: a device registered again while its old release still runs keeps its drvdata" {
	# vfio_test stalls the old release for 2 s after the device left its
	# group's list; the unregistering task returns, the device is
	# registered again, and the old release must not clear the new
	# drvdata (it did before 0f6030b; see core-test.c, test_drvdata).
	vrun "$CORE_TEST" drvdata "${ARGS[@]}"
	assert_success
	refute_output --partial "not ok"
	# teardown's rmmod unregisters it once more: that needs its drvdata
}

@test "core: type1 DMA_CC_IOMMU is 1 with only an emulated group (no IOMMU domain), as upstream" {
	module_loaded vfio_iommu_type1 || fail "vfio_iommu_type1 is not loaded"
	vrun "$CORE_TEST" cc-emulated --group "$GROUP" --device vfio_test.2 --type 3
	assert_success
	refute_output --partial "not ok"
}

@test "core: a device with more open fds than one netlink message holds is dumped whole, across messages" {
	# 2000 holders of ~28 bytes each: more than the largest dump skb
	# (32 KiB), so the holder list must continue in the next message.
	HOLD_MODE=hold-fds=2000 start_holder "${ARGS[@]}"
	vrun "$NLDUMP" devices
	assert_success
	local lines n
	lines=$(grep -E '^device .*name=vfio_test\.2( |$)' <<<"$output")
	n=$(grep -o "$HOLDER:core-test" <<<"$lines" | wc -l)
	[ "$n" -eq 2000 ] || fail "$n of 2000 holders of vfio_test.2 dumped ($(wc -l <<<"$lines") messages)"
	grep -q 'continued=1' <<<"$lines" || fail "no continuation message"
	# The other devices are all dumped too.
	for d in 0 1; do
		grep -qE "^device .*name=vfio_test\\.$d( |\$)" <<<"$output" || fail "vfio_test.$d missing from the dump"
	done
}

@test "core: vfio_test cannot be unloaded while its backend or devices are in use" {
	start_holder "${ARGS[@]}"
	vrun rmmod vfio_test
	assert_failure
	module_loaded vfio_test
	kill -9 "$HOLDER"
	wait "$HOLDER" || true
	HOLDERS=()
	vrun rmmod vfio_test
	assert_success
	[ ! -e "/dev/vfio/$GROUP" ] || fail "/dev/vfio/$GROUP outlived its devices"
}

@test "core: netlink info names our stack and counts objects" {
	# vfio_test's three, and every PCI device an earlier file left on
	# vfio-pci (the order of files is not fixed).
	local pci
	pci=$(find /sys/bus/pci/drivers/vfio-pci -maxdepth 1 -name '0000:*' 2>/dev/null | wc -l)
	vrun "$NLDUMP" info
	assert_success
	assert_output --regexp 'version=[^ ]*-vfioctl'
	assert_output --regexp " devices=$((3 + pci))( |\$)"
	assert_output --partial 'noiommu=0'
	info=$output
	# the same as a dump, as the CLI asks for it
	vrun "$NLDUMP" info-dump
	assert_success
	assert_output "$info"
}

@test "core: netlink dumps match two holders on two groups" {
	start_holder "${ARGS[@]}"
	a=$HOLDER
	start_holder "${ARGS0[@]}"
	b=$HOLDER

	vrun line_of groups "group=$GROUP"
	assert_success
	assert_output --partial "viable=1"
	assert_output --partial "devices=1"
	assert_output --partial "external=0"
	assert_output --partial "holders=$a:core-test"
	assert_output --regexp ' container=[0-9]+'
	ca=$(echo "$output" | sed -E 's/.* container=([0-9]+).*/\1/')

	vrun line_of groups "group=$GROUP0"
	assert_success
	assert_output --partial "devices=2"
	assert_output --partial "holders=$b:core-test"

	vrun line_of containers "container=$ca"
	assert_success
	assert_output --partial "iommu=vfio_test_iommu"
	assert_output --partial "type=32343"
	assert_output --partial "mappings=1 pinned=4096"
	assert_output --partial "group=$GROUP "
	assert_output --partial "holders=$a:core-test"

	vrun line_of devices name=vfio_test.2
	assert_success
	assert_output --partial "group=$GROUP"
	assert_output --partial "driver=vfio_test"
	assert_output --partial "open=1 holders=$a:core-test"
	vrun line_of devices name=vfio_test.0
	assert_output --partial "open=0"
	refute_output --partial "holders="
	vrun line_of devices name=vfio_test.1
	assert_output --partial "open=1 holders=$b:core-test"

	# After the holder dies its entries are gone.
	kill -9 "$a"
	wait "$a" || true
	vrun line_of groups "group=$GROUP"
	refute_output --partial "holders="
	refute_output --partial "container="
	vrun line_of containers "container=$ca"
	assert_failure
	vrun line_of devices name=vfio_test.2
	assert_output --partial "open=0"
}

@test "core: netlink info is open to every user; dumps and events need CAP_NET_ADMIN" {
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	start_holder "${ARGS[@]}"
	vrun "${nobody[@]}" "$NLDUMP" info
	assert_success
	assert_output --regexp 'version=[^ ]*-vfioctl'
	local what
	for what in containers groups devices; do
		vrun "${nobody[@]}" "$NLDUMP" "$what"
		assert_failure
		assert_output "$what: Operation not permitted"
	done
	vrun "${nobody[@]}" "$NLDUMP" events 1
	assert_failure
	assert_output "events: Operation not permitted"
	# root still sees the holder
	vrun line_of groups "group=$GROUP"
	assert_output --partial "holders=$HOLDER:core-test"
}

@test "core: netlink events follow open, container, IOMMU, device and close" {
	ev=$BATS_TEST_TMPDIR/events
	"$NLDUMP" events 30 >"$ev" 2>&1 &
	listener=$!
	HOLDERS+=("$listener")
	for _ in $(seq 50); do grep -q listening "$ev" && break; sleep 0.1; done
	start_holder "${ARGS[@]}"
	h=$HOLDER
	kill -9 "$h"
	wait "$h" || true
	sleep 1
	kill "$listener"
	cat "$ev" >&2
	# enum vfioctl_event: 3 opened, 4 closed, 5 container set, 6 unset,
	# 7 IOMMU set, 8 device opened, 9 device closed
	grep -q "^event event=3 group=$GROUP holders=$h:core-test" "$ev"
	grep -q "^event event=5 group=$GROUP container=" "$ev"
	grep -q "^event event=7 container=[0-9]* iommu=vfio_test_iommu" "$ev"
	grep -q "^event event=8 group=$GROUP name=vfio_test.2 holders=$h:core-test" "$ev"
	grep -q "^event event=9 group=$GROUP name=vfio_test.2 holders=$h:core-test" "$ev"
	grep -q "^event event=6 group=$GROUP container=" "$ev"
	grep -q "^event event=4 group=$GROUP holders=$h:core-test" "$ev"
}

@test "core: no-IOMMU mode: extension, noiommu-N node, RAWIO, taint, no mixing" {
	rmmod vfio_test
	param=/sys/module/vfio/parameters/enable_unsafe_noiommu_mode
	echo 1 >"$param"
	vrun insmod "$VFIOCTL_KMOD_DIR/vfio_test.ko" noiommu=1
	assert_success
	echo 0 >"$param"
	setup	# group numbers may have changed
	dev=/sys/bus/platform/devices/vfio_test_noiommu.0
	ng=$(basename "$(readlink "$dev/iommu_group")")
	[ -c "/dev/vfio/noiommu-$ng" ] || fail "/dev/vfio/noiommu-$ng missing"
	[ ! -e "/dev/vfio/$ng" ] || fail "no-IOMMU group also has a plain node"
	run cat "/sys/kernel/iommu_groups/$ng/name"
	assert_output vfio-noiommu
	# TAINT_USER
	(( $(cat /proc/sys/kernel/tainted) & 64 )) || fail "kernel not tainted"
	echo 1 >"$param"
	vrun "$CORE_TEST" noiommu --group "$ng" --device vfio_test_noiommu.0 \
		--type 0x7e57 --other-group "$GROUP"
	echo 0 >"$param"
	assert_success
	refute_output --partial "not ok"
	vrun setpriv --bounding-set -sys_rawio --inh-caps -sys_rawio -- \
		"$CORE_TEST" noiommu-norawio --group "$ng" --device vfio_test_noiommu.0
	assert_success
	# Mode off again: the extension is gone.
	vrun "$CORE_TEST" errno "${ARGS[@]}"
	assert_success
}

@test "core: removing a device in use asks the holder (ops->request), names it and waits" {
	start_holder "${ARGS[@]}"
	h=$HOLDER
	echo "unregister 2" >/sys/kernel/debug/vfio_test/external &
	remover=$!
	sleep 3
	kill -0 "$remover" || fail "vfio_del_group_dev returned while the device was open"
	run dmesg
	assert_output --partial "vfio_test.2: release request 0"
	assert_output --partial "vfio_test.2: removal blocked: device fd held by core-test (pid $h)"
	vrun line_of devices name=vfio_test.2
	assert_output --partial "open=1"
	kill -9 "$h"
	wait "$h" || true
	wait "$remover"
	vrun line_of devices name=vfio_test.2
	assert_failure
	[ ! -e "/dev/vfio/$GROUP" ] || fail "/dev/vfio/$GROUP outlived its last device"
}

@test "core: nothing is left behind after holders die and vfio_test unloads" {
	rmmod vfio_test
	vrun "$NLDUMP" info
	before=$output
	insmod "$VFIOCTL_KMOD_DIR/vfio_test.ko" nr_groups=8
	setup	# group numbers may have changed
	start_holder "${ARGS[@]}"
	start_holder "${ARGS0[@]}"
	vrun "$NLDUMP" info
	assert_output --regexp ' containers=[2-9]'
	for p in "${HOLDERS[@]}"; do kill -9 "$p"; wait "$p" || true; done
	HOLDERS=()
	rmmod vfio_test
	vrun "$NLDUMP" info
	assert_output "$before"
	run ls /sys/kernel/iommu_groups/*/name
	for f in $output; do
		[ "$(cat "$f")" != vfio_test ] || fail "leaked synthetic iommu group $f"
	done
}
