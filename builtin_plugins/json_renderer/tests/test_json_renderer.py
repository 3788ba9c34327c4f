"""The json renderer through real URLs over a real SQLite file."""
from __future__ import annotations

import json

import pytest

JSON = "application/json; charset=utf-8"


async def get_json(ds, path, status=200):
    response = await ds.client.get(path)
    assert response.status_code == status, response.text
    return response


@pytest.mark.asyncio
async def test_default_shape_objects(ds):
    response = await get_json(ds, "/fixtures/simple_primary_key.json")
    assert response.headers["content-type"] == JSON
    data = response.json()
    assert list(data) == ["ok", "next", "rows", "truncated"]
    assert data["rows"] == [
        {"id": "1", "content": "hello"}, {"id": "2", "content": "world"},
        {"id": "3", "content": ""}, {"id": "4", "content": None},
    ]


@pytest.mark.asyncio
async def test_shape_arrays(ds):
    data = (await get_json(ds, "/fixtures/simple_primary_key.json?_shape=arrays")).json()
    assert data["rows"] == [["1", "hello"], ["2", "world"], ["3", ""], ["4", None]]
    assert data["ok"] is True and data["next"] is None


@pytest.mark.asyncio
async def test_shape_array_and_newline_delimited(ds):
    response = await get_json(ds, "/fixtures/simple_primary_key.json?_shape=array")
    assert response.headers["content-type"] == JSON
    assert response.json()[0] == {"id": "1", "content": "hello"}
    assert len(response.json()) == 4
    response = await get_json(ds, "/fixtures/simple_primary_key.json?_shape=array&_nl=on")
    assert response.headers["content-type"] == "text/plain"
    lines = response.text.split("\n")
    assert [json.loads(line) for line in lines] == response_rows()


def response_rows():
    return [{"id": "1", "content": "hello"}, {"id": "2", "content": "world"},
            {"id": "3", "content": ""}, {"id": "4", "content": None}]


@pytest.mark.asyncio
async def test_nl_needs_shape_array(ds):
    response = await get_json(ds, "/fixtures/simple_primary_key.json?_nl=on")
    assert response.headers["content-type"] == JSON
    assert response.json()["rows"] == response_rows()


@pytest.mark.asyncio
async def test_shape_arrayfirst(ds):
    assert (await get_json(ds, "/fixtures/simple_primary_key.json?_shape=arrayfirst")).json() == [
        "1", "2", "3", "4"]
    assert (await get_json(ds, "/fixtures/-/query.json?sql=select+1+where+0&_shape=arrayfirst")).json() == []


@pytest.mark.asyncio
async def test_shape_object_compound_primary_key(ds):
    data = (await get_json(ds, "/fixtures/compound_primary_key.json?_shape=object")).json()
    assert data == {
        "a,b": {"pk1": "a", "pk2": "b", "content": "c"},
        "a~2Cb,x+y": {"pk1": "a,b", "pk2": "x y", "content": "z"},
        "a~2Fb,~2Ec-d": {"pk1": "a/b", "pk2": ".c-d", "content": "c"},
    }


@pytest.mark.asyncio
@pytest.mark.parametrize("path,error", [
    ("/fixtures/no_pk.json?_shape=object", "_shape=object not available for tables with no primary keys"),
    ("/fixtures/simple_view.json?_shape=object", "_shape=object not available for tables with no primary keys"),
    ("/fixtures/-/query.json?sql=select+1&_shape=object", "_shape=object is only available on tables"),
])
async def test_shape_object_errors(ds, path, error):
    response = await get_json(ds, path, status=200)  # upstream answers these with 200
    assert response.json() == {"ok": False, "error": error}


@pytest.mark.asyncio
@pytest.mark.parametrize("shape", ["bad", ""])
async def test_invalid_shape(ds, shape):
    response = await get_json(ds, f"/fixtures/simple_primary_key.json?_shape={shape}", status=400)
    assert response.headers["content-type"] == JSON
    assert response.content == (
        b'{"ok": false, "error": "Invalid _shape: ' + shape.encode() + b'", "status": 400, "title": null}')


@pytest.mark.asyncio
async def test_columns_only_with_literal_extra_columns(ds):
    kept = (await get_json(ds, "/fixtures/no_pk.json?_extra=columns")).json()
    assert list(kept) == ["ok", "next", "columns", "rows", "truncated"]
    assert kept["columns"] == ["rowid", "a", "b"]
    both = (await get_json(ds, "/fixtures/no_pk.json?_extra=columns&_extra=primary_keys")).json()
    assert both["columns"] == ["rowid", "a", "b"] and both["primary_keys"] == []
    dropped = (await get_json(ds, "/fixtures/no_pk.json?_extra=columns,primary_keys")).json()
    assert "columns" not in dropped and dropped["primary_keys"] == []
    query = (await get_json(ds, "/fixtures/-/query.json?sql=select+1+as+one")).json()
    assert query == {"ok": True, "rows": [{"one": 1}], "truncated": False}


@pytest.mark.asyncio
async def test_rowid_tables_lead_with_rowid(ds):
    data = (await get_json(ds, "/fixtures/no_pk.json")).json()
    assert [list(row) for row in data["rows"]] == [["rowid", "a", "b"]] * 2
    assert data["rows"][0] == {"rowid": 1, "a": "x", "b": 1}


@pytest.mark.asyncio
async def test_json_columns(ds):
    path = "/fixtures/-/query.json?sql=select+*+from+js&_json=j"
    assert (await get_json(ds, path)).json()["rows"] == [
        {"id": 1, "j": {"a": [1, 2]}}, {"id": 2, "j": "not json"}, {"id": 3, "j": None},
        {"id": 4, "j": [1, "x"]}]
    arrays = (await get_json(ds, "/fixtures/js.json?_json=j&_shape=arrays")).json()["rows"]
    assert arrays[0] == [1, {"a": [1, 2]}]
    plain = (await get_json(ds, "/fixtures/js.json")).json()["rows"]
    assert plain[0] == {"id": 1, "j": '{"a": [1,2]}'}


@pytest.mark.asyncio
async def test_infinity_is_null_unless_asked_for(ds):
    rows = (await get_json(ds, "/fixtures/floats.json")).json()["rows"]
    assert [row["f"] for row in rows] == [1.5, None, None, None]
    for off in ("0", "off", "xyz"):
        rows = (await get_json(ds, f"/fixtures/floats.json?_json_infinity={off}")).json()["rows"]
        assert rows[1]["f"] is None
    response = await get_json(ds, "/fixtures/floats.json?_json_infinity=1")
    assert b'"f": Infinity' in response.content and b'"f": -Infinity' in response.content
    assert json.loads(response.content)["rows"][2]["f"] == float("-inf")
    arrays = await get_json(ds, "/fixtures/-/query.json?sql=select+1e999+as+x,+-1e999+as+y&_shape=arrays")
    assert arrays.json()["rows"] == [[None, None]]


@pytest.mark.asyncio
async def test_blobs(ds):
    rows = (await get_json(ds, "/fixtures/binary_data.json")).json()["rows"]
    assert rows == [
        {"rowid": 1, "data": "\x15\x18\x1a"},
        {"rowid": 2, "data": "hello"},
        {"rowid": 3, "data": None},
        {"rowid": 4, "data": {"$base64": True, "encoded": "/wA="}},
    ]
    arrays = (await get_json(ds, "/fixtures/-/query.json?sql=select+data+from+binary_data&_shape=arrays")).json()
    assert arrays["rows"][3] == [{"$base64": True, "encoded": "/wA="}]


@pytest.mark.asyncio
async def test_sql_error(ds):
    response = await get_json(ds, "/fixtures/-/query.json?sql=select+*+from+nope&_shape=array", status=400)
    assert response.headers["content-type"] == JSON
    assert response.content == b'{"ok": false, "rows": [], "error": "no such table: nope", "truncated": false}'


@pytest.mark.asyncio
async def test_expanded_labels(ds):
    data = (await get_json(ds, "/fixtures/facetable.json?_labels=on&_size=1")).json()
    assert data["rows"] == [{"pk": 1, "state": "CA", "city_id": {"value": 1, "label": "San Francisco"},
                             "t": "a,b"}]
    assert data["next"] == "1"
    arrays = (await get_json(ds, "/fixtures/facetable.json?_labels=on&_shape=arrays&_size=1")).json()
    assert arrays["rows"] == [[1, "CA", {"value": 1, "label": "San Francisco"}, "a,b"]]
    first = (await get_json(ds, "/fixtures/-/query.json?sql=select+city_id+from+facetable&_shape=arrayfirst"))
    assert first.json() == [1, 1, 2, 3, None, 99]


@pytest.mark.asyncio
async def test_row_page_keeps_key_order(ds):
    data = (await get_json(ds, "/fixtures/compound_primary_key/a~2Fb,~2Ec-d.json")).json()
    assert list(data) == ["database", "table", "rows", "primary_keys", "primary_key_values", "ok",
                          "truncated"]
    assert data["rows"] == [{"pk1": "a/b", "pk2": ".c-d", "content": "c"}]
    shaped = (await get_json(ds, "/fixtures/compound_primary_key/a~2Fb,~2Ec-d.json?_shape=object")).json()
    assert shaped == {"a~2Fb,~2Ec-d": {"pk1": "a/b", "pk2": ".c-d", "content": "c"}}


@pytest.mark.asyncio
async def test_unicode_and_link_text(ds):
    response = await get_json(ds, "/fixtures/-/query.json?sql=select+%27caf%C3%A9+%E2%9C%93%27+as+t&_shape=array")
    assert response.json() == [{"t": "café ✓"}]


@pytest.mark.asyncio
async def test_can_render(ds):
    render, can_render = ds.renderers["json"]
    assert can_render() is True
