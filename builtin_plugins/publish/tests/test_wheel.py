"""The wheel of this Datasette that deployments install."""
from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import shutil
import zipfile
from pathlib import Path

import click
import pytest

import datasette
from datasette.publish.common import build_project_wheel


def test_wheel_holds_both_packages_metadata_and_valid_record(tmp_path):
    path = build_project_wheel(tmp_path)
    version = importlib.metadata.version("datasette")
    assert path.name == f"datasette-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path) as wheel:
        names = set(wheel.namelist())
        distinfo = f"datasette-{version}.dist-info"
        assert {"datasette/app.py", "datasette/cli.py", "datasette/publish/common.py",
                "datasette_builtins/publish/wheel.py", "datasette_builtins/theme/templates/base.html",
                f"{distinfo}/METADATA", f"{distinfo}/WHEEL", f"{distinfo}/RECORD"} <= names
        assert not [n for n in names if "/tests/" in n or "__pycache__" in n or n.endswith(".pyc")]
        metadata = wheel.read(f"{distinfo}/METADATA").decode()
        assert "Name: datasette" in metadata and "Requires-Dist: pluggy" in metadata
        entry_points = wheel.read(f"{distinfo}/entry_points.txt").decode()
        assert "datasette = datasette.cli:cli" in entry_points
        assert "publish = datasette_builtins.publish" in entry_points
        for line in wheel.read(f"{distinfo}/RECORD").decode().splitlines():
            name, digest, size = line.split(",")
            if name.endswith("RECORD"):
                continue
            data = wheel.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={expected}" and int(size) == len(data)
        assert wheel.read("datasette/app.py") == (Path(datasette.__file__).parent / "app.py").read_bytes()


def test_wheel_is_byte_identical_across_builds(tmp_path):
    first = build_project_wheel(tmp_path / "a").read_bytes()
    assert build_project_wheel(tmp_path / "b").read_bytes() == first


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_branch_builds_from_git(tmp_path):
    from datasette_builtins.publish.wheel import project_root
    if not (project_root() / ".git").exists():
        pytest.skip("not installed from a git checkout")
    path = build_project_wheel(tmp_path, branch="HEAD")
    with zipfile.ZipFile(path) as wheel:
        assert "datasette/app.py" in wheel.namelist()
    with pytest.raises(click.ClickException) as error:
        build_project_wheel(tmp_path / "x", branch="no-such-branch-anywhere")
    assert error.value.message.startswith("--branch no-such-branch-anywhere: ")
    assert "\n" not in error.value.message
