from factsbuilder import Case
from secure_deploy.model import Status

P, F, E = Status.PASS, Status.FAIL, Status.ERROR


def _alg(inner: str) -> str:
    return f"<ssh><algorithms>{inner}</algorithms></ssh>"


GOOD_KEX = "<kex>curve25519-sha256,diffie-hellman-group16-sha512</kex>"
GOOD_MAC = "<mac>hmac-sha2-256,hmac-sha2-512</mac>"
GOOD = GOOD_KEX + GOOD_MAC

CASES = [
    # SD-SSH-001: host key algorithms
    Case("SD-SSH-001", P, _alg("<server-host-key>ssh-ed25519</server-host-key>")),
    Case("SD-SSH-001", P, _alg("<server-host-key>ssh-ed25519</server-host-key>"), version="6.7",
         note="explicit-on-6.7"),
    Case("SD-SSH-001", P, "", version="6.4", note="absent-6.4-default-ed25519"),
    Case("SD-SSH-001", F, "", version="6.5", note="absent-6.5-default-adds-ecdsa"),
    Case("SD-SSH-001", F, "", version="6.6", note="absent-6.6-default-adds-ecdsa"),
    Case("SD-SSH-001", P, "<ssh><algorithms>\n</algorithms></ssh>", version="6.4",
         note="empty-container-means-defaults"),
    Case("SD-SSH-001", F, _alg("<server-host-key></server-host-key>"), note="empty-means-all"),
    Case("SD-SSH-001", F, _alg("<server-host-key>ssh-ed25519,ssh-rsa</server-host-key>"), note="rsa-too"),
    Case("SD-SSH-001", F, _alg("<server-host-key>ecdsa-sha2-nistp256</server-host-key>"), note="no-ed25519"),
    Case("SD-SSH-001", P, _alg("<server-host-key> ssh-ed25519 </server-host-key>"), note="whitespace"),
    # SD-SSH-002: weak kex/mac/encryption, dh group size
    Case("SD-SSH-002", P, _alg(GOOD)),
    Case("SD-SSH-002", F, "", note="default-mac-has-hmac-sha1"),
    Case("SD-SSH-002", F, _alg(GOOD_KEX + "<mac>hmac-sha2-256,hmac-sha1</mac>"), note="hmac-sha1"),
    Case("SD-SSH-002", F, _alg(GOOD_MAC + "<kex>diffie-hellman-group14-sha1</kex>"), note="group14-sha1"),
    Case("SD-SSH-002", F, _alg(GOOD_MAC + "<kex>diffie-hellman-group1-sha1,curve25519-sha256</kex>"),
         note="group1"),
    Case("SD-SSH-002", F, _alg(GOOD_MAC + "<kex>diffie-hellman-group-exchange-sha1</kex>"), note="gex-sha1"),
    Case("SD-SSH-002", F, _alg(GOOD + "<encryption>aes128-ctr,aes256-cbc</encryption>"), note="cbc"),
    Case("SD-SSH-002", F, _alg(GOOD + "<encryption>3des-cbc</encryption>"), note="3des"),
    Case("SD-SSH-002", F, _alg(GOOD + "<encryption>arcfour256,aes128-ctr</encryption>"), note="arcfour"),
    Case("SD-SSH-002", F, _alg(GOOD + "<encryption></encryption>"), note="empty-encryption-means-all"),
    Case("SD-SSH-002", F, _alg(GOOD_KEX + "<mac></mac>"), note="empty-mac-means-all"),
    Case("SD-SSH-002", F, _alg(GOOD.replace("diffie-hellman-group16-sha512", "diffie-hellman-group-exchange-sha256")
                               + "<dh-group><min-size>1024</min-size></dh-group>"), note="dh-1024"),
    Case("SD-SSH-002", P, _alg(GOOD + "<dh-group><min-size>1024</min-size></dh-group>"),
         note="dh-size-irrelevant-without-gex"),
    Case("SD-SSH-002", P, _alg(GOOD.replace("diffie-hellman-group16-sha512", "diffie-hellman-group-exchange-sha256")
                               + "<dh-group><min-size>3072</min-size></dh-group>"), note="dh-3072"),
    Case("SD-SSH-002", E, _alg(GOOD.replace("diffie-hellman-group16-sha512", "diffie-hellman-group-exchange-sha256")
                               + "<dh-group><min-size>big</min-size></dh-group>"), note="dh-unparseable"),
]
