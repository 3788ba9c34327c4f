"""Provision the upstream Datasette used as the benchmark baseline.

Creates ``bench/.venv-upstream`` (never the project's own ``.venv``) and
installs ``datasette==1.0a19`` from PyPI into it. Idempotent: if the venv
already has that exact version installed, nothing is done.

Usage::

    python bench/upstream.py            # ensure installed, print the binary path
    python bench/upstream.py --force    # recreate the venv from scratch
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import venv
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
UPSTREAM_VENV = BENCH_DIR / ".venv-upstream"
UPSTREAM_VERSION = "1.0a19"


def upstream_python(venv_dir: Path = UPSTREAM_VENV) -> Path:
    return venv_dir / "bin" / "python"


def upstream_datasette(venv_dir: Path = UPSTREAM_VENV) -> Path:
    return venv_dir / "bin" / "datasette"


def installed_version(venv_dir: Path = UPSTREAM_VENV) -> str | None:
    """Return the datasette version installed in the venv, or None."""
    python = upstream_python(venv_dir)
    if not python.exists():
        return None
    proc = subprocess.run(
        [
            str(python),
            "-I",  # isolated: ignore cwd (the repo root has datasette.egg-info)
            "-c",
            "import importlib.metadata as m; print(m.version('datasette'))",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=BENCH_DIR,
    )
    if proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


def ensure_upstream(
    version: str = UPSTREAM_VERSION,
    venv_dir: Path = UPSTREAM_VENV,
    force: bool = False,
    quiet: bool = False,
) -> Path:
    """Make sure ``datasette==version`` is installed in ``venv_dir``.

    Returns the path to the upstream ``datasette`` executable.
    """
    if force and venv_dir.exists():
        shutil.rmtree(venv_dir)
    current = installed_version(venv_dir)
    if current == version and upstream_datasette(venv_dir).exists():
        if not quiet:
            print(f"[upstream] datasette {current} already in {venv_dir}")
        return upstream_datasette(venv_dir)
    if not upstream_python(venv_dir).exists():
        print(f"[upstream] creating virtualenv {venv_dir}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
    print(f"[upstream] installing datasette=={version} (was: {current})", flush=True)
    subprocess.run(
        [
            str(upstream_python(venv_dir)),
            "-I",  # isolated, so pip cannot see the project's own metadata
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"datasette=={version}",
        ],
        check=True,
        cwd=BENCH_DIR,
    )
    got = installed_version(venv_dir)
    if got != version:
        raise RuntimeError(f"expected datasette {version} in {venv_dir}, found {got}")
    return upstream_datasette(venv_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=UPSTREAM_VERSION)
    parser.add_argument("--force", action="store_true", help="recreate the venv")
    args = parser.parse_args(argv)
    print(ensure_upstream(args.version, force=args.force))
    return 0


if __name__ == "__main__":
    sys.exit(main())
