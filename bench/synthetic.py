"""Synthetic deployments for benchmarks: N users, NACM rules and devices as CDB XML."""
from __future__ import annotations

import random
import string
from typing import List

CONFIG_NS = "http://tail-f.com/ns/config/1.0"
AAA_NS = "http://tail-f.com/ns/aaa/1.1"
NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
NCS_NS = "http://tail-f.com/ns/ncs"
_B64 = string.ascii_letters + string.digits + "./"

# 1x: a mid-size production NSO. 100x is ~10,000 users, 5,000 rules, 20,000 devices.
BASE_USERS, BASE_RULES, BASE_DEVICES = 100, 50, 200


def _fake_sha512(rng: random.Random) -> str:
    # Shaped like a crypt(3) SHA-512 hash but of no known password.
    salt = "".join(rng.choice(_B64) for _ in range(16))
    return f"$6${salt}${''.join(rng.choice(_B64) for _ in range(86))}"


def cdb_xml(scale: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    users, rules, devices = BASE_USERS * scale, BASE_RULES * scale, BASE_DEVICES * scale
    out: List[str] = [f'<config xmlns="{CONFIG_NS}">', f'<aaa xmlns="{AAA_NS}"><authentication><users>']
    for i in range(users):
        out.append(f"<user><name>user{i}</name><uid>{1000 + i}</uid><gid>100</gid>"
                   f"<password>{_fake_sha512(rng)}</password><ssh_keydir>/home/u{i}/.ssh</ssh_keydir>"
                   f"<homedir>/home/u{i}</homedir></user>")
    out.append("</users></authentication></aaa>")
    out.append(f'<nacm xmlns="{NACM_NS}"><write-default>deny</write-default><groups>'
               "<group><name>ncsadmin</name></group><group><name>ncsoper</name></group></groups>")
    per_list = 50
    for li in range(max(1, rules // per_list)):
        out.append(f"<rule-list><name>list{li}</name><group>ncsoper</group>")
        for ri in range(per_list):
            out.append(f"<rule><name>r{li}-{ri}</name><module-name>*</module-name>"
                       f"<path>/devices/device[name='dev{ri}']</path><access-operations>read</access-operations>"
                       "<action>permit</action></rule>")
        out.append("</rule-list>")
    out.append("</nacm>")
    out.append(f'<devices xmlns="{NCS_NS}"><authgroups><group><name>default</name><default-map>'
               "<remote-name>svc</remote-name><remote-password>$9$abcdefghijklmnopqrstuv==</remote-password>"
               "</default-map></group></authgroups>")
    for d in range(devices):
        hkv = "none" if d % 997 == 0 else "reject-unknown"
        out.append(f"<device><name>dev{d}</name><address>192.0.2.{d % 250}</address><port>22</port>"
                   f"<authgroup>default</authgroup><ssh><host-key-verification>{hkv}</host-key-verification>"
                   "</ssh></device>")
    out.append("</devices></config>")
    return "\n".join(out).encode()
