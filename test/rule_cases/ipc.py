from factsbuilder import Case
from secure_deploy.facts.types import FileFacts, HostFacts
from secure_deploy.model import Status

P, F, W, M, E, NA = (Status.PASS, Status.FAIL, Status.WARN, Status.MANUAL, Status.ERROR,
                     Status.NOT_APPLICABLE)
ACCESS_FILE = "/etc/ncs/ipc_access"
ENV = (("NCS_CONFIG_DIR", "/etc/ncs"),)


def check_on(filename: str = "${NCS_CONFIG_DIR}/ipc_access") -> str:
    return (f"<ncs-ipc-access-check><enabled>true</enabled><filename>{filename}</filename>"
            "</ncs-ipc-access-check>")


def host(mode=None, uid=1001, owner="nso", exists=True, error=None, daemon_uid=1001, path=ACCESS_FILE):
    f = FileFacts(path=path, exists=exists, mode=mode, uid=uid, gid=1001, owner=owner, group="nso",
                  error=error)
    return HostFacts(install_type="system", install_evidence="fixture", daemon_user="nso" if daemon_uid else None,
                     daemon_uid=daemon_uid, files=(f,))


TCP_ANY = "<ncs-ipc-address><ip>0.0.0.0</ip></ncs-ipc-address>"
LOCAL_ON = "<ncs-local-ipc><enabled>true</enabled></ncs-local-ipc>"
LOCAL_OFF = "<ncs-local-ipc><enabled>false</enabled></ncs-local-ipc>"

CASES = [
    # SD-IPC-001 loopback only
    Case("SD-IPC-001", P, "", note="default-127.0.0.1"),
    Case("SD-IPC-001", P, "<ncs-ipc-address><ip>::1</ip></ncs-ipc-address>", note="ipv6-loopback"),
    Case("SD-IPC-001", P, TCP_ANY + LOCAL_ON, note="tcp-settings-ignored-with-local-ipc"),
    Case("SD-IPC-001", P, TCP_ANY, version="6.7", note="6.7-local-ipc-default"),
    Case("SD-IPC-001", F, TCP_ANY, note="any-without-check"),
    Case("SD-IPC-001", F, TCP_ANY, version="6.6", note="6.6-tcp-default"),
    Case("SD-IPC-001", F, "<ncs-ipc-extra-listen-ip>127.0.0.2</ncs-ipc-extra-listen-ip>"
         "<ncs-ipc-extra-listen-ip>192.0.2.10</ncs-ipc-extra-listen-ip>", note="extra-listen"),
    Case("SD-IPC-001", F, TCP_ANY + check_on(), note="any-with-check-still-unencrypted"),
    # SD-IPC-002 access check + file
    Case("SD-IPC-002", F, "", note="default-off"),
    Case("SD-IPC-002", F, "<ncs-ipc-access-check><enabled>false</enabled>"
         "<filename>${NCS_CONFIG_DIR}/ipc_access</filename></ncs-ipc-access-check>", note="explicit-off"),
    Case("SD-IPC-002", F, check_on(""), note="no-filename"),
    Case("SD-IPC-002", NA, LOCAL_ON, note="local-ipc"),
    Case("SD-IPC-002", NA, "", version="6.7", note="6.7-local-ipc-default"),
    Case("SD-IPC-002", M, check_on(), env=ENV, note="no-host-facts"),
    Case("SD-IPC-002", P, check_on(), env=ENV, host=host(0o400), note="0400-owner-nso"),
    Case("SD-IPC-002", P, check_on(), env=ENV, host=host(0o440, uid=0, owner="root"), note="0440-root"),
    Case("SD-IPC-002", F, check_on(), env=ENV, host=host(0o644), note="world-readable"),
    Case("SD-IPC-002", F, check_on(), env=ENV, host=host(0o460), note="group-writable"),
    Case("SD-IPC-002", F, check_on(), env=ENV, host=host(0o400, uid=1002, owner="bob"), note="foreign-owner"),
    Case("SD-IPC-002", M, check_on(), env=ENV, host=host(0o400, uid=1002, owner="bob", daemon_uid=None),
         note="owner-not-judged-without-daemon-user"),
    Case("SD-IPC-002", P, check_on(), env=ENV, host=host(0o400, uid=0, owner="root", daemon_uid=None),
         note="root-owned-without-daemon-user"),
    Case("SD-IPC-002", F, check_on(), env=ENV, host=host(exists=False), note="missing-file"),
    Case("SD-IPC-002", E, check_on(), env=ENV, host=host(error="permission denied"), note="stat-error"),
    Case("SD-IPC-002", M, check_on(), env=ENV, host=host(0o400, path="/elsewhere"), note="not-inspected"),
    Case("SD-IPC-002", M, check_on(), host=host(0o400), note="unexpanded-var"),
    # SD-IPC-003 unix socket
    Case("SD-IPC-003", P, LOCAL_ON),
    Case("SD-IPC-003", P, "", version="6.7", note="6.7-default-on"),
    Case("SD-IPC-003", F, "", version="6.4", note="6.4-default-off"),
    Case("SD-IPC-003", F, LOCAL_OFF, version="6.7", note="explicit-off"),
    Case("SD-IPC-003", W, check_on(), note="tcp-loopback-with-check"),
    Case("SD-IPC-003", F, TCP_ANY + check_on(), note="tcp-exposed-with-check"),
]
