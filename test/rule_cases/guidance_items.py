"""Fixtures of the rules added for the guidance items issue 10 found uncovered.

Rules tagged manual-check answer MANUAL (with what to check) where the facts cannot
decide; each has a MANUAL fixture and one where the facts do decide.
"""
from factsbuilder import Case
from secure_deploy.model import Status

from .keys import LEGACY_DUMMY, LEGACY_RANDOM, ROTATED, kf

P, F, W, M, NA, E = (Status.PASS, Status.FAIL, Status.WARN, Status.MANUAL, Status.NOT_APPLICABLE,
                     Status.ERROR)
PAM_ON = "<aaa><pam><enabled>true</enabled><service>system-auth</service></pam></aaa>"
SSH_OFF = ("<cli><ssh><enabled>false</enabled></ssh></cli><netconf-north-bound><transport><ssh>"
           "<enabled>false</enabled></ssh></transport></netconf-north-bound>")
NC_ONLY = "<cli><ssh><enabled>false</enabled></ssh></cli>"
RC_ON = "<restconf><enabled>true</enabled></restconf>"
WEB_TLS = ("<webui><enabled>true</enabled><transport><tcp><enabled>false</enabled></tcp><ssl><enabled>true"
           "</enabled></ssl></transport></webui>")
DEVICES = ('<config xmlns="http://tail-f.com/ns/config/1.0"><devices xmlns="http://tail-f.com/ns/ncs">'
           "{}</devices></config>")
EVERYTHING_OFF = SSH_OFF + "<webui><enabled>false</enabled></webui>"

CASES = [
    Case("SD-CONF-001", P, "<cli><ssh><enabled>false</enabled></ssh></cli>"),
    Case("SD-CONF-001", F, "<cli><ssh><enabled>false</enabled><enabled>true</enabled></ssh></cli>",
         note="duplicated-enabled"),
    Case("SD-CONF-001", F, "<crypt-hash><algorithm>sha-512</algorithm><algorithm>md5</algorithm></crypt-hash>",
         note="duplicated-known-leaf"),
    Case("SD-CONF-001", P, "<scripts><dir>a</dir><dir>b</dir></scripts>", note="leaf-list-repeats"),
    Case("SD-CONF-001", W, '<cli xmlns="urn:example:other"><ssh><enabled>false</enabled></ssh></cli>',
         note="foreign-namespace"),
    Case("SD-INSTALL-003", M, "", note="review-is-a-person's"),
    Case("SD-AUTH-005", M, PAM_ON, note="pam-groups-from-os"),
    Case("SD-AUTH-005", NA, "", note="pam-off"),
    Case("SD-AUTH-006", P, "", note="default-system"),
    Case("SD-AUTH-006", P, "<aaa><ssh-pubkey-authentication>local</ssh-pubkey-authentication></aaa>", note="local"),
    Case("SD-AUTH-006", F, "<aaa><ssh-pubkey-authentication>none</ssh-pubkey-authentication></aaa>", note="none"),
    Case("SD-AUTH-006", NA, SSH_OFF + "<aaa><ssh-pubkey-authentication>none</ssh-pubkey-authentication></aaa>",
         note="no-ssh-server"),
    Case("SD-AUTH-006", F, NC_ONLY + "<aaa><ssh-pubkey-authentication>none</ssh-pubkey-authentication></aaa>",
         note="netconf-ssh-only"),
    Case("SD-AUTH-006", E, "<aaa><ssh-pubkey-authentication>maybe</ssh-pubkey-authentication></aaa>",
         note="unknown-value"),
    Case("SD-AUTH-007", NA, "", note="restconf-off"),
    Case("SD-AUTH-007", M, RC_ON, note="passwords-only-visible"),
    Case("SD-AUTH-007", P, "<restconf><enabled>true</enabled><token-response><x-auth-token>true</x-auth-token>"
         "</token-response></restconf>", note="x-auth-token"),
    Case("SD-AUTH-007", P, RC_ON + "<aaa><external-authentication><enabled>true</enabled>"
         "<executable>/opt/auth</executable></external-authentication></aaa>", note="external-auth"),
    Case("SD-AUTH-008", NA, "", note="webui-off"),
    Case("SD-AUTH-008", NA, "<webui><enabled>true</enabled><transport><tcp><enabled>false</enabled></tcp>"
         "</transport></webui>", note="nothing-served"),
    Case("SD-AUTH-008", M, WEB_TLS, note="password-login"),
    Case("SD-AUTH-008", P, WEB_TLS + "<aaa><single-sign-on><enabled>true</enabled></single-sign-on></aaa>",
         note="sso-on"),
    Case("SD-KEYS-006", P, keys=kf(ROTATED), note="rotated-generation-1"),
    Case("SD-KEYS-006", M, keys=kf(LEGACY_RANDOM), note="legacy-may-be-installers"),
    Case("SD-KEYS-006", F, keys=kf(LEGACY_DUMMY), note="demo-keys"),
    Case("SD-KEYS-006", M, note="no-keys-file-check-on-the-host"),
    Case("SD-SB-004", M, note="which-neds-is-a-person's-check"),
    Case("SD-SB-004", NA, cdb_xml=DEVICES.format(""), note="no-devices"),
    Case("SD-LIMIT-006", M, "", note="default-listeners"),
    Case("SD-LIMIT-006", NA, EVERYTHING_OFF, note="nothing-beyond-loopback"),
    Case("SD-HA-005", NA, "", note="no-ha"),
    Case("SD-HA-005", M, "<ha-raft><enabled>true</enabled></ha-raft>", keys=kf(ROTATED), note="raft-single-node"),
    Case("SD-AUDIT-004", M, note="compliance-reports-are-a-person's-check"),
]
