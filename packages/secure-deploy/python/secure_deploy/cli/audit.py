"""`secure-deploy audit`: collect facts from files, run the rules, render, gate."""
from __future__ import annotations

import argparse
import datetime as _dt
from typing import Any

from .. import registry
from ..engine import run
from ..facts.collect import Sources, collect, describe_target
from ..facts.types import Settings
from ..facts.version import resolve_version
from ..model import Severity, Status
from ..render import Format, render
from . import EXIT_FAIL, EXIT_OK, write_output


def add_selection(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rule", action="append", default=[], metavar="ID", help="only this rule (repeatable)")
    p.add_argument("--tag", action="append", default=[], metavar="TAG", help="only rules with this tag")
    p.add_argument("--skip", action="append", default=[], metavar="ID", help="leave this rule out")


def add_sources(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("what to audit (default: discover from NCS_* variables and system-install paths)")
    g.add_argument("--ncs-conf", metavar="FILE", help="the ncs.conf to audit")
    g.add_argument("--config-dir", metavar="DIR", help="NCS_CONFIG_DIR (ncs.conf, ncs.crypto_keys, ipc_access)")
    g.add_argument("--run-dir", metavar="DIR", help="NCS_RUN_DIR (cdb/*.xml are read as CDB data)")
    g.add_argument("--ncs-dir", metavar="DIR", help="NCS_DIR of the installation")
    g.add_argument("--keys-file", metavar="FILE", help="the external keys file (ncs.crypto_keys)")
    g.add_argument("--cdb-xml", nargs="+", default=[], metavar="FILE",
                   help="CDB XML: aaa_init.xml, *_init.xml or `show running-config | display xml` exports")
    g.add_argument("--nso-version", metavar="X.Y", help="NSO release whose defaults apply (6.4-6.7)")
    h = g.add_mutually_exclusive_group()
    h.add_argument("--host", dest="inspect_host", action="store_true", default=None,
                   help="inspect this machine (daemon user, file modes)")
    h.add_argument("--no-host", dest="inspect_host", action="store_false",
                   help="do not inspect this machine (pre-deployment review)")
    g.add_argument("--accept-exposure", action="append", default=[], metavar="NAME",
                   help="an interface enabled on purpose: cli-ssh, netconf-ssh, webui-http")
    g.add_argument("--max-key-age-days", type=int, default=365, metavar="N")


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="audit a deployment", description=__doc__)
    add_sources(p)
    add_selection(p)
    p.add_argument("--format", default="text", choices=[f.value for f in Format])
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here (default stdout)")
    p.add_argument("--fail-on", default="high", choices=[s.value for s in Severity],
                   help="exit 1 when a rule at or above this severity fails (default high)")
    p.set_defaults(func=cmd_audit)


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def sources_from(args: argparse.Namespace) -> Sources:
    return Sources(ncs_conf=args.ncs_conf, config_dir=args.config_dir, run_dir=args.run_dir,
                   ncs_dir=args.ncs_dir, keys_file=args.keys_file, cdb_xml=tuple(args.cdb_xml),
                   inspect_host=args.inspect_host)


def cmd_audit(args: argparse.Namespace) -> int:
    rules = registry.select(registry.all_rules(), args.rule, args.tag, args.skip)
    version = resolve_version(args.nso_version, args.ncs_dir)
    settings = Settings(max_key_age_days=args.max_key_age_days,
                        accepted_exposures=tuple(args.accept_exposure))
    src = sources_from(args)
    facts = collect(src, version, now_iso(), strict=True, settings=settings)
    report = run(facts, rules, target=describe_target(src, facts))
    write_output(render(report, Format(args.format)), args.output)
    gate = Severity.parse(args.fail_on)
    failed = [r for r in report.results
              if r.status in (Status.FAIL, Status.ERROR) and r.meta.severity.rank >= gate.rank]
    return EXIT_FAIL if failed else EXIT_OK
