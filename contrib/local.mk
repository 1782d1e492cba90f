# Packaging: DKMS, depmod override, udev rules, systemd unit, completion.
EXTRA_DIST += contrib/dkms.conf.in contrib/depmod.d/vfioctl.conf
