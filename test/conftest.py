"""Shared test fixtures. ../shared is read-only reference data that may be absent:
nothing here skips without it; tests that read it run on our own fixtures as well."""
from __future__ import annotations

import os
from pathlib import Path
from typing import List


REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SECURE_DEPLOY_SHARED", REPO.parent / "shared"))
SAMPLES = SHARED / "samples" / "ncs-conf"
# Synthetic ncs.conf files written for this project (test/ncsconf_samples/README.md).
OWN_SAMPLES = REPO / "test" / "ncsconf_samples"


def _real(pattern: str) -> List[Path]:
    return sorted(SAMPLES.glob(pattern)) if SAMPLES.is_dir() else []


# Development configurations (every one must fail the development-settings rules) and
# production templates: ours always, the real public ones of ../shared/samples too.
DEV_SAMPLES: List[Path] = sorted(OWN_SAMPLES.glob("dev-*.xml")) + _real("nso-examples-6.4__*.xml")
SYSTEM_SAMPLES: List[Path] = sorted(OWN_SAMPLES.glob("system-install*.xml")) + _real("system-install-*.xml")
ALL_SAMPLES: List[Path] = DEV_SAMPLES + SYSTEM_SAMPLES


def twins(own: str, real: str) -> List[Path]:
    """Our fixture `own`, and the real sample `real` it reproduces when ../shared is present."""
    path = OWN_SAMPLES / own
    assert path.is_file(), path
    return [path] + ([SAMPLES / real] if (SAMPLES / real).is_file() else [])


def sample_id(path: Path) -> str:
    """A short test id saying whose file it is: own:<name> or shared:<name>."""
    return ("own:" if path.parent == OWN_SAMPLES else "shared:") + path.stem[:60]


# Fixtures of the NSO API test double (test/ncs_double/): ncs_double, ncs_double_aaa,
# yanglint_check, yanglint_result.
pytest_plugins = ["ncs_double.pytest_plugin"]
