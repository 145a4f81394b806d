"""ncs.conf reader: ${VAR}-expanding, secrets reduced on read.

Only elements in the root's tailf-ncs-config namespace are NSO settings. An element in
another namespace (or without one under a prefixed root) is not read as a setting: it
is recorded in NcsConf.foreign, and SD-CONF-001 reports it.
"""
from __future__ import annotations

import os
import re
from typing import List, Mapping, Optional, Tuple

from lxml import etree

from ..errors import InputError
from ..xmlsafe import local, parse_bytes, read_bytes
from .types import ConfNode, InlineKey, NcsConf
from .wellknown import is_dummy_key

NAMESPACES = ("http://tail-f.com/yang/tailf-ncs-config", "http://tail-f.com/yang/tailf-ncs-config/1.0")
ENV_VARS = ("NCS_DIR", "NCS_CONFIG_DIR", "NCS_RUN_DIR", "NCS_LOG_DIR")
_VAR = re.compile(r"\$\{(\w+)\}")
_KEY_HEX_LEN = {"key1": 16, "key2": 16, "key3": 16, "key": None, "initVector": None}
_AES_LEN = {"AESCFB128": 32, "AES256CFB128": 64, "DES3CBC": 16}
REDACTED_TEXT = "<redacted>"


def expand(text: str, env: Mapping[str, str]) -> str:
    """Expand ${VAR} as NSO does; unknown variables stay as written."""
    return _VAR.sub(lambda m: env.get(m.group(1), m.group(0)), text)


def _is_secret(stack: Tuple[str, ...]) -> bool:
    # Everything under /encrypted-strings is key material except the external-keys
    # command settings.
    return len(stack) >= 2 and stack[1] == "encrypted-strings" and "external-keys" not in stack


Foreign = List[Tuple[str, str, Optional[int]]]


def _build(el: etree._Element, stack: Tuple[str, ...], env: Mapping[str, str],
           keys: List[InlineKey], generation: Optional[int], ns: Optional[str], foreign: Foreign) -> ConfNode:
    name = local(el.tag)
    here = stack + (name,)
    elements = []
    for c in el:
        if not isinstance(c.tag, str):
            continue
        c_ns = etree.QName(c).namespace
        if c_ns != ns:
            foreign.append(("/".join(("",) + here + (local(c.tag),)), c_ns or "", c.sourceline))
            continue
        elements.append(c)
    if name == "key-rotation" and len(here) >= 3 and here[-2] == "encrypted-strings":
        gen_el = next((c for c in elements if local(c.tag) == "generation"), None)
        try:
            generation = int((gen_el.text or "").strip()) if gen_el is not None else None
        except ValueError:
            generation = None
    if not elements:
        raw = (el.text or "").strip()
        if _is_secret(here) and name != "generation":
            kind = here[-2] if len(here) >= 2 else ""
            want = _AES_LEN.get(kind)
            if name == "initVector" and kind == "DES3CBC":
                want = 16
            elif name == "initVector":
                want = 32
            well_formed = bool(re.fullmatch(r"[0-9A-Fa-f]+", raw)) and (want is None or len(raw) == want)
            keys.append(InlineKey(f"{kind}/{name}", generation, well_formed,
                                  is_dummy_key(kind, raw), el.sourceline))
            return ConfNode(name, REDACTED_TEXT, REDACTED_TEXT, el.sourceline)
        return ConfNode(name, expand(raw, env), raw, el.sourceline)
    children = tuple(_build(c, here, env, keys, generation, ns, foreign) for c in elements)
    return ConfNode(name, None, None, el.sourceline, children)


def parse_ncs_conf(data: bytes, path: str, version: str,
                   env: Optional[Mapping[str, str]] = None) -> NcsConf:
    root = parse_bytes(data, path)
    if local(root.tag) != "ncs-config":
        raise InputError(f"{path}: not an ncs.conf (root element is <{local(root.tag)}>, "
                         "expected <ncs-config>)")
    ns = etree.QName(root).namespace
    if ns not in NAMESPACES:
        raise InputError(f"{path}: unexpected namespace {ns!r} for <ncs-config> "
                         f"(expected {NAMESPACES[0]})")
    env = dict(env or {})
    keys: List[InlineKey] = []
    foreign: Foreign = []
    tree = _build(root, (), env, keys, None, ns, foreign)
    used = tuple(sorted((k, v) for k, v in env.items() if k in ENV_VARS))
    return NcsConf(path, tree, version, tuple(keys), used, tuple(foreign))


def read_ncs_conf(path: str, version: str, env: Optional[Mapping[str, str]] = None) -> NcsConf:
    return parse_ncs_conf(read_bytes(path), os.fspath(path), version, env)
