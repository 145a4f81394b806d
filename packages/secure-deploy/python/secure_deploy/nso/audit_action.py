"""The audit inside NSO: settings + files + MAAPI -> Facts -> Report -> oper data.

Read-only towards the deployment: files are only read, CDB config only read (as
the invoking user, so NACM applies and the audit never shows a user more than
they may read); the only write is the package's own operational data.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import logging
import os
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import ncs

from .. import registry
from ..alarms.notification import run_notification
from ..alarms.state import next_state
from ..engine import TOOL_VERSION, run
from ..errors import InputError, UsageError
from ..facts.collect import collect
from ..facts.keys import nso_keys_facts
from ..facts.types import Facts
from ..facts.version import ASSUMED_DEFAULT, parse_version, resolve_version
from ..fleet.node import node_info
from ..frozen import frozen
from ..model import NsoVersionInfo, Report, Rule, Severity, Status
from ..redact import scrub
from ..report.waivers import apply_waivers
from . import alarm_glue, cdb_facts, oper
from .notify import NOTIFIER
from .settings import NsoSettings, read_settings, sources_for
from .values import text
from . import caller

# NSO runs action callbacks in threads of one Python VM. Storing a run reads the
# previous run, replaces last-run and trims history: two runs interleaving there
# would compute "changed since the previous run" against the same previous run and
# trim the same entries, so the store step is serialized; with the same lock as the
# alarm submitter's write-back, which rewrites the alarm state stored here.
_STORE_LOCK = alarm_glue.STATE_LOCK

Clock = Callable[[], _dt.datetime]


def utc_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


@frozen
class AuditRequest:
    """The audit action's input: rule and tag selection and the minimum severity."""

    rules: Tuple[str, ...] = ()
    tags: Tuple[str, ...] = ()
    min_severity: Optional[str] = None


@frozen
class AuditOutcome:
    """A stored audit run: its report and what changed since the previous run."""

    run_id: str
    report: Report
    newly_failing: Tuple[str, ...]
    newly_passing: Tuple[str, ...]
    active_alarms: int = 0
    notified: bool = False


@contextlib.contextmanager
def span(trans: Any, msg: str) -> Iterator[None]:
    """A progress-trace span (`| details` in the CLI); a no-op where unsupported."""
    starter = getattr(trans, "start_progress_span", None)
    sp = None
    if starter is not None:
        try:
            sp = starter(msg)
        except Exception:  # noqa: BLE001 - progress is cosmetic, never fatal
            sp = None
    try:
        yield
    finally:
        if sp is not None and hasattr(sp, "end"):
            try:
                sp.end()
            except Exception:  # noqa: BLE001
                pass


def info(trans: Any, msg: str) -> None:
    fn = getattr(trans, "progress_info", None)
    if fn is not None:
        try:
            fn(msg)
        except Exception:  # noqa: BLE001
            pass


def select_rules(req: AuditRequest, settings: NsoSettings) -> Tuple[Tuple[Rule, ...], List[str]]:
    rules = registry.all_rules()
    known = {r.id for r in rules}
    unknown = [i for i in req.rules if i.upper() not in known]
    if unknown:
        raise UsageError(f"unknown rule id{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                         "(see `show secure-deploy catalog rule`)")
    notes = []
    skip = []
    for rid in settings.disabled_rules:
        if rid.upper() in known:
            skip.append(rid)
        else:
            # A typo in the configuration must not break every audit: note it.
            notes.append(f"settings disabled-rule {rid} is not a known rule: ignored")
    sev = Severity.parse(req.min_severity) if req.min_severity else None
    chosen = registry.select(rules, req.rules, req.tags, skip, sev)
    if not chosen:
        raise UsageError("the selection matches no rule (check rule, tag, min-severity and "
                         "settings disabled-rule)")
    return chosen, notes


def runtime_version(t: Any) -> Optional[str]:
    """/ncs-state/version (tailf-ncs-monitoring), None when it cannot be read."""
    try:
        v = ncs.maagic.get_root(t).ncs_state.version
    except Exception:  # noqa: BLE001 - module absent or not readable: other sources apply
        return None
    return str(v) if v else None


def nso_version(settings: NsoSettings, runtime: Optional[str], env: Any) -> Tuple[NsoVersionInfo, List[str]]:
    """settings nso-version, else the running NSO, else $NCS_DIR/VERSION, else assumed."""
    try:
        if settings.nso_version:
            return parse_version(settings.nso_version, "setting"), []
        return resolve_version(None, None, runtime, env), []
    except InputError as e:
        # An NSO newer than this package knows must not stop the audit: the oldest
        # supported defaults are assumed (strictest) and the run says so.
        return NsoVersionInfo(ASSUMED_DEFAULT, ASSUMED_DEFAULT, "assumed"), [f"NSO version: {e}"]


def _leaf(v: Any) -> Optional[str]:
    return text(v)


def _gen(v: Any) -> Optional[int]:
    try:
        return int(str(v)) if v is not None and str(v) != "" else None
    except ValueError:
        return None


def rotation_doc(sd: Any) -> Dict[str, Any]:
    """/secure-deploy/key-rotation (current record + history) in the shape of the
    standalone history file, for facts.keys (fingerprints and times only). Empty when
    it cannot be read: then only get-active-generation or the file itself remain."""
    try:
        kr = sd.key_rotation
        recs: List[Dict[str, Any]] = []
        for rot in kr.history.rotation:
            result = _leaf(rot.result)
            recs.append({"id": _leaf(rot.id), "state": "completed" if result == "success" else "failed",
                         "from_generation": _gen(rot.from_generation),
                         "to_generation": _gen(rot.to_generation),
                         "old_fingerprint": _leaf(rot.old_fingerprint),
                         "new_fingerprint": _leaf(rot.new_fingerprint),
                         "started": _leaf(rot.started) or _leaf(rot.time)})
        recs.sort(key=lambda r: (r["started"] or "", r["id"] or ""))
        current = None
        if _leaf(kr.rotation_id):
            current = {"state": _leaf(kr.state), "from_generation": _gen(kr.from_generation),
                       "to_generation": _gen(kr.to_generation),
                       "old_fingerprint": _leaf(kr.old_fingerprint),
                       "new_fingerprint": _leaf(kr.new_fingerprint), "started": _leaf(kr.started)}
        return {"history": recs, "current": current}
    except Exception:  # noqa: BLE001 - no rotation data (or not readable): the file decides
        return {}


def nso_active_generation(uinfo: Any) -> Optional[int]:
    """/key-rotation/get-active-generation, None when NSO cannot answer (NSO < 6.4,
    NACM, ...)."""
    from .key_ops import MaapiKeyOps
    try:
        return MaapiKeyOps(uinfo.username, uinfo.context, caller=uinfo).get_active_generation()
    except Exception:  # noqa: BLE001 - the rotation records are the fallback
        return None


def _iso(now: _dt.datetime) -> str:
    return now.astimezone(_dt.timezone.utc).replace(microsecond=0).isoformat()


def gather(uinfo: Any, trans: Any, req: AuditRequest, now: _dt.datetime,
           environ: Optional[Any] = None) -> Tuple[Facts, Tuple[Rule, ...], NsoSettings, List[str]]:
    """Read settings, version and CDB through MAAPI, files through facts.collect."""
    import os
    env = dict(os.environ if environ is None else environ)
    notes: List[str] = []
    with ncs.maapi.Maapi() as m:
        # The caller's own session: NACM judges with the user's groups (caller.py).
        with m.start_read_trans(db=ncs.RUNNING, usid=uinfo.usid) as t:
            sd = ncs.maagic.get_root(t).secure_deploy
            settings = read_settings(sd)
            rules, sel_notes = select_rules(req, settings)
            version, v_notes = nso_version(settings, runtime_version(t), env)
            with span(trans, "secure-deploy: reading files"):
                facts = collect(sources_for(settings, env), version, _iso(now),
                                strict=False, settings=settings.core_settings)
            if facts.keys is not None and any("keys" in r.meta.needs for r in rules):
                # The active generation is NSO's, never "the newest in the file" (a
                # failed rotation leaves an unused newer one); the key age is that
                # generation's, from the completed rotation that wrote it.
                facts = dataclasses.replace(facts, keys=nso_keys_facts(
                    facts.keys, nso_active_generation(uinfo), rotation_doc(sd)))
            cdb_error = None
            cdb = None
            if any("cdb" in r.meta.needs for r in rules):
                with span(trans, "secure-deploy: reading CDB"):
                    try:
                        cdb = cdb_facts.read_cdb_facts(t, cdb_facts.make_decrypt(m))
                    except Exception as e:  # noqa: BLE001 - an unreadable CDB is ERROR, not FAIL
                        cdb_error = f"{type(e).__name__}: {scrub(str(e))}"
    errors = tuple(e for e in facts.errors if e[0] != "cdb")
    if cdb_error is not None:
        errors += (("cdb", f"could not read CDB through MAAPI: {cdb_error}"),)
    facts = dataclasses.replace(facts, cdb=cdb, errors=errors)
    notes += sel_notes + v_notes + list(settings.notes)
    if cdb is not None:
        notes.append(f"CDB read as user {uinfo.username}: data NACM hides from that user counts as absent")
    return facts, rules, settings, notes


def target(facts: Facts) -> str:
    parts = [p for p in (facts.ncs_conf.path if facts.ncs_conf else None,
                         facts.keys.path if facts.keys else None) if p]
    return "NSO runtime: " + ", ".join(parts + ["CDB via MAAPI"])


def failures(report: Report) -> List[Any]:
    """Rules that fail or could not be evaluated, worst first."""
    bad = [r for r in report.results if r.status in (Status.FAIL, Status.ERROR)]
    return sorted(bad, key=lambda r: (-r.meta.severity.rank, -r.status.badness, r.rule_id))


def store(uinfo: Any, report: Report, run_id: str, settings: NsoSettings,
          rules_for_catalog: Sequence[Rule]) -> Tuple[List[str], List[str]]:
    """last-run + history (+ catalog when it is missing or stale), one oper transaction."""
    with _STORE_LOCK:
        with caller.trans(uinfo, ncs.OPERATIONAL, write=True) as t:
            root = ncs.maagic.get_root(t)
            previous = oper.previous_statuses(t)
            newly_failing, newly_passing = oper.changes(previous, report.results)
            # The catalog is written here, lazily, not in Application.setup(): setup
            # must only register callbacks (NSO waits for it while starting the
            # package, and a CDB error there would fail the whole package). It is
            # rewritten when the package's rules or version changed.
            stale = (sorted(oper.catalog_ids(t)) != sorted(r.id for r in rules_for_catalog)
                     or (previous is not None and str(root.secure_deploy.last_run.tool_version) != TOOL_VERSION))
            prev_score = root.secure_deploy.last_run.score if previous is not None else None
            oper.write_last_run(root, t, report, run_id, uinfo.username)
            oper.write_history(root, t, report, run_id, uinfo.username, settings.history_size,
                               newly_failing, newly_passing,
                               previous_score=None if prev_score is None else float(prev_score))
            # The alarm state this run implies, stored with it (alarms/state.py); it
            # reaches NSO's alarm list after this transaction (alarm_glue.submit_pending).
            alarms = next_state(report.results, alarm_glue.read_records(root), settings.alarms, run_id,
                                settings.disabled_rules, known_rules={r.id for r in rules_for_catalog})
            alarm_glue.write_records(root, t, alarms)
            if stale:
                oper.write_catalog(root, t, rules_for_catalog)
            t.apply()
    return newly_failing, newly_passing


def run_audit(uinfo: Any, trans: Any, req: AuditRequest, clock: Clock = utc_now,
              environ: Optional[Any] = None, log: Optional[Any] = None) -> AuditOutcome:
    started = clock()
    with span(trans, "secure-deploy audit"):
        facts, rules, settings, notes = gather(uinfo, trans, req, started, environ)
        info(trans, f"secure-deploy: evaluating {len(rules)} rules")
        report = run(facts, rules, target=target(facts), started_at=_iso(started))
        # The stored JSON report is a per-node report `secure-deploy fleet` can merge:
        # this host's name, its HA cluster, keys fingerprint and settings (no key).
        report = dataclasses.replace(report, node=node_info(facts, os.uname().nodename, registry.all_rules()))
        report = apply_waivers(report, settings.waivers, started)
        elapsed = (clock() - started).total_seconds()
        report = dataclasses.replace(report, notes=tuple(notes) + report.notes,
                                     duration_s=round(max(elapsed, report.duration_s), 3))
        run_id = oper.new_run_id(started)
        with span(trans, "secure-deploy: storing results"):
            nf, np_ = store(uinfo, report, run_id, settings, registry.all_rules())
        # The run is stored: alarms and the notification can no longer change it, and
        # their failures are logged, never the audit's.
        log = log if log is not None else logging.getLogger("secure-deploy")
        with span(trans, "secure-deploy: alarms and notification"):
            _sent, active_alarms = alarm_glue.submit_pending(uinfo, log)
            notified = NOTIFIER.send(run_notification(run_id, report, uinfo.username, nf, np_, active_alarms),
                                     started, log)
    return AuditOutcome(run_id, report, tuple(nf), tuple(np_), active_alarms, notified)
