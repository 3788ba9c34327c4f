"""Fixtures for the table_views tests: a fixtures database and Datasette instances on it.

The ``query_views`` plugin is disabled here: its canned-query route shares the
``/<db>/<name>`` pattern and is currently tried before ours (see the plugin README).
"""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any, Callable

import pytest
import pytest_asyncio

from datasette.app import Datasette
from datasette.plugins import pm

SCHEMA = r"""
create table simple_primary_key (id varchar(30) primary key, content text);
insert into simple_primary_key values ('1', 'hello'), ('2', 'world'), ('3', ''), ('4', 'RENDER_CELL_DEMO');
create table primary_key_multiple_columns (id varchar(30) primary key, content text, content2 text);
insert into primary_key_multiple_columns values ('1', 'hey', 'world');
create table compound_primary_key (pk1 varchar(30), pk2 varchar(30), content text, primary key (pk1, pk2));
insert into compound_primary_key values ('a', 'b', 'c'), ('a/b', '.c-d', 'c');
create table compound_three_primary_keys (pk1 varchar(30), pk2 varchar(30), pk3 varchar(30), content text,
  primary key (pk1, pk2, pk3));
create table no_primary_key (content text, a text, b text, c text);
create table sortable (pk1 varchar(30), pk2 varchar(30), content text, sortable integer, sortable_with_nulls real,
  sortable_with_nulls_2 real, text text, primary key (pk1, pk2));
create table foreign_key_references (
  pk varchar(30) primary key, foreign_key_with_label varchar(30), foreign_key_with_blank_label varchar(30),
  foreign_key_with_no_label varchar(30), foreign_key_compound_pk1 varchar(30), foreign_key_compound_pk2 varchar(30),
  foreign key (foreign_key_with_label) references simple_primary_key(id),
  foreign key (foreign_key_with_blank_label) references simple_primary_key(id),
  foreign key (foreign_key_with_no_label) references primary_key_multiple_columns(id),
  foreign key (foreign_key_compound_pk1, foreign_key_compound_pk2) references compound_primary_key(pk1, pk2));
insert into foreign_key_references values ('1', '1', '3', '1', 'a', 'b'), ('2', null, null, null, null, null),
  ('3', '99', null, null, null, null);
create table facet_cities (id integer primary key, name text);
insert into facet_cities values (1, 'San Francisco'), (2, 'Los Angeles'), (3, 'Detroit'), (4, 'Memnonia');
create table facetable (pk integer primary key, created text, planet_int integer, on_earth integer, state text,
  _city_id integer, _neighborhood text, tags text, complex_array text, distinct_some_null, n text,
  foreign key (_city_id) references facet_cities(id));
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
create table searchable (pk integer primary key, text1 text, text2 text, [name with . and spaces] text);
insert into searchable values (1, 'barry cat', 'terry dog', 'panther'), (2, 'terry dog', 'sara weasel', 'puma');
create virtual table searchable_fts using fts5(text1, text2, [name with . and spaces], content="searchable",
  content_rowid="pk");
insert into searchable_fts (searchable_fts) values ('rebuild');
create table tags (tag text primary key);
insert into tags values ('canine'), ('feline');
create table searchable_tags (searchable_id integer, tag text, primary key (searchable_id, tag),
  foreign key (searchable_id) references searchable(pk), foreign key (tag) references tags(tag));
insert into searchable_tags values (1, 'feline'), (2, 'canine');
create table binary_data (data blob);
insert into binary_data values (x'FFD8FFE000104A46'), (x'68656c6c6f'), (null);
create table infinity (value real);
insert into infinity values (1e999), (-1e999), (1.5);
create table [table/with/slashes.csv] (pk varchar(30) primary key, content text);
insert into [table/with/slashes.csv] values ('3', 'hey');
create table [select] ([group] text, [having] text, [and] text, [json] text);
insert into [select] values ('group', 'having', 'and', '{"href": "http://example.com/", "label":"Example"}');
create table roadside_attractions (pk integer primary key, name text, address text, url text);
insert into roadside_attractions values (1, 'The Mystery Spot', '465 Mystery Spot Road', 'https://www.mysteryspot.com/'),
  (2, 'Winchester Mystery House', '525 South Winchester Boulevard', 'https://winchestermysteryhouse.com/');
create table big (id integer primary key, value text);
create table _hidden_stuff (id integer primary key);
create view simple_view as select content, upper(content) as upper_content from simple_primary_key;
create view paginated_view as select content, '- ' || content || ' -' as content_extra from no_primary_key;
create index idx_sortable_content on sortable(content);
"""

SORTABLE_NULLS = [None if i % 3 == 0 else float(i % 17) for i in range(201)]


def build_fixtures(path: Path) -> Path:
    conn = sqlite3.connect(str(path))
    conn.executescript(SCHEMA)
    for a in "abc":
        for b in "abc":
            for c in "abc":
                conn.execute("insert into compound_three_primary_keys values (?, ?, ?, ?)", (a, b, c, a + b + c))
    conn.executemany("insert into no_primary_key values (?, ?, ?, ?)",
                     [(str(i), f"a{i}", f"b{i}", f"c{i}") for i in range(1, 202)])
    rows = []
    for i in range(201):
        pk1 = "abcdefghij"[i // 20] if i < 200 else "z"
        pk2 = "abcdefghijklmnopqrst"[i % 20] if i < 200 else "z"
        rows.append((pk1, pk2, f"${i}", (i * 37) % 101 - 10, SORTABLE_NULLS[i],
                     None if i % 5 == 0 else (i * 13) % 7 / 10, f"txt {i % 50}"))
    conn.executemany("insert into sortable values (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.executemany("insert into big (value) values (?)", [(f"v{i}",) for i in range(10050)])
    conn.commit()
    conn.close()
    return path


@pytest.fixture(scope="session")
def fixtures_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixtures(tmp_path_factory.mktemp("table_views") / "fixtures.db")


@pytest.fixture
def fresh_fixtures(tmp_path: Path, fixtures_path: Path) -> Path:
    """A private copy of fixtures.db that a test may write to."""
    target = tmp_path / "fixtures.db"
    shutil.copy(fixtures_path, target)
    return target


@pytest.fixture
def make_ds():
    """Factory for started Datasette instances (query_views disabled), closed afterwards."""
    made: list[Datasette] = []

    async def factory(*args: Any, **kwargs: Any) -> Datasette:
        disabled = list(kwargs.pop("disabled_plugins", []))
        datasette = Datasette(*args, disabled_plugins=disabled + ["query_views"], **kwargs)
        made.append(datasette)
        await datasette.invoke_startup()
        return datasette

    yield factory
    for datasette in made:
        datasette.close()


@pytest_asyncio.fixture
async def ds(make_ds: Callable, fixtures_path: Path) -> Datasette:
    return await make_ds([str(fixtures_path)])


@pytest.fixture
def register_plugin():
    """``register_plugin(obj_or_module, name)``: register a test plugin, unregistered afterwards."""
    registered: list[Any] = []

    def register(plugin: Any, name: str) -> Any:
        pm.register(plugin, name=name)
        registered.append(plugin)
        return plugin

    yield register
    for plugin in registered:
        pm.unregister(plugin)
