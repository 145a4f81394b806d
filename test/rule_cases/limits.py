"""Fixtures for checks/limits.py."""
from factsbuilder import Case
from secure_deploy.model import Status

P, F, W, NA = Status.PASS, Status.FAIL, Status.WARN, Status.NOT_APPLICABLE

SESSIONS_OK = "<session-limits><max-sessions>100</max-sessions><max-config-sessions>20</max-config-sessions></session-limits>"
PARSER_OK = ("<parser-limits><max-attribute-value-length>65536</max-attribute-value-length>"
             "<max-data-length>16777216</max-data-length></parser-limits>")
WEBUI_ON = "<webui><enabled>true</enabled>{}</webui>"

CASES = [
    Case("SD-LIMIT-001", P, SESSIONS_OK),
    Case("SD-LIMIT-001", F, "", note="absent-unbounded-default"),
    Case("SD-LIMIT-001", F, "<session-limits><max-sessions>100</max-sessions></session-limits>",
         note="config-sessions-unbounded"),
    Case("SD-LIMIT-001", F, "<session-limits><max-sessions>unbounded</max-sessions>"
         "<max-config-sessions>10</max-config-sessions></session-limits>", version="6.7", note="explicit-unbounded"),
    Case("SD-LIMIT-002", P, "", note="default-logical-processors"),
    Case("SD-LIMIT-002", P, "<transaction-limits><max-transactions>8</max-transactions></transaction-limits>",
         note="number"),
    Case("SD-LIMIT-002", F, "<transaction-limits><max-transactions>unbounded</max-transactions></transaction-limits>"),
    Case("SD-LIMIT-003", P, PARSER_OK),
    Case("SD-LIMIT-003", P, "<parser-limits><max-attribute-value-length>65536</max-attribute-value-length>"
         "<max-data-length>16777216</max-data-length><max-tag-length>model</max-tag-length></parser-limits>",
         note="model-is-bounded"),
    Case("SD-LIMIT-003", F, "", note="absent-two-unbounded-defaults"),
    Case("SD-LIMIT-003", F, "<parser-limits><max-attribute-value-length>65536</max-attribute-value-length>"
         "<max-data-length>16777216</max-data-length><max-xmlns-count>unbounded</max-xmlns-count>"
         "</parser-limits>", note="explicit-unbounded-other"),
    # SD-LIMIT-004: only when the web server runs.
    Case("SD-LIMIT-004", P, WEBUI_ON.format(""), note="default-65536"),
    Case("SD-LIMIT-004", F, WEBUI_ON.format("<transport><unauthenticated-message-limit>nolimit"
                                            "</unauthenticated-message-limit></transport>")),
    Case("SD-LIMIT-004", F, "<restconf><enabled>true</enabled></restconf><webui><transport>"
         "<unauthenticated-message-limit>nolimit</unauthenticated-message-limit></transport></webui>",
         note="restconf-only"),
    Case("SD-LIMIT-004", NA, "<webui><transport><unauthenticated-message-limit>nolimit"
         "</unauthenticated-message-limit></transport></webui>", note="webui-off-by-default"),
    # SD-LIMIT-005: JSON-RPC rate limit, 0 = none.
    Case("SD-LIMIT-005", P, WEBUI_ON.format(""), note="default-1000000"),
    Case("SD-LIMIT-005", P, WEBUI_ON.format("<rate-limiting>5000</rate-limiting>"), note="lower"),
    Case("SD-LIMIT-005", F, WEBUI_ON.format("<rate-limiting>0</rate-limiting>")),
    Case("SD-LIMIT-005", NA, "<webui><enabled>false</enabled><rate-limiting>0</rate-limiting></webui>",
         note="webui-off"),
]
