"""The only code that reads the outside world for rules (files, environment, processes).

May import the core only.
"""
