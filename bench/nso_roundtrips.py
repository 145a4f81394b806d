"""MAAPI round trips and time to collect CdbFacts inside NSO, through the NSO test
double (test/ncs_double), for 1k and 10k users + devices. bench/run.py calls it with
PYTHONPATH=test. Prints a table; asserts nothing."""
from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "test"))

import ncs_double as nd  # noqa: E402
from nso_fixtures import DEV_CDB_XML, new_nso, scaled_xml  # noqa: E402


def measure(n: int) -> tuple:
    d = new_nso()
    with nd.install(d):
        d.seed_xml(DEV_CDB_XML)
        d.seed_xml(scaled_xml(n, n))
        import ncs
        from secure_deploy.nso import cdb_facts
        d.reset_counters()
        t0 = time.perf_counter()
        with ncs.maapi.Maapi() as m:
            with ncs.maapi.Session(m, "admin", "system"):
                with m.start_read_trans() as t:
                    facts = cdb_facts.read_cdb_facts(t, cdb_facts.make_decrypt(m))
        elapsed = time.perf_counter() - t0
        return len(facts.users or ()), len(facts.devices or ()), d.round_trips, elapsed, dict(d.calls)


def main() -> int:
    print("CdbFacts through MAAPI (NSO test double; time is the double's, not NSO's)")
    print(f"  {'users':>7} {'devices':>8} {'round trips':>12} {'seconds':>8}  calls")
    for n in (1_000, 10_000):
        users, devices, trips, secs, calls = measure(n)
        print(f"  {users:>7} {devices:>8} {trips:>12} {secs:>8.2f}  {calls}")
    print("  (round trips grow only by one query_result per 5,000 rows)")
    return 0


if __name__ == "__main__":
    try:
        rc = main()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001 - pytest.skip (a BaseException) when the YANG is absent
        print(f"  skipped: {e}")
        rc = 0
    sys.exit(rc)
