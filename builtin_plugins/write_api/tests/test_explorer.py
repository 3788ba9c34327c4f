"""GET /-/api: the API explorer page."""
from __future__ import annotations

import json
import urllib.parse

import pytest
from bs4 import BeautifulSoup

from .conftest import actor_headers


def endpoints(response) -> dict[str, dict]:
    """``{path: {"label", "method", "json"}}`` from the page's example links."""
    soup = BeautifulSoup(response.text, "html.parser")
    found = {}
    for link in soup.select("ul.api-endpoints a"):
        fragment = dict(urllib.parse.parse_qsl(link["href"].split("#", 1)[1]))
        found[link.text] = {"label": link.parent.text.split(" - ", 1)[1].strip(), "method": fragment["method"],
                            "json": json.loads(fragment["json"]) if "json" in fragment else None}
        assert fragment["path"] == link.text
    return found


@pytest.mark.asyncio
async def test_anonymous_sees_only_get_examples(ds):
    response = await ds.client.get("/-/api")
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find("h1").text == "API Explorer"
    assert "api-explorer" in soup.body["class"]
    found = endpoints(response)
    assert found["/data/docs.json"] == {"label": "Get rows for docs", "method": "GET", "json": None}
    assert found["/data/name~2Fwith~2Edots.json"]["method"] == "GET"
    assert "/data/docs_view.json" not in found  # tables only
    assert all(e["method"] == "GET" for e in found.values())


@pytest.mark.asyncio
async def test_root_sees_write_examples(ds):
    found = endpoints(await ds.client.get("/-/api", headers=actor_headers()))
    assert found["/data/-/create"]["json"] == {"table": "new_table", "columns": [
        {"name": "id", "type": "integer"}, {"name": "name", "type": "text"}], "pk": "id"}
    assert found["/data/docs/-/insert"] == {"label": "Insert rows into docs", "method": "POST",
                                            "json": {"rows": [{"title": None, "score": None, "age": None}]}}
    assert found["/data/compound/-/upsert"]["json"] == {"rows": [{"a": None, "b": None, "v": None}]}
    assert found["/data/norowid/-/upsert"]["json"] == {"rows": [{"rowid": None, "name": None, "v": None}]}
    assert found["/data/docs/-/drop"]["json"] == {"confirm": False}


@pytest.mark.asyncio
async def test_examples_follow_permissions(ds):
    found = endpoints(await ds.client.get("/-/api", headers=actor_headers({"id": "x", "can": ["insert-row"]})))
    assert "/data/docs/-/insert" in found
    assert "/data/docs/-/upsert" not in found and "/data/docs/-/drop" not in found and "/data/-/create" not in found


@pytest.mark.asyncio
async def test_immutable_databases_get_no_write_examples(make_ds, db_path):
    ds = await make_ds(files=[], immutables=[db_path])
    found = endpoints(await ds.client.get("/-/api", headers=actor_headers()))
    assert found and all(e["method"] == "GET" for e in found.values())


@pytest.mark.asyncio
async def test_page_assets_are_served(ds):
    page = BeautifulSoup((await ds.client.get("/-/api")).text, "html.parser")
    script = page.find("script", src=lambda src: src and src.endswith("api-explorer.js"))
    assert (await ds.client.get(script["src"])).status_code == 200


@pytest.mark.asyncio
async def test_still_works_without_the_theme(make_ds):
    ds = await make_ds(disabled_plugins=["theme"])
    response = await ds.client.get("/-/api", headers=actor_headers())
    assert response.status_code == 200
    assert "/data/docs/-/insert" in endpoints_plain(response.text)


def endpoints_plain(html: str) -> list[str]:
    return [a.text for a in BeautifulSoup(html, "html.parser").find_all("a")]
