# Host unit tests of the lib area (TAP; see tests/local.mk).
