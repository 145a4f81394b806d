"""Reading input files with one-line errors, and whole-file writes: a reader sees the
old file or the new one, never half of either."""
from __future__ import annotations

import os
from typing import Optional

from .errors import InputError


def read_input(path: str, what: str = "file", limit: Optional[int] = None,
               missing_ok: bool = False) -> Optional[bytes]:
    """The bytes of `path`; every failure is an InputError naming the path and the problem."""
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1 if limit is not None else -1)
    except FileNotFoundError:
        if missing_ok:
            return None
        raise InputError(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a {what}") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}") from None
    if limit is not None and len(data) > limit:
        raise InputError(f"{path}: {what} too large (limit {limit} bytes)")
    return data


def atomic_write_text(path: str, text: str, mode: int = 0o644) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def check_writable(path: str) -> str:
    """Where a write to `path` lands (symlinks followed); InputError if it cannot.

    Called for every output before anything is written, so a run that cannot write one
    of its outputs writes none of them.
    """
    real = os.path.realpath(path)
    if os.path.isdir(real):
        raise InputError(f"{path}: is a directory, expected a file name")
    directory = os.path.dirname(real)
    if not os.path.isdir(directory):
        raise InputError(f"{path}: directory {directory} does not exist")
    return real


def _is_special(path: str) -> bool:
    # Devices, FIFOs, /dev/stdout: written in place, never replaced by a regular file.
    import stat

    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return False


def atomic_write_bytes(path: str, data: bytes, mode: int = 0o644, fsync_dir: bool = False) -> None:
    """Temp file (created 0600, exclusively) in the same directory, fsync, rename.

    A symlink is followed (the link stays, its target is replaced); a device or FIFO is
    written directly. `fsync_dir` also makes the rename durable, for crash-safe state.
    """
    import tempfile  # only commands that write files pay for it (start-up matters in CI)

    real = check_writable(path)
    if _is_special(real):
        try:
            with open(real, "wb") as f:
                f.write(data)
        except OSError as e:
            raise InputError(f"{path}: cannot write: {e.strerror}") from None
        return
    directory = os.path.dirname(real)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".sd-", dir=directory)
    except PermissionError:
        raise InputError(f"{path}: permission denied writing to {directory}") from None
    except OSError as e:
        raise InputError(f"{path}: cannot write to {directory}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, OSError):
            raise InputError(f"{path}: cannot write: {e.strerror}") from None
        raise
    if fsync_dir:
        dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
