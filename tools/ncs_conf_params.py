#!/usr/bin/env python3
"""Record which ncs.conf parameters each NSO release has, and their defaults.

    python tools/ncs_conf_params.py TSV_DIR [-o OUT] [--check]

TSV_DIR holds one `ncs-conf-params-<release>.tsv` per release (columns: path, type,
default), the parameter lists of the ncs.conf(5) man pages. The output keeps facts
only, one line per parameter path: `"<path>": [<default in 6.4>, <6.5>, ...]`, where a
release without the parameter has null and a parameter without a default has "".
`--check` compares with the committed file and exits 1 when it differs.

Tests read only the committed `test/ncs-conf-params.json`, so they run on a clone
with nothing beside it; test_ncsconf_defaults.py also compares it with TSV_DIR when
`../shared/reference` is there.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "test" / "ncs-conf-params.json"
TSV_RE = re.compile(r"^ncs-conf-params-(\d+\.\d+)\.tsv$")


def _release_key(version: str):
    return tuple(int(p) for p in version.split("."))


def read_tsv(path: Path) -> Dict[str, str]:
    """path -> default ("" when the man page gives none) of one release's list."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    if not rows or rows[0][:1] != ["path"]:
        raise ValueError(f"{path}: not a parameter list (first column header must be 'path')")
    return {r[0]: (r[2] if len(r) > 2 else "") for r in rows[1:] if r}


def read_dir(tsv_dir: Path) -> Dict[str, Dict[str, str]]:
    """release -> (path -> default) for every list in tsv_dir."""
    found = {m.group(1): p for p in tsv_dir.iterdir() if (m := TSV_RE.match(p.name))}
    if not found:
        raise ValueError(f"{tsv_dir}: no ncs-conf-params-<release>.tsv file")
    return {v: read_tsv(found[v]) for v in sorted(found, key=_release_key)}


def build(per_release: Dict[str, Dict[str, str]]) -> str:
    releases = list(per_release)
    paths = sorted({p for params in per_release.values() for p in params})
    table: Dict[str, List[Optional[str]]] = {p: [per_release[v].get(p) for v in releases] for p in paths}
    # One parameter per line keeps a release's changes readable in a diff.
    lines = [f"  {json.dumps(p)}: {json.dumps(d)}" for p, d in table.items()]
    return ('{\n  "releases": ' + json.dumps(releases) + ',\n  "params": {\n  '
            + ",\n  ".join(lines) + "\n  }\n}\n")


def load(path: Path = DEFAULT_OUT) -> Dict[str, Dict[str, str]]:
    """The committed file back as release -> (path -> default)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    out: Dict[str, Dict[str, str]] = {v: {} for v in doc["releases"]}
    for param, defaults in doc["params"].items():
        for version, default in zip(doc["releases"], defaults):
            if default is not None:
                out[version][param] = default
    return out


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tsv_dir", type=Path)
    ap.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="exit 1 when OUT is not up to date")
    args = ap.parse_args(argv)
    try:
        text = build(read_dir(args.tsv_dir))
    except (OSError, ValueError) as e:
        print(f"ncs_conf_params: {e}", file=sys.stderr)
        return 2
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is out of date: run tools/ncs_conf_params.py {args.tsv_dir}", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
