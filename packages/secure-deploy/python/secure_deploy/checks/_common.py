"""Small helpers shared by the checks."""
from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Optional

from ..facts.types import Facts, NcsConf
from ..model import Finding, Status, finding

NCS_CONF_MAN = "ncs.conf(5)"
# Tag of a rule that covers a guidance item a person often has to check: it answers
# MANUAL with what to check whenever the facts cannot decide (and PASS/FAIL where they can).
MANUAL_CHECK = "manual-check"

# `explain` examples: one local user as a CDB init file (aaa_init.xml) holds it.
# Placeholders only: never a real hash or password.
AAA_USER_EXAMPLE = """<aaa xmlns="http://tail-f.com/ns/aaa/1.1"><authentication><users><user><name>{name}</name>
  <uid>9000</uid><gid>100</gid>{password}
  <ssh_keydir>/var/ncs/homes/{name}/.ssh</ssh_keydir><homedir>/var/ncs/homes/{name}</homedir>
</user></users></authentication></aaa>"""


def conf(facts: Facts) -> NcsConf:
    # The engine only calls a rule that needs ncs_conf when it was read.
    assert facts.ncs_conf is not None
    return facts.ncs_conf


def expect_value(c: NcsConf, path: str, want: str, *, fail: Status = Status.FAIL,
                 message_ok: str, message_bad: str, extra_paths: Iterable[str] = ()) -> Finding:
    """The effective value of `path` must equal `want` (case-insensitive)."""
    actual = c.effective(path)
    ok = (actual or "").strip().lower() == want.lower()
    return finding(Status.PASS if ok else fail, message_ok if ok else message_bad,
                   paths=(path, *extra_paths), location=c.location(path),
                   expected=want, actual=c.described(path))


def is_loopback(addr: Optional[str]) -> bool:
    if not addr:
        return False
    a = addr.strip().strip("[]")
    # The spellings ncs.conf files use, answered without importing ipaddress.
    if a in ("localhost", "127.0.0.1", "::1"):
        return True
    if a in ("0.0.0.0", "::"):
        return False
    import ipaddress  # only for unusual spellings (start-up cost matters in CI)

    try:
        return ipaddress.ip_address(a).is_loopback
    except ValueError:
        return False


def accepted(facts: Facts, exposure: str) -> bool:
    """The operator declared this exposure intended (--accept-exposure / NSO config)."""
    return facts.settings.exposure(exposure) is not None


def accepted_finding(facts: Facts, exposure: str, message: str, **kw: Any) -> Finding:
    """The ACCEPTED finding of a declared exposure: the message says which, why and who."""
    acc = facts.settings.exposure(exposure)
    assert acc is not None
    f = finding(Status.ACCEPTED, f"{message}; {acc.statement}", **kw)
    return dataclasses.replace(f, acceptance=acc.statement)
