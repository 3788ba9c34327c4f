"""Shared fixtures for the kernel tests: a fixtures database, a Datasette on it, plugin files."""
from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Callable

import pytest
import pytest_asyncio

from datasette.app import Datasette
from datasette.plugins import builtin_plugins, pm

from .fixtures import make_fixtures_db

# Keep spawned `datasette` processes from loading third-party plugins too.
os.environ.setdefault("DATASETTE_LOAD_PLUGINS", "")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-plugins", action="store_true", default=False,
                     help="run the tests marked plugins (they install real plugins from PyPI)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-plugins"):
        return
    skip = pytest.mark.skip(reason="installs plugins from PyPI: run with make test-plugins")
    for item in items:
        if item.get_closest_marker("plugins"):
            item.add_marker(skip)


def pytest_configure(config: pytest.Config) -> None:
    # Installed third-party plugins (entry-point group "datasette") stay out of the
    # tests; the built-ins still load.
    sys._called_from_test = True  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _isolate_plugin_manager():
    """Unregister any plugin a test added to the process-wide ``pm`` (plugins-dir files too)."""
    builtin_plugins()  # load the built-ins first so they are not mistaken for test leftovers
    before = {id(p) for p in pm.get_plugins()}
    distinfo = list(pm._plugin_distinfo)
    yield
    for plugin in pm.get_plugins():
        if id(plugin) not in before:
            pm.unregister(plugin)
    pm._plugin_distinfo[:] = distinfo


@pytest.fixture
def fixtures_db(tmp_path: Path) -> str:
    """Path of a fresh fixtures.db (see tests/fixtures.py)."""
    return make_fixtures_db(tmp_path / "fixtures.db")


@pytest_asyncio.fixture
async def ds(fixtures_db: str):
    """A started Datasette serving fixtures.db; closed afterwards."""
    datasette = Datasette([fixtures_db])
    await datasette.invoke_startup()
    yield datasette
    datasette.close()


@pytest.fixture
def make_ds():
    """Factory building Datasette instances that are all closed after the test."""
    made: list[Datasette] = []

    def factory(*args, **kwargs) -> Datasette:
        datasette = Datasette(*args, **kwargs)
        made.append(datasette)
        return datasette

    yield factory
    for datasette in made:
        datasette.close()


@pytest.fixture
def write_plugin(tmp_path: Path) -> Callable[..., Path]:
    """``write_plugin(source, name="my_plugin.py", directory="plugins")`` -> the plugins dir."""

    def write(source: str, name: str = "my_plugin.py", directory: str = "plugins") -> Path:
        plugins_dir = tmp_path / directory
        plugins_dir.mkdir(exist_ok=True)
        (plugins_dir / name).write_text(textwrap.dedent(source))
        return plugins_dir

    return write
