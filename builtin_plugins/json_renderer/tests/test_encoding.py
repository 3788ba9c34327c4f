"""JSON encoding of odd values, and the renderer called directly (as third-party code may)."""
from __future__ import annotations

import decimal
import json
import sqlite3

import pytest

from datasette.utils.asgi import Request
from datasette_builtins.json_renderer import encoding
from datasette_builtins.json_renderer.render import render_json


@pytest.mark.parametrize("value,expected", [
    ({"n": 2 ** 70}, {"n": 2 ** 70}),  # beyond orjson's 64-bit range: stdlib fallback
    ({1: "a", None: "b"}, {"1": "a", "null": "b"}),  # non-string keys
    ({"d": decimal.Decimal("1.5")}, {"d": "1.5"}),
    ({"s": {3}}, {"s": [3]}),
    ({"nested": [{"x": float("inf")}, float("nan")]}, {"nested": [{"x": None}, None]}),
    ({"b": [b"\xff\x00", b"ok", bytearray(b"ba")]},
     {"b": [{"$base64": True, "encoded": "/wA="}, "ok", "ba"]}),
    ({"big": 2 ** 70, "inf": float("-inf")}, {"big": 2 ** 70, "inf": None}),
])
def test_dumps_odd_values(value, expected):
    assert json.loads(encoding.dumps(value)) == expected


def test_dumps_sqlite_rows_and_infinity_allowed():
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    row = conn.execute("select 1 as a, 9e999 as b, x'00ff' as c").fetchone()
    assert json.loads(encoding.dumps({"row": row})) == {
        "row": [1, None, {"$base64": True, "encoded": "AP8="}]}
    text = encoding.dumps({"row": row}, allow_infinity=True)
    assert b"Infinity" in text and json.loads(text)["row"][1] == float("inf")


def test_stdlib_path_matches_upstream_spacing(monkeypatch):
    monkeypatch.setattr(encoding, "orjson", None)
    assert encoding.dumps({"ok": True, "rows": [[1, float("inf")]]}) == b'{"ok": true, "rows": [[1, null]]}'


@pytest.mark.asyncio
async def test_render_without_data_or_request():
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    rows = conn.execute("select 1 as a, 'x' as b union all select 2, 'y'").fetchall()
    response = await render_json(None, rows=rows, truncated=True)
    assert json.loads(response.body) == {"ok": True, "rows": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}],
                                         "truncated": True}
    request = Request.fake("/db/t.json?_shape=arrays")
    response = await render_json(None, request=request, columns=["a", "b"], rows=rows,
                                 data={"ok": True, "rows": [tuple(r) for r in rows]})
    assert json.loads(response.body) == {"ok": True, "rows": [[1, "x"], [2, "y"]]}


@pytest.mark.asyncio
async def test_pages_without_rows_are_dumped_as_they_are():
    data = {"database": "fixtures", "tables": [{"name": "t", "columns": ["a"]}], "metadata": {}}
    for qs in ("", "?_shape=array", "?_shape=bad"):
        response = await render_json(None, request=Request.fake("/fixtures.json" + qs), data=data)
        assert response.status == 200
        assert json.loads(response.body) == data
