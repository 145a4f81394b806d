"""Targeted edits of an XML document's text that keep everything else byte for byte.

Why not parse with lxml and serialise again: a round trip rewrites what it does not
understand as "the same" (`>` in text becomes `&gt;`, attribute quotes and the
XML declaration are normalised, CDATA may be dropped), so an operator's diff would
show lines nobody changed. Here the document is scanned once for element spans
(start/end offsets) and each edit splices the text at those offsets: comments,
blank lines, indentation, entity references, the namespace declaration and the XML
declaration stay exactly as written.

The scanner is only ever run on text that secure_deploy.xmlsafe.parse_bytes has
accepted (well-formed, no DOCTYPE), so it does not need to diagnose bad XML; it
still refuses what it cannot handle rather than guessing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Tuple

from ..errors import InputError

_NAME_END = re.compile(r"[\s/>]")
_XMLNS = re.compile(r"""\s(xmlns(?::[^\s=]+)?)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def escape(text: str) -> str:
    """XML character-data escaping (xml.sax.saxutils would pull in urllib at start-up)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class Span:
    """One element: offsets into the text. `end_start == start_end` for <x/>."""

    qname: str                      # as written, with any prefix
    start: int                      # '<' of the start tag
    start_end: int                  # just after the start tag's '>'
    end_start: int = -1             # '<' of the end tag (start_end for <x/>)
    end: int = -1                   # just after the end tag's '>'
    empty: bool = False             # written as <x/>
    children: List["Span"] = field(default_factory=list)
    ns: Optional[str] = None        # namespace URI, resolved from the xmlns declarations in scope

    @property
    def name(self) -> str:
        return self.qname.rsplit(":", 1)[-1]

    @property
    def prefix(self) -> str:
        return self.qname.rsplit(":", 1)[0] + ":" if ":" in self.qname else ""

    def child_all(self, name: str) -> List["Span"]:
        """Children called `name` in this element's own namespace: an element of another
        namespace is not an NSO setting, and an edit must never touch it."""
        return [c for c in self.children if c.name == name and c.ns == self.ns]


def _namespaces(tag: str, inherited: dict) -> dict:
    found = {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _XMLNS.finditer(tag)}
    if not found:
        return inherited
    out = dict(inherited)
    for attr, uri in found.items():
        out[attr.split(":", 1)[1] if ":" in attr else ""] = uri
    return out


def scan(text: str) -> Span:
    """The root element's span tree. Comments, PIs and CDATA are skipped."""
    stack: List[Span] = []
    scopes: List[dict] = [{}]          # prefix -> namespace URI, per open element
    root: Optional[Span] = None
    pos = 0
    n = len(text)
    while True:
        lt = text.find("<", pos)
        if lt < 0:
            break
        if text.startswith("<!--", lt):
            pos = _after(text, "-->", lt, "comment")
        elif text.startswith("<![CDATA[", lt):
            pos = _after(text, "]]>", lt, "CDATA section")
        elif text.startswith("<?", lt):
            pos = _after(text, "?>", lt, "processing instruction")
        elif text.startswith("<!", lt):
            raise InputError("XML declarations of the form <!...> (DOCTYPE) are not supported")
        elif text.startswith("</", lt):
            gt = _after(text, ">", lt, "end tag")
            qname = text[lt + 2:gt - 1].strip()
            if not stack or stack[-1].qname != qname:
                raise InputError(f"mismatched end tag </{qname}>")
            el = stack.pop()
            scopes.pop()
            el.end_start, el.end = lt, gt
            pos = gt
        else:
            gt = _tag_end(text, lt)
            m = _NAME_END.search(text, lt + 1)
            qname = text[lt + 1:m.start() if m else gt - 1]
            scope = _namespaces(text[lt:gt], scopes[-1])
            prefix = qname.rsplit(":", 1)[0] if ":" in qname else ""
            el = Span(qname, lt, gt, ns=scope.get(prefix))
            if stack:
                stack[-1].children.append(el)
            elif root is None:
                root = el
            if text[gt - 2] == "/":
                el.empty, el.end_start, el.end = True, gt, gt
            else:
                stack.append(el)
                scopes.append(scope)
            pos = gt
        if pos > n:
            break
    if root is None or stack:
        raise InputError("no complete root element")
    return root


def _after(text: str, token: str, start: int, what: str) -> int:
    i = text.find(token, start)
    if i < 0:
        raise InputError(f"unterminated {what}")
    return i + len(token)


def _tag_end(text: str, lt: int) -> int:
    """Offset after the '>' closing the tag at `lt`; quoted attribute values may hold '>'."""
    i, quote = lt + 1, ""
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == ">":
            return i + 1
        i += 1
    raise InputError("unterminated start tag")


def find(root: Span, parts: Sequence[str]) -> List[Span]:
    """Every element at the relative path `parts` below root (lists give several)."""
    level = [root]
    for p in parts:
        level = [c for el in level for c in el.child_all(p)]
    return level


def line_indent(text: str, pos: int) -> Optional[str]:
    """The whitespace before `pos` on its line, or None when other text precedes it."""
    nl = text.rfind("\n", 0, pos) + 1
    lead = text[nl:pos]
    return lead if lead.strip() == "" else None


class XmlText:
    """A document being edited; every edit re-scans so offsets are always current."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.root = scan(text)
        self.multiline = "\n" in text[self.root.start:self.root.end].strip()
        self.unit = self._indent_unit()
        # Lines added follow the file's convention (CRLF files stay CRLF).
        self.nl = "\r\n" if "\r\n" in text else "\n"

    def _indent_unit(self) -> str:
        root_indent = line_indent(self.text, self.root.start) or ""
        for c in self.root.children:
            ind = line_indent(self.text, c.start)
            if ind is not None and len(ind) > len(root_indent):
                return ind[len(root_indent):]
        return "  "

    def _splice(self, start: int, end: int, new: str) -> None:
        self.text = self.text[:start] + new + self.text[end:]
        self.root = scan(self.text)

    def leaves(self, parts: Sequence[str]) -> List[Span]:
        return find(self.root, parts)

    def set_value(self, parts: Sequence[str], value: str) -> bool:
        """Set every element at `parts` to `value`, creating the path when absent.

        Returns True when the text changed.
        """
        before = self.text
        found = self.leaves(parts)
        if found:
            # Back to front, so earlier offsets stay valid within this pass.
            for el in sorted(found, key=lambda s: s.start, reverse=True):
                self._set_leaf(el, value)
                self.root = scan(self.text)
            return self.text != before
        depth = len(parts)
        parent = self.root
        for i in range(len(parts)):
            nxt = parent.child_all(parts[i])
            if not nxt:
                depth = i
                break
            parent = nxt[0]
        self._insert(parent, parts[depth:], value)
        return self.text != before

    def _set_leaf(self, el: Span, value: str) -> None:
        v = escape(value)
        if el.empty:
            tag = self.text[el.start:el.start_end]
            opening = tag[:-2].rstrip() + ">"
            self._splice(el.start, el.end, f"{opening}{v}</{el.qname}>")
        else:
            self._splice(el.start_end, el.end_start, v)

    def remove(self, parts: Sequence[str], keep: Callable[[str], bool]) -> List[str]:
        """Remove the elements at `parts` whose text `keep` rejects; returns their texts."""
        removed = []
        for el in sorted(self.leaves(parts), key=lambda s: s.start, reverse=True):
            content = "" if el.empty else self.text[el.start_end:el.end_start]
            if keep(content.strip()):
                continue
            start = el.start
            if line_indent(self.text, start) is not None:
                # Take the whole line, including the newline that ends the previous one.
                nl = self.text.rfind("\n", 0, start)
                start = nl if nl >= 0 else 0
                if start > 0 and self.text[start - 1] == "\r":
                    start -= 1
            self._splice(start, el.end, "")
            removed.append(content.strip())
        return removed

    def clear(self, parts: Sequence[str]) -> int:
        """Empty the elements at `parts` (children, text and comments); returns how many."""
        found = sorted(self.leaves(parts), key=lambda s: s.start, reverse=True)
        for el in found:
            if not el.empty:
                self._splice(el.start_end, el.end_start, "")
        return len(found)

    def _insert(self, parent: Span, parts: Sequence[str], value: str) -> None:
        pre = parent.prefix
        p_indent = line_indent(self.text, parent.start)
        children = parent.children
        if children:
            ref = children[-1]
            c_indent = line_indent(self.text, children[0].start)
            if c_indent is None:  # children written inline: stay inline
                self._splice(ref.end, ref.end, _build(parts, value, pre, None, "", self.nl))
            else:
                self._splice(ref.end, ref.end, self.nl + c_indent + _build(parts, value, pre, c_indent, self.unit, self.nl))
            return
        inline = not self.multiline or p_indent is None
        c_indent = None if inline else p_indent + self.unit
        body = _build(parts, value, pre, c_indent, self.unit, self.nl)
        if parent.empty:
            tag = self.text[parent.start:parent.start_end]
            opening = tag[:-2].rstrip() + ">"
            inner = body if inline else f"{self.nl}{c_indent}{body}{self.nl}{p_indent}"
            self._splice(parent.start, parent.end, f"{opening}{inner}</{parent.qname}>")
        elif inline:
            self._splice(parent.end_start, parent.end_start, body)
        else:
            inner = self.text[parent.start_end:parent.end_start]
            if "\n" in inner:
                self._splice(parent.start_end, parent.start_end, f"{self.nl}{c_indent}{body}")
            else:
                self._splice(parent.start_end, parent.end_start, f"{inner}{self.nl}{c_indent}{body}{self.nl}{p_indent}")


def _build(parts: Sequence[str], value: str, prefix: str, indent: Optional[str], unit: str,
           nl: str = "\n") -> str:
    """New nested elements for `parts` holding `value`; one line when indent is None."""
    name = prefix + parts[0]
    if len(parts) == 1:
        return f"<{name}>{escape(value)}</{name}>"
    if indent is None:
        return f"<{name}>{_build(parts[1:], value, prefix, None, unit, nl)}</{name}>"
    inner = indent + unit
    return f"<{name}>{nl}{inner}{_build(parts[1:], value, prefix, inner, unit, nl)}{nl}{indent}</{name}>"


def redacted(text: str, secret: Callable[[Tuple[str, ...]], bool], marker: str = "<redacted>",
             section: str = "encrypted-strings") -> str:
    """`text` with the content of every leaf whose name path `secret` accepts replaced,
    and, inside every `section` element, everything but element tags, whitespace and
    the content of leaves `secret` rejects: a commented-out key, a key in a CDATA
    section or stray text next to a key never shows.

    Used to show diffs and context lines of an ncs.conf with inline keys without
    ever printing the keys.
    """
    root = scan(text)
    cuts: List[Tuple[int, int, bool]] = []      # (start, end, whole leaf content)

    def walk(el: Span, path: Tuple[str, ...], inside: bool) -> None:
        here = path + (el.name,)
        leaf = not el.children and not el.empty
        if leaf and secret(here):
            cuts.append((el.start_end, el.end_start, True))
        elif inside and el.children:
            # The gaps between children: comments, CDATA, PIs and text.
            pos = el.start_end
            for c in el.children:
                cuts.append((pos, c.start, False))
                pos = c.end
            cuts.append((pos, el.end_start, False))
        for c in el.children:
            walk(c, here, inside or c.name == section)
    walk(root, (), root.name == section)
    for a, b, whole in sorted(cuts, reverse=True):
        gap = text[a:b]
        if whole:
            text = text[:a] + marker + text[b:]
        elif gap.strip():
            # Keep the line structure (the diff stays aligned); hide every visible run.
            text = text[:a] + _VISIBLE.sub(marker, gap) + text[b:]
    return text


_VISIBLE = re.compile(r"\S+(?:[ \t]+\S+)*")
