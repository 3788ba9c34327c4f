"""escape_fts() is registered on every connection and makes user input safe for FTS MATCH."""
from __future__ import annotations

import sqlite3
import urllib.parse

import pytest

from datasette.app import Datasette
from datasette_builtins.sql_functions.functions import register_functions, sql_escape_fts


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "docs.db"
    conn = sqlite3.connect(path)
    conn.executescript("""
        create table docs (id integer primary key, title text, body text);
        create virtual table docs_fts using fts5(title, body, content=docs, content_rowid=id);
        insert into docs (title, body) values ('Dogs', 'dogs are loyal'), ('Cats', 'cats: "independent"'),
            ('Both', 'dogs and cats');
        insert into docs_fts (rowid, title, body) select id, title, body from docs;
    """)
    conn.commit()
    conn.close()
    return str(path)


@pytest.mark.parametrize("text,expected", [
    ("dog", '"dog"'),
    ("dog cat", '"dog" "cat"'),
    ('"dog cat"', '"dog cat"'),
    ('dog "cat', '"dog" "cat"'),
    ("dogs AND NOT cats", '"dogs" "AND" "NOT" "cats"'),
    ("", ""),
    (None, None),
    (42, '"42"'),
])
def test_function_values(text, expected):
    assert sql_escape_fts(text) == expected


def test_registered_as_deterministic():
    conn = sqlite3.connect(":memory:")
    register_functions(conn)
    conn.execute("create table t (q text)")
    # Only deterministic functions may appear in an index expression.
    conn.execute("create index t_q on t (escape_fts(q))")
    assert conn.execute("select escape_fts('a b')").fetchone()[0] == '"a" "b"'


@pytest.mark.asyncio
async def test_available_in_datasette_queries(db_path):
    ds = Datasette([db_path])
    try:
        db = ds.get_database("docs")
        result = await db.execute(
            "select title from docs_fts where docs_fts match escape_fts(:q) order by rowid", {"q": "dogs OR"})
        assert [row[0] for row in result.rows] == []  # "dogs" "OR": both words must match
        result = await db.execute(
            "select title from docs_fts where docs_fts match escape_fts(:q) order by rowid", {"q": "cats"})
        assert [row[0] for row in result.rows] == ["Cats", "Both"]
        sql = "select escape_fts(:q) as escaped"
        response = await ds.client.get("/docs/-/query.json?" + urllib.parse.urlencode({"sql": sql, "q": 'a "b'}))
        assert response.json()["rows"] == [{"escaped": '"a" "b"'}]
        # Unescaped, the same input is an FTS syntax error.
        with pytest.raises(sqlite3.OperationalError):
            await db.execute("select * from docs_fts where docs_fts match :q", {"q": 'cats: "independent'})
        result = await db.execute("select title from docs_fts where docs_fts match escape_fts(:q)",
                                  {"q": 'cats: "independent'})
        assert [row[0] for row in result.rows] == ["Cats"]
    finally:
        ds.close()


@pytest.mark.asyncio
async def test_disabled_plugin_means_no_function(db_path):
    ds = Datasette([db_path], disabled_plugins=["sql_functions"])
    try:
        with pytest.raises(sqlite3.OperationalError, match="no such function: escape_fts"):
            await ds.get_database("docs").execute("select escape_fts('x')")
    finally:
        ds.close()
