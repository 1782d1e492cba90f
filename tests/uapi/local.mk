# UAPI test programs run by the bats suite inside the VM.  Built by plain
# `make` (noinst) so the VM suite finds them in the build tree.  One program
# per area; each area lists its own here.
noinst_PROGRAMS =
