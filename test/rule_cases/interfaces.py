from factsbuilder import Case
from secure_deploy.facts.types import HostFacts, Settings
from secure_deploy.model import Status

P, F, W, A = Status.PASS, Status.FAIL, Status.WARN, Status.ACCEPTED


def accept(*names: str) -> Settings:
    return Settings(accepted_exposures=names)


def webui(inner: str, enabled: str = "true") -> str:
    return f"<webui><enabled>{enabled}</enabled>{inner}</webui>"


def ssl(inner: str) -> str:
    return f"<transport><tcp><enabled>false</enabled></tcp><ssl><enabled>true</enabled>{inner}</ssl></transport>"


OWN_CERT = ("<key-file>${NCS_CONFIG_DIR}/ssl/cert/host.key</key-file>"
            "<cert-file>${NCS_CONFIG_DIR}/ssl/cert/host.cert</cert-file>")
DEMO_CERT = ("<key-file>${NCS_DIR}/etc/ncs/ssl/cert/host.key</key-file>"
             "<cert-file>${NCS_DIR}/etc/ncs/ssl/cert/host.cert</cert-file>")
CLI_SSH_ON = "<cli><ssh><enabled>true</enabled><ip>0.0.0.0</ip></ssh></cli>"
NC_SSH_ON = "<netconf-north-bound><transport><ssh><enabled>true</enabled></ssh></transport></netconf-north-bound>"
WEB_HTTP_ON = webui("<transport><tcp><enabled>true</enabled></tcp></transport>")

CASES = [
    # SD-IF-001 CLI over SSH
    Case("SD-IF-001", P, "<cli><ssh><enabled>false</enabled></ssh></cli>"),
    Case("SD-IF-001", P, "<cli><enabled>false</enabled></cli>", note="cli-server-off"),
    Case("SD-IF-001", F, CLI_SSH_ON),
    Case("SD-IF-001", F, "", note="absent-default-true"),
    Case("SD-IF-001", F, "<cli><ssh><enabled>true</enabled><ip>127.0.0.1</ip></ssh></cli>",
         note="loopback-still-enabled"),
    Case("SD-IF-001", A, CLI_SSH_ON, settings=accept("cli-ssh"), note="accepted"),
    Case("SD-IF-001", F, CLI_SSH_ON, settings=accept("netconf-ssh"), note="other-exposure-accepted"),
    # SD-IF-002 NETCONF over SSH
    Case("SD-IF-002", P, NC_SSH_ON.replace("true", "false")),
    Case("SD-IF-002", P, "<netconf-north-bound><enabled>false</enabled></netconf-north-bound>", note="netconf-off"),
    Case("SD-IF-002", F, NC_SSH_ON),
    Case("SD-IF-002", F, "", note="absent-default-true"),
    Case("SD-IF-002", A, NC_SSH_ON, settings=accept("netconf-ssh"), note="accepted"),
    # SD-IF-003 WebUI over HTTP
    Case("SD-IF-003", P, webui("<transport><tcp><enabled>false</enabled></tcp></transport>")),
    Case("SD-IF-003", P, "", note="webui-off-by-default"),
    Case("SD-IF-003", P, webui("<transport><tcp><enabled>true</enabled></tcp></transport>", "false"),
         note="tcp-on-but-webui-off"),
    Case("SD-IF-003", F, WEB_HTTP_ON),
    Case("SD-IF-003", F, webui(""), note="webui-on-tcp-default-true"),
    Case("SD-IF-003", A, WEB_HTTP_ON, settings=accept("webui-http"), note="accepted"),
    # SD-IF-004 TLS on the web server
    Case("SD-IF-004", P, "", note="webui-and-restconf-off"),
    Case("SD-IF-004", P, webui(ssl(OWN_CERT))),
    Case("SD-IF-004", P, webui(ssl(OWN_CERT + "<protocols>tlsv1.2 tlsv1.3</protocols>")), note="explicit-tls12"),
    Case("SD-IF-004", P, webui(ssl("<read-from-db>true</read-from-db>")), note="certs-in-cdb"),
    Case("SD-IF-004", W, webui(ssl("")), note="tls-without-cert-file-unverified-fallback"),
    Case("SD-IF-004", F, "<restconf><enabled>true</enabled><transport><ssl><enabled>true</enabled>"
         "<key-file>/etc/ncs/ssl/k.key</key-file><cert-file>/etc/ncs/ssl/k.cert</cert-file></ssl>"
         "<tcp><enabled>true</enabled><ip>0.0.0.0</ip></tcp></transport></restconf>",
         note="restconf-https-plus-clear-text-listener"),
    Case("SD-IF-004", P, "<restconf><enabled>true</enabled><transport><ssl><enabled>true</enabled>"
         "<key-file>/etc/ncs/ssl/k.key</key-file><cert-file>/etc/ncs/ssl/k.cert</cert-file></ssl>"
         "<tcp><enabled>true</enabled><ip>127.0.0.1</ip></tcp></transport></restconf>",
         note="restconf-https-plus-loopback-http"),
    Case("SD-IF-004", P, webui("<transport><tcp><enabled>false</enabled></tcp></transport>"),
         note="enabled-without-any-transport-nothing-listens"),
    Case("SD-IF-004", F, "<restconf><enabled>true</enabled></restconf>",
         note="restconf-on-default-webui-http-transport"),
    Case("SD-IF-004", F, webui(ssl(OWN_CERT + "<protocols>tlsv1.1 tlsv1.2</protocols>")), note="tls11"),
    Case("SD-IF-004", F, webui(ssl(OWN_CERT + "<protocols>tlsv1</protocols>")), note="tls10"),
    Case("SD-IF-004", F, webui(ssl(DEMO_CERT)), note="demo-cert"),
    Case("SD-IF-004", F, webui(ssl("<cert-file>/home/dev/nso-6.4/etc/ncs/ssl/cert/host.cert</cert-file>")),
         env=(("NCS_DIR", "/home/dev/nso-6.4"),), note="demo-cert-expanded"),
    Case("SD-IF-004", F, webui(ssl("<cert-file>/opt/ncs/ncs-6.4.1/etc/ncs/ssl/cert/host.cert</cert-file>")),
         host=HostFacts(install_type="system", install_evidence="fixture", ncs_dir="/opt/ncs/ncs-6.4.1"),
         note="demo-cert-literal-path-known-from-host"),
    Case("SD-IF-004", P, webui(ssl("<cert-file>/opt/ncs/ncs-6.4.1/etc/ncs/ssl/cert/host.cert</cert-file>")),
         note="literal-path-unknown-install-dir"),
    Case("SD-IF-004", F, WEB_HTTP_ON, note="http-only"),
    Case("SD-IF-004", A, WEB_HTTP_ON, settings=accept("webui-http"), note="http-only-accepted"),
    Case("SD-IF-004", F, "<restconf><enabled>true</enabled></restconf>",
         note="restconf-on-webui-default-transport-http"),
    Case("SD-IF-004", P, "<restconf><enabled>true</enabled><transport><ssl><enabled>true</enabled>"
         + OWN_CERT + "</ssl></transport></restconf>", note="restconf-own-tls"),
    Case("SD-IF-004", F, "<restconf><enabled>true</enabled><transport><ssl><enabled>true</enabled>"
         + DEMO_CERT + "</ssl></transport></restconf>", note="restconf-own-demo-cert"),
    Case("SD-IF-004", F, "<restconf><enabled>true</enabled><transport><tcp><enabled>true</enabled></tcp>"
         "</transport></restconf>", note="restconf-own-plain-tcp"),
    # SD-IF-005 NETCONF over TCP
    Case("SD-IF-005", P, ""),
    Case("SD-IF-005", P, "<netconf-north-bound><transport><tcp><enabled>true</enabled><ip>127.0.0.1</ip></tcp>"
         "</transport></netconf-north-bound>", note="loopback"),
    Case("SD-IF-005", P, "<netconf-north-bound><enabled>false</enabled><transport><tcp><enabled>true</enabled>"
         "</tcp></transport></netconf-north-bound>", note="netconf-off"),
    Case("SD-IF-005", F, "<netconf-north-bound><transport><tcp><enabled>true</enabled></tcp>"
         "</transport></netconf-north-bound>", note="default-ip-any"),
    Case("SD-IF-005", F, "<netconf-north-bound><transport><tcp><enabled>true</enabled><ip>::1</ip>"
         "<extra-listen><ip>10.0.0.1</ip><port>2023</port></extra-listen></tcp>"
         "</transport></netconf-north-bound>", note="extra-listen-exposed"),
    # SD-IF-006 CGI
    Case("SD-IF-006", P, webui("<cgi><enabled>false</enabled></cgi>")),
    Case("SD-IF-006", P, webui("", "true"), note="cgi-default-off"),
    Case("SD-IF-006", P, webui("<cgi><enabled>true</enabled></cgi>", "false"), note="webui-off"),
    Case("SD-IF-006", F, webui("<cgi><enabled>true</enabled></cgi>")),
    # SD-IF-007 match-host-name (default false in 6.4, true from 6.5)
    Case("SD-IF-007", P, webui("<match-host-name>true</match-host-name>")),
    Case("SD-IF-007", P, webui(""), version="6.5", note="6.5-default-true"),
    Case("SD-IF-007", P, "", note="webui-off"),
    Case("SD-IF-007", F, webui(""), version="6.4", note="6.4-default-false"),
    Case("SD-IF-007", F, webui("<match-host-name>false</match-host-name>"), version="6.7", note="explicit-false"),
    # SD-IF-008 restricted-file-access
    Case("SD-IF-008", P, "<cli><restricted-file-access>true</restricted-file-access></cli>"),
    Case("SD-IF-008", P, "<cli><enabled>false</enabled></cli>", note="cli-off"),
    Case("SD-IF-008", F, "", note="absent-default-false"),
    Case("SD-IF-008", F, "<cli><restricted-file-access>false</restricted-file-access></cli>"),
]

# The guide's production ncs.conf (system install): WebUI enabled with both transports
# off, CGI on, RESTCONF on without a transport of its own. Nothing listens (issue 10).
GUIDE_PRODUCTION_WEB = ("<webui><enabled>true</enabled><transport><tcp><enabled>false</enabled>"
                        "<ip>0.0.0.0</ip><port>8080</port></tcp><ssl><enabled>false</enabled>"
                        "<ip>0.0.0.0</ip><port>8888</port></ssl></transport>"
                        "<cgi><enabled>true</enabled></cgi></webui><restconf><enabled>true</enabled></restconf>")
CASES += [Case(rule_id, P, GUIDE_PRODUCTION_WEB, version=v, note=f"guide-production-nothing-listens-{v}")
          for rule_id in ("SD-IF-004", "SD-IF-006", "SD-IF-007") for v in ("6.4", "6.7")]
