"""Fixtures for the gzip tests: a small database, Datasette instances and a raw ASGI caller."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any, Callable

import pytest

from datasette.app import Datasette

os.environ.setdefault("DATASETTE_LOAD_PLUGINS", "")  # keep installed third-party plugins out

SCHEMA = """
create table items (id integer primary key, name text, price real);
create table pairs (a text, b text, note text, primary key (a, b));
create view cheap as select * from items where price < 10;
"""


def make_db(path: Path, journal_mode: str = "delete") -> str:
    conn = sqlite3.connect(str(path))
    conn.execute(f"pragma journal_mode={journal_mode}")
    conn.executescript(SCHEMA)
    conn.executemany("insert into items (name, price) values (?, ?)",
                     [(f"item {i}", i * 1.5) for i in range(1, 201)])
    conn.execute("insert into pairs values ('x', 'y', 'hello')")
    conn.commit()
    conn.close()
    return str(path)


@pytest.fixture
def db_path(tmp_path) -> str:
    return make_db(tmp_path / "data.db")


@pytest.fixture
def make_ds() -> Callable[..., Datasette]:
    """``make_ds(**kwargs)``: a Datasette closed at the end of the test."""
    made: list[Datasette] = []

    def factory(*args: Any, **kwargs: Any) -> Datasette:
        datasette = Datasette(*args, **kwargs)
        made.append(datasette)
        return datasette

    yield factory
    for datasette in made:
        datasette.close()


async def call(app: Any, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple:
    """One request straight through the ASGI app: ``(status, headers dict, raw body bytes, messages)``."""
    path, _, query = path.partition("?")
    scope = {"type": "http", "http_version": "1.1", "method": method, "scheme": "http", "path": path,
             "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
             "client": ("127.0.0.1", 1234), "server": ("localhost", 80)}
    messages: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        messages.append(message)

    await app(scope, receive, send)
    start = messages[0]
    response_headers: dict[str, str] = {}
    for name, value in start.get("headers", []):
        key = name.decode().lower()
        response_headers[key] = (response_headers[key] + ", " if key in response_headers else "") + value.decode()
    body = b"".join(m.get("body", b"") for m in messages[1:] if m["type"] == "http.response.body")
    return start["status"], response_headers, body, messages
