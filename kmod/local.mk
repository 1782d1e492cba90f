# Kernel modules: automake only wraps Kbuild.  Kbuild builds in the
# directory it is given (M=), so a VPATH build copies kmod/ into the build
# tree first.  tests/vm/build-kmod builds the same sources for other kernels.
KMOD_DIST_FILES = $(shell cd $(srcdir) && find kmod -type f \( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) | sort)
EXTRA_DIST += $(KMOD_DIST_FILES) kmod/local.mk include/uapi/vfioctl_genl.h

KBUILD_FLAGS = VFIOCTL_TOPDIR=$(abs_top_srcdir) VFIOCTL_VERSION=$(VERSION) W=1 \
	$(if $(filter yes,$(enable_werror)),VFIOCTL_WERROR=1)

if ENABLE_KMOD
all-local: kmod-modules
clean-local: kmod-clean

kmod-modules:
	@if [ "$(abs_top_srcdir)" != "$(abs_top_builddir)" ]; then \
		$(MKDIR_P) kmod && cp -pR $(abs_top_srcdir)/kmod/. kmod/ && chmod -R u+w kmod; \
	fi
	$(AM_V_GEN)$(MAKE) -C $(KERNEL_DIR) M=$(abs_top_builddir)/kmod $(KBUILD_FLAGS) modules

kmod-clean:
	-$(MAKE) -C $(KERNEL_DIR) M=$(abs_top_builddir)/kmod clean

# DKMS convention: updates/ wins over the kernel's drivers/vfio in depmod.
# The three drop-in modules only: vfio_test is a test fixture, never
# installed (Kbuild's modules_install would take every module it built).
KMOD_INSTALL = vfio vfio_iommu_type1 vfio-pci
kmod-install: kmod-modules
	$(MKDIR_P) $(DESTDIR)/lib/modules/$(KERNEL_RELEASE)/updates
	for m in $(KMOD_INSTALL); do \
		$(INSTALL_DATA) kmod/$$m.ko $(DESTDIR)/lib/modules/$(KERNEL_RELEASE)/updates/ || exit 1; \
	done
	depmod -a $(KERNEL_RELEASE)

# Register the module sources with DKMS, which rebuilds them for every
# kernel installed later (contrib/dkms.conf limits that to 6.1..6.12).
DKMS_SRC = $(DESTDIR)/usr/src/$(PACKAGE)-$(VERSION)
dkms-install: contrib/dkms.conf
	rm -rf $(DKMS_SRC) && $(MKDIR_P) $(DKMS_SRC)
	cp -pR $(abs_top_srcdir)/kmod $(abs_top_srcdir)/include $(abs_top_srcdir)/version.sh $(DKMS_SRC)/
	$(MAKE) -C $(DKMS_SRC)/kmod clean KERNELDIR=$(KERNEL_DIR) >/dev/null 2>&1 || true
	cp contrib/dkms.conf $(DKMS_SRC)/dkms.conf
	$(MKDIR_P) $(DESTDIR)/etc/depmod.d
	$(INSTALL_DATA) $(abs_top_srcdir)/contrib/depmod.d/vfioctl.conf $(DESTDIR)/etc/depmod.d/vfioctl.conf
	dkms add -m $(PACKAGE) -v $(VERSION) && dkms install -m $(PACKAGE) -v $(VERSION)

endif
enable_werror = @enable_werror@
