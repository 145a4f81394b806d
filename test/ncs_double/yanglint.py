"""Validate XML instance data with libyang's yanglint against the package's YANG."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Sequence, Tuple


def yanglint_available() -> bool:
    return shutil.which("yanglint") is not None


def validate_with_yanglint(xml: bytes, yang_files: Sequence[Path], search_dir: Path) -> Tuple[bool, str]:
    """(ok, yanglint's messages). Runs in an empty temporary folder because libyang
    also searches the current directory for modules and must find only search_dir's."""
    with tempfile.TemporaryDirectory(prefix="yanglint-") as tmp:
        data = Path(tmp) / "data.xml"
        data.write_bytes(xml)
        cmd = ["yanglint", "-p", str(search_dir), "-t", "data",
               *[str(Path(f).resolve()) for f in yang_files], str(data)]
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=120)
        out = (proc.stdout + proc.stderr).strip()
        # yanglint 2 exits 0 on success; treat any "err" line as failure too
        ok = proc.returncode == 0 and "err" not in out.lower()
        return ok, out
