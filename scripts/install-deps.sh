#!/bin/bash
# Install everything vfioctl needs to build and to run its VM test suite on
# Debian 12, from Debian's archive only.  Idempotent; run as root.
#
# bookworm-backports (for the 6.12 kernel) and trixie (for virtme-ng, whose
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
	libnl-3-dev libnl-genl-3-dev libjson-c-dev
	# tests
	bats bats-assert bats-support jq clang libclang-rt-14-dev
	valgrind util-linux procps
	libdpdk-dev dpdk dpdk-dev
	# VM
	qemu-system-x86 udev busybox-static cpio
	# kernels: Debian 12's 6.1
	linux-image-amd64 linux-headers-amd64
)
apt_get install --no-install-recommends "${pkgs[@]}"

# 6.12 from bookworm-backports: resolve the ABI package behind the metapackage
# so the 6.1 metapackage stays installed.
bpo_img=$(apt-cache depends -t bookworm-backports linux-image-amd64 2>/dev/null |
	awk '/Depends: linux-image-6/ { print $2; exit }')
if [ -n "$bpo_img" ]; then
	rel=${bpo_img#linux-image-}
	apt_get install --no-install-recommends -t bookworm-backports \
		"$bpo_img" "linux-headers-$rel"
else
	echo "install-deps: no 6.x kernel found in bookworm-backports" >&2
	exit 1
fi

# virtme-ng (vng) from trixie; its dependencies resolve from bookworm.
apt_get install --no-install-recommends virtme-ng/trixie
