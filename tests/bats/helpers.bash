# tests/bats/helpers.bash - shared helpers for the VM suite.  Loaded by
# every .bats file with `load helpers`.  Runs inside the test VM started by
# tests/vm/run, which exports VFIOCTL_TOP, VFIOCTL_STACK (ours|stock|none)
# and VFIOCTL_KMOD_DIR (our modules for the running kernel).
set -u
bats_require_minimum_version 1.5.0

load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

: "${VFIOCTL_TOP:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
: "${VFIOCTL_STACK:=none}"
: "${VFIOCTL_KMOD_DIR:=}"
VFIOCTL=${VFIOCTL:-$VFIOCTL_TOP/cli/vfioctl}
UAPI_DIR=$VFIOCTL_TOP/tests/uapi
KERNEL_SERIES=$(uname -r | cut -d. -f1-2)

EDU_VENDOR=0x1234
EDU_DEVICE=0x11e8

# requires KEYWORD... - skip the test unless every condition holds.  An
# unknown keyword fails the test, so a typo can never turn into a skip.
requires() {
	local var
	for var in "$@"; do
		case "$var" in
		root) [ "$(id -u)" -eq 0 ] || skip "test requires root" ;;
		ours) [ "$VFIOCTL_STACK" = ours ] || skip "test requires our VFIO stack" ;;
		stock) [ "$VFIOCTL_STACK" = stock ] || skip "test requires the stock VFIO stack" ;;
		stack) [ "$VFIOCTL_STACK" != none ] || skip "test requires a VFIO stack" ;;
		iommu) [ -n "$(ls /sys/class/iommu 2>/dev/null)" ] || skip "test requires an IOMMU" ;;
		edu) [ -n "$(edu_devices)" ] || skip "test requires QEMU edu devices" ;;
		kernel:*) [ "$KERNEL_SERIES" = "${var#kernel:}" ] || skip "test requires kernel ${var#kernel:}" ;;
		*) fail "BUG: invalid requires keyword '$var'" ;;
		esac
	done
}

# vrun CMD... - bats `run` that logs the command and its output, shown only
# when the test fails.
vrun() {
	local flags=()
	while [ $# -gt 0 ] && [[ "$1" == -* || "$1" == '!' ]]; do
		flags+=("$1")
		shift
	done
	run "${flags[@]}" "$@"
	echo "vrun: $* (status=$status)" >&2
	[ -z "$output" ] || printf '%s\n' "$output" >&2
}

# bounded SECONDS CMD... - run CMD; if it still runs after SECONDS, print
# its processes with their kernel stacks and every task blocked in the
# kernel (what a hang looks like from inside the guest), kill them and
# return 124.  For programs that could wait forever on a kernel bug.
bounded() {
	local secs=$1 pid p c procs queue
	shift
	"$@" <&0 &
	pid=$!
	# tail polls the pid once a second: no fork per poll.
	if timeout "$secs" tail --pid="$pid" -f /dev/null; then
		wait "$pid"
		return
	fi
	procs=("$pid") queue=("$pid")
	while [ "${#queue[@]}" -gt 0 ]; do
		c=$(ps -o pid= --ppid "${queue[0]}")
		queue=("${queue[@]:1}" $c) procs+=($c)
	done
	echo "bounded: '$*' still running after ${secs}s (pid $pid)"
	for p in "${procs[@]}" $(ps -eo pid=,stat= | awk '$2 ~ /^D/ { print $1 }'); do
		[ -r "/proc/$p/stack" ] || continue
		echo "-- $p $(ps -o stat=,wchan:32=,args= -p "$p")"
		cat "/proc/$p/stack"
	done
	kill -KILL "${procs[@]}" 2>/dev/null
	wait "$pid"
	return 124
}

# ---------------------------------------------------------------- devices

# These run several times per test, in a guest where every fork costs
# tens of milliseconds under TCG: shell builtins only, where they can.

# edu_devices - PCI addresses of every edu device, sorted (glob order).
edu_devices() {
	local d v id
	for d in /sys/bus/pci/devices/*; do
		read -r v <"$d/vendor" && read -r id <"$d/device" || continue
		[ "$v" = "$EDU_VENDOR" ] && [ "$id" = "$EDU_DEVICE" ] && echo "${d##*/}"
	done
	return 0
}

# iommu_group_of ADDR - the IOMMU group number of a PCI device.
iommu_group_of() {
	local l
	l=$(readlink "/sys/bus/pci/devices/$1/iommu_group") || return 1
	echo "${l##*/}"
}

# group_members N - the devices of IOMMU group N.
group_members() {
	local f
	for f in "/sys/kernel/iommu_groups/$1/devices/"*; do
		[ -e "$f" ] && echo "${f##*/}"
	done
	return 0
}

# group_size N - how many devices IOMMU group N has.
group_size() {
	local f=("/sys/kernel/iommu_groups/$1/devices/"*)
	[ -e "${f[0]}" ] && echo "${#f[@]}" || echo 0
}

# edu_solo - the edu device that is alone in its IOMMU group.
edu_solo() {
	local d
	for d in $(edu_devices); do
		[ "$(group_size "$(iommu_group_of "$d")")" -eq 1 ] && { echo "$d"; return 0; }
	done
	return 1
}

# edu_pair - the two edu devices that share one IOMMU group.
edu_pair() {
	local d
	for d in $(edu_devices); do
		[ "$(group_size "$(iommu_group_of "$d")")" -gt 1 ] && echo "$d"
	done
	return 0
}

# driver_of ADDR - the driver a PCI device is bound to, or empty.
driver_of() {
	local l=/sys/bus/pci/devices/$1/driver
	[ -L "$l" ] || return 0
	l=$(readlink "$l")
	echo "${l##*/}"
}

# IDs of the test VM's devices (tests/vm/run's topology).
VIRTIO_NET_VENDOR=0x1af4
VIRTIO_NET_DEVICE=0x1041
E1000_VENDOR=0x8086
E1000_DEVICE=0x100e
NVME_VENDOR=0x1b36
NVME_DEVICE=0x0010

# pci_find VENDOR DEVICE - the first PCI device with these IDs
pci_find() {
	local d v id
	for d in /sys/bus/pci/devices/*; do
		read -r v <"$d/vendor" && read -r id <"$d/device" || continue
		[ "$v" = "$1" ] && [ "$id" = "$2" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# bind_vfio ADDR... - bind devices to vfio-pci the way tools do it:
# driver_override, unbind from the current driver, drivers_probe.
bind_vfio() {
	local d
	for d in "$@"; do
		echo vfio-pci >"/sys/bus/pci/devices/$d/driver_override"
		[ -z "$(driver_of "$d")" ] || echo "$d" >"/sys/bus/pci/devices/$d/driver/unbind"
		echo "$d" >/sys/bus/pci/drivers_probe
		[ "$(driver_of "$d")" = vfio-pci ] || { echo "bind_vfio: $d did not bind to vfio-pci" >&2; return 1; }
	done
}

# unbind_all ADDR... - unbind devices and clear driver_override.
unbind_all() {
	local d
	for d in "$@"; do
		[ -z "$(driver_of "$d")" ] || echo "$d" >"/sys/bus/pci/devices/$d/driver/unbind"
		echo >"/sys/bus/pci/devices/$d/driver_override"
	done
}

# reload_vfio_pci [PARAM=VALUE] - vfio-pci again, with the parameter given
reload_vfio_pci() {
	rmmod vfio_pci || return 1
	case "$VFIOCTL_STACK" in
	ours) insmod "$VFIOCTL_KMOD_DIR/vfio-pci.ko" "$@" ;;
	stock) modprobe vfio-pci "$@" ;;
	esac
}

# bind_test ADDR - bind_vfio, remembering ADDR in BOUND (which the test's
# setup() empties) for restore_bound in teardown().  Call it directly, not
# through run/vrun: run's subshell would lose BOUND.
bind_test() {
	BOUND+=("$1")
	bind_vfio "$1"
}

# restore_bound - every device of BOUND back to its host driver (virtio-pci,
# e1000...), for the tests and files that follow.
restore_bound() {
	local d
	for d in "${BOUND[@]}"; do
		unbind_all "$d"
		echo "$d" >/sys/bus/pci/drivers_probe || true
	done
	BOUND=()
}

# ---------------------------------------------------------------- modules

# load_stack / unload_stack - (re)load the stack under test.
load_stack() {
	case "$VFIOCTL_STACK" in
	ours)
		local m
		# vfio-pci's one dependency outside the stack
		modprobe irqbypass || return 1
		for m in vfio vfio_iommu_type1 vfio-pci; do
			lsmod | grep -q "^${m//-/_} " || insmod "$VFIOCTL_KMOD_DIR/$m.ko" || return 1
		done
		;;
	stock) modprobe vfio-pci && modprobe vfio_iommu_type1 ;;
	none) return 0 ;;
	esac
}

unload_stack() {
	local m
	for m in vfio_test vfio_pci vfio_pci_core vfio_iommu_type1 vfio; do
		if lsmod | grep -q "^$m "; then
			rmmod "$m" || return 1
		fi
	done
}

# module_loaded NAME - is module NAME (dashes or underscores) loaded?
module_loaded() {
	[ -d "/sys/module/${1//-/_}" ]
}

# genl_family_present NAME - is generic netlink family NAME registered?
genl_family_present() {
	genl ctrl list 2>/dev/null | grep -q "^Name: $1\$"
}

# assert_group_node N - /dev/vfio/N exists as a character device of the
# vfio class, mode 0600 as upstream.
assert_group_node() {
	local n=/dev/vfio/$1
	[ -c "$n" ] || fail "$n does not exist"
	run stat -c '%a' "$n"
	assert_output 600
}
