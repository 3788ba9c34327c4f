"""Fixtures for the write_api tests: a real SQLite file, test plugins for actors and permissions, events."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm

os.environ.setdefault("DATASETTE_LOAD_PLUGINS", "")  # keep installed third-party plugins out

SCHEMA = """
create table docs (id integer primary key, title text, score float, age integer);
create table compound (a text, b text, v text, primary key (a, b));
create table norowid (name text, v integer);
create table uniq (id integer primary key, email text unique not null);
create table strict_t (id integer primary key, n integer) strict;
create table [name/with.dots] (id integer primary key, label text);
create table blobs (id integer primary key, data blob);
create table keyed (k text primary key, v text) without rowid;
create view docs_view as select * from docs;
insert into docs values (1, 'one', 1.5, 3), (2, 'two', null, null);
insert into compound values ('x', 'y', 'z');
insert into norowid values ('n', 1);
insert into uniq values (1, 'a@example.com');
insert into blobs values (1, x'00ff10');
insert into keyed values ('k1', 'v1');
"""


def make_db(path: Path) -> str:
    conn = sqlite3.connect(str(path))
    try:
        conn.executescript("begin;" + SCHEMA + "commit;")  # one transaction: one fsync, not thirty
    finally:
        conn.close()
    return str(path)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    return Path(make_db(tmp_path_factory.mktemp("template") / "data.db"))


def rows_of(path: str, sql: str, params: Any = ()) -> list[tuple]:
    """Read straight from the file, bypassing Datasette."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


class HeaderActors:
    """The actor is the JSON in the ``x-actor`` header; it may perform the actions in its ``can`` list.

    ``{"id": "root"}`` gets the write permissions from the ``permissions`` plugin, as upstream.
    """

    @hookimpl
    def actor_from_request(self, request):
        value = request.headers.get("x-actor")
        return json.loads(value) if value else None

    @hookimpl
    def permission_allowed(self, actor, action, resource):
        if actor and action in (actor.get("can") or []):
            return True
        return None


class EventRecorder:
    """Collects every event sent to ``track_event``."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    @hookimpl
    def track_event(self, datasette, event):
        self.events.append(event)

    def names(self) -> list[str]:
        return [event.name for event in self.events]


def actor_headers(actor: dict | None = None, **headers: str) -> dict[str, str]:
    """Headers that make the request come from ``actor`` (root by default)."""
    return {"x-actor": json.dumps(actor or {"id": "root"}), **headers}


ROOT = actor_headers()


@pytest.fixture
def db_path(tmp_path: Path, template_db: Path) -> str:
    """A fresh copy of the fixtures database."""
    return str(shutil.copy(template_db, tmp_path / "data.db"))


@pytest.fixture
def register():
    """``register(plugin)``: add a plugin object to ``pm`` for this test only."""
    added = []

    def add(plugin):
        pm.register(plugin, name=f"test-plugin-{id(plugin)}")
        added.append(plugin)
        return plugin

    yield add
    for plugin in added:
        if pm.is_registered(plugin):
            pm.unregister(plugin)


@pytest.fixture
def events(register) -> EventRecorder:
    return register(EventRecorder())


@pytest_asyncio.fixture
async def make_ds(db_path, register):
    """``await make_ds(**kwargs)``: a started Datasette on data.db with the header-actor plugin; closed afterwards."""
    register(HeaderActors())
    made = []

    async def factory(files=None, **kwargs):
        datasette = Datasette(files if files is not None else [db_path], **kwargs)
        made.append(datasette)
        await datasette.invoke_startup()
        return datasette

    yield factory
    for datasette in made:
        datasette.close()


@pytest_asyncio.fixture
async def ds(make_ds):
    return await make_ds()


async def post_json(ds: Datasette, path: str, body: Any, headers: dict | None = None, **kwargs: Any):
    """POST ``body`` as JSON (as root unless ``headers`` say otherwise)."""
    all_headers = {"content-type": "application/json", **(ROOT if headers is None else headers)}
    content = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return await ds.client.post(path, content=content, headers=all_headers, **kwargs)
