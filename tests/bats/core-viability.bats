#!/usr/bin/env bats
# Isolation through DMA ownership, on the edu pair's shared group: a
# driver that uses the kernel's DMA API can bind into the group while it is
# idle (the group becomes non-viable), but never while the group is in a
# container.  Nothing may crash either way.
# bats file_tags=stock

load helpers

CORE_TEST=$UAPI_DIR/core-test
NLDUMP=$UAPI_DIR/core-nldump
FOREIGN=uio_pci_generic	# binds to anything with INTx, no driver_managed_dma

setup() {
	requires stack root edu iommu
	PAIR=($(edu_pair))
	GROUP=$(iommu_group_of "${PAIR[0]}")
	modprobe "$FOREIGN"
	bind_vfio "${PAIR[0]}"
	# ours: group nodes come when our vfio-pci registers devices
	[ -c "/dev/vfio/$GROUP" ] || skip "vfio-pci did not register ${PAIR[0]} (our vfio-pci is not there yet)"
	ARGS=(--group "$GROUP" --device "${PAIR[0]}" --type 3)
	HOLDER=
}

teardown() {
	[ -z "${HOLDER:-}" ] || { kill -9 "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null || true; }
	unbind_all "${PAIR[@]}"
}

# bind_foreign ADDR - try to bind ADDR to $FOREIGN; succeed iff it bound.
bind_foreign() {
	echo "$FOREIGN" >"/sys/bus/pci/devices/$1/driver_override"
	echo "$1" >/sys/bus/pci/drivers_probe 2>/dev/null || true
	[ "$(driver_of "$1")" = "$FOREIGN" ]
}

@test "core viability: a foreign driver cannot bind into a group in use" {
	out=$BATS_TEST_TMPDIR/holder
	"$CORE_TEST" hold "${ARGS[@]}" >"$out" 2>&1 &
	HOLDER=$!
	for _ in $(seq 100); do grep -q '^ready' "$out" && break; sleep 0.1; done
	grep -q '^ready' "$out" || { cat "$out" >&2; fail "holder did not get ready"; }

	vrun bind_foreign "${PAIR[1]}"
	assert_failure
	assert_equal "$(driver_of "${PAIR[1]}")" ""

	kill -9 "$HOLDER"
	wait "$HOLDER" || true
	HOLDER=
	# Released: now the bind goes through and the group is not viable.
	vrun bind_foreign "${PAIR[1]}"
	assert_success
	vrun "$CORE_TEST" nonviable "${ARGS[@]}"
	assert_success
	refute_output --partial "not ok"
}

@test "core viability: ours names the device and driver that block a group" {
	requires ours
	vrun bind_foreign "${PAIR[1]}"
	assert_success
	vrun sh -c "'$NLDUMP' groups | grep '^group group=$GROUP '"
	assert_success
	assert_output --partial "viable=0"
	assert_output --partial "blocker=${PAIR[1]} blocker_driver=$FOREIGN"
}
