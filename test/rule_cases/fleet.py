"""Fixtures for checks/fleet.py: cross-node rules over several nodes' NodeInfo.

Each node is built the way an audit builds it: its ncs.conf fragment goes through the
real reader and fleet/node.py picks the settings; keys fingerprints come from real
(made-up, test-only) key sets.
"""
import dataclasses
from typing import Optional

from factsbuilder import Case, build_facts
from secure_deploy import registry
from secure_deploy.facts.keyfile import file_fingerprint, parse_keys
from secure_deploy.facts.types import FleetFacts
from secure_deploy.fleet.node import node_info
from secure_deploy.model import NodeInfo, Status

P, F, M, NA = Status.PASS, Status.FAIL, Status.MANUAL, Status.NOT_APPLICABLE


def keys_fp(digit: str) -> str:
    return file_fingerprint(parse_keys(f"EXTERNAL_KEY_FORMAT=2\nAESCFB128_KEY[0]={digit * 32}\n"
                                       f"AES256CFB128_KEY[0]={digit * 64}\n", "test"))


FP_A, FP_B, FP_C = keys_fp("a"), keys_fp("b"), keys_fp("c")
RAFT_C1 = "<ha-raft><enabled>true</enabled><cluster-name>c1</cluster-name></ha-raft>"


def node(name: str, conf: str = "", cluster: Optional[str] = "c1", fp: Optional[str] = FP_A,
         state: str = "external keys file") -> NodeInfo:
    info = node_info(build_facts(Case("SD-FLEET-002", P, conf)), name, registry.all_rules(), cluster)
    return dataclasses.replace(info, keys_fingerprint=fp, keys_state=state if fp else "keys file absent")


def fleet(*nodes: NodeInfo) -> FleetFacts:
    return FleetFacts(tuple(nodes))


def case(rule: str, expect: Status, note: str, *nodes: NodeInfo) -> Case:
    return Case(rule, expect, None, fleet=fleet(*nodes), note=note)


TCP_ON = "<webui><enabled>true</enabled><transport><tcp><enabled>true</enabled></tcp></transport></webui>"
TCP_OFF = "<webui><enabled>true</enabled><transport><tcp><enabled>false</enabled></tcp></transport></webui>"
NETCONF_TCP = ("<netconf-north-bound><transport><tcp><enabled>true</enabled><ip>{}</ip></tcp>"
               "</transport></netconf-north-bound>")
RAFT_FILES = ("<ha-raft><enabled>true</enabled><ssl><key-file>/etc/ncs/ssl/{0}.key</key-file>"
              "<cert-file>/etc/ncs/ssl/{0}.crt</cert-file></ssl></ha-raft>")

CASES = [
    # SD-FLEET-001: the keys file's fingerprint is the same on every member.
    case("SD-FLEET-001", P, "same-keys", node("n1"), node("n2"), node("n3")),
    case("SD-FLEET-001", F, "one-member-differs", node("n1"), node("n2"), node("n3", fp=FP_B)),
    case("SD-FLEET-001", F, "two-members-no-majority", node("n1"), node("n2", fp=FP_B)),
    case("SD-FLEET-001", P, "clusters-differ-from-each-other",
         node("a1"), node("a2"), node("b1", cluster="c2", fp=FP_C), node("b2", cluster="c2", fp=FP_C)),
    case("SD-FLEET-001", F, "cluster-from-ncs-conf", node("n1", RAFT_C1, cluster=None),
         node("n2", RAFT_C1, cluster=None, fp=FP_B), node("n3", RAFT_C1, cluster=None)),
    case("SD-FLEET-001", M, "keys-not-read", node("n1"), node("n2"), node("n3", fp=None)),
    case("SD-FLEET-001", M, "one-member-audited", node("n1")),
    case("SD-FLEET-001", NA, "no-cluster", node("n1", cluster=None), node("n2", cluster=None, fp=FP_B)),
    case("SD-FLEET-001", NA, "raft-off-cluster-name-ignored",
         node("n1", "<ha-raft><cluster-name>c1</cluster-name></ha-raft>", cluster=None),
         node("n2", "<ha-raft><cluster-name>c1</cluster-name></ha-raft>", cluster=None, fp=FP_B)),

    # SD-FLEET-002: the security-relevant ncs.conf leaves agree within a cluster.
    case("SD-FLEET-002", P, "identical", node("n1", TCP_OFF), node("n2", TCP_OFF), node("n3", TCP_OFF)),
    case("SD-FLEET-002", F, "one-member-drifted", node("n1", TCP_OFF), node("n2", TCP_OFF), node("n3", TCP_ON)),
    case("SD-FLEET-002", F, "default-vs-weaker-value", node("n1"), node("n2"),
         node("n3", "<crypt-hash><algorithm>sha-256</algorithm></crypt-hash>")),
    case("SD-FLEET-002", P, "written-default-equals-absent", node("n1"),
         node("n2", "<cli><ssh><enabled>true</enabled></ssh></cli>")),
    case("SD-FLEET-002", P, "node-own-files-and-addresses", node("n1", RAFT_FILES.format("n1")),
         node("n2", RAFT_FILES.format("n2"))),
    case("SD-FLEET-002", P, "own-specific-addresses", node("n1", NETCONF_TCP.format("10.0.0.1")),
         node("n2", NETCONF_TCP.format("10.0.0.2"))),
    case("SD-FLEET-002", F, "address-any-vs-loopback", node("n1", NETCONF_TCP.format("127.0.0.1")),
         node("n2", NETCONF_TCP.format("127.0.0.1")), node("n3", NETCONF_TCP.format("0.0.0.0"))),
    case("SD-FLEET-002", P, "drift-outside-cluster-ignored", node("n1", TCP_OFF), node("n2", TCP_OFF),
         node("x", TCP_ON, cluster=None)),
    case("SD-FLEET-002", M, "one-member-audited", node("n1", TCP_OFF)),
    case("SD-FLEET-002", NA, "no-cluster", node("n1", TCP_OFF, cluster=None), node("n2", TCP_ON, cluster=None)),
]
