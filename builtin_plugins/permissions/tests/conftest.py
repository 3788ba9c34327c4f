"""Fixtures for the permissions tests: real SQLite files and Datasette instances on them."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from datasette.app import Datasette
from datasette.plugins import pm

os.environ.setdefault("DATASETTE_LOAD_PLUGINS", "")  # keep installed third-party plugins out

SCHEMA = {
    "private": """
        create table secrets (id integer primary key, secret text);
        create table notes (id integer primary key, note text);
        create view secret_view as select * from secrets;
        insert into secrets (secret) values ('s1'), ('s2');
        insert into notes (note) values ('n1');
    """,
    "public": """
        create table items (id integer primary key, name text);
        create table [has/slash] (id integer primary key);
        insert into items (name) values ('one'), ('two');
    """,
}


def make_db(directory: Path, name: str) -> str:
    path = directory / f"{name}.db"
    conn = sqlite3.connect(str(path))
    try:
        conn.executescript(SCHEMA[name])
        conn.commit()
    finally:
        conn.close()
    return str(path)


@pytest.fixture(scope="session")
def db_paths(tmp_path_factory) -> list[str]:
    """private.db and public.db, built once: the tests only read them."""
    directory = tmp_path_factory.mktemp("permissions")
    return [make_db(directory, "private"), make_db(directory, "public")]


@pytest.fixture
def make_ds(db_paths):
    """``make_ds(config=..., **kwargs)``: a Datasette on private.db and public.db, closed afterwards."""
    made: list[Datasette] = []

    def factory(files=None, **kwargs) -> Datasette:
        datasette = Datasette(db_paths if files is None else files, **kwargs)
        made.append(datasette)
        return datasette

    yield factory
    for datasette in made:
        datasette.close()


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
        pm.unregister(plugin)


def cookies_for(ds: Datasette, actor: dict | None) -> dict:
    """Cookies that sign ``actor`` in (none for anonymous)."""
    return {"ds_actor": ds.client.actor_cookie(actor)} if actor else {}
