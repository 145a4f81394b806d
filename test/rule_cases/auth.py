from factsbuilder import Case
from secure_deploy.model import Status

P, F, W = Status.PASS, Status.FAIL, Status.WARN

CASES = [
    Case("SD-AUTH-001", P, "<aaa><local-authentication><enabled>false</enabled></local-authentication></aaa>"),
    Case("SD-AUTH-001", F, "<aaa><local-authentication><enabled>true</enabled></local-authentication></aaa>"),
    Case("SD-AUTH-001", F, "", note="absent-means-default-true"),
    Case("SD-AUTH-002", P, "<aaa><pam><enabled>true</enabled><service>system-auth</service></pam></aaa>"),
    Case("SD-AUTH-002", F, "<aaa><pam><enabled>true</enabled><service>common-auth</service></pam></aaa>"),
    Case("SD-AUTH-002", F, "<aaa><pam><enabled>true</enabled></pam></aaa>", note="default-service"),
    Case("SD-AUTH-002", F, "<aaa><pam><enabled>false</enabled><service>system-auth</service></pam></aaa>",
         note="pam-off"),
    Case("SD-AUTH-003", P, "<aaa><expiration-warning>prompt</expiration-warning></aaa>"),
    Case("SD-AUTH-003", W, "<aaa><expiration-warning>display</expiration-warning></aaa>"),
    Case("SD-AUTH-003", F, "", note="default-ignore"),
]
