"""Whole-file writes: a reader sees the old file or the new one, never half of either."""
from __future__ import annotations

import os
import tempfile

from .errors import InputError


def atomic_write_text(path: str, text: str, mode: int = 0o644) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def atomic_write_bytes(path: str, data: bytes, mode: int = 0o644) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".sd-", dir=directory)
    except FileNotFoundError:
        raise InputError(f"{path}: directory {directory} does not exist") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied writing to {directory}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
