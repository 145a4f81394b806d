"""Acting for the user who invoked an action, with that user's rights.

An action callback gets `uinfo` (pyapi/_ncs.md UserInfo: username, context, usid).
Opening a new session as `(username, context)` would lose the groups NSO gave the
user at login (from AAA, PAM, TACACS+/RADIUS/LDAP or external authentication), so
NACM would judge the package's reads and writes by fewer rights than the user has:
data hidden from that stripped session would count as absent.

- transactions start in the caller's own user session:
  `Maapi.start_read_trans/start_write_trans(db, usid=uinfo.usid)` (pyapi/ncs.maapi.md);
- where a session of its own is needed (calling NSO actions through maagic on a
  Maapi), it gets the caller's user, context and groups, the groups read with
  `get_authorization_info(usid)` (pyapi/_ncs.maapi.md; a Maapi forwards it).
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

import ncs


@contextlib.contextmanager
def trans(uinfo: Any, db: int, write: bool = False) -> Iterator[Any]:
    """A transaction on `db` in the invoking user's session (finished on exit)."""
    with ncs.maapi.Maapi() as m:
        if write:
            t = m.start_write_trans(db=db, usid=uinfo.usid)
        else:
            t = m.start_read_trans(db=db, usid=uinfo.usid)
        with t:
            yield t


@contextlib.contextmanager
def session(uinfo: Any) -> Iterator[Any]:
    """A Maapi with a user session of the caller: same user, context and groups."""
    with ncs.maapi.Maapi() as m:
        groups = [str(g) for g in m.get_authorization_info(uinfo.usid).groups]
        with ncs.maapi.Session(m, uinfo.username, uinfo.context, groups):
            yield m
