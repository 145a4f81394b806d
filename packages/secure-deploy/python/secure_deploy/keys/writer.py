"""Crash-safe replacement of the keys file, its backups, and the rotation lock.

At every instant the keys path holds either the complete old file or the complete new
one: the new content goes to a temp file in the same directory (created exclusively,
mode 0600), is fsynced and read back, and is renamed over the old file with one
atomic rename(2); the directory is fsynced so the rename survives a power cut. The old
file is first copied to a backup with the same protection.

`hook(step)` is called at each named step (tests inject failures and kills there).
"""
from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
from typing import Callable, Iterable, List, Optional, Tuple

from ..errors import SecureDeployError
from ..fileio import create_new, read_input, set_owner
from ..redact import printable
from ..frozen import frozen

Hook = Callable[[str], None]

# Steps, in order; a hook raising at any of them must leave the old file in place.
STEP_BACKUP = "after-backup"
STEP_TEMP_WRITE = "after-temp-write"
STEP_BEFORE_FSYNC = "before-fsync"
STEP_AFTER_FSYNC = "after-fsync"
STEP_BEFORE_RENAME = "before-rename"
STEP_AFTER_RENAME = "after-rename"
WRITE_STEPS = (STEP_BACKUP, STEP_TEMP_WRITE, STEP_BEFORE_FSYNC, STEP_AFTER_FSYNC,
               STEP_BEFORE_RENAME, STEP_AFTER_RENAME)
DEFAULT_MAX_BACKUPS = 5
_TMP_MARK = ".tmp-"
_BAK_MARK = ".bak-"


class RotationError(SecureDeployError):
    """A rotation could not be done; the message says what state things are in."""


class RotationInProgress(RotationError):
    """Another rotation holds the lock (or an unfinished one is recorded)."""


def _no_hook(step: str) -> None:
    return None


@frozen
class WriteResult:
    """The keys file as written: path, backup, mode and owner."""

    path: str
    backup_path: Optional[str]
    mode: int
    uid: int
    gid: int


def lock_path(keys_path: str) -> str:
    return os.path.realpath(keys_path) + ".lock"


class RotationLock:
    """Exclusive, non-blocking flock on `<keys>.lock`.

    flock(2) locks belong to the open file description, so a second holder in the same
    process (another NSO action thread) is refused too, and the kernel drops the lock
    when the holder dies: a killed rotation never leaves a stale lock. The lock file
    itself is never removed (removing it would let two holders lock different inodes).
    """

    def __init__(self, keys_path: str) -> None:
        self.keys_path = os.path.realpath(keys_path)
        self.path = lock_path(keys_path)
        self._fd: Optional[int] = None

    def __enter__(self) -> "RotationLock":
        fd = _open_lock(self.path, self.keys_path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise RotationInProgress(f"rotation in progress: {self.path} is held by another "
                                         "rotation; try again when it has finished") from None
            raise RotationError(f"{self.path}: cannot lock: {e.strerror}") from None
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def keys_owner(keys_path: str) -> Optional[Tuple[int, int]]:
    """(uid, gid) of the keys file, which its lock, history and backups take; None if absent."""
    try:
        st = os.stat(keys_path)
    except OSError:
        return None
    return st.st_uid, st.st_gid


def _open_lock(path: str, keys_path: str) -> int:
    """The lock file's descriptor: created 0600 with the keys file's owner (a root-run
    rotation must not leave a lock the NSO user cannot open), never through a link."""
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    owner = keys_owner(keys_path)
    try:
        try:
            fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600)
            created = True
        except FileExistsError:
            fd = os.open(path, flags)
            created = False
    except OSError as e:
        raise RotationError(f"{printable(path)}: cannot open the rotation lock: {e.strerror}") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise RotationError(f"{printable(path)}: the rotation lock is not a regular file; remove it")
    if owner is not None and (st.st_uid, st.st_gid) != owner and (
            created or (os.geteuid() == 0 and st.st_uid == 0 and st.st_nlink == 1 and st.st_size == 0)):
        # A lock this run created, or an empty one an earlier root run left (before the
        # lock took the keys file's owner); never a file someone else put there.
        set_owner(fd, *owner)
    return fd


def new_mode(existing: Optional[int]) -> int:
    """0600, or the existing mode when that is stricter (e.g. 0400)."""
    if existing is None or not existing & 0o400:
        return 0o600
    return existing & 0o600


def _fsync_dir(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exclusive(path: str, data: bytes, mode: int, uid: int, gid: int,
               hook: Hook = _no_hook, steps: bool = False) -> None:
    """Create `path` (must not exist) with `data`, fsynced, owned uid:gid, mode `mode`."""
    def step(name: str) -> None:
        if not steps:
            return
        if name == "written":
            hook(STEP_TEMP_WRITE)
            hook(STEP_BEFORE_FSYNC)
        else:
            hook(STEP_AFTER_FSYNC)
    create_new(path, data, mode=mode, owner=(uid, gid), hook=step)


def check_can_keep_owner(path: str) -> os.stat_result:
    """The new file must have the old one's owner, or NSO may be unable to read it."""
    st = os.stat(path)
    euid = os.geteuid()
    if euid != 0 and st.st_uid != euid:
        raise RotationError(f"{path}: owned by uid {st.st_uid}; run the rotation as that user or "
                            "as root so the new file keeps its owner")
    return st


def cleanup_temp(path: str) -> List[str]:
    """Remove temp files a killed writer left beside `path` (call under the lock)."""
    real = os.path.realpath(path)
    d, base = os.path.split(real)
    prefix = f".{base}{_TMP_MARK}"
    removed = []
    for name in os.listdir(d):
        if name.startswith(prefix):
            os.unlink(os.path.join(d, name))
            removed.append(os.path.join(d, name))
    return removed


def _backup_name(base: str) -> "re.Pattern[str]":
    # Exactly what backup_path_for writes: <keys>.bak-<rotation id>, the id being
    # <YYYYMMDDTHHMMSSZ>-<random>, plus .<12 hex> when that name was taken.
    return re.compile(re.escape(base + _BAK_MARK) + r"\d{8}T\d{6}Z-[0-9a-z]{1,32}(?:\.[0-9a-f]{12})?")


def backups_of(path: str) -> List[str]:
    """The backups this tool wrote of `path` (by their exact name pattern), oldest first."""
    real = os.path.realpath(path)
    d, base = os.path.split(real)
    pattern = _backup_name(base)
    found = [os.path.join(d, n) for n in os.listdir(d) if pattern.fullmatch(n)]
    # Oldest first: by creation (each backup is a new file), then by name (time tag).
    return sorted(found, key=lambda p: (os.lstat(p).st_mtime_ns, p))


def backup_path_for(path: str, tag: str) -> str:
    return f"{os.path.realpath(path)}{_BAK_MARK}{tag}"


def write_keys_file(path: str, text: str, *, backup_tag: str,
                    validate: Optional[Callable[[bytes], None]] = None, hook: Optional[Hook] = None,
                    random_suffix: Callable[[], str] = lambda: os.urandom(6).hex()) -> WriteResult:
    """Replace the keys file at `path` with `text`, atomically, keeping a backup.

    The caller holds RotationLock. `validate(bytes_read_back)` runs on the fsynced temp
    file before the rename and may raise to abort (the old file stays). Old backups are
    pruned by the caller (prune_backups), once the outcome is recorded.
    """
    h = hook or _no_hook
    real = os.path.realpath(path)
    d, base = os.path.split(real)
    st = check_can_keep_owner(real)
    mode = new_mode(stat.S_IMODE(st.st_mode))
    old = read_input(real, "keys file")   # regular file only: the backup is a copy of it
    assert old is not None
    backup = backup_path_for(real, backup_tag)
    if os.path.lexists(backup):
        backup = f"{backup}.{random_suffix()}"
    _exclusive(backup, old, mode, st.st_uid, st.st_gid)
    _fsync_dir(d)
    h(STEP_BACKUP)
    tmp = os.path.join(d, f".{base}{_TMP_MARK}{random_suffix()}")
    try:
        _exclusive(tmp, text.encode("utf-8"), mode, st.st_uid, st.st_gid, h, steps=True)
        if validate is not None:
            with open(tmp, "rb") as f:
                validate(f.read())
        h(STEP_BEFORE_RENAME)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(d)
    h(STEP_AFTER_RENAME)
    return WriteResult(real, backup, mode, st.st_uid, st.st_gid)


def prune_backups(path: str, keep: int, recorded: Iterable[str], protect: Iterable[str] = ()) -> List[str]:
    """Keep the newest `keep` backups and every one in `protect`; remove the rest.

    Only files this tool wrote are candidates: named exactly as backup_path_for names
    them *and* recorded as a rotation's backup in the history (`recorded`), so an
    operator's own `<keys>.bak-before-upgrade` is never touched. `protect` holds the
    backup of the last completed rotation: "Rolling back" restores it with the
    ncs-backup taken before that rotation, so it must outlive any number of later
    (failed or unfinished) rotations."""
    keep = max(1, keep)   # never the backup this rotation just took
    spared = {os.path.realpath(p) for p in protect if p}
    ours = {os.path.realpath(p) for p in recorded if p}
    all_b = [b for b in backups_of(path) if os.path.realpath(b) in ours]
    doomed = [b for b in all_b[:-keep] if os.path.realpath(b) not in spared]
    for b in doomed:
        os.unlink(b)
    return doomed


__all__ = ["RotationLock", "RotationError", "RotationInProgress", "write_keys_file", "WriteResult",
           "cleanup_temp", "backups_of", "prune_backups", "new_mode", "WRITE_STEPS", "lock_path",
           "DEFAULT_MAX_BACKUPS", "check_can_keep_owner", "keys_owner"]
