"""Hardened XML parsing for every file we read (ncs.conf, CDB XML exports).

No entity expansion, no DTD loading, no network: a document carrying a DOCTYPE is
refused outright, so billion-laughs and XXE files are errors, never expanded. ncs.conf
and CDB exports never need a DTD.
"""
from __future__ import annotations

import os
from typing import Union

from lxml import etree

from .errors import InputError
from .fileio import read_input
from .redact import printable

# Limits that bound time and memory (lxml needs ~150 bytes per element, and the facts
# layer walks every one). An ncs.conf is tens of kilobytes with a few hundred elements;
# a CDB export of 10,000 users and 20,000 devices is well under the CDB limits.
NCS_CONF_MAX_BYTES = 8 * 1024 * 1024
NCS_CONF_MAX_ELEMENTS = 50_000
CDB_MAX_BYTES = 64 * 1024 * 1024
CDB_MAX_ELEMENTS = 2_000_000


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers are not thread-safe and NSO runs action
    # callbacks in threads.
    # Comments and processing instructions are dropped so that a leaf's text is its
    # whole value: lxml's .text stops at the first comment, and `<enabled>tr<!---->ue`
    # must read as "true" (the XML value NSO sees), not "tr".
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_blank_text=False,
                           remove_comments=True, remove_pis=True)


def parse_bytes(data: bytes, name: str, max_elements: int = NCS_CONF_MAX_ELEMENTS) -> etree._Element:
    """The root element of `data`; InputError when it is not safe, well-formed XML with
    at most `max_elements` elements."""
    name = printable(name)
    if not data.strip():
        raise InputError(f"{name}: file is empty")
    # Every element costs at least one '<': more than twice the limit is refused before
    # the parser allocates anything; in between, the parsed tree is counted.
    marks = data.count(b"<")
    if marks > 2 * max_elements + 16:
        raise InputError(f"{name}: too many XML elements (limit {max_elements})")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{name}: not an XML text file (binary content)")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as e:
        raise InputError(f"{name}: malformed XML: {e.msg} (line {e.lineno})") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise InputError(f"{name}: refusing XML with a DOCTYPE/DTD (entity expansion and "
                         "external entities are not allowed)")
    if marks > max_elements and sum(1 for _ in root.iter()) > max_elements:
        raise InputError(f"{name}: too many XML elements (limit {max_elements})")
    return root


def read_bytes(path: Union[str, os.PathLike], max_bytes: int = NCS_CONF_MAX_BYTES) -> bytes:
    data = read_input(os.fspath(path), "file", max_bytes)
    assert data is not None
    return data


def parse_file(path: Union[str, os.PathLike]) -> etree._Element:
    return parse_bytes(read_bytes(path), os.fspath(path))


def local(tag: object) -> str:
    """Element name without namespace; comments/PIs give ''."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]
