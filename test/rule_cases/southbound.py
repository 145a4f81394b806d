"""Fixtures for checks/southbound.py, written as CDB XML (the real reader parses them)."""
from factsbuilder import Case
from secure_deploy.model import Status

P, F, M, NA = Status.PASS, Status.FAIL, Status.MANUAL, Status.NOT_APPLICABLE
NCS_NS = "http://tail-f.com/ns/ncs"


def cdb(*parts: str) -> str:
    return '<config xmlns="http://tail-f.com/ns/config/1.0">' + "".join(parts) + "</config>"


def devices(*body: str) -> str:
    return f'<devices xmlns="{NCS_NS}">' + "".join(body) + "</devices>"


def device(name: str, hkv: str = None, algs: str = "") -> str:
    ssh = f"<ssh><host-key-verification>{hkv}</host-key-verification></ssh>" if hkv else ""
    return (f"<device><name>{name}</name><address>192.0.2.1</address><authgroup>default</authgroup>"
            f"{ssh}{algs}</device>")


def global_hkv(value: str) -> str:
    return f'<ssh xmlns="{NCS_NS}"><host-key-verification>{value}</host-key-verification></ssh>'


def algorithms(**kinds) -> str:
    body = "".join(f"<{k.replace('_', '-')}>{a}</{k.replace('_', '-')}>" for k, v in kinds.items() for a in v)
    return f"<ssh-algorithms>{body}</ssh-algorithms>"


def authgroup(name: str, *maps: str) -> str:
    return f"<authgroups><group><name>{name}</name>{''.join(maps)}</group></authgroups>"


def umap(user: str, remote: str, password: str) -> str:
    return (f"<umap><local-user>{user}</local-user><remote-name>{remote}</remote-name>"
            f"<remote-password>{password}</remote-password></umap>")


STRONG = algorithms(kex=["curve25519-sha256", "diffie-hellman-group14-sha256"], mac=["hmac-sha2-256"],
                    cipher=["aes256-ctr", "aes128-gcm@openssh.com"], public_key=["rsa-sha2-512", "ssh-ed25519"])
NO_DEVICES = ('<config xmlns="http://tail-f.com/ns/config/1.0"><aaa xmlns="http://tail-f.com/ns/aaa/1.1">'
              "<authentication><users/></authentication></aaa></config>")
# An encrypted remote-password: cannot be compared, so never "default".
ENCRYPTED = "$9$abcdefghijklmnopqrstuvwxyzABCDEFGHIJ="

CASES = [
    Case("SD-SB-001", P, cdb_xml=cdb(devices(device("r1"), device("r2", "reject-unknown"))), note="default"),
    Case("SD-SB-001", P, cdb_xml=cdb(global_hkv("reject-unknown"), devices(device("r1"))), note="explicit"),
    Case("SD-SB-001", F, cdb_xml=cdb(global_hkv("none"), devices(device("r1"))), note="global-none"),
    Case("SD-SB-001", F, cdb_xml=cdb(devices(device("r1"), device("r2", "none"))), note="device-none"),
    Case("SD-SB-001", NA, cdb_xml=NO_DEVICES, note="no-device-data"),

    Case("SD-SB-002", M, cdb_xml=cdb(devices(authgroup("default", umap("admin", "admin", ENCRYPTED)))),
         note="encrypted-not-compared"),
    Case("SD-SB-002", F, cdb_xml=cdb(devices(authgroup("default", umap("admin", "admin", ENCRYPTED),
                                                       umap("oper", "oper", "$0$oper")))),
         note="encrypted-and-cleartext-default"),
    Case("SD-SB-002", P, cdb_xml=cdb(devices(authgroup("g", "<umap><local-user>admin</local-user>"
                                                       "<public-key/></umap>"))),
         note="public-key-only"),
    Case("SD-SB-002", P, cdb_xml=cdb(devices(authgroup("g", umap("admin", "svc-nso", "$0$Xk3!long-random")))),
         note="non-default-cleartext"),
    Case("SD-SB-002", F, cdb_xml=cdb(devices(authgroup("default", umap("admin", "admin", "$0$admin"),
                                                       umap("oper", "oper", "$0$oper")))),
         note="local-install-defaults"),
    Case("SD-SB-002", F, cdb_xml=cdb(devices(authgroup(
        "default", "<default-map><remote-name>cisco</remote-name>"
                   "<remote-password>$0$cisco</remote-password></default-map>"))), note="default-map-cisco"),
    Case("SD-SB-002", NA, cdb_xml=cdb(devices(device("r1"))), note="no-authgroups"),
    # same-user in the default map: each NSO user's own name is the device user, so a
    # common password is a default for one of them; an encrypted one is not compared.
    Case("SD-SB-002", F, cdb_xml=cdb(devices(authgroup(
        "default", "<default-map><same-user/><remote-password>$0$admin</remote-password></default-map>"))),
         note="same-user-default-map-cleartext"),
    Case("SD-SB-002", M, cdb_xml=cdb(devices(authgroup(
        "default", f"<default-map><same-user/><remote-password>{ENCRYPTED}</remote-password></default-map>"))),
         note="same-user-default-map-encrypted"),

    Case("SD-SB-003", P, cdb_xml=cdb(devices("<global-settings>" + STRONG + "</global-settings>", device("r1"))),
         note="strong-global"),
    Case("SD-SB-003", F, cdb_xml=cdb(devices("<global-settings>" + algorithms(
        kex=["diffie-hellman-group14-sha1"], mac=["hmac-sha1"]) + "</global-settings>")), note="sha1-global"),
    Case("SD-SB-003", F, cdb_xml=cdb(devices("<global-settings>" + STRONG + "</global-settings>",
                                             device("old", algs=algorithms(cipher=["aes128-cbc", "3des-cbc"])))),
         note="device-cbc"),
    Case("SD-SB-003", F, cdb_xml=cdb(devices(device("r", algs=algorithms(public_key=["ssh-rsa"])))),
         note="device-ssh-rsa"),
    Case("SD-SB-003", M, cdb_xml=cdb(devices(device("r1"))), note="defaults-only"),
    Case("SD-SB-003", F, cdb_xml=cdb(devices("<global-settings>" + STRONG + "</global-settings>",
                                             "<profiles><profile><name>legacy</name>"
                                             + algorithms(cipher=["aes128-cbc"]) + "</profile></profiles>",
                                             device("r1"))), note="profile-cbc"),
    Case("SD-SB-003", P, cdb_xml=cdb(devices("<global-settings>" + STRONG + "</global-settings>",
                                             "<profiles><profile><name>modern</name>" + STRONG
                                             + "</profile></profiles>", device("r1"))), note="profile-strong"),
    Case("SD-SB-003", NA, cdb_xml=NO_DEVICES, note="no-device-data"),
]
