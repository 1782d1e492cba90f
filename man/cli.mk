# man8 pages of the vfioctl CLI.
