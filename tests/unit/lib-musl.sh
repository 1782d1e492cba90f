#!/bin/sh
# lib-musl.sh - libvfioctl builds with musl (no strerrorname_np, no glibc
# extensions): every source compiles with musl-gcc and the project's
# warnings, and a static consumer links and names an errno through the
# library's own table.  Skipped when musl-gcc (musl-tools) is missing.
# TAP.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
MUSL_GCC=${MUSL_GCC:-musl-gcc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..3"
if ! command -v "$MUSL_GCC" >/dev/null 2>&1; then
	for i in 1 2 3; do
		echo "ok $i # SKIP $MUSL_GCC not found (apt-get install musl-tools)"
	done
	exit 0
fi

# musl-gcc searches only musl's headers; give it the kernel's uapi ones.
mkdir "$tmp/inc"
for d in linux asm-generic; do
	ln -s "/usr/include/$d" "$tmp/inc/$d"
done
asm=$(ls -d /usr/include/*-linux-gnu/asm 2>/dev/null | head -n 1)
[ -n "$asm" ] && ln -s "$asm" "$tmp/inc/asm"

# Not config.h: that one describes glibc.  PACKAGE_VERSION is all the
# library needs from it.
flags="-std=gnu11 -D_GNU_SOURCE -DPACKAGE_VERSION=\"musl\" -fPIC \
-fvisibility=hidden -Wall -Wextra -Wshadow -Wmissing-prototypes \
-Wstrict-prototypes -Wno-unused-parameter -Wno-missing-field-initializers \
-Wdeclaration-after-statement -Wvla -Werror \
-I$top_srcdir/libvfioctl -I$top_srcdir/include -isystem $tmp/inc"

bad=
: >"$tmp/err"
for src in "$top_srcdir"/libvfioctl/*.c; do
	obj=$tmp/$(basename "$src" .c).o
	# shellcheck disable=SC2086
	"$MUSL_GCC" $flags -c -o "$obj" "$src" >>"$tmp/err" 2>&1 ||
		bad="$bad $(basename "$src")"
done
if [ -z "$bad" ]; then
	echo "ok 1 - every libvfioctl source compiles with musl-gcc"
else
	echo "not ok 1 - with musl-gcc these do not compile:$bad"
	sed 's/^/# /' "$tmp/err"
fi

cat >"$tmp/consumer.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libvfioctl.h>

int main(void)
{
	struct vfioctl_ctx *ctx;
	struct vfioctl_container *c;

	if (vfioctl_new(&ctx) < 0 ||
	    vfioctl_set_root(ctx, "/nonexistent/sys", "/nonexistent/dev") < 0)
		return 2;
	if (vfioctl_container_open(ctx, &c) != -ENOENT)
		return 3;
	puts(vfioctl_get_last_error(ctx));
	vfioctl_unref(ctx);
	return 0;
}
C
# shellcheck disable=SC2086
if [ -z "$bad" ] && "$MUSL_GCC" $flags -static -o "$tmp/consumer" \
	"$tmp/consumer.c" "$tmp"/*.o -lpthread >"$tmp/err" 2>&1; then
	echo "ok 2 - a static consumer links against musl"
else
	echo "not ok 2 - a static consumer does not link against musl"
	sed 's/^/# /' "$tmp/err"
fi

out=$("$tmp/consumer" 2>&1)
case $out in
*"(ENOENT)"*)
	echo "ok 3 - under musl the last error names ENOENT: $out" ;;
*)
	echo "not ok 3 - under musl the error text is '$out' (rc $?)" ;;
esac
