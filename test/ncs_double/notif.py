"""Stand-ins for the `_ncs` pieces that sending a notification needs: schema hashes
(str2hash, hash2str, get_nslist; pyapi/_ncs.md), DateTime, XmlTag(ns, tag),
TagValue(xmltag, v, tag, ns) and the `_ncs.dp` notification functions
(register_notification_stream, notification_send, notification_flush,
notification_seterr, notification_replay_failed, notification_reply_log_times;
pyapi/_ncs.dp.md), with the documented signatures.

Hashes: the double's own (crc32 of the name, 31 bits) for every identifier of the
loaded YANG modules; NSO's values differ, so code must look them up, never
hard-code them. The namespace hash of a module is the crc32 of its namespace URI.

What the double checks (confd_lib_dp(3), which the reference points to but does not
include, is the source NSO follows; UNVERIFIED beyond the reference):
- the stream is registered with the context and worker socket of an ncs.dp.Daemon,
  before that daemon's start() (register_done), and the stream is configured
  (`configure_stream(d, name)`, standing for ncs.conf's notification streams);
- `values` is C_XMLBEGIN(notification) ... C_XMLEND(notification) around the
  leaves, with C_XMLBEGIN/C_XMLEND around each container; a leaf-list is a C_LIST
  Value of Values;
- each C_XMLBEGIN/C_XMLEND Value's init is the (ns, tag) of its element, the order
  pyapi/_ncs.md (class Value) gives.
What was sent is recorded as NETCONF notification XML (`sent(d)`), ready for
`yanglint -t nc-notif`.
"""
from __future__ import annotations

import datetime as _dt
import weakref
import zlib
from typing import Any, Dict, List, Optional, Tuple

from lxml import etree

from . import lowlevel, runtime

NC_NOTIF_NS = "urn:ietf:params:xml:ns:netconf:notification:1.0"
_IDENT_KEYWORDS = ("container", "list", "leaf", "leaf-list", "notification", "identity", "action", "rpc",
                   "input", "output")


def _h(text: str) -> int:
    return zlib.crc32(text.encode()) & 0x7FFFFFFF


class _Names:
    """Hashes of every identifier and namespace of the double's schema."""

    def __init__(self, schema: Any) -> None:
        self.by_hash: Dict[int, str] = {}
        self.ns: List[Tuple[int, str, str, str, str]] = []
        self.identities: Dict[Tuple[str, str], Any] = {}   # (ns uri, name) -> pyang identity stmt
        self.modules: Dict[str, Any] = {}                  # ns uri -> pyang module
        seen = set()
        for mod in _all_modules(schema):
            if mod.arg in seen:
                continue
            seen.add(mod.arg)
            uri = mod.search_one("namespace").arg
            rev = mod.search_one("revision")
            self.ns.append((_h(uri), mod.search_one("prefix").arg, uri, rev.arg if rev else "", mod.arg))
            self.modules[uri] = mod
            for name, ident in getattr(mod, "i_identities", {}).items():
                self.identities[(uri, name)] = ident
            stack = [mod]
            while stack:
                s = stack.pop()
                if s.keyword in _IDENT_KEYWORDS and isinstance(s.arg, str):
                    self.by_hash[_h(s.arg)] = s.arg
                stack.extend(s.substmts)
                stack.extend(getattr(s, "i_children", []) or [])


def _all_modules(schema: Any) -> List[Any]:
    out = list(schema.modules.values())
    for m in list(out):
        for imp in m.search("import"):
            sub = m.i_ctx.get_module(imp.arg)
            if sub is not None:
                out.append(sub)
    return out


class _State:
    def __init__(self, schema: Any) -> None:
        self.names = _Names(schema)
        self.streams: set = set()
        self.registered: Dict[str, Any] = {}          # stream -> daemon
        self.sent: List[Tuple[str, bytes]] = []        # (stream, NETCONF notification XML)
        self.flushes = 0


_STATES: "weakref.WeakKeyDictionary[Any, _State]" = weakref.WeakKeyDictionary()


def _state(d: Any = None) -> _State:
    d = runtime.current() if d is None else d
    if d not in _STATES:
        _STATES[d] = _State(d.schema)
    return _STATES[d]


def configure_stream(d: Any, name: str) -> None:
    """Test API: the stream exists (as if configured in ncs.conf)."""
    _state(d).streams.add(name)


def sent(d: Any) -> List[Tuple[str, bytes]]:
    """Test API: (stream, XML) of every notification sent, oldest first."""
    return _state(d).sent


def flushes(d: Any) -> int:
    return _state(d).flushes


def identity_name(ns: int, idhash: int, base: Tuple[str, str]) -> str:
    """prefix:name of the identity (ns hash, id hash), which must derive from `base`."""
    st = _state()
    uri = next((u for h, _, u, _, _ in st.names.ns if h == ns), None)
    name = st.names.by_hash.get(idhash)
    ident = st.names.identities.get((uri or "", name or ""))
    if ident is None:
        raise lowlevel.Error(lowlevel.ERR_BADTYPE, f"no identity with hashes ({ns}, {idhash}) in the schema")
    cur, chain = ident, []
    while cur is not None:
        cur_uri = cur.i_module.search_one("namespace").arg
        chain.append((cur_uri, cur.arg))
        b = cur.search_one("base")
        cur = getattr(b, "i_identity", None) if b is not None else None
    if base not in chain[1:]:
        raise lowlevel.Error(lowlevel.ERR_BADTYPE, f"identity {name} does not derive from {base[1]}")
    return f"{ident.i_module.search_one('prefix').arg}:{name}"


# ---- _ncs ----------------------------------------------------------------------------

def str2hash(str: Any) -> int:  # noqa: A002 - the documented parameter name
    h = _h(str)
    return h if _state().names.by_hash.get(h) == str else 0


def hash2str(hash: Any) -> Optional[str]:  # noqa: A002
    return _state().names.by_hash.get(hash)


def get_nslist() -> list:
    return list(_state().names.ns)


class DateTime:
    def __init__(self, year: Any, month: Any, day: Any, hour: Any, min: Any, sec: Any, micro: Any,  # noqa: A002
                 timezone: Any, timezone_minutes: Any) -> None:
        self.year, self.month, self.day = year, month, day
        self.hour, self.min, self.sec, self.micro = hour, min, sec, micro
        self.timezone, self.timezone_minutes = timezone, timezone_minutes
        # validates the fields (a bad date raises, as the C type cannot hold it)
        self._dt = _dt.datetime(year, month, day, hour, min, sec, micro,
                                _dt.timezone(_dt.timedelta(hours=timezone, minutes=timezone_minutes)))

    def _isoformat(self) -> str:   # the double's own (not in pyapi/_ncs.md DateTime)
        return self._dt.isoformat()


class XmlTag:
    def __init__(self, ns: Any, tag: Any) -> None:
        self.ns = ns
        self.tag = tag


class TagValue:
    def __init__(self, xmltag: Any = None, v: Any = None, tag: Any = None, ns: Any = None) -> None:
        if xmltag is not None and v is not None:
            self.ns, self.tag, self.v = xmltag.ns, xmltag.tag, v
        elif tag is not None and ns is not None:
            self.ns, self.tag, self.v = ns, tag, v
        else:
            raise TypeError("TagValue needs xmltag and v, or tag and ns")


# ---- _ncs.dp ---------------------------------------------------------------------------

class NotificationCtxRef:
    def __init__(self, stream: str, daemon: Any) -> None:
        self.stream = stream
        self.daemon = daemon
        self.errors: List[str] = []
        self.replay_failed = 0
        self.log_times: List[Any] = []


def register_notification_stream(dx: Any, ncbs: Any, sock: Any, streamname: Any) -> NotificationCtxRef:
    from .dp import Daemon
    st = _state()
    daemon = getattr(dx, "daemon", None)
    if not isinstance(daemon, Daemon) or sock is not daemon.wsock:
        raise lowlevel.Error(lowlevel.ERR_PROTOUSAGE, "dx/sock must be a daemon context and its worker socket")
    if daemon.started:
        raise lowlevel.Error(lowlevel.ERR_PROTOUSAGE, "register_notification_stream after register_done")
    if streamname not in st.streams:
        raise lowlevel.Error(lowlevel.ERR_NOEXISTS, f"notification stream {streamname!r} is not configured")
    for cb in ("cb_get_log_times", "cb_replay"):
        if ncbs is not None and not callable(getattr(ncbs, cb, None)):
            raise TypeError(f"ncbs lacks {cb}")
    st.registered[streamname] = daemon      # a new VM's daemon replaces the dead one's
    return NotificationCtxRef(streamname, daemon)


def _check_ctx(nctx: Any) -> None:
    if not isinstance(nctx, NotificationCtxRef):
        raise TypeError("nctx must come from register_notification_stream()")
    if not nctx.daemon.started or nctx.daemon.finished:
        raise lowlevel.Error(lowlevel.ERR_PROTOUSAGE, "the notification daemon is not running")


def notification_send(nctx: Any, time: Any, values: Any) -> None:
    _check_ctx(nctx)
    if not isinstance(time, DateTime):
        raise TypeError("time must be a DateTime")
    xml = _to_xml(values)
    env = etree.Element(f"{{{NC_NOTIF_NS}}}notification", nsmap={None: NC_NOTIF_NS})
    etree.SubElement(env, f"{{{NC_NOTIF_NS}}}eventTime").text = time._isoformat()
    env.append(xml)
    _state().sent.append((nctx.stream, etree.tostring(env, pretty_print=True)))


def notification_flush(nctx: Any) -> None:
    _check_ctx(nctx)
    _state().flushes += 1


def notification_seterr(nctx: Any, errstr: Any) -> None:
    nctx.errors.append(str(errstr))


def notification_replay_failed(nctx: Any) -> None:
    nctx.replay_failed += 1


def notification_reply_log_times(nctx: Any, creation: Any, aged: Any) -> None:
    if not isinstance(creation, DateTime) or not (aged is None or isinstance(aged, DateTime)):
        raise TypeError("creation (and aged) must be DateTime instances")
    nctx.log_times.append((creation, aged))


def _text(v: Any) -> str:
    t = v.confd_type()
    if t == lowlevel.C_BUF and not isinstance(v.as_pyval(), str):
        raise lowlevel.Error(lowlevel.ERR_BADTYPE, "C_BUF value must be a string")
    if t in (lowlevel.C_UINT32,) and not isinstance(v.as_pyval(), int):
        raise lowlevel.Error(lowlevel.ERR_BADTYPE, "C_UINT32 value must be an int")
    if t not in (lowlevel.C_BUF, lowlevel.C_UINT32, lowlevel.C_DECIMAL64, lowlevel.C_DATETIME):
        raise lowlevel.Error(lowlevel.ERR_BADTYPE, f"the double does not encode type {t}")
    return str(v)


def _to_xml(values: Any) -> Any:
    """The TagValue list as the notification element (checks the framing)."""
    st = _state()
    if not values or not all(isinstance(tv, TagValue) for tv in values):
        raise TypeError("values must be a non-empty list of TagValue")
    uris = {h: u for h, _, u, _, _ in st.names.ns}

    def qname(tv: TagValue) -> str:
        name = st.names.by_hash.get(tv.tag)
        if tv.ns not in uris or name is None:
            raise lowlevel.Error(lowlevel.ERR_BADPATH, f"unknown tag/namespace hash ({tv.ns}, {tv.tag})")
        return f"{{{uris[tv.ns]}}}{name}"

    first, last = values[0], values[-1]
    if first.v.confd_type() != lowlevel.C_XMLBEGIN or last.v.confd_type() != lowlevel.C_XMLEND \
            or (first.ns, first.tag) != (last.ns, last.tag):
        raise lowlevel.Error(lowlevel.ERR_PROTOUSAGE, "values must be C_XMLBEGIN ... C_XMLEND of the notification")
    top = etree.Element(qname(first), nsmap={None: uris[first.ns]})
    mod = st.names.modules[uris[first.ns]]
    if mod.search_one("notification", etree.QName(top).localname) is None:
        raise lowlevel.Error(lowlevel.ERR_BADPATH, f"{etree.QName(top).localname} is not a notification")
    stack = [top]
    for tv in values:
        # _ncs.md, class Value: a C_XMLBEGIN/C_XMLEND init is (ns, tag), here the element's.
        if tv.v.confd_type() in (lowlevel.C_XMLBEGIN, lowlevel.C_XMLEND) and tv.v.as_pyval() != (tv.ns, tv.tag):
            raise lowlevel.Error(lowlevel.ERR_BADTYPE, f"C_XMLBEGIN/C_XMLEND Value {tv.v.as_pyval()!r} is not the "
                                 f"(ns, tag) of its element, ({tv.ns}, {tv.tag})")
    for tv in values[1:-1]:
        t = tv.v.confd_type()
        if t == lowlevel.C_XMLBEGIN:
            stack.append(etree.SubElement(stack[-1], qname(tv)))
        elif t == lowlevel.C_XMLEND:
            if len(stack) == 1 or stack[-1].tag != qname(tv):
                raise lowlevel.Error(lowlevel.ERR_PROTOUSAGE, "unbalanced C_XMLEND")
            stack.pop()
        elif t == lowlevel.C_LIST:
            for item in tv.v.as_list():
                etree.SubElement(stack[-1], qname(tv)).text = _text(item)
        else:
            etree.SubElement(stack[-1], qname(tv)).text = _text(tv.v)
    if len(stack) != 1:
        raise lowlevel.Error(lowlevel.ERR_PROTOUSAGE, "unbalanced C_XMLBEGIN")
    return top


def attach(low: Any) -> None:
    """Add these to the double's `_ncs` and `_ncs.dp` modules."""
    for name in ("str2hash", "hash2str", "get_nslist", "DateTime", "XmlTag", "TagValue"):
        setattr(low, name, globals()[name])
    for name in ("register_notification_stream", "notification_send", "notification_flush",
                 "notification_seterr", "notification_replay_failed", "notification_reply_log_times"):
        setattr(low.dp, name, globals()[name])
