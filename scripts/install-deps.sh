#!/bin/bash
# Install everything vfioctl needs to build and to run its VM test suite on
# Debian 12, from Debian's archive only.  Idempotent; run as root.
#
# bookworm-backports (the fallback for the 6.12 kernel) and trixie (for virtme-ng, whose
# trixie .deb installs on bookworm) are added with source lines derived from
# the system's own debian.sources, pinned so that nothing else moves.
set -euo pipefail

[ "$(id -u)" -eq 0 ] || { echo "install-deps: must run as root" >&2; exit 1; }

src=/etc/apt/sources.list.d/debian.sources
extra=/etc/apt/sources.list.d/vfioctl-extra.sources
pin=/etc/apt/preferences.d/vfioctl-extra

# Suites beyond bookworm that we need, from the first URI of the main archive.
if [ ! -f "$extra" ]; then
	uri=$(awk '/^URIs:/ { print $2; exit }' "$src")
	key=$(awk '/^Signed-By:/ { print $2; exit }' "$src")
	[ -n "$uri" ] || { echo "install-deps: no URIs: line in $src" >&2; exit 1; }
	cat >"$extra" <<EOS
Types: deb
URIs: $uri
Suites: bookworm-backports trixie
Components: main
Signed-By: ${key:-/usr/share/keyrings/debian-archive-keyring.gpg}
EOS
	cat >"$pin" <<EOS
Package: *
Pin: release n=trixie
Pin-Priority: 50
EOS
fi

export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -y -q -o Dpkg::Options::=--force-confold "$@"; }

apt_get update

pkgs=(
	# build
	build-essential autoconf automake libtool pkg-config kmod
	# module builds against the unpacked headers: BTF (pahole), as the
	# linux-headers packages would pull in
	dwarves bc bison flex libelf-dev libssl-dev
	libnl-3-dev libnl-genl-3-dev libnl-route-3-dev libjson-c-dev
	libmount-dev libpci-dev
	# tests
	bats bats-assert bats-support jq clang libclang-rt-14-dev
	valgrind util-linux procps
	# tests/unit/lib-musl.sh: the library built against musl
	musl-tools
	libdpdk-dev dpdk dpdk-dev
	# VM
	qemu-system-x86 udev busybox-static cpio
	# make bench: the curves as SVG (tests/bench/report.py)
	gnuplot-nox
)
apt_get install --no-install-recommends "${pkgs[@]}"

# Test kernels (6.1 from bookworm, 6.12 from bookworm-security) are
# downloaded and unpacked into a cache, never installed: the host's next
# boot must not change because someone ran the tests.
"$(dirname "${BASH_SOURCE[0]}")/../tests/vm/kernel-cache" fetch 6.1 6.12

# virtme-ng (vng) from trixie; its dependencies resolve from bookworm.
apt_get install --no-install-recommends virtme-ng/trixie
