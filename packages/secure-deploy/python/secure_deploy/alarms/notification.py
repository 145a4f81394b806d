"""The content of the `audit-run-completed` notification (secure-deploy.yang), as
a small tree of typed nodes in YANG order. nso/notify.py turns it into the
TagValue list of `_ncs.dp.notification_send`; the tests turn what was sent back
into XML and validate it with yanglint against the package YANG.
"""
from __future__ import annotations

import enum
from typing import Sequence, Tuple, Union

from ..frozen import frozen
from ..model import Report, Status

NOTIFICATION = "audit-run-completed"

# (leaf of the status-counts grouping of secure-deploy.yang, status counted; None =
# every rule). nso/oper.py writes the same leaves into last-run and history.
COUNT_LEAVES = (("total", None), ("passed", Status.PASS), ("failed", Status.FAIL), ("warned", Status.WARN),
                ("not-applicable", Status.NOT_APPLICABLE), ("manual", Status.MANUAL),
                ("errors", Status.ERROR), ("waived", Status.WAIVED), ("accepted", Status.ACCEPTED))


class Kind(enum.Enum):
    """How a node is encoded: the YANG built-in type of the leaf, or a container."""

    STRING = "string"
    UINT32 = "uint32"
    DECIMAL64 = "decimal64"          # fraction-digits 1 (typedef score)
    DATE_AND_TIME = "date-and-time"
    STRING_LIST = "leaf-list"        # leaf-list of strings
    CONTAINER = "container"


Value = Union[str, int, Tuple[str, ...], Tuple["Node", ...]]


@frozen
class Node:
    name: str
    kind: Kind
    value: Value


def _counts(report: Report) -> Tuple[Node, ...]:
    by_status = dict(report.summary.by_status)
    return tuple(Node(leaf, Kind.UINT32, len(report.results) if st is None else by_status.get(st.value, 0))
                 for leaf, st in COUNT_LEAVES)


def run_notification(run_id: str, report: Report, user: str, newly_failing: Sequence[str],
                     newly_passing: Sequence[str], active_alarms: int) -> Tuple[Node, ...]:
    """The notification's children, in the order of the YANG."""
    s = report.summary
    nodes = [
        Node("run-id", Kind.STRING, run_id),
        Node("start-time", Kind.DATE_AND_TIME, report.started_at),
        Node("user", Kind.STRING, user),
        Node("score", Kind.DECIMAL64, f"{s.score:.1f}"),
        Node("score-without-waivers", Kind.DECIMAL64, f"{s.score_without_waivers:.1f}"),
        Node("counts", Kind.CONTAINER, _counts(report)),
        Node("failed-by-severity", Kind.CONTAINER,
             tuple(Node(sev, Kind.UINT32, n) for sev, n in s.failed_by_severity)),
    ]
    if newly_failing:
        nodes.append(Node("newly-failing", Kind.STRING_LIST, tuple(dict.fromkeys(newly_failing))))
    if newly_passing:
        nodes.append(Node("newly-passing", Kind.STRING_LIST, tuple(dict.fromkeys(newly_passing))))
    nodes.append(Node("active-alarms", Kind.UINT32, active_alarms))
    return tuple(nodes)
