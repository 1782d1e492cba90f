#!/usr/bin/env bats
# vfio-pci config space virtualization on real (emulated) PCIe functions:
# the modern virtio-net-pci and the SR-IOV NVMe PF of tests/vm/run, both
# with extended config space.  What a user reads through the VFIO config
# region (tests/uapi/pci-cfgdump) is compared between our stack and the
# stock one, recorded in the same boot, and with the host's own view.
# bats file_tags=stock

load helpers

# dev_by_id VENDOR DEVICE - the first function with these IDs (a PF: VFs
# have no sriov_totalvfs but these have none enabled anyway)
dev_by_id() {
	local d v id
	for d in /sys/bus/pci/devices/*; do
		read -r v <"$d/vendor" && read -r id <"$d/device" || continue
		[ "$v" = "$1" ] && [ "$id" = "$2" ] && [ ! -e "$d/physfn" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# release ADDR... - off vfio-pci and back to their host drivers
release() {
	local d
	for d in "$@"; do
		[ "$(driver_of "$d")" != vfio-pci ] || unbind_all "$d"
		echo >"/sys/bus/pci/devices/$d/driver_override"
		[ -n "$(driver_of "$d")" ] || echo "$d" >/sys/bus/pci/drivers_probe || true
	done
}

# host_chains ADDR - the chains in the host's config (sysfs), same format
# as pci-cfgdump chains, all capabilities
host_chains() {
	local f=/sys/bus/pci/devices/$1/config pos id n=0
	local -a b
	mapfile -t b < <(od -An -v -tu1 -w1 "$f" | tr -d ' ')
	if (( b[6] & 0x10 )); then
		pos=$(( b[0x34] & ~3 ))
		while (( pos >= 0x40 && n++ < 48 )); do
			printf 'std 0x%02x 0x%02x\n' "$pos" "${b[pos]}"
			pos=$(( b[pos + 1] & ~3 ))
		done
	fi
	(( ${#b[@]} >= 4096 )) || return 0
	pos=256
	n=0
	while (( pos >= 256 && pos <= 0xffc && n++ < 960 )); do
		local h=$(( b[pos] | b[pos + 1] << 8 | b[pos + 2] << 16 | b[pos + 3] << 24 ))
		(( h )) || break
		printf 'ext 0x%03x 0x%04x %d\n' "$pos" $(( h & 0xffff )) $(( (h >> 16) & 0xf ))
		pos=$(( (h >> 20) & ~3 ))
	done
}

# hwdw ADDR OFF - the dword at OFF of the host's (raw) config space, as
# pci-cfgdump prints one: 8 lower-case hex digits
hwdw() {
	od -An -tx4 -j "$2" -N4 "/sys/bus/pci/devices/$1/config" | tr -d ' '
}

# record STACK DIR - load STACK, dump both devices through VFIO into DIR
record() {
	local d
	release "$NET" "$NVME"
	unload_stack
	VFIOCTL_STACK=$1 load_stack
	# the stock stack has vfio_pci_core, ours does not: never compare
	# ours with ours (a test may have installed ours into updates/)
	if [ "$1" = stock ]; then
		module_loaded vfio_pci_core || { echo "stock stack did not load" >&2; return 1; }
	else
		! module_loaded vfio_pci_core || { echo "our stack did not load" >&2; return 1; }
	fi
	mkdir -p "$2"
	for d in "$NET" "$NVME"; do
		bind_vfio "$d"
		"$UAPI_DIR/pci-cfgdump" dump "$d" >"$2/$d.dump"
		"$UAPI_DIR/pci-cfgdump" chains "$d" >"$2/$d.chains"
		release "$d"
	done
}

setup_file() {
	load_stack
}

setup() {
	requires root stack iommu
	NET=$(dev_by_id 0x1af4 0x1041) || skip "test requires the virtio-net-pci of tests/vm/run"
	NVME=$(dev_by_id 0x1b36 0x0010) || skip "test requires the NVMe of tests/vm/run"
	[ -x "$UAPI_DIR/pci-cfgdump" ] || fail "tests/uapi/pci-cfgdump not built"
}

teardown() {
	release "$NET" "$NVME"
	# leave the stack under test loaded, whatever a test switched to
	if [ "$VFIOCTL_STACK" = ours ] && module_loaded vfio_pci_core; then
		release "$NET" "$NVME"
		unload_stack
	fi
	load_stack
}

@test "pci-config: the user sees a subset of the host's chains, in order, 4096 bytes" {
	local d
	for d in "$NET" "$NVME"; do
		vrun bind_vfio "$d"
		assert_success
		vrun "$UAPI_DIR/pci-cfgdump" chains "$d"
		assert_success
		local user=$output
		# both devices are PCIe endpoints: PCIe capability and MSI-X shown
		echo "$user" | grep -q '^std 0x.. 0x10$' || fail "$d: no PCIe capability"
		echo "$user" | grep -q '^std 0x.. 0x11$' || fail "$d: no MSI-X capability"
		# every user-visible capability is the host's, in the host's order
		# (the 0x100 placeholder of a hidden first one, ID 0, excepted)
		local t=$BATS_TEST_TMPDIR
		printf '%s\n' "$user" | grep -v '^ext 0x100 0x0000 0$' >"$t/user" || true
		host_chains "$d" >"$t/host"
		grep -Fxf "$t/user" "$t/host" >"$t/host-shown" || true
		vrun diff "$t/user" "$t/host-shown"
		assert_success
		vrun bash -c "'$UAPI_DIR/pci-cfgdump' dump '$d' | wc -l"
		assert_output 256
		release "$d"
	done
}

@test "pci-config: whole config space through VFIO matches the stock stack byte for byte" {
	requires ours
	[ -n "$VFIOCTL_KMOD_DIR" ] || skip "our modules are not built for this kernel"
	modprobe -n vfio-pci 2>/dev/null || skip "the stock vfio-pci module is not available"
	local dir=$BATS_TEST_TMPDIR d
	vrun record stock "$dir/stock"
	assert_success
	vrun record ours "$dir/ours"
	assert_success
	for d in "$NET" "$NVME"; do
		[ -s "$dir/stock/$d.dump" ] || fail "no stock dump of $d"
		echo "# $d stock chains:" >&2
		cat "$dir/stock/$d.chains" >&2
		vrun diff "$dir/stock/$d.chains" "$dir/ours/$d.chains"
		assert_success
		vrun diff "$dir/stock/$d.dump" "$dir/ours/$d.dump"
		assert_success
	done
}

# Upstream passes extended-space gaps through raw (QEMU's NVMe keeps what is
# written at 0xffc); ours drops every write to extended space, so the gap
# at 0xffc is checked on ours only.
@test "pci-config: writes to extended config space are dropped (SR-IOV control, headers; 0xffc on ours)" {
	local sriov off ctl host_before host_after offs
	vrun bind_vfio "$NVME"
	assert_success
	vrun "$UAPI_DIR/pci-cfgdump" chains "$NVME"
	assert_success
	sriov=$(echo "$output" | awk '$1 == "ext" && $3 == "0x0010" { print $2 }')
	[ -n "$sriov" ] || fail "the NVMe PF shows no SR-IOV capability"
	offs="$((sriov + 8)) 256 $((sriov))"
	[ "$VFIOCTL_STACK" != ours ] || offs="$offs 4092"
	for off in $offs; do
		host_before=$(od -An -tx4 -j "$off" -N4 "/sys/bus/pci/devices/$NVME/config")
		# VF Enable, MSE and ARI hierarchy at SR-IOV control; all ones elsewhere
		if [ "$off" = $((sriov + 8)) ]; then ctl=0x19; else ctl=0xffffffff; fi
		vrun "$UAPI_DIR/pci-cfgdump" poke "$NVME" "$off" "$ctl"
		assert_success
		read -r before after <<<"$output"
		[ "$before" = "$after" ] || fail "offset $off changed through VFIO: $before -> $after"
		host_after=$(od -An -tx4 -j "$off" -N4 "/sys/bus/pci/devices/$NVME/config")
		[ "$host_before" = "$host_after" ] || fail "offset $off changed in hardware: $host_before -> $host_after"
	done
	[ "$(cat "/sys/bus/pci/devices/$NVME/sriov_numvfs")" = 0 ] || fail "VFs appeared"
}

# AER as upstream's permission table has it: status, masks and severities
# of the errors an endpoint reports (and the ECRC enables) are the user's
# and reach the hardware; the header, the rest of capabilities and control
# and the header log are not writable.  The virtio-net of tests/vm/run has
# AER (aer=on) at 0x100.  The hardware is read while the device is open
# (pci-cfgdump pokehw): the close resets it and restores the saved state.
# QEMU 7.2 does not implement the uncorrectable mask register (writable
# since QEMU 8.0): severity and the correctable mask are what a write can
# be seen to reach.
@test "pci-config: AER masks and severity are writable through VFIO and reach the hardware; read-only AER fields are not" {
	local aer t rel bit off new before after hwb hwa
	vrun bind_vfio "$NET"
	assert_success
	vrun "$UAPI_DIR/pci-cfgdump" chains "$NET"
	assert_success
	aer=$(echo "$output" | awk '$1 == "ext" && $3 == "0x0001" { print $2 }')
	[ -n "$aer" ] || fail "$NET shows no AER capability (tests/vm/run gives it aer=on)"
	# uncorrectable severity: Poisoned TLP; correctable mask: Bad TLP
	for t in "12 0x1000" "20 0x40"; do
		read -r rel bit <<<"$t"
		off=$((aer + rel))
		new=$(printf '%08x' $((0x$(hwdw "$NET" $off) ^ bit)))
		vrun "$UAPI_DIR/pci-cfgdump" pokehw "$NET" $off 0x$new
		assert_success
		read -r before after hwb hwa <<<"$output"
		echo "# AER+$rel: VFIO $before -> $after, hardware $hwb -> $hwa" >&3
		[ "$before" = "$hwb" ] || fail "AER+$rel: VFIO read $before, the hardware has $hwb"
		new=$(printf '%08x' $((0x$hwb ^ bit)))
		# the write above was computed before the open: redo it if the open changed it
		if [ "$after" != "$new" ]; then
			vrun "$UAPI_DIR/pci-cfgdump" pokehw "$NET" $off 0x$new
			assert_success
			read -r before after hwb hwa <<<"$output"
		fi
		[ "$after" = "$new" ] || fail "AER+$rel: wrote $new through VFIO, read back $after"
		[ "$hwa" = "$new" ] || fail "AER+$rel: the write did not reach the hardware ($hwa, wanted $new)"
	done
	# header (ID, version, next), Multiple Header Recording Enable, header log
	for t in "0 0xffffffff" "24 0x400" "28 0xffffffff"; do
		read -r rel bit <<<"$t"
		off=$((aer + rel))
		new=$(printf '%08x' $((0x$(hwdw "$NET" $off) ^ bit)))
		vrun "$UAPI_DIR/pci-cfgdump" pokehw "$NET" $off 0x$new
		assert_success
		read -r before after hwb hwa <<<"$output"
		echo "# AER+$rel (read-only): VFIO $before -> $after, hardware $hwb -> $hwa" >&3
		[ "$before" = "$after" ] || fail "AER+$rel changed through VFIO: $before -> $after"
		[ "$hwb" = "$hwa" ] || fail "AER+$rel changed in hardware: $hwb -> $hwa"
	done
}

# PME is the host's, as upstream (6.1 and 6.12): PME_Support reads as
# none, PME_En and PME_Status as zero, and writes to them are dropped.
# QEMU's PM capabilities support no PME and ignore PME_En, so on this
# test bed the hardware side cannot tell (the test passed before ours
# virtualized them); the user's view is what is checked.
@test "pci-config: PME_Support, PME_En and PME_Status read as zero through VFIO; writes to them are dropped" {
	local pm before after hwb hwa
	vrun bind_vfio "$NET"
	assert_success
	vrun "$UAPI_DIR/pci-cfgdump" chains "$NET"
	assert_success
	pm=$(echo "$output" | awk '$1 == "std" && $3 == "0x01" { print $2 }')
	[ -n "$pm" ] || fail "$NET shows no PM capability"
	# ID, next, PMC: nothing there is writable
	vrun "$UAPI_DIR/pci-cfgdump" pokehw "$NET" $((pm)) 0xffff0000
	assert_success
	read -r before after hwb hwa <<<"$output"
	(( (0x$after >> 16 & 0xf800) == 0 )) || fail "PME_Support reads $after through VFIO"
	[ "$before" = "$after" ] || fail "PMC changed through VFIO: $before -> $after"
	# PMCSR: D0 (the open put it there), PME_En set, PME_Status written 1
	vrun "$UAPI_DIR/pci-cfgdump" pokehw "$NET" $((pm + 4)) \
		$(printf '0x%08x' $(((0x$(hwdw "$NET" $((pm + 4))) & ~3) | 0x8100)))
	assert_success
	read -r before after hwb hwa <<<"$output"
	echo "# PMCSR: VFIO $before -> $after, hardware $hwb -> $hwa" >&3
	(( (0x$before & 0x8100) == 0 )) || fail "PME bits read $before through VFIO before the write"
	(( (0x$after & 0x8103) == 0 )) || fail "PME or state bits read $after through VFIO after the write"
	(( ((0x$hwb ^ 0x$hwa) & 0x8103) == 0 )) || fail "PMCSR PME or state bits changed in hardware: $hwb -> $hwa"
}
