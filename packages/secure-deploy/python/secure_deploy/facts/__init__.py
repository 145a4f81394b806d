"""The only code that reads the outside world (files, environment, processes)."""
