# libvfioctl: the public library.  Hidden visibility; exports through
# libvfioctl.sym only.
lib_LTLIBRARIES += libvfioctl/libvfioctl.la
pkginclude_HEADERS = libvfioctl/libvfioctl.h

LIBVFIOCTL_SRC = \
	libvfioctl/libvfioctl.c \
	libvfioctl/libvfioctl-private.h \
	libvfioctl/errors.c \
	libvfioctl/hints.c \
	libvfioctl/vfio-driver.c libvfioctl/vfio-driver.h \
	libvfioctl/errno-name.c libvfioctl/errno-name.h \
	libvfioctl/sysfs.c \
	libvfioctl/topology.c \
	libvfioctl/caps.c \
	libvfioctl/info.c \
	libvfioctl/adopt.c \
	libvfioctl/container.c \
	libvfioctl/group.c \
	libvfioctl/device.c \
	libvfioctl/region.c \
	libvfioctl/irq.c \
	libvfioctl/kvm.c

libvfioctl_libvfioctl_la_SOURCES = $(LIBVFIOCTL_SRC)
libvfioctl_libvfioctl_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
libvfioctl_libvfioctl_la_LIBADD = -lpthread
libvfioctl_libvfioctl_la_LDFLAGS = \
	-version-info $(LIBVFIOCTL_CURRENT):$(LIBVFIOCTL_REVISION):$(LIBVFIOCTL_AGE) \
	-Wl,--version-script=$(top_srcdir)/libvfioctl/libvfioctl.sym \
	-Wl,--no-undefined
EXTRA_libvfioctl_libvfioctl_la_DEPENDENCIES = libvfioctl/libvfioctl.sym

# The same objects without the version script, for white-box unit tests.
check_LTLIBRARIES += libvfioctl/libvfioctl-internal.la
libvfioctl_libvfioctl_internal_la_SOURCES = $(LIBVFIOCTL_SRC)
libvfioctl_libvfioctl_internal_la_CFLAGS = $(AM_CFLAGS)
libvfioctl_libvfioctl_internal_la_LIBADD = -lpthread

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = libvfioctl/libvfioctl.pc
EXTRA_DIST += libvfioctl/libvfioctl.sym libvfioctl/libvfioctl.pc.in
DISTCLEANFILES += libvfioctl/libvfioctl.pc

# examples/local.mk is included from tests/unit/lib.mk: it appends to
# noinst_PROGRAMS, which tests/uapi/local.mk sets first.
