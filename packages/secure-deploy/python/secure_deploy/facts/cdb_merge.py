"""CDB XML merged the way CDB loads several init files: leaf by leaf, lists by key.

A later file that mentions user `admin` without a password must not hide the
`$0$admin` an earlier file gave (CDB would keep it), nor may a later NACM rule-list or
authgroup entry replace an earlier one wholesale.

Not modelled: `operation="replace|delete"` attributes, and a later choice case
removing the earlier case's leaves (both stay: for an audit, the stricter reading).
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Sequence, Tuple

from lxml import etree

# Keys of the lists these facts read (tailf-aaa, ietf-netconf-acm + tailf-acm,
# tailf-ncs). Another list is keyed by its <name> when it has one.
_LIST_KEYS = {"user": "name", "group": "name", "rule-list": "name", "rule": "name", "cmdrule": "name",
              "device": "name", "umap": "local-user", "profile": "name", "ha-node": "id"}
# Leaf-lists: every value loaded stays (rule-list/group, group/user-name, ssh-algorithms).
_LEAF_LISTS = {"user-name", "group", "public-key", "kex", "mac", "cipher"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _identity(el: etree._Element, repeated: set) -> Tuple:
    """What makes `el` "the same node" in a merge: its tag, plus the key of a list entry
    or the value of a leaf-list entry."""
    tag = el.tag
    name = _local(tag)
    if len(el):
        key = _LIST_KEYS.get(name) or ("name" if any(_local(k.tag) == "name" for k in el
                                                     if isinstance(k.tag, str)) else None)
        if key is None:
            return (tag,)
        v = next(((k.text or "").strip() for k in el if isinstance(k.tag, str) and _local(k.tag) == key), None)
        return (tag, key, v)
    if name in _LEAF_LISTS or tag in repeated:
        return (tag, "=", (el.text or "").strip())
    return (tag,)


def _merge_into(dst: etree._Element, src: etree._Element) -> None:
    """Merge `src` into `dst` as CDB merges loaded data: a leaf takes the later value,
    a container or list entry (matched by its key) is merged child by child, a
    leaf-list keeps the values of both. So a later file that names user `admin`
    without a password keeps the password an earlier file gave."""
    kids = [c for c in src if isinstance(c.tag, str)]
    # A leaf given twice under one parent (in either file) is a leaf-list.
    repeated = _repeated(kids) | _repeated(dst)
    index = {_identity(d, repeated): d for d in dst if isinstance(d.tag, str)}
    for c in kids:
        ident = _identity(c, repeated)
        d = index.get(ident)
        if d is None:
            index[ident] = d = etree.SubElement(dst, c.tag)
        if len(c):
            _merge_into(d, c)
        else:
            d.text = c.text


def _repeated(children: Iterable[etree._Element]) -> set:
    seen: set = set()
    twice: set = set()
    for c in children:
        if isinstance(c.tag, str) and not len(c):
            (twice if c.tag in seen else seen).add(c.tag)
    return twice


def merged_roots(per_file: Sequence[Sequence[etree._Element]]) -> List[etree._Element]:
    merged: Dict[str, etree._Element] = {}
    for roots in per_file:
        for r in roots:
            if r.tag not in merged:
                merged[r.tag] = etree.Element(r.tag)
            _merge_into(merged[r.tag], r)
    return list(merged.values())


__all__ = ["merged_roots"]
