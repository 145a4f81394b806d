"""Stand-in for `_ncs` (the C binding): constants, Value, errors, dp/maapi helpers.

Constants and error numbers are NSO's (from the manifest, pyapi/_ncs.md).
"""
from __future__ import annotations

import types
from decimal import Decimal
from typing import Any, Optional

from . import manifest, runtime
from .schema import Enum

# Every constant and error number is NSO's, from the manifest (pyapi/_ncs.md
# "Predefined Values"): names used below are bound here for the double's own use.
_CONSTANTS = manifest.constants("_ncs")
globals().update(_CONSTANTS)
RUNNING, OPERATIONAL = _CONSTANTS["RUNNING"], _CONSTANTS["OPERATIONAL"]
READ, READ_WRITE = _CONSTANTS["READ"], _CONSTANTS["READ_WRITE"]
ERR_NOEXISTS, ERR_BADPATH = _CONSTANTS["ERR_NOEXISTS"], _CONSTANTS["ERR_BADPATH"]
ERR_PROTOUSAGE, ERR_XPATH = _CONSTANTS["ERR_PROTOUSAGE"], _CONSTANTS["ERR_XPATH"]
QUERY_STRING, QUERY_TAG_VALUE = _CONSTANTS["QUERY_STRING"], _CONSTANTS["QUERY_TAG_VALUE"]


class Error(Exception):
    """`_ncs.error.Error`: confd_errno, confd_strerror, confd_lasterr (pyapi/_ncs.error.md).

    The double's message goes into confd_lasterr (the additional text); strerror
    is set only for ERR_OS, as documented."""

    def __init__(self, errno: int, msg: str) -> None:
        super().__init__(f"{msg} ({errno})")
        self.confd_errno = errno
        self.confd_strerror = msg
        self.confd_lasterr = msg
        if errno == _CONSTANTS["ERR_OS"]:
            self.strerror = msg


class EOF(Exception):
    """`_ncs.error.EOF`: the connection to NSO was closed (pyapi/_ncs.error.md)."""


error = types.SimpleNamespace(Error=Error)


def _infer_type(init: Any) -> int:
    """The type Value(init) takes without one (pyapi/_ncs.md, class Value)."""
    for py, name in ((bool, "C_BOOL"), (int, "C_INT32"), (float, "C_DOUBLE")):
        if isinstance(init, py):
            return _CONSTANTS[name]
    return _CONSTANTS["C_BUF"]


_PAIR_TYPES = tuple(_CONSTANTS[n] for n in ("C_XMLTAG", "C_XMLBEGIN", "C_XMLEND", "C_IDENTITYREF"))


class Value:
    """`_ncs.Value`: str() gives the YANG string form, as_pyval() the Python value."""

    def __init__(self, init: Any, type: Optional[int] = None) -> None:  # noqa: A002
        self._v = init
        self._type = _infer_type(init) if type is None else type
        # pyapi/_ncs.md, class Value: for C_XMLTAG, C_XMLBEGIN and C_XMLEND the init
        # "must be a 2-tuple" (ns, tag); for C_IDENTITYREF a 2-tuple (ns, id).
        if self._type in _PAIR_TYPES and not (isinstance(init, tuple) and len(init) == 2
                                              and all(isinstance(h, int) for h in init)):
            raise TypeError(f"Value: init of type {self._type} must be a 2-tuple of hashes, not {init!r}")

    def confd_type(self) -> int:
        return self._type

    def as_list(self) -> list:
        if self._type != _CONSTANTS["C_LIST"]:
            raise Error(_CONSTANTS["ERR_BADTYPE"], "not a C_LIST value")
        return list(self._v)

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
        if isinstance(v, Enum):
            # An enumeration's label needs the schema (Value.val2str(schema_type),
            # pyapi/_ncs.md); without it the double gives the number, so code cannot
            # come to rely on str() giving the label.
            return str(v.value)
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
    """One (tag, value) pair of a QUERY_TAG_VALUE result (shape UNVERIFIED). The double
    keeps the tag's name where NSO has its hash."""

    def __init__(self, xmltag: Any, v: Value, tag: Any, ns: Any) -> None:
        self.tag = tag
        self.v = v

    def __iter__(self):
        return iter((self.tag, self.v))

    def __repr__(self) -> str:
        return f"<TagValue {self.tag}={self.v}>"


class AuthorizationInfo:
    """`_ncs.AuthorizationInfo`: the groups of a user session (pyapi/_ncs.md)."""

    def __init__(self, groups: list) -> None:
        self.groups = groups


class XmlTag:
    """The `name` argument of cb_action: str() gives the action's name."""

    def __init__(self, ns: Any, tag: str) -> None:
        # NSO's ns/tag are hashes; the double keeps the names (str() gives the tag).
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


def _decrypt(ciphertext: str) -> str:
    """`_ncs.decrypt`: the double "decrypts" $8$/$9$ values it was seeded with as-is."""
    d = runtime.current()
    if not d.crypto_keys_installed:
        raise Error(ERR_PROTOUSAGE, "crypto keys not installed (call install_crypto_keys)")
    return d.decrypt(ciphertext)


dp = types.SimpleNamespace(action_seterr=_action_seterr, action_set_timeout=_action_set_timeout)
maapi = types.SimpleNamespace()   # low-level calls are reached through ncs.maapi objects
decrypt = _decrypt


PUBLIC = ("Value", "TagValue", "XmlTag", "HKeypathRef", "UserInfo", "AuthorizationInfo", "decrypt")


def make_module() -> types.ModuleType:
    """`_ncs` with NSO's constants and the classes/functions the double emulates."""
    mod = types.ModuleType("_ncs", "NSO double: stand-in for the _ncs C binding")
    for name, val in _CONSTANTS.items():
        setattr(mod, name, val)
    for name in PUBLIC:
        setattr(mod, name, globals()[name])
    mod.error = types.ModuleType("_ncs.error")
    mod.error.Error = Error
    mod.error.EOF = EOF
    mod.dp = types.ModuleType("_ncs.dp")
    for name, val in manifest.constants("_ncs.dp").items():
        setattr(mod.dp, name, val)
    mod.dp.action_seterr = _action_seterr
    mod.dp.action_set_timeout = _action_set_timeout
    mod.maapi = types.ModuleType("_ncs.maapi")
    for name, val in manifest.constants("_ncs.maapi").items():
        setattr(mod.maapi, name, val)
    return mod
