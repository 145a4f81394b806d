"""Fixtures for checks/ha.py."""
from factsbuilder import Case
from secure_deploy.facts.types import FileFacts, HostFacts
from secure_deploy.model import Status

P, F, W, M, E, NA = (Status.PASS, Status.FAIL, Status.WARN, Status.MANUAL, Status.ERROR,
                     Status.NOT_APPLICABLE)

CFG = "/etc/ncs"
ENV = (("NCS_CONFIG_DIR", CFG),)
KEY, CERT, CA = (f"{CFG}/dist/ssl/private/n1.key", f"{CFG}/dist/ssl/certs/n1.crt",
                 f"{CFG}/dist/ssl/certs/ca.crt")
SSL_FILES = ("<key-file>${NCS_CONFIG_DIR}/dist/ssl/private/n1.key</key-file>"
             "<cert-file>${NCS_CONFIG_DIR}/dist/ssl/certs/n1.crt</cert-file>"
             "<ca-cert-file>${NCS_CONFIG_DIR}/dist/ssl/certs/ca.crt</ca-cert-file>")
RAFT = "<ha-raft><enabled>true</enabled><ssl>{}</ssl></ha-raft>"
RAFT_FILES = RAFT.format(SSL_FILES)
RULE_HA = "<ha><enabled>true</enabled>{}</ha>"


def host(*files: FileFacts) -> HostFacts:
    return HostFacts(install_type="system", install_evidence="fixture", config_dir=CFG, files=files)


def present(path: str) -> FileFacts:
    return FileFacts(path, True, mode=0o600, uid=1000, gid=1000, owner="nso", group="nso")


ALL_PRESENT = host(present(KEY), present(CERT), present(CA))
KEY_MISSING = host(FileFacts(KEY, False), present(CERT), present(CA))
KEY_UNREADABLE = host(FileFacts(KEY, False, error="permission denied"), present(CERT), present(CA))


def token_cdb(token: bool) -> str:
    inner = "<token>$9$placeholderNotARealToken</token>" if token else ""
    return ('<config xmlns="http://tail-f.com/ns/config/1.0">'
            '<high-availability xmlns="http://tail-f.com/ns/ncs">' + inner +
            "<ha-node><id>n1</id><address>192.0.2.1</address></ha-node>"
            "</high-availability></config>")


NO_HA_CDB = ('<config xmlns="http://tail-f.com/ns/config/1.0">'
             '<aaa xmlns="http://tail-f.com/ns/aaa/1.1"><authentication><users/></authentication></aaa></config>')

CASES = [
    # SD-HA-001: TLS between HA Raft nodes (ssl/enabled defaults to true).
    Case("SD-HA-001", P, RAFT.format(""), note="ssl-default-true"),
    Case("SD-HA-001", P, RAFT.format("<enabled>true</enabled>"), version="6.7", note="ssl-explicit"),
    Case("SD-HA-001", F, RAFT.format("<enabled>false</enabled>")),
    Case("SD-HA-001", NA, "<ha-raft><ssl><enabled>false</enabled></ssl></ha-raft>", note="raft-off"),
    # SD-HA-002: files configured and present.
    Case("SD-HA-002", P, RAFT_FILES, host=ALL_PRESENT, env=ENV, note="files-present"),
    Case("SD-HA-002", M, RAFT_FILES, env=ENV, note="host-not-inspected"),
    Case("SD-HA-002", M, RAFT_FILES, host=host(), env=ENV, note="files-not-in-host-facts"),
    Case("SD-HA-002", F, RAFT_FILES, host=KEY_MISSING, env=ENV, note="key-missing"),
    Case("SD-HA-002", E, RAFT_FILES, host=KEY_UNREADABLE, env=ENV, note="key-unstatable"),
    Case("SD-HA-002", F, RAFT.format("<cert-file>/etc/ncs/n1.crt</cert-file>"), note="not-configured"),
    Case("SD-HA-002", NA, RAFT.format("<enabled>false</enabled>" + SSL_FILES), note="raft-without-tls"),
    Case("SD-HA-002", F, RULE_HA.format(""), version="6.7", note="rule-based-ha-6.7-tls-default-no-files"),
    Case("SD-HA-002", P, RULE_HA.format(f"<ssl>{SSL_FILES}</ssl>"), version="6.7", host=ALL_PRESENT, env=ENV,
         note="rule-based-ha-6.7-files"),
    Case("SD-HA-002", NA, RULE_HA.format(""), version="6.6", note="rule-based-ha-6.6-has-no-tls"),
    # SD-HA-003: rule-based HA is unencrypted before 6.7.
    Case("SD-HA-003", W, RULE_HA.format(""), version="6.4", note="6.4-unencrypted"),
    Case("SD-HA-003", W, RULE_HA.format(""), version="6.6", note="6.6-unencrypted"),
    Case("SD-HA-003", P, RULE_HA.format(""), version="6.7", note="6.7-tls-default"),
    Case("SD-HA-003", F, RULE_HA.format("<ssl><enabled>false</enabled></ssl>"), version="6.7",
         note="6.7-tls-off"),
    Case("SD-HA-003", NA, "<ha><enabled>false</enabled></ha>", note="ha-off"),
    # SD-HA-004: the shared token.
    Case("SD-HA-004", P, RULE_HA.format(""), cdb_xml=token_cdb(True), note="token-set"),
    Case("SD-HA-004", F, RULE_HA.format(""), cdb_xml=token_cdb(False), note="no-token"),
    Case("SD-HA-004", M, RULE_HA.format(""), cdb_xml=NO_HA_CDB, note="no-ha-data"),
    Case("SD-HA-004", NA, "", cdb_xml=token_cdb(False), note="ha-off"),
]
