"""Issue 11, property-based: generated hostile input for every command.

Every command gets generated ncs.conf files, keys files, CDB XML, waiver files and
saved reports (valid, broken, truncated, with control characters, huge numbers, keys
in comments, ...) and must:
  - exit 0, 1 or 2, with no traceback and no "internal error" (a crash in disguise);
  - change no input file unless it is the command's documented target;
  - never show a key, password hash or token anywhere in stdout, stderr or a file it
    wrote (apart from the documented key-bearing targets: the keys file, its backups,
    a hardened copy of an ncs.conf that holds inline keys);
  - never put a raw terminal control character on stdout or stderr.

Commands run in-process (main()), with stdout/stderr as strict UTF-8 streams like a
real terminal's. Seeded and bounded: the "ci" profile (default, part of `make test`)
runs derandomized with SECURE_DEPLOY_FUZZ_EXAMPLES examples per command (default 200);
`make fuzz` selects the "fuzz" profile (random, 5000 examples per command).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Set, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secure_deploy.cli import main

_EXAMPLES = int(os.environ.get("SECURE_DEPLOY_FUZZ_EXAMPLES", "200"))
settings.register_profile("ci", max_examples=_EXAMPLES, derandomize=True, deadline=None, database=None,
                          print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                 HealthCheck.filter_too_much])
settings.register_profile("fuzz", max_examples=int(os.environ.get("SECURE_DEPLOY_FUZZ_EXAMPLES", "5000")),
                          derandomize=False, deadline=None, database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                 HealthCheck.filter_too_much])
PROFILE = settings.get_profile(os.environ.get("SECURE_DEPLOY_HYPOTHESIS_PROFILE", "ci"))

NS = "http://tail-f.com/yang/tailf-ncs-config"
CONFIG_NS = "http://tail-f.com/ns/config/1.0"
AAA = "http://tail-f.com/ns/aaa/1.1"
NACM = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
NCS = "http://tail-f.com/ns/ncs"
# Raw controls on a terminal; TAB, LF and CRLF line ends are allowed.
CONTROL = re.compile("\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "prod-system-install"

# ---------------------------------------------------------------- generated text

HOSTILE = ["\x1b]0;pwned\x07", "\x1b[2J", "\r", "\rforged", "\n", "\u202e", "\x9b31m", "\x07", "\t",
           "${NCS_DIR}", "$0$admin", "admin", "../../etc/passwd", "&amp;", "<", ">", "]]>", "\"", "'",
           "1e999", "NaN", "-1", "0", "99999999999999999999", "true", "false", " ", ""]
texts = st.one_of(st.sampled_from(HOSTILE),
                  st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
                  st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=3).map("".join))
# A name for a file: anything a file system takes, including ESC, CR, LF and bytes
# that are not UTF-8 (they arrive as surrogates, like os.fsdecode makes them).
file_names = st.one_of(st.just("f"), st.sampled_from(["x\x1b[2J", "a\rb", "n\nl", "u\u202e", "z\udcff",
                                                      "sp ace", "-dash", "report.xml"]))


def xml_text(s: str) -> str:
    """`s` as XML character data (XML cannot carry most control characters at all:
    those are left in to make malformed documents too)."""
    return s.replace("&", "&amp;").replace("<", "&lt;")


@st.composite
def hex_secret(draw: st.DrawFn, digits: int = 32) -> str:
    # High entropy so that the value cannot appear in output by chance.
    return draw(st.binary(min_size=digits // 2, max_size=digits // 2)).hex() if draw(st.booleans()) \
        else secrets.token_hex(digits // 2)


# ---------------------------------------------------------------- generated files

CONF_PATHS = ["aaa/local-authentication/enabled", "aaa/pam/enabled", "aaa/pam/service",
              "aaa/expiration-warning", "cli/ssh/enabled", "cli/restricted-file-access",
              "netconf-north-bound/transport/ssh/enabled", "webui/transport/tcp/enabled",
              "ncs-ipc-access-check/enabled", "ncs-ipc-access-check/filename", "logs/audit-log/enabled",
              "ha-raft/cluster-name", "encrypted-strings/external-keys/command",
              "encrypted-strings/external-keys/command-argument", "session-limits/max-sessions",
              "rollback/enabled", "ncs-ipc-address/ip", "ssh/algorithms/kex", "unknown/leaf"]
CONF_VALUES = st.one_of(st.sampled_from(["true", "false", "0", "1", "-1", "system-auth", "common-auth",
                                         "127.0.0.1", "0.0.0.0", "${NCS_DIR}/bin/ncs_crypto_keys",
                                         "/etc/ncs/ipc_access", "diffie-hellman-group1-sha1"]), texts)


def _nest(path: str, value: str) -> str:
    parts = path.split("/")
    return "".join(f"<{p}>" for p in parts) + xml_text(value) + "".join(f"</{p}>" for p in reversed(parts))


@st.composite
def ncs_conf(draw: st.DrawFn) -> Tuple[bytes, Set[str]]:
    """(bytes of an ncs.conf, the key values in it)."""
    keys: Set[str] = set()
    parts: List[str] = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["leaf", "leaf", "leaf", "keys", "comment-key", "comment"]))
        if kind == "leaf":
            parts.append(_nest(draw(st.sampled_from(CONF_PATHS)), draw(CONF_VALUES)))
        elif kind == "keys":
            k128, k256 = draw(hex_secret(32)), draw(hex_secret(64))
            keys |= {k128, k256}
            inner = (f"<AESCFB128><key>{k128}</key><initVector>{draw(hex_secret(32))}</initVector></AESCFB128>"
                     f"<AES256CFB128><key>{k256}</key></AES256CFB128>")
            if draw(st.booleans()):
                inner = f"<key-rotation><generation>{draw(st.integers(-2, 3))}</generation>{inner}</key-rotation>"
            parts.append(f"<encrypted-strings>{inner}</encrypted-strings>")
        elif kind == "comment-key":
            k = draw(hex_secret(32))
            keys.add(k)
            parts.append(f"<encrypted-strings><!-- <AESCFB128><key>{k}</key></AESCFB128> -->"
                         "<external-keys><command>/x</command></external-keys></encrypted-strings>")
        else:
            parts.append(f"<!-- {draw(texts).replace('--', '')} -->")
    doc = f'<ncs-config xmlns="{NS}">{"".join(parts)}</ncs-config>'
    data = doc.encode("utf-8", "replace")
    mutation = draw(st.sampled_from(["none"] * 6 + ["truncate", "doctype", "junk", "bom", "empty"]))
    if mutation == "truncate":
        data = data[:draw(st.integers(0, len(data)))]
    elif mutation == "doctype":
        data = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + data
    elif mutation == "junk":
        data = draw(st.binary(max_size=64)) + data
    elif mutation == "bom":
        data = b"\xef\xbb\xbf" + data
    elif mutation == "empty":
        data = b""
    return data, keys


KEY_NAMES = ["AESCFB128_KEY", "AESCFB128_IV", "AES256CFB128_KEY", "DES3CBC_KEY1", "DES3CBC_KEY2",
             "DES3CBC_KEY3", "DES3CBC_IV", "UNKNOWN_KEY"]


@st.composite
def keys_file(draw: st.DrawFn) -> Tuple[bytes, Set[str]]:
    keys: Set[str] = set()
    lines: List[str] = []
    fmt2 = draw(st.booleans())
    if fmt2:
        lines.append("EXTERNAL_KEY_FORMAT=2")
    for gen in draw(st.lists(st.integers(-1, 4), max_size=3, unique=True)) or [0]:
        for name in draw(st.lists(st.sampled_from(KEY_NAMES), min_size=1, max_size=4, unique=True)):
            digits = 64 if name.startswith("AES256") else 16 if name.startswith("DES3") else 32
            value = draw(hex_secret(digits))
            keys.add(value)
            suffix = f"[{gen}]" if fmt2 else ""
            lines.append(f"{name}{suffix}={value}")
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["text", "hexname", "comment", "short"]))
        if kind == "text":
            lines.append(draw(texts))
        elif kind == "hexname":                 # an unknown name that is mostly hex
            k = draw(hex_secret(32))
            keys.add(k[1:])
            lines.append(f"X{k[1:]}[0]={draw(hex_secret(32))}")
        elif kind == "comment":
            k = draw(hex_secret(32))
            keys.add(k)
            lines.append(f"# AESCFB128_KEY={k}")
        else:
            lines.append(f"AESCFB128_KEY={draw(st.text('0123456789abcdefg', max_size=12))}")
    order = draw(st.permutations(range(len(lines)))) if draw(st.booleans()) else range(len(lines))
    data = ("\n".join(lines[i] for i in order) + "\n").encode("utf-8", "replace")
    if draw(st.integers(0, 9)) == 0:
        data = data[:draw(st.integers(0, len(data)))]
    return data, keys


@st.composite
def cdb_xml(draw: st.DrawFn) -> Tuple[bytes, Set[str]]:
    secrets_: Set[str] = set()
    users = []
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.one_of(st.sampled_from(["admin", "oper", "private"]), texts))
        pw = draw(st.one_of(st.none(), st.sampled_from(["$0$admin", "$1$x$y"]), hex_secret(32).map(
            lambda h: f"$6$salt${h}"), hex_secret(32).map(lambda h: f"$0${h}")))
        if pw and pw.startswith(("$6$salt$", "$0$")) and len(pw) > 30:
            secrets_.add(pw.rsplit("$", 1)[1])
        users.append(f"<user><name>{xml_text(name)}</name>"
                     + (f"<password>{xml_text(pw)}</password>" if pw is not None else "") + "</user>")
    parts = [f'<aaa xmlns="{AAA}"><authentication><users>{"".join(users)}</users></authentication></aaa>']
    if draw(st.booleans()):
        rl = xml_text(draw(st.one_of(st.just("any"), texts)))
        parts.append(f'<nacm xmlns="{NACM}"><write-default>{xml_text(draw(CONF_VALUES))}</write-default>'
                     f"<rule-list><name>{rl}</name><group>*</group><rule><name>r</name>"
                     f"<action>{xml_text(draw(st.sampled_from(['permit', 'deny', 'x'])))}</action>"
                     "</rule></rule-list></nacm>")
    if draw(st.booleans()):
        rp = draw(hex_secret(32))
        secrets_.add(rp)
        parts.append(f'<devices xmlns="{NCS}"><authgroups><group><name>{xml_text(draw(texts))}</name>'
                     f"<umap><local-user>admin</local-user><remote-name>admin</remote-name>"
                     f"<remote-password>$8${rp}</remote-password></umap></group></authgroups>"
                     f"<device><name>{xml_text(draw(texts))}</name><ssh><host-key-verification>"
                     f"{xml_text(draw(CONF_VALUES))}</host-key-verification></ssh></device></devices>")
    if draw(st.booleans()):
        tok = draw(hex_secret(32))
        secrets_.add(tok)
        parts.append(f'<high-availability xmlns="{NCS}"><token>{tok}</token></high-availability>')
    data = f'<config xmlns="{CONFIG_NS}">{"".join(parts)}</config>'.encode("utf-8", "replace")
    if draw(st.integers(0, 7)) == 0:
        data = data[:draw(st.integers(0, len(data)))]
    return data, secrets_


WAIVER_FIELDS = ["rule", "justification", "expires", "approved-by", "approved_by", "created", "object", "expire"]
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts,
                         st.sampled_from(["SD-AUTH-001", "SD-KEYS-003", "sd-hash-001", "2999-01-01",
                                          "2000-01-01", "2026-13-40"]))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                                 st.dictionaries(texts, inner, max_size=3)),
                           max_leaves=6)


@st.composite
def waiver_file(draw: st.DrawFn) -> Tuple[str, bytes]:
    entries = []
    for _ in range(draw(st.integers(0, 3))):
        e = {"rule": draw(st.sampled_from(["SD-AUTH-001", "SD-KEYS-003", "SD-NOPE-999"])),
             "justification": draw(texts), "expires": draw(st.sampled_from(["2999-01-01", "2000-01-01"]))}
        for f in draw(st.lists(st.sampled_from(WAIVER_FIELDS), max_size=3)):
            e[f] = draw(json_values)
        entries.append(e)
    if draw(st.booleans()):
        return "w.json", json.dumps({"waiver": entries}).encode()
    lines = []
    for e in entries:
        lines.append("[[waiver]]")
        for k, v in e.items():
            if isinstance(v, str):
                lines.append(f"{k} = {json.dumps(v)}")
            elif isinstance(v, bool):
                lines.append(f"{k} = {'true' if v else 'false'}")
            elif isinstance(v, int):
                lines.append(f"{k} = {v}")
    return "w.toml", ("\n".join(lines) + "\n").encode("utf-8", "replace")


# ---------------------------------------------------------------- saved reports

_BASE: Dict[str, dict] = {}


def base_report() -> dict:
    """A real JSON report of the example deployment (made once per session)."""
    if "doc" not in _BASE:
        with tempfile.TemporaryDirectory() as d:
            out = Path(d) / "r.json"
            # A few rules of every status and source keep the mutations cheap.
            rules = [a for r in ("SD-AUTH-001", "SD-KEYS-001", "SD-KEYS-003", "SD-HASH-003", "SD-NACM-004",
                                 "SD-SB-002", "SD-IF-001") for a in ("--rule", r)]
            rc, _, err = run(["audit", "--config-dir", str(EXAMPLE / "etc"), "--run-dir", str(EXAMPLE / "run"),
                              "--no-host", "--nso-version", "6.4", "-f", "json", "-o", str(out), *rules])
            assert rc in (0, 1), err
            _BASE["doc"] = json.loads(out.read_text())
    return json.loads(json.dumps(_BASE["doc"]))


def _slots(doc: object, out: List[Tuple[object, object]]) -> None:
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.append((doc, k))
            _slots(v, out)
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.append((doc, i))
            _slots(v, out)


@st.composite
def saved_report(draw: st.DrawFn) -> bytes:
    doc = base_report()
    for _ in range(draw(st.integers(0, 4))):
        slots: List[Tuple[object, object]] = []
        _slots(doc, slots)
        if not slots:
            break
        container, key = slots[draw(st.integers(0, len(slots) - 1))]
        container[key] = draw(json_values)   # type: ignore[index]
    if draw(st.integers(0, 15)) == 0:
        return draw(st.binary(max_size=40))
    return json.dumps(doc, allow_nan=True).encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------- running and checking

def _stream() -> io.TextIOWrapper:
    # What a terminal or pipe gives: strict UTF-8 (a surrogate in output is a crash).
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", newline="", write_through=True)


def run(argv: Sequence[str]) -> Tuple[int, str, str]:
    out, err = _stream(), _stream()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(list(argv))
        except SystemExit as e:       # argparse: --help, usage errors
            rc = e.code if isinstance(e.code, int) else 2
    return rc, out.buffer.getvalue().decode(), err.buffer.getvalue().decode()   # type: ignore[attr-defined]


class Workspace:
    """A temporary folder of input files; afterwards, what changed and what is new."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="sd-prop-"))
        self.inputs: Dict[Path, bytes] = {}

    def add(self, name: str, data: bytes, mode: int = 0o600) -> Path:
        p = Path(os.fsdecode(bytes(self.dir) + b"/" + os.fsencode(name)))
        p.write_bytes(data)
        p.chmod(mode)
        self.inputs[p] = data
        return p

    def files(self) -> Iterable[Path]:
        for root, _, names in os.walk(self.dir):
            for n in names:
                yield Path(root) / n

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def check(ws: Workspace, rc: int, out: str, err: str, keys: Set[str], *,
          targets: Iterable[Path] = (), key_bearing: Iterable[Path] = ()) -> None:
    """The contract of issue 11 for one run."""
    assert rc in (0, 1, 2), (rc, err)
    assert "Traceback" not in err and "internal error" not in err, err
    assert not CONTROL.search(out), repr(out[:2000])
    assert not CONTROL.search(err), repr(err)
    allowed = {Path(os.path.realpath(t)) for t in targets}
    for p, data in ws.inputs.items():
        if Path(os.path.realpath(p)) not in allowed:
            assert p.read_bytes() == data, f"input {p} changed"
    bearing = {Path(os.path.realpath(t)) for t in key_bearing}
    written = [out, err]
    for f in ws.files():
        real = Path(os.path.realpath(f))
        if f in ws.inputs or real in bearing or ".bak-" in f.name:
            continue
        written.append(f.read_bytes().decode("utf-8", "replace"))
    for k in keys:
        if len(k) < 16:
            continue
        for text in written:
            assert k not in text and k[:16] not in text, "key material in output"


def prop(fn):  # the settings every property test runs with
    return PROFILE(fn)


FORMATS = ["text", "json", "sarif", "junit", "html", "markdown", "gitlab-codequality"]


# ---------------------------------------------------------------- the commands

@prop
@given(conf=ncs_conf(), kf=st.one_of(st.none(), keys_file()), cdb=st.one_of(st.none(), cdb_xml()),
       waivers=st.one_of(st.none(), waiver_file()), fmt=st.sampled_from(FORMATS),
       out_to=st.sampled_from(["stdout", "file", "input", "dir"]), name=file_names,
       baseline=st.one_of(st.none(), saved_report()))
def test_audit(conf, kf, cdb, waivers, fmt, out_to, name, baseline):
    ws = Workspace()
    try:
        keys = set(conf[1])
        c = ws.add(f"{name}.conf", conf[0], 0o644)
        argv = ["audit", "--ncs-conf", str(c), "--no-host", "--nso-version", "6.4", "-f", fmt]
        inputs = [c]
        if kf is not None:
            inputs.append(ws.add("ncs.crypto_keys", kf[0]))
            argv += ["--keys-file", str(inputs[-1])]
            keys |= kf[1]
        if cdb is not None:
            inputs.append(ws.add("report.xml", cdb[0], 0o644))
            argv += ["--cdb-xml", str(inputs[-1])]
            keys |= cdb[1]
        if waivers is not None:
            argv += ["--waivers", str(ws.add(*waivers))]
        if baseline is not None:
            argv += ["--baseline", str(ws.add("base.json", baseline))]
        if out_to == "file":
            argv += ["-o", str(ws.dir / "out")]
        elif out_to == "input":
            argv += ["-o", str(inputs[-1])]
        elif out_to == "dir":
            argv += ["--output-dir", str(ws.dir)]
        rc, out, err = run(argv)
        check(ws, rc, out, err, keys)
        if out_to == "input":
            assert rc == 2
    finally:
        ws.close()


@prop
@given(report=saved_report(), fmt=st.sampled_from(FORMATS), to_input=st.booleans(),
       history=st.one_of(st.none(), saved_report()))
def test_report_render(report, fmt, to_input, history):
    ws = Workspace()
    try:
        r = ws.add("r.json", report)
        argv = ["report", "render", str(r), "-f", fmt, "-o", str(r if to_input else ws.dir / "out")]
        if history is not None:
            argv += ["--history", str(ws.add("h.json", history))]
        rc, out, err = run(argv)
        check(ws, rc, out, err, set())
        if to_input:
            assert rc == 2
        elif rc == 0 and fmt in ("json", "sarif", "gitlab-codequality"):
            json.loads((ws.dir / "out").read_text())      # strict JSON: no NaN/Infinity
    finally:
        ws.close()


@prop
@given(old=saved_report(), new=saved_report(), fmt=st.sampled_from(["text", "json"]))
def test_diff(old, new, fmt):
    ws = Workspace()
    try:
        a, b = ws.add("old.json", old), ws.add("new.json", new)
        rc, out, err = run(["diff", str(a), str(b), "--format", fmt, "--fail-on-new"])
        check(ws, rc, out, err, set())
        if rc != 2 and fmt == "json":
            json.loads(out)
    finally:
        ws.close()


@prop
@given(reports=st.lists(saved_report(), min_size=1, max_size=3), fmt=st.sampled_from(FORMATS))
def test_fleet(reports, fmt):
    ws = Workspace()
    try:
        paths = [str(ws.add(f"n{i}.json", r)) for i, r in enumerate(reports)]
        rc, out, err = run(["fleet", *paths, "-f", fmt])
        check(ws, rc, out, err, set())
    finally:
        ws.close()


@prop
@given(waivers=waiver_file(), name=file_names)
def test_waivers_check(waivers, name):
    ws = Workspace()
    try:
        w = ws.add(name + waivers[0], waivers[1])
        rc, out, err = run(["waivers", "check", str(w), "--today", "2026-11-26"])
        check(ws, rc, out, err, set())
    finally:
        ws.close()


HISTORIES = st.one_of(st.none(), st.binary(max_size=40), saved_report(),
                      st.sampled_from([b'{"format": 1, "current": {"id": "x", "state": "prepared"}, "history": []}',
                                       b'{"format": 1, "current": null, "history": [1, {"state": "nope"}]}',
                                       b'{"current": {"id": "r", "state": "applying", "keys_path": "/x", '
                                       b'"from_generation": 0, "to_generation": 1, "old_fingerprint": "a", '
                                       b'"new_fingerprint": "b"}}']))


@prop
@given(kf=keys_file(), history=HISTORIES, fmt=st.sampled_from(["text", "json"]),
       active=st.one_of(st.none(), st.integers(-2, 5)), settle=st.booleans())
def test_keys_status_and_settle(kf, history, fmt, active, settle):
    ws = Workspace()
    try:
        k = ws.add("ncs.crypto_keys", kf[0])
        if history is not None:
            ws.add("ncs.crypto_keys.history.json", history)
        if settle:
            argv = ["keys", "settle", "--keys-file", str(k), "--format", fmt,
                    "--active-generation", str(0 if active is None else active)]
        else:
            argv = ["keys", "status", "--keys-file", str(k), "--format", fmt]
            if active is not None:
                argv += ["--active-generation", str(active)]
        rc, out, err = run(argv)
        # Settling an unfinished rotation updates the history (its documented target);
        # status only reads.
        history_file = ws.dir / "ncs.crypto_keys.history.json"
        check(ws, rc, out, err, kf[1], targets=[history_file] if settle else [])
    finally:
        ws.close()


@prop
@given(kf=keys_file(), dry=st.booleans(), version=st.sampled_from(["6.4", "6.5"]),
       active=st.one_of(st.none(), st.integers(-1, 3)), reason=texts)
def test_keys_rotate(kf, dry, version, active, reason):
    ws = Workspace()
    try:
        k = ws.add("ncs.crypto_keys", kf[0])
        argv = ["keys", "rotate", "--keys-file", str(k), "--nso-version", version, "--reason", reason]
        if dry:
            argv.append("--dry-run")
        if active is not None:
            argv += ["--active-generation", str(active)]
        rc, out, err = run(argv)
        keys = set(kf[1])
        if rc == 0 and not dry:        # the new keys must not be shown either
            keys |= set(re.findall(r"=([0-9a-fA-F]{16,})", k.read_text()))
        check(ws, rc, out, err, keys, targets=[] if dry else [k], key_bearing=[k])
        if dry:
            assert sorted(p.name for p in ws.files() if not p.name.endswith(".lock")) == ["ncs.crypto_keys"]
    finally:
        ws.close()


@prop
@given(conf=ncs_conf(), mode=st.sampled_from(["diff-only", "output", "default", "onto-input"]),
       name=file_names, exposure=st.lists(st.sampled_from(["cli-ssh", "netconf-ssh", "webui-http"]),
                                          max_size=2, unique=True))
def test_harden(conf, mode, name, exposure):
    ws = Workspace()
    try:
        c = ws.add(f"{name}.conf", conf[0], 0o640)
        argv = ["harden", "--ncs-conf", str(c), "--nso-version", "6.4", "--nso-user", "ncs"]
        for e in exposure:
            argv += ["--accept-exposure", e]
        out_file = {"output": ws.dir / "hardened.xml", "default": Path(f"{c}.hardened"),
                    "onto-input": c}.get(mode)
        if mode == "diff-only":
            argv.append("--diff-only")
        elif mode in ("output", "onto-input"):
            argv += ["-o", str(out_file)]
        rc, out, err = run(argv)
        # The hardened copy holds the inline keys of the input by design (mode 0640 kept).
        check(ws, rc, out, err, conf[1], key_bearing=[out_file] if out_file else [])
        if mode == "onto-input":
            assert rc == 2
    finally:
        ws.close()


@prop
@given(conf=ncs_conf(), write=st.booleans())
def test_keys_migrate(conf, write):
    ws = Workspace()
    try:
        c = ws.add("ncs.conf", conf[0], 0o640)
        new = ws.dir / "new.keys"
        argv = ["keys", "migrate", "--ncs-conf", str(c), "--keys-file", str(new)] + (["--write"] if write else [])
        rc, out, err = run(argv)
        check(ws, rc, out, err, conf[1], key_bearing=[new])
    finally:
        ws.close()
