"""Set-up of the key-rotation NSO tests (test_nso_rotation*.py).

An NSO double with the package loaded, a keys file on disk that the package
settings point to, the double's reload_config (MAAPI) recorded and failing on demand, and a
FakeKeyRotation standing in for NSO's /key-rotation actions the way
cryptographic-keys.md describes them (only generations loaded by a reload can be
activated; the commit queue must be empty; the VMs restart at the end).
"""
from __future__ import annotations

import stat
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Set

import pytest

import ncs_double as nd
from secure_deploy.facts.keyfile import parse_keys
from secure_deploy.facts.keys import read_keys_file

HERE = Path(__file__).resolve().parent
CQ_YANG = HERE / "nso_rotation_yang" / "commit-queue-double.yang"
SD_NS = "urn:secure-deploy:yang:secure-deploy"
ROT = "secure_deploy.nso.rotation_actions"


def random_keys_text(generations=(0,), legacy: bool = False) -> str:
    import secrets
    if legacy:
        return (f"AESCFB128_KEY={secrets.token_hex(16)}\n"
                f"AES256CFB128_KEY={secrets.token_hex(32)}\n")
    lines = ["EXTERNAL_KEY_FORMAT=2"]
    for g in generations:
        lines += [f"AESCFB128_KEY[{g}]={secrets.token_hex(16)}", f"AES256CFB128_KEY[{g}]={secrets.token_hex(32)}"]
    return "\n".join(lines) + "\n"


# What NSO might say when the external-keys command fails: it names a key value,
# which the package must never pass on.
RELOAD_ERROR = "external keys command failed: AESCFB128_KEY[1]=" + "ab" * 16


class FakeKeyRotation:
    """NSO's /key-rotation/apply-new-keys and get-active-generation."""

    def __init__(self, env: "Env", active: int) -> None:
        self.env = env
        self.active = active
        self.loaded: Set[int] = set()
        self.reloads_seen = 0
        self.applied: List[Dict[str, Any]] = []
        self.refuse: Optional[str] = None
        self.switch = True                       # False: the VM dies before activation
        self.block: Optional[threading.Event] = None
        self.entered = threading.Event()
        self.get_active_failures = 0             # answer with an error this many times
        self.on_apply: Optional[Callable[[], None]] = None

    def _sync_reloads(self) -> None:
        n = len(self.env.reload_calls())
        if n > self.reloads_seen:     # `ncs --reload` ran since we last looked: load the file
            self.reloads_seen = n
            kf = read_keys_file(str(self.env.keys))
            if kf.generation(self.active) is not None:   # NSO refuses a set without the active one
                self.loaded = set(kf.numbers)

    def apply_new_keys(self, inp: Any, out: Any) -> None:
        self.entered.set()
        if self.block is not None:
            assert self.block.wait(10), "test never released apply-new-keys"
        self._sync_reloads()
        gen = int(inp.new_key_generation)
        self.applied.append({"generation": gen, "wait": inp.wait_commit_queue})
        if self.on_apply:
            self.on_apply()
        if self.refuse:
            out.result = False
            out.reason = self.refuse
            return
        if gen not in self.loaded:
            out.result = False
            out.reason = f"generation {gen} is not loaded"
            return
        if self.switch:
            self.active = gen
        out.result = True
        out.new_active_key_generation = gen

    def get_active_generation(self, inp: Any, out: Any) -> None:
        if self.get_active_failures > 0:
            self.get_active_failures -= 1
            raise RuntimeError("NSO is busy ending an upgrade")
        out.active_generation = self.active


@dataclass
class Env:
    d: Any
    tmp: Path
    keys: Path
    ncs_dir: Path
    fake: Optional[FakeKeyRotation] = None
    outputs: List[Any] = field(default_factory=list)
    reloads: List[str] = field(default_factory=list)
    reload_fails: bool = False

    def on_reload_config(self) -> None:
        """The double's `_ncs.maapi.reload_config`: NSO reloads ncs.conf and the keys."""
        if self.reload_fails:
            import _ncs
            raise _ncs.error.Error(_ncs.ERR_EXTERNAL, RELOAD_ERROR)
        self.reloads.append("reload_config")

    # -- the package ------------------------------------------------------------------
    def rotation_module(self) -> Any:
        return sys.modules[ROT]

    def wait_resumed(self, timeout: float = 10.0) -> Any:
        r = self.rotation_module().wait_resumed(timeout)
        assert r is not None and not r.is_alive(), "the background settling did not finish"
        return r

    def register(self, restart_vm: Optional[str] = None) -> None:
        self.d.register_builtin_action("/key-rotation/apply-new-keys", self.fake.apply_new_keys,
                                       restart_vm=restart_vm)

    def rotate(self, **kw: Any) -> Dict[str, Any]:
        out = self.d.request_action("/secure-deploy/keys/rotate", **kw)
        self.outputs.append(out)
        return out

    def status(self, **kw: Any) -> Dict[str, Any]:
        out = self.d.request_action("/secure-deploy/keys/status", **kw)
        self.outputs.append(out)
        return out

    # -- observations -----------------------------------------------------------------
    def reload_calls(self) -> List[str]:
        return list(self.reloads)

    def fail_reload(self) -> None:
        self.reload_fails = True

    def oper(self, leaf: str) -> Any:
        return self.d.get(f"/secure-deploy/key-rotation/{leaf}")

    def history(self) -> List[Dict[str, Any]]:
        keys = self.d.keys("/secure-deploy/key-rotation/history/rotation")
        out = []
        for (rid,) in keys:
            base = f"/secure-deploy/key-rotation/history/rotation{{{rid}}}"
            out.append({leaf: self.d.get(f"{base}/{leaf}") for leaf in (
                "id", "result", "from-generation", "to-generation", "message", "user", "reason",
                "backup-path", "time", "started", "old-fingerprint", "new-fingerprint")})
        return out

    def backups(self) -> List[Path]:
        return sorted(self.keys.parent.glob(self.keys.name + ".bak-*"))

    def key_values(self) -> Set[str]:
        """Every key value in the keys file and its backups, as written and upper-case."""
        vals: Set[str] = set()
        for p in [self.keys, *self.backups()]:
            kf = parse_keys(p.read_bytes(), str(p))
            for g in kf.generations:
                for _, v in g.entries:
                    vals |= {v, v.upper(), v.lower()}
        return vals


def start_env(d: Any, tmp: Path, monkeypatch: Any, *, keys_text: Optional[str] = None,
              active: int = 0, settings: Optional[str] = None) -> Env:
    monkeypatch.setenv("SECURE_DEPLOY_RESUME_DELAY", "0")
    monkeypatch.setenv("SECURE_DEPLOY_RESUME_POLL", "0.02")
    for var in ("NCS_CONFIG_DIR", "NCS_RUN_DIR", "NCS_LOG_DIR"):
        monkeypatch.delenv(var, raising=False)
    ncs_dir = tmp / "nso"
    (ncs_dir / "bin").mkdir(parents=True)
    (ncs_dir / "VERSION").write_text("6.4.2\n")
    monkeypatch.setenv("NCS_DIR", str(ncs_dir))
    etc = tmp / "etc"
    etc.mkdir()
    keys = etc / "ncs.crypto_keys"
    keys.write_text(keys_text if keys_text is not None else random_keys_text())
    keys.chmod(0o600)
    env = Env(d, tmp, keys, ncs_dir)
    env.fake = FakeKeyRotation(env, active)
    d.on_reload_config = env.on_reload_config
    d.register_builtin_action("/key-rotation/get-active-generation", env.fake.get_active_generation)
    env.register()
    d.seed_xml(f'<secure-deploy xmlns="{SD_NS}"><settings>'
               + (settings if settings is not None else f"<keys-file>{keys}</keys-file>")
               + "</settings></secure-deploy>")
    d.load_package(nd.PACKAGE_DIR)
    env.wait_resumed()
    return env


def check_oper_with_yanglint(d: Any) -> None:
    """Every test's final oper data must satisfy the YANG (when yanglint is installed)."""
    from ncs_double.yanglint import validate_with_yanglint, yanglint_available
    xml = d.dump_xml("secure-deploy", config=False)
    ydir = nd.tailf_yang_dir()
    if not xml.strip() or not yanglint_available():
        return
    ok, msg = validate_with_yanglint(xml, [nd.SECURE_DEPLOY_YANG], ydir)
    assert ok, f"yanglint rejected the oper data:\n{msg}\n{xml.decode()}"


@pytest.fixture
def rot_env(tmp_path: Path, monkeypatch: Any) -> Iterator[Env]:
    d = nd.new_double([CQ_YANG])
    with nd.install(d):
        yield start_env(d, tmp_path, monkeypatch)
        check_oper_with_yanglint(d)


def file_state(p: Path) -> tuple:
    st = p.stat()
    return p.read_bytes(), stat.S_IMODE(st.st_mode), st.st_mtime_ns


def other_files(env: Env) -> List[Path]:
    """Files the tests may search for key values: all but the keys file and backups."""
    skip = {env.keys, *env.backups()}
    return [p for p in env.tmp.rglob("*") if p.is_file() and p not in skip]


__all__ = ["Env", "FakeKeyRotation", "start_env", "rot_env", "random_keys_text", "file_state",
           "other_files", "CQ_YANG", "SD_NS"]
