"""`secure-deploy keys status|rotate|settle|migrate`: the standalone side of key rotation.

`status` only reads; `settle` records what NSO answered about an unfinished rotation
(the history changes), so a status command never changes state.

Standalone, this tool writes the keys file (safely) and prints the NSO commands that
are still to run; it never talks to NSO. The rotation history lives next to the keys
file (`<keys>.history.json`, mode 0600, fingerprints only).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import sys
from typing import Any, Optional

from ..errors import UsageError
from ..facts.collect import SYSTEM_CONFIG_DIR
from ..facts.keyfile import serialize
from ..facts.keys import history_path, inline_keys_file, read_keys_file
from ..facts.version import resolve_version
from ..keys.writer import DEFAULT_MAX_BACKUPS, RotationLock
from ..keys.rotation import KnownActiveGeneration, Rotator
from ..keys.plan import DEFAULT_WAIT_COMMIT_QUEUE, plan_inline_migration, write_new_keys_file
from ..keys.status import key_status
from ..keys.store import JsonFileStore
from ..redact import printable, terminal_safe
from . import EXIT_OK


def _print(*parts: Any, **kw: Any) -> None:
    # Paths and reasons come from the command line and the history file: no raw
    # terminal controls from them reach the terminal.
    print(*(terminal_safe(str(p)) for p in parts), **kw)


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def generation_arg(text: str) -> int:
    """NSO's active generation: -1 (keys without generations) or a generation number."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: not an integer") from None
    if n < -1:
        # A typo here would settle (and fail) a rotation on a value NSO never answers.
        raise argparse.ArgumentTypeError(f"{n}: a generation is -1 (keys without generations) or 0 and above")
    return n


def _add_keys_file(p: argparse.ArgumentParser, active_help: str, required: bool = False) -> None:
    p.add_argument("--keys-file", metavar="FILE",
                   help="the external keys file (default: $NCS_CONFIG_DIR or --config-dir, "
                        "else /etc/ncs, + /ncs.crypto_keys)")
    p.add_argument("--config-dir", metavar="DIR", help="NCS_CONFIG_DIR holding ncs.crypto_keys")
    p.add_argument("--active-generation", type=generation_arg, metavar="N", required=required,
                   help="what NSO's `key-rotation get-active-generation` answers; " + active_help)


def register(sub: Any) -> None:
    k = sub.add_parser("keys", help="encryption keys: status, rotation, migration out of ncs.conf",
                       description=__doc__)
    ks = k.add_subparsers(dest="keys_command", metavar="SUBCOMMAND", parser_class=type(k))
    ks.required = True

    s = ks.add_parser("status", help="generations, fingerprints and age of the keys (never the keys); "
                                     "changes nothing")
    _add_keys_file(s, "shown as the active generation (nothing is recorded: see `keys settle`)")
    s.add_argument("--format", default="text", choices=["text", "json"], help="text (default) or json")
    s.set_defaults(func=cmd_status)

    r = ks.add_parser("rotate", help="write a new key generation safely; print the NSO steps left")
    _add_keys_file(r, "settles an unfinished earlier rotation, then keeps that generation and drops "
                      "inactive ones")
    r.add_argument("--dry-run", action="store_true", help="show the plan, change nothing")
    r.add_argument("--nso-version", metavar="X.Y", help="NSO release (decides whether DES3 keys are made)")
    r.add_argument("--ncs-dir", metavar="DIR", help="NCS_DIR (its VERSION file gives the release)")
    r.add_argument("--reason", default="", help="why (kept in the rotation history)")
    r.add_argument("--wait-commit-queue", type=int, default=DEFAULT_WAIT_COMMIT_QUEUE, metavar="S",
                   help="the wait-commit-queue seconds in the printed apply-new-keys step "
                        f"(0-3600, default {DEFAULT_WAIT_COMMIT_QUEUE})")
    r.add_argument("--max-backups", type=int, default=DEFAULT_MAX_BACKUPS, metavar="N",
                   help=f"keep the newest N backups this tool made of the keys file (default {DEFAULT_MAX_BACKUPS})")
    r.set_defaults(func=cmd_rotate)

    t = ks.add_parser("settle", help="record the outcome of an unfinished rotation from NSO's active "
                                     "generation (updates the rotation history)")
    _add_keys_file(t, "the rotation to it is recorded as completed, any other as failed", required=True)
    t.add_argument("--format", default="text", choices=["text", "json"], help="text (default) or json")
    t.set_defaults(func=cmd_settle)

    m = ks.add_parser("migrate", help="plan (and on request write) the move of inline ncs.conf keys "
                                      "to an external keys file")
    m.add_argument("--ncs-conf", required=True, metavar="FILE",
                   help="the ncs.conf holding the keys inline (/ncs-config/encrypted-strings)")
    m.add_argument("--keys-file", required=True, metavar="FILE",
                   help="the keys file to create (written into ncs.conf as an absolute path)")
    w = m.add_mutually_exclusive_group()
    w.add_argument("--write", action="store_true",
                   help="create the keys file (never overwrites; ncs.conf is not edited; "
                        "`harden --keys-file` does both)")
    w.add_argument("--dry-run", action="store_true", help="show the plan, write nothing (the default)")
    m.set_defaults(func=cmd_migrate)


def keys_path_of(args: argparse.Namespace) -> str:
    if args.keys_file:
        return args.keys_file
    d = args.config_dir or os.environ.get("NCS_CONFIG_DIR") or SYSTEM_CONFIG_DIR
    return os.path.join(d, "ncs.crypto_keys")


def _settle(path: str, store: JsonFileStore, active: Optional[int]) -> Optional[str]:
    """With the operator's --active-generation, settle an unfinished rotation."""
    if active is None:
        return None
    rec = Rotator(store, KnownActiveGeneration(active), now=now_iso).reconcile()
    return f"rotation {rec.id}: {rec.state.value}: {rec.message}" if rec else None


def cmd_settle(args: argparse.Namespace) -> int:
    path = os.path.realpath(keys_path_of(args))
    read_keys_file(path)    # a missing or unreadable keys file is an error, not "nothing to settle"
    store = JsonFileStore(history_path(path), owner_of=path)
    settled = _settle(path, store, args.active_generation)
    if args.format == "json":
        _print(json.dumps({"keys_file": path, "active_generation": args.active_generation,
                          "settled": settled}, indent=2))
    else:
        _print(settled or f"nothing to settle: {path} has no unfinished rotation")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    path = os.path.realpath(keys_path_of(args))
    store = JsonFileStore(history_path(path), owner_of=path)
    st = key_status(path, store, now=now_iso(), active_generation=args.active_generation,
                    active_source="--active-generation")
    if args.format == "json":
        _print(json.dumps(st.to_json(), indent=2))
    else:
        _print(st.text(), end="")
        if st.active_generation is None:
            _print("NSO's active generation is not known here (NSO keeps it; the newest generation "
                  "is not necessarily active): `keys rotate` keeps every generation unless you "
                  "pass NSO's `key-rotation get-active-generation` answer as --active-generation N.")
        if st.current is not None and not st.current.state.terminal:
            _print("The rotation above is unfinished: once NSO's `key-rotation get-active-generation` "
                  "answers N, run `secure-deploy keys settle --keys-file "
                  f"{path} --active-generation N`.")
    return EXIT_OK


def cmd_rotate(args: argparse.Namespace) -> int:
    if args.max_backups < 1:
        raise UsageError("--max-backups must be at least 1")
    if not 0 <= args.wait_commit_queue <= 3600:
        raise UsageError("--wait-commit-queue must be 0..3600 seconds")
    path = os.path.realpath(keys_path_of(args))
    version = resolve_version(args.nso_version, args.ncs_dir)
    store = JsonFileStore(history_path(path), owner_of=path)
    ops = KnownActiveGeneration(args.active_generation) if args.active_generation is not None else None
    rot = Rotator(store, ops, now=now_iso)
    out = rot.rotate(path, version=version.version, user=os.environ.get("USER", ""),
                     reason=args.reason, dry_run=args.dry_run, wait_commit_queue=args.wait_commit_queue,
                     max_backups=args.max_backups, active_generation=args.active_generation)
    for w in out.warnings:
        _print(f"secure-deploy: warning: {printable(w)}", file=sys.stderr)
    if out.reconciled is not None:
        _print(f"earlier rotation {out.reconciled.id}: {out.reconciled.state.value}: "
              f"{out.reconciled.message}")
    _print(("DRY RUN: nothing changed.\n" if out.dry_run else "") + out.plan.text(), end="")
    if out.dry_run:
        return EXIT_OK
    rec = out.record
    assert rec is not None
    _print(f"\nWrote generation {rec.to_generation} to {path}; backup {rec.backup_path}.")
    _print(f"Rotation {rec.id} is recorded as `{rec.state.value}` in {store.path} ({rec.message}).")
    _print("Still to run, on this NSO (in HA: copy the keys file to every node first and compare "
          "`secure-deploy keys status` file fingerprints):")
    for line in out.next_steps:
        _print(f"  {line}")
    _print(f"Then record the outcome: secure-deploy keys settle --keys-file {path} "
          f"--active-generation {rec.to_generation}")
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    inline = inline_keys_file(args.ncs_conf)
    if inline is None:
        _print(f"{args.ncs_conf} holds no inline keys: nothing to migrate.")
        return EXIT_OK
    # Absolute: NSO runs the external-keys command from its own working directory, and
    # a relative path is what SD-INSTALL-002 flags as a distribution example.
    keys_file = os.path.abspath(args.keys_file)
    plan = plan_inline_migration(args.ncs_conf, inline, keys_file)
    _print(plan.text(), end="")
    if args.write:
        with RotationLock(keys_file):
            write_new_keys_file(keys_file, serialize(inline))
        _print(f"Created {keys_file} (mode 0600). ncs.conf was NOT changed: apply step 2 yourself "
              f"(or use `secure-deploy harden --ncs-conf {args.ncs_conf} --keys-file {keys_file}`).")
        return EXIT_OK
    # A plan, like `keys rotate --dry-run`: exit 0. The demo-key warning is in the plan;
    # gating on it is the audit's job (SD-KEYS-002).
    _print("DRY RUN: nothing written (use --write to create the keys file).")
    return EXIT_OK
