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
