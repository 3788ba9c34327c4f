"""Fixtures for the tokens tests: a small database, Datasette instances and an event recorder."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm

os.environ.setdefault("DATASETTE_LOAD_PLUGINS", "")  # keep installed third-party plugins out


@pytest.fixture(scope="session")
def db_path(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("tokens") / "data.db"
    conn = sqlite3.connect(str(path))
    conn.executescript("""
        create table items (id integer primary key, name text);
        create table other (id integer primary key, note text);
        create table [odd:name/x] (id integer primary key);
        insert into items values (1, 'a'), (2, 'b');
        insert into other values (1, 'secret');
    """)
    conn.commit()
    conn.close()
    return str(path)


@pytest.fixture
def make_ds(db_path):
    """``make_ds(**kwargs)``: a Datasette on data.db, closed after the test."""
    made: list[Datasette] = []

    def factory(**kwargs) -> Datasette:
        datasette = Datasette([db_path], **kwargs)
        made.append(datasette)
        return datasette

    yield factory
    for datasette in made:
        datasette.close()


class Recorder:
    """Collects every event sent to ``track_event``."""

    def __init__(self) -> None:
        self.events: list = []

    @hookimpl
    def track_event(self, datasette, event):
        self.events.append(event)


@pytest.fixture
def recorder():
    plugin = Recorder()
    pm.register(plugin, name="tokens-test-recorder")
    yield plugin
    pm.unregister(plugin)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
