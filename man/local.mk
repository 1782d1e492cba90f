# Manual pages, written directly in man(7) roff.
dist_man_MANS +=
