# man3 pages of libvfioctl.
