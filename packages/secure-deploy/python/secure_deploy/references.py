"""Links for the references rules cite ("RFC 8996", "ncs.conf(5)", NSO guide pages).

Rules name their references in words (readable in a terminal, stable when a site
moves); reports and `explain` add the URL found here. The NSO pages live on
nso-docs.cisco.com, whose paths follow the NSO-developer/nso-gitbook repository's
layout (administration/... -> /guides/administration/..., resources/man/X.md ->
/resources/man/X). A reference without a known page gets no URL rather than a guess.
"""
from __future__ import annotations

import re
from typing import Optional, Tuple

NSO_DOCS = "https://nso-docs.cisco.com"
_ADMIN = f"{NSO_DOCS}/guides/administration"
_OPS = f"{NSO_DOCS}/guides/operation-and-usage"

# (prefix of the reference text, page). The longest matching prefix wins.
_PAGES: Tuple[Tuple[str, str], ...] = (
    ("NSO Administration Guide: AAA Infrastructure", f"{_ADMIN}/management/aaa-infrastructure"),
    ("NSO Administration Guide: Advanced Topics > Cryptographic Keys",
     f"{_ADMIN}/advanced-topics/cryptographic-keys"),
    ("NSO Administration Guide: IPC Connection", f"{_ADMIN}/advanced-topics/ipc-connection"),
    ("NSO Administration Guide: High Availability", f"{_ADMIN}/management/high-availability"),
    ("NSO Administration Guide: System Install", f"{_ADMIN}/installation-and-deployment/system-install"),
    ("NSO Administration Guide: Deployment Example",
     f"{_ADMIN}/installation-and-deployment/deployment/deployment-example"),
    ("NSO Administration Guide: Secure Deployment",
     f"{_ADMIN}/installation-and-deployment/deployment/secure-deployment"),
    ("NSO Administration Guide", _ADMIN),
    ("NSO Operation & Usage Guide", _OPS),
    ("NSO User Guide", _OPS),
)
# Cisco's Secure Deployment guidance, which every rule's `section` refers to.
GUIDANCE_URL = f"{_ADMIN}/installation-and-deployment/deployment/secure-deployment"
_RFC = re.compile(r"^RFC\s*(\d{3,5})\b", re.IGNORECASE)
_MAN = re.compile(r"^(ncs[a-z_.-]*)\((\d)\)")


def reference_url(reference: str) -> Optional[str]:
    """The web page of a reference, or None when none is known."""
    text = reference.strip()
    if text.startswith(("https://", "http://")):
        return text
    m = _RFC.match(text)
    if m:
        return f"https://www.rfc-editor.org/rfc/rfc{int(m.group(1))}"
    m = _MAN.match(text)
    if m:
        return f"{NSO_DOCS}/resources/man/{m.group(1)}.{m.group(2)}"
    best = max((p for p in _PAGES if text.startswith(p[0])), key=lambda p: len(p[0]), default=None)
    return best[1] if best else None


def with_url(reference: str) -> str:
    """`reference <url>` for plain-text output; the reference alone when no URL is known."""
    url = reference_url(reference)
    return f"{reference} <{url}>" if url and url != reference else reference


__all__ = ["reference_url", "with_url", "NSO_DOCS", "GUIDANCE_URL"]
