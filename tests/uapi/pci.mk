# UAPI test programs of the pci area (see tests/uapi/local.mk).
