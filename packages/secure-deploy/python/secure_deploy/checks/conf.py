"""Reading ncs.conf unambiguously: no leaf written twice, no settings in a foreign namespace.

A rule that reads an ambiguous leaf answers ERROR for itself (facts/types.py,
ConfValueError); this rule reports every ambiguity of the file, also those no other
rule reads, so the operator sees them once, with their lines.
"""
from __future__ import annotations

from collections import Counter
from typing import List, Sequence, Tuple

from ..facts.ncsconf_defaults import DEFAULTS
from ..facts.types import MULTI_VALUED, NCS_CONFIG, ConfNode, Facts
from ..model import Finding, Severity, Status, finding
from ..registry import rule
from ._common import NCS_CONF_MAN, conf

SECTION = "Development vs. Production Deployment > Production Installation"


def single_valued(path: str) -> bool:
    """A leaf known to take one value. ncs.conf(5)'s parameter lists do not mark
    leaf-lists (scripts/dir, cli/suppress-commit-message-context, ... may repeat), so
    only the leaves of the defaults table and `enabled` switches are judged."""
    return path not in MULTI_VALUED and (path in DEFAULTS or path.endswith("/enabled"))


def duplicated_leaves(root: ConfNode, prefix: str = "") -> List[Tuple[str, Tuple[int, ...]]]:
    """(path, lines) of every single-valued leaf written more than once under one parent."""
    here = f"{prefix}/{root.name}"
    out: List[Tuple[str, Tuple[int, ...]]] = []
    counts = Counter(c.name for c in root.children if not c.children)
    for name, n in counts.items():
        path = f"{here}/{name}"
        if n > 1 and single_valued(path):
            out.append((path, tuple(c.line or 0 for c in root.children if c.name == name and not c.children)))
    for c in root.children:
        if c.children:
            out.extend(duplicated_leaves(c, here))
    return out


@rule("SD-CONF-001", "ncs.conf is unambiguous: no duplicated leaf, no foreign elements", Severity.MEDIUM,
      objects=("ncs-conf-element",),
      rationale="""
A leaf written twice (two <enabled> in one container, often left by a merge or a
copy-paste) leaves it to NSO which value counts, and a reviewer reading the first one
may see the opposite of what runs. An element in another XML namespace, or one
without a namespace under a prefixed <ncs-config>, is not part of the
tailf-ncs-config schema: it is not an NSO setting, although it reads like one. The
audit judges neither as a setting; the rules that read an ambiguous leaf answer
ERROR.""",
      remediation="""
Keep one element per leaf, and write every setting in the tailf-ncs-config namespace
(the default namespace of <ncs-config>, or with its prefix); delete or fix the
elements listed.""",
      section=SECTION, paths=(NCS_CONFIG,), references=(NCS_CONF_MAN,), tags=("ncs-conf",),
      example="<cli><ssh><enabled>false</enabled><enabled>true</enabled></ssh></cli>",
      fix_example="<cli><ssh><enabled>false</enabled></ssh></cli>")
def unambiguous(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    out: List[Finding] = []
    for path, lines in duplicated_leaves(c.root):
        out.append(finding(Status.FAIL, f"{path} is written {len(lines)} times", paths=(path,), obj=path,
                           lines=", ".join(str(n) for n in lines)))
    for path, ns, line in c.foreign:
        out.append(finding(Status.WARN, f"{path} is not in the tailf-ncs-config namespace: not read as an NSO "
                           "setting", paths=(path,), obj=path, namespace=ns or "(none)", line=line))
    return out or [finding(Status.PASS, "every leaf is written once, in the tailf-ncs-config namespace",
                           paths=(NCS_CONFIG,))]
