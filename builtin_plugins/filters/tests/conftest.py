"""Fixtures for the filters tests: a small database with an FTS5 index and a many-to-many table."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from datasette.app import Datasette
from datasette.plugins import pm

SCHEMA = """
create table searchable (pk integer primary key, text1 text, text2 text, [name with . and spaces] text);
insert into searchable values (1, 'barry cat', 'terry dog', 'panther'), (2, 'terry dog', 'sara weasel', 'puma'),
  (3, 'quick fox', 'lazy "dog"', 'lynx');
create virtual table searchable_fts using fts5(text1, text2, [name with . and spaces], content="searchable",
  content_rowid="pk");
insert into searchable_fts (searchable_fts) values ('rebuild');
create table other (id integer primary key, name text);
insert into other values (1, 'barry'), (2, 'terry'), (3, 'fox');
create table tags (tag text primary key);
insert into tags values ('canine'), ('feline');
create table searchable_tags (searchable_id integer, tag text, primary key (searchable_id, tag),
  foreign key (searchable_id) references searchable(pk), foreign key (tag) references tags(tag));
insert into searchable_tags values (1, 'feline'), (2, 'canine'), (3, 'canine');
"""


@pytest.fixture(scope="session")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("filters") / "data.db"
    conn = sqlite3.connect(str(path))
    conn.executescript(SCHEMA)
    conn.close()
    return path


@pytest.fixture
def make_ds():
    """Started Datasette instances (query_views disabled: its route shadows tables), closed afterwards."""
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


@pytest.fixture
def register_plugin():
    registered: list[Any] = []

    def register(plugin: Any, name: str) -> Any:
        pm.register(plugin, name=name)
        registered.append(plugin)
        return plugin

    yield register
    for plugin in registered:
        pm.unregister(plugin)
