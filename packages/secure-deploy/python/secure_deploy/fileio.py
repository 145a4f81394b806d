"""The one place every command reads and writes files.

Reading: regular files only (a FIFO, device, socket or directory is a clear error, and
nothing blocks: the path is stat'ed first and opened O_NONBLOCK), with a size limit.
Every file read inside `input_scope()` (one CLI run) is remembered by device and inode.

Writing (`write_file`): a reader sees the old file or the new one, never half of either
(temp file in the same directory, fsync, rename). It refuses to write
  - onto any input of the same run (compared by device and inode, so through symlinks
    and hard links too), unless the caller says that input is the documented target;
  - through a symlink (the tool never creates one; a root-run command must not create
    or rewrite whatever a link planted by another user points to);
  - onto a directory, block device or socket.
The new file gets the mode and, when the caller names one, the owner of the file it
belongs to (rotation history, lock and backups take the keys file's owner).
"""
from __future__ import annotations

import contextlib
import contextvars
import os
import stat
from typing import Callable, Iterator, Optional, Set, Tuple

from .errors import InputError
from .redact import printable

# (st_dev, st_ino) of every file read in the current run; None outside a run.
_INPUTS: "contextvars.ContextVar[Optional[Set[Tuple[int, int]]]]" = contextvars.ContextVar(
    "secure_deploy_inputs", default=None)


@contextlib.contextmanager
def input_scope() -> Iterator[None]:
    """One command run: files read inside are protected from being written."""
    token = _INPUTS.set(set())
    try:
        yield
    finally:
        _INPUTS.reset(token)


def note_input(path: str) -> None:
    """Remember `path` (followed through links) as an input of this run, if it exists."""
    seen = _INPUTS.get()
    if seen is None:
        return
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return
    seen.add((st.st_dev, st.st_ino))


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _oserror(path: str, e: OSError, what: str) -> InputError:
    if isinstance(e, FileNotFoundError):
        return InputError(f"{printable(path)}: {what} not found")
    if isinstance(e, PermissionError):
        return InputError(f"{printable(path)}: permission denied")
    return InputError(f"{printable(path)}: cannot read: {e.strerror or type(e).__name__}")


def read_input(path: str, what: str = "file", limit: Optional[int] = None,
               missing_ok: bool = False) -> Optional[bytes]:
    """The bytes of regular file `path`; every failure is an InputError naming the path
    and the problem. A FIFO or device is refused before it is opened (opening a FIFO
    blocks until a writer comes), and the open is non-blocking in case it was swapped."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{printable(path)}: is {_kind(st.st_mode)}, expected a {what} (a regular file)")
        if limit is not None and st.st_size > limit:
            raise InputError(f"{printable(path)}: {what} too large ({st.st_size} bytes, limit {limit})")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        if missing_ok:
            return None
        raise _oserror(path, FileNotFoundError(), what) from None
    except (OSError, ValueError) as e:
        if isinstance(e, ValueError):   # an embedded NUL in the name
            raise InputError(f"{printable(path)}: invalid file name") from None
        raise _oserror(path, e, what) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{printable(path)}: is {_kind(st.st_mode)}, expected a {what} (a regular file)")
        with os.fdopen(fd, "rb") as f:
            fd = -1
            data = f.read(limit + 1 if limit is not None else -1)
    except OSError as e:
        raise _oserror(path, e, what) from None
    finally:
        if fd >= 0:
            os.close(fd)
    if limit is not None and len(data) > limit:
        raise InputError(f"{printable(path)}: {what} too large (limit {limit} bytes)")
    seen = _INPUTS.get()
    if seen is not None:
        seen.add((st.st_dev, st.st_ino))
    return data


# --- writing ------------------------------------------------------------------------

def _writes_in_place(path: str, st: Optional[os.stat_result]) -> bool:
    """Character devices and FIFOs (/dev/stdout, /dev/null, a named pipe) are written
    directly: they cannot be replaced by a regular file, and hold no data to lose."""
    return st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode))


# The process's own output streams, named as files (`-o /dev/stdout` in CI, often with
# stdout redirected to a file): written through the open descriptor, never replaced.
_STD_STREAMS = {"/dev/stdout": 1, "/dev/fd/1": 1, "/dev/stderr": 2, "/dev/fd/2": 2}


def check_writable(path: str, *, input_ok: bool = False, what: str = "output") -> str:
    """Where a write to `path` lands; InputError if `write_file` would refuse it.

    Called for every output before anything is written, so a run that cannot write one
    of its outputs writes none of them.
    """
    if path in _STD_STREAMS:
        return path
    shown = printable(path)
    try:
        lst = os.lstat(path)
    except FileNotFoundError:
        lst = None
    except (OSError, ValueError) as e:
        raise InputError(f"{shown}: cannot write: {getattr(e, 'strerror', None) or 'invalid file name'}") from None
    st = lst
    if lst is not None and stat.S_ISLNK(lst.st_mode):
        try:
            st = os.stat(path)
        except OSError:
            st = None
        # /dev/stdout and friends are links to a device or pipe: writing to those is
        # what the operator asked for and creates nothing.
        if not (path.startswith("/dev/") and _writes_in_place(path, st)):
            raise InputError(f"{shown}: is a symbolic link; refusing to write through it "
                             "(give the path of the file itself)")
    if st is not None:
        if not input_ok and (st.st_dev, st.st_ino) in (_INPUTS.get() or ()):
            raise InputError(f"{shown}: is an input file of this run; refusing to overwrite it "
                             f"with the {what}")
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{shown}: is a directory, expected a file name")
        if not stat.S_ISREG(st.st_mode) and not _writes_in_place(path, st):
            raise InputError(f"{shown}: is {_kind(st.st_mode)}; refusing to write to it")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise InputError(f"{shown}: directory {printable(directory)} does not exist")
    return path


def write_file(path: str, data: bytes, *, mode: Optional[int] = None,
               owner: Optional[Tuple[int, int]] = None, fsync_dir: bool = False,
               input_ok: bool = False, what: str = "output") -> None:
    """Replace `path` by `data` atomically, with the checks of `check_writable`.

    `mode`: the new file's permissions (default: those of the file replaced, else 0644).
    `owner`: (uid, gid) to give the new file (default: the replaced file's); applied
    when the caller may (as root always), else the file stays the runner's.
    `input_ok`: `path` is an input of this run on purpose (harden --in-place).
    """
    import secrets

    check_writable(path, input_ok=input_ok, what=what)
    if path in _STD_STREAMS:
        _write_stream(_STD_STREAMS[path], data)
        return
    shown = printable(path)
    try:
        st: Optional[os.stat_result] = os.stat(path)
    except OSError:
        st = None
    if _writes_in_place(path, st):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except OSError as e:
            raise InputError(f"{shown}: cannot write: {e.strerror}") from None
        return
    if mode is None:
        mode = stat.S_IMODE(st.st_mode) if st is not None else 0o644
    if owner is None and st is not None:
        owner = (st.st_uid, st.st_gid)     # a replaced file keeps its owner (as root)
    directory, base = os.path.split(os.path.abspath(path))
    try:
        dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as e:
        raise InputError(f"{shown}: cannot write to {printable(directory)}: {e.strerror}") from None
    tmp = f".{base}.sd-{secrets.token_hex(6)}"
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                         0o600, dir_fd=dfd)
        except PermissionError:
            raise InputError(f"{shown}: permission denied writing to {printable(directory)}") from None
        except OSError as e:
            raise InputError(f"{shown}: cannot write to {printable(directory)}: {e.strerror}") from None
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
                if owner is not None:
                    set_owner(f.fileno(), *owner)
                os.fchmod(f.fileno(), mode)
            # Checked again just before the rename (a link planted meanwhile is refused;
            # rename(2) itself replaces a link, never follows it).
            check_writable(path, input_ok=input_ok, what=what)
            os.replace(tmp, base, src_dir_fd=dfd, dst_dir_fd=dfd)
            if fsync_dir:
                os.fsync(dfd)
        except BaseException as e:
            try:
                os.unlink(tmp, dir_fd=dfd)
            except FileNotFoundError:
                pass
            if isinstance(e, OSError):
                raise InputError(f"{shown}: cannot write: {e.strerror}") from None
            raise
    finally:
        os.close(dfd)


def _write_stream(fd: int, data: bytes) -> None:
    import sys
    for stream in (sys.stdout, sys.stderr):   # what was printed before comes first
        try:
            stream.flush()
        except (AttributeError, ValueError, OSError):
            pass
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def create_new(path: str, data: bytes, *, mode: int = 0o600, owner: Optional[Tuple[int, int]] = None,
               hook: Optional[Callable[[str], None]] = None) -> None:
    """Create `path`, which must not exist (O_EXCL: never over a file, never through a
    link), holding `data` fsynced, then give it `owner` and `mode`. For backups, temp
    files and new keys files; OSError (FileExistsError, ...) is the caller's to word.
    `hook("written")` and `hook("synced")` mark the steps (crash tests inject there)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if hook is not None:
            hook("written")
        os.fsync(fd)
        if hook is not None:
            hook("synced")
        if owner is not None:
            set_owner(fd, *owner)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def set_owner(fd: int, uid: int, gid: int) -> None:
    """Give the open file `fd` owner uid:gid; when not allowed (not root), the group
    alone if we are in it, else nothing (the file stays the runner's)."""
    st = os.fstat(fd)
    if (st.st_uid, st.st_gid) == (uid, gid):
        return
    try:
        os.fchown(fd, uid, gid)
    except PermissionError:
        try:
            os.fchown(fd, -1, gid)
        except PermissionError:
            pass


def atomic_write_text(path: str, text: str, mode: Optional[int] = None) -> None:
    write_file(path, text.encode("utf-8"), mode=mode)


def atomic_write_bytes(path: str, data: bytes, mode: Optional[int] = None, fsync_dir: bool = False) -> None:
    write_file(path, data, mode=mode, fsync_dir=fsync_dir)
