# UAPI test programs of the type1 area (see tests/uapi/local.mk).
