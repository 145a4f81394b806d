"""secure-deploy: audit and harden a Cisco NSO deployment; rotate its encryption keys.

The core (model, registry, engine, checks, render) is pure Python with no NSO
dependency; `facts` reads files, `nso` is the only code that imports the NSO API.
"""

__version__ = "0.1.0"
