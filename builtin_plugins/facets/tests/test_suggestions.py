"""Suggested facets: upstream's rules, the switches that turn them off, and the per-page time budget."""
from __future__ import annotations

import asyncio
import time

import pytest

from datasette import hookimpl
from datasette.facets import Facet

from .conftest import WIDE_COLUMNS, SlowFunction, get_json, wide_value

pytestmark = pytest.mark.asyncio


def wide_suggestions():
    """Columns of the wide table with more than one value: every one has few values, repeated."""
    return [f"c{c:03d}" for c in range(WIDE_COLUMNS) if len({wide_value(r, c) for r in range(1, 1001)}) > 1]


def names(suggestions):
    return [(s["name"], s.get("type")) for s in suggestions]


async def test_suggestions_follow_upstream_rules(ds):
    data = await get_json(ds, "/fixtures/facetable.json?_extra=suggested_facets&_size=0")
    assert names(data["suggested_facets"]) == [
        ("created", None), ("planet_int", None), ("on_earth", None), ("state", None), ("_city_id", None),
        ("_neighborhood", None), ("tags", None), ("complex_array", None), ("created", "date"), ("tags", "array")]
    first = data["suggested_facets"][0]
    assert first == {"name": "created",
                     "toggle_url": "http://localhost/fixtures/facetable.json?_extra=suggested_facets&_size=0&_facet=created"}
    assert data["suggested_facets"][-1]["toggle_url"].endswith("&_size=0&_facet_array=tags")


async def test_enabled_facets_and_filters_change_suggestions(ds):
    data = await get_json(ds, "/fixtures/facetable.json?_extra=suggested_facets&_size=0&state=CA"
                              "&_facet=state&_facet=_city_id&_facet_size=2")
    assert names(data["suggested_facets"]) == [("complex_array", None), ("created", "date"), ("tags", "array")]
    data = await get_json(ds, "/fixtures/facetable.json?_extra=suggested_facets&_size=0"
                              "&_facet_date=created&_facet_array=tags")
    assert ("created", "date") not in names(data["suggested_facets"])
    assert ("tags", "array") not in names(data["suggested_facets"])


async def test_sampled_rules_for_dates_arrays_and_repeats(ds):
    # See conftest: d1 has one date in the first 100 rows, d3 an invalid one, a1 a non-array,
    # a2 arrays of numbers, a3 its only non-empty array at row 1500, c1 one value in 999 of
    # the first 1000 rows.
    data = await get_json(ds, "/fixtures/sparse.json?_extra=suggested_facets&_size=0")
    assert names(data["suggested_facets"]) == [
        ("d2", None), ("a1", None), ("a4", None), ("c1", None), ("d1", "date"), ("a3", "array"), ("a4", "array")]
    sized = await get_json(ds, "/fixtures/sparse.json?_extra=suggested_facets&_size=0&_facet_size=1")
    assert names(sized["suggested_facets"]) == [("d1", "date"), ("a3", "array"), ("a4", "array")]


@pytest.mark.parametrize("qs, settings", [
    ("&_nosuggest=1", {}),
    ("&_next=5", {}),
    ("&_nofacet=1", {}),
    ("", {"suggest_facets": False}),
])
async def test_suggestions_switched_off(make_ds, fixtures_path, qs, settings):
    ds = await make_ds(immutables=[str(fixtures_path)], settings=settings)
    data = await get_json(ds, "/fixtures/facetable.json?_extra=suggested_facets&_size=5" + qs)
    assert data["suggested_facets"] == []


async def test_wide_table_suggestions_fit_the_budget(ds):
    start = time.perf_counter()
    data = await get_json(ds, "/fixtures/wide.json?_extra=suggested_facets&_size=0")
    elapsed = time.perf_counter() - start
    expected = wide_suggestions()
    assert len(expected) > 90
    assert names(data["suggested_facets"]) == [(name, None) for name in expected]
    assert elapsed < 1.0
    html = (await ds.client.get("/fixtures/wide")).text
    assert html.count("#facet-c") == len(expected)


async def test_budget_runs_out_on_slow_sample(make_ds, fresh_fixtures, register_plugin):
    register_plugin(SlowFunction(), "slow_function")
    ds = await make_ds([str(fresh_fixtures)], settings={"facet_suggest_budget_ms": 30})
    await ds.get_database("fixtures").execute_write("create view slow_wide as select id, slow(c000) as a from wide")
    start = time.perf_counter()
    data = await get_json(ds, "/fixtures/slow_wide.json?_extra=suggested_facets&_size=1")
    # 1000 sampled rows would take a second; the 30ms budget stops the sample query.
    assert data["suggested_facets"] == []
    assert time.perf_counter() - start < 0.5


class SlowSuggestions(Facet):
    type = "slow"

    async def suggest(self):
        await asyncio.sleep(5)
        return [{"name": "never", "type": "slow", "toggle_url": "/"}]

    async def facet_results(self):
        return [], []


class QuickSuggestions(Facet):
    type = "quick"

    async def suggest(self):
        return [{"name": "quick", "type": "quick", "toggle_url": "/"}]

    async def facet_results(self):
        return [], []


class SlowFacetPlugin:
    @hookimpl
    def register_facet_classes(self):
        return [SlowSuggestions, QuickSuggestions]


async def test_other_plugins_suggestions_share_the_budget(make_ds, fixtures_path, register_plugin):
    register_plugin(SlowFacetPlugin(), "slow_facets")
    ds = await make_ds(immutables=[str(fixtures_path)], settings={"facet_suggest_budget_ms": 100})
    start = time.perf_counter()
    data = await get_json(ds, "/fixtures/facetable.json?_extra=suggested_facets&_size=0")
    assert time.perf_counter() - start < 2
    found = names(data["suggested_facets"])
    assert ("never", "slow") not in found and ("quick", "quick") in found and ("state", None) in found


async def test_no_budget_means_upstream_behaviour(make_ds, fixtures_path):
    ds = await make_ds(immutables=[str(fixtures_path)], settings={"facet_suggest_budget_ms": 0})
    data = await get_json(ds, "/fixtures/wide.json?_extra=suggested_facets&_size=0")
    assert [s["name"] for s in data["suggested_facets"]] == wide_suggestions()


async def test_budget_limits():
    from datasette_builtins.facets.suggest import Budget

    unlimited = Budget(0)
    assert unlimited.remaining_ms() is None and not unlimited.exhausted() and unlimited.limit(50) == 50
    spent = Budget(0.000001)
    time.sleep(0.001)
    assert spent.exhausted() and spent.limit(50) == 0.01 and spent.limit(0) == 0.01
    fresh = Budget(10_000)
    assert 40 < fresh.limit(50) <= 50 and 9_000 < fresh.limit(0) <= 10_000
