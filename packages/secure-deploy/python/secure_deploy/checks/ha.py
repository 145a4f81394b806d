"""High availability: TLS between HA Raft nodes, rule-based HA encryption and token.

HA Raft replicates the whole CDB (encrypted strings included) over Distributed
Erlang, protected by mutual TLS unless /ncs-config/ha-raft/ssl/enabled is false.
Rule-based HA has no encryption before NSO 6.7 (only a shared token authenticates
the nodes); 6.7 adds /ncs-config/ha/ssl, enabled by default.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

from ..facts.types import Facts, NcsConf
from ..model import Finding, Severity, Status, finding
from ..registry import rule
from ._common import MANUAL_CHECK, NCS_CONF_MAN, conf

SECTION = "High Availability Security"
HA_GUIDE = "NSO Administration Guide: High Availability (HA Raft security considerations)"
RAFT = "/ncs-config/ha-raft"
RAFT_ENABLED = f"{RAFT}/enabled"
RAFT_SSL = f"{RAFT}/ssl/enabled"
HA = "/ncs-config/ha"
HA_ENABLED = f"{HA}/enabled"
HA_SSL = f"{HA}/ssl/enabled"
TOKEN = "/high-availability/token"
TLS_FILES = ("key-file", "cert-file", "ca-cert-file")
# NSO 6.7 is the first release with /ncs-config/ha/ssl (NSO-FACTS §2.2).
HA_SSL_FROM = "6.7"


# `explain` example of SD-HA-004: rule-based HA on in ncs.conf (no namespace) and the
# /high-availability data of CDB (`show running-config high-availability | display xml`).
_HA_TOKEN_EXAMPLE = """<!-- ncs.conf -->
<ha><enabled>true</enabled></ha>
<!-- CDB -->
<high-availability xmlns="http://tail-f.com/ns/ncs">{token}
  <ha-node><id>n1</id><address>10.0.0.1</address></ha-node>
  <ha-node><id>n2</id><address>10.0.0.2</address></ha-node>
</high-availability>"""


def _ha_ssl_exists(c: NcsConf) -> bool:
    return c.default(HA_SSL) is not None


@rule("SD-HA-001", "HA Raft traffic is protected by TLS", Severity.CRITICAL,
      rationale="""
HA Raft nodes replicate the complete CDB, including encrypted strings and user
data, and accept cluster commands from each other. Mutual TLS with certificates
from the cluster's CA is what authenticates the peers and keeps the traffic
private; /ncs-config/ha-raft/ssl/enabled false turns off both encryption and
authentication and is meant for testing only.""",
      remediation="Remove /ncs-config/ha-raft/ssl/enabled false (the default is true) and configure "
                  "key-file, cert-file and ca-cert-file on every node.",
      section=SECTION, paths=(RAFT_ENABLED, RAFT_SSL), references=(NCS_CONF_MAN, HA_GUIDE),
      tags=("ha", "ncs-conf"),
      example="<ha-raft><enabled>true</enabled><ssl><enabled>false</enabled></ssl></ha-raft>",
      fix_example="<ha-raft><enabled>true</enabled><ssl><enabled>true</enabled></ssl></ha-raft>")
def raft_tls(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(RAFT_ENABLED):
        return [finding(Status.NOT_APPLICABLE, "HA Raft is not enabled", paths=(RAFT_ENABLED,),
                        actual=c.described(RAFT_ENABLED))]
    ok = c.enabled(RAFT_SSL)
    return [finding(Status.PASS if ok else Status.FAIL,
                    "HA Raft uses TLS" if ok else "HA Raft runs without TLS: no encryption, no peer authentication",
                    paths=(RAFT_SSL,), location=c.location(RAFT_SSL), expected="true",
                    actual=c.described(RAFT_SSL))]


def _tls_users(c: NcsConf) -> List[Tuple[str, str]]:
    """(label, ssl container path) of every HA flavour that is on and uses TLS."""
    out = []
    if c.enabled(RAFT_ENABLED) and c.enabled(RAFT_SSL):
        out.append(("HA Raft", f"{RAFT}/ssl"))
    if c.enabled(HA_ENABLED) and _ha_ssl_exists(c) and c.enabled(HA_SSL):
        out.append(("rule-based HA", f"{HA}/ssl"))
    return out


def _file_finding(facts: Facts, label: str, path: str, value: str) -> Finding:
    c = conf(facts)
    name = path.rsplit("/", 1)[1]
    obj = f"{label} {name}"
    loc = c.location(path)
    host = facts.host
    info = host.file(value) if host is not None else None
    if info is None:
        why = "host not inspected" if host is None else "file not inspected"
        return finding(Status.MANUAL, f"{name} {value} is configured; {why}: check that it exists",
                       paths=(path,), obj=obj, location=loc, file=value)
    if info.error:
        return finding(Status.ERROR, f"could not inspect {name} {value}: {info.error}", paths=(path,),
                       obj=obj, location=loc, file=value)
    if not info.exists:
        return finding(Status.FAIL, f"{name} {value} does not exist", paths=(path,), obj=obj,
                       location=loc, file=value, exists="no")
    return finding(Status.PASS, f"{name} {value} exists", paths=(path,), obj=obj, location=loc,
                   file=value, exists="yes", mode=info.mode_text, owner=info.owner)


@rule("SD-HA-002", "HA TLS key, certificate and CA files are configured and present", Severity.HIGH, objects=("ha-tls-file",),
      rationale="""
TLS between HA nodes only authenticates peers when each node has its own key and
certificate and trusts the cluster CA. A missing key-file, cert-file or
ca-cert-file leaves the cluster unable to form (or, with a shared or demo
certificate, open to any holder of it). Applies to HA Raft and, from NSO 6.7, to
rule-based HA with /ncs-config/ha/ssl.""",
      remediation="Issue a key and certificate per node from a dedicated CA and set ssl/key-file, "
                  "ssl/cert-file and ssl/ca-cert-file (under /ncs-config/ha-raft, and /ncs-config/ha on "
                  "6.7) to those files on every node; keep the key readable by the NSO user only.",
      section=SECTION, paths=tuple(f"{RAFT}/ssl/{n}" for n in TLS_FILES) + tuple(f"{HA}/ssl/{n}" for n in TLS_FILES),
      references=(NCS_CONF_MAN, HA_GUIDE), tags=("ha", "ncs-conf", "host"), reads=("host",),
      example="<ha-raft><enabled>true</enabled><ssl><enabled>true</enabled></ssl></ha-raft>",
      fix_example="""Each file configured, and present on the host (audit with host inspection):
<ha-raft><enabled>true</enabled><ssl><enabled>true</enabled>
  <key-file>${NCS_CONFIG_DIR}/dist/ssl/private/n1.key</key-file>
  <cert-file>${NCS_CONFIG_DIR}/dist/ssl/certs/n1.crt</cert-file>
  <ca-cert-file>${NCS_CONFIG_DIR}/dist/ssl/certs/ca.crt</ca-cert-file></ssl></ha-raft>""")
def ha_tls_files(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    users = _tls_users(c)
    if not users:
        return [finding(Status.NOT_APPLICABLE, "no HA with TLS is enabled",
                        paths=(RAFT_ENABLED, HA_ENABLED))]
    out = []
    for label, ssl in users:
        for name in TLS_FILES:
            path = f"{ssl}/{name}"
            value = (c.value(path) or "").strip()
            if not value:
                out.append(finding(Status.FAIL, f"{label} TLS {name} is not configured", paths=(path,),
                                   obj=f"{label} {name}", location=c.location(ssl),
                                   expected="a file path", actual=c.described(path)))
            else:
                out.append(_file_finding(facts, label, path, value))
    return out


@rule("SD-HA-003", "Rule-based HA traffic is encrypted", Severity.HIGH,
      rationale="""
Rule-based HA replicates the CDB between primary and secondaries. Before NSO 6.7
this traffic is unencrypted and authenticated only by a shared token, so it must
run on a trusted, isolated network (or HA Raft, which uses mutual TLS, be used
instead). NSO 6.7 adds TLS for rule-based HA (/ncs-config/ha/ssl, enabled by
default); turning it off there sends the replicated CDB in clear.""",
      remediation="On NSO 6.7 leave /ncs-config/ha/ssl/enabled true and configure its key, certificate "
                  "and CA files. Before 6.7, prefer HA Raft; otherwise keep the HA port on an isolated "
                  "network and rely on a strong /high-availability/token.",
      section=SECTION, paths=(HA_ENABLED, HA_SSL), references=(NCS_CONF_MAN, HA_GUIDE),
      tags=("ha", "ncs-conf"),
      example="<ha><enabled>true</enabled><ssl><enabled>false</enabled></ssl></ha>",
      fix_example="On NSO 6.7 (earlier releases: use HA Raft instead):\n"
                  "<ha><enabled>true</enabled><ssl><enabled>true</enabled></ssl></ha>")
def rule_based_ha_encryption(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(HA_ENABLED):
        return [finding(Status.NOT_APPLICABLE, "rule-based HA is not enabled", paths=(HA_ENABLED,),
                        actual=c.described(HA_ENABLED))]
    if not _ha_ssl_exists(c):
        return [finding(Status.WARN, f"rule-based HA is enabled and NSO {c.version} cannot encrypt it "
                        "(shared token only)", paths=(HA_ENABLED,), location=c.location(HA_ENABLED),
                        nso_version=c.version, encryption=f"not available before NSO {HA_SSL_FROM}")]
    ok = c.enabled(HA_SSL)
    return [finding(Status.PASS if ok else Status.FAIL,
                    "rule-based HA uses TLS" if ok else "rule-based HA runs without TLS",
                    paths=(HA_SSL,), location=c.location(HA_SSL), expected="true",
                    actual=c.described(HA_SSL))]


@rule("SD-HA-004", "Rule-based HA nodes authenticate with a token", Severity.HIGH,
      rationale="""
Nodes of a rule-based HA group authenticate each other with the shared secret
/high-availability/token. Without it there is nothing that keeps a rogue node
from joining the group and receiving a copy of the CDB.""",
      remediation="Set /high-availability/token (a long random secret, identical on all HA nodes).",
      section=SECTION, paths=(HA_ENABLED, TOKEN), references=(HA_GUIDE,),
      tags=("ha", "ncs-conf", "cdb"), needs=("ncs_conf",), reads=("cdb",),
      example=_HA_TOKEN_EXAMPLE.format(token=""),
      fix_example=_HA_TOKEN_EXAMPLE.format(token="\n  <token>$9$ENCRYPTED-TOKEN</token>"))
def rule_based_ha_token(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(HA_ENABLED):
        return [finding(Status.NOT_APPLICABLE, "rule-based HA is not enabled", paths=(HA_ENABLED,))]
    token = facts.cdb.ha_token_set if facts.cdb is not None else None
    if token is None:
        return [finding(Status.MANUAL, "rule-based HA is enabled but the CDB input has no "
                        "/high-availability data: check that the token is set", paths=(TOKEN,))]
    # Only whether the token is set is known: the facts layer never keeps its value.
    return [finding(Status.PASS if token else Status.FAIL,
                    "the HA token is set" if token else "rule-based HA is enabled without a token",
                    paths=(TOKEN,), token_set="yes" if token else "no")]


@rule("SD-HA-005", "Encryption keys are identical on every HA node", Severity.HIGH,
      rationale="""
Every node of an HA group decrypts the same replicated CDB, so the encryption keys
(the ncs.crypto_keys file, or inline keys) must be identical on all nodes: a node
with other keys cannot read encrypted values after a failover, and a rotation done
on one node only breaks the others. One node's files cannot show this; auditing all
nodes together does (`secure-deploy audit --node NAME=CONFIG_DIR ...` or
`secure-deploy fleet`, rule SD-FLEET-001).""",
      remediation="""
Compare the keys on every HA node, e.g. `secure-deploy keys status` fingerprints or
`sha256sum /etc/ncs/ncs.crypto_keys` on each, and copy the primary's file to any node
that differs (then `ncs --reload` there); audit all nodes together to check it
automatically (SD-FLEET-001).""",
      section=SECTION, paths=(RAFT_ENABLED, HA_ENABLED), references=(HA_GUIDE,),
      tags=("ha", "keys", "ncs-conf", MANUAL_CHECK), reads=("keys",),
      example="$ for n in nso1 nso2; do ssh $n sha256sum /etc/ncs/ncs.crypto_keys; done\n"
              "5d41402a...  /etc/ncs/ncs.crypto_keys\n7d793037...  /etc/ncs/ncs.crypto_keys",
      fix_example="$ secure-deploy audit --node nso1=/srv/fetched/nso1/etc --node nso2=/srv/fetched/nso2/etc "
                  "--rule SD-FLEET-001\n[PASS] SD-FLEET-001 Encryption keys are identical on every node of an HA cluster")
def keys_identical_on_ha_nodes(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(RAFT_ENABLED) and not c.enabled(HA_ENABLED):
        return [finding(Status.NOT_APPLICABLE, "HA is not enabled (neither HA Raft nor rule-based HA)",
                        paths=(RAFT_ENABLED, HA_ENABLED))]
    k = facts.keys
    fingerprint = k.file_fingerprint if k is not None else None
    return [finding(Status.MANUAL, "single-node audit: compare the encryption keys with every other HA node "
                    "(`secure-deploy keys status` fingerprints, or `sha256sum` of ncs.crypto_keys on each); "
                    "audit all nodes together (audit --node NAME=DIR ... or secure-deploy fleet) to check it "
                    "automatically (SD-FLEET-001)", paths=(RAFT_ENABLED, HA_ENABLED),
                    keys_file_fingerprint=fingerprint)]
