"""The one command layer: every command's options, rules, service calls and cards (table.py), which the
Discord and terminal front ends both run; see spec.py for why it is a declarative table."""
