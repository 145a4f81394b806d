"""Documented ncs.conf(5) defaults, per NSO release, of the parameters the rules read.

An element absent from ncs.conf means the default of the *running* release, and
some defaults changed between releases (crypt-hash md5 -> sha-512 in 6.6, ...), so a
verdict on an absent element depends on the version. Values are transcribed from the
ncs.conf(5) man pages of NSO 6.4-6.7; test_ncsconf_defaults.py cross-checks every
entry against the man pages' parameter lists (committed as test/ncs-conf-params.json).
"""
from __future__ import annotations

from typing import Dict, Mapping, Optional, Union

from ..model import SUPPORTED_NSO_VERSIONS

# A plain string applies to every supported release; a mapping gives the value per
# release, and a release missing from the mapping does not have the parameter.
_Value = Union[str, Mapping[str, str]]
_ALL_BUT_64 = ("6.5", "6.6", "6.7")

DEFAULTS: Dict[str, _Value] = {
    "/ncs-config/aaa/local-authentication/enabled": "true",
    "/ncs-config/aaa/pam/enabled": "false",
    "/ncs-config/aaa/pam/service": "common-auth",
    "/ncs-config/aaa/expiration-warning": "ignore",
    "/ncs-config/aaa/ssh-pubkey-authentication": "system",
    "/ncs-config/aaa/authorization/enabled": "true",
    "/ncs-config/aaa/single-sign-on/enabled": "false",
    "/ncs-config/aaa/external-authentication/enabled": "false",
    "/ncs-config/aaa/external-validation/enabled": "false",
    "/ncs-config/aaa/package-authentication/enabled": "false",
    "/ncs-config/ssh/algorithms/server-host-key": {
        "6.4": "ssh-ed25519", **{v: "ssh-ed25519,ecdsa-sha2-nistp256" for v in _ALL_BUT_64}},
    "/ncs-config/ssh/algorithms/kex": (
        "curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha256,ecdh-sha2-nistp384,"
        "ecdh-sha2-nistp521,diffie-hellman-group16-sha512,diffie-hellman-group-exchange-sha256"),
    "/ncs-config/ssh/algorithms/mac": "hmac-sha2-256,hmac-sha1,hmac-sha2-512",
    "/ncs-config/ssh/algorithms/encryption": (
        "aes128-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr,"
        "aes256-gcm@openssh.com,aes192-ctr"),
    "/ncs-config/ssh/algorithms/dh-group/min-size": "2048",
    "/ncs-config/ssh/algorithms/dh-group/max-size": "4096",
    "/ncs-config/cli/ssh/enabled": "true",
    "/ncs-config/cli/enabled": "true",
    "/ncs-config/cli/ssh/ip": "0.0.0.0",
    "/ncs-config/cli/ssh/port": "2024",
    "/ncs-config/cli/restricted-file-access": "false",
    "/ncs-config/netconf-north-bound/enabled": "true",
    "/ncs-config/netconf-north-bound/transport/ssh/enabled": "true",
    "/ncs-config/netconf-north-bound/transport/tcp/enabled": "false",
    "/ncs-config/netconf-north-bound/transport/ssh/ip": "0.0.0.0",
    "/ncs-config/netconf-north-bound/transport/tcp/ip": "0.0.0.0",
    "/ncs-config/netconf-north-bound/transport/ssh/port": "2022",
    "/ncs-config/netconf-north-bound/transport/tcp/port": "2023",
    "/ncs-config/webui/enabled": "false",
    "/ncs-config/webui/transport/tcp/enabled": "true",
    "/ncs-config/webui/transport/tcp/ip": "0.0.0.0",
    "/ncs-config/webui/transport/tcp/port": "8008",
    "/ncs-config/webui/transport/ssl/enabled": "false",
    "/ncs-config/webui/transport/ssl/ip": "0.0.0.0",
    "/ncs-config/webui/transport/ssl/port": "8888",
    "/ncs-config/webui/transport/ssl/read-from-db": "false",
    "/ncs-config/webui/transport/ssl/protocols": "DEFAULT",
    "/ncs-config/webui/transport/ssl/key-file": "",
    "/ncs-config/webui/transport/ssl/cert-file": "",
    "/ncs-config/webui/transport/ssl/ca-cert-file": "",
    "/ncs-config/webui/cgi/enabled": "false",
    "/ncs-config/webui/match-host-name": {"6.4": "false", **{v: "true" for v in _ALL_BUT_64}},
    "/ncs-config/webui/transport/unauthenticated-message-limit": "65536",
    "/ncs-config/webui/rate-limiting": "1000000",
    "/ncs-config/restconf/enabled": "false",
    "/ncs-config/restconf/transport/tcp/enabled": "false",
    "/ncs-config/restconf/transport/tcp/ip": "0.0.0.0",
    "/ncs-config/restconf/transport/tcp/port": "8009",
    "/ncs-config/restconf/transport/ssl/ip": "0.0.0.0",
    "/ncs-config/restconf/transport/ssl/port": "8889",
    "/ncs-config/restconf/token-response/x-auth-token": "false",
    "/ncs-config/restconf/transport/ssl/enabled": "false",
    "/ncs-config/restconf/transport/ssl/protocols": "DEFAULT",
    "/ncs-config/crypt-hash/algorithm": {"6.4": "md5", "6.5": "md5", "6.6": "sha-512", "6.7": "sha-512"},
    "/ncs-config/crypt-hash/rounds": "5000",
    "/ncs-config/ncs-ipc-address/ip": "127.0.0.1",
    "/ncs-config/ncs-ipc-address/port": "4569",
    "/ncs-config/ncs-ipc-extra-listen-ip": "",
    "/ncs-config/ncs-ipc-access-check/enabled": "false",
    "/ncs-config/ncs-ipc-access-check/filename": "",
    "/ncs-config/ncs-local-ipc/enabled": {"6.4": "false", "6.5": "false", "6.6": "false", "6.7": "true"},
    "/ncs-config/ncs-local-ipc/path": "/tmp/nso/nso-ipc",
    "/ncs-config/session-limits/max-sessions": "unbounded",
    "/ncs-config/session-limits/max-config-sessions": "unbounded",
    "/ncs-config/transaction-limits/max-transactions": "logical-processors",
    "/ncs-config/parser-limits/max-processing-instruction-length": "32768",
    "/ncs-config/parser-limits/max-tag-length": "1024",
    "/ncs-config/parser-limits/max-attribute-length": "1024",
    "/ncs-config/parser-limits/max-attribute-value-length": "unbounded",
    "/ncs-config/parser-limits/max-attribute-count": "64",
    "/ncs-config/parser-limits/max-xmlns-prefix-length": "1024",
    "/ncs-config/parser-limits/max-xmlns-valueLength": "1024",
    "/ncs-config/parser-limits/max-xmlns-count": "1024",
    "/ncs-config/parser-limits/max-data-length": "unbounded",
    "/ncs-config/ha-raft/enabled": "false",
    "/ncs-config/ha-raft/ssl/enabled": "true",
    "/ncs-config/ha-raft/ssl/key-file": "",
    "/ncs-config/ha-raft/ssl/cert-file": "",
    "/ncs-config/ha-raft/ssl/ca-cert-file": "",
    "/ncs-config/ha/enabled": "false",
    "/ncs-config/ha/ip": "0.0.0.0",
    "/ncs-config/ha/ssl/enabled": {"6.7": "true"},
    "/ncs-config/ha/ssl/key-file": {"6.7": ""},
    "/ncs-config/ha/ssl/cert-file": {"6.7": ""},
    "/ncs-config/ha/ssl/ca-cert-file": {"6.7": ""},
    "/ncs-config/logs/audit-log/enabled": "true",
    "/ncs-config/logs/audit-log/file/enabled": "false",
    "/ncs-config/logs/audit-log/syslog/enabled": "false",
    "/ncs-config/logs/audit-log/external/enabled": "false",
    "/ncs-config/logs/audit-network-log/enabled": "false",
    "/ncs-config/logs/audit-network-log/file/enabled": "false",
    "/ncs-config/logs/audit-network-log/syslog/enabled": "false",
    "/ncs-config/logs/audit-network-log/external/enabled": "false",
    "/ncs-config/rollback/enabled": "false",
    "/ncs-config/encrypted-strings/external-keys/command": "",
    "/ncs-config/fips-mode/enabled": {v: "false" for v in _ALL_BUT_64},
}


def default_for(path: str, version: str) -> Optional[str]:
    """The documented default of `path` in release `version` (major.minor).

    None when the release has no such parameter or the table does not cover it;
    "" when the parameter exists without a documented default.
    """
    if version not in SUPPORTED_NSO_VERSIONS:
        raise ValueError(f"no defaults for NSO {version}")
    v = DEFAULTS.get(path)
    if v is None or isinstance(v, str):
        return v
    return v.get(version)


def exists_in(path: str, version: str) -> bool:
    v = DEFAULTS.get(path)
    return v is not None and (isinstance(v, str) or version in v)
