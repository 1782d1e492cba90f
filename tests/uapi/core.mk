# UAPI test programs of the core area (see tests/uapi/local.mk).
