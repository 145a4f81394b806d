"""The NSO side of secure-deploy: the only code that imports `ncs` / `_ncs`.

An entry point: may import every capability folder, never `cli`.

main.Main registers the action callbacks; actions.py translates YANG input and
output; audit_action.py runs the core inside NSO; cdb_facts.py reads CDB through
MAAPI into the same facts the standalone reader builds; oper.py keeps results as
operational data; settings.py reads the package configuration.
"""
