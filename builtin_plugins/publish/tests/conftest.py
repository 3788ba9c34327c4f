"""Fixtures for the publish plugin's tests."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from datasette.plugins import builtin_plugins, pm

_spec = importlib.util.spec_from_file_location("publish_test_helpers", Path(__file__).parent / "helpers.py")
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)


@pytest.fixture(autouse=True)
def _isolate_plugin_manager():
    """Unregister any plugin a test registered on the process-wide ``pm``."""
    builtin_plugins()
    before = {id(p) for p in pm.get_plugins()}
    yield
    for plugin in pm.get_plugins():
        if id(plugin) not in before:
            pm.unregister(plugin)


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return helpers.make_database(tmp_path / "dogs.db")


@pytest.fixture
def fake_clis(tmp_path, monkeypatch):
    """``fake_clis(["gcloud"], replies)``: fake provider binaries, PATH holding only them."""
    def make(names, replies=None, keep_path=False):
        return helpers.FakeCLIs(tmp_path, monkeypatch, names, replies, keep_path)
    return make
