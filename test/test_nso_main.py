"""The package Application: actionpoints in the YANG <-> handlers in Python, and
setup() does nothing but register."""
from __future__ import annotations

import importlib.util
import re

import pytest

import ncs_double as nd
from nso_fixtures import new_nso

YANG_POINTS = set(re.findall(r"tailf:actionpoint\s+([\w-]+)\s*;", nd.SECURE_DEPLOY_YANG.read_text()))
ROTATION = {"secure-deploy-keys-rotate", "secure-deploy-keys-status"}


def _main():
    from secure_deploy.nso import main
    return main


def test_registry_matches_the_yang_both_ways(ncs_double) -> None:
    assert YANG_POINTS, "no actionpoint found in the YANG"
    assert set(_main().ACTIONPOINTS) == YANG_POINTS


@pytest.mark.parametrize("point", sorted(YANG_POINTS))
def test_every_actionpoint_has_a_handler_class(ncs_double, point: str) -> None:
    main = _main()
    path = main.ACTIONPOINTS[point]
    if point in ROTATION and importlib.util.find_spec(main.ROTATION_MODULE) is None:
        pytest.skip(f"{main.ROTATION_MODULE} (key rotation, another engineer's module) does not exist yet")
    cls = main.handler_class(path)
    import ncs
    assert cls is not None and issubclass(cls, ncs.dp.Action), path
    assert getattr(cls.cb_action, "_ncs_action", False), f"{path}.cb_action lacks @Action.action"


def test_setup_only_registers() -> None:
    d = new_nso()
    with nd.install(d) as d:
        before = d.dump_xml("secure-deploy")
        d.reset_counters()
        d.load_package(nd.PACKAGE_DIR)
        # no CDB access at all: no transaction, no read, no write
        assert d.round_trips == 0, dict(d.calls)
        assert d.dump_xml("secure-deploy") == before
        main = _main()
        expected = {p for p, path in main.ACTIONPOINTS.items() if main.handler_class(path) is not None}
        assert set(d.actionpoints) == expected
        assert {"secure-deploy-audit", "secure-deploy-report", "secure-deploy-harden-plan"} <= expected


def test_package_survives_a_vm_restart(tmp_path, monkeypatch, yanglint_check) -> None:
    from nso_fixtures import make_deployment
    for dep in make_deployment(tmp_path, monkeypatch):
        first = dep.audit(rule=["SD-AUTH-001"])["run-id"]
        dep.d.restart_vm()
        second = dep.audit(rule=["SD-AUTH-001"])["run-id"]
        assert dep.history() == sorted([first, second])
        yanglint_check(dep.d.dump_xml(config=False))
