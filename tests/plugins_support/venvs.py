"""Throwaway virtual environments that have this project's ``datasette`` in them."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def plugin_env(**extra: str) -> dict[str, str]:
    """The environment for a child ``datasette``: installed plugins load (tests/conftest.py
    sets ``DATASETTE_LOAD_PLUGINS=""`` to keep them out of the test process's children)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATASETTE_LOAD_PLUGINS", "DATASETTE_DISABLE_PLUGINS")}
    env.update(extra)
    return env


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def overlay_venv(venv: Path) -> Path:
    """A venv whose own site-packages sit in front of the one running these tests.

    Created without pip in well under a second. Whatever is installed into it stays in
    it (pip installs into ``sys.prefix`` and won't remove files outside it), while
    ``datasette``, its dependencies, pip and pytest come from the environment below.
    Returns its interpreter.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv_python(venv)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    below = sysconfig.get_paths()["purelib"]
    # addsitedir, not a bare path: the editable install of this project is itself a .pth file.
    Path(purelib, "_datasette_project_below.pth").write_text(f"import site; site.addsitedir({below!r})\n")
    return python


def project_venv(venv: Path) -> Path:
    """A complete venv with this project installed (editable), reused while its inputs match.

    Rebuilt when pyproject.toml changes or the Python version differs. Returns its interpreter.
    """
    stamp = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + sys.version.encode()).hexdigest()
    python = venv_python(venv)
    stamp_file = venv / ".datasette-project-stamp"
    if python.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", str(ROOT)], check=True)
    stamp_file.write_text(stamp)
    return python
