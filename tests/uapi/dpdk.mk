# A real client of the pci area: DPDK's own VFIO layer (see
# tests/uapi/local.mk and tests/bats/pci-dpdk.bats).  Built only when
# configure found libdpdk.  DPDK's headers do not build cleanly with our
# warning flags, so they are included as system headers (-isystem).
if HAVE_DPDK
noinst_PROGRAMS += tests/uapi/dpdk-client
tests_uapi_dpdk_client_SOURCES = tests/uapi/dpdk-client.c \
	tests/uapi/tap-util.c tests/uapi/tap-util.h
tests_uapi_dpdk_client_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS:-I%=-isystem %)
tests_uapi_dpdk_client_LDADD = $(DPDK_LIBS)
endif

# dpdk-virtio: net_virtio on the virtio-net-pci with MSI-X RX interrupts
# (tests/bats/pci-msix.bats).
if HAVE_DPDK
noinst_PROGRAMS += tests/uapi/dpdk-virtio
tests_uapi_dpdk_virtio_SOURCES = tests/uapi/dpdk-virtio.c \
	tests/uapi/tap-util.c tests/uapi/tap-util.h
tests_uapi_dpdk_virtio_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS:-I%=-isystem %)
tests_uapi_dpdk_virtio_LDADD = $(DPDK_LIBS)
endif
