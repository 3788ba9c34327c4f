"""The page-result cache: reused while the database is unchanged, dropped when it changes."""
from __future__ import annotations

import pytest

from datasette.tracer import capture_traces
from datasette_builtins.table_views import page_cache


async def traced_get(ds, path):
    traces: list = []
    with capture_traces(traces):
        response = await ds.client.get(path)
    return response.json(), [t["sql"] for t in traces]


@pytest.mark.asyncio
async def test_immutable_results_are_reused(make_ds, fixtures_path, monkeypatch):
    monkeypatch.setattr(page_cache, "MIN_MS", 0)
    ds = await make_ds(immutables=[str(fixtures_path)])
    first, sqls = await traced_get(ds, "/fixtures/facetable.json?state=CA&_extra=count")
    assert first["count"] == 10 and any("from facetable" in sql for sql in sqls)
    second, sqls = await traced_get(ds, "/fixtures/facetable.json?state=CA&_extra=count")
    assert second == first and sqls == []
    other, sqls = await traced_get(ds, "/fixtures/facetable.json?state=MI&_extra=count")
    assert other["count"] == 4 and sqls


@pytest.mark.asyncio
async def test_mutable_results_are_dropped_after_a_write(make_ds, fresh_fixtures, monkeypatch):
    monkeypatch.setattr(page_cache, "MIN_MS", 0)
    ds = await make_ds([str(fresh_fixtures)], settings={"num_sql_threads": 1})
    path = "/fixtures/facetable.json?state=MI&_extra=count"
    first, _ = await traced_get(ds, path)
    again, sqls = await traced_get(ds, path)
    assert again == first and not any("from facetable" in sql for sql in sqls)
    await ds.get_database("fixtures").execute_write("insert into facetable (state) values ('MI')")
    after, sqls = await traced_get(ds, path)
    assert after["count"] == first["count"] + 1 and any("from facetable" in sql for sql in sqls)


@pytest.mark.asyncio
async def test_memory_databases_are_not_cached(make_ds):
    ds = await make_ds(memory=True)
    assert page_cache.cache_for(ds.get_database("_memory")) is None


def test_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(page_cache, "MAX_ENTRIES", 3)
    cache = page_cache.PageCache(immutable=True)
    for key in range(5):
        cache.put(key, 0, f"result {key}", rows=1)
    assert [cache.get(key, 0) for key in range(5)] == [None, None, "result 2", "result 3", "result 4"]
    assert cache.get(4, 1) is None and cache.get(4, 0) is None  # a stale generation drops the entry
    cache.put("big", 0, "too many rows", rows=page_cache.MAX_ROWS + 1)
    assert cache.get("big", 0) is None


class CountingHops:
    """Counts the read thread hops of a `Database` (calls of ``execute_fn``)."""

    def __init__(self, db, monkeypatch):
        self.count = 0
        original = db.execute_fn

        async def execute_fn(fn):
            self.count += 1
            return await original(fn)

        monkeypatch.setattr(db, "execute_fn", execute_fn)


@pytest.mark.asyncio
@pytest.mark.parametrize("disabled", [[], ["http_caching"]])
async def test_mutable_cache_follows_commits_by_other_connections(make_ds, fresh_fixtures, monkeypatch, disabled):
    """With http_caching's content version a repeated page needs no thread hop at all; a commit
    from another connection (another process, say), of rows or of schema, is seen at once."""
    import sqlite3

    monkeypatch.setattr(page_cache, "MIN_MS", 0)
    ds = await make_ds([str(fresh_fixtures)], disabled_plugins=disabled)
    hops = CountingHops(ds.get_database("fixtures"), monkeypatch)
    path = "/fixtures/facetable.json?state=MI&_extra=count"
    first = (await ds.client.get(path)).json()
    before = hops.count
    assert (await ds.client.get(path)).json() == first
    assert hops.count - before == (0 if not disabled else 1)  # without the version: one hop to check
    other = sqlite3.connect(fresh_fixtures)
    other.execute("insert into facetable (state, _city_id) values ('MI', 1)")
    other.commit()
    after = (await ds.client.get(path)).json()
    assert after["count"] == first["count"] + 1
    other.execute("alter table facetable add column added text")
    other.commit()
    other.close()
    altered = (await ds.client.get(path)).json()
    assert "added" in altered["rows"][0] and altered["count"] == after["count"]


@pytest.mark.asyncio
async def test_row_pages_are_cached_until_a_commit(make_ds, fresh_fixtures, monkeypatch):
    """Row pages are kept whatever they took (they are quick, the thread hop is not)."""
    import sqlite3

    ds = await make_ds([str(fresh_fixtures)])
    hops = CountingHops(ds.get_database("fixtures"), monkeypatch)
    path = "/fixtures/facet_cities/1.json?_extras=foreign_key_tables"
    first = (await ds.client.get(path)).json()
    before = hops.count
    again = (await ds.client.get(path)).json()
    assert hops.count == before
    assert {**again, "query_ms": 0} == {**first, "query_ms": 0}
    incoming = first["foreign_key_tables"][0]["count"]
    assert (await ds.client.get("/fixtures/facet_cities/99.json")).status_code == 404
    other = sqlite3.connect(fresh_fixtures)
    other.execute("update facet_cities set name = 'SF' where id = 1")
    other.execute("insert into facet_cities values (99, 'New')")
    other.execute("insert into facetable (state, _city_id) values ('CA', 1)")
    other.commit()
    other.close()
    changed = (await ds.client.get(path)).json()
    assert changed["rows"][0]["name"] == "SF" and changed["foreign_key_tables"][0]["count"] == incoming + 1
    assert (await ds.client.get("/fixtures/facet_cities/99.json")).json()["rows"][0]["name"] == "New"
