"""Fixtures for the facets tests: a small database with facetable data and Datasette instances on it."""
from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable

import pytest
import pytest_asyncio

from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm

SCHEMA = r"""
create table facet_cities (id integer primary key, name text);
insert into facet_cities values (1, 'San Francisco'), (2, 'Los Angeles'), (3, 'Detroit'), (4, 'Memnonia');
create table planets (id integer primary key, size integer, mass integer);
insert into planets values (1, 10, 3), (2, 5, 1);
create table facetable (pk integer primary key, created text, planet_int integer, on_earth integer, state text,
  _city_id integer, _neighborhood text, tags text, complex_array text, distinct_some_null, n text,
  foreign key (_city_id) references facet_cities(id), foreign key (planet_int) references planets(id));
insert into facetable (created, planet_int, on_earth, state, _city_id, _neighborhood, tags, complex_array,
  distinct_some_null, n) values
  ('2019-01-14 08:00:00', 1, 1, 'CA', 1, 'Mission', '["tag1", "tag2"]', '[{"foo": "bar"}]', 'one', 'n1'),
  ('2019-01-14 08:00:00', 1, 1, 'CA', 1, 'Dogpatch', '["tag1", "tag3"]', '[]', 'two', 'n2'),
  ('2019-01-14 08:00:00', 1, 1, 'CA', 1, 'SOMA', '[]', '[]', null, null),
  ('2019-01-14 08:00:00', 1, 1, 'CA', 1, 'Tenderloin', '[]', '[]', null, null),
  ('2019-01-15 08:00:00', 1, 1, 'CA', 1, 'Bernal Heights', '[]', '[]', null, null),
  ('2019-01-15 08:00:00', 1, 1, 'CA', 1, 'Hayes Valley', '[]', '[]', null, null),
  ('2019-01-15 08:00:00', 1, 1, 'CA', 2, 'Hollywood', '[]', '[]', null, null),
  ('2019-01-15 08:00:00', 1, 1, 'CA', 2, 'Downtown', '[]', '[]', null, null),
  ('2019-01-16 08:00:00', 1, 1, 'CA', 2, 'Los Feliz', '[]', '[]', null, null),
  ('2019-01-16 08:00:00', 1, 1, 'CA', 2, 'Koreatown', '[]', '[]', null, null),
  ('2019-01-16 08:00:00', 1, 1, 'MI', 3, 'Downtown', '[]', '[]', null, null),
  ('2019-01-17 08:00:00', 1, 1, 'MI', 3, 'Greektown', '[]', '[]', null, null),
  ('2019-01-17 08:00:00', 1, 1, 'MI', 3, 'Corktown', '[]', '[]', null, null),
  ('2019-01-17 08:00:00', 1, 1, 'MI', 3, 'Mexicantown', '[]', '[]', null, null),
  ('2019-01-17 08:00:00', 2, 0, 'MC', 4, 'Arcadia Planitia', '[]', '[]', null, null);
create index idx_facetable_state on facetable(state);
create view facetable_view as select state, _neighborhood from facetable;
create table sparse (id integer primary key, d1 text, d2 text, d3 text, a1 text, a2 text, a3 text, a4 text, c1);
"""

WIDE_COLUMNS = 120
WIDE_ROWS = 1500


def wide_value(row: int, column: int) -> str:
    return f"v{(row * (column + 7)) % (column % 9 + 2)}"


def build_fixtures(path: Path) -> Path:
    conn = sqlite3.connect(str(path))
    conn.executescript(SCHEMA)
    rows = []
    for i in range(1, 2001):
        rows.append((i, "2020-01-05" if i == 50 else None, "2020-01-05" if i == 150 else "x",
                     "2020-13-45" if i == 3 else None, '["a"]' if i != 7 else "nope", "[1, 2]",
                     '["x"]' if i == 1500 else "[]", '["a", "b", "a"]' if i % 2 else "",
                     i % 3 if i > 999 else 5))
    conn.executemany("insert into sparse values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    columns = ", ".join(f"c{i:03d}" for i in range(WIDE_COLUMNS))
    conn.execute(f"create table wide (id integer primary key, {columns})")
    conn.executemany(f"insert into wide values (?, {', '.join('?' * WIDE_COLUMNS)})",
                     [(r, *[wide_value(r, c) for c in range(WIDE_COLUMNS)])
                      for r in range(1, WIDE_ROWS + 1)])
    conn.commit()
    conn.close()
    return path


@pytest.fixture(scope="session")
def fixtures_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixtures(tmp_path_factory.mktemp("facets") / "fixtures.db")


@pytest.fixture
def fresh_fixtures(tmp_path: Path, fixtures_path: Path) -> Path:
    """A private copy of fixtures.db that a test may write to."""
    target = tmp_path / "fixtures.db"
    shutil.copy(fixtures_path, target)
    return target


@pytest.fixture
def make_ds():
    """Factory for started Datasette instances, closed afterwards."""
    made: list[Datasette] = []

    async def factory(*args: Any, **kwargs: Any) -> Datasette:
        datasette = Datasette(*args, **kwargs)
        made.append(datasette)
        await datasette.invoke_startup()
        return datasette

    yield factory
    for datasette in made:
        datasette.close()


@pytest_asyncio.fixture
async def ds(make_ds: Callable, fixtures_path: Path) -> Datasette:
    return await make_ds(immutables=[str(fixtures_path)])


@pytest.fixture
def register_plugin():
    """``register_plugin(obj, name)``: register a test plugin, unregistered afterwards."""
    registered: list[Any] = []

    def register(plugin: Any, name: str) -> Any:
        pm.register(plugin, name=name)
        registered.append(plugin)
        return plugin

    yield register
    for plugin in registered:
        pm.unregister(plugin)


class SlowFunction:
    """A plugin adding ``slow(x)``: returns x after sleeping a millisecond (makes queries slow on purpose)."""

    @hookimpl
    def prepare_connection(self, conn):
        def slow(value):
            time.sleep(0.001)
            return value
        conn.create_function("slow", 1, slow)


async def get_json(ds: Datasette, path: str, status: int = 200) -> Any:
    response = await ds.client.get(path)
    assert response.status_code == status, response.text
    return response.json()
