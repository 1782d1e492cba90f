# Packaging: DKMS, depmod override, udev rules, systemd unit, completion.
EXTRA_DIST += contrib/dkms.conf contrib/depmod.d/vfioctl.conf
