"""The `audit-run-completed` notification on the `secure-deploy` stream.

Documented API only (pyapi/ncs.dp.md, pyapi/_ncs.dp.md, pyapi/_ncs.md):
- ncs.dp.Daemon(name, log=...) gives a daemon context (ctx()) and a worker socket
  (wsock); _ncs.dp.register_notification_stream(dx, ncbs, sock, streamname) must
  come before Daemon.start(), which calls register_done;
- _ncs.dp.notification_send(nctx, time, values): time a _ncs.DateTime, values a
  list of _ncs.TagValue(_ncs.XmlTag(ns, tag), _ncs.Value(init, type));
- namespace and tag hashes from _ncs.get_nslist() and _ncs.str2hash(), which need
  the schemas loaded (Daemon.load_schemas()).
Framing: C_XMLBEGIN/C_XMLEND around the notification and around each container.
No reference page shows it (confd_lib_dp(3), which _ncs.dp.md refers to, is not in
the reference); Tail-f's public Python notification examples (ConfD's "NETCONF
Notification Streams, Python version") frame this way. Those examples write the
framing Value's init as (tag, ns); _ncs.md (class Value) says (ns, tag) for
C_XMLBEGIN/C_XMLEND, and the package follows the reference. UNVERIFIED: which order
NSO reads, and that a leaf-list is one C_LIST Value of C_BUF Values;
test/live/test_live_alarms.py decides both on a real NSO.

The daemon is started at the first run that sends, not in Application.setup():
the package must start even when the stream is not configured in ncs.conf (then the
run logs that no notification was sent, and the next run tries again).
"""
from __future__ import annotations

import datetime as _dt
import threading
from typing import Any, List, Optional, Sequence

import _ncs
import ncs

from ..alarms.notification import Kind, Node

STREAM = "secure-deploy"                         # configured in ncs.conf (docs/alarms-and-scheduling.md)
SD_NS = "urn:secure-deploy:yang:secure-deploy"   # secure-deploy.yang
NOTIFICATION = "audit-run-completed"

_TYPES = {Kind.STRING: "C_BUF", Kind.UINT32: "C_UINT32", Kind.DECIMAL64: "C_DECIMAL64",
          Kind.DATE_AND_TIME: "C_DATETIME"}


def date_time(when: _dt.datetime) -> Any:
    """_ncs.DateTime(year, month, day, hour, min, sec, micro, timezone, timezone_minutes), UTC."""
    u = when.astimezone(_dt.timezone.utc)
    return _ncs.DateTime(u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, 0, 0)


class _NoReplay:
    """The stream keeps no log (replay-support false in ncs.conf). Should NSO still
    ask, the replay is refused the documented way."""

    def __init__(self, created: _dt.datetime) -> None:
        self.created = created

    def cb_get_log_times(self, nctx: Any) -> None:
        _ncs.dp.notification_reply_log_times(nctx, date_time(self.created), None)

    def cb_replay(self, nctx: Any, start: Any, stop: Any) -> None:
        _ncs.dp.notification_seterr(nctx, "secure-deploy keeps no notification log: no replay")
        _ncs.dp.notification_replay_failed(nctx)


def tag_values(nodes: Sequence[Node]) -> List[Any]:
    """The notification as the TagValue list notification_send() takes."""
    ns = next((h for h, _p, uri, _r, _m in _ncs.get_nslist() if uri == SD_NS), None)
    if ns is None:
        raise LookupError(f"the schema of {SD_NS} is not loaded")

    def tag(name: str) -> Any:
        h = _ncs.str2hash(name)
        if not h:
            raise LookupError(f"no hash for {name!r}: secure-deploy.fxs older than the package code?")
        return _ncs.XmlTag(ns, h)

    def frame(name: str, kind: str) -> Any:
        t = tag(name)
        return _ncs.TagValue(t, _ncs.Value((ns, t.tag), getattr(_ncs, kind)))

    out = [frame(NOTIFICATION, "C_XMLBEGIN")]

    def add(node: Node) -> None:
        if node.kind is Kind.CONTAINER:
            out.append(frame(node.name, "C_XMLBEGIN"))
            for child in node.value:           # type: ignore[union-attr]
                add(child)                     # type: ignore[arg-type]
            out.append(frame(node.name, "C_XMLEND"))
        elif node.kind is Kind.STRING_LIST:
            items = [_ncs.Value(str(v), _ncs.C_BUF) for v in node.value]   # type: ignore[union-attr]
            out.append(_ncs.TagValue(tag(node.name), _ncs.Value(items, _ncs.C_LIST)))
        else:
            out.append(_ncs.TagValue(tag(node.name), _ncs.Value(node.value, getattr(_ncs, _TYPES[node.kind]))))

    for n in nodes:
        add(n)
    out.append(frame(NOTIFICATION, "C_XMLEND"))
    return out


THREAD_NAME = "secure-deploy-notifier"


class Notifier:
    """One daemon and stream registration per Python VM, made at the first send.

    `app` (set by main.Main.setup) is told about the daemon's thread while it runs:
    `show python-vm status current` lists the threads a package announces
    (nso-python-vm.md; add_running_thread/del_running_thread, pyapi/ncs.application.md).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._daemon: Optional[Any] = None
        self._nctx: Optional[Any] = None
        self.app: Optional[Any] = None

    def _start(self, log: Any) -> Any:
        if self._nctx is None:
            daemon = ncs.dp.Daemon(THREAD_NAME, log=log)
            try:
                daemon.load_schemas()
                nctx = _ncs.dp.register_notification_stream(daemon.ctx(), _NoReplay(_dt.datetime.now(_dt.timezone.utc)),
                                                            daemon.wsock, STREAM)
                daemon.start()
            except BaseException:
                daemon.finish()
                raise
            self._daemon, self._nctx = daemon, nctx
            if self.app is not None:
                self.app.add_running_thread(THREAD_NAME)
        return self._nctx

    def send(self, nodes: Sequence[Node], when: _dt.datetime, log: Any) -> bool:
        """True when sent; False (logged) when the stream is not available."""
        with self._lock:
            try:
                nctx = self._start(log)
                _ncs.dp.notification_send(nctx, date_time(when), tag_values(nodes))
                _ncs.dp.notification_flush(nctx)
            except Exception as e:  # noqa: BLE001 - a notification never fails the audit
                log.warning(f"secure-deploy: no {NOTIFICATION} notification sent on stream {STREAM!r} "
                            f"(is it configured in ncs.conf?): {type(e).__name__}: {e}")
                self._stop()
                return False
        return True

    def _stop(self) -> None:
        if self._daemon is not None:
            self._daemon.finish()
            if self.app is not None:
                self.app.del_running_thread(THREAD_NAME)
        self._daemon = self._nctx = None

    def stop(self) -> None:
        with self._lock:
            self._stop()


NOTIFIER = Notifier()
