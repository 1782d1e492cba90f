# Host unit tests of the cli area (TAP; see tests/local.mk).
