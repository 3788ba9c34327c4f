"""Column, date and array facets in table JSON: counts, toggles, selection, sizes, configuration."""
from __future__ import annotations

import pytest

from .conftest import get_json

pytestmark = pytest.mark.asyncio

BASE = "http://localhost/fixtures/facetable.json"


async def test_column_facet(ds):
    data = await get_json(ds, "/fixtures/facetable.json?_facet=state&_size=0")
    assert list(data) == ["ok", "next", "facet_results", "rows", "truncated"]
    state = data["facet_results"]["results"]["state"]
    assert state == {
        "name": "state", "type": "column", "hideable": True, "toggle_url": "/fixtures/facetable.json?_size=0",
        "results": [
            {"value": "CA", "label": "CA", "count": 10, "toggle_url": BASE + "?_facet=state&_size=0&state=CA",
             "selected": False},
            {"value": "MI", "label": "MI", "count": 4, "toggle_url": BASE + "?_facet=state&_size=0&state=MI",
             "selected": False},
            {"value": "MC", "label": "MC", "count": 1, "toggle_url": BASE + "?_facet=state&_size=0&state=MC",
             "selected": False},
        ],
        "truncated": False,
    }
    assert data["facet_results"]["timed_out"] == []


async def test_selected_value_toggles_off_and_counts_follow_filters(ds):
    data = await get_json(ds, "/fixtures/facetable.json?_facet=state&_facet=_city_id&state=CA&_size=0")
    results = data["facet_results"]["results"]
    assert results["state"]["results"] == [{
        "value": "CA", "label": "CA", "count": 10, "selected": True,
        "toggle_url": BASE + "?_facet=state&_facet=_city_id&_size=0"}]
    # Underscore columns toggle with __exact; foreign keys are labelled from the other table.
    city = results["_city_id"]["results"]
    assert [(v["value"], v["label"], v["count"]) for v in city] == [(1, "San Francisco", 6), (2, "Los Angeles", 4)]
    assert city[0]["toggle_url"].endswith("&state=CA&_size=0&_city_id__exact=1")
    selected = await get_json(ds, "/fixtures/facetable.json?_facet=_city_id&_city_id__exact=3&_size=0")
    (only,) = selected["facet_results"]["results"]["_city_id"]["results"]
    assert only["selected"] is True and only["label"] == "Detroit"
    assert only["toggle_url"] == BASE + "?_facet=_city_id&_size=0"


async def test_foreign_key_without_label_column_gets_string_labels(ds):
    data = await get_json(ds, "/fixtures/facetable.json?_facet=planet_int&_size=0")
    values = data["facet_results"]["results"]["planet_int"]["results"]
    assert [(v["value"], v["label"]) for v in values] == [(1, "1"), (2, "2")]


async def test_date_facet(ds):
    data = await get_json(ds, "/fixtures/facetable.json?_facet_date=created&created__date=2019-01-14&_size=0")
    created = data["facet_results"]["results"]["created"]
    assert list(created) == ["name", "type", "results", "hideable", "toggle_url", "truncated"]
    assert created["type"] == "date" and created["toggle_url"] == "/fixtures/facetable.json?created__date=2019-01-14&_size=0"
    assert created["results"] == [{"value": "2019-01-14", "label": "2019-01-14", "count": 4, "selected": True,
                                   "toggle_url": BASE + "?_facet_date=created&_size=0"}]
    unfiltered = await get_json(ds, "/fixtures/facetable.json?_facet_date=created&_size=0")
    values = unfiltered["facet_results"]["results"]["created"]["results"]
    assert [(v["value"], v["count"]) for v in values] == [
        ("2019-01-14", 4), ("2019-01-15", 4), ("2019-01-17", 4), ("2019-01-16", 3)]
    assert values[0]["toggle_url"] == BASE + "?_facet_date=created&_size=0&created__date=2019-01-14"


async def test_array_facet(ds):
    data = await get_json(ds, "/fixtures/facetable.json?_facet_array=tags&_size=0")
    tags = data["facet_results"]["results"]["tags"]
    assert tags["type"] == "array" and tags["toggle_url"] == "/fixtures/facetable.json?_size=0"
    assert [(v["value"], v["count"]) for v in tags["results"]] == [("tag1", 2), ("tag2", 1), ("tag3", 1)]
    assert tags["results"][0]["toggle_url"] == BASE + "?_facet_array=tags&_size=0&tags__arraycontains=tag1"
    selected = await get_json(ds, "/fixtures/facetable.json?_facet_array=tags&tags__arraycontains=tag3&_size=0")
    values = selected["facet_results"]["results"]["tags"]["results"]
    assert [(v["value"], v["count"], v["selected"]) for v in values] == [
        ("tag1", 1, False), ("tag3", 1, True)]


async def test_array_facet_counts_each_row_once_and_skips_non_json(ds):
    # a4 holds '["a", "b", "a"]' in 1000 rows and '' in the other 1000.
    data = await get_json(ds, "/fixtures/sparse.json?_facet_array=a4&_size=0")
    values = data["facet_results"]["results"]["a4"]["results"]
    assert [(v["value"], v["count"]) for v in values] == [("a", 1000), ("b", 1000)]


async def test_same_column_twice_and_several_types(ds):
    data = await get_json(ds, "/fixtures/facetable.json?_facet=created&_facet_date=created&_facet=state"
                              "&_facet=state&_size=0")
    results = data["facet_results"]["results"]
    assert list(results) == ["created", "state", "state_2", "created_2"]
    assert results["created_2"]["type"] == "date" and results["state_2"] == results["state"]


async def test_facet_size_options(make_ds, fixtures_path):
    ds = await make_ds(immutables=[str(fixtures_path)], settings={"default_facet_size": 2, "max_returned_rows": 5})

    async def facet(qs):
        data = await get_json(ds, "/fixtures/facetable.json?_facet=_neighborhood&_size=0" + qs)
        info = data["facet_results"]["results"]["_neighborhood"]
        return len(info["results"]), info["truncated"]

    assert await facet("") == (2, True)
    assert await facet("&_facet_size=3") == (3, True)
    assert await facet("&_facet_size=max") == (5, True)  # capped at max_returned_rows
    assert await facet("&_facet_size=100") == (5, True)
    assert await facet("&_facet_size=nonsense") == (2, True)  # ignored
    small = await get_json(ds, "/fixtures/facetable.json?_facet=state&_facet_size=3&_size=0")
    assert small["facet_results"]["results"]["state"]["truncated"] is False


async def test_configured_facets(make_ds, fixtures_path):
    config = {"databases": {"fixtures": {"tables": {"facetable": {
        "facets": ["state", {"array": "tags"}, {"date": "created"}], "facet_size": 2}}}}}
    ds = await make_ds(immutables=[str(fixtures_path)], config=config)
    plain = await get_json(ds, "/fixtures/facetable.json?_size=0")
    assert "facet_results" not in plain  # as upstream: JSON only includes facets when asked
    data = await get_json(ds, "/fixtures/facetable.json?_size=0&_extra=facet_results")
    results = data["facet_results"]["results"]
    assert list(results) == ["state", "created", "tags"]
    assert all(info["hideable"] is False for info in results.values())
    assert [len(info["results"]) for info in results.values()] == [2, 2, 2]
    assert results["state"]["truncated"] is True
    more = await get_json(ds, "/fixtures/facetable.json?_size=0&_facet_size=max&_facet=state")
    assert [info["hideable"] for info in more["facet_results"]["results"].values()] == [False, True, False, False]
    assert more["facet_results"]["results"]["state"]["truncated"] is False
    html = (await ds.client.get("/fixtures/facetable")).text
    assert 'data-column="tags"' in html and 'data-column="created"' in html


async def test_json_config_value_and_views(ds):
    data = await get_json(ds, '/fixtures/facetable.json?_size=0&_facet={"column": "state"}')
    assert [v["value"] for v in data["facet_results"]["results"]["state"]["results"]] == ["CA", "MI", "MC"]
    view = await get_json(ds, "/fixtures/facetable_view.json?_facet=state&_size=0")
    assert [v["count"] for v in view["facet_results"]["results"]["state"]["results"]] == [10, 4, 1]


async def test_nofacet_and_shapes_disable_facets(ds):
    data = await get_json(ds, "/fixtures/facetable.json?_facet=state&_nofacet=1&_size=0")
    assert data["facet_results"] == {"results": {}, "timed_out": []}
    assert await get_json(ds, "/fixtures/facetable.json?_facet=state&_size=0&_shape=array") == []


async def test_sorted_facet_results_and_timed_out_extras(ds):
    data = await get_json(ds, "/fixtures/facetable.json?_facet=state&_facet_date=created&_size=0"
                              "&_extra=sorted_facet_results,facets_timed_out")
    assert [f["name"] for f in data["sorted_facet_results"]] == ["created", "state"]
    assert data["facets_timed_out"] == []


@pytest.mark.parametrize("qs, message", [
    ("_facet=nonexistent", "Cannot facet by nonexistent: no such column: nonexistent"),
    ("_facet={bad", "_facet= must be a column name or a JSON object"),
    ('_facet={"nope": 1}', "Facet configuration needs a column"),
])
async def test_bad_facet_arguments_are_400(ds, qs, message):
    data = await get_json(ds, f"/fixtures/facetable.json?{qs}", status=400)
    assert data["error"] == message
