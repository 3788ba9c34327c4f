"""Fixtures for the query_views tests: a real SQLite database and Datasette instances on it."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import pytest_asyncio

from datasette.app import Datasette
from datasette.plugins import pm

os.environ.setdefault("DATASETTE_LOAD_PLUGINS", "")  # keep installed third-party plugins out

SCHEMA = """
create table facetable (pk integer primary key, state text, city text, score real);
create table compound (pk1 text, pk2 text, content text, primary key (pk1, pk2));
create table [name/with.dots] (id integer primary key, label text);
create table cells (id integer primary key, empty, data blob, url text, body text, number real);
create view ca_only as select * from facetable where state = 'CA';
create table docs (id integer primary key, title text, body text);
create virtual table docs_fts using fts5(title, body, content=docs, content_rowid=id);

insert into facetable (state, city, score) values
    ('CA', 'San Francisco', 1.5), ('CA', 'Los Angeles', 2.0), ('MI', 'Detroit', null), ('NY', 'New York', 1e308 * 10);
insert into compound values ('a', 'b', 'c'), ('a/b', '.c-d', 'e');
insert into [name/with.dots] (label) values ('dotted');
insert into cells values (1, null, x'00ff10', 'https://example.com/page', 'short', 1.25);
insert into cells values (2, 'x', x'616263', 'not a url', '<b>bold</b>', -0.5);
insert into docs (title, body) values ('Dogs', 'dogs are loyal'), ('Cats', 'cats are "independent"');
insert into docs_fts (rowid, title, body) select id, title, body from docs;
"""


def make_db(path: Path) -> str:
    conn = sqlite3.connect(str(path))
    try:
        conn.executescript(SCHEMA)
        conn.execute("insert into cells (id, body) values (3, ?)", ["x" * 3000])
        conn.commit()
    finally:
        conn.close()
    return str(path)


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return make_db(tmp_path / "fixtures.db")


@pytest.fixture
def register():
    """``register(plugin)``: add a plugin object to ``pm`` for this test only."""
    added = []

    def add(plugin, name=None):
        pm.register(plugin, name=name or f"test-plugin-{id(plugin)}")
        added.append(plugin)
        return plugin

    yield add
    for plugin in added:
        if pm.is_registered(plugin):
            pm.unregister(plugin)


@pytest_asyncio.fixture
async def make_ds(db_path):
    """``await make_ds(**kwargs)``: a started Datasette on the fixtures database, closed afterwards."""
    made = []

    async def factory(**kwargs):
        datasette = Datasette([db_path], **kwargs)
        made.append(datasette)
        await datasette.invoke_startup()
        return datasette

    yield factory
    for datasette in made:
        datasette.close()


@pytest_asyncio.fixture
async def ds(make_ds):
    return await make_ds()
