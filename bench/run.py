"""`make bench`: standalone audit wall time vs the lxml import floor, and engine
scaling on synthetic deployments. Prints a table; asserts nothing (targets are read
by people, not enforced by tests)."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from synthetic import BASE_DEVICES, BASE_RULES, BASE_USERS, cdb_xml  # noqa: E402

from secure_deploy import registry  # noqa: E402
from secure_deploy.engine import run  # noqa: E402
from secure_deploy.facts.cdb import parse_cdb_xml  # noqa: E402
from secure_deploy.facts.credentials import matches_default, sha_crypt  # noqa: E402
from secure_deploy.facts.ncsconf import read_ncs_conf  # noqa: E402
from secure_deploy.facts.types import Facts  # noqa: E402
from secure_deploy.facts.version import parse_version  # noqa: E402

EXAMPLE = REPO / "examples" / "dev-local-install"


def walls(cmds: List[List[str]], repeat: int = 21) -> List[float]:
    """Median wall time of each command, run in turns so that load on the machine
    (which varies over seconds) weighs on every command alike."""
    times: List[List[float]] = [[] for _ in cmds]
    for _ in range(repeat):
        for i, cmd in enumerate(cmds):
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times[i].append(time.perf_counter() - t)
    return [statistics.median(t) for t in times]


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    py = sys.executable
    # A pip install byte-compiles the package; an editable checkout under
    # PYTHONDONTWRITEBYTECODE never does. Compile first so the audit is measured as
    # installed, like the lxml floor it is compared with.
    subprocess.run([py, "-m", "compileall", "-q", str(REPO / "packages" / "secure-deploy" / "python")],
                   check=True, env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    script = Path(py).parent / "secure-deploy"
    command = [str(script)] if script.exists() else [py, "-m", "secure_deploy.cli"]
    label = "secure-deploy audit" if script.exists() else "python -m secure_deploy.cli audit"
    floor, audit = walls([[py, "-c", "import lxml.etree"],
                          command + ["audit", "--config-dir", str(EXAMPLE / "etc"),
                                     "--run-dir", str(EXAMPLE / "run"), "--nso-version", "6.4",
                                     "--format", "json"]])
    print("Standalone audit of the example deployment (median of 21 runs, taken in turns)")
    print(f"  floor  python -c 'import lxml.etree' : {floor * 1000:8.1f} ms")
    print(f"  {label:<36}: {audit * 1000:8.1f} ms  "
          f"({audit / floor:.2f}x floor; target <= 2x)")
    print()

    version = parse_version("6.4", "bench")
    conf = read_ncs_conf(str(EXAMPLE / "etc" / "ncs.conf"), "6.4")
    rules = registry.all_rules()
    print("Scaling on synthetic deployments (best of 3)")
    print(f"  {'scale':>5} {'users':>7} {'rules':>7} {'devices':>8} {'xml MB':>7} "
          f"{'parse s':>8} {'engine s':>9} {'engine/1x':>9}")
    base_engine = None
    for scale in (1, 10, 100):
        data = cdb_xml(scale)
        cdb = parse_cdb_xml(data, f"synthetic-{scale}x.xml")
        parse_s = best(lambda: parse_cdb_xml(data, "synthetic.xml"), 1 if scale == 100 else 3)
        facts = Facts(version=version, now="2026-01-01T00:00:00+00:00", ncs_conf=conf, cdb=cdb)
        engine_s = best(lambda: run(facts, rules))
        base_engine = base_engine or engine_s
        print(f"  {scale:>4}x {BASE_USERS * scale:>7} {BASE_RULES * scale:>7} {BASE_DEVICES * scale:>8} "
              f"{len(data) / 1e6:>7.1f} {parse_s:>8.3f} {engine_s:>9.4f} {engine_s / base_engine:>8.1f}x")
    print("  (linear growth: engine/1x stays at or below the scale factor)")
    print()
    # Default-password detection hashes the well-known candidates of a known user name
    # (SHA-512 crypt at the default 5000 rounds); a hostile rounds count is refused unhashed.
    stored = sha_crypt(b"not-a-default-9", b"perfsalt", None, bits=512)
    hostile = "$6$rounds=999999999$abcdefgh$" + "A" * 86
    print("Default-password detection per user (best of 3)")
    print(f"  well-known user, SHA-512 hash      : {best(lambda: matches_default('admin', stored)) * 1000:8.1f} ms"
          "  (target < 500 ms)")
    print(f"  hostile rounds=999999999            : {best(lambda: matches_default('admin', hostile)) * 1000:8.3f} ms")
    print()
    subprocess.run([py, str(REPO / "bench" / "fleet.py")], check=False)
    nso_bench = REPO / "bench" / "nso_roundtrips.py"
    if nso_bench.exists():
        print()
        subprocess.run([py, str(nso_bench)], check=False, env={**os.environ, "PYTHONPATH": str(REPO / "test")})
    return 0


if __name__ == "__main__":
    sys.exit(main())
