# pci-irqbypass: MSI/MSI-X trigger eventfds as irq-bypass producers
# (tests/bats/pci-irqbypass.bats).
noinst_PROGRAMS += tests/uapi/pci-irqbypass
tests_uapi_pci_irqbypass_SOURCES = tests/uapi/pci-irqbypass.c \
	tests/uapi/pci-util.c tests/uapi/pci-util.h \
	tests/uapi/tap-util.c tests/uapi/tap-util.h
