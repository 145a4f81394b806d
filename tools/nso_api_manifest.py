#!/usr/bin/env python3
"""Build the NSO Python API manifest from NSO's pyapi reference pages.

    python tools/nso_api_manifest.py REFERENCE_DIR [-o OUT] [--check]

REFERENCE_DIR is the folder of the pyapi pages (one `<module>.md` per module and a
`modules.lst`). The manifest records facts only: module names, classes (with the
bases their inherited members reveal), functions and methods with parameter names,
kinds and defaults, constants with their values, and which classes are exceptions.
No prose is copied. `--check` compares with the committed manifest and exits 1 when
it differs (run by `make manifest-check` where the reference is present).

Tests read only the committed `test/ncs_double/nso-api-manifest.json`.
"""
from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "test" / "ncs_double" / "nso-api-manifest.json"

CLASS_RE = re.compile(r"^### _class_ \*\*(\w+)\*\*\s*$")
FUNC_RE = re.compile(r"^### (\w+)\s*$")
SECTION_RE = re.compile(r"^## (.+?)\s*$")
SUMMARY_RE = re.compile(r"^<summary>(\w+)(\(\.\.\.\))?</summary>\s*$")
# A member without a code block names its signature on one line: `Exception.add_note(note) --`
INLINE_SIG_RE = re.compile(r"^(?:[\w.]+\.)?(\w+)\((.*?)\)\s*(?:--|->|$)")
KIND_LINES = {"Method:": "method", "Static method:": "staticmethod", "Class method:": "classmethod",
              "_Readonly property_": "property"}

# Bases are not printed by the reference; the members a class inherits reveal them.
BASE_FINGERPRINTS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("Exception", ("add_note", "with_traceback", "args")),
    ("threading.Thread", ("is_alive", "daemon", "start", "join")),
    ("enum.Enum", ("name", "value")),
)


def _literal(src: str) -> Any:
    try:
        return ast.literal_eval(src)
    except (ValueError, SyntaxError):
        return None


def _call_text(text: str) -> str:
    """The call of a code block on one line: up to its balanced `)` and any `-> T`.

    Defaults printed as `<class 'x.Y'>` become the string 'x.Y'."""
    text = re.sub(r"<class '([\w.]+)'>", r"'\1'", " ".join(text.split()))
    depth = 0
    for i, c in enumerate(text):
        depth += c == "("
        depth -= c == ")"
        if c == ")" and depth == 0:
            rest = re.match(r"\s*(->\s*[^\s(]+)?", text[i + 1:])
            return text[:i + 1] + (" " + rest.group(1) if rest and rest.group(1) else "")
    return text


def parse_signature(text: str) -> Optional[Dict[str, Any]]:
    """`name(a, b=1, *args, **kw) -> T` as {name, params, returns}; None if not a call."""
    text = _call_text(text)
    m = re.match(r"^([\w.]+)\((.*)\)\s*(?:->\s*(.*))?$", text)
    if not m:
        return None
    name, args, returns = m.group(1).split(".")[-1], m.group(2), m.group(3)
    try:
        fn = ast.parse(f"def _f({args}): pass").body[0]
    except SyntaxError:
        return {"name": name, "params": None, "raw": args, "returns": returns}
    assert isinstance(fn, ast.FunctionDef)
    a = fn.args
    params: List[Dict[str, Any]] = []
    positional = a.posonlyargs + a.args
    defaults: List[Optional[ast.expr]] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for arg, d in zip(positional, defaults):
        params.append(_param(arg.arg, "positional", d))
    if a.vararg:
        params.append(_param(a.vararg.arg, "var_positional", None))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        params.append(_param(arg.arg, "keyword_only", d))
    if a.kwarg:
        params.append(_param(a.kwarg.arg, "var_keyword", None))
    return {"name": name, "params": params, "returns": returns}


def _param(name: str, kind: str, default: Optional[ast.expr]) -> Dict[str, Any]:
    p: Dict[str, Any] = {"name": name, "kind": kind}
    if default is not None:
        src = ast.unparse(default)
        p["default"] = src
        p["default_value"] = _literal(src)
    return p


def _code_blocks(lines: List[str], start: int, stop: int) -> List[str]:
    out, i = [], start
    while i < stop:
        if lines[i].startswith("```"):
            j = i + 1
            while j < stop and not lines[j].startswith("```"):
                j += 1
            out.append("\n".join(lines[i + 1:j]))
            i = j + 1
        else:
            i += 1
    return out


def _first_code(lines: List[str], start: int, stop: int) -> Optional[str]:
    """The first code block before any nested heading/details in [start, stop)."""
    for i in range(start, stop):
        line = lines[i]
        if line.startswith("```"):
            blocks = _code_blocks(lines, i, stop)
            return blocks[0] if blocks else None
        if line.startswith(("<details>", "Members:", "### ", "## ")):
            return None
    return None


def _constants(block: str) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for line in block.splitlines():
        m = re.match(r"^(\w+) = (.*)$", line.strip())
        if m:
            value = _literal(m.group(2))
            out[m.group(1)] = value if value is not None else {"repr": m.group(2)}
    return out


def _members(lines: List[str], start: int, stop: int) -> Dict[str, Dict[str, Any]]:
    members: Dict[str, Dict[str, Any]] = {}
    i = start
    while i < stop:
        m = SUMMARY_RE.match(lines[i])
        if not m:
            i += 1
            continue
        end = i + 1
        while end < stop and lines[end].strip() != "</details>":
            end += 1
        name, callable_ = m.group(1), bool(m.group(2))
        body = lines[i + 1:end]
        kind = next((KIND_LINES[b.strip()] for b in body if b.strip() in KIND_LINES),
                    "method" if callable_ else "attribute")
        entry: Dict[str, Any] = {"kind": kind}
        if callable_:
            code = _first_code(lines, i + 1, end)
            sig = parse_signature(code) if code else None
            if sig is None:
                for b in body:
                    im = INLINE_SIG_RE.match(b.strip())
                    if im and im.group(1) == name:
                        sig = parse_signature(f"{name}({im.group(2)})")
                        entry["inherited_from"] = b.strip().split("(")[0].rsplit(".", 1)[0] \
                            if "." in b.split("(")[0] else None
                        break
            if sig is not None:
                params = sig["params"]
                # `self`/`cls` is the receiver, not a parameter a caller passes
                if params and kind in ("method", "classmethod") and params[0]["name"] in ("self", "cls"):
                    params = params[1:]
                entry["params"] = params
                if sig.get("returns"):
                    entry["returns"] = sig["returns"]
                if sig.get("raw") is not None:
                    entry["raw"] = sig["raw"]
            else:
                entry["params"] = None   # the page gives no signature
        members[name] = entry
        i = end + 1
    return members


def _bases(members: Dict[str, Any]) -> List[str]:
    return [base for base, names in BASE_FINGERPRINTS if all(n in members for n in names)][:1]


def parse_module(text: str) -> Dict[str, Any]:
    lines = text.splitlines()
    mod: Dict[str, Any] = {"submodules": [], "functions": {}, "classes": {}, "constants": {},
                           "exceptions": []}
    sections = [(i, SECTION_RE.match(line).group(1)) for i, line in enumerate(lines)
                if SECTION_RE.match(line)]
    sections.append((len(lines), ""))
    for (start, title), (stop, _) in zip(sections, sections[1:]):
        if title == "Submodules":
            for line in lines[start:stop]:
                m = re.match(r"^- \[([\w.]+)\]", line)
                if m:
                    mod["submodules"].append(m.group(1))
        elif title == "Predefined Values":
            for block in _code_blocks(lines, start, stop):
                mod["constants"].update(_constants(block))
        elif title in ("Functions", "Classes"):
            heads = [i for i in range(start, stop) if lines[i].startswith("### ")] + [stop]
            for h, nxt in zip(heads, heads[1:]):
                cm, fm = CLASS_RE.match(lines[h]), FUNC_RE.match(lines[h])
                if cm:
                    name = cm.group(1)
                    code = _first_code(lines, h + 1, nxt)
                    if code is None:
                        # some pages print the constructor in a sentence: `Name(a, b) -> object`
                        code = next((ln for ln in lines[h + 1:nxt] if ln.startswith(f"{name}(")), None)
                    sig = parse_signature(code) if code else None
                    members = _members(lines, h + 1, nxt)
                    cls: Dict[str, Any] = {"bases": _bases(members),
                                           "init": sig["params"] if sig else None,
                                           "members": members}
                    mod["classes"][name] = cls
                    if cls["bases"] == ["Exception"]:
                        mod["exceptions"].append(name)
                elif fm:
                    code = _first_code(lines, h + 1, nxt)
                    sig = parse_signature(code) if code else None
                    entry: Dict[str, Any] = {"params": sig["params"] if sig else None}
                    if sig and sig.get("returns"):
                        entry["returns"] = sig["returns"]
                    if sig and sig.get("raw") is not None:
                        entry["raw"] = sig["raw"]
                    mod["functions"][fm.group(1)] = entry
    return mod


def forwarding(modules: Dict[str, Any]) -> Dict[str, Any]:
    """Calls ncs.maapi objects forward to their low-level counterparts.

    A Maapi object offers every `_ncs.maapi` function whose first parameter is the
    socket, without it (NSO-FACTS section 7). A Transaction offers, without the
    handle, the Maapi methods whose first parameter is `th` and the `_ncs.maapi`
    functions taking `(sock, thandle, ...)`; nothing else (so no query_result or
    query_stop, which take `(sock, qh)`).
    """
    low = modules.get("_ncs.maapi", {}).get("functions", {})
    maapi = modules.get("ncs.maapi", {}).get("classes", {}).get("Maapi", {}).get("members", {})

    def names(params: Optional[List[Dict[str, Any]]]) -> List[str]:
        return [p["name"] for p in params or []]
    to_maapi = {n: {"params": f["params"][1:], "from": f"_ncs.maapi.{n}"}
                for n, f in low.items() if names(f["params"])[:1] == ["sock"]}
    to_trans = {n: {"params": f["params"][2:], "from": f"_ncs.maapi.{n}"}
                for n, f in low.items() if names(f["params"])[:2] == ["sock", "thandle"]}
    to_trans.update({n: {"params": m["params"][1:], "from": f"ncs.maapi.Maapi.{n}"}
                     for n, m in maapi.items() if names(m.get("params"))[:1] == ["th"]})
    return {"ncs.maapi.Maapi": dict(sorted(to_maapi.items())),
            "ncs.maapi.Transaction": dict(sorted(to_trans.items()))}


def build(ref: Path) -> Dict[str, Any]:
    lst = ref / "modules.lst"
    names = [n.strip() for n in lst.read_text().splitlines() if n.strip()] if lst.is_file() else \
        sorted(p.stem for p in ref.glob("*.md") if p.stem != "README")
    modules = {}
    for name in names:
        page = ref / f"{name}.md"
        if not page.is_file():
            raise SystemExit(f"error: {page} is listed in modules.lst but missing")
        modules[name] = parse_module(page.read_text(encoding="utf-8"))
    return {
        "format": 1,
        "generated_by": "tools/nso_api_manifest.py",
        "source": "NSO Python API reference (pyapi pages, one per module)",
        "notes": {
            "params": "callers' parameters in order; `self`/`cls` dropped from methods; "
                      "null when the page prints no signature",
            "bases": "inferred from inherited members (the pages do not print bases)",
            "forwarded": "methods a Maapi/Transaction object offers by forwarding to _ncs.maapi "
                         "(socket/handle parameters removed); see forwarding()",
        },
        "modules": modules,
        "forwarded": forwarding(modules),
    }


def dump(manifest: Dict[str, Any]) -> str:
    return json.dumps(manifest, indent=1, sort_keys=True) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reference", type=Path, help="folder of the pyapi reference pages")
    ap.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="compare with OUT instead of writing it")
    args = ap.parse_args(argv)
    if not args.reference.is_dir():
        print(f"error: {args.reference} is not a folder", file=sys.stderr)
        return 2
    text = dump(build(args.reference))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is out of date: run tools/nso_api_manifest.py {args.reference}",
                  file=sys.stderr)
            return 1
        print(f"{args.out} matches {args.reference}")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
