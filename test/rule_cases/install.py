from factsbuilder import Case
from secure_deploy.facts.types import HostFacts
from secure_deploy.model import Status

P, F, M = Status.PASS, Status.FAIL, Status.MANUAL


def _host(kind: str, evidence: str = "fixture") -> HostFacts:
    return HostFacts(install_type=kind, install_evidence=evidence, ncs_dir="/opt/ncs/current")


CASES = [
    Case("SD-INSTALL-001", P, host=_host("system", "NCS_DIR=/opt/ncs/current, /etc/ncs/ncs.conf")),
    Case("SD-INSTALL-001", F, host=_host("local", "ncs.conf in the ncs-setup directory")),
    Case("SD-INSTALL-001", M, host=_host("unknown", "no NCS_DIR"), note="unknown-layout"),
    Case("SD-INSTALL-001", Status.MANUAL, "", note="no-host-facts-check-by-hand"),
    # SD-INSTALL-002
    Case("SD-INSTALL-002", P, "<state-dir>${NCS_RUN_DIR}/state</state-dir>"
         "<aaa><ssh-server-key-dir>${NCS_CONFIG_DIR}/ssh</ssh-server-key-dir></aaa>"),
    Case("SD-INSTALL-002", P, "", note="empty-conf"),
    Case("SD-INSTALL-002", P, "<load-path><dir>${NCS_DIR}/etc/ncs</dir></load-path>",
         note="load-path-in-ncs-dir-is-normal"),
    Case("SD-INSTALL-002", F, "<state-dir>./state</state-dir>", note="relative-state-dir"),
    Case("SD-INSTALL-002", F, "<cdb><db-dir>./ncs-cdb</db-dir></cdb>", note="relative-cdb"),
    Case("SD-INSTALL-002", F, "<logs><ncs-log><file><name>./logs/ncs.log</name></file></ncs-log></logs>",
         note="relative-log"),
    Case("SD-INSTALL-002", F, "<aaa><ssh-server-key-dir>${NCS_DIR}/etc/ncs/ssh</ssh-server-key-dir></aaa>",
         note="host-keys-from-distribution"),
    Case("SD-INSTALL-002", F, "<ncs-ipc-access-check><enabled>false</enabled>"
         "<filename>${NCS_DIR}/etc/ncs/ipc_access</filename></ncs-ipc-access-check>", note="ipc-access-file"),
    Case("SD-INSTALL-002", F, "<webui><transport><ssl><key-file>/home/dev/nso-6.4/etc/ncs/ssl/cert/host.key"
         "</key-file></ssl></transport></webui>", env=(("NCS_DIR", "/home/dev/nso-6.4"),),
         note="expanded-ncs-dir"),
    Case("SD-INSTALL-002", F, "<encrypted-strings><AESCFB128><key>0123456789abcdef0123456789abcdef</key>"
         "</AESCFB128></encrypted-strings>", note="example-keys"),
]
