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
kmod-install: kmod-modules
	$(MAKE) -C $(KERNEL_DIR) M=$(abs_top_builddir)/kmod $(KBUILD_FLAGS) \
		INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KERNEL_RELEASE)

.PHONY: kmod-modules kmod-clean kmod-install
endif
enable_werror = @enable_werror@
