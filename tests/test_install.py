"""`datasette install` / `uninstall` / `plugins` with real pip, against wheels on disk (no index)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .plugins_support.venvs import overlay_venv, plugin_env
from .plugins_support.wheels import make_wheel

HELLO_PLUGIN = '''
from datasette import hookimpl

@hookimpl
def startup(datasette):
    pass
'''


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory) -> Path:
    """Plugins requiring various datasettes, plus upstream-like datasettes pip could pick instead."""
    directory = tmp_path_factory.mktemp("wheels")
    for name, requirement in {
            "plugin-054": ">=0.54", "plugin-064": ">=0.64", "plugin-1a13": ">=1.0a13",
            "plugin-1a19": "==1.0a19", "plugin-any": "", "plugin-1a20": ">=1.0a20", "plugin-0x": "<1.0"}.items():
        make_wheel(directory, name, "0.1", [f"datasette{requirement}"])
    make_wheel(directory, "datasette", "1.0a25")  # what pip would otherwise pull over ours
    make_wheel(directory, "datasette", "0.65.1")
    make_wheel(directory, "datasette-hello", "0.3", ["datasette>=0.64"], module="datasette_hello",
               source=HELLO_PLUGIN)
    make_wheel(directory, "datasette-broken", "0.1", ["datasette"], module="datasette_broken",
               source="raise ImportError('broken on purpose')\n")
    return directory


def pip_env(wheelhouse: Path, **extra: str) -> dict[str, str]:
    return plugin_env(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheelhouse), **extra)


def dry_run(wheelhouse: Path, *args: str) -> subprocess.CompletedProcess:
    """`datasette install ARGS` in this environment, with pip only saying what it would do."""
    return subprocess.run([sys.executable, "-m", "datasette", "install", *args],
                          env=pip_env(wheelhouse, PIP_DRY_RUN="1"), capture_output=True, text=True, timeout=120)


def test_plugins_install_against_this_pre_release(wheelhouse):
    """datasette 1.0a19+kernel.1 satisfies >=0.54, >=0.64, >=1.0a13, ==1.0a19 and no specifier."""
    names = ["plugin-054", "plugin-064", "plugin-1a13", "plugin-1a19", "plugin-any"]
    result = dry_run(wheelhouse, *names)
    assert result.returncode == 0, result.stderr
    would_install = [line for line in result.stdout.splitlines() if line.startswith("Would install")]
    assert would_install and set(would_install[0].split()[2:]) == {f"{n}-0.1" for n in names}


def test_install_from_a_requirements_file(wheelhouse, tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("plugin-064\nplugin-1a13==0.1\n")
    result = dry_run(wheelhouse, "-r", str(requirements), "-U")
    assert result.returncode == 0, result.stderr
    assert "Would install plugin-064-0.1 plugin-1a13-0.1" in result.stdout


@pytest.mark.parametrize("plugin,needs", [("plugin-1a20", ">=1.0a20"), ("plugin-0x", "<1.0")])
def test_plugin_needing_another_datasette_fails_with_one_message(wheelhouse, plugin, needs):
    # Without the pin pip would replace this project's datasette with the wheel on offer.
    unpinned = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", plugin],
                              env=pip_env(wheelhouse), capture_output=True, text=True, timeout=120)
    assert f"Would install datasette-{'1.0a25' if '1.0a20' in needs else '0.65.1'}" in unpinned.stdout
    result = dry_run(wheelhouse, plugin)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"Error: Cannot install: {plugin} 0.1 requires datasette{needs}. This environment's datasette is "
        f"1.0a19+kernel.1 (a reimplementation of the Datasette 1.0a19 plugin API), and datasette install "
        f"never replaces it with another datasette."]
    assert "Would install" not in result.stdout


def test_other_pip_failures_pass_through(wheelhouse):
    result = dry_run(wheelhouse, "no-such-plugin-anywhere")
    assert result.returncode == 1
    assert "No matching distribution found for no-such-plugin-anywhere" in result.stderr


def test_install_list_and_uninstall_in_a_fresh_venv(wheelhouse, tmp_path):
    """For real, into a throwaway venv; a broken plugin must not stop its own removal."""
    python = overlay_venv(tmp_path / "venv")

    def datasette(*args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(python), "-m", "datasette", *args], env=pip_env(wheelhouse, **env),
                              capture_output=True, text=True, timeout=120)

    installed = datasette("install", "datasette-hello", "datasette-broken")
    assert installed.returncode == 0, installed.stderr
    only_hello = {"DATASETTE_LOAD_PLUGINS": "datasette-hello"}
    assert json.loads(datasette("plugins", **only_hello).stdout) == [{
        "name": "datasette_hello", "static": False, "templates": False, "version": "0.3",
        "hooks": ["startup"], "enabled": True}]
    disabled = datasette("plugins", DATASETTE_DISABLE_PLUGINS="datasette-hello", **only_hello)
    assert json.loads(disabled.stdout)[0]["enabled"] is False
    assert datasette("plugins", "--requirements", **only_hello).stdout == "datasette-hello==0.3\n"

    broken = datasette("plugins")
    assert broken.returncode == 1
    assert "Error: Plugin datasette-broken failed to import: ImportError('broken on purpose')" in broken.stderr
    removed = datasette("uninstall", "-y", "datasette-broken", "datasette-hello")
    assert removed.returncode == 0, removed.stderr
    assert "Warning: Plugin datasette-broken failed to import" in removed.stderr
    assert json.loads(datasette("plugins").stdout) == []
    assert datasette("--version").stdout.strip().endswith("1.0a19+kernel.1")
