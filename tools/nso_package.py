"""Write dist/secure-deploy-<version>.tar.gz: the NSO package folder, ready to unpack
into an NSO packages directory (then `make -C secure-deploy/src` compiles its YANG).

What goes in: every file of packages/secure-deploy (package-meta-data.xml, the Python
sources and their data, src/Makefile and the YANG, cdb-init, ...) plus the LICENSE.
What never does: byte code and caches, egg-info and other build metadata, the
compiled load-dir, hidden files and editor leftovers. A symbolic link is refused
rather than followed. The archive is reproducible: entries sorted, owner root,
normalised modes, one timestamp (SOURCE_DATE_EPOCH, else the last commit's, else 0).

Usage: python tools/nso_package.py [--src packages/secure-deploy] [--out dist]
"""
from __future__ import annotations

import argparse
import gzip
import io
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Iterator, List, Tuple

REPO = Path(__file__).resolve().parent.parent
NAME = "secure-deploy"
SKIP_DIRS = {"__pycache__", "load-dir", "build", "dist", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
SKIP_DIR_SUFFIXES = (".egg-info", ".dist-info")
SKIP_FILE_SUFFIXES = (".pyc", ".pyo", ".fxs", "~", ".swp", ".orig", ".rej")


class PackageError(Exception):
    pass


def version_of(src: Path) -> str:
    """The package version, which package-meta-data.xml and the Python package must agree on."""
    meta = (src / "package-meta-data.xml").read_text()
    m = re.search(r"<package-version>\s*([^<\s]+)\s*</package-version>", meta)
    init = (src / "python" / "secure_deploy" / "__init__.py").read_text()
    v = re.search(r'^__version__ = "([^"]+)"', init, re.M)
    if not m or not v:
        raise PackageError(f"{src}: no <package-version> in package-meta-data.xml or no __version__")
    if m.group(1) != v.group(1):
        raise PackageError(f"version mismatch: package-meta-data.xml {m.group(1)}, "
                           f"secure_deploy.__version__ {v.group(1)}")
    return v.group(1)


def _skipped(name: str, is_dir: bool) -> bool:
    if name.startswith("."):
        return True
    if is_dir:
        return name in SKIP_DIRS or name.endswith(SKIP_DIR_SUFFIXES)
    return name.endswith(SKIP_FILE_SUFFIXES)


def package_files(src: Path) -> Iterator[Tuple[Path, str]]:
    """(file on disk, path inside the package folder), sorted; links refused."""
    for root, dirs, files in os.walk(src):
        here = Path(root)
        for d in list(dirs):
            if (here / d).is_symlink():
                raise PackageError(f"{here / d}: a symbolic link in the package folder")
        dirs[:] = sorted(d for d in dirs if not _skipped(d, True))
        for f in sorted(files):
            p = here / f
            if _skipped(f, False):
                continue
            if p.is_symlink() or not p.is_file():
                raise PackageError(f"{p}: not a regular file")
            yield p, p.relative_to(src).as_posix()


def _epoch() -> int:
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%ct"],
                             capture_output=True, text=True, timeout=30)
        return int(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else 0
    except (OSError, ValueError, subprocess.SubprocessError):
        return 0


def _info(name: str, size: int, mode: int, mtime: int, is_dir: bool = False) -> tarfile.TarInfo:
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    ti.size, ti.mode, ti.mtime = size, mode, mtime
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    return ti


def build(src: Path, out_dir: Path, license_file: Path) -> Path:
    version = version_of(src)
    files: List[Tuple[Path, str]] = list(package_files(src)) + [(license_file, "LICENSE")]
    mtime = _epoch()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{NAME}-{version}.tar.gz"
    dirs = sorted({"/".join(rel.split("/")[:i]) for _, rel in files for i in range(1, rel.count("/") + 1)})
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(_info(NAME, 0, 0o755, mtime, is_dir=True))
        for d in dirs:
            tar.addfile(_info(f"{NAME}/{d}", 0, 0o755, mtime, is_dir=True))
        for path, rel in sorted(files, key=lambda fr: fr[1]):
            data = path.read_bytes()
            mode = 0o755 if path.stat().st_mode & 0o111 else 0o644
            tar.addfile(_info(f"{NAME}/{rel}", len(data), mode, mtime), io.BytesIO(data))
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=mtime) as gz:
        gz.write(buf.getvalue())
    os.replace(tmp, target)
    return target


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=REPO / "packages" / NAME)
    ap.add_argument("--out", type=Path, default=REPO / "dist")
    ap.add_argument("--license", type=Path, default=REPO / "LICENSE")
    args = ap.parse_args(argv)
    try:
        print(build(args.src, args.out, args.license))
    except (PackageError, OSError) as e:
        print(f"nso_package: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
