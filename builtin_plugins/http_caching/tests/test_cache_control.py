"""Cache-Control on data pages: default_cache_ttl, ?_ttl=, signed-in actors."""
from __future__ import annotations

import pytest


@pytest.mark.asyncio
@pytest.mark.parametrize("path, expected", [
    ("/data/items", "max-age=5"),
    ("/data/items.json", "max-age=5"),
    ("/data/items.csv", "max-age=5"),
    ("/data/items/1.json", "max-age=5"),
    ("/data/items.json?_ttl=60", "max-age=60"),
    ("/data/items.json?_ttl=0", "no-cache"),
])
async def test_cache_control(make_ds, db_path, path, expected):
    ds = make_ds([db_path])
    response = await ds.client.get(path)
    assert response.status_code == 200 and response.headers["cache-control"] == expected


@pytest.mark.asyncio
async def test_default_cache_ttl_setting(make_ds, db_path):
    ds = make_ds([db_path], settings={"default_cache_ttl": 120})
    assert (await ds.client.get("/data/items.json")).headers["cache-control"] == "max-age=120"


@pytest.mark.asyncio
@pytest.mark.parametrize("ttl", ["abc", "-3", "1.5", "1e3"])
async def test_a_ttl_that_is_not_a_number_is_a_400(make_ds, db_path, ttl):
    ds = make_ds([db_path])
    as_json = await ds.client.get(f"/data/items.json?_ttl={ttl}")
    assert as_json.status_code == 400
    assert as_json.json() == {"ok": False, "status": 400, "title": None,
                              "error": "_ttl must be a whole number of seconds, for example _ttl=60 "
                                       "(_ttl=0 turns caching off)"}
    as_html = await ds.client.get(f"/data/items?_ttl={ttl}")
    assert as_html.status_code == 400 and "_ttl must be a whole number of seconds" in as_html.text
    assert "etag" not in as_html.headers


@pytest.mark.asyncio
async def test_signed_in_actors_get_private_pages(make_ds, db_path):
    ds = make_ds([db_path])
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "alice"})}
    for path in ("/data/items", "/data/items.json", "/data/items/1.json"):
        response = await ds.client.get(path, cookies=cookies)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "private, max-age=5", path
    anonymous = await ds.client.get("/data/items.json")
    assert anonymous.headers["cache-control"] == "max-age=5"
    assert anonymous.headers["etag"] != (await ds.client.get("/data/items.json", cookies=cookies)).headers["etag"]


@pytest.mark.asyncio
async def test_signed_in_actors_get_private_canned_queries(make_ds, db_path):
    ds = make_ds([db_path], config={"databases": {"data": {"queries": {"cheapest": "select * from cheap"}}}})
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "alice"})}
    assert (await ds.client.get("/data/cheapest.json")).headers["cache-control"] == "max-age=5"
    private = await ds.client.get("/data/cheapest.json", cookies=cookies)
    assert private.headers["cache-control"] == "private, max-age=5"
