"""Internal database: the catalog_* and metadata_* tables and how they are populated."""
from __future__ import annotations

import sqlite3

import pytest
import pytest_asyncio

from datasette.app import Datasette
from datasette.internal_db import init_internal_db, populate_schema_tables

EXPECTED_COLUMNS = {
    "catalog_databases": ["database_name", "path", "is_memory", "schema_version"],
    "catalog_tables": ["database_name", "table_name", "rootpage", "sql"],
    "catalog_columns": ["database_name", "table_name", "cid", "name", "type", "notnull", "default_value", "is_pk",
                        "hidden"],
    "catalog_indexes": ["database_name", "table_name", "seq", "name", "unique", "origin", "partial"],
    "catalog_foreign_keys": ["database_name", "table_name", "id", "seq", "table", "from", "to", "on_update",
                             "on_delete", "match"],
    "metadata_instance": ["key", "value"],
    "metadata_databases": ["database_name", "key", "value"],
    "metadata_resources": ["database_name", "resource_name", "key", "value"],
    "metadata_columns": ["database_name", "resource_name", "column_name", "key", "value"],
}


@pytest.fixture
def db_path(tmp_path):
    path = str(tmp_path / "shop.db")
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        create table makers (id integer primary key, name text not null default 'anon');
        create table products (
            id integer primary key, sku text unique, maker_id integer references makers(id) on delete cascade
        );
        create index products_maker on products(maker_id) where maker_id is not null;
        create view maker_names as select name from makers;
        """
    )
    conn.close()
    return path


@pytest_asyncio.fixture
async def ds(db_path):
    datasette = Datasette(files=[db_path])
    await datasette.invoke_startup()
    yield datasette
    datasette.close()


async def rows(ds, sql, params=None):
    return [tuple(row) for row in await ds.get_internal_database().execute(sql, params)]


@pytest.mark.asyncio
async def test_init_creates_exact_tables_and_is_idempotent(ds):
    internal = ds.get_internal_database()
    await init_internal_db(internal)  # again: nothing fails, nothing duplicated
    names = await rows(ds, "select name from sqlite_master where type = 'table' order by name")
    assert set(EXPECTED_COLUMNS) <= {name for (name,) in names}
    for table, columns in EXPECTED_COLUMNS.items():
        assert await internal.table_columns(table) == columns


@pytest.mark.asyncio
async def test_catalog_populated_at_startup(ds, db_path):
    databases = await rows(ds, "select database_name, path, is_memory from catalog_databases where database_name = 'shop'")
    assert databases == [("shop", db_path, 0)]
    version = await ds.get_database("shop").execute("PRAGMA schema_version")
    assert await rows(ds, "select schema_version from catalog_databases where database_name = 'shop'") == [
        (version.single_value(),)
    ]
    tables = await rows(ds, "select table_name from catalog_tables where database_name = 'shop' order by table_name")
    assert tables == [("makers",), ("products",)]  # views are not tables
    columns = await rows(
        ds,
        'select name, type, "notnull", default_value, is_pk, hidden from catalog_columns'
        " where database_name = 'shop' and table_name = 'makers' order by cid",
    )
    assert columns == [("id", "INTEGER", 0, None, 1, 0), ("name", "TEXT", 1, "'anon'", 0, 0)]
    indexes = await rows(
        ds,
        'select name, "unique", origin, partial from catalog_indexes'
        " where database_name = 'shop' and table_name = 'products' order by name",
    )
    assert indexes == [("products_maker", 0, "c", 1), ("sqlite_autoindex_products_1", 1, "u", 0)]
    keys = await rows(
        ds,
        'select table_name, "table", "from", "to", on_delete from catalog_foreign_keys where database_name = ?',
        ["shop"],
    )
    assert keys == [("products", "makers", "maker_id", "id", "CASCADE")]


@pytest.mark.asyncio
async def test_repopulate_replaces_rows_in_one_write(ds, monkeypatch):
    db = ds.get_database("shop")
    await db.execute_write_script("drop table products; create table orders (id integer primary key, total real);")
    internal = ds.get_internal_database()
    writes = []
    original = internal.execute_write_fn
    monkeypatch.setattr(internal, "execute_write_fn", lambda fn, **kw: (writes.append(fn), original(fn, **kw))[1])
    await populate_schema_tables(internal, db)
    assert len(writes) == 1
    assert await rows(ds, "select table_name from catalog_tables where database_name = 'shop' order by 1") == [
        ("makers",),
        ("orders",),
    ]
    assert await rows(ds, "select count(*) from catalog_columns where table_name = 'products'") == [(0,)]
    assert await rows(ds, "select count(*) from catalog_foreign_keys where database_name = 'shop'") == [(0,)]
    assert await rows(ds, "select count(*) from catalog_databases where database_name = 'shop'") == [(1,)]


@pytest.mark.asyncio
async def test_failed_repopulate_keeps_previous_catalog(ds):
    internal = ds.get_internal_database()
    await internal.execute_write(
        "create trigger refuse before insert on catalog_tables when new.table_name = 'boom'"
        " begin select raise(abort, 'refused'); end"
    )
    db = ds.get_database("shop")
    await db.execute_write("create table boom (x)")
    with pytest.raises(sqlite3.IntegrityError, match="refused"):
        await populate_schema_tables(internal, db)
    tables = await rows(ds, "select table_name from catalog_tables where database_name = 'shop' order by 1")
    assert tables == [("makers",), ("products",)]  # the old rows, not a half-written catalog


@pytest.mark.asyncio
async def test_memory_database_catalog_and_metadata_upsert(ds):
    memory = ds.add_memory_database("scratchpad")
    await memory.execute_write("create table notes (body text)")
    internal = ds.get_internal_database()
    await populate_schema_tables(internal, memory)
    assert await rows(ds, "select path, is_memory from catalog_databases where database_name = 'scratchpad'") == [
        (None, 1)
    ]
    for value in ("first", "second"):
        await internal.execute_write(
            "insert into metadata_databases (database_name, key, value) values ('shop', 'title', ?)"
            " on conflict (database_name, key) do update set value = excluded.value",
            [value],
        )
    assert await rows(ds, "select value from metadata_databases where database_name = 'shop'") == [("second",)]
