# Example programs linking the installed-style library.
noinst_PROGRAMS += examples/vfio-edu-dma
examples_vfio_edu_dma_SOURCES = examples/vfio-edu-dma.c
examples_vfio_edu_dma_LDADD = libvfioctl/libvfioctl.la
