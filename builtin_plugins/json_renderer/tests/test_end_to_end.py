"""JSON through the real table, row and query views (no stand-in views)."""
from __future__ import annotations

import pytest


async def get(ds, path, status=200):
    response = await ds.client.get(path)
    assert response.status_code == status, response.text[:500]
    return response


@pytest.mark.asyncio
async def test_table_json(real_ds):
    response = await get(real_ds, "/fixtures/simple_primary_key.json?_size=2")
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    data = response.json()
    assert list(data) == ["ok", "next", "rows", "truncated"]
    assert data["next"] == "2" and data["rows"][1] == {"id": "2", "content": "world"}
    assert response.headers["link"].endswith('; rel="next"')


@pytest.mark.asyncio
@pytest.mark.parametrize("path,expected", [
    ("/fixtures/compound_primary_key.json?_shape=object", {
        "a,b": {"pk1": "a", "pk2": "b", "content": "c"},
        "a~2Cb,x+y": {"pk1": "a,b", "pk2": "x y", "content": "z"},
        "a~2Fb,~2Ec-d": {"pk1": "a/b", "pk2": ".c-d", "content": "c"}}),
    ("/fixtures/no_pk.json?_shape=object",
     {"ok": False, "error": "_shape=object not available for tables with no primary keys"}),
    ("/fixtures/facetable.json?_labels=on&_shape=arrays&_size=1",
     {"ok": True, "next": "1", "rows": [[1, "CA", {"value": 1, "label": "San Francisco"}, "a,b"]],
      "truncated": False}),
    ("/fixtures/binary_data.json?_shape=array",
     [{"rowid": 1, "data": "\x15\x18\x1a"}, {"rowid": 2, "data": "hello"}, {"rowid": 3, "data": None},
      {"rowid": 4, "data": {"$base64": True, "encoded": "/wA="}}]),
    ("/fixtures/floats.json?_shape=arrayfirst", [1, 2, 3, 4]),
    ("/fixtures/no_pk.json?_extra=columns", {"ok": True, "next": None, "columns": ["rowid", "a", "b"],
     "rows": [{"rowid": 1, "a": "x", "b": 1}, {"rowid": 2, "a": "y", "b": None}], "truncated": False}),
    ("/fixtures/-/query.json?sql=select+j+from+js+where+id+%3D+1&_json=j", {
        "ok": True, "rows": [{"j": {"a": [1, 2]}}], "truncated": False}),
    ("/fixtures/compound_primary_key/a~2Fb,~2Ec-d.json?_shape=array",
     [{"pk1": "a/b", "pk2": ".c-d", "content": "c"}]),
])
async def test_shapes(real_ds, path, expected):
    assert (await get(real_ds, path)).json() == expected


@pytest.mark.asyncio
async def test_errors(real_ds):
    bad = await get(real_ds, "/fixtures/simple_primary_key.json?_shape=nope", status=400)
    assert bad.json() == {"ok": False, "error": "Invalid _shape: nope", "status": 400, "title": None}
    sql = await get(real_ds, "/fixtures/-/query.json?sql=select+*+from+nope", status=400)
    assert sql.json() == {"ok": False, "rows": [], "error": "no such table: nope", "truncated": False}
    floats = await get(real_ds, "/fixtures/floats.json?_json_infinity=on")
    assert b'"f": Infinity' in floats.content
