"""Hardening plan: a fixed copy of an ncs.conf, its diff, and what is left to do by hand.

Pure apart from `plan_text(path)`, which reads the file it is given: bytes in, a
`HardenResult` out. The edit is verified before anyone sees it: the hardened text
is parsed again by the real ncs.conf reader and audited with the registered rules;
a row of the fix table whose rule still fails after its edits is reported, never
hidden (the tests require there are none).
"""
from __future__ import annotations

import difflib
import os
import re
import shlex
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

from .. import registry
from ..engine import evaluate
from ..errors import InputError, SecureDeployError
from ..facts.ncsconf import parse_ncs_conf
from ..facts.types import Facts, NcsConf, Settings
from ..frozen import frozen
from .plan import FIXES, Fix, blocked, value_needed
from ..model import SUPPORTED_NSO_VERSIONS, VERSION_UNKNOWN, NsoVersionInfo, Rule, Status
from ..redact import scrub
from .xml_edit import XmlText, redacted
from ..xmlsafe import parse_bytes, read_bytes

FAILING = (Status.FAIL, Status.WARN)
EXTERNAL_KEYS = "/ncs-config/encrypted-strings/external-keys"
KEYS_FILE_DEFAULT = "${NCS_CONFIG_DIR}/ncs.crypto_keys"
EXTERNAL_KEYS_COMMAND = "${NCS_DIR}/bin/ncs_crypto_keys"
_EPOCH = "1970-01-01T00:00:00+00:00"  # rules over ncs.conf alone do not read the clock


@frozen
class Change:
    """One ncs.conf value the hardening changed, for the plan printed to the operator."""

    rule_id: str
    path: str
    old: str            # as described by NcsConf.described ("absent (default: ...)")
    new: Optional[str]  # None: removed


@frozen
class ManualStep:
    """Something the hardening cannot do in ncs.conf and the operator must do by hand."""

    rule_id: str        # "" for steps not tied to one rule
    title: str
    text: str


@frozen
class HardenResult:
    """A hardened ncs.conf and its plan: changes, notes, manual steps, verdicts before and after."""

    source: str
    target: str
    version: str
    original: bytes
    hardened: bytes
    changes: Tuple[Change, ...]
    notes: Tuple[Tuple[str, str], ...]            # (rule id, what to know after the change)
    manual: Tuple[ManualStep, ...]
    permissions: Tuple[str, ...]                  # shell lines, printed, never run
    before: Tuple[Tuple[str, Status], ...]        # rule verdicts on the input
    after: Tuple[Tuple[str, Status], ...]         # ... and on the hardened copy
    diff: str

    @property
    def changed(self) -> bool:
        return self.hardened != self.original

    @property
    def fixed_rules(self) -> Tuple[str, ...]:
        return tuple(dict.fromkeys(c.rule_id for c in self.changes))

    def status_after(self, rule_id: str) -> Optional[Status]:
        return dict(self.after).get(rule_id)


def _is_secret(path: Tuple[str, ...]) -> bool:
    # Same notion as the reader: everything under /encrypted-strings but the
    # external-keys command settings is key material.
    return (len(path) >= 2 and path[1] == "encrypted-strings" and "external-keys" not in path
            and path[-1] != "generation")


def _decode(data: bytes, name: str) -> Tuple[str, str, bytes]:
    """(text, codec, BOM) of an ncs.conf that xmlsafe accepted."""
    root = parse_bytes(data, name)
    declared = (root.getroottree().docinfo.encoding or "UTF-8").lower()
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    codec = "utf-8" if declared in ("utf-8", "utf8") else declared
    try:
        return data[len(bom):].decode(codec), codec, bom
    except (LookupError, UnicodeDecodeError):
        raise InputError(f"{name}: cannot decode as {declared}") from None


def _parts(path: str) -> List[str]:
    return path.strip("/").split("/")[1:]


def _ncs_conf_rules(rules: Optional[Sequence[Rule]]) -> Tuple[Rule, ...]:
    rs = registry.all_rules() if rules is None else rules
    return tuple(r for r in rs if set(r.meta.needs) <= {"ncs_conf"})


def _audit(conf: NcsConf, version: str, rules: Sequence[Rule], settings: Settings, any_release: bool
           ) -> Tuple[Tuple[str, Status], ...]:
    # With the release unknown the engine judges every rule under each release's defaults.
    facts = Facts(version=NsoVersionInfo(version, version, VERSION_UNKNOWN if any_release else "harden"),
                  now=_EPOCH, ncs_conf=conf, settings=settings)
    return tuple((r.id, evaluate(r, facts).status) for r in rules)


def harden_bytes(data: bytes, name: str, *, version: str, target: Optional[str] = None,
                 env: Optional[Mapping[str, str]] = None, rules: Optional[Sequence[Rule]] = None,
                 accepted_exposures: Sequence[str] = (), nso_user: Optional[str] = None,
                 any_release: bool = False, keys_file: Optional[str] = None) -> HardenResult:
    """Plan and apply every fix of the table that `data` needs; verify; describe the rest.

    `keys_file`: where the caller writes the current inline keys (the caller writes
    the file; this stays pure). The copy's <encrypted-strings> then reads that file
    through external-keys instead of holding the keys.

    `any_release`: the NSO release is unknown, so an absent element could mean the
    default of any supported release; an element is then written whenever some
    release's default is not the wanted value (and never when a release lacks it).
    """
    releases = SUPPORTED_NSO_VERSIONS if any_release else (version,)
    target = target or f"{name}.hardened"
    env = dict(env or {})
    text, codec, bom = _decode(data, name)
    conf = parse_ncs_conf(data, name, version, env)
    settings = Settings(accepted_exposures=tuple(accepted_exposures))
    audited = _ncs_conf_rules(rules)
    before = _audit(conf, version, audited, settings, any_release)
    doc = XmlText(text)
    changes: List[Change] = []
    notes: List[Tuple[str, str]] = []
    manual: Dict[str, ManualStep] = {}
    for fix in FIXES:
        if fix.exposure and fix.exposure in accepted_exposures:
            continue
        todo = [(e.path, v) for e in fix.edits if (v := value_needed(e, conf, releases)) is not None]
        drop = [r for r in fix.removals if any(not r.keep((n.text or "").strip()) for n in conf.nodes(r.path))]
        if not todo and not drop:
            continue
        reason = blocked(fix, conf)
        if reason:
            manual[fix.rule_id] = ManualStep(fix.rule_id, fix.summary, f"Not changed automatically: {reason}.")
            continue
        for path, value in todo:
            old = conf.described(path)
            if doc.set_value(_parts(path), value):
                changes.append(Change(fix.rule_id, path, old, value))
        for r in drop:
            for gone in doc.remove(_parts(r.path), r.keep):
                changes.append(Change(fix.rule_id, r.path, gone, None))
        if fix.note:
            notes.append((fix.rule_id, fix.note))
    moved = bool(keys_file) and bool(conf.inline_keys)
    if moved:
        assert keys_file is not None
        changes.append(_externalise_keys(doc, conf, keys_file))
    hardened = bom + doc.text.encode(codec)
    try:
        new_conf = parse_ncs_conf(hardened, target, version, env)
    except InputError as e:  # a bug in the editor, never the user's fault
        raise SecureDeployError(f"internal error: the hardened copy of {name} does not parse ({e})") from None
    after = _audit(new_conf, version, audited, settings, any_release)
    by_id = {r.id: r for r in audited}
    for rule_id, status in after:
        if status not in FAILING or rule_id in manual:
            continue
        r = by_id[rule_id]
        fix = next((f for f in FIXES if f.rule_id == rule_id), None)
        why = ""
        reason = fix.unavailable(new_conf) if fix is not None and fix.unavailable is not None else None
        if reason:
            why = f"Not changed automatically: {reason}. "
        elif fix is not None and fix.rule_id in {c.rule_id for c in changes}:
            why = "The automatic fix did not satisfy this rule; fix it by hand. "
        elif fix is not None and fix.exposure in accepted_exposures and fix.exposure:
            why = f"Left as is: declared an accepted exposure ({fix.exposure}). "
        manual[rule_id] = ManualStep(rule_id, r.meta.title, why + r.meta.remediation)
    steps = list(manual.values())
    if conf.inline_keys and not moved:
        steps.insert(0, _inline_keys_step(conf))
    diff = _diff(text, doc.text, name, target)
    shown_version = f"{', '.join(releases)} (release unknown: the strictest default)" if any_release else version
    return HardenResult(name, target, shown_version, data, hardened, tuple(changes), tuple(notes), tuple(steps),
                        # With the keys moved, the files to protect are those of the copy.
                        _permissions(new_conf if moved else conf, name, nso_user), before, after, diff)


def _diff(old: str, new: str, name: str, target: str) -> str:
    if old == new:
        return ""
    # Diff the redacted texts: context lines near <encrypted-strings> never show keys.
    a = redacted(old, _is_secret).splitlines(keepends=True)
    b = redacted(new, _is_secret).splitlines(keepends=True)
    lines = difflib.unified_diff(a, b, fromfile=name, tofile=target)
    # scrub: a key-like value outside <encrypted-strings> (a commented-out copy of the
    # whole section, say) still never reaches the terminal.
    return scrub("".join(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n"
                         for ln in lines))


def _externalise_keys(doc: XmlText, conf: NcsConf, keys_file: str) -> Change:
    """<encrypted-strings> reads `keys_file` through external-keys; the inline keys go.

    The same keys, so nothing is re-encrypted: NSO reads them from the file after
    the hardened copy is deployed and NSO restarted or reloaded.
    """
    doc.clear(["encrypted-strings"])
    doc.set_value(["encrypted-strings", "external-keys", "command"], EXTERNAL_KEYS_COMMAND)
    doc.set_value(["encrypted-strings", "external-keys", "command-argument"], keys_file)
    return Change("SD-KEYS-001", f"{EXTERNAL_KEYS}/command-argument",
                  f"{len(conf.inline_keys)} inline key value(s)", keys_file)


def _inline_keys_step(conf: NcsConf) -> ManualStep:
    dummy = any(k.is_dummy for k in conf.inline_keys)
    text = f"""\
ncs.conf holds {len(conf.inline_keys)} encryption key value(s) inline{' (well-known demo keys among them)' if dummy else ''}.
They are left in place: removing them would make every encrypted CDB value unreadable.
  1. Back up NSO (ncs-backup) and keep a copy of the current ncs.conf.
  2. Create the external keys file {KEYS_FILE_DEFAULT} holding the *current*
     keys (same values as in ncs.conf), owned by the NSO user, mode 0600
     (`secure-deploy keys migrate --ncs-conf FILE --keys-file KEYS_FILE` writes it).
  3. Replace the content of <encrypted-strings> with:
       <external-keys>
         <command>${{NCS_DIR}}/bin/ncs_crypto_keys</command>
         <command-argument>{KEYS_FILE_DEFAULT}</command-argument>
       </external-keys>
  4. Restart NSO (or `ncs --reload`) and check that encrypted values still decrypt.
  5. Rotate to fresh keys: `secure-deploy keys rotate` (or the NSO action
     secure-deploy keys rotate), which adds a new generation and re-encrypts CDB
     with /key-rotation/apply-new-keys.{' The demo keys are public: do this before any secret is stored.' if dummy else ''}"""
    return ManualStep("", "move the inline encryption keys to an external keys file", text)


# --- permission commands ----------------------------------------------------------

_SAFE = re.compile(r"[A-Za-z0-9_./@%+=:,-]*")
_WITH_VARS = re.compile(r"(?:[A-Za-z0-9_./@%+=:,-]|\$\{NCS_[A-Z_]+\})*")


def shell_path(raw: str) -> str:
    """A path as a shell word. ${NCS_*} stay expandable; anything else is quoted inert.

    The path comes from the file being hardened: it must never be able to run a
    command when an operator pastes the printed line.
    """
    if _SAFE.fullmatch(raw):
        return raw
    if _WITH_VARS.fullmatch(raw):
        return f'"{raw}"'
    return shlex.quote(raw)


def _permissions(conf: NcsConf, name: str, nso_user: Optional[str]) -> Tuple[str, ...]:
    user = shlex.quote(nso_user) if nso_user else '"$NSO_USER"'
    files: List[Tuple[str, str, str]] = []  # (path, mode, why)
    external = conf.is_set(f"{EXTERNAL_KEYS}/command")
    if external or conf.inline_keys:
        arg = (conf.node(f"{EXTERNAL_KEYS}/command-argument").raw or "").strip() \
            if conf.is_set(f"{EXTERNAL_KEYS}/command-argument") else ""
        files.append((arg or KEYS_FILE_DEFAULT, "0600", "the encryption keys"))
    check_file = conf.node("/ncs-config/ncs-ipc-access-check/filename")
    if check_file is not None and (check_file.raw or "").strip():
        files.append(((check_file.raw or "").strip(), "0600", "the IPC access secret"))
    for base in ("/ncs-config/webui/transport/ssl", "/ncs-config/restconf/transport/ssl",
                 "/ncs-config/ha-raft/ssl", "/ncs-config/ha/ssl"):
        key = conf.node(f"{base}/key-file")
        if key is not None and (key.raw or "").strip():
            files.append(((key.raw or "").strip(), "0600", f"TLS private key ({base})"))
    conf_mode = "0600" if conf.inline_keys else "0640"
    files.append((os.path.abspath(name), conf_mode, "ncs.conf" + (" (holds inline keys)" if conf.inline_keys else "")))
    lines = []
    if not nso_user:
        lines.append("# NSO_USER: the user NSO runs as (ncs-installer --run-as-user), e.g. NSO_USER=nso")
    seen = set()
    for path, mode, why in files:
        if path in seen:
            continue
        seen.add(path)
        p = shell_path(path)
        lines.append(f"chown {user} {p} && chmod {mode} {p}    # {why}")
    key_dir = conf.node("/ncs-config/aaa/ssh-server-key-dir")
    if key_dir is not None and (key_dir.raw or "").strip():
        d = shell_path((key_dir.raw or "").strip().rstrip("/"))
        lines.append(f"chown -R {user} {d} && chmod 0700 {d} && chmod 0600 {d}/ssh_host_*_key    "
                     "# SSH host keys")
    return tuple(lines)


# --- text ---------------------------------------------------------------------

def render_plan(result: HardenResult, *, with_diff: bool = True) -> str:
    out: List[str] = []
    n = len(result.changes)
    out.append(f"Hardening plan for {result.source} (defaults of NSO {result.version})")
    if n:
        out.append(f"{n} change(s) for {len(result.fixed_rules)} rule(s), written to {result.target}:")
        for c in result.changes:
            new = "removed" if c.new is None else c.new
            out.append(f"  [{c.rule_id}] {c.path}: {c.old} -> {new}")
    else:
        out.append("No automatic change needed.")
    if with_diff and result.diff:
        out += ["", "Diff:", result.diff.rstrip("\n")]
    if result.notes:
        out += ["", "Before deploying the hardened copy:"]
        out += [f"  [{rid}] {note}" for rid, note in result.notes]
    out += ["", "File permissions (printed, not run; as root on the NSO host):"]
    out += [f"  {ln}" for ln in result.permissions]
    if result.manual:
        out += ["", "Manual steps (need site values or a decision):"]
        for i, s in enumerate(result.manual, 1):
            head = f"[{s.rule_id}] " if s.rule_id else ""
            out.append(f"  {i}. {head}{s.title}")
            out += [f"     {ln}" if ln else "" for ln in s.text.splitlines()]
    out += ["", "Rules that need more than ncs.conf (host, keys file, CDB) are not covered here: "
            "run `secure-deploy audit` on the deployment for those."]
    return scrub("\n".join(out) + "\n")


def plan_text(source: Union[str, "os.PathLike[str]", Facts, NcsConf], *, version: Optional[str] = None,
              env: Optional[Mapping[str, str]] = None, rules: Optional[Sequence[Rule]] = None,
              accepted_exposures: Sequence[str] = (), nso_user: Optional[str] = None,
              with_diff: bool = True, any_release: bool = False) -> str:
    """The plan as text, for the NSO `harden-plan` action and the CLI.

    `source` is an ncs.conf path, or Facts / NcsConf whose `.path` names the file
    (the plan needs the file's text to produce a diff that keeps its layout).
    """
    if isinstance(source, Facts):
        if source.ncs_conf is None:
            raise InputError("no ncs.conf to harden")
        version = version or source.version.version
        any_release = any_release or source.version.unknown
        accepted_exposures = tuple(accepted_exposures) or source.settings.exposure_names
        source = source.ncs_conf
    if isinstance(source, NcsConf):
        version = version or source.version
        env = env if env is not None else dict(source.env)
        source = source.path
    path = os.fspath(source)
    result = harden_bytes(read_bytes(path), path, version=version or "6.4", env=env, rules=rules,
                          accepted_exposures=accepted_exposures, nso_user=nso_user, any_release=any_release)
    return render_plan(result, with_diff=with_diff)


__all__ = ["Change", "ManualStep", "HardenResult", "harden_bytes", "render_plan", "plan_text", "shell_path",
           "FIXES", "Fix"]
