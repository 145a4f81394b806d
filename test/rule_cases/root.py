"""Fixtures for checks/root.py: host facts built directly (facts/host.py is tested apart)."""
from factsbuilder import Case
from secure_deploy.facts.types import FileFacts, HostFacts
from secure_deploy.model import Status

P, F, W, M, NA, E = (Status.PASS, Status.FAIL, Status.WARN, Status.MANUAL, Status.NOT_APPLICABLE,
                     Status.ERROR)
NCS = "/opt/ncs/ncs-6.4.1"
PTY = f"{NCS}/lib/ncs/lib/core/confd/priv/cmdptywrapper"
CMD = f"{NCS}/lib/ncs/lib/core/confd/priv/cmdwrapper"
PTY65 = f"{NCS}/lib/ncs/lib/confd-8.5/priv/cmdptywrapper"


def f(rel: str, mode: int = 0o755, uid: int = 0, caps: str = None, **kw) -> FileFacts:
    path = rel if rel.startswith("/") else f"{NCS}/{rel}"
    return FileFacts(path, exists=True, mode=mode, uid=uid, gid=0, owner="root" if uid == 0 else "nso",
                     group="root", capabilities=caps, **kw)


# What ncs-installer --run-as-user leaves behind (NSO-FACTS §1).
INSTALLED = (
    f("lib/ncs/lib/core/pam/priv/epam", 0o4755),
    f("lib/ncs/erts/bin/ncs", caps="cap_net_bind_service"),
    f("lib/ncs/erts/bin/ncs.smp", caps="cap_net_bind_service"),
    f("lib/ncs/bin/ip", caps="cap_net_admin"),
    f("lib/ncs/bin/arping", caps="cap_net_raw"),
    f("/etc/ncs/ncs.conf", 0o640, uid=1001),
)


def host(user="nso", uid=1001, files=INSTALLED, source="running NSO process 42") -> HostFacts:
    return HostFacts("system", "test", ncs_dir=NCS, config_dir="/etc/ncs", run_dir="/var/opt/ncs",
                     daemon_user=user, daemon_uid=uid, daemon_user_source=source, files=tuple(files))


CASES = [
    Case("SD-ROOT-001", P, host=host()),
    Case("SD-ROOT-001", F, host=host("root", 0), note="root-process"),
    Case("SD-ROOT-001", F, host=host("root", None, source="ncs.service has no User="), note="root-by-unit-name"),
    Case("SD-ROOT-001", M, host=host(None, None, source=""), note="unknown-user"),
    Case("SD-ROOT-001", Status.MANUAL, note="host-not-inspected-check-by-hand"),

    Case("SD-ROOT-002", P, host=host(files=(f(PTY), f(CMD))), note="not-setuid"),
    Case("SD-ROOT-002", W, host=host(files=(f(PTY, 0o4755), f(CMD))), note="cmdptywrapper-setuid-root"),
    Case("SD-ROOT-002", W, host=host(files=(f(PTY65, 0o4750),)), note="6.5-layout-setuid-root"),
    # setuid but owned by a non-root user: cannot become root through it.
    Case("SD-ROOT-002", P, host=host(files=(f(PTY, 0o4755, uid=1001),)), note="setuid-non-root-owner"),
    Case("SD-ROOT-002", NA, host=host(files=(FileFacts(PTY, exists=False), FileFacts(CMD, exists=False))),
         note="absent"),
    Case("SD-ROOT-002", NA, host=host(files=()), note="not-inspected"),
    Case("SD-ROOT-002", E, host=host(files=(FileFacts(PTY, exists=True, error="permission denied"),)),
         note="cannot-stat"),

    Case("SD-ROOT-003", P, host=host(), note="as-installed"),
    Case("SD-ROOT-003", P, host=host(files=(f("lib/ncs/lib/core/pam/priv/epam", 0o755),)),
         note="fewer-privileges"),
    Case("SD-ROOT-003", F, host=host(files=INSTALLED + (f("lib/ncs/bin/ip", 0o4755),)), note="setuid-ip"),
    Case("SD-ROOT-003", F, host=host(files=(f("lib/ncs/erts/bin/ncs.smp",
                                              caps="cap_net_bind_service,cap_sys_admin"),)),
         note="extra-capability"),
    Case("SD-ROOT-003", F, host=host(files=(f("/etc/ncs/ncs.conf", 0o2640),)), note="setgid-conf"),
    # The wrappers are SD-ROOT-002's business, not "unexpected" here.
    Case("SD-ROOT-003", P, host=host(files=INSTALLED + (f(PTY, 0o4755),)), note="wrapper-ignored"),
    Case("SD-ROOT-003", NA, host=host("root", 0), note="daemon-is-root"),
    Case("SD-ROOT-003", E, host=host(files=(FileFacts(f"{NCS}/lib/ncs/bin/ip", exists=True,
                                                      error="permission denied"),)), note="cannot-stat"),
]
