"""The plugin as a whole: HTML panel, third-party facet classes, settings, and disabling it."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

import datasette.facets
from datasette import hookimpl
from datasette.facets import Facet
from datasette.utils import path_with_added_args

from .conftest import get_json

pytestmark = pytest.mark.asyncio


async def test_facet_panel_html(ds):
    response = await ds.client.get("/fixtures/facetable?_facet=state&_facet=_city_id&_facet_array=tags"
                                   "&state=CA&_facet_size=1")
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    panels = soup.select(".facet-results .facet-info")
    assert [p["data-column"] for p in panels] == ["tags", "state", "_city_id"]  # sorted_facet_results order
    state = soup.select_one("#facet-state")
    assert "facet-fixtures-facetable-state" in state["class"]
    assert state.select_one(".facet-info-total").text == "1"
    selected = state.select_one("li")
    assert selected.text.split() == ["CA", "·", "10", "✖"]
    assert selected.select_one("a.cross")["href"] == \
        "http://localhost/fixtures/facetable?_facet=state&_facet=_city_id&_facet_array=tags&_facet_size=1"
    assert state.select_one("p a.cross")["href"] == \
        "/fixtures/facetable?_facet=_city_id&_facet_array=tags&state=CA&_facet_size=1"
    city = soup.select_one('.facet-info[data-column="_city_id"]')
    assert city.select_one(".facet-info-total").text == ">1"
    link = city.select_one("li a")
    assert link.text == "San Francisco" and link["data-facet-value"] == "1"
    assert city.select_one("li.facet-truncated a")["href"] == \
        "/fixtures/facetable?_facet=state&_facet=_city_id&_facet_array=tags&state=CA&_facet_size=max"
    assert soup.select_one("#facet-tags strong").text.split()[:2] == ["tags", "(array)"]
    suggested = soup.select_one("p.suggested-facets")
    assert [a.text for a in suggested.select("a")] == ["created"]
    assert suggested.select_one("a")["href"].endswith("&_facet_date=created#facet-created")
    assert "(date)" in suggested.text
    urls = [tag.get("href") or tag.get("src") for tag in soup.select("link[rel=stylesheet], script[src]")]
    assert "/-/static-plugins/facets/facets.css" in urls and "/-/static-plugins/facets/facets.js" in urls
    assert (await ds.client.get("/-/static-plugins/facets/facets.js")).status_code == 200


async def test_plain_page_has_suggestions_and_an_empty_panel(ds):
    soup = BeautifulSoup((await ds.client.get("/fixtures/facetable")).text, "html.parser")
    assert soup.select_one(".facet-results") is not None and soup.select(".facet-info") == []
    assert len(soup.select("p.suggested-facets a")) == 10


async def test_allow_facet_off(make_ds, fixtures_path):
    ds = await make_ds(immutables=[str(fixtures_path)], settings={"allow_facet": False})
    data = await get_json(ds, "/fixtures/facetable.json?_facet=state", status=400)
    assert data["error"] == "_facet= is not allowed"
    assert (await ds.client.get("/fixtures/facetable?_facet_size=3")).status_code == 400
    plain = await get_json(ds, "/fixtures/facetable.json?_extra=suggested_facets&_size=0")
    assert plain["suggested_facets"] == []
    html = (await ds.client.get("/fixtures/facetable")).text
    assert "suggested-facets" not in html and "facets.js" not in html


class DummyFacet(Facet):
    """A facet as third-party plugins write them for upstream Datasette."""

    type = "dummy"

    async def suggest(self):
        columns = await self.get_columns(self.sql, self.params)
        return [{"name": column, "type": self.type,
                 "toggle_url": self.ds.absolute_url(self.request, path_with_added_args(
                     self.request, {"_facet_dummy": column}))}
                for column in columns if column == "state"]

    async def facet_results(self):
        results, timed_out = [], []
        for config in self.get_configs():
            column = config["config"]["simple"]
            rows = (await self.ds.execute(self.database, f"select count(*) from ({self.sql}) where {column} = 'CA'",
                                          self.params)).rows
            results.append({"name": column, "type": self.type, "hideable": True, "toggle_url": "/",
                            "results": [{"value": "CA", "label": "CA", "count": rows[0][0], "toggle_url": "/",
                                         "selected": False}], "truncated": False})
        return results, timed_out


class DummyFacetPlugin:
    @hookimpl
    def register_facet_classes(self):
        return [DummyFacet]


async def test_third_party_facet_class(ds, register_plugin):
    register_plugin(DummyFacetPlugin(), "dummy_facet")
    data = await get_json(ds, "/fixtures/facetable.json?_facet_dummy=state&_facet=state&_size=0"
                              "&_extra=suggested_facets&on_earth=1")
    results = data["facet_results"]["results"]
    assert results["state"]["type"] == "dummy" and results["state"]["results"][0]["count"] == 10
    assert results["state_2"]["type"] == "column"
    assert ("state", "dummy") in [(s["name"], s.get("type")) for s in data["suggested_facets"]]
    html = (await ds.client.get("/fixtures/facetable?_facet_dummy=state")).text
    assert "state (dummy)" in html


async def test_upstream_import_paths():
    from datasette_builtins.facets import facets

    assert datasette.facets.Facet is facets.Facet
    assert {datasette.facets.ColumnFacet.type, datasette.facets.DateFacet.type, datasette.facets.ArrayFacet.type} \
        == {"column", "date", "array"}
    assert issubclass(datasette.facets.ArrayFacet, Facet)
    with pytest.raises(AttributeError):
        datasette.facets.NoSuchFacet  # noqa: B018


async def test_facet_methods_without_a_table_page(ds):
    from datasette.utils.asgi import Request

    request = Request.fake("/fixtures/facetable?_facet=state&_facet_size=2")
    facet = datasette.facets.ColumnFacet(ds, request, "fixtures", table="facetable")
    assert facet.sql == "select * from [facetable]" and facet.get_facet_size() == 2
    assert facet.get_configs() == [{"source": "request", "config": {"simple": "state"}}]
    assert await facet.get_row_count() == 15
    assert "state" in await facet.get_columns(facet.sql)
    results, timed_out = await facet.facet_results()
    assert [v["value"] for v in results[0]["results"]] == ["CA", "MI"] and timed_out == []
    assert facet.get_querystring_pairs() == [("_facet", "state"), ("_facet_size", "2")]


async def test_disabled_plugin(make_ds, fixtures_path):
    ds = await make_ds(immutables=[str(fixtures_path)], disabled_plugins=["facets"])
    assert ds.setting("allow_facet") is None  # the setting goes with the plugin
    data = await get_json(ds, "/fixtures/facetable.json?_facet=state&_size=0")
    assert "facet_results" not in data  # _facet is ignored
    placeholders = await get_json(ds, "/fixtures/facetable.json?_extra=facet_results,suggested_facets&_size=0")
    assert placeholders["facet_results"] == {"results": {}, "timed_out": []}
    assert placeholders["suggested_facets"] == []
    response = await ds.client.get("/fixtures/facetable?_facet=state")
    assert response.status_code == 200
    assert "facet-results" not in response.text and "suggested-facets" not in response.text
    assert "<table" in response.text
