"""/secure-deploy/settings (with its accepted-exposure list) and /secure-deploy/waiver
(config) -> plain values.

Reads through maagic nodes handed in by the caller (a transaction's root), so this
module needs no `ncs` import of its own; everything it returns is frozen data the
core understands (facts.collect.Sources, facts.types.Settings, waivers.Waiver).
"""
from __future__ import annotations

import os
from typing import Any, List, Mapping, Optional, Tuple

from ..alarms.state import DEFAULT_DEVICE, DEFAULT_MAX_OBJECTS, AlarmSettings
from ..errors import InputError
from ..facts.collect import Sources
from ..facts.types import AcceptedExposure, Settings
from ..frozen import frozen
from ..model import Severity
from ..report.waivers import Waiver, waiver_from_mapping
from .values import nonempty, text

DEFAULT_HISTORY_SIZE = 20          # the YANG default of settings/history-size
DEFAULT_MAX_KEY_AGE_DAYS = 365     # the YANG default of settings/max-key-age-days


@frozen
class NsoSettings:
    """The package's settings from CDB config, with waivers already parsed."""

    ncs_conf: Optional[str] = None
    config_dir: Optional[str] = None
    run_dir: Optional[str] = None
    keys_file: Optional[str] = None
    nso_version: Optional[str] = None
    disabled_rules: Tuple[str, ...] = ()
    history_size: int = DEFAULT_HISTORY_SIZE
    max_key_age_days: int = DEFAULT_MAX_KEY_AGE_DAYS
    waivers: Tuple[Waiver, ...] = ()
    notes: Tuple[str, ...] = ()     # waivers that could not be used, and why
    accepted_exposures: Tuple[AcceptedExposure, ...] = ()
    alarms: AlarmSettings = AlarmSettings()

    @property
    def core_settings(self) -> Settings:
        return Settings(max_key_age_days=self.max_key_age_days, accepted_exposures=self.accepted_exposures)


def _opt(value: Any) -> Optional[str]:
    return nonempty(value)


def _label(value: Any) -> str:
    """An enumeration leaf as its label (values.text)."""
    return text(value) or ""


def waiver_from_entry(entry: Mapping[str, Any]) -> Waiver:
    """One /secure-deploy/waiver list entry (YANG names) as a core Waiver."""
    wid = entry.get("id")
    fields = {"rule": entry.get("rule-id"), "object": entry.get("object"),
              "justification": entry.get("justification"), "approved-by": entry.get("approved-by"),
              "created": entry.get("created"), "expires": entry.get("expires")}
    # date-or-time: waivers.py reads the first 10 characters, i.e. the UTC date as written.
    return waiver_from_mapping({k: v for k, v in fields.items() if v is not None},
                               f"/secure-deploy/waiver{{{wid}}}")


def read_settings(sd: Any) -> NsoSettings:
    """`sd` is the maagic node /secure-deploy of any transaction on RUNNING."""
    s = sd.settings
    waivers: List[Waiver] = []
    notes: List[str] = []
    seen: dict = {}
    for w in sd.waiver:
        entry = {"id": w.id, "rule-id": w.rule_id, "object": w.object, "justification": w.justification,
                 "approved-by": w.approved_by, "created": w.created, "expires": w.expires}
        try:
            parsed = waiver_from_entry({k: (None if v is None else str(v)) for k, v in entry.items()})
        except InputError as e:
            # A bad waiver must not stop the audit: it is ignored (the rule then shows
            # its real verdict) and the run's notes say why.
            notes.append(f"waiver {w.id} ignored: {e}")
            continue
        key = (parsed.rule, parsed.object)
        if key in seen:
            notes.append(f"waiver {w.id} ignored: {parsed.label} is already waived by {seen[key]}")
            continue
        seen[key] = w.id
        waivers.append(parsed)
    # Keyed by the interface enumeration, reason and approver mandatory (YANG), so
    # every entry is usable as it stands.
    exposures = tuple(AcceptedExposure(_label(e.interface), str(e.reason or ""), str(e.approver or ""))
                      for e in s.accepted_exposure)
    history = s.history_size
    max_age = s.max_key_age_days
    return NsoSettings(
        ncs_conf=_opt(s.ncs_conf), config_dir=_opt(s.config_dir), run_dir=_opt(s.run_dir),
        keys_file=_opt(s.keys_file), nso_version=_opt(s.nso_version),
        disabled_rules=tuple(str(r) for r in s.disabled_rule.as_list()),
        history_size=int(history) if history is not None else DEFAULT_HISTORY_SIZE,
        max_key_age_days=int(max_age) if max_age is not None else DEFAULT_MAX_KEY_AGE_DAYS,
        waivers=tuple(waivers), notes=tuple(notes), accepted_exposures=exposures,
        alarms=read_alarm_settings(s.alarms))


def read_alarm_settings(a: Any) -> AlarmSettings:
    """settings/alarms; an unset leaf takes its YANG default."""
    def val(v: Any, default: Any) -> Any:
        return default if v is None else v
    return AlarmSettings(enabled=bool(val(a.enabled, True)),
                         min_severity=Severity(text(val(a.min_severity, "low"))),
                         max_objects_per_rule=int(val(a.max_objects_per_rule, DEFAULT_MAX_OBJECTS)),
                         device=str(val(a.managed_device, DEFAULT_DEVICE)))


def sources_for(settings: NsoSettings, environ: Optional[Mapping[str, str]] = None,
                key_created_at: Optional[str] = None) -> Sources:
    """Where the files are: the package settings first, else the NSO environment.

    The Python VM inherits NSO's environment (NCS_DIR, NCS_CONFIG_DIR, NCS_RUN_DIR
    on a system install; a local install sets NCS_DIR and runs in the ncs-setup
    directory). facts.collect.resolve applies the same order as the CLI:
    explicit path, then $NCS_CONFIG_DIR/$NCS_RUN_DIR, then the system-install paths.
    A local install has no NCS_CONFIG_DIR: its ncs.conf is in NSO's working
    directory, which is also the Python VM's (UNVERIFIED: the VM's working
    directory is not documented), so that is tried before /etc/ncs; when it is
    not there, the settings/ncs-conf leaf names the file.
    """
    env = dict(os.environ if environ is None else environ)
    ncs_conf = settings.ncs_conf
    config_dir = settings.config_dir
    run_dir = settings.run_dir
    if ncs_conf is None and config_dir is None and not env.get("NCS_CONFIG_DIR"):
        local = os.path.join(env.get("PWD") or os.getcwd(), "ncs.conf")
        if os.path.isfile(local):
            ncs_conf = local
            run_dir = run_dir or os.path.dirname(local)
    if ncs_conf is not None and run_dir is None:
        run_dir = env.get("NCS_RUN_DIR")
    return Sources(ncs_conf=ncs_conf, config_dir=config_dir, run_dir=run_dir,
                   ncs_dir=env.get("NCS_DIR"), keys_file=settings.keys_file,
                   # Inside NSO the audit runs on the deployment's own host, so the
                   # host facts (daemon user, file modes) are always inspected; CDB
                   # comes from MAAPI, never from the XML files in the run dir.
                   inspect_host=True, key_created_at=key_created_at, discover_cdb_xml=False,
                   environ=env)
