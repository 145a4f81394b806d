"""Shared test fixtures. ../shared is read-only reference data that may be absent."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SECURE_DEPLOY_SHARED", REPO.parent / "shared"))
SAMPLES = SHARED / "samples" / "ncs-conf"


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared reference folder {SHARED} is absent")
    return SHARED

# Fixtures of the NSO API test double (test/ncs_double/): ncs_double, ncs_double_aaa,
# yanglint_check, yanglint_result.
pytest_plugins = ["ncs_double.pytest_plugin"]
