"""Fixtures: a small database and fake provider CLIs (shared helpers of the publish tests)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_path = Path(__file__).resolve().parents[2] / "publish" / "tests" / "helpers.py"
_spec = importlib.util.spec_from_file_location("publish_test_helpers", _path)
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return helpers.make_database(tmp_path / "dogs.db")


@pytest.fixture
def fake_clis(tmp_path, monkeypatch):
    """``fake_clis(["gcloud"], replies)``: fake provider binaries, PATH holding only them."""
    def make(names, replies=None, keep_path=False):
        return helpers.FakeCLIs(tmp_path, monkeypatch, names, replies, keep_path)
    return make
