"""Facet counts cached by content version, invalidated by writes; time limits; index use."""
from __future__ import annotations

import sqlite3

import pytest

from datasette.facets import ColumnFacet
from datasette.utils.asgi import Request
from datasette_builtins.facets.cache import MISSING, ContentCache, cache_for

from .conftest import SlowFunction, get_json

pytestmark = pytest.mark.asyncio

STATE = "/fixtures/facetable.json?_facet=state&_size=0"


def counts(data, name="state"):
    return {v["value"]: v["count"] for v in data["facet_results"]["results"][name]["results"]}


async def test_immutable_results_are_reused(ds):
    cache = cache_for(ds.get_database("fixtures"))
    assert cache.immutable
    first = await get_json(ds, STATE)
    hits, misses = cache.hits, cache.misses
    second = await get_json(ds, STATE)
    assert second == first
    assert cache.hits > hits and cache.misses == misses
    # A different filter is a different entry.
    filtered = await get_json(ds, STATE + "&on_earth=0")
    assert counts(filtered) == {"MC": 1} and cache.misses > misses


async def test_mutable_results_are_reused_until_a_write(make_ds, fresh_fixtures):
    # One read thread: each thread's connection has to see the database once before its
    # readings can vouch for cached entries.
    ds = await make_ds([str(fresh_fixtures)], settings={"num_sql_threads": 1})
    db = ds.get_database("fixtures")
    cache = cache_for(db)
    assert not cache.immutable
    assert counts(await get_json(ds, STATE)) == {"CA": 10, "MI": 4, "MC": 1}
    hits, misses = cache.hits, cache.misses
    assert counts(await get_json(ds, STATE)) == {"CA": 10, "MI": 4, "MC": 1}
    assert cache.hits > hits and cache.misses == misses
    await db.execute_write("insert into facetable (state) values ('MC')")
    assert counts(await get_json(ds, STATE)) == {"CA": 10, "MI": 4, "MC": 2}
    assert cache.misses > misses


async def test_write_invalidates_at_once(make_ds, fresh_fixtures):
    ds = await make_ds([str(fresh_fixtures)])
    db = ds.get_database("fixtures")
    for _ in range(4):  # every read thread has cached counts now
        assert counts(await get_json(ds, STATE)) == {"CA": 10, "MI": 4, "MC": 1}
    await db.execute_write("insert into facetable (state) values ('MC')")
    for _ in range(4):
        assert counts(await get_json(ds, STATE)) == {"CA": 10, "MI": 4, "MC": 2}
    # A write by another connection (another process, say) is seen too.
    conn = sqlite3.connect(str(fresh_fixtures))
    conn.execute("update facetable set state = 'MI' where state = 'MC'")
    conn.commit()
    conn.close()
    for _ in range(4):  # whichever read thread serves it
        assert counts(await get_json(ds, STATE)) == {"CA": 10, "MI": 6}
    suggested = await get_json(ds, "/fixtures/facetable.json?_size=0&_extra=suggested_facets")
    assert "state" in [s["name"] for s in suggested["suggested_facets"]]
    await db.execute_write("update facetable set state = 'CA'")
    suggested = await get_json(ds, "/fixtures/facetable.json?_size=0&_extra=suggested_facets")
    assert "state" not in [s["name"] for s in suggested["suggested_facets"]]  # one value: no suggestion


async def test_memory_databases_are_not_cached(make_ds):
    ds = await make_ds()
    db = ds.add_memory_database("facets_memory")
    assert cache_for(db) is None
    await db.execute_write_script("create table t (state text); insert into t values ('CA'), ('CA'), ('MI');")
    path = "/facets_memory/t.json?_facet=state&_size=0"
    assert counts(await get_json(ds, path)) == {"CA": 2, "MI": 1}
    await db.execute_write("insert into t values ('MI')")
    assert counts(await get_json(ds, path)) == {"CA": 2, "MI": 2}


async def test_cache_generations_and_eviction():
    cache = ContentCache(immutable=True)
    cache.put("a", 0, [1, 2], weight=2)
    assert cache.get("a", 0) == [1, 2]
    assert cache.get("a", 1) is MISSING
    cache.put("b", 5, "stale generation is not stored")
    assert cache.get("b", 5) is MISSING
    conn = sqlite3.connect(":memory:")
    mutable = ContentCache(immutable=False)
    first = mutable.refresh(conn)
    assert mutable.refresh(conn) == first  # nothing committed meanwhile


async def test_facet_on_indexed_column_uses_the_index(ds):
    request = Request.fake("/fixtures/facetable?_facet=state")
    facet = ColumnFacet(ds, request=request, database="fixtures", table="facetable",
                        sql="select pk, created, state, _city_id from facetable where on_earth = 1")
    unfiltered = ColumnFacet(ds, request=request, database="fixtures", table="facetable",
                             sql="select pk, created, state, _city_id from facetable")
    for instance in (facet, unfiltered):
        plan = await ds.execute("fixtures", "explain query plan " + instance.facet_sql("state", 31))
        details = " ".join(row["detail"] for row in plan.rows)
        assert "USING INDEX idx_facetable_state" in details or "USING COVERING INDEX idx_facetable_state" in details


async def test_slow_facets_are_reported_as_timed_out(make_ds, fresh_fixtures, register_plugin):
    register_plugin(SlowFunction(), "slow_function")
    ds = await make_ds([str(fresh_fixtures)], settings={"facet_time_limit_ms": 20})
    await ds.get_database("fixtures").execute_write("create view slow_wide as select id, slow(c000) as a from wide")
    data = await get_json(ds, "/fixtures/slow_wide.json?_facet=a&_facet=id&_size=1&_extra=facets_timed_out")
    # Faceting by id never calls slow(): only "a" runs out of time; the page still has its rows.
    assert data["facet_results"]["timed_out"] == ["a"] and data["facets_timed_out"] == ["a"]
    assert list(data["facet_results"]["results"]) == ["id"]
    assert len(data["rows"]) == 1
    response = await ds.client.get("/fixtures/slow_wide?_facet=a&_size=1&_nocount=1&_nosuggest=1")
    assert response.status_code == 200
    assert '<p class="facets-timed-out">These facets timed out: a</p>' in response.text
    fast = await get_json(ds, "/fixtures/facetable.json?_facet=state&_size=0")
    assert fast["facet_results"]["timed_out"] == []
