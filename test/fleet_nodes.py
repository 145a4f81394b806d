"""A three-node HA Raft cluster built from the bundled production example, for fleet tests.

n1 and n2 are the example as shipped (plus HA Raft, cluster c1); n2 holds different
keys (SD-FLEET-001); n3 allows more sessions than the others (SD-FLEET-002), a drift
no single-node rule fails. Each node folder has the example's etc/ and run/ layout.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Dict

from conftest import REPO

PROD = REPO / "examples" / "prod-system-install"
NODES = ("n1", "n2", "n3")
KEYS_NODE, DRIFT_NODE = "n2", "n3"
DRIFT_LEAF = "/ncs-config/session-limits/max-sessions"
RAFT = ("<ha-raft><enabled>true</enabled><cluster-name>c1</cluster-name><ssl>"
        "<key-file>${{NCS_CONFIG_DIR}}/dist/ssl/{0}.key</key-file>"
        "<cert-file>${{NCS_CONFIG_DIR}}/dist/ssl/{0}.crt</cert-file>"
        "<ca-cert-file>${{NCS_CONFIG_DIR}}/dist/ssl/ca.crt</ca-cert-file></ssl></ha-raft>")
OPEN_TAG = '<ncs-config xmlns="http://tail-f.com/yang/tailf-ncs-config">'
# Test-only keys (never used anywhere): the other node's keys file.
OTHER_KEYS = ("EXTERNAL_KEY_FORMAT=2\n"
              f"AESCFB128_KEY[0]={'5a1e' * 8}\n"
              f"AES256CFB128_KEY[0]={'c0de' * 16}\n")


def example_keys() -> str:
    return (PROD / "etc" / "ncs.crypto_keys").read_text()


def make_node(folder: Path, name: str, *, keys: str = "", max_sessions: int = 100) -> Path:
    shutil.copytree(PROD, folder, ignore=shutil.ignore_patterns("README.md"))
    conf = folder / "etc" / "ncs.conf"
    text = conf.read_text()
    assert OPEN_TAG in text and "<max-sessions>100</max-sessions>" in text
    text = text.replace(OPEN_TAG, OPEN_TAG + RAFT.format(name))
    text = text.replace("<max-sessions>100</max-sessions>", f"<max-sessions>{max_sessions}</max-sessions>")
    conf.write_text(text)
    keys_file = folder / "etc" / "ncs.crypto_keys"
    if keys:
        keys_file.write_text(keys)
    os.chmod(keys_file, 0o600)
    return folder


def make_cluster(root: Path) -> Dict[str, Path]:
    """n1, n2, n3 under `root` (one sub-folder each, as `audit --nodes-dir` reads them)."""
    return {n: make_node(root / n, n, keys=OTHER_KEYS if n == KEYS_NODE else "",
                         max_sessions=200 if n == DRIFT_NODE else 100) for n in NODES}
