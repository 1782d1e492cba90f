# Manual pages, written directly in man(7) roff.
include man/lib.mk
include man/cli.mk
