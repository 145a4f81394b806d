"""`secure-deploy harden`: write a hardened copy of an ncs.conf and print the plan.

The input is never written unless --in-place, and then only after a byte-identical
backup `<F>.bak-<timestamp>` exists. Permission commands are printed, never run.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import stat
import sys
from typing import Any, Callable, Optional

from ..errors import InputError
from ..facts.ncsconf import ENV_VARS
from ..facts.types import EXPOSURES
from ..facts.version import resolve_version
from ..fileio import create_new, write_file
from ..redact import printable, terminal_safe
from ..facts.keyfile import serialize
from ..facts.keys import inline_keys_file
from ..harden.apply import harden_bytes, render_plan
from ..keys.plan import write_new_keys_file
from ..keys.writer import RotationLock
from ..xmlsafe import read_bytes
from . import EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("harden", help="write a hardened copy of an ncs.conf and print the plan",
                       description=__doc__)
    p.add_argument("--ncs-conf", required=True, metavar="FILE", help="the ncs.conf to harden")
    dest = p.add_mutually_exclusive_group()
    dest.add_argument("--output", "-o", metavar="FILE", help="where to write the hardened copy "
                      "(default: FILE.hardened); never the input")
    dest.add_argument("--in-place", action="store_true",
                      help="rewrite FILE itself, after saving a byte-identical FILE.bak-<timestamp>")
    dest.add_argument("--diff-only", action="store_true", help="print the diff only; write nothing")
    p.add_argument("--nso-version", metavar="X.Y", help="NSO release whose defaults apply (6.4-6.7)")
    p.add_argument("--ncs-dir", metavar="DIR", help="NCS_DIR (for the version and ${NCS_DIR} expansion)")
    p.add_argument("--accept-exposure", action="append", default=[], choices=EXPOSURES, metavar="NAME",
                   help="leave this interface enabled: " + ", ".join(EXPOSURES))
    p.add_argument("--nso-user", metavar="USER", help="the user NSO runs as, for the printed chown commands")
    p.add_argument("--keys-file", metavar="FILE",
                   help="move inline encryption keys out of ncs.conf: write the current keys to FILE "
                        "(mode 0600, never overwritten) and make the hardened copy read FILE through "
                        "external-keys (SD-KEYS-001)")
    p.set_defaults(func=cmd_harden)


def _now_stamp() -> str:
    return _dt.datetime.now().strftime("%Y%m%dT%H%M%S")


def backup_path(path: str, stamp: str, exists: Callable[[str], bool] = os.path.lexists) -> str:
    base = f"{path}.bak-{stamp}"
    candidate, n = base, 1
    while exists(candidate):
        candidate, n = f"{base}.{n}", n + 1
    return candidate


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _backup(src: str, dst: str, like: os.stat_result) -> None:
    # Exclusive create (never overwrites an earlier backup, never follows a planted
    # link), the original's bytes, mode and owner (the file may hold inline keys).
    try:
        create_new(dst, read_bytes(src), mode=stat.S_IMODE(like.st_mode), owner=(like.st_uid, like.st_gid))
    except OSError as e:
        raise InputError(f"{printable(dst)}: cannot create the backup: {e.strerror}") from None


def _write_like(path: str, data: bytes, like: os.stat_result, in_place: bool = False) -> None:
    """Write `data` with the permissions and owner of the original."""
    write_file(path, data, mode=stat.S_IMODE(like.st_mode), owner=(like.st_uid, like.st_gid),
               input_ok=in_place, what="hardened copy")


def cmd_harden(args: argparse.Namespace, *, stamp: Optional[Callable[[], str]] = None) -> int:
    src = args.ncs_conf
    version = resolve_version(args.nso_version, args.ncs_dir)
    env = {k: os.environ[k] for k in ENV_VARS if os.environ.get(k)}
    if args.ncs_dir:
        env["NCS_DIR"] = args.ncs_dir
    data = read_bytes(src)
    if args.in_place:
        # Through a symlink, rewrite the file it points to (replacing the link by a
        # regular file would silently detach the deployment from it).
        target = os.path.realpath(src)
    else:
        target = args.output or f"{src}.hardened"
        if not args.diff_only and os.path.exists(target) and _same_file(src, target):
            raise InputError(f"{target}: is the input file; use --in-place to rewrite it (a backup is kept)")
    keys_file = os.path.abspath(args.keys_file) if args.keys_file else None
    inline = inline_keys_file(src) if keys_file else None
    if keys_file and not args.diff_only and (os.path.realpath(keys_file) == os.path.realpath(target)
                                             or _same_file(keys_file, src)):
        # The hardened copy would replace the keys just written: keys lost, and an
        # ncs.conf that reads itself as its keys file.
        raise InputError(f"--keys-file {printable(keys_file)}: is the file the hardened copy goes to "
                         "(or the input); give the keys file a path of its own")
    if keys_file and inline is not None and not args.diff_only and os.path.lexists(keys_file):
        # Checked before anything is written; the exclusive create below is the real guard.
        raise InputError(f"{printable(keys_file)}: already exists; refusing to overwrite a keys file")
    result = harden_bytes(data, src, version=version.version, target=target, env=env,
                          accepted_exposures=tuple(args.accept_exposure), nso_user=args.nso_user,
                          any_release=version.unknown, keys_file=keys_file if inline is not None else None)
    if args.diff_only:
        sys.stdout.write(terminal_safe(result.diff))
        return EXIT_OK
    st = os.stat(src)
    if inline is not None:
        assert keys_file is not None
        # The keys file first: a hardened copy reading a file that is not there would
        # leave NSO unable to decrypt anything.
        with RotationLock(keys_file):
            write_new_keys_file(keys_file, serialize(inline))
    try:
        if result.changed:
            if args.in_place:
                bak = backup_path(target, (stamp or _now_stamp)())
                _backup(target, bak, st)
                print(f"backup: {printable(bak)}")
            _write_like(target, result.hardened, st, in_place=args.in_place)
        elif not args.in_place:
            # Still write the copy: the caller asked for one and may deploy it blindly.
            _write_like(target, result.hardened, st)
    except BaseException:
        if inline is not None and keys_file:
            os.unlink(keys_file)   # ours, just created: no half-done migration is left behind
        raise
    if version.unknown:
        print(version.statement)
    sys.stdout.write(terminal_safe(render_plan(result)))
    if keys_file and inline is None:
        print(f"\n--keys-file {printable(keys_file)}: {printable(src)} holds no inline keys; nothing written there.")
    elif inline is not None and keys_file:
        sys.stdout.write(terminal_safe(keys_moved_text(src, target, keys_file, inline)))
    return EXIT_OK


def keys_moved_text(src: str, target: str, keys_file: str, inline: Any) -> str:
    """What was written and what comes next, with fingerprints only (never a key)."""
    gens = ", ".join(f"generation {g.generation}: fingerprint {g.fingerprint}" for g in inline.generations)
    return (f"\nMoved the inline encryption keys of {src} to {keys_file} (mode 0600; {gens}).\n"
            f"{target} reads them through external-keys; the keys are unchanged, so nothing is re-encrypted.\n"
            "Next:\n"
            f"  1. Put {keys_file} on the NSO host at that path, owned by the NSO user, before deploying "
            f"{target}; then restart NSO or run `ncs --reload`.\n"
            f"  2. Rotate to fresh keys (generation {inline.next_generation}): "
            f"secure-deploy keys rotate --keys-file {keys_file}\n"
            "     and run the NSO steps it prints; then record the outcome with "
            f"`secure-deploy keys settle --keys-file {keys_file} --active-generation {inline.next_generation}`.\n")
