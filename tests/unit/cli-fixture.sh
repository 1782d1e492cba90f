#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# cli-fixture.sh - TAP tests of vfioctl against generated fixture trees
# (tests/fixtures/mksysfs.py): listing, viability reasons, host-use
# refusals, rollback decisions on a tree where binds cannot happen,
# status from /proc scanning, check, monitor, persistence validation, and
# a large tree with thousands of devices.  JSON is checked with jq.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
V=${VFIOCTL:-$top_builddir/cli/vfioctl}
GEN=$top_srcdir/tests/fixtures/mksysfs.py
n=0
failed=0

command -v python3 >/dev/null && command -v jq >/dev/null || {
	echo "1..0 # SKIP python3 and jq are required"
	exit 0
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ok() {	# ok DESCRIPTION COMMAND...
	local desc=$1
	shift
	n=$((n + 1))
	if "$@" >"$work/out" 2>&1; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		sed 's/^/# /' "$work/out"
		failed=$((failed + 1))
	fi
}

use_tree() {
	export VFIOCTL_SYSFS_ROOT=$1/sys VFIOCTL_DEV_ROOT=$1/dev \
		VFIOCTL_PROC_ROOT=$1/proc VFIOCTL_CONFDIR=$1/etc \
		VFIOCTL_RUNDIR=$1/run VFIOCTL_PCI_IDS=$1/pci.ids \
		VFIOCTL_UDEV_RULES=$1/udev/61-vfioctl-persist.rules
	mkdir -p "$1/udev"
}

# run_v EXPECTED_STATUS ARGS... - run vfioctl, keep stdout/stderr.
run_v() {
	local want=$1
	shift
	"$V" "$@" >"$work/stdout" 2>"$work/stderr"
	local rc=$?
	[ "$rc" -eq "$want" ] || { echo "vfioctl $*: exit $rc, want $want"; cat "$work/stderr"; return 1; }
}

jqt() {	# jqt FILTER - the filter must yield true on $work/stdout
	[ "$(jq -e "$1" "$work/stdout")" = true ] || { echo "jq '$1' is not true:"; cat "$work/stdout"; return 1; }
}

errhas() { grep -qF -- "$1" "$work/stderr" || { echo "stderr lacks '$1':"; cat "$work/stderr"; return 1; }; }
outhas() { grep -qF -- "$1" "$work/stdout" || { echo "stdout lacks '$1':"; cat "$work/stdout"; return 1; }; }

python3 "$GEN" "$work/t" || { echo "1..0 # SKIP fixture generator failed"; exit 1; }
use_tree "$work/t"

# ---------------------------------------------------------------- list
t_list_json() {
	run_v 0 list --json &&
	jqt '.schema_version == 1' &&
	jqt '[.groups[].group] == [range(1; 19)]' &&
	jqt '.groups[] | select(.group == 7) | .state == "vfio" and .viable and .path == "/dev/vfio/7" and .node == .path' &&
	jqt '.groups[] | select(.group == 7) | .holders[0].pid == 4242 and .holders[0].comm == "qemu-system-x86"' &&
	jqt '.groups[] | select(.group == 8) | .state == "not-viable" and .blocker.device == "0000:02:02.0" and .blocker.driver == "e1000e"' &&
	jqt '.groups[] | select(.group == 8) | [.devices[] | select(.bridge)] | length == 1' &&
	jqt '.groups[] | select(.group == 2) | .state == "host" and .blocker.device == "0000:00:1f.0" and .path == null and .node == null' &&
	jqt '.groups[] | select(.group == 9) | .state == "free" and .viable' &&
	jqt '.groups[] | select(.group == 11) | .state == "free" and .devices[0].driver_kind == "dma-safe"' &&
	jqt '.groups[] | select(.group == 10) | .blocker.device == "0000:08:00.0"' &&
	jqt '[.groups[].devices[]] | length == 25' &&
	jqt '.groups[] | select(.group == 2) | .devices[1] | .id == "8086:2922" and .class == "0x010601" and .driver == "ahci"'
}
ok "list --json: groups, states, blockers, nodes, holders" t_list_json

t_list_human() {
	run_v 0 list &&
	outhas "group 8  not-viable (0000:02:02.0 is bound to host driver e1000e)  path /dev/vfio/8  held-by 4343(dpdk-testpmd)" &&
	outhas "group 7  vfio  path /dev/vfio/7  held-by 4242(qemu-system-x86)" && ! grep -q " node " "$work/stdout"
}
ok "list: human table names the blocking device" t_list_human

t_list_columns_names() {
	run_v 0 list &&
	[ "$(head -1 "$work/stdout" | tr -s ' ')" = "GROUP/DEVICE ID CLASS DRIVER FLAGS NAME" ] &&
	grep -qE '^  0000:04:00.0 +8086:10d3 +0200 +e1000e +- +Intel Corporation 82574L Gigabit Network Connection$' "$work/stdout" &&
	grep -qE '^  0000:00:11.0 +1b36:000e +0604 +- +bridge +Red Hat, Inc.$' "$work/stdout" &&
	grep -qE '^  0000:0b:00.0 +144d:a808 +0108 +nvme +- +-$' "$work/stdout" &&
	grep -qE '^  0000:01:00.0 +1234:11e8 +00ff +vfio-pci +override=vfio-pci +Technical Corp. QEMU edu device$' "$work/stdout" &&
	run_v 0 list --json &&
	jqt '[.groups[].devices[] | select(.device == "0000:04:00.0")][0] | .vendor_name == "Intel Corporation" and .device_name == "82574L Gigabit Network Connection"' &&
	jqt '[.groups[].devices[] | select(.device == "0000:00:11.0")][0] | .vendor_name == "Red Hat, Inc." and .device_name == null' &&
	jqt '[.groups[].devices[] | select(.device == "0000:0b:00.0")][0] | .vendor_name == null' &&
	run_v 0 group show 4 && head -1 "$work/stdout" | grep -q '^GROUP/DEVICE '
}
ok "list: column headers; vendor and device names from pci.ids (libpci) in text and JSON" t_list_columns_names

# list's attach column is attach's own check: for every group whose
# verdict refuses, `group attach` must refuse with the matching exit code
# and the same reason.
t_list_attach_verdict() {
	local g verdict reason want
	run_v 0 list &&
	outhas "group 2  host (0000:00:1f.0 is bound to host driver lpc_ich)  path -  held-by -  attach in-use" &&
	outhas "group 7  vfio  path /dev/vfio/7  held-by 4242(qemu-system-x86)  attach attached" &&
	outhas "attach not-viable" && ! grep -q "attach refused" "$work/stdout" &&
	run_v 0 list -v &&
	outhas "    attach refused: 0000:0f:10.0 is in use by the host (network interface in use); use --force to take it anyway" &&
	outhas "    0000:0f:10.0 in use: interface eth7 is up with IPv4 addresses; it is VF 0 of PF 0000:0f:00.0" &&
	run_v 0 list --json &&
	jqt '.groups[] | select(.group == 7) | .attach == {"verdict": "attached", "reason": null, "host_use": []}' &&
	jqt '.groups[] | select(.group == 13) | .attach.verdict == "in-use" and .attach.host_use[0].device == "0000:0c:00.0"' &&
	jqt '[.groups[].attach.verdict] | map(select(. == "in-use" or . == "not-viable")) | length >= 10' || return 1
	cp "$work/stdout" "$work/list.json"
	for g in $(jq -r '.groups[] | select(.attach.verdict == "in-use" or .attach.verdict == "not-viable") | .group' "$work/list.json"); do
		verdict=$(jq -r ".groups[] | select(.group == $g) | .attach.verdict" "$work/list.json")
		reason=$(jq -r ".groups[] | select(.group == $g) | .attach.reason" "$work/list.json")
		want=4
		[ "$verdict" = in-use ] || want=3
		run_v "$want" group attach "$g" || { echo "group $g: list says $verdict"; return 1; }
		grep -qF -- "group $g not attached: $reason" "$work/stderr" ||
			{ echo "group $g: attach's reason differs from list's ($reason):"; cat "$work/stderr"; return 1; }
	done
}
ok "list: the attach verdict (text, -v reasons, JSON) is the one group attach reaches, exit code and reason" t_list_attach_verdict

t_list_usage() { run_v 2 list extra && run_v 2 list --bogus; }
ok "list: bad arguments exit 2" t_list_usage

# ---------------------------------------------------------- host use
t_show_inuse() {
	run_v 0 group show 2 --json &&
	jqt '.group.host_use | map(.reason) | join(";") | contains("sda1 is mounted on /") and contains("swap is active on sda2")' &&
	run_v 0 group show 3 --json &&
	jqt '.group.host_use[0].reason | startswith("dm-0 is mounted on /home")' &&
	run_v 0 group show 4 --json &&
	jqt '.group.host_use[0].reason == "interface eth0 is up with IPv4 routes"' &&
	run_v 0 group show 5 --json &&
	jqt '.group.host_use == []' &&
	run_v 0 group show 6 --json &&
	jqt '.group.host_use[0].reason | contains("boot VGA") and contains("framebuffer fb0")' &&
	run_v 0 group show 11 --json &&
	jqt '.group.host_use[0].device == "0000:0a:00.1" and (.group.host_use[0].reason | contains("eth2 is up with IPv6 addresses"))'
}
ok "group show: mounts (incl. stacked dm), swap, routes, IPv6, boot VGA; down link is free" t_show_inuse

snap() { cat "$1"/sys/bus/pci/devices/*/driver_override "$1"/sys/bus/pci/drivers/*/bind "$1"/sys/bus/pci/drivers/*/unbind "$1"/sys/bus/pci/drivers_probe | md5sum; }

t_refuse_inuse() {
	local before
	before=$(snap "$work/t")
	run_v 4 group attach 4 && errhas "0000:04:00.0 is in use by the host (network interface in use)" &&
	run_v 4 group attach 3 && errhas "dm-0 is mounted on /home" &&
	run_v 4 group attach 2 && errhas "sda1 is mounted on /" &&
	run_v 4 group attach 6 && errhas "console/framebuffer" &&
	[ "$(snap "$work/t")" = "$before" ] && [ ! -e "$work/t/run" ]
}
ok "attach refuses in-use devices (exit 4) before writing anything" t_refuse_inuse

# Uppers, VRF tables, SR-IOV and block holders (rtnetlink facts come from
# the fixture's rtnetlink file).
t_refuse_stacked() {
	local before
	before=$(snap "$work/t")
	run_v 4 group attach 13 && errhas "interface eth3 is a port of br0, which is up with IPv4 addresses" &&
	run_v 4 group attach 14 && errhas "interface eth4 is a port of br1 (via bond0), which is up with IPv4 addresses" &&
	run_v 4 group attach 15 && errhas "interface eth5 is up with IPv4 routes in table 10" &&
	run_v 4 group attach 12 && errhas "nvme1n1 is held by dm-1 (device-mapper vg-data" &&
	run_v 4 group attach 9 && errhas "interface eth8 is the lower device of eth8.100, which is up with IPv4 addresses" &&
	run_v 4 group attach 17 && errhas "interface eth7 is up with IPv4 addresses; it is VF 0 of PF 0000:0f:00.0" &&
	[ "$(snap "$work/t")" = "$before" ] && [ ! -e "$work/t/run" ]
}
ok "attach refuses a bridge port, a bond under a bridge, a VRF uplink, an LVM-held disk, a VLAN's lower device, a used VF (exit 4)" t_refuse_stacked

t_refuse_pf_with_vfs() {
	local before
	before=$(snap "$work/t")
	run_v 4 group attach 16 --force &&
	errhas "0000:0f:00.0: it is an SR-IOV PF with 2 VFs enabled, and vfio-pci refuses to bind such a PF" &&
	errhas "echo 0 > $work/t/sys/bus/pci/devices/0000:0f:00.0/sriov_numvfs" &&
	errhas "even with --force" && ! errhas "taking it anyway" 2>/dev/null &&
	[ "$(snap "$work/t")" = "$before" ]
}
ok "attach refuses a PF with VFs enabled, even with --force, and says how to disable them" t_refuse_pf_with_vfs

t_link_local_free() {
	run_v 0 group show 18 --json && jqt '.group.host_use == []' &&
	run_v 0 group show 5 --json && jqt '.group.host_use == []'
}
ok "link-local addresses and fe80::/64 routes alone do not count; an unused VF is free" t_link_local_free

t_not_viable() {
	local before
	before=$(snap "$work/t")
	run_v 3 group attach 10 --force && errhas "bridge 0000:08:00.0 is bound to shpchp" &&
	[ "$(snap "$work/t")" = "$before" ]
}
ok "attach: a bridge on a host driver is not viable (exit 3), even with --force" t_not_viable

# In the fixture nothing binds on drivers_probe, so the first bind fails
# verification and everything done so far must be undone.
t_rollback() {
	run_v 1 group attach 5 &&
	errhas "0000:05:00.0: did not bind to vfio-pci (now igb)" &&
	errhas "group 5: 0000:05:00.0 failed (errno 19, No such device) with 0 of 1 moved; rolling back 3 operations" &&
	[ "$(cat "$work/t/sys/bus/pci/drivers/igb/unbind")" = 0000:05:00.0 ] &&
	[ "$(cat "$work/t/sys/bus/pci/drivers/igb/bind")" = 0000:05:00.0 ] &&
	[ "$(cat "$work/t/sys/bus/pci/devices/0000:05:00.0/driver_override")" = "" ] &&
	[ ! -e "$work/t/run/0000:05:00.0" ]
}
ok "attach: failed bind rolls back (unbind, override cleared, original driver rebound, record dropped)" t_rollback

t_force() {
	run_v 1 group attach 4 --force && errhas "(--force: taking it anyway)" &&
	errhas "0000:04:00.0: did not bind"
}
ok "attach --force goes past host use (and still rolls back a failed bind)" t_force

t_group_usage() {
	run_v 2 group && run_v 2 group attach && run_v 2 group frob 1 &&
	run_v 2 group show 1 --force && run_v 2 group attach x &&
	run_v 1 group attach 99 && errhas "IOMMU group 99 does not exist" &&
	run_v 2 nosuchcmd
}
ok "group: usage errors exit 2, unknown group exits 1" t_group_usage

t_driver_missing() {
	run_v 1 group attach 9 --driver nosuch-vfio-pci && errhas "driver nosuch-vfio-pci is not loaded"
}
ok "attach --driver NAME refuses a driver that is not loaded" t_driver_missing

t_detach_held() {
	run_v 4 group detach 7 && errhas "group 7 is held by 4242(qemu-system-x86)"
}
ok "detach refuses a group a process holds (exit 4)" t_detach_held

# ---------------------------------------------------------- persistence
t_persist_stale() {
	mkdir -p "$work/t/etc" &&
	printf 'driver=vfio-pci\ndevice=0000:07:00.0 15b3:1017\n' >"$work/t/etc/0000:07:00.0.conf" &&
	run_v 3 group apply-persisted && errhas "0000:07:00.1 joined the group since it was recorded" &&
	printf 'driver=vfio-pci\ndevice=0000:07:00.0 15b3:1017\ndevice=0000:07:00.1 15b3:1018\n' >"$work/t/etc/0000:07:00.0.conf" &&
	run_v 3 group apply-persisted && errhas "0000:07:00.1 is now 15b3:1017, recorded as 15b3:1018" &&
	printf 'driver=vfio-pci\nbogus\n' >"$work/t/etc/0000:07:00.0.conf" &&
	run_v 1 group apply-persisted && errhas "0000:07:00.0.conf:2: invalid record" &&
	printf 'driver=vfio-pci\ndevice=0000:1f:00.0 15b3:1017\n' >"$work/t/etc/0000:07:00.0.conf" &&
	run_v 3 group apply-persisted && errhas "0000:1f:00.0 is not present" &&
	rm -r "$work/t/etc" && run_v 0 group apply-persisted
}
ok "apply-persisted re-validates members and IDs, rejects bad records" t_persist_stale

# The fake PCI core of cli-fakebind.so makes binds happen in a fixture.
FAKEBIND_SO=$top_builddir/tests/unit/.libs/cli-fakebind.so
fresh_tree() {	# fresh_tree NAME - a new fixture tree, in use
	rm -rf "$work/$1"
	python3 "$GEN" "$work/$1" >/dev/null && use_tree "$work/$1"
}
fakebind() { LD_PRELOAD=$FAKEBIND_SO FAKEBIND_SYSFS=$VFIOCTL_SYSFS_ROOT "$@"; }
drv_of() { basename "$(readlink "$VFIOCTL_SYSFS_ROOT/bus/pci/devices/$1/driver")" 2>/dev/null; }
ovr_of() { tr -d '\n' <"$VFIOCTL_SYSFS_ROOT/bus/pci/devices/$1/driver_override"; }
rec11() {	# rec11 [forced=yes|no] [REASON] - a record of group 11
	mkdir -p "$VFIOCTL_CONFDIR" &&
	{ printf 'driver=vfio-pci\n'
	  [ -z "${1:-}" ] || printf '%s\n' "$1"
	  [ -z "${2:-}" ] || printf 'reason=%s\n' "$2"
	  printf 'device=0000:0a:00.0 8086:1572\ndevice=0000:0a:00.1 8086:1572\n'
	} >"$VFIOCTL_CONFDIR/0000:0a:00.0.conf"
}

t_persist_reason_rules() {
	run_v 2 group attach 11 --force --persist && errhas "--force --persist needs --reason TEXT" &&
	run_v 2 group attach 11 --reason "x" && errhas "--reason goes with --persist" &&
	run_v 2 group attach 11 --force --persist --reason "$(printf 'a\tb')" &&
	errhas "--reason: one line of at most 200 printable characters" &&
	[ ! -e "$VFIOCTL_CONFDIR" ]
}
ok "attach: --force --persist needs --reason; --reason needs --persist; one printable line (exit 2)" t_persist_reason_rules

t_persist_records_force() {
	[ -e "$FAKEBIND_SO" ] || { echo "$FAKEBIND_SO not built"; return 1; }
	fresh_tree pf || return 1
	local rules=$VFIOCTL_UDEV_RULES rc=0
	fakebind "$V" group attach 11 --force --persist --reason "eth2 goes to the router VM" \
		>"$work/stdout" 2>"$work/stderr" || { cat "$work/stderr"; rc=1; }
	[ $rc -eq 0 ] && errhas "(--force: taking it anyway)" &&
	outhas "persisted: $VFIOCTL_CONFDIR/0000:0a:00.0.conf (forced)" &&
	[ "$(drv_of 0000:0a:00.0)" = vfio-pci ] && [ "$(drv_of 0000:0a:00.1)" = vfio-pci ] &&
	grep -qx 'forced=yes' "$VFIOCTL_CONFDIR/0000:0a:00.0.conf" &&
	grep -qx 'reason=eth2 goes to the router VM' "$VFIOCTL_CONFDIR/0000:0a:00.0.conf" &&
	grep -qx 'ACTION=="add", SUBSYSTEM=="pci", KERNEL=="0000:0a:00.1", ATTR{vendor}=="0x8086", ATTR{device}=="0x1572", ATTR{driver_override}="vfio-pci", RUN{builtin}+="kmod load vfio-pci", RUN+="/bin/sh -c '"'"'echo $kernel >/sys/bus/pci/drivers_probe'"'"'"' "$rules" &&
	[ "$(grep -c '^ACTION==' "$rules")" -eq 2 ] &&
	grep -qx '# 0000:0a:00.0.conf (forced: eth2 goes to the router VM)' "$rules" || { cat "$rules" "$work/stdout"; rc=1; }
	use_tree "$work/t"
	return $rc
}
ok "attach --force --persist --reason: record has forced=yes and the reason; udev rules name every endpoint" t_persist_records_force

t_persist_list_remove() {
	fresh_tree pl || return 1
	rec11 forced=yes "eth2 goes to the router VM" &&
	printf 'driver=vfio-pci\ndevice=0000:07:00.0 15b3:1017\n' >"$VFIOCTL_CONFDIR/0000:07:00.0.conf" &&
	run_v 0 persist list --json &&
	jqt '[.records[].key] == ["0000:07:00.0", "0000:0a:00.0"]' &&
	jqt '.records[1] | .group == 11 and .driver == "vfio-pci" and .forced and .reason == "eth2 goes to the router VM" and .matches and (.attached | not) and .mismatch == null' &&
	jqt '.records[1].devices | map(.device + " " + .id) == ["0000:0a:00.0 8086:1572", "0000:0a:00.1 8086:1572"]' &&
	jqt '.records[0] | .group == 9 and (.forced | not) and .reason == null and (.matches | not) and (.mismatch | contains("0000:07:00.1 joined the group"))' &&
	run_v 0 persist list &&
	[ "$(head -1 "$work/stdout" | tr -s ' ')" = "KEY GROUP DRIVER FORCED MATCHES ATTACHED DEVICES REASON" ] &&
	grep -qE '^0000:0a:00.0 +11 +vfio-pci +yes +yes +no +0000:0a:00.0,0000:0a:00.1 +eth2 goes to the router VM$' "$work/stdout" &&
	grep -qE '^0000:07:00.0 +9 +vfio-pci +no +no +no +0000:07:00.0 +-$' "$work/stdout" &&
	outhas "0000:07:00.0: not applied at boot: 0000:07:00.1 joined the group since it was recorded" &&
	run_v 1 persist remove 12 && errhas "no persisted record for IOMMU group 12 (see 'vfioctl persist list')" &&
	run_v 1 persist remove 0000:1f:00.0 && errhas "no persisted record holds 0000:1f:00.0" &&
	run_v 2 persist remove nonsense && run_v 2 persist remove && run_v 2 persist frob &&
	run_v 0 persist remove 0a:00.1 && outhas "removed: $VFIOCTL_CONFDIR/0000:0a:00.0.conf" &&
	[ ! -e "$VFIOCTL_CONFDIR/0000:0a:00.0.conf" ] &&
	grep -q 'KERNEL=="0000:07:00.0"' "$VFIOCTL_UDEV_RULES" && ! grep -q '0a:00' "$VFIOCTL_UDEV_RULES" &&
	run_v 0 persist remove 9 && [ ! -e "$VFIOCTL_UDEV_RULES" ] &&
	run_v 0 persist list --json && jqt '.records == []' &&
	run_v 1 persist remove 9
	local rc=$?
	use_tree "$work/t"
	return $rc
}

t_apply_gate() {	# an unforced record does not pass host use; a forced one does
	[ -e "$FAKEBIND_SO" ] || { echo "$FAKEBIND_SO not built"; return 1; }
	fresh_tree pa || return 1
	local before rc=0
	before=$(snap "$work/pa")
	rec11 && run_v 4 group apply-persisted && errhas "eth2 is up with IPv6 addresses" &&
	! errhas "taking it anyway" 2>/dev/null &&
	[ "$(snap "$work/pa")" = "$before" ] || rc=1
	[ $rc -eq 0 ] && rec11 forced=no && run_v 4 group apply-persisted || rc=1
	[ $rc -eq 0 ] && rec11 forced=yes "eth2 goes to the router VM" || rc=1
	[ $rc -eq 0 ] && { JOURNAL_STREAM=8:1234 fakebind "$V" group apply-persisted \
		>"$work/stdout" 2>"$work/stderr" || { cat "$work/stderr"; rc=1; }; }
	[ $rc -eq 0 ] &&
	outhas "<6>$VFIOCTL_CONFDIR/0000:0a:00.0.conf: group 11 to vfio-pci, forced as recorded: eth2 goes to the router VM" &&
	outhas "<6>0000:0a:00.0: pci-stub -> vfio-pci" && outhas "<6>0000:0a:00.1: (no driver) -> vfio-pci" &&
	outhas "<6>group 11 attached to vfio-pci (2 devices moved)" &&
	errhas "<3>vfioctl: 0000:0a:00.1: interface eth2 is up with IPv6 addresses (--force: taking it anyway)" &&
	[ "$(drv_of 0000:0a:00.0)" = vfio-pci ] && [ "$(drv_of 0000:0a:00.1)" = vfio-pci ] || rc=1
	use_tree "$work/t"
	return $rc
}
ok "apply-persisted: only a forced record passes host use, and logs its reason with journal priorities" t_apply_gate

t_apply_rollback() {	# device 2 of 2 fails: device 1 goes back to pci-stub
	[ -e "$FAKEBIND_SO" ] || { echo "$FAKEBIND_SO not built"; return 1; }
	fresh_tree pr || return 1
	local rc=0
	rec11 forced=yes "router VM"
	JOURNAL_STREAM=8:1234 VFIOCTL_TEST_FAIL_BIND=0000:0a:00.1 fakebind "$V" group apply-persisted \
		>"$work/stdout" 2>"$work/stderr"
	[ $? -eq 1 ] || { echo "exit $?, want 1"; rc=1; }
	[ $rc -eq 0 ] &&
	outhas "<6>0000:0a:00.0: pci-stub -> vfio-pci" &&
	errhas "<3>vfioctl: 0000:0a:00.1: did not bind to vfio-pci (now unbound)" &&
	errhas "<3>vfioctl: group 11: 0000:0a:00.1 failed (errno 19, No such device) with 1 of 2 moved; rolling back" &&
	outhas "<6>group 11: rolled back; every member is on the driver it had before" &&
	[ "$(drv_of 0000:0a:00.0)" = pci-stub ] && [ -z "$(drv_of 0000:0a:00.1)" ] &&
	[ "$(ovr_of 0000:0a:00.0)" = "" ] && [ "$(ovr_of 0000:0a:00.1)" = "" ] &&
	[ ! -e "$VFIOCTL_RUNDIR/0000:0a:00.0" ] && ! grep -q "attached to" "$work/stdout" || { cat "$work/stdout" "$work/stderr"; rc=1; }
	use_tree "$work/t"
	return $rc
}
ok "apply-persisted: a bind failing on device 2 of 2 returns device 1 to its driver; device and errno logged" t_apply_rollback

t_initramfs_script() {
	fresh_tree pi || return 1
	local rc=0 s=$top_srcdir/contrib/initramfs-tools/scripts/init-top/vfioctl
	rec11 forced=yes "router VM" &&
	printf 'driver=vfio-pci\ndevice=0000:07:00.0 15b3:9999\n' >"$VFIOCTL_CONFDIR/0000:07:00.0.conf" &&
	printf 'driver=vfio-pci\ndevice=0000:1f:00.0 15b3:1017\n' >"$VFIOCTL_CONFDIR/0000:1f:00.0.conf" &&
	printf 'driver=e1000e\ndevice=0000:09:00.0 1234:11e8\n' >"$VFIOCTL_CONFDIR/0000:09:00.0.conf" &&
	VFIOCTL_KMSG=$work/kmsg VFIOCTL_MODPROBE=true sh "$s" >"$work/stdout" 2>&1 &&
	[ "$(ovr_of 0000:0a:00.1)" = vfio-pci ] && [ "$(ovr_of 0000:0a:00.0)" = "(null)" ] &&
	[ "$(ovr_of 0000:07:00.0)" = "(null)" ] && [ "$(ovr_of 0000:09:00.0)" = "(null)" ] &&
	[ "$(cat "$VFIOCTL_SYSFS_ROOT/bus/pci/drivers_probe")" = 0000:0a:00.1 ] &&
	grep -qxF "<6>vfioctl: 0000:0a:00.1: driver_override=vfio-pci (0000:0a:00.0.conf)" "$work/kmsg" &&
	grep -qxF "<4>vfioctl: 0000:0a:00.0 is already on pci-stub; vfioctl-persist.service moves it" "$work/kmsg" &&
	grep -qxF "<4>vfioctl: 0000:07:00.0.conf: 0000:07:00.0 is 0x15b3:0x1017, recorded as 15b3:9999; left alone" "$work/kmsg" &&
	grep -qxF "<4>vfioctl: 0000:1f:00.0.conf: 0000:1f:00.0 is not present" "$work/kmsg" &&
	grep -qxF "<3>vfioctl: 0000:09:00.0.conf: driver 'e1000e' is not a VFIO driver; skipped" "$work/kmsg" ||
	{ cat "$work/kmsg" "$work/stdout"; rc=1; }
	use_tree "$work/t"
	return $rc
}
ok "initramfs init-top script: driver_override for recorded, present, unbound devices; others logged and left alone" t_initramfs_script

t_service_order() {	# ordered as driverctl@.service: early, before basic.target
	local u=$top_srcdir/contrib/vfioctl-persist.service.in
	grep -qx 'DefaultDependencies=no' "$u" &&
	grep -qE '^Before=.*\bsysinit\.target\b' "$u" && grep -qE '^Before=.*\bbasic\.target\b' "$u" &&
	grep -qE '^After=.*\blocal-fs\.target\b' "$u" && grep -qx 'WantedBy=sysinit.target' "$u" &&
	grep -qx 'ExecStart=@sbindir@/vfioctl group apply-persisted' "$u"
}
ok "vfioctl-persist.service: no default dependencies, after local-fs, before sysinit/basic.target" t_service_order

# -------------------------------------------------------------- status
t_status() {
	run_v 0 status --json &&
	jqt '.schema_version == 1 and .stack == "stock" and .source == "procfs"' &&
	jqt '[.groups[].group] == [7, 8]' &&
	jqt '.groups[] | select(.group == 8) | .holders[0].comm == "dpdk-testpmd" and (.viable | not)' &&
	jqt '[.containers[].holders[0].pid] | sort == [4242, 4343]' &&
	jqt '.containers[0] | .groups == null and .dma_mappings == null' &&
	jqt '.processes[] | select(.pid == 4242) | .locked_bytes == 1073741824 and ([.holds[].kind] | sort == ["container","device","group"])' &&
	jqt '.processes[] | select(.pid == 4242) | [.holds[] | .path == .node] | all' &&
	jqt '.processes[] | select(.pid == 4242) | [.holds[] | select(.kind == "group") | .path] == ["/dev/vfio/7"]' &&
	jqt '.groups[] | select(.group == 8) | .path == "/dev/vfio/8" and .node == .path' &&
	jqt '[.devices[].device] == ["0000:01:00.0", "0000:02:01.0"]' &&
	run_v 0 status &&
	grep -qE '^GROUP +PATH +STATE +HELD-BY$' "$work/stdout" &&
	grep -qE '^8 +/dev/vfio/8 +not-viable +4343\(dpdk-testpmd\)$' "$work/stdout" &&
	grep -qE '^CONTAINER +ID +MAPPINGS +PINNED +HELD-BY$' "$work/stdout" &&
	grep -qE '^DEVICE +DRIVER$' "$work/stdout" &&
	grep -qE '^PID +COMM +LOCKED +HOLDS$' "$work/stdout" &&
	grep -qE '^4242 +qemu-system-x86 +1 GiB +/dev/vfio/vfio' "$work/stdout" &&
	grep -qE '^4343 +dpdk-testpmd +2 MiB ' "$work/stdout" || { cat "$work/stdout"; return 1; }
}
ok "status from sysfs + /proc: groups, containers, holders, locked memory" t_status

t_monitor() { run_v 6 monitor && errhas "has no event source"; }
ok "monitor on a stack without events exits 6 at once" t_monitor

t_check() {
	run_v 0 check --json &&
	jqt '.checks[] | select(.check == "iommu") | .status == "ok"' &&
	jqt '.checks[] | select(.check == "vfio-stack") | .message == "stock VFIO core 0.3"' &&
	jqt '.checks[] | select(.check == "dev-vfio") | .status == "warn" and (.fix | contains("udev"))' &&
	jqt '[.checks[] | select(.check == "dev-vfio") | .fix] | any(contains("opt in with the local udev rule"))'
}
ok "check: IOMMU, remapping, stack version, /dev/vfio permissions" t_check

t_check_vfioctl() {
	echo "0.1.0-vfioctl" >"$work/t/sys/module/vfio/version" &&
	run_v 0 check --json &&
	jqt '.checks[] | select(.check == "vfio-stack") | .message == "vfioctl VFIO core 0.1.0-vfioctl"' &&
	echo "0.3" >"$work/t/sys/module/vfio/version"
}
ok "check tells vfioctl's stack apart by its version suffix" t_check_vfioctl

# Real kernels leave an empty iommu_groups without an IOMMU; test a
# missing directory too.  Every command gives the same answer and exit 5.
t_no_iommu() {	# t_no_iommu GENERATOR-OPTION
	local rc=0 args
	python3 "$GEN" "$work/noiommu$1" "$1" >/dev/null || return 1
	use_tree "$work/noiommu$1"
	for args in "list" "list --json" "group show 1" "group attach 1" \
		    "group detach 1" "device info 0000:04:00.0"; do
		# shellcheck disable=SC2086
		run_v 5 $args && errhas "no IOMMU groups: the IOMMU is off or absent" || rc=1
	done
	run_v 5 check --json && jqt '.checks[0].status == "fail" and (.checks[0].fix | contains("intel_iommu=on"))' || rc=1
	# A persisted group on a host that lost its IOMMU: the same answer.
	mkdir -p "$work/noiommu$1/etc" &&
	printf 'driver=vfio-pci\ndevice=0000:07:00.0 15b3:1017\ndevice=0000:07:00.1 15b3:1017\n' \
		>"$work/noiommu$1/etc/0000:07:00.0.conf" &&
	run_v 5 group apply-persisted && errhas "no IOMMU groups: the IOMMU is off or absent" || rc=1
	use_tree "$work/t"
	return $rc
}
ok "no IOMMU (empty iommu_groups): every command exits 5 with the fix" t_no_iommu --no-iommu
ok "no IOMMU (no iommu_groups directory): every command exits 5 with the fix" t_no_iommu --no-iommu-dir

t_detach_not_attached() {
	local before
	before=$(snap "$work/t")
	run_v 1 group detach 5 && errhas "group 5 is not attached: no member is on vfio-pci" &&
	run_v 1 group detach 9 && errhas "group 9 is not attached" &&
	[ "$(snap "$work/t")" = "$before" ]
}
ok "detach of a group that is not attached is an error (exit 1), nothing written" t_detach_not_attached

t_device_info_errors() {
	run_v 1 device info 0000:1f:00.0 && errhas "0000:1f:00.0: no such PCI device" &&
	run_v 3 device info 0000:05:00.0 && errhas "0000:05:00.0 (group 5): open on" &&
	errhas "attach its group first: vfioctl group attach 5"
}
ok "device info: unknown device exits 1; an unattached one names its real group and passes the library's message" t_device_info_errors

t_driver_rule() {
	run_v 2 group attach 9 --driver e1000e && errhas "--driver e1000e: not a VFIO driver" &&
	run_v 2 group attach 9 --driver vfio && run_v 2 group detach 9 --driver pci-stub &&
	run_v 1 group attach 9 --driver mlx5_vfio_pci && errhas "driver mlx5_vfio_pci is not loaded"
}
ok "--driver takes only vfio-pci and its *-vfio-pci/*_vfio_pci variants (exit 2)" t_driver_rule

# The library against fake-vfio.so (tests/unit/preload), the LD_PRELOAD
# kernel of the library's own tests: regions of a device on vfio-pci.
FAKE_SO=$top_builddir/tests/unit/preload/.libs/fake-vfio.so
t_device_info_fake() {
	[ -e "$FAKE_SO" ] || { echo "# $FAKE_SO not built"; return 1; }
	LD_PRELOAD=$FAKE_SO "$V" device info 0000:01:00.0 >"$work/stdout" 2>"$work/stderr" || return 1
	grep -qE '^  REGION +NAME +BYTES +FLAGS +SIZE +CAPABILITIES$' "$work/stdout" &&
	grep -qE '^  0 +BAR0 +16384 rwm +16 KiB +\[msix-mappable\]' "$work/stdout" &&
	grep -qE '^  7 +CONFIG +256 rw- +256 B$' "$work/stdout" &&
	grep -q '^device 0000:01:00.0  group 7 ' "$work/stdout" &&
	LD_PRELOAD=$FAKE_SO "$V" device info 0000:01:00.0 --json >"$work/stdout" 2>"$work/stderr" &&
	jqt '.device.group == 7 and (.device.regions[] | select(.name == "BAR0") | .size == 16384)' ||
	{ cat "$work/stdout" "$work/stderr"; return 1; }
}
ok "device info (fake VFIO kernel): BYTES exact, SIZE in binary units; JSON keeps bytes" t_device_info_fake

# Runs as nobody: the fixture must be readable by it.
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
t_nonroot() {
	command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ] || { echo "# needs root and setpriv"; return 0; }
	chmod 755 "$work"
	local a
	for a in "group attach 9" "group detach 7" "group apply-persisted"; do
		# shellcheck disable=SC2086
		as_nobody "$V" $a >"$work/stdout" 2>"$work/stderr"
		[ $? -eq 1 ] && errhas "vfioctl ${a% [0-9]*}" && errhas "needs root (running as uid 65534)" || return 1
	done
	as_nobody "$V" status >"$work/stdout" 2>"$work/stderr"
	[ $? -eq 1 ] && errhas "who holds VFIO objects is visible to CAP_NET_ADMIN only: run vfioctl status as root" || return 1
	as_nobody "$V" device info 0000:01:00.0 >"$work/stdout" 2>"$work/stderr"
	[ $? -eq 1 ] && errhas "0000:01:00.0 (group 7): open on" &&
	errhas "Permission denied" && errhas "device info opens /dev/vfio/7: run it as root" || return 1
	as_nobody "$V" list >"$work/stdout" 2>"$work/stderr"
	[ $? -eq 0 ] && errhas "not root: processes of other users that hold groups are not shown"
}
ok "non-root: attach/detach/apply-persisted/status/device info say they need root; list warns" t_nonroot

# --json keeps stdout one valid JSON document on errors too.
jerr() {	# jerr STATUS ERRNO MESSAGE-PART ARGS... - a JSON error object
	local st=$1 en=$2 part=$3
	shift 3
	run_v "$st" "$@" &&
	jqt "(keys == [\"error\", \"schema_version\"]) and .error.errno == $en and .error.exit_status == $st" &&
	jqt ".error.message | contains(\"$part\")" || { echo "(vfioctl $*)"; return 1; }
}
t_json_errors() {
	local rc=0
	jerr 1 2 "IOMMU group 99 does not exist" group show 99 --json || rc=1
	jerr 1 19 "0000:1f:00.0: no such PCI device" device info 0000:1f:00.0 --json || rc=1
	jerr 3 2 "(group 5): open on" device info 0000:05:00.0 --json || rc=1
	jerr 6 95 "has no event source" monitor --json || rc=1
	jerr 2 22 "invalid arguments" list --json extra || rc=1
	jerr 2 22 "invalid arguments" status --json --bogus || rc=1
	jerr 2 22 "invalid arguments" check -j nonsense || rc=1
	python3 "$GEN" "$work/jnoiommu" --no-iommu >/dev/null && use_tree "$work/jnoiommu" &&
	jerr 5 19 "no IOMMU groups" list --json &&
	jerr 5 19 "no IOMMU groups" group show 1 --json &&
	jerr 5 19 "no IOMMU groups" device info 0000:04:00.0 --json &&
	run_v 5 check --json && jqt '.checks[0].status == "fail" and (has("error") | not)' || rc=1
	use_tree "$work/t"
	if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
		chmod 755 "$work"
		as_nobody "$V" status --json >"$work/stdout" 2>"$work/stderr"
		[ $? -eq 1 ] && jqt '.error.errno == 1 and .error.name == "EPERM"' || rc=1
	fi
	run_v 0 list --help && [ "$(head -c1 "$work/stdout")" != "{" ] || rc=1
	return $rc
}
ok "persist list (table, --json) shows forced, reason, group now, match; persist remove KEY|GROUP, exit 1 when not found" t_persist_list_remove

ok "--json on errors: one JSON error object (errno, name, message, exit_status) from every command" t_json_errors

# ---------------------------------------------------------- large tree
t_large() {
	python3 "$GEN" "$work/big" --bulk 4000 >/dev/null &&
	use_tree "$work/big" &&
	run_v 0 list --json &&
	jqt '[.groups[].devices[]] | length == 4025' &&
	jqt '.groups | length == 1018' &&
	jqt '[.groups[] | select(.group >= 1000) | .state] | group_by(.) | map({(.[0]): length}) | add == {"free": 499, "host": 334, "vfio": 167}' &&
	jqt '.groups[] | select(.group == 1001) | .blocker == null and .state == "free"' &&
	run_v 0 list && [ "$(grep -c '^group ' "$work/stdout")" -eq 1018 ]
	local rc=$?
	use_tree "$work/t"
	return $rc
}
ok "large tree (4000 extra devices): every group and device listed and classified" t_large

# Stock leaves group nodes root:root 0600; the shipped rule must too.
t_udev_default() {
	local rules=$top_srcdir/contrib/70-vfioctl.rules active
	active=$(grep -vE '^[[:space:]]*(#|$)' "$rules")
	[ "$active" = 'SUBSYSTEM=="vfio", KERNEL=="vfio", MODE="0666"' ] || {
		echo "active rules besides /dev/vfio/vfio:"; echo "$active"; return 1; }
	grep -q '^#   SUBSYSTEM=="vfio", KERNEL=="\[0-9\]\*", GROUP="vfio", MODE="0660"' "$rules"
}
ok "udev rule: only /dev/vfio/vfio is opened up; vfio-group access is a documented opt-in" t_udev_default

t_dkms_modules() {
	[ "$(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"$/\1/p' "$top_srcdir/contrib/dkms.conf.in" | sort | tr '\n' ' ')" = \
	  "vfio vfio-pci vfio_iommu_type1 " ]
}
ok "DKMS installs only vfio, vfio_iommu_type1 and vfio-pci (never vfio_test)" t_dkms_modules

# ---------------------------------------------------------- help
# help_has ARGS -- OPTIONS-SHOWN -- OPTIONS-NOT-SHOWN
help_has() {
	local args=() want=() not=() o
	while [ "$1" != -- ]; do args+=("$1"); shift; done; shift
	while [ "$1" != -- ]; do want+=("$1"); shift; done; shift
	not=("$@")
	run_v 0 "${args[@]}" --help || return 1
	grep -q '^Exit status' "$work/stdout" && grep -qE '^  0  ' "$work/stdout" ||
		{ echo "vfioctl ${args[*]} --help: no exit status lines"; cat "$work/stdout"; return 1; }
	for o in "${want[@]}"; do
		grep -qE -- "^ +(-[a-z], )?$o\b" "$work/stdout" || { echo "vfioctl ${args[*]} --help lacks $o"; return 1; }
	done
	for o in "${not[@]}"; do
		! grep -qE -- "^ +(-[a-z], )?$o\b" "$work/stdout" || { echo "vfioctl ${args[*]} --help shows $o"; return 1; }
	done
}
t_help_per_command() {
	help_has group attach -- --force --persist --reason --driver -- --json &&
	grep -qE '^  4  a device is in use by the host' "$work/stdout" &&
	help_has group show -- --json -- --force --persist --driver --reason &&
	help_has group detach -- --driver -- --force --persist --json --reason &&
	help_has group apply-persisted -- -- --force --persist --json --driver --reason &&
	grep -qE '^  3  a group changed since it was recorded' "$work/stdout" &&
	help_has persist list -- --json -- --force --driver &&
	help_has persist remove -- -- --json --force &&
	help_has list -- --json -- --force --driver &&
	help_has status -- --json -- --force &&
	help_has check -- --json -- --force &&
	help_has monitor -- --json -- --force &&
	help_has device -- --json -- --force --driver &&
	grep -qE '^  3  its group is not attached' "$work/stdout" &&
	run_v 0 group --help && outhas "attach N [--force] [--persist] [--reason TEXT]" &&
	run_v 0 persist --help && outhas "remove KEY|GROUP" &&
	run_v 0 --help && outhas "persist list|remove"
}
ok "COMMAND [SUB] --help: only that command's options, and its exit status lines" t_help_per_command

# ---------------------------------------------------------- completion
complete_words() {	# complete_words WORD... - what completes the last word
	COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) bash -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_vfioctl; echo "${COMPREPLY[*]}"' _ "$top_srcdir/contrib/bash-completion/vfioctl" "$@"
}
t_completion() {
	[ "$(complete_words vfioctl gr)" = group ] &&
	[ "$(complete_words vfioctl group a)" = "attach apply-persisted" ] &&
	[ "$(complete_words vfioctl group attach 7 --)" = "--force --persist --reason --driver" ] &&
	[ "$(complete_words vfioctl p)" = persist ] &&
	[ "$(complete_words vfioctl persist "")" = "list remove" ] &&
	[ "$(complete_words vfioctl persist list --)" = --json ] &&
	mkdir -p "$work/cc" && : >"$work/cc/0000:0a:00.0.conf" && : >"$work/cc/0000:07:00.0.conf" &&
	[ "$(VFIOCTL_CONFDIR=$work/cc complete_words vfioctl persist remove "")" = "0000:07:00.0 0000:0a:00.0" ] &&
	[ "$(complete_words vfioctl device "")" = info ] &&
	[ "$(complete_words vfioctl list --j)" = --json ]
}
ok "bash completion: commands, group and persist subcommands, options, persisted keys" t_completion

echo "1..$n"
[ "$failed" -eq 0 ]
