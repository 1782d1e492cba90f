# vfioctl: the admin CLI.  The decision logic (sysfs scan, viability,
# plans, host-use detection, persistence records) lives in a noinst
# library so host unit tests link the same code the tool runs.
noinst_LTLIBRARIES += cli/libvfioctl-cli.la
cli_libvfioctl_cli_la_SOURCES = \
	cli/sysfs.c cli/sysfs.h \
	cli/plan.c cli/plan.h \
	cli/attach-check.c cli/attach-check.h \
	cli/inuse.c cli/inuse.h \
	cli/holders.c cli/holders.h \
	cli/persist.c cli/persist.h \
	cli/stack.c cli/stack.h \
	cli/netstate.c cli/netstate-nl.c cli/netstate.h \
	cli/units.c cli/units.h \
	libvfioctl/vfio-driver.c libvfioctl/vfio-driver.h \
	libvfioctl/errno-name.c libvfioctl/errno-name.h
cli_libvfioctl_cli_la_LIBADD = libvfioctl/libvfioctl.la $(LIBNL_ROUTE_LIBS) $(LIBMOUNT_LIBS)
cli_libvfioctl_cli_la_CFLAGS = $(AM_CFLAGS) $(LIBNL_ROUTE_CFLAGS) $(LIBMOUNT_CFLAGS) \
	-DVFIOCTL_DEFAULT_CONFDIR='"$(sysconfdir)/vfioctl.d"'

sbin_PROGRAMS += cli/vfioctl
cli_vfioctl_SOURCES = \
	cli/vfioctl.c cli/vfioctl.h \
	cli/list.c cli/list.h \
	cli/group.c \
	cli/persist-cmd.c \
	cli/device.c \
	cli/status.c \
	cli/monitor.c \
	cli/check.c \
	cli/priv.c cli/priv.h \
	cli/pciids.c cli/pciids.h \
	cli/json.c cli/json.h \
	cli/genl.c cli/genl.h
cli_vfioctl_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) $(JSON_CFLAGS) $(LIBPCI_CFLAGS)
cli_vfioctl_LDADD = cli/libvfioctl-cli.la libvfioctl/libvfioctl.la \
	$(LIBNL_LIBS) $(JSON_LIBS) $(LIBPCI_LIBS)
