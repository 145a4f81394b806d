"""pytest fixtures of the NSO double (registered by test/conftest.py).

- `ncs_double`: an installed NcsDouble (secure-deploy + key-rotation stand-in); `import ncs`
  works inside the test and nowhere else.
- `ncs_double_aaa`: the same plus the tailf-aaa subset, ietf-netconf-acm, tailf-acm
  (carried in test/yang/).
- `yanglint_check`: callable(xml_bytes, extra_yang=()) -> None that fails the test with
  yanglint's message when the data is invalid (skips when yanglint is absent).
- `yanglint_result`: callable returning (ok, message) instead, to assert rejections.
- `double_test`: a double that also loads the double's own test module
  (yang/double-test.yang: presence container, two-key list, choice/case, ...).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator, Sequence, Tuple

import pytest

from . import HERE, NcsDouble, SECURE_DEPLOY_YANG, install, new_double, tailf_yang_dir
from .yanglint import validate_with_yanglint, yanglint_available


TEST_YANG = HERE / "yang" / "double-test.yang"


def _make(aaa: bool, extra: Sequence[Path] = ()) -> NcsDouble:
    return new_double(list(extra), aaa=aaa)


@pytest.fixture
def ncs_double() -> Iterator[NcsDouble]:
    with install(_make(aaa=False)) as d:
        yield d


@pytest.fixture
def double_test() -> Iterator[NcsDouble]:
    with install(_make(aaa=False, extra=[TEST_YANG])) as d:
        yield d


@pytest.fixture
def ncs_double_aaa() -> Iterator[NcsDouble]:
    with install(_make(aaa=True)) as d:
        yield d


def _runner() -> Callable[..., Tuple[bool, str]]:
    if not yanglint_available():
        pytest.skip("yanglint not installed (Debian package libyang2-tools)")
    ydir = tailf_yang_dir()

    def run(xml: bytes, extra_yang: Sequence[Path] = ()) -> Tuple[bool, str]:
        return validate_with_yanglint(xml, [SECURE_DEPLOY_YANG, *extra_yang], ydir)
    return run


@pytest.fixture
def yanglint_result() -> Callable[..., Tuple[bool, str]]:
    return _runner()


@pytest.fixture
def yanglint_check() -> Callable[..., None]:
    run = _runner()

    def check(xml: bytes, extra_yang: Sequence[Path] = ()) -> None:
        ok, msg = run(xml, extra_yang)
        if not ok:
            pytest.fail(f"yanglint rejected the data:\n{msg}\n--- data ---\n{xml.decode()}")
    return check
