"""Domain errors. Messages name the file/input and the problem, never a secret."""


class SecureDeployError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(SecureDeployError):
    """Bad input: missing/unreadable/malformed file, bad option, unknown version."""


class UsageError(SecureDeployError):
    """The caller asked for something that does not exist (unknown rule id, ...)."""


class ConfValueError(InputError):
    """An ncs.conf element a rule reads cannot be judged: not a valid value of its
    type, a ${VAR} that cannot be expanded, or written twice. The engine answers
    ERROR for the rules that read it (never "off", never "on")."""
