# vfioctl: the admin CLI.
sbin_PROGRAMS += cli/vfioctl
cli_vfioctl_SOURCES = \
	cli/vfioctl.c \
	cli/vfioctl.h
cli_vfioctl_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) $(JSON_CFLAGS)
cli_vfioctl_LDADD = libvfioctl/libvfioctl.la $(LIBNL_LIBS) $(JSON_LIBS)
