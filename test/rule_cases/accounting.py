"""Fixtures for checks/accounting.py."""
from factsbuilder import Case
from secure_deploy.model import Status

P, F = Status.PASS, Status.FAIL

AUDIT_FILE = ("<logs><audit-log><enabled>true</enabled><file><name>${NCS_LOG_DIR}/audit.log</name>"
              "<enabled>true</enabled></file></audit-log></logs>")

CASES = [
    Case("SD-AUDIT-001", P, AUDIT_FILE, env=(("NCS_LOG_DIR", "/var/log/ncs"),)),
    Case("SD-AUDIT-001", P, "<logs><audit-log><syslog><enabled>true</enabled></syslog></audit-log></logs>",
         note="syslog-only-enabled-by-default"),
    Case("SD-AUDIT-001", F, "", note="absent-written-nowhere"),
    Case("SD-AUDIT-001", F, "<logs><audit-log><enabled>false</enabled><file><enabled>true</enabled>"
         "</file></audit-log></logs>", note="disabled"),
    Case("SD-AUDIT-002", P, "<rollback><enabled>true</enabled></rollback>"),
    Case("SD-AUDIT-002", F, "", note="absent-default-false"),
    Case("SD-AUDIT-002", F, "<rollback><enabled>false</enabled></rollback>", version="6.7"),
    Case("SD-AUDIT-003", P, "<logs><audit-network-log><enabled>true</enabled><file><enabled>true</enabled>"
         "<name>/var/log/ncs/audit-network.log</name></file></audit-network-log></logs>"),
    Case("SD-AUDIT-003", F, "", note="absent-disabled"),
    Case("SD-AUDIT-003", F, "<logs><audit-network-log><enabled>true</enabled></audit-network-log></logs>",
         note="enabled-written-nowhere"),
    # syslog has no effect for this log (ncs.conf(5)): it does not count as an output.
    Case("SD-AUDIT-003", F, "<logs><audit-network-log><enabled>true</enabled><syslog><enabled>true</enabled>"
         "</syslog></audit-network-log></logs>", note="syslog-has-no-effect"),
]
