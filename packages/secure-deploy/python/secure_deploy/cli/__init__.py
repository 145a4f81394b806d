"""`secure-deploy` command line. Subcommands live in sibling modules.

An entry point: may import every capability folder, never `nso`.

Exit codes: 0 no failure at/above the gate, 1 failures, 2 usage or input error (one
line naming the file and the problem, never a traceback).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import List, Optional, Sequence

from .. import __version__
from ..errors import SecureDeployError

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2
# Each module has `register(subparsers)` adding parsers whose `func(args) -> int`.
SUBCOMMAND_MODULES = ("audit", "catalog", "keys", "reports", "harden", "fleet")
# Which module defines each command: a run imports only the module of its command,
# which keeps the start-up of `secure-deploy audit` in CI close to the interpreter's.
COMMAND_MODULE = {"audit": "audit", "rules": "catalog", "explain": "catalog", "keys": "keys",
                  "diff": "reports", "report": "reports", "waivers": "reports", "harden": "harden",
                  "fleet": "fleet"}


def _help_width() -> int:
    """What argparse's formatter gets from shutil.get_terminal_size, minus the import.

    argparse builds a formatter for every add_argument, and its default asks shutil,
    whose import (with bz2 and lzma) costs a CI run about 2 ms for a width it never uses.
    """
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    if columns <= 0:  # no terminal, or one that reports 0 columns
        columns = 80
    return columns - 2


class _Parser(argparse.ArgumentParser):
    def _get_formatter(self) -> argparse.HelpFormatter:
        return self.formatter_class(prog=self.prog, width=_help_width())

    def error(self, message: str) -> None:  # type: ignore[override]
        # One line, like every other error of the command (CI logs grep for it); the
        # usage block argparse would print first is one --help away.
        from ..redact import printable
        print(f"{self.prog}: error: {printable(message)} (see '{self.prog} --help')", file=sys.stderr)
        sys.exit(EXIT_ERROR)


def _modules_for(argv: Optional[Sequence[str]]) -> Sequence[str]:
    first = next((a for a in (argv or ()) if not a.startswith("-")), None)
    if first in COMMAND_MODULE and not any(a in ("-h", "--help") for a in (argv or ())[:1]):
        return (COMMAND_MODULE[first],)
    return SUBCOMMAND_MODULES


def build_parser(argv: Optional[Sequence[str]] = None) -> argparse.ArgumentParser:
    """The parser; with `argv`, only the subcommand it names is loaded."""
    p = _Parser(prog="secure-deploy",
                description="Audit an NSO deployment against Cisco's Secure Deployment guidance.")
    p.add_argument("--version", action="version", version=f"secure-deploy {__version__}",
                   help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in _modules_for(argv) if argv is not None else SUBCOMMAND_MODULES:
        try:
            mod = importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"{__package__}.{name}":
                continue
            raise
        mod.register(sub)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(argv) if argv is not None else sys.argv[1:]
    return run_command(build_parser(argv).parse_args(argv))


def run_command(args: argparse.Namespace) -> int:
    from ..fileio import input_scope
    try:
        with input_scope():     # no output of this run may overwrite a file it read
            return int(args.func(args))
    except SecureDeployError as e:
        error_line(str(e))
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except (MemoryError, RecursionError) as e:
        # Input too big or too deeply nested for what the limits let through.
        error_line(f"input too large or too deeply nested ({type(e).__name__})")
        return EXIT_ERROR
    except Exception as e:  # noqa: BLE001 - CI reads exit 1 as "gate failed": never that
        if os.environ.get("SECURE_DEPLOY_DEBUG"):
            raise
        text = str(e).splitlines()[0][:200] if str(e) else ""
        error_line(f"internal error ({type(e).__name__}{': ' + text if text else ''}); "
                   "set SECURE_DEPLOY_DEBUG=1 for the traceback and report it")
        return EXIT_ERROR


def error_line(message: str) -> None:
    """The one-line error: input-derived text made printable, key-like values scrubbed."""
    from ..redact import printable, scrub
    print(f"secure-deploy: error: {printable(scrub(message))}", file=sys.stderr)


def terminal_width(stream: object = None, env: Optional[dict] = None) -> Optional[int]:
    """Columns to wrap text to: COLUMNS when set, else the terminal's; None when `stream`
    (default stdout) is not a terminal, so piped or redirected text is never wrapped."""
    stream = sys.stdout if stream is None else stream
    if not getattr(stream, "isatty", lambda: False)():
        return None
    env = os.environ if env is None else env
    try:
        columns = int(env.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(stream.fileno()).columns  # type: ignore[attr-defined]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return columns if columns > 0 else 80


def write_output(text: str, path: Optional[str]) -> None:
    """stdout, or a file written whole (temp + rename) so a failed run leaves no half file."""
    if not path or path == "-":
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader stopped early (`| head`): the rest of the output has nowhere to
            # go, but the gates still decide the exit code (a failed gate must not become
            # 0 under pipefail). Later writes and the exit flush go to /dev/null.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        return
    from ..fileio import atomic_write_text
    atomic_write_text(path, text)


def entry() -> None:  # pragma: no cover - console script shim (tests: test_startup.py)
    """The `secure-deploy` command: main() with the cyclic GC kept off the start-up path.

    A CI audit is short: most of its time is the interpreter importing modules and
    building classes, which allocates enough to trigger collections that find nothing
    to free, and at exit the interpreter walks every object again. So the collector is
    off while the command's modules load, what they built is frozen (never scanned
    again), the collector runs normally during the audit (large deployments keep a
    bounded memory), and the results are frozen before exit. Tests call main() and are
    unaffected.
    """
    import gc
    argv = sys.argv[1:]
    gc.disable()
    try:
        args = build_parser(argv).parse_args(argv)
    finally:
        gc.freeze()
        gc.enable()
    code = run_command(args)
    gc.freeze()
    sys.exit(code)


__all__: List[str] = ["main", "run_command", "build_parser", "write_output", "entry", "terminal_width",
                     "EXIT_OK", "EXIT_FAIL", "EXIT_ERROR"]
