# Packaging: DKMS, depmod override, udev rules, systemd unit, completion.
EXTRA_DIST += contrib/dkms.conf.in contrib/depmod.d/vfioctl.conf

udevrules_DATA = contrib/70-vfioctl.rules
bashcompletion_DATA = contrib/bash-completion/vfioctl
systemdsystemunit_DATA = contrib/vfioctl-persist.service
EXTRA_DIST += contrib/70-vfioctl.rules contrib/bash-completion/vfioctl \
	contrib/vfioctl-persist.service.in

contrib/vfioctl-persist.service: contrib/vfioctl-persist.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) contrib && \
	$(SED) -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		$(srcdir)/contrib/vfioctl-persist.service.in >$@
CLEANFILES += contrib/vfioctl-persist.service

# The directory persisted groups are written to.
install-data-local: install-vfioctl-confdir
install-vfioctl-confdir:
	$(MKDIR_P) $(DESTDIR)$(sysconfdir)/vfioctl.d

# initramfs-tools: the hook copies the persisted records, their udev rules,
# the VFIO modules and vfioctl into the initramfs; the init-top script
# writes driver_override for the recorded devices there.  Read from
# /usr/share/initramfs-tools: configure --prefix=/usr, or
# make install initramfstoolsdir=/usr/share/initramfs-tools.
initramfstoolsdir = $(datadir)/initramfs-tools
initramfshooksdir = $(initramfstoolsdir)/hooks
initramfsinittopdir = $(initramfstoolsdir)/scripts/init-top
initramfshooks_SCRIPTS = contrib/initramfs-tools/hooks/vfioctl
initramfsinittop_SCRIPTS = contrib/initramfs-tools/scripts/init-top/vfioctl
EXTRA_DIST += contrib/initramfs-tools/hooks/vfioctl.in \
	contrib/initramfs-tools/scripts/init-top/vfioctl

contrib/initramfs-tools/hooks/vfioctl: contrib/initramfs-tools/hooks/vfioctl.in Makefile
	$(AM_V_GEN)$(MKDIR_P) contrib/initramfs-tools/hooks && \
	$(SED) -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		$(srcdir)/contrib/initramfs-tools/hooks/vfioctl.in >$@ && chmod +x $@
CLEANFILES += contrib/initramfs-tools/hooks/vfioctl
