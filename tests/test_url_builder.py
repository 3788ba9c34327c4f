"""Tests for datasette.urls (url_builder.Urls) and initial_path_for_datasette."""
from __future__ import annotations

import sqlite3

import pytest

from datasette.app import Datasette
from datasette.database import Database
from datasette.utils import PrefixedUrlString, initial_path_for_datasette


@pytest.fixture
def ds():
    datasette = Datasette(memory=True, settings={"base_url": "/prefix/"})
    datasette.add_database(Database(datasette, memory_name="url_builder_test"), name="my.db", route="my/route")
    return datasette


def test_paths_are_prefixed_once(ds):
    urls = ds.urls
    assert urls.path("foo") == urls.path("/foo") == "/prefix/foo"
    assert urls.path(urls.path("foo")) == "/prefix/foo"
    assert urls.path(urls.path("foo") + "?a=1") == "/prefix/foo?a=1"
    assert urls.path("-/versions", format="json") == "/prefix/-/versions.json"
    assert urls.instance() == "/prefix/" and urls.instance(format="json") == "/prefix/.json"
    assert urls.static("app.css") == "/prefix/-/static/app.css"
    assert urls.static_plugins("datasette-cluster-map", "map.js") == "/prefix/-/static-plugins/datasette-cluster-map/map.js"
    assert urls.logout() == "/prefix/-/logout"


def test_database_table_query_row_urls(ds):
    urls = ds.urls
    assert urls.database("my.db") == "/prefix/my~2Froute"
    assert urls.database("my.db", format="json") == "/prefix/my~2Froute.json"
    assert urls.table("my.db", "table/with/slashes.csv") == "/prefix/my~2Froute/table~2Fwith~2Fslashes~2Ecsv"
    assert urls.table("my.db", "t", format="csv") == "/prefix/my~2Froute/t.csv"
    assert urls.query("my.db", "top queries", format="json") == "/prefix/my~2Froute/top+queries.json"
    assert urls.row("my.db", "t", "1,a~2Fb") == "/prefix/my~2Froute/t/1,a~2Fb"
    assert urls.row("my.db", "t", "1", format="json") == "/prefix/my~2Froute/t/1.json"
    assert urls.row_blob("my.db", "t", "1", "data col") == "/prefix/my~2Froute/t/1.blob?_blob_column=data+col"
    assert urls.database_query("my.db", "select * from t where a = 'b.c'") == "/prefix/my~2Froute/-/query?sql=select+%2A+from+t+where+a+%3D+%27b.c%27"
    assert urls.database_query("my.db", "select 1.5", format="json") == "/prefix/my~2Froute/-/query.json?sql=select+1.5"


def test_every_url_is_a_prefixed_url_string(ds):
    urls = ds.urls
    built = [
        urls.path("x"), urls.instance(), urls.static("a"), urls.static_plugins("p", "a"), urls.logout(), urls.database("my.db"),
        urls.database_query("my.db", "select 1"), urls.table("my.db", "t"), urls.query("my.db", "q"), urls.row("my.db", "t", "1"),
        urls.row_blob("my.db", "t", "1", "c"), urls.table("my.db", "t", format="json"),
    ]
    assert all(isinstance(url, PrefixedUrlString) for url in built)


def test_default_base_url():
    datasette = Datasette(memory=True)
    assert datasette.urls.instance() == "/"
    assert datasette.urls.table("_memory", "t", format="json") == "/_memory/t.json"


def make_db(path, *tables):
    conn = sqlite3.connect(path)
    for table in tables:
        conn.execute(f"create table [{table}] (id integer primary key)")
    conn.close()
    return str(path)


@pytest.mark.asyncio
async def test_initial_path_for_datasette(tmp_path):
    one_table = make_db(tmp_path / "one.db", "only table")
    two_tables = make_db(tmp_path / "two.db", "a", "b")
    assert await initial_path_for_datasette(Datasette([one_table])) == "/one/only+table"
    assert await initial_path_for_datasette(Datasette([two_tables])) == "/two"
    assert await initial_path_for_datasette(Datasette([one_table, two_tables])) == "/"
