"""Rate limiting and resource protection: session, transaction, parser and WebUI limits.

Most of these limits default to "unbounded" in ncs.conf(5), so an ncs.conf that
does not mention them leaves NSO open to resource exhaustion by any client that
can reach a northbound interface (authenticated or, for the parser and the WebUI
message limit, not even that).
"""
from __future__ import annotations

from typing import Sequence

from ..facts.types import Facts, NcsConf
from ..model import Finding, Severity, Status, finding
from ..registry import rule
from ._common import MANUAL_CHECK, NCS_CONF_MAN, conf, is_loopback
from .interfaces import listeners

SECTION = "Rate Limiting and Resource Protection > NSO Configuration Limits"
MAX_SESSIONS = "/ncs-config/session-limits/max-sessions"
MAX_CONFIG_SESSIONS = "/ncs-config/session-limits/max-config-sessions"
MAX_TRANSACTIONS = "/ncs-config/transaction-limits/max-transactions"
PARSER = "/ncs-config/parser-limits"
PARSER_LIMITS = tuple(f"{PARSER}/{p}" for p in (
    "max-processing-instruction-length", "max-tag-length", "max-attribute-length",
    "max-attribute-value-length", "max-attribute-count", "max-xmlns-prefix-length",
    "max-xmlns-valueLength", "max-xmlns-count", "max-data-length"))
WEBUI_ENABLED = "/ncs-config/webui/enabled"
RESTCONF_ENABLED = "/ncs-config/restconf/enabled"
UNAUTH_LIMIT = "/ncs-config/webui/transport/unauthenticated-message-limit"
RATE_LIMITING = "/ncs-config/webui/rate-limiting"
UNBOUNDED = "unbounded"


def _is(c: NcsConf, path: str, value: str) -> bool:
    return (c.effective(path) or "").strip().lower() == value


@rule("SD-LIMIT-001", "Concurrent sessions are limited", Severity.MEDIUM,
      rationale="""
session-limits/max-sessions and max-config-sessions cap how many northbound
sessions (CLI, NETCONF, RESTCONF, WebUI) and configuration sessions may be open at
once. Both default to unbounded, so a misbehaving or hostile client can open
sessions until NSO runs out of memory or file descriptors.""",
      remediation="Set /ncs-config/session-limits/max-sessions and max-config-sessions to numbers "
                  "sized for the expected operators and integrations (per-context limits may be "
                  "added with session-limit/config-session-limit).",
      section=SECTION, paths=(MAX_SESSIONS, MAX_CONFIG_SESSIONS), references=(NCS_CONF_MAN,),
      tags=("limits", "ncs-conf"),
      example="<session-limits><max-sessions>unbounded</max-sessions></session-limits>",
      fix_example="<session-limits><max-sessions>100</max-sessions>"
                  "<max-config-sessions>20</max-config-sessions></session-limits>")
def session_limits(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    paths = (MAX_SESSIONS, MAX_CONFIG_SESSIONS)
    evidence = {p.rsplit("/", 1)[1]: c.described(p) for p in paths}
    unbounded = [p for p in paths if _is(c, p, UNBOUNDED)]
    if unbounded:
        names = " and ".join(p.rsplit("/", 1)[1] for p in unbounded)
        return [finding(Status.FAIL, f"{names} {'are' if len(unbounded) > 1 else 'is'} unbounded", paths=paths,
                        location=c.location(unbounded[0]) if c.is_set(unbounded[0]) else c.location(paths[0]),
                        expected="numbers", **evidence)]
    return [finding(Status.PASS, "sessions and configuration sessions are limited", paths=paths,
                    location=c.location(MAX_SESSIONS), expected="numbers", **evidence)]


@rule("SD-LIMIT-002", "Concurrent transactions are limited", Severity.LOW,
      rationale="""
transaction-limits/max-transactions caps the transactions that run their
validation and commit phases in parallel. The default (the number of logical
processors) is a sane bound; `unbounded` lets a burst of commits starve the
node.""",
      remediation="Leave /ncs-config/transaction-limits/max-transactions at its default "
                  "(logical-processors) or set a number.",
      section=SECTION, paths=(MAX_TRANSACTIONS,), references=(NCS_CONF_MAN,), tags=("limits", "ncs-conf"),
      example="<transaction-limits><max-transactions>unbounded</max-transactions></transaction-limits>",
      fix_example="<transaction-limits><max-transactions>logical-processors</max-transactions>"
                  "</transaction-limits>")
def transaction_limits(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    bad = _is(c, MAX_TRANSACTIONS, UNBOUNDED)
    return [finding(Status.FAIL if bad else Status.PASS,
                    "max-transactions is unbounded" if bad
                    else f"max-transactions is {c.effective(MAX_TRANSACTIONS)}",
                    paths=(MAX_TRANSACTIONS,), location=c.location(MAX_TRANSACTIONS),
                    expected="logical-processors or a number", actual=c.described(MAX_TRANSACTIONS))]


@rule("SD-LIMIT-003", "XML parser limits are bounded", Severity.MEDIUM,
      rationale="""
parser-limits bound what the XML parser accepts from NETCONF and RESTCONF
clients before any data reaches the data model. max-attribute-value-length and
max-data-length default to unbounded, so a single (even unauthenticated-size)
document can make NSO buffer arbitrary amounts of memory.""",
      remediation="Set every /ncs-config/parser-limits parameter to a number (or `model` where "
                  "allowed), in particular max-attribute-value-length and max-data-length.",
      section=SECTION, paths=PARSER_LIMITS, references=(NCS_CONF_MAN,), tags=("limits", "ncs-conf"),
      example="<parser-limits><max-tag-length>1024</max-tag-length></parser-limits>",
      fix_example="<parser-limits><max-attribute-value-length>65536</max-attribute-value-length>"
                  "<max-data-length>16777216</max-data-length></parser-limits>")
def parser_limits(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    # A release without a parameter (no default, not written) is skipped.
    present = [p for p in PARSER_LIMITS if c.effective(p) is not None]
    unbounded = [p for p in present if _is(c, p, UNBOUNDED)]
    shown = unbounded or present
    evidence = {p.rsplit("/", 1)[1]: c.described(p) for p in shown}
    if unbounded:
        names = ", ".join(p.rsplit("/", 1)[1] for p in unbounded)
        loc = c.location(unbounded[0]) if c.is_set(unbounded[0]) else c.location(PARSER)
        return [finding(Status.FAIL, f"{len(unbounded)} parser limit(s) unbounded: {names}",
                        paths=tuple(unbounded), location=loc, **evidence)]
    return [finding(Status.PASS, "every XML parser limit is bounded", paths=tuple(present),
                    location=c.location(PARSER), **evidence)]


def _web_server_off(c: NcsConf) -> bool:
    # JSON-RPC is the WebUI's. RESTCONF is served by the same embedded web server;
    # whether the WebUI transport limits also apply to a RESTCONF-only setup is not
    # documented, so the message limit is judged whenever either is enabled.
    return not c.enabled(WEBUI_ENABLED) and not c.enabled(RESTCONF_ENABLED)


@rule("SD-LIMIT-004", "Unauthenticated WebUI messages are size-limited", Severity.MEDIUM,
      rationale="""
webui/transport/unauthenticated-message-limit caps the size of the requests the
web server accepts before the client has authenticated. `nolimit` lets anyone who
can reach the port make NSO read arbitrarily large bodies; the default is 65536
bytes.""",
      remediation="Remove /ncs-config/webui/transport/unauthenticated-message-limit or set it to a "
                  "number of bytes (default 65536).",
      section=SECTION, paths=(UNAUTH_LIMIT, WEBUI_ENABLED, RESTCONF_ENABLED), references=(NCS_CONF_MAN,),
      tags=("limits", "interfaces", "ncs-conf"),
      example="<webui><enabled>true</enabled><transport><unauthenticated-message-limit>nolimit"
              "</unauthenticated-message-limit></transport></webui>",
      fix_example="<webui><enabled>true</enabled><transport><unauthenticated-message-limit>65536"
                  "</unauthenticated-message-limit></transport></webui>")
def unauthenticated_message_limit(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if _web_server_off(c):
        return [finding(Status.NOT_APPLICABLE, "WebUI and RESTCONF are disabled",
                        paths=(WEBUI_ENABLED, RESTCONF_ENABLED))]
    bad = _is(c, UNAUTH_LIMIT, "nolimit")
    return [finding(Status.FAIL if bad else Status.PASS,
                    "unauthenticated messages are not size-limited (nolimit)" if bad
                    else f"unauthenticated messages are limited to {c.effective(UNAUTH_LIMIT)} bytes",
                    paths=(UNAUTH_LIMIT,), location=c.location(UNAUTH_LIMIT),
                    expected="a number of bytes", actual=c.described(UNAUTH_LIMIT))]


@rule("SD-LIMIT-005", "JSON-RPC requests are rate-limited", Severity.MEDIUM,
      rationale="""
webui/rate-limiting caps the JSON-RPC requests a client may make per hour (default
1000000). 0 turns the limit off, leaving the WebUI's JSON-RPC API open to request
floods and password guessing at full speed.""",
      remediation="Remove /ncs-config/webui/rate-limiting or set it to a non-zero number of "
                  "requests per hour.",
      section=SECTION, paths=(RATE_LIMITING, WEBUI_ENABLED), references=(NCS_CONF_MAN,),
      tags=("limits", "interfaces", "ncs-conf"),
      example="<webui><enabled>true</enabled><rate-limiting>0</rate-limiting></webui>",
      fix_example="<webui><enabled>true</enabled><rate-limiting>100000</rate-limiting></webui>")
def rate_limiting(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(WEBUI_ENABLED):
        return [finding(Status.NOT_APPLICABLE, "the WebUI (JSON-RPC) is disabled", paths=(WEBUI_ENABLED,))]
    raw = (c.effective(RATE_LIMITING) or "").strip()
    ev = dict(expected="a non-zero number of requests per hour", actual=c.described(RATE_LIMITING))
    try:
        value = int(raw)
    except ValueError:
        return [finding(Status.WARN, f"rate-limiting {raw!r} is not a number", paths=(RATE_LIMITING,),
                        location=c.location(RATE_LIMITING), **ev)]
    if value == 0:
        return [finding(Status.FAIL, "JSON-RPC rate limiting is off (0)", paths=(RATE_LIMITING,),
                        location=c.location(RATE_LIMITING), **ev)]
    return [finding(Status.PASS, f"JSON-RPC is limited to {value} requests per hour", paths=(RATE_LIMITING,),
                    location=c.location(RATE_LIMITING), **ev)]


@rule("SD-LIMIT-006", "Connection rates to NSO's ports are limited in front of NSO", Severity.MEDIUM,
      rationale="""
NSO's own limits bound sessions, transactions and parsing, not how fast new
connections arrive: a flood of TCP or SSH handshakes still costs CPU and memory
before any of them is authenticated. The guidance adds rate limiting at the network
level (Linux iptables or nftables, or a firewall in front of the host) for every
port NSO listens on. That configuration lives outside ncs.conf.""",
      remediation="""
For each port listed in the finding, add a connection-rate limit, e.g. nftables
`tcp dport 2022 ct state new meter nso-nc { ip saddr limit rate 10/second } accept`
or iptables `-m hashlimit`/`-m connlimit`, or the equivalent on the firewall in
front of NSO.""",
      section="Rate Limiting and Resource Protection > External Rate Limiting", paths=(),
      references=("nftables wiki: Meters", "iptables-extensions(8)"), tags=("limits", "ncs-conf", MANUAL_CHECK),
      example="$ nft list ruleset | grep -c 'dport 2022'\n0",
      fix_example="$ nft list ruleset | grep 'dport 2022'\n"
                  "tcp dport 2022 ct state new meter nso-nc { ip saddr limit rate 10/second } accept")
def external_rate_limiting(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    open_ports = [(svc, a) for svc, a in listeners(c) if not is_loopback(a[0])]
    if not open_ports:
        return [finding(Status.NOT_APPLICABLE, "no northbound interface listens beyond loopback")]
    shown = ", ".join(f"{svc} {ip}:{port}" for svc, (ip, port, _) in open_ports)
    return [finding(Status.MANUAL, f"check that iptables/nftables (or a firewall in front of NSO) rate-limits new "
                    f"connections to: {shown}", listeners=shown)]
