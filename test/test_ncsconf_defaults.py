"""The project's defaults table against the ncs.conf(5) parameter lists of each release."""
from __future__ import annotations

import csv

import pytest

from secure_deploy.facts.ncsconf_defaults import DEFAULTS, default_for, exists_in
from secure_deploy.model import SUPPORTED_NSO_VERSIONS


def _tsv(shared_dir, version):
    path = shared_dir / "reference" / f"ncs-conf-params-{version}.tsv"
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return {r[0]: (r[2] if len(r) > 2 else "") for r in rows[1:]}


@pytest.mark.parametrize("version", SUPPORTED_NSO_VERSIONS)
def test_every_default_matches_the_man_page(shared_dir, version):
    man = _tsv(shared_dir, version)
    for path in DEFAULTS:
        if exists_in(path, version):
            assert path in man, f"{path} is not a parameter of NSO {version}"
            assert default_for(path, version) == man[path], f"{path} default differs in NSO {version}"
        else:
            assert path not in man, f"{path} exists in NSO {version} but the table omits it"


def test_known_version_changes():
    assert default_for("/ncs-config/crypt-hash/algorithm", "6.5") == "md5"
    assert default_for("/ncs-config/crypt-hash/algorithm", "6.6") == "sha-512"
    assert default_for("/ncs-config/ncs-local-ipc/enabled", "6.7") == "true"
    assert default_for("/ncs-config/ha/ssl/enabled", "6.4") is None


def test_unknown_version_is_an_error():
    with pytest.raises(ValueError):
        default_for("/ncs-config/crypt-hash/algorithm", "7.0")
