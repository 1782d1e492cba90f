# man3 pages of libvfioctl: the overview and one page per function family.
dist_man_MANS += \
	man/libvfioctl.3 \
	man/vfioctl_new.3 \
	man/vfioctl_container_open.3 \
	man/vfioctl_container_from_fd.3 \
	man/vfioctl_group_open.3 \
	man/vfioctl_device_open.3 \
	man/vfioctl_region_read.3 \
	man/vfioctl_irq_enable.3 \
	man/vfioctl_kvm_new.3
