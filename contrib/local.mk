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
