"""Pure checks, one module per guidance topic. Facts in, findings out: no IO here.

May import the core and `facts.types` (the data model of facts); nothing that reads files.
"""
