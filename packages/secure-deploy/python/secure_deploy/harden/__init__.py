"""Hardening of ncs.conf: the plan (which leaves to set), byte-preserving XML edits, apply.

May import the core, `facts` and `checks` (through the registry); never `cli`, `nso` or `ncs`.
"""
