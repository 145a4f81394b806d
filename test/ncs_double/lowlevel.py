"""Stand-in for `_ncs` (the C binding): constants, Value, errors, dp/maapi helpers.

Error numbers follow confd_lib.h (CONFD_ERR_NOEXISTS=1 ... CONFD_ERR_BADPATH=8).
"""
from __future__ import annotations

import types
from decimal import Decimal
from typing import Any, Optional

from . import runtime
from .schema import Enum

RUNNING = 2
OPERATIONAL = 4
CANDIDATE = 1
STARTUP = 3
CONFD_OK = 0
CONFD_ERR = -1
READ = 1
READ_WRITE = 2

# confd_errno values (confd_lib.h)
ERR_NOEXISTS = 1
ERR_ALREADY_EXISTS = 2
ERR_ACCESS_DENIED = 3
ERR_NOT_WRITABLE = 4
ERR_BADTYPE = 5
ERR_BADPATH = 8
ERR_PROTOUSAGE = 13
ERR_VALIDATION_WARNING = 19   # not used by the double
ERR_EXTERNAL = 19

# query result types (confd_query_result_type): UNVERIFIED numbering, use the names
QUERY_STRING = 1
QUERY_HKEYPATH = 2
QUERY_HKEYPATH_VALUE = 3
QUERY_TAG_VALUE = 4


class Error(Exception):
    """`_ncs.error.Error`: carries confd_errno and confd_strerror like the real one."""

    def __init__(self, errno: int, msg: str) -> None:
        super().__init__(f"{msg} ({errno})")
        self.confd_errno = errno
        self.confd_strerror = msg


error = types.SimpleNamespace(Error=Error)


class Value:
    """`_ncs.Value`: str() gives the YANG string form, as_pyval() the Python value."""

    def __init__(self, init: Any, type: Optional[int] = None) -> None:  # noqa: A002
        self._v = init

    def as_pyval(self) -> Any:
        v = self._v
        if isinstance(v, Decimal):
            return float(v)
        if isinstance(v, Enum):
            return v.value
        return v

    def __str__(self) -> str:
        v = self._v
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)

    def __repr__(self) -> str:
        return f"<_ncs.Value {self}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Value):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))


class TagValue:
    """One (tag, value) pair of a QUERY_TAG_VALUE result (shape UNVERIFIED)."""

    def __init__(self, tag: str, v: Value) -> None:
        self.tag = tag
        self.v = v

    def __iter__(self):
        return iter((self.tag, self.v))

    def __repr__(self) -> str:
        return f"<TagValue {self.tag}={self.v}>"


class XmlTag:
    """The `name` argument of cb_action: str() gives the action's name."""

    def __init__(self, tag: str, ns: str = "") -> None:
        self.tag = tag
        self.ns = ns

    def __str__(self) -> str:
        return self.tag


class HKeypathRef:
    """The `kp` argument of cb_action: str() gives the keypath of the action's parent."""

    def __init__(self, path: str) -> None:
        self._path = path

    def __str__(self) -> str:
        return self._path

    def __repr__(self) -> str:
        return f"<HKeypathRef {self._path}>"


class UserInfo:
    def __init__(self, username: str, context: str, usid: int, actx_thandle: int) -> None:
        self.username = username
        self.context = context
        self.usid = usid
        self.actx_thandle = actx_thandle
        self.addr = "127.0.0.1"
        self.ip = "127.0.0.1"
        self.port = 0
        self.proto = 1
        self.lmode = 0
        self.clearpass = None
        self.logintime = 0
        self.snmp_v3_ctx = None
        self.flags = 0


def _action_seterr(uinfo: UserInfo, errstr: str) -> None:
    runtime.current().action_errors[uinfo.usid] = errstr


def _action_set_timeout(uinfo: UserInfo, timeout_secs: int) -> None:
    runtime.current().action_timeouts.append((uinfo.usid, int(timeout_secs)))


def _decrypt(value: str) -> str:
    """`_ncs.decrypt`: the double "decrypts" $8$/$9$ values it was seeded with as-is."""
    d = runtime.current()
    if not d.crypto_keys_installed:
        raise Error(ERR_PROTOUSAGE, "crypto keys not installed (call install_crypto_keys)")
    return d.decrypt(value)


dp = types.SimpleNamespace(action_seterr=_action_seterr, action_set_timeout=_action_set_timeout)
maapi = types.SimpleNamespace()   # low-level calls are reached through ncs.maapi objects
decrypt = _decrypt


def make_module() -> types.ModuleType:
    mod = types.ModuleType("_ncs", "NSO double: stand-in for the _ncs C binding")
    for name, val in list(globals().items()):
        if not name.startswith("_") and name not in ("annotations", "types", "runtime", "make_module",
                                                    "Any", "Optional", "Decimal", "Enum"):
            setattr(mod, name, val)
    mod.error = types.ModuleType("_ncs.error")
    mod.error.Error = Error
    mod.dp = types.ModuleType("_ncs.dp")
    mod.dp.action_seterr = _action_seterr
    mod.dp.action_set_timeout = _action_set_timeout
    mod.maapi = types.ModuleType("_ncs.maapi")
    return mod
