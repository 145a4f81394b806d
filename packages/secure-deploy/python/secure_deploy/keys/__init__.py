"""Key rotation: crash-safe keys-file writer, plan, state machine, store and status.

May import the core and `facts` (the keys-file model and parser live in facts/keyfile.py
and facts/keys.py because the SD-KEYS rules read them); never `cli`, `nso` or `ncs`.
"""
