"""Domain errors. Messages name the file/input and the problem, never a secret."""


class SecureDeployError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(SecureDeployError):
    """Bad input: missing/unreadable/malformed file, bad option, unknown version."""


class UsageError(SecureDeployError):
    """The caller asked for something that does not exist (unknown rule id, ...)."""
