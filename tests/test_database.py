"""Database: reads, time limits, the write thread, introspection, file properties."""
from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
import threading
import time
import uuid

import pytest
import pytest_asyncio

from datasette.app import Datasette
from datasette.database import Database, DatabaseIsImmutable, MultipleValues, QueryInterrupted, Results

SLOW_SQL = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"

SCHEMA = """
create table owners (id integer primary key, name text);
create table pets (id integer primary key, label text unique, owner_id integer references owners(id));
create table pair (a text, b text, primary key (b, a));
create table tagged (pair_a text, pair_b text, foreign key (pair_a, pair_b) references pair(a, b));
create table codes (code text primary key, description text);
create table _private (id integer);
create index pets_owner on pets(owner_id);
create view owner_names as select name from owners;
create virtual table pets_fts using fts5(label, content="pets");
create virtual table notes_fts using fts4(body);
"""


def make_db(path, schema=SCHEMA, rows=0):
    conn = sqlite3.connect(path)
    conn.executescript(schema)
    if rows:
        conn.execute(
            "insert into owners (name) select 'owner ' || value from "
            "(with recursive s(value) as (select 1 union all select value + 1 from s limit ?) select value from s)",
            [rows],
        )
    conn.commit()
    conn.close()
    return str(path)


@pytest.fixture
def db_path(tmp_path):
    return make_db(tmp_path / "data.db", rows=30)


@pytest_asyncio.fixture
async def ds(db_path):
    datasette = Datasette(files=[db_path])
    yield datasette
    datasette.close()


@pytest_asyncio.fixture
async def db(ds):
    return ds.get_database("data")


def write_thread_names():
    return [t.name for t in threading.enumerate() if t.name.startswith("_execute_writes")]


# Reads -------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_results_api(db):
    results = await db.execute("select id, name from owners where id <= ? order by id", [2])
    assert isinstance(results, Results)
    assert results.columns == ["id", "name"]
    assert len(results) == 2 and not results.truncated
    assert [tuple(row) for row in results] == [(1, "owner 1"), (2, "owner 2")]
    assert results.first()["name"] == "owner 1"
    assert results.dicts() == [{"id": 1, "name": "owner 1"}, {"id": 2, "name": "owner 2"}]
    assert (await db.execute("select count(*) from owners")).single_value() == 30
    with pytest.raises(MultipleValues):
        results.single_value()
    empty = await db.execute("select * from owners where 0")
    assert empty.first() is None and empty.columns == ["id", "name"]
    with pytest.raises(MultipleValues):
        empty.single_value()
    named = await db.execute("select :a + :b as total", {"a": 1, "b": 2})
    assert named.single_value() == 3


@pytest.mark.asyncio
async def test_read_connections_are_read_only(db):
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.execute("insert into owners (name) values ('x')", log_sql_errors=False)


@pytest.mark.asyncio
async def test_time_limit_interrupts_and_connection_recovers(db):
    start = time.perf_counter()
    with pytest.raises(QueryInterrupted) as info:
        await db.execute(SLOW_SQL, custom_time_limit=20)
    assert time.perf_counter() - start < 2
    assert info.value.sql == SLOW_SQL and isinstance(info.value.e, sqlite3.OperationalError)
    # The handler is removed afterwards: a long-enough query without a limit completes.
    results = await db.execute(SLOW_SQL.replace("from c)", "from c limit 200000)"))
    assert results.single_value() == 200000


@pytest.mark.asyncio
async def test_custom_time_limit_cannot_exceed_setting(db_path):
    ds = Datasette(files=[db_path], settings={"sql_time_limit_ms": 20})
    try:
        start = time.perf_counter()
        with pytest.raises(QueryInterrupted):
            await ds.get_database("data").execute(SLOW_SQL, custom_time_limit=60_000)
        assert time.perf_counter() - start < 2
    finally:
        ds.close()


@pytest.mark.asyncio
async def test_truncate(db_path):
    ds = Datasette(files=[db_path], settings={"max_returned_rows": 10})
    try:
        db = ds.get_database("data")
        results = await db.execute("select * from owners", truncate=True)
        assert len(results) == 10 and results.truncated and results.columns == ["id", "name"]
        results = await db.execute("select * from owners", truncate=True, page_size=5)
        assert len(results) == 5 and results.truncated
        results = await db.execute("select * from owners where id <= 10", truncate=True)
        assert len(results) == 10 and not results.truncated
        results = await db.execute("select * from owners")
        assert len(results) == 30 and not results.truncated
    finally:
        ds.close()


@pytest.mark.asyncio
async def test_prepare_connection_once_per_new_connection(db_path, monkeypatch):
    ds = Datasette(files=[db_path], settings={"num_sql_threads": 1})
    calls = []
    original = ds._prepare_connection
    monkeypatch.setattr(ds, "_prepare_connection", lambda conn, name: (calls.append(name), original(conn, name)))
    try:
        db = ds.get_database("data")
        for _ in range(3):
            await db.execute("select 1")
        assert calls == ["data"]  # one executor thread, one read connection
        await db.execute_write("insert into owners (name) values ('new')")
        assert calls == ["data", "data"]
        internal = ds.get_internal_database()
        await internal.execute_write("create table if not exists scratch (x)")
        await internal.execute("select 1")
        assert calls == ["data", "data"]  # never for the internal database
    finally:
        ds.close()


# Writes ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_write_thread_is_named_and_stops_on_close(db):
    cursor = await db.execute_write("insert into owners (name) values (?)", ["new"])
    assert cursor.lastrowid == 31
    assert "_execute_writes for database data" in write_thread_names()
    db.close()
    assert "_execute_writes for database data" not in write_thread_names()
    # The database is usable again after close: new connections are opened on demand.
    await db.execute_write("insert into owners (name) values (?)", ["again"])
    assert (await db.execute("select count(*) from owners")).single_value() == 32


@pytest.mark.asyncio
async def test_non_blocking_write_lands(db):
    task_id = await db.execute_write("insert into owners (name) values ('later')", block=False)
    assert isinstance(task_id, uuid.UUID)
    await db.execute_write_fn(lambda conn: None)  # queued after it, so it has run
    assert (await db.execute("select count(*) from owners where name = 'later'")).single_value() == 1


@pytest.mark.asyncio
async def test_transaction_rolls_back_everything_on_exception(db):
    def fail(conn):
        conn.execute("create table created (x)")
        conn.execute("insert into owners (name) values ('doomed')")
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await db.execute_write_fn(fail)
    assert not await db.table_exists("created")
    assert (await db.execute("select count(*) from owners where name = 'doomed'")).single_value() == 0
    # The write connection is clean afterwards.
    await db.execute_write_fn(lambda conn: conn.execute("insert into owners (name) values ('ok')"))
    assert (await db.execute("select count(*) from owners where name = 'ok'")).single_value() == 1


@pytest.mark.asyncio
async def test_transaction_false_commits_each_statement(db):
    def partly(conn):
        conn.execute("create table kept (x)")
        raise ValueError("after the create")

    with pytest.raises(ValueError):
        await db.execute_write_fn(partly, transaction=False)
    assert await db.table_exists("kept")


@pytest.mark.asyncio
async def test_write_with_returning_commits(db):
    cursor = await db.execute_write("insert into owners (name) values ('r1'), ('r2') returning id, name")
    assert cursor.rowcount == 2 and [d[0] for d in cursor.description] == ["id", "name"]
    assert tuple(cursor.fetchone()) == (31, "r1")
    assert [tuple(row) for row in cursor.fetchall()] == [(32, "r2")]
    assert cursor.fetchone() is None
    assert (await db.execute("select count(*) from owners where name like 'r_'")).single_value() == 2


@pytest.mark.asyncio
async def test_write_many_and_script(db):
    await db.execute_write_many("insert into owners (name) values (?)", [["a"], ["b"], ["c"]])
    await db.execute_write_script("create table s1 (x); insert into s1 values (1); insert into s1 values (2);")
    assert (await db.execute("select count(*) from owners")).single_value() == 33
    assert (await db.execute("select sum(x) from s1")).single_value() == 3


@pytest.mark.asyncio
async def test_isolated_fn(ds, db, monkeypatch):
    await db.execute_write("insert into owners (name) values ('first')")
    prepared = []
    original = ds._prepare_connection
    monkeypatch.setattr(ds, "_prepare_connection", lambda conn, name: (prepared.append(name), original(conn, name)))
    seen = {}

    def isolated(conn):
        seen["thread"] = threading.current_thread().name
        seen["conn"] = conn
        conn.execute("insert into owners (name) values ('isolated')")
        conn.commit()
        return "done"

    assert await db.execute_isolated_fn(isolated) == "done"
    assert seen["thread"] == "_execute_writes for database data"
    assert prepared == []
    with pytest.raises(sqlite3.ProgrammingError):  # closed afterwards
        seen["conn"].execute("select 1")
    assert (await db.execute("select count(*) from owners where name = 'isolated'")).single_value() == 1


@pytest.mark.asyncio
async def test_concurrent_writes_all_land_in_order(db):
    await db.execute_write("create table counter (n integer)")
    await db.execute_write("insert into counter values (0)")

    def increment(conn):  # read-modify-write: only correct if tasks never interleave
        (n,) = conn.execute("select n from counter").fetchone()
        conn.execute("update counter set n = ?", [n + 1])

    await asyncio.gather(
        *[db.execute_write_fn(increment) for _ in range(100)],
        *[db.execute_write("insert into owners (name) values (?)", [f"w{i}"]) for i in range(100)],
    )
    assert (await db.execute("select n from counter")).single_value() == 100
    assert (await db.execute("select count(*) from owners where name like 'w%'")).single_value() == 100


@pytest.mark.asyncio
async def test_writer_waits_for_another_process_lock(db, db_path):
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    other.execute("begin immediate")
    release = threading.Timer(0.3, lambda: other.execute("commit"))
    release.start()
    try:
        await db.execute_write("insert into owners (name) values ('after the lock')")
    finally:
        release.join()
        other.close()
    assert (await db.execute("select count(*) from owners where name = 'after the lock'")).single_value() == 1


@pytest.mark.asyncio
async def test_immutable_database_refuses_writes(db_path):
    ds = Datasette(immutables=[db_path])
    try:
        db = ds.get_database("data")
        assert not db.is_mutable
        with pytest.raises(DatabaseIsImmutable, match="Database is immutable"):
            await db.execute_write("insert into owners (name) values ('x')")
        with pytest.raises(DatabaseIsImmutable):
            await db.execute_isolated_fn(lambda conn: None)
        assert write_thread_names() == []
    finally:
        ds.close()


@pytest.mark.asyncio
async def test_no_threads_runs_inline(db_path):
    ds = Datasette(files=[db_path], settings={"num_sql_threads": 0})
    try:
        assert ds.executor is None
        db = ds.get_database("data")
        await db.execute_write("insert into owners (name) values ('inline')")
        task_id = await db.execute_write("insert into owners (name) values ('inline')", block=False)
        assert isinstance(task_id, uuid.UUID)
        assert (await db.execute("select count(*) from owners where name = 'inline'")).single_value() == 2
        assert await db.execute_isolated_fn(lambda conn: threading.current_thread().name) == "MainThread"
        assert "_execute_writes for database data" not in write_thread_names()
        with pytest.raises(QueryInterrupted):
            await db.execute(SLOW_SQL, custom_time_limit=20)
    finally:
        ds.close()


@pytest.mark.asyncio
async def test_shared_memory_database(ds):
    db = ds.add_memory_database("shared_test")
    await db.execute_write("create table t (x)")
    await db.execute_write("insert into t values (1)")
    assert (await db.execute("select x from t")).single_value() == 1
    with pytest.raises(sqlite3.OperationalError):  # reads are query_only
        await db.execute("insert into t values (2)", log_sql_errors=False)
    assert db.size == 0 and db.mtime_ns is None and db.hash is None


@pytest.mark.asyncio
async def test_shared_memory_readers_and_writer_wait_for_each_other(ds):
    # Shared-cache table locks fail at once instead of waiting; both sides must retry.
    db = ds.add_memory_database("busy_shared")
    await db.execute_write("create table t (n integer)")

    async def write():
        for i in range(30):
            await db.execute_write_fn(lambda conn: conn.executemany("insert into t values (?)", [[i]] * 200))

    async def read():
        for _ in range(60):
            await db.execute("select count(*), sum(n) from t")

    await asyncio.gather(write(), read(), read(), read())
    assert (await db.execute("select count(*) from t")).single_value() == 6000


# Introspection -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_names_and_columns(db):
    assert await db.table_exists("owners") and not await db.table_exists("owner_names")
    assert await db.view_exists("owner_names") and not await db.view_exists("owners")
    assert {"owners", "pets", "pair", "pets_fts", "_private"} <= set(await db.table_names())
    assert await db.view_names() == ["owner_names"]
    assert await db.table_columns("pets") == ["id", "label", "owner_id"]
    details = await db.table_column_details("pets")
    assert [(c.name, c.type, c.is_pk) for c in details] == [("id", "INTEGER", 1), ("label", "TEXT", 0), ("owner_id", "INTEGER", 0)]
    assert await db.primary_keys("pair") == ["b", "a"]
    assert await db.primary_keys("tagged") == []
    assert await db.fts_table("pets") == "pets_fts"
    assert await db.fts_table("owners") is None


@pytest.mark.asyncio
async def test_foreign_keys(db):
    assert await db.foreign_keys_for_table("pets") == [{"column": "owner_id", "other_table": "owners", "other_column": "id"}]
    assert await db.foreign_keys_for_table("tagged") == []  # compound keys are left out
    all_keys = await db.get_all_foreign_keys()
    assert all_keys["owners"] == {
        "incoming": [{"other_table": "pets", "column": "id", "other_column": "owner_id"}],
        "outgoing": [],
    }
    assert all_keys["pets"]["outgoing"] == [{"other_table": "owners", "column": "owner_id", "other_column": "id"}]


@pytest.mark.asyncio
async def test_hidden_table_names(tmp_path):
    path = make_db(tmp_path / "hidden.db")
    conn = sqlite3.connect(path)
    conn.executescript(
        "analyze; create table geometry_columns (x); create table idx_places_geom (x);"
        "create table spatial_ref_sys (x); create table secret (x);"
    )
    conn.close()
    config = {"databases": {"hidden": {"tables": {"secret": {"hidden": True}}}}}
    ds = Datasette(files=[path], config=config)
    try:
        hidden = set(await ds.get_database("hidden").hidden_table_names())
    finally:
        ds.close()
    fts4_shadows = {"notes_fts_segments", "notes_fts_segdir", "notes_fts_docsize", "notes_fts_stat"}
    fts5_shadows = {"pets_fts_data", "pets_fts_idx", "pets_fts_docsize", "pets_fts_config"}
    assert fts4_shadows | fts5_shadows | {"pets_fts", "_private", "sqlite_stat1", "secret"} <= hidden
    assert {"geometry_columns", "idx_places_geom", "spatial_ref_sys"} <= hidden
    assert not hidden & {"owners", "pets", "pair", "notes_fts", "codes"}


@pytest.mark.asyncio
async def test_label_column_for_table(tmp_path, db_path):
    ds = Datasette(files=[db_path], config={"databases": {"data": {"tables": {"pair": {"label_column": "b"}}}}})
    try:
        db = ds.get_database("data")
        assert await db.label_column_for_table("pair") == "b"  # configured
        assert await db.label_column_for_table("pets") == "label"  # the one unique text column
        assert await db.label_column_for_table("owners") == "name"
        assert await db.label_column_for_table("codes") == "code"  # the unique text primary key, as upstream
        assert await db.label_column_for_table("tagged") is None
    finally:
        ds.close()


@pytest.mark.asyncio
async def test_definitions_and_attached(db, tmp_path):
    definition = await db.get_table_definition("pets")
    assert definition.startswith("CREATE TABLE pets (") and definition.endswith(
        "CREATE INDEX pets_owner on pets(owner_id);"
    )
    assert await db.get_view_definition("owner_names") == "CREATE VIEW owner_names as select name from owners;"
    assert await db.get_table_definition("missing") is None
    assert await db.attached_databases() == []


@pytest.mark.asyncio
async def test_attached_databases(db_path, tmp_path):
    other = make_db(tmp_path / "other.db", schema="create table x (y)")
    ds = Datasette(files=[db_path], settings={"num_sql_threads": 0})
    try:
        db = ds.get_database("data")
        await db.execute_fn(lambda conn: conn.execute("attach database ? as other", [other]))
        attached = await db.attached_databases()
        assert [(a.name, a.file) for a in attached] == [("other", other)]
    finally:
        ds.close()


@pytest.mark.asyncio
async def test_table_counts_are_capped_and_time_limited(db):
    await db.execute_write(
        "insert into owners (name) with recursive s(v) as (select 1 union all select v + 1 from s limit 20000) "
        "select 'bulk' from s"
    )
    counts = await db.table_counts()
    assert counts["owners"] == Database.count_limit + 1
    assert counts["pets"] == 0 and counts["_private"] == 0
    db.count_limit = 10**9
    await db.execute_write(
        "insert into owners (name) with recursive s(v) as (select 1 union all select v + 1 from s limit 500000) "
        "select 'more' from s"
    )
    assert (await db.table_counts(limit=1))["owners"] is None
    assert (await db.table_counts(limit=60_000))["owners"] == 520030


@pytest.mark.asyncio
async def test_immutable_counts_are_cached_or_inspected(db_path, tmp_path):
    ds = Datasette(immutables=[db_path])
    try:
        db = ds.get_database("data")
        assert (await db.table_counts())["owners"] == 30
        conn = sqlite3.connect(db_path)
        conn.execute("insert into owners (name) values ('sneaky')")
        conn.commit()
        conn.close()
        assert (await db.table_counts())["owners"] == 30
        assert db.cached_table_counts["owners"] == 30
    finally:
        ds.close()
    # Inspect data is used only when it matches the file: its size, and every table it lists.
    conn = sqlite3.connect(db_path)
    tables = {row[0]: {"count": 0} for row in conn.execute("select name from sqlite_master where type = 'table'")}
    conn.close()
    tables["owners"] = {"count": 7}
    size = os.path.getsize(db_path)
    inspected = {"data": {"hash": "ab" * 32, "size": size, "file": db_path, "tables": tables}}
    ds = Datasette(immutables=[db_path], inspect_data=inspected)
    try:
        db = ds.get_database("data")
        assert await db.table_counts() == {name: info["count"] for name, info in tables.items()}
        assert db.hash == "ab" * 32 and db.size == size and db.color == "ababab"
    finally:
        ds.close()


# Files -------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_hash_is_lazy_and_cached(db_path, monkeypatch):
    import datasette.database as database_module

    calls = []
    real_sha256 = hashlib.sha256
    monkeypatch.setattr(database_module.hashlib, "sha256", lambda *a: (calls.append(1), real_sha256(*a))[1])
    ds = Datasette(immutables=[db_path])
    try:
        db = ds.get_database("data")
        assert calls == []  # not hashed at startup
        with open(db_path, "rb") as fp:
            expected = real_sha256(fp.read()).hexdigest()
        assert db.hash == expected and db.hash == expected
        assert calls == [1]
        assert db.color == expected[:6]
    finally:
        ds.close()


@pytest.mark.asyncio
async def test_file_properties(db, db_path):
    import os

    assert db.hash is None  # mutable
    assert db.color == hashlib.md5(b"data").hexdigest()[:6]
    assert db.size == os.path.getsize(db_path)
    assert db.mtime_ns == os.stat(db_path).st_mtime_ns
    assert db.suggest_name() == "data"
    assert Database(None, memory_name="mem").suggest_name() == "mem"
    assert Database(None, is_memory=True).suggest_name() == "db"
    assert db.name == "data" and db.route == "data" and db.path == db_path


@pytest.mark.asyncio
async def test_awkward_file_names(tmp_path):
    path = make_db(tmp_path / "my data #1?é%20.db", schema="create table t (x)")
    ds = Datasette(files=[path])
    try:
        db = ds.get_database("my data #1?é%20")
        await db.execute_write("insert into t values (1)")
        assert (await db.execute("select count(*) from t")).single_value() == 1
        assert sorted(p.name for p in tmp_path.iterdir()) == ["my data #1?é%20.db"]  # no stray file created
    finally:
        ds.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("threads", [3, 0])
async def test_exceptions_from_functions_reach_the_caller(db_path, threads):
    ds = Datasette(files=[db_path], settings={"num_sql_threads": threads})
    try:
        db = ds.get_database("data")
        with pytest.raises(KeyError):
            await db.execute_fn(lambda conn: {}["missing"])
        with pytest.raises(RuntimeError, match="StopIteration"):  # would hang a future if passed as is
            await db.execute_fn(lambda conn: next(iter([])))
        with pytest.raises(RuntimeError, match="StopIteration"):
            await db.execute_write_fn(lambda conn: next(iter([])))
    finally:
        ds.close()
