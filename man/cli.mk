# man8 pages of the vfioctl CLI.
dist_man_MANS += \
	man/vfioctl.8 \
	man/vfioctl-list.8 \
	man/vfioctl-group.8 \
	man/vfioctl-device.8 \
	man/vfioctl-status.8 \
	man/vfioctl-monitor.8 \
	man/vfioctl-check.8 \
	man/vfioctl-persist.8
