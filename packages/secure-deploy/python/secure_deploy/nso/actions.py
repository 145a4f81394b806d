"""Action callbacks: YANG input -> core call -> YANG output. Nothing else.

Every failure becomes a clear action error (`_ncs.dp.action_seterr` + CONFD_ERR):
the operator sees one sentence in the CLI/RESTCONF/WebUI, never a traceback; the
traceback of an unexpected error goes to the package log
(logs/ncs-python-vm-secure-deploy.log) only.
"""
from __future__ import annotations

import os
from typing import Any, List, Optional

import _ncs
import ncs

from ..errors import SecureDeployError, UsageError
from ..facts.collect import resolve
from ..redact import scrub
from ..report import Format, HistoryPoint, RenderOptions, diff, render
from . import audit_action, caller, oper
from .settings import read_settings, sources_for
from .values import text


class SafeAction(ncs.dp.Action):
    """Maps exceptions to action errors; subclasses implement `handle`."""

    def handle(self, uinfo: Any, name: str, kp: Any, input: Any, output: Any, trans: Any) -> None:
        raise NotImplementedError

    @ncs.dp.Action.action
    def cb_action(self, uinfo: Any, name: Any, kp: Any, input: Any, output: Any, trans: Any) -> Optional[int]:
        action = str(name)
        try:
            self.handle(uinfo, action, kp, input, output, trans)
        except SecureDeployError as e:
            self.log.warning(f"secure-deploy {action} by {uinfo.username}: {scrub(str(e))}")
            _ncs.dp.action_seterr(uinfo, scrub(str(e)))
            return ncs.CONFD_ERR
        except Exception as e:  # noqa: BLE001 - the user gets one line, the log the traceback
            # The traceback goes through the scrubber too: exception texts are the one
            # place a value could slip into a log unchecked.
            import traceback
            self.log.error(f"secure-deploy {action} by {uinfo.username} failed: "
                           + scrub("".join(traceback.format_exception(type(e), e, e.__traceback__))))
            _ncs.dp.action_seterr(uinfo, f"secure-deploy {action} failed: {type(e).__name__}: "
                                         f"{scrub(str(e))} (details in the package log)")
            return ncs.CONFD_ERR
        return None


def _opt(v: Any) -> Optional[str]:
    return text(v)


class AuditAction(SafeAction):
    """/secure-deploy/audit"""

    def handle(self, uinfo: Any, name: str, kp: Any, input: Any, output: Any, trans: Any) -> None:
        # A large deployment may take longer than the default action timeout (PT240S).
        _ncs.dp.action_set_timeout(uinfo, 1800)
        req = audit_action.AuditRequest(rules=tuple(str(r) for r in input.rule.as_list()),
                                        tags=tuple(str(t) for t in input.tag.as_list()),
                                        min_severity=_opt(input.min_severity))
        out = audit_action.run_audit(uinfo, trans, req, log=self.log)
        report = out.report
        self.log.info(f"secure-deploy audit {out.run_id} by {uinfo.username}: score {report.summary.score}, "
                      f"{len(audit_action.failures(report))} failing")
        output.run_id = out.run_id
        output.score = report.summary.score
        by_status = dict(report.summary.by_status)
        for leaf, status in oper.COUNT_LEAVES:
            setattr(output.counts, leaf, len(report.results) if status is None else by_status[status.value])
        for sev, n in report.summary.failed_by_severity:
            setattr(output.failed_by_severity, sev, n)
        for r in audit_action.failures(report):
            f = output.failure.create(r.rule_id)
            f.severity = r.meta.severity.value
            f.status = r.status.value
            f.message = r.message


def _history_points(root: Any) -> List[HistoryPoint]:
    pts = []
    for h in root.secure_deploy.history.run:
        pts.append(HistoryPoint(started_at=str(h.time or ""), score=float(h.score or 0.0),
                                failed=int(h.counts.failed or 0)))
    return sorted(pts, key=lambda p: p.started_at)


class ReportAction(SafeAction):
    """/secure-deploy/report: render the last run or any run in history, in any format."""

    def handle(self, uinfo: Any, name: str, kp: Any, input: Any, output: Any, trans: Any) -> None:
        from .. import registry
        fmt = Format(text(input.format) or "text")
        # report-json is in a hide group (tailf:hidden). The action's own transaction
        # belongs to the northbound session, which may hide hide groups (UNVERIFIED
        # for the CLI); a MAAPI transaction sees them unless started with
        # FLAG_HIDE_ALL_HIDEGROUPS (pyapi/_ncs.maapi.md; hide_group/unhide_group are
        # per transaction, pyapi/ncs.maapi.md), so read through a fresh one, in the
        # invoking user's session (NACM applies with the user's groups).
        since = _opt(input.since)
        if since is not None and fmt not in (Format.TEXT, Format.JSON):
            raise UsageError(f"since renders the drift as text or json, not {fmt.value}")
        with caller.trans(uinfo, ncs.OPERATIONAL) as t:
            root = ncs.maagic.get_root(t)
            report = oper.stored_report(root, _opt(input.run_id), registry.all_rules())
            if since is not None:
                # Drift: what changed between run `since` and the rendered run.
                old = oper.stored_report(root, since, registry.all_rules())
                d = diff.diff_reports(old, report)
                output.content = diff.render_json(d) if fmt is Format.JSON else diff.render_text(d)
                return
            opts = RenderOptions(history=tuple(_history_points(root)) if fmt is Format.HTML else ())
        output.content = render(report, fmt, opts)


class HardenPlanAction(SafeAction):
    """/secure-deploy/harden-plan: the ncs.conf remediation plan, as text."""

    def handle(self, uinfo: Any, name: str, kp: Any, input: Any, output: Any, trans: Any) -> None:
        try:
            from ..harden.apply import plan_text
        except ImportError:
            raise UsageError("the harden plan is not available in this package version") from None
        root = ncs.maagic.get_root(trans)
        settings = read_settings(root.secure_deploy)
        env = dict(os.environ)
        version, _ = audit_action.nso_version(settings, audit_action.runtime_version(trans), env)
        r = resolve(sources_for(settings, env))
        # The plan is computed from ncs.conf as it is now (the last run may be
        # older): it covers every ncs.conf rule that fails today.
        output.plan = plan_text(r.ncs_conf, version=version.version, env=r.env, nso_user=_daemon_user())


def _daemon_user() -> Optional[str]:
    # The Python VM runs as NSO's own user.
    try:
        import pwd
        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return None
