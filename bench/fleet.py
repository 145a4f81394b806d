"""`make bench`, fleets: `secure-deploy fleet` over 3, 30 and 300 per-node reports.

Each node's report is the production example's audit under another name, with every
tenth node drifted (one ncs.conf leaf) and every seventh holding other keys, in
clusters of three. Measured in-process, best of 3: loading the JSON reports, merging
them (cross-node rules included) and rendering the merged JSON and HTML. Linear
growth: time per node stays flat from 3 to 300 nodes. Prints a table; asserts nothing.
"""
from __future__ import annotations

import dataclasses
import gc
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List, Tuple

REPO = Path(__file__).resolve().parent.parent
PROD = REPO / "examples" / "prod-system-install"

from secure_deploy import registry  # noqa: E402
from secure_deploy.engine import run  # noqa: E402
from secure_deploy.facts.collect import Sources, collect  # noqa: E402
from secure_deploy.facts.version import parse_version  # noqa: E402
from secure_deploy.fleet.merge import merge  # noqa: E402
from secure_deploy.fleet.node import node_info  # noqa: E402
from secure_deploy.model import Report  # noqa: E402
from secure_deploy.report import Format, render  # noqa: E402
from secure_deploy.report.json_report import load_report  # noqa: E402

NOW = "2026-01-01T00:00:00+00:00"
DRIFT_LEAF = "/ncs-config/session-limits/max-sessions"


def base_report() -> Report:
    version = parse_version("6.4", "bench")
    rules = registry.all_rules()
    facts = collect(Sources(config_dir=str(PROD / "etc"), run_dir=str(PROD / "run"), inspect_host=False),
                    version, NOW)
    return dataclasses.replace(run(facts, rules), node=node_info(facts, "n0", rules))


def write_nodes(base: Report, count: int, folder: Path) -> List[str]:
    info = base.node
    assert info is not None
    paths = []
    for i in range(count):
        settings = tuple((p, "999" if p == DRIFT_LEAF and i % 10 == 9 else v) for p, v in info.settings)
        node = dataclasses.replace(info, name=f"nso-{i:03d}", cluster=f"c{i // 3}",
                                   keys_fingerprint=f"{i % 7 == 6:04x}:0000:0000:{i // 3:04x}", settings=settings)
        path = folder / f"nso-{i:03d}.json"
        path.write_text(render(dataclasses.replace(base, node=node), Format.JSON))
        paths.append(str(path))
    return paths


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()        # each run starts from the same heap, not the previous run's garbage
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    base = base_report()
    rules = registry.all_rules()
    print("secure-deploy fleet: merging per-node reports (best of 3)")
    print(f"  {'nodes':>5} {'load s':>8} {'merge s':>8} {'render s':>9} {'total s':>8} {'ms/node':>8}")
    rows: List[Tuple[int, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in (3, 30, 300):
            folder = Path(tmp) / str(count)
            folder.mkdir()
            paths = write_nodes(base, count, folder)
            reports = [(p, load_report(p)) for p in paths]
            merged = merge(reports, rules, now=NOW)
            load_s = best(lambda: [load_report(p) for p in paths])
            merge_s = best(lambda: merge(reports, rules, now=NOW))
            render_s = best(lambda: (render(merged, Format.JSON), render(merged, Format.HTML)))
            total = load_s + merge_s + render_s
            rows.append((count, total))
            print(f"  {count:>5} {load_s:>8.3f} {merge_s:>8.3f} {render_s:>9.3f} {total:>8.3f} "
                  f"{1000 * total / count:>8.2f}")
    per_node = [t / n for n, t in rows]
    print(f"  (linear growth: ms/node stays flat; 300 vs 30 nodes: {per_node[2] / per_node[1]:.2f}x per node)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
