"""Northbound interfaces: only what production needs, over encrypted transports.

The production ncs.conf turns off CLI over SSH, NETCONF over SSH and the plain-HTTP
WebUI, and turns on CLI restricted-file-access. The ncs.conf(5) defaults are the
opposite for all four, so an absent element is a finding. Operators who need one of
the three interfaces declare it (Settings.accepted_exposures, with a reason and an
approver) and get ACCEPTED instead: shown in every report, never PASS or gating.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

from ..errors import ConfValueError
from ..facts.types import Facts, NcsConf
from ..model import Finding, Severity, Status, finding
from ..registry import rule
from ._common import NCS_CONF_MAN, accepted, accepted_finding, conf, is_loopback
from .install import install_dir_path

SECTION = "Development vs. Production Deployment > Network Interfaces"
SECTION_AUTH = "AAA > Additional Authentication Methods"
GUIDE_DEPLOY = "NSO Administration Guide: Deployment Example (ncs.conf hardening)"
GUIDE_EXPOSED = "NSO Administration Guide: Secure Deployment Considerations > Exposed Interfaces"

CLI = "/ncs-config/cli/enabled"
CLI_SSH = "/ncs-config/cli/ssh/enabled"
CLI_SSH_IP = "/ncs-config/cli/ssh/ip"
CLI_SSH_BASE = "/ncs-config/cli/ssh"
CLI_RFA = "/ncs-config/cli/restricted-file-access"
NC = "/ncs-config/netconf-north-bound/enabled"
NC_SSH = "/ncs-config/netconf-north-bound/transport/ssh/enabled"
NC_SSH_BASE = "/ncs-config/netconf-north-bound/transport/ssh"
NC_TCP = "/ncs-config/netconf-north-bound/transport/tcp/enabled"
NC_TCP_BASE = "/ncs-config/netconf-north-bound/transport/tcp"
NC_TCP_IP = f"{NC_TCP_BASE}/ip"
NC_TCP_EXTRA = f"{NC_TCP_BASE}/extra-listen/ip"
NC_TCP_HA = f"{NC_TCP_BASE}/ha-primary-listen/ip"
WEBUI = "/ncs-config/webui/enabled"
WEB_TCP = "/ncs-config/webui/transport/tcp/enabled"
WEB_TCP_BASE = "/ncs-config/webui/transport/tcp"
WEB_SSL = "/ncs-config/webui/transport/ssl"
WEB_CGI = "/ncs-config/webui/cgi/enabled"
WEB_MATCH_HOST = "/ncs-config/webui/match-host-name"
RESTCONF = "/ncs-config/restconf/enabled"
RC_TRANSPORT = "/ncs-config/restconf/transport"
RC_TCP = "/ncs-config/restconf/transport/tcp/enabled"
RC_TCP_BASE = "/ncs-config/restconf/transport/tcp"
RC_TCP_IP = f"{RC_TCP_BASE}/ip"
RC_SSL = "/ncs-config/restconf/transport/ssl"

# ncs.conf(5): protocols is a whitespace-separated list from tlsv1 tlsv1.1 tlsv1.2
# tlsv1.3, or "DEFAULT" = "all supported protocol versions except the set tlsv1
# tlsv1.1". So DEFAULT is TLS >= 1.2 and passes. sslv2/sslv3 are not accepted by
# NSO at all; listed so a hand-edited value is still caught.
WEAK_TLS = ("sslv2", "sslv3", "tlsv1", "tlsv1.1")
CERT_LEAVES = ("key-file", "cert-file", "ca-cert-file")


Address = Tuple[str, str, str]   # (ip, port, "" | "extra-listen" | "ha-primary-listen")


def addresses(c: NcsConf, base: str) -> List[Address]:
    """Every address the transport at `base` (e.g. .../transport/tcp) listens on.

    ncs.conf(5) gives each northbound transport an ip/port and lists of extra-listen
    and ha-primary-listen (ip, port) entries; an entry without a port uses the
    transport's port. A listener hidden in a list is still a listener.
    """
    port = c.effective(f"{base}/port") or ""
    out: List[Address] = [(c.effective(f"{base}/ip") or "", port, "")]
    for kind in ("extra-listen", "ha-primary-listen"):
        for n in c.nodes(f"{base}/{kind}"):
            ip = (n.value("ip") or "").strip()
            if "${" in ip:
                raise ConfValueError(f"{base}/{kind}/ip is {ip!r} (line {n.line}): the variable cannot be expanded")
            out.append((ip, (n.value("port") or port).strip(), kind))
    return out


def shown(addrs: Sequence[Address]) -> str:
    return ", ".join(f"{ip}:{port}" + (f" ({kind})" if kind else "") for ip, port, kind in addrs)


def web_server_serves(c: NcsConf) -> Tuple[bool, str]:
    """Does the WebUI's web server run, and for what: the WebUI itself, or RESTCONF
    without a transport of its own (ncs.conf(5): RESTCONF then uses the WebUI's)."""
    rc_on_web = c.enabled(RESTCONF) and not c.is_set(RC_TRANSPORT)
    if c.enabled(WEBUI):
        return True, "the WebUI" + (" (and RESTCONF)" if rc_on_web else "")
    # Whether the web server also runs when only RESTCONF is enabled is not documented;
    # it is judged as if it did (the cautious reading).
    return rc_on_web, "RESTCONF (on the WebUI transport)"


def web_listens(c: NcsConf) -> bool:
    """At least one WebUI transport (TCP or TLS) is enabled: something answers."""
    return c.enabled(WEB_TCP) or c.enabled(f"{WEB_SSL}/enabled")


def _nothing_served(c: NcsConf, label: str) -> Finding:
    return finding(Status.PASS, f"{label} is enabled but no transport is: nothing listens "
                   "(TCP and TLS transports are off)", paths=(WEB_TCP, f"{WEB_SSL}/enabled"),
                   location=c.location(WEB_TCP), http=c.described(WEB_TCP), https=c.described(f"{WEB_SSL}/enabled"))


def _exposure(facts: Facts, name: str, what: str, c: NcsConf, enabled_path: str,
              base: str, remedy: str) -> Finding:
    addrs = addresses(c, base)
    ev = dict(paths=(enabled_path,), location=c.location(enabled_path), expected="false",
              actual=c.described(enabled_path), listeners=shown(addrs))
    # Every listener is named: an accepted exposure must not hide an extra one.
    at = f" on {shown(addrs)}"
    if accepted(facts, name):
        return accepted_finding(facts, name, f"{what} is enabled{at}", **ev)
    return finding(Status.FAIL, f"{what} is enabled{at}{remedy}", **ev)


def _off(c: NcsConf, path: str, msg: str) -> Finding:
    return finding(Status.PASS, msg, paths=(path,), location=c.location(path), actual=c.described(path))


@rule("SD-IF-001", "CLI over SSH is disabled", Severity.HIGH,
      rationale="""
The production ncs.conf disables the built-in SSH server of the NSO CLI
(/ncs-config/cli/ssh/enabled), which ncs.conf(5) enables by default on all
addresses (0.0.0.0:2024). Every enabled northbound interface is attack surface:
the guidance says to disable unused interfaces; operators reach the CLI with
`ncs_cli` on the host (authenticated by the OS user) instead.""",
      remediation="""
Set /ncs-config/cli/ssh/enabled to false. If remote CLI access is required, bind it
to a management address, use SSH public key authentication and declare the
exposure (`--accept-exposure cli-ssh`).""",
      section=SECTION, paths=(CLI_SSH, CLI), references=(NCS_CONF_MAN,), tags=("interfaces", "ncs-conf"),
      example="<cli><ssh><enabled>true</enabled></ssh></cli>",
      fix_example="<cli><ssh><enabled>false</enabled></ssh></cli>")
def cli_ssh_disabled(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(CLI):
        return [_off(c, CLI, "the CLI server is disabled")]
    if not c.enabled(CLI_SSH):
        return [_off(c, CLI_SSH, "CLI over SSH is disabled")]
    return [_exposure(facts, "cli-ssh", "CLI over SSH", c, CLI_SSH, CLI_SSH_BASE,
                      " (the default when absent)" if not c.is_set(CLI_SSH) else "")]


@rule("SD-IF-002", "NETCONF over SSH is disabled", Severity.HIGH,
      rationale="""
The production ncs.conf disables NETCONF over SSH, which ncs.conf(5) enables by
default on all addresses (port 2022). An unused NETCONF listener is full
read/write management access waiting for a password guess or a leaked key.""",
      remediation="""
Set /ncs-config/netconf-north-bound/transport/ssh/enabled to false (or disable
/ncs-config/netconf-north-bound/enabled). If an OSS needs NETCONF, bind it to a
management address, use public key authentication and declare the exposure
(`--accept-exposure netconf-ssh`).""",
      section=SECTION, paths=(NC_SSH, NC), references=(NCS_CONF_MAN,), tags=("interfaces", "ncs-conf"),
      example="<netconf-north-bound><transport><ssh><enabled>true</enabled></ssh></transport>"
              "</netconf-north-bound>",
      fix_example="<netconf-north-bound><transport><ssh><enabled>false</enabled></ssh></transport>"
                  "</netconf-north-bound>")
def netconf_ssh_disabled(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(NC):
        return [_off(c, NC, "the NETCONF server is disabled")]
    if not c.enabled(NC_SSH):
        return [_off(c, NC_SSH, "NETCONF over SSH is disabled")]
    return [_exposure(facts, "netconf-ssh", "NETCONF over SSH", c, NC_SSH, NC_SSH_BASE,
                      " (the default when absent)" if not c.is_set(NC_SSH) else "")]


@rule("SD-IF-003", "The WebUI is not served over plain HTTP", Severity.HIGH,
      rationale="""
With the WebUI enabled, ncs.conf(5) serves it over clear-text HTTP by default
(webui/transport/tcp/enabled true, 0.0.0.0:8008). Passwords, session cookies and
JSON-RPC/RESTCONF traffic then cross the network unencrypted. The production
ncs.conf disables the TCP transport.""",
      remediation="""
Set /ncs-config/webui/transport/tcp/enabled to false and serve the WebUI over TLS
(/ncs-config/webui/transport/ssl). If plain HTTP is needed behind a TLS-terminating
proxy on the same host, bind it to 127.0.0.1 and declare the exposure
(`--accept-exposure webui-http`).""",
      section=SECTION, paths=(WEB_TCP, WEBUI), references=(NCS_CONF_MAN,), tags=("interfaces", "ncs-conf"),
      example="<webui><enabled>true</enabled><transport><tcp><enabled>true</enabled></tcp></transport></webui>",
      fix_example="<webui><enabled>true</enabled><transport><tcp><enabled>false</enabled></tcp></transport>"
                  "</webui>")
def webui_http_disabled(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    serves, what = web_server_serves(c)
    if not serves:
        return [_off(c, WEBUI, "the WebUI is disabled (and RESTCONF does not use its transport)")]
    if not c.enabled(WEB_TCP):
        return [_off(c, WEB_TCP, "the WebUI's HTTP (TCP) transport is disabled")]
    return [_exposure(facts, "webui-http", f"{what} over plain HTTP", c, WEB_TCP, WEB_TCP_BASE,
                      " (the default transport when absent)" if not c.is_set(WEB_TCP) else "")]


def _tls_findings(c: NcsConf, facts: Facts, base: str, label: str) -> List[Finding]:
    """Protocols and certificates of one enabled TLS transport (`base` = .../ssl)."""
    out: List[Finding] = []
    proto_path = f"{base}/protocols"
    protos = (c.effective(proto_path) or "DEFAULT").split()
    weak = [p for p in protos if p.lower() in WEAK_TLS]
    if weak:
        out.append(finding(Status.FAIL, f"{label} TLS allows {' '.join(weak)}", paths=(proto_path,), obj=label,
                           location=c.location(proto_path), expected="tlsv1.2 tlsv1.3 or DEFAULT",
                           actual=c.described(proto_path)))
    else:
        note = " (DEFAULT = all supported versions except tlsv1 and tlsv1.1)" if \
            [p.upper() for p in protos] == ["DEFAULT"] else ""
        out.append(finding(Status.PASS, f"{label} TLS allows only TLS 1.2 or newer{note}", paths=(proto_path,),
                           obj=label, location=c.location(proto_path), actual=c.described(proto_path)))
    if c.enabled(f"{base}/read-from-db"):
        # ncs.conf(5): with read-from-db the key/cert/CA files are ignored; the TLS
        # data lives in CDB (tailf-tls) and this rule cannot see it.
        out.append(finding(Status.PASS, f"{label} TLS certificate is read from CDB (read-from-db)",
                           paths=(f"{base}/read-from-db",), obj=label))
        return out
    demo: List[Tuple[str, str]] = []
    for leaf in CERT_LEAVES:
        for node in c.nodes(f"{base}/{leaf}"):
            if install_dir_path(c, node, facts, "etc/ncs/ssl/cert"):
                demo.append((f"{base}/{leaf}", node.raw or ""))
    if demo:
        out.append(finding(Status.FAIL, f"{label} uses the demo certificate shipped in ${{NCS_DIR}}/etc/ncs/ssl/cert",
                           paths=tuple(p for p, _ in demo), obj=label, location=c.location(demo[0][0]),
                           files="; ".join(f"{p}={v}" for p, v in demo)))
    elif not c.value(f"{base}/cert-file"):
        # ncs.conf(5) documents no default for these; which certificate NSO then serves
        # is UNVERIFIED (possibly the demo one), so this needs a person to look.
        out.append(finding(Status.WARN, f"{label} TLS has no cert-file configured: which certificate "
                           "NSO serves then is not documented (possibly the shipped demo one)", obj=label,
                           paths=(f"{base}/key-file", f"{base}/cert-file"), location=c.location(f"{base}/enabled"),
                           key_file=c.described(f"{base}/key-file"), cert_file=c.described(f"{base}/cert-file")))
    return out


@rule("SD-IF-004", "WebUI and RESTCONF use TLS 1.2+ with a certificate of their own", Severity.HIGH, objects=("web-transport",),
      rationale="""
The guidance calls for HTTPS (TLS) on the WebUI, and RESTCONF shares the WebUI's
web server unless it has its own transport: when either is enabled, its TLS
transport must be enabled. TLS 1.0/1.1 are deprecated (RFC 8996).
The key and certificate under ${NCS_DIR}/etc/ncs/ssl/cert are self-signed demo
material generated at installation "for test purposes only" (ncs.conf(5)); a local
install serves them and anyone with access to the installation can read the key.
`protocols` DEFAULT is accepted: ncs.conf(5) defines it as every supported version
except tlsv1 and tlsv1.1.""",
      remediation="""
Enable /ncs-config/webui/transport/ssl (and restconf/transport/ssl if RESTCONF has
its own transport) with key-file/cert-file/ca-cert-file pointing at a certificate
issued for this host (e.g. under ${NCS_CONFIG_DIR}/ssl), keep `protocols` at
DEFAULT or `tlsv1.2 tlsv1.3`, and disable clear-text transports.""",
      section=f"{SECTION}; {SECTION_AUTH}", paths=(WEBUI, RESTCONF, f"{WEB_SSL}/enabled", f"{WEB_SSL}/protocols",
                                                   f"{WEB_SSL}/cert-file", f"{RC_SSL}/enabled"),
      references=(NCS_CONF_MAN, "RFC 8996", GUIDE_DEPLOY), tags=("interfaces", "tls", "ncs-conf"),
      example="<webui><enabled>true</enabled><transport><tcp><enabled>false</enabled></tcp><ssl>"
              "<enabled>true</enabled><protocols>tlsv1 tlsv1.2</protocols></ssl></transport></webui>",
      fix_example="<webui><enabled>true</enabled><transport><tcp><enabled>false</enabled></tcp><ssl>"
                  "<enabled>true</enabled><protocols>tlsv1.2 tlsv1.3</protocols>"
                  "<cert-file>${NCS_CONFIG_DIR}/ssl/cert/host.cert</cert-file></ssl></transport></webui>")
def web_tls(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    webui, restconf = c.enabled(WEBUI), c.enabled(RESTCONF)
    if not webui and not restconf:
        return [finding(Status.PASS, "WebUI and RESTCONF are disabled", paths=(WEBUI, RESTCONF))]
    out: List[Finding] = []
    rc_own = c.is_set(RC_TRANSPORT)
    serves, _ = web_server_serves(c)
    if serves:
        label = "WebUI" if webui else "RESTCONF (WebUI transport)"
        if web_listens(c):
            out.extend(_transport(c, facts, label, f"{WEB_SSL}/enabled", WEB_SSL, WEB_TCP))
        else:
            # The guide's production ncs.conf: WebUI on, both transports off. Nothing
            # answers, so there is no clear text to protect.
            out.append(_nothing_served(c, label))
    if restconf and rc_own:
        if not c.enabled(RC_TCP) and not c.enabled(f"{RC_SSL}/enabled"):
            out.append(finding(Status.PASS, "RESTCONF's own transports (TCP and TLS) are off: nothing listens",
                               obj="RESTCONF", paths=(RC_TCP, f"{RC_SSL}/enabled")))
            return out
        out.extend(_transport(c, facts, "RESTCONF", f"{RC_SSL}/enabled", RC_SSL, RC_TCP))
        exposed = [a for a in addresses(c, RC_TCP_BASE) if not is_loopback(a[0])]
        if c.enabled(f"{RC_SSL}/enabled") and c.enabled(RC_TCP) and exposed:
            # HTTPS beside a clear-text listener still lets clients send passwords in clear.
            out.append(finding(Status.FAIL, f"RESTCONF also listens on clear-text HTTP ({shown(exposed)})",
                               obj="RESTCONF HTTP", paths=(RC_TCP, RC_TCP_IP), location=c.location(RC_TCP),
                               expected="false (or loopback only)", actual=c.described(RC_TCP),
                               listeners=shown(addresses(c, RC_TCP_BASE))))
    return out


def _transport(c: NcsConf, facts: Facts, label: str, ssl_enabled: str, ssl_base: str,
               tcp_enabled: str) -> List[Finding]:
    if c.enabled(ssl_enabled):
        return _tls_findings(c, facts, ssl_base, label)
    # TLS is required whenever the service is enabled, even if no clear-text
    # listener is on either: an enabled WebUI/RESTCONF without HTTPS is one
    # `tcp/enabled` away from clear text, and operators expect it reachable.
    # The WebUI's HTTP listener itself is SD-IF-003's subject (where an operator
    # may accept it); here the missing TLS is the finding.
    plain = c.enabled(tcp_enabled)
    what = "served over clear-text HTTP only" if plain else "enabled without an HTTPS (TLS) transport"
    ev = dict(obj=label, paths=(ssl_enabled, tcp_enabled), location=c.location(ssl_enabled),
              expected="true", actual=c.described(ssl_enabled), http=c.described(tcp_enabled))
    if plain and label.startswith("WebUI") and accepted(facts, "webui-http"):
        return [accepted_finding(facts, "webui-http", f"{label} is {what}", **ev)]
    return [finding(Status.FAIL, f"{label} is {what}", **ev)]


@rule("SD-IF-005", "NETCONF over clear-text TCP is off or bound to loopback", Severity.MEDIUM,
      rationale="""
NETCONF over TCP is unauthenticated at the transport and unencrypted; ncs.conf(5)
describes it as a development aid or a local endpoint behind a proxy. It is off
by default, but its default address is 0.0.0.0, so simply enabling it exposes
NETCONF in clear text on every interface.""",
      remediation="""
Set /ncs-config/netconf-north-bound/transport/tcp/enabled to false, or bind it
(ip and every extra-listen and ha-primary-listen ip) to 127.0.0.1 / ::1 for a local proxy.""",
      section=SECTION, paths=(NC_TCP, NC_TCP_IP, NC_TCP_EXTRA, NC_TCP_HA), references=(NCS_CONF_MAN,),
      tags=("interfaces", "ncs-conf"),
      example="<netconf-north-bound><transport><tcp><enabled>true</enabled></tcp></transport>"
              "</netconf-north-bound>",
      fix_example="<netconf-north-bound><transport><tcp><enabled>true</enabled><ip>127.0.0.1</ip></tcp>"
                  "</transport></netconf-north-bound>")
def netconf_tcp_local(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(NC):
        return [_off(c, NC, "the NETCONF server is disabled")]
    if not c.enabled(NC_TCP):
        return [_off(c, NC_TCP, "NETCONF over TCP is disabled")]
    addrs = addresses(c, NC_TCP_BASE)
    exposed = [a for a in addrs if not is_loopback(a[0])]
    if exposed:
        return [finding(Status.FAIL, "NETCONF over clear-text TCP listens on " + shown(exposed),
                        paths=(NC_TCP, NC_TCP_IP), location=c.location(NC_TCP_IP), expected="loopback only",
                        actual=shown(addrs), ip=c.described(NC_TCP_IP))]
    return [finding(Status.PASS, "NETCONF over TCP listens on loopback only", paths=(NC_TCP, NC_TCP_IP),
                    location=c.location(NC_TCP_IP), actual=shown(addrs))]


@rule("SD-IF-006", "WebUI CGI support is disabled", Severity.MEDIUM,
      rationale="""
CGI lets the NSO web server run scripts from its cgi-bin directory with the
privileges of the NSO daemon. Both the development and the system-install ncs.conf
enable it; the NSO deployment example says to disable /ncs-config/webui/cgi unless
it is needed.""",
      remediation="Set /ncs-config/webui/cgi/enabled to false unless CGI scripts are actually used.",
      section=SECTION, paths=(WEB_CGI, WEBUI), references=(NCS_CONF_MAN, GUIDE_DEPLOY),
      tags=("interfaces", "ncs-conf"),
      example="<webui><enabled>true</enabled><cgi><enabled>true</enabled></cgi></webui>",
      fix_example="<webui><enabled>true</enabled><cgi><enabled>false</enabled></cgi></webui>")
def webui_cgi_disabled(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(WEB_CGI):
        return [_off(c, WEB_CGI, "WebUI CGI support is disabled")]
    if not c.enabled(WEBUI):
        return [finding(Status.PASS, "CGI is configured but the WebUI is disabled", paths=(WEB_CGI, WEBUI),
                        location=c.location(WEB_CGI), actual=c.described(WEB_CGI))]
    if not web_listens(c):
        return [_nothing_served(c, "CGI is configured and the WebUI")]
    return [finding(Status.FAIL, "WebUI CGI support is enabled", paths=(WEB_CGI,), location=c.location(WEB_CGI),
                    expected="false", actual=c.described(WEB_CGI))]


@rule("SD-IF-007", "The WebUI only answers to its configured host name", Severity.MEDIUM,
      rationale="""
With /ncs-config/webui/match-host-name true the web server only serves requests
whose Host header matches /ncs-config/webui/server-name (or a server-alias); the
NSO deployment guide ("Exposed Interfaces") asks for it. Checking the Host header
is the standard defence against DNS rebinding, where a web page in an operator's
browser talks to the WebUI/JSON-RPC under a foreign host name. ncs.conf(5)
defaults it to false in NSO 6.4 and to true from 6.5.""",
      remediation="Set /ncs-config/webui/match-host-name to true and /ncs-config/webui/server-name to the host "
                  "name operators use.",
      section=SECTION, paths=(WEB_MATCH_HOST, WEBUI), references=(NCS_CONF_MAN, GUIDE_EXPOSED),
      tags=("interfaces", "ncs-conf"),
      example="<webui><enabled>true</enabled><match-host-name>false</match-host-name></webui>",
      fix_example="<webui><enabled>true</enabled><match-host-name>true</match-host-name></webui>")
def webui_match_host(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(WEBUI):
        return [_off(c, WEBUI, "the WebUI is disabled")]
    if not web_listens(c):
        return [_nothing_served(c, "the WebUI")]
    if c.enabled(WEB_MATCH_HOST):
        how = "" if c.is_set(WEB_MATCH_HOST) else f" (NSO {c.version} default)"
        return [finding(Status.PASS, f"the WebUI checks the Host header{how}", paths=(WEB_MATCH_HOST,),
                        location=c.location(WEB_MATCH_HOST), actual=c.described(WEB_MATCH_HOST))]
    how = "" if c.is_set(WEB_MATCH_HOST) else f" (the NSO {c.version} default)"
    return [finding(Status.FAIL, f"the WebUI answers to any Host header{how}", paths=(WEB_MATCH_HOST,),
                    location=c.location(WEB_MATCH_HOST), expected="true", actual=c.described(WEB_MATCH_HOST))]


@rule("SD-IF-008", "CLI restricted file access is enabled", Severity.HIGH,
      rationale="""
With /ncs-config/cli/restricted-file-access true, ncs.conf(5) keeps CLI users from
accessing files and directories outside their home directory tree. Without it,
CLI file operations (`save`, `load`, `file show`, output redirection) reach any
file the NSO daemon can, such as ncs.conf, the ncs.crypto_keys file or the
ipc_access file. The production ncs.conf sets it to true; the default is false.""",
      remediation="Set /ncs-config/cli/restricted-file-access to true.",
      section=SECTION, paths=(CLI_RFA, CLI), references=(NCS_CONF_MAN,), tags=("interfaces", "ncs-conf"),
      example="<cli><restricted-file-access>false</restricted-file-access></cli>",
      fix_example="<cli><restricted-file-access>true</restricted-file-access></cli>")
def cli_restricted_file_access(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(CLI):
        return [_off(c, CLI, "the CLI server is disabled")]
    if c.enabled(CLI_RFA):
        return [_off(c, CLI_RFA, "CLI file access is restricted")]
    how = "" if c.is_set(CLI_RFA) else " (the default when absent)"
    return [finding(Status.FAIL, f"CLI users have unrestricted file access{how}", paths=(CLI_RFA,),
                    location=c.location(CLI_RFA), expected="true", actual=c.described(CLI_RFA))]


def listeners(c: NcsConf) -> List[Tuple[str, Address]]:
    """(service, address) of every northbound listener ncs.conf enables."""
    out: List[Tuple[str, Address]] = []

    def add(service: str, on: bool, base: str) -> None:
        if on:
            out.extend((service, a) for a in addresses(c, base))
    add("CLI over SSH", c.enabled(CLI) and c.enabled(CLI_SSH), CLI_SSH_BASE)
    add("NETCONF over SSH", c.enabled(NC) and c.enabled(NC_SSH), NC_SSH_BASE)
    add("NETCONF over TCP", c.enabled(NC) and c.enabled(NC_TCP), NC_TCP_BASE)
    serves, _ = web_server_serves(c)
    add("WebUI HTTP", serves and c.enabled(WEB_TCP), WEB_TCP_BASE)
    add("WebUI HTTPS", serves and c.enabled(f"{WEB_SSL}/enabled"), WEB_SSL)
    own = c.enabled(RESTCONF) and c.is_set(RC_TRANSPORT)
    add("RESTCONF HTTP", own and c.enabled(RC_TCP), RC_TCP_BASE)
    add("RESTCONF HTTPS", own and c.enabled(f"{RC_SSL}/enabled"), RC_SSL)
    return out
