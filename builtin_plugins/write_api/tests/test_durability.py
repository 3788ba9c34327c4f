"""Transactions and durability: group commit, rollback isolation, crash leftovers, fire-and-forget writes."""
from __future__ import annotations

import asyncio
import shutil
import sqlite3
import time
import uuid

import pytest

from datasette import hookimpl
from datasette.app import Datasette

from datasette_builtins.write_api import batching
from .conftest import post_json, rows_of


@pytest.fixture
def group_sizes(monkeypatch):
    """The size of every group of requests that shared a transaction."""
    sizes: list[int] = []
    original = batching._run_group

    def spy(conn, fns):
        sizes.append(len(fns))
        return original(conn, fns)

    monkeypatch.setattr(batching, "_run_group", spy)
    return sizes


async def while_the_writer_is_busy(ds, requests):
    """Run ``requests`` concurrently while the write thread is busy, so that they pile up."""
    busy = ds.get_database("data").execute_write_fn(lambda conn: time.sleep(0.3))
    results = await asyncio.gather(busy, *requests)
    return results[1:]


@pytest.mark.asyncio
async def test_concurrent_requests_share_transactions_and_fail_alone(ds, db_path, group_sizes):
    bodies = [{"rows": [{"id": 100 + n, "title": f"t{n}"}]} for n in range(12)]
    bodies[5] = {"rows": [{"id": 1, "title": "duplicate key"}]}
    responses = await while_the_writer_is_busy(ds, [post_json(ds, "/data/docs/-/insert", body) for body in bodies])
    statuses = [response.status_code for response in responses]
    assert statuses == [201] * 5 + [400] + [201] * 6
    assert responses[5].json() == {"ok": False, "errors": ["UNIQUE constraint failed: docs.id"]}
    assert max(group_sizes) > 1  # some requests really were committed together
    ids = [row[0] for row in rows_of(db_path, "select id from docs where id >= 100 order by id")]
    assert ids == [100 + n for n in range(12) if n != 5]


@pytest.mark.asyncio
async def test_a_request_that_rolls_back_everything_does_not_take_the_group_with_it(ds, db_path, group_sizes):
    conn = sqlite3.connect(db_path)
    conn.execute("create trigger no_boom before insert on docs when new.title = 'boom' "
                 "begin select raise(rollback, 'boom refused'); end")
    conn.commit()
    conn.close()
    bodies = [{"row": {"id": 200 + n, "title": "boom" if n == 3 else f"t{n}"}} for n in range(8)]
    responses = await while_the_writer_is_busy(ds, [post_json(ds, "/data/docs/-/insert", body) for body in bodies])
    assert [r.status_code for r in responses] == [201, 201, 201, 400, 201, 201, 201, 201]
    assert responses[3].json() == {"ok": False, "errors": ["boom refused"]}
    assert responses[7].json()["rows"] == [{"id": 207, "title": "t7", "score": None, "age": None}]
    ids = [row[0] for row in rows_of(db_path, "select id from docs where id >= 200 order by id")]
    assert ids == [200, 201, 202, 204, 205, 206, 207]
    assert max(group_sizes) > 1


@pytest.mark.asyncio
async def test_mixed_operations_in_one_group(ds, db_path, group_sizes):
    requests = [
        post_json(ds, "/data/-/create", {"table": "fresh", "rows": [{"id": 1, "v": "a"}], "pk": "id"}),
        post_json(ds, "/data/docs/1/-/update", {"update": {"title": "changed"}}),
        post_json(ds, "/data/docs/2/-/delete", {}),
        post_json(ds, "/data/compound/-/upsert", {"rows": [{"a": "x", "b": "y", "v": "upserted"}]}),
        post_json(ds, "/data/keyed/-/drop", {"confirm": True}),
    ]
    statuses = [r.status_code for r in await while_the_writer_is_busy(ds, requests)]
    assert statuses == [201, 200, 200, 200, 200]
    assert rows_of(db_path, "select * from fresh") == [(1, "a")]
    assert rows_of(db_path, "select id, title from docs") == [(1, "changed")]
    assert rows_of(db_path, "select v from compound") == [("upserted",)]
    assert rows_of(db_path, "select count(*) from sqlite_master where name = 'keyed'") == [(0,)]
    assert max(group_sizes) > 1


def _crashed_copy(source: str, target_dir) -> str:
    """A copy of ``source`` taken in the middle of a big write: the file plus its hot journal."""
    conn = sqlite3.connect(source, isolation_level=None)
    conn.execute("pragma cache_size = 10")  # spill changed pages to the file before the commit
    conn.execute("begin immediate")
    conn.executemany("insert into docs (title) values (?)", [("x" * 500,) for _ in range(2000)])
    target = str(target_dir / "crashed.db")
    shutil.copy(source, target)
    shutil.copy(source + "-journal", target + "-journal")
    conn.execute("rollback")
    conn.close()
    return target


@pytest.mark.asyncio
async def test_a_hot_journal_left_by_a_crash_is_rolled_back_on_first_read(db_path, tmp_path, make_ds):
    crashed = _crashed_copy(db_path, tmp_path)
    ds = await make_ds(files=[crashed])  # startup reads the schema through read-only connections
    assert (await ds.get_database("crashed").execute("select count(*) from docs")).single_value() == 2
    response = await post_json(ds, "/crashed/docs/-/insert", {"row": {"title": "after"}})
    assert response.status_code == 201
    conn = sqlite3.connect(crashed)
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    assert conn.execute("select count(*) from docs").fetchone() == (3,)
    conn.close()


@pytest.mark.asyncio
async def test_a_fire_and_forget_write_returns_at_once_and_lands(db_path):
    ds = Datasette([db_path])
    try:
        db = ds.get_database("data")
        task_id = await db.execute_write("insert into docs (title) values ('later')", block=False)
        assert isinstance(task_id, uuid.UUID)
        await db.execute_write_fn(lambda conn: None)  # writes run in order: this one waits for it
        assert (await db.execute("select count(*) from docs where title = 'later'")).single_value() == 1
    finally:
        ds.close()


class ForeignKeysOn:
    @hookimpl
    def prepare_connection(self, conn):
        conn.execute("pragma foreign_keys = on")


@pytest.mark.asyncio
async def test_a_failing_commit_is_a_400_and_leaves_nothing_open(db_path, register, make_ds, group_sizes):
    conn = sqlite3.connect(db_path)
    conn.executescript("""
        create table parent (id integer primary key);
        create table child (id integer primary key,
                            parent_id integer references parent(id) deferrable initially deferred);
        insert into parent values (1);
    """)
    conn.close()
    register(ForeignKeysOn())
    ds = await make_ds()
    # a deferred foreign key is only checked by the COMMIT, which fails
    response = await post_json(ds, "/data/child/-/insert", {"row": {"id": 1, "parent_id": 99}})
    assert (response.status_code, response.json()) == (400, {"ok": False, "errors": ["FOREIGN KEY constraint failed"]})
    response = await post_json(ds, "/data/child/-/insert", {"row": {"id": 2, "parent_id": 1}})
    assert response.status_code == 201
    # the same inside a group: the group's COMMIT fails, so each request is retried alone
    bodies = [{"row": {"id": 10 + n, "parent_id": 99 if n == 2 else 1}} for n in range(5)]
    responses = await while_the_writer_is_busy(ds, [post_json(ds, "/data/child/-/insert", b) for b in bodies])
    assert [r.status_code for r in responses] == [201, 201, 400, 201, 201]
    assert max(group_sizes) > 1
    assert rows_of(db_path, "select id from child order by id") == [(2,), (10,), (11,), (13,), (14,)]
