"""facts/host.py on tmp_path trees: file facts, install type, daemon user, end to end."""
from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import pytest

from factsbuilder import NOW, NS
from secure_deploy import registry
from secure_deploy.engine import evaluate
from secure_deploy.facts import host as hostmod
from secure_deploy.facts.host import (collect_host, daemon_user, decode_capabilities, detect_install_type,
                                      files_of_interest, inspect_file)
from secure_deploy.facts.ncsconf import parse_ncs_conf
from secure_deploy.facts.types import Facts
from secure_deploy.facts.version import parse_version
from secure_deploy.model import Status

NS = "http://tail-f.com/yang/tailf-ncs-config"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def conf(body: str, path: str = "/etc/ncs/ncs.conf", env=None):
    return parse_ncs_conf(f'<ncs-config xmlns="{NS}">{body}</ncs-config>'.encode(), path, "6.4", env or {})


EXTERNAL = ("<encrypted-strings><external-keys><command>${NCS_DIR}/bin/ncs_crypto_keys</command>"
            "<command-argument>${NCS_CONFIG_DIR}/ncs.crypto_keys</command-argument></external-keys>"
            "</encrypted-strings>")
INLINE = "<encrypted-strings><AESCFB128><key>0123456789abcdef0123456789abcdef</key></AESCFB128></encrypted-strings>"


# --- single files -----------------------------------------------------------------

def test_inspect_regular_file_setuid_and_missing(tmp_path):
    f = tmp_path / "epam"
    f.write_text("x")
    os.chmod(f, 0o4750)
    ff = inspect_file(str(f))
    assert ff.exists and ff.mode == 0o4750 and ff.uid == os.getuid() and ff.error is None
    assert ff.owner is not None and ff.mtime is not None
    assert ff.is_setuid_root is IS_ROOT
    gone = inspect_file(str(tmp_path / "nope"))
    assert (gone.exists, gone.error, gone.mode) == (False, None, None)
    under_file = inspect_file(str(f / "child"))
    assert under_file.exists is False and under_file.error is None


def test_dangling_symlink_is_absent_and_links_report_their_target(tmp_path):
    target = tmp_path / "t"
    target.write_text("x")
    os.chmod(target, 0o600)
    link = tmp_path / "l"
    link.symlink_to(target)
    assert inspect_file(str(link)).mode == 0o600
    target.unlink()
    assert inspect_file(str(link)).exists is False


def test_permission_errors_become_file_errors(tmp_path, monkeypatch):
    p = tmp_path / "secret"
    p.write_text("x")

    def denied(path, *a, **k):
        raise PermissionError(13, "Permission denied", path)
    monkeypatch.setattr(hostmod.os, "stat", denied)
    ff = inspect_file(str(p))
    assert ff.exists and ff.error == "permission denied" and ff.mode is None
    monkeypatch.setattr(hostmod.os, "lstat", denied)
    assert inspect_file(str(p)).error == "permission denied"


def _caps_v2(permitted: int, effective: bool = True) -> bytes:
    return struct.pack("<IIIII", 0x02000000 | int(effective), permitted & 0xFFFFFFFF, 0, permitted >> 32, 0)


def test_decode_capabilities():
    assert decode_capabilities(_caps_v2(1 << 10)) == "cap_net_bind_service"
    assert decode_capabilities(_caps_v2((1 << 12) | (1 << 13))) == "cap_net_admin,cap_net_raw"
    assert decode_capabilities(_caps_v2(1 << 38)) == "cap_perfmon"                 # high word
    v3 = struct.pack("<IIIIII", 0x03000001, 1 << 21, 0, 0, 0, 0)
    assert decode_capabilities(v3) == "cap_sys_admin"
    v1 = struct.pack("<III", 0x01000000, 1 << 7, 0)
    assert decode_capabilities(v1) == "cap_setuid"
    assert decode_capabilities(b"\x00" * 4) is None
    assert decode_capabilities(struct.pack("<IIIII", 0x09000000, 1, 0, 0, 0)) is None
    assert decode_capabilities(_caps_v2(0)) is None


def test_real_file_capability_is_read(tmp_path):
    f = tmp_path / "ncs.smp"
    f.write_text("x")
    try:
        os.setxattr(str(f), "security.capability", _caps_v2(1 << 10))
    except (OSError, AttributeError) as e:
        pytest.skip(f"cannot set file capabilities here: {e}")
    assert inspect_file(str(f)).capabilities == "cap_net_bind_service"


# --- which files --------------------------------------------------------------------

def test_files_of_interest_from_conf_and_ncs_dir(tmp_path):
    ncs = tmp_path / "ncs-6.5"
    (ncs / "lib/ncs/lib/confd-8.5/priv").mkdir(parents=True)
    for w in ("cmdptywrapper", "cmdwrapper"):
        (ncs / "lib/ncs/lib/confd-8.5/priv" / w).write_text("")
    env = {"NCS_DIR": str(ncs), "NCS_CONFIG_DIR": "/etc/ncs"}
    c = conf(EXTERNAL + "<ncs-ipc-access-check><enabled>true</enabled><filename>${NCS_CONFIG_DIR}/ipc_access"
             "</filename></ncs-ipc-access-check><webui><transport><ssl><key-file>${NCS_CONFIG_DIR}/ssl/h.key"
             "</key-file><cert-file>./relative.cert</cert-file><ca-cert-file>${UNSET}/ca</ca-cert-file></ssl>"
             "</transport></webui><ha-raft><ssl><key-file>/etc/ncs/dist/n1.key</key-file></ssl></ha-raft>"
             "<aaa><ssh-server-key-dir>${NCS_CONFIG_DIR}/ssh</ssh-server-key-dir></aaa>", env=env)
    files = files_of_interest(c, str(ncs), "/etc/ncs")
    assert files[0] == "/etc/ncs/ncs.conf"
    for p in ("/etc/ncs/ncs.crypto_keys", "/etc/ncs/ipc_access", "/etc/ncs/ssl/h.key", "/etc/ncs/dist/n1.key",
              "/etc/ncs/ssh", f"{ncs}/lib/ncs/lib/core/confd/priv/cmdptywrapper",
              f"{ncs}/lib/ncs/lib/confd-8.5/priv/cmdptywrapper", f"{ncs}/lib/ncs/lib/confd-8.5/priv/cmdwrapper",
              f"{ncs}/lib/ncs/lib/core/pam/priv/epam", f"{ncs}/lib/ncs/erts/bin/ncs.smp",
              f"{ncs}/lib/ncs/bin/ip", f"{ncs}/lib/ncs/bin/arping"):
        assert p in files, p
    # Relative and unexpandable paths cannot be inspected: left out, i.e. "not inspected".
    assert not any("relative.cert" in p or "${" in p for p in files)
    assert len(files) == len(set(files))


def test_files_of_interest_without_conf():
    assert files_of_interest(None, None, "/etc/ncs") == ("/etc/ncs/ncs.conf", "/etc/ncs/ncs.crypto_keys")
    assert files_of_interest(None, None, None) == ()


# --- install type -------------------------------------------------------------------

def test_system_install_layout(tmp_path):
    etc, run = tmp_path / "etc", tmp_path / "var"
    etc.mkdir()
    run.mkdir()
    (etc / "ncs.conf").write_text("")
    (etc / "ncs.systemd.conf").write_text("")
    kind, why = detect_install_type(ncs_dir="/opt/ncs/current", config_dir=str(etc), run_dir=str(run),
                                    conf=conf(EXTERNAL + "<state-dir>${NCS_RUN_DIR}/state</state-dir>"))
    assert kind == "system"
    assert "/opt/ncs/current" in why and "external keys" in why and "ncs.systemd.conf" in why


def test_local_install_layout(tmp_path):
    run = tmp_path / "nso-run"
    run.mkdir()
    (run / "ncs.conf").write_text("")
    c = conf(INLINE + "<state-dir>./state</state-dir><cdb><init-path><dir>${NCS_DIR}/var/ncs/cdb</dir>"
             "</init-path></cdb>", path=str(run / "ncs.conf"))
    kind, why = detect_install_type(ncs_dir=str(tmp_path / "nso-6.4"), config_dir=None, run_dir=str(run), conf=c)
    assert kind == "local"
    assert "inline encryption keys" in why and "run directory" in why and "not under /opt/ncs" in why


def test_unknown_when_nothing_or_conflicting(tmp_path):
    assert detect_install_type(ncs_dir=None, config_dir=None, run_dir=None, conf=None)[0] == "unknown"
    kind, why = detect_install_type(ncs_dir="/opt/ncs/ncs-6.4.1", config_dir=None, run_dir=None,
                                    conf=conf(INLINE))
    assert kind == "unknown" and "conflicting" in why


# --- daemon user --------------------------------------------------------------------

def _proc(root: Path, pid: int, argv, uid: int) -> None:
    d = root / str(pid)
    d.mkdir(parents=True)
    (d / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
    (d / "status").write_text(f"Name:\tx\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\nGid:\t0\t0\t0\t0\n")


def test_daemon_user_from_nso_process(tmp_path):
    proc = tmp_path / "proc"
    _proc(proc, 10, ["/usr/lib/erlang/erts-13/bin/beam.smp", "--", "-root", "/usr/lib/rabbitmq"], 0)
    _proc(proc, 11, ["/opt/ncs/current/lib/ncs/erts/bin/ncs.smp", "-K", "false", "--", "-root",
                     "/opt/ncs/current/lib/ncs", "-progname", "ncs"], 1001)
    (proc / "self").mkdir()
    user, uid, source = daemon_user(ncs_dir="/opt/ncs/current", config_dir=None, proc_root=str(proc), units=())
    assert uid == 1001 and "process 11" in source


def test_daemon_user_ignores_other_erlang_programs(tmp_path):
    proc = tmp_path / "proc"
    _proc(proc, 10, ["/usr/lib/erlang/erts-13/bin/beam.smp", "--", "-root", "/usr/lib/rabbitmq"], 0)
    assert daemon_user(ncs_dir=None, config_dir=None, proc_root=str(proc), units=()) == (None, None, "")


def test_daemon_user_from_systemd(tmp_path):
    unit = tmp_path / "ncs.service"
    unit.write_text("[Service]\nType=forking\nUser=root\nExecStart=/opt/ncs/current/bin/ncs\n")
    user, uid, source = daemon_user(ncs_dir=None, config_dir=None, proc_root=str(tmp_path / "noproc"),
                                    units=(str(unit),))
    assert (user, uid) == ("root", 0) and "User=" in source
    unit.write_text("[Service]\nExecStart=/opt/ncs/current/bin/ncs\n")
    user, uid, source = daemon_user(ncs_dir=None, config_dir=None, proc_root=str(tmp_path / "noproc"),
                                    units=(str(unit),))
    assert (user, uid) == ("root", 0) and "no User=" in source
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "ncs.systemd.conf").write_text("User=nso-unknown-user\n")
    user, uid, _ = daemon_user(ncs_dir=None, config_dir=str(etc), proc_root=str(tmp_path / "noproc"),
                               units=(str(unit),))
    assert (user, uid) == ("nso-unknown-user", None)


def test_daemon_user_unknown_and_real_proc_does_not_crash(tmp_path):
    assert daemon_user(ncs_dir=None, config_dir=None, proc_root=str(tmp_path), units=()) == (None, None, "")
    user, uid, source = daemon_user(ncs_dir=None, config_dir=None, units=())
    assert uid is None or isinstance(uid, int)


# --- end to end: a system install tree judged by the root rules -----------------------

def _install(tmp_path: Path) -> Path:
    ncs = tmp_path / "opt/ncs/ncs-6.4.1"
    for rel in ("lib/ncs/lib/core/confd/priv/cmdptywrapper", "lib/ncs/lib/core/confd/priv/cmdwrapper",
                "lib/ncs/lib/core/pam/priv/epam", "lib/ncs/erts/bin/ncs", "lib/ncs/erts/bin/ncs.smp",
                "lib/ncs/bin/ip", "lib/ncs/bin/arping"):
        p = ncs / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("")
        os.chmod(p, 0o755)
    os.chmod(ncs / "lib/ncs/lib/core/pam/priv/epam", 0o4755)
    return ncs


def _facts(host) -> Facts:
    return Facts(version=parse_version("6.4", "test"), now=NOW, host=host)


def test_collect_host_end_to_end(tmp_path):
    ncs = _install(tmp_path)
    etc, run = tmp_path / "etc", tmp_path / "run"
    etc.mkdir()
    run.mkdir()
    (etc / "ncs.conf").write_text("")
    proc = tmp_path / "proc"
    _proc(proc, 7, [f"{ncs}/lib/ncs/erts/bin/ncs.smp", "--", "-root", f"{ncs}/lib/ncs"], 4242)
    c = conf(EXTERNAL, path=str(etc / "ncs.conf"), env={"NCS_DIR": str(ncs), "NCS_CONFIG_DIR": str(etc)})
    h = collect_host(ncs_dir=str(ncs), config_dir=str(etc), run_dir=str(run), conf=c, env={},
                     proc_root=str(proc), systemd_units=())
    assert h.daemon_uid == 4242 and h.ncs_dir == str(ncs)
    assert h.file(str(etc / "ncs.crypto_keys")).exists is False      # inspected, absent
    pty = h.file(f"{ncs}/lib/ncs/lib/core/confd/priv/cmdptywrapper")
    assert pty.exists and pty.mode == 0o755
    f = _facts(h)
    assert evaluate(registry.get("SD-ROOT-001"), f).status is Status.PASS
    assert evaluate(registry.get("SD-ROOT-002"), f).status is Status.PASS
    expect_003 = Status.PASS if IS_ROOT else Status.FAIL   # epam setuid to a non-root owner is unexpected
    assert evaluate(registry.get("SD-ROOT-003"), f).status is expect_003

    os.chmod(pty.path, 0o4755)
    h2 = collect_host(ncs_dir=str(ncs), config_dir=str(etc), run_dir=str(run), conf=c, env={},
                      proc_root=str(proc), systemd_units=())
    expect_002 = Status.WARN if IS_ROOT else Status.PASS        # only setuid *root* matters
    assert evaluate(registry.get("SD-ROOT-002"), _facts(h2)).status is expect_002
    os.chmod(ncs / "lib/ncs/bin/ip", 0o4755)
    h3 = collect_host(ncs_dir=str(ncs), config_dir=str(etc), run_dir=str(run), conf=c, env={},
                      proc_root=str(proc), systemd_units=())
    res = evaluate(registry.get("SD-ROOT-003"), _facts(h3))
    assert res.status is Status.FAIL
    assert any(f.object == f"{ncs}/lib/ncs/bin/ip" and f.status is Status.FAIL for f in res.findings)


def test_collect_host_env_fallback_and_unknown_user(tmp_path):
    h = collect_host(ncs_dir=None, config_dir=None, run_dir=None, conf=None,
                     env={"NCS_CONFIG_DIR": str(tmp_path)}, proc_root=str(tmp_path / "none"), systemd_units=())
    assert h.config_dir == str(tmp_path) and h.daemon_user is None and h.daemon_uid is None
    assert evaluate(registry.get("SD-ROOT-001"), _facts(h)).status is Status.MANUAL
    assert evaluate(registry.get("SD-ROOT-002"), _facts(h)).status is Status.NOT_APPLICABLE


def test_relative_directory_arguments_are_inspected_like_absolute_ones(tmp_path, monkeypatch, capsys):
    # A relative --ncs-dir/--config-dir names a place relative to where the command
    # runs; it used to be dropped as "relative to NSO's working directory", which made
    # the root rules NOT_APPLICABLE without a word.
    from secure_deploy.cli import main
    from secure_deploy.facts.collect import Sources, resolve

    ncs = _install(tmp_path)
    os.chmod(ncs / "lib/ncs/lib/core/confd/priv/cmdptywrapper", 0o4755)
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "ncs.conf").write_text(f'<ncs-config xmlns="{NS}"/>')
    monkeypatch.chdir(tmp_path)
    rel_ncs = os.path.relpath(ncs, tmp_path)
    r = resolve(Sources(config_dir="etc", ncs_dir=rel_ncs, environ={}))
    assert (r.config_dir, r.ncs_dir) == (str(etc), str(ncs))
    assert r.env["NCS_CONFIG_DIR"] == str(etc)
    from secure_deploy.facts.collect import keys_path
    r2 = resolve(Sources(ncs_conf="etc/ncs.conf", environ={}))
    assert r2.ncs_conf == str(etc / "ncs.conf")
    assert keys_path(r2, None, "etc/ncs.crypto_keys") == str(etc / "ncs.crypto_keys")

    main(["audit", "--config-dir", "etc", "--ncs-dir", rel_ncs, "--host", "--rule", "SD-ROOT-002",
          "--format", "json", "--nso-version", "6.4", "--fail-on", "critical"])
    res = json.loads(capsys.readouterr().out)["results"][0]
    assert res["status"] != "not-applicable"
    expect = "warn" if IS_ROOT else "pass"      # only setuid *root* matters
    assert res["status"] == expect, res
