"""A wheel of the running Datasette, for deployments to install.

PyPI's ``datasette`` is upstream's, so a deployment cannot ``pip install datasette``:
it installs the wheel written here. The wheel is packed straight from the import
packages this process runs (``datasette`` and ``datasette_builtins``, which works
for editable and regular installs alike) plus the installed distribution's metadata
and entry points. No build backend, no network, and byte-identical output for
identical sources (fixed timestamps), so a Docker layer holding it stays cached.

With ``--branch REF`` the packages come from ``git archive REF`` of the checkout
Datasette is installed from instead.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import io
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import click

import datasette

DISTRIBUTION = "datasette"
SKIPPED_PARTS = {"__pycache__", "tests"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _installed_distribution() -> importlib.metadata.Distribution:
    """The installed ``datasette`` distribution, preferring a ``.dist-info`` over a stray ``.egg-info``."""
    found = list(importlib.metadata.distributions(name=DISTRIBUTION))
    for dist in found:
        if dist.read_text("METADATA"):
            return dist
    if found:
        return found[0]
    raise click.ClickException("Cannot publish: the datasette distribution is not installed")


def package_roots() -> dict[str, Path]:
    """Import package name -> directory, for the packages this distribution ships."""
    builtins_package = __name__.split(".")[0]
    return {
        "datasette": Path(datasette.__file__).resolve().parent,
        builtins_package: Path(sys.modules[builtins_package].__file__).resolve().parent,
    }


def _wanted(relative: Path) -> bool:
    return not (SKIPPED_PARTS.intersection(relative.parts) or relative.suffix in SKIPPED_SUFFIXES
                or any(part.startswith(".") for part in relative.parts))


def build_project_wheel(directory: str | Path, branch: str | None = None) -> Path:
    """Write this Datasette as a wheel into ``directory``; return the wheel's path."""
    dist = _installed_distribution()
    if branch:
        with tempfile.TemporaryDirectory() as tmp:
            return _write_wheel(Path(directory), _branch_roots(branch, Path(tmp)), dist)
    return _write_wheel(Path(directory), package_roots(), dist)


def project_root() -> Path:
    """The source checkout the ``datasette`` package was imported from (for ``--branch``)."""
    return Path(datasette.__file__).resolve().parent.parent


def _branch_roots(ref: str, tmp: Path) -> dict[str, Path]:
    root = project_root()
    if not (root / ".git").exists() or not (root / "kernel").is_dir():
        raise click.ClickException(
            f"--branch needs Datasette installed from its git checkout; {root} is not one")
    result = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", ref,
                             "kernel", "builtin_plugins"], capture_output=True)
    if result.returncode:
        reason = result.stderr.decode(errors="replace").strip().splitlines()
        raise click.ClickException(f"--branch {ref}: {reason[0] if reason else 'git archive failed'}")
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(tmp, filter="data")
        else:  # pragma: no cover - Pythons before the extraction filters
            archive.extractall(tmp)
    return {"datasette": tmp / "kernel", __name__.split(".")[0]: tmp / "builtin_plugins"}


class _WheelWriter:
    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
        self.records: list[str] = []

    def add(self, name: str, data: bytes, mode: int = 0o644) -> None:
        info = zipfile.ZipInfo(name, date_time=_EPOCH)
        info.external_attr = mode << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        self.records.append(f"{name},sha256={digest},{len(data)}")

    def close(self, record_name: str) -> None:
        self.records.append(f"{record_name},,")
        info = zipfile.ZipInfo(record_name, date_time=_EPOCH)
        info.external_attr = 0o644 << 16
        self.zip.writestr(info, "\n".join(self.records) + "\n")
        self.zip.close()


def _write_wheel(directory: Path, roots: dict[str, Path], dist: importlib.metadata.Distribution) -> Path:
    version = dist.version
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{DISTRIBUTION}-{version}-py3-none-any.whl"
    distinfo = f"{DISTRIBUTION}-{version}.dist-info"
    metadata = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    if not metadata:
        raise click.ClickException("Cannot publish: the installed datasette has no metadata")
    writer = _WheelWriter(path)
    try:
        for package, root in roots.items():
            for file in sorted(root.rglob("*")):
                relative = file.relative_to(root)
                if file.is_file() and _wanted(relative):
                    writer.add(f"{package}/{relative.as_posix()}", file.read_bytes())
        writer.add(f"{distinfo}/METADATA", metadata.encode())
        writer.add(f"{distinfo}/WHEEL", b"Wheel-Version: 1.0\nGenerator: datasette-publish\n"
                                        b"Root-Is-Purelib: true\nTag: py3-none-any\n")
        writer.add(f"{distinfo}/entry_points.txt", (dist.read_text("entry_points.txt") or "").encode())
        writer.add(f"{distinfo}/top_level.txt", "".join(f"{p}\n" for p in roots).encode())
    finally:
        writer.close(f"{distinfo}/RECORD")
    return path
