"""POST /<db>/<table>/<pks>/-/update and /-/delete."""
from __future__ import annotations

import pytest

from .conftest import post_json, rows_of


@pytest.mark.asyncio
async def test_update(ds, db_path, events):
    response = await post_json(ds, "/data/docs/1/-/update", {"update": {"title": "updated"}})
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert rows_of(db_path, "select title from docs where id = 1") == [("updated",)]
    [event] = events.events
    assert event.name == "update-row"
    assert event.properties() == {"database": "data", "table": "docs", "pks": ["1"]}


@pytest.mark.asyncio
async def test_update_return(ds):
    response = await post_json(ds, "/data/docs/1/-/update", {"update": {"title": "u2"}, "return": True})
    assert response.json() == {"ok": True, "row": {"id": 1, "title": "u2", "score": 1.5, "age": 3}}
    response = await post_json(ds, "/data/compound/x,y/-/update", {"update": {"v": "cv"}, "return": True})
    assert response.json() == {"ok": True, "row": {"a": "x", "b": "y", "v": "cv"}}
    response = await post_json(ds, "/data/norowid/1/-/update", {"update": {"v": 99}, "return": True})
    assert response.json() == {"ok": True, "row": {"rowid": 1, "name": "n", "v": 99}}


@pytest.mark.asyncio
async def test_update_of_the_primary_key_returns_the_moved_row(ds):
    response = await post_json(ds, "/data/docs/1/-/update", {"update": {"id": 1000}, "return": True})
    assert response.json() == {"ok": True, "row": {"id": 1000, "title": "one", "score": 1.5, "age": 3}}


@pytest.mark.asyncio
async def test_update_alter(ds, events):
    response = await post_json(ds, "/data/docs/1/-/update", {"update": {"extra": "v"}})
    assert (response.status_code, response.json()) == (400, {"ok": False, "errors": ["no such column: extra"]})
    response = await post_json(ds, "/data/docs/1/-/update", {"update": {"extra": "v"}, "alter": True, "return": True})
    assert response.json()["row"] == {"id": 1, "title": "one", "score": 1.5, "age": 3, "extra": "v"}
    assert events.names() == ["update-row", "alter-table"]


@pytest.mark.asyncio
async def test_empty_update_is_ok(ds):
    response = await post_json(ds, "/data/docs/1/-/update", {"update": {}})
    assert (response.status_code, response.json()) == (200, {"ok": True})


@pytest.mark.asyncio
@pytest.mark.parametrize("body,message", [
    ({"nope": 1}, "JSON must contain an update dictionary"),
    ({"update": [1]}, "JSON must contain an update dictionary"),
    ({"update": {"title": "x"}, "foo": 1, "bar": 2}, "Invalid keys: bar, foo"),
    ("[1]", "JSON must be a dictionary"),
    ("nope", "Invalid JSON: Expecting value: line 1 column 1 (char 0)"),
])
async def test_update_bad_bodies(ds, db_path, body, message):
    response = await post_json(ds, "/data/docs/1/-/update", body)
    assert (response.status_code, response.json()) == (400, {"ok": False, "errors": [message]})
    assert rows_of(db_path, "select title from docs where id = 1") == [("one",)]


@pytest.mark.asyncio
async def test_update_constraint_violation(ds, db_path):
    await post_json(ds, "/data/uniq/-/insert", {"row": {"id": 2, "email": "b@example.com"}})
    response = await post_json(ds, "/data/uniq/2/-/update", {"update": {"email": "a@example.com"}})
    assert (response.status_code, response.json()) == (400, {"ok": False, "errors": ["UNIQUE constraint failed: uniq.email"]})
    assert rows_of(db_path, "select email from uniq where id = 2") == [("b@example.com",)]


@pytest.mark.asyncio
async def test_update_and_delete_not_found(ds):
    for action in ("update", "delete"):
        response = await post_json(ds, f"/data/docs/99/-/{action}", {"update": {"title": "x"}})
        assert (response.status_code, response.json()) == (404, {"ok": False, "errors": ["Record not found: ['99']"]})
        response = await post_json(ds, f"/data/nope/1/-/{action}", {"update": {"title": "x"}})
        assert (response.status_code, response.json()) == (404, {"ok": False, "errors": ["Table not found: nope"]})
        response = await post_json(ds, f"/data/compound/x/-/{action}", {"update": {"v": "x"}})
        assert response.json() == {"ok": False, "errors": ["Record not found: ['x']"]}


@pytest.mark.asyncio
async def test_delete(ds, db_path, events):
    response = await ds.client.post("/data/docs/2/-/delete", headers={"x-actor": '{"id": "root"}'})
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert rows_of(db_path, "select id from docs") == [(1,)]
    response = await ds.client.post("/data/docs/2/-/delete", headers={"x-actor": '{"id": "root"}'})
    assert response.status_code == 404
    response = await post_json(ds, "/data/compound/x,y/-/delete", "garbage is ignored")
    assert response.json() == {"ok": True}
    response = await post_json(ds, "/data/keyed/k1/-/delete", {})
    assert response.json() == {"ok": True}
    assert rows_of(db_path, "select count(*) from compound union all select count(*) from keyed") == [(0,), (0,)]
    assert [(e.name, e.properties()["pks"]) for e in events.events] == [
        ("delete-row", ["2"]), ("delete-row", ["x", "y"]), ("delete-row", ["k1"])]


@pytest.mark.asyncio
async def test_tilde_encoded_table_and_keys(ds, db_path):
    await post_json(ds, "/data/compound/-/insert", {"row": {"a": "a/b", "b": ".c-d", "v": "e"}})
    response = await post_json(ds, "/data/compound/a~2Fb,~2Ec-d/-/update", {"update": {"v": "E"}, "return": True})
    assert response.json() == {"ok": True, "row": {"a": "a/b", "b": ".c-d", "v": "E"}}
    await post_json(ds, "/data/name~2Fwith~2Edots/-/insert", {"row": {"id": 7, "label": "x"}})
    response = await post_json(ds, "/data/name~2Fwith~2Edots/7/-/delete", {})
    assert response.json() == {"ok": True}
    assert rows_of(db_path, "select count(*) from [name/with.dots]") == [(0,)]
