"""The package acts with the invoking user's rights: same session, same groups (issue 9).

Opening a new session as (username, context) loses the groups NSO gave the user at
login (TACACS+/RADIUS/LDAP/external groups), so NACM would judge the audit's reads
by fewer rights and hidden data would count as absent.
"""
from __future__ import annotations

import pytest

from ncs_double.lowlevel import UserInfo
from nso_fixtures import make_deployment, oper_valid  # noqa: F401 (autouse)

GROUPS = ("ncsadmin", "tacacs-ops")


@pytest.fixture
def dep(tmp_path, monkeypatch):
    yield from make_deployment(tmp_path, monkeypatch)


def test_audit_reads_and_writes_in_the_callers_session(dep) -> None:
    dep.d.trans_sessions.clear()
    dep.d.request_action("/secure-deploy/audit", user="alice", context="cli", groups=GROUPS)
    package = dep.d.trans_sessions[1:]           # [0] is the action's own transaction
    assert package and set(package) == {("alice", "cli", GROUPS)}


def test_report_reads_in_the_callers_session(dep) -> None:
    dep.audit()
    dep.d.trans_sessions.clear()
    dep.d.request_action("/secure-deploy/report", user="alice", context="cli", groups=GROUPS, format="json")
    assert set(dep.d.trans_sessions[1:]) == {("alice", "cli", GROUPS)}


def test_caller_session_carries_user_context_and_groups(ncs_double) -> None:
    import ncs
    from secure_deploy.nso import caller
    s = ncs_double.new_session("bob", "netconf", ["g1", "g2"])
    uinfo = UserInfo("bob", "netconf", s.usid, 0)
    with caller.session(uinfo) as m:
        with m.start_read_trans(db=ncs.OPERATIONAL):
            pass
    with caller.trans(uinfo, ncs.OPERATIONAL, write=True) as t:
        t.exists("/secure-deploy/last-run")
    assert ncs_double.trans_sessions == [("bob", "netconf", ("g1", "g2"))] * 2
