"""Who may write: permission checks and their 403s, tokens, immutable and read-only databases."""
from __future__ import annotations

import json
import sqlite3

import pytest

from datasette.database import Database

from .conftest import actor_headers, post_json, rows_of

NOBODY = {"x-actor": json.dumps({"id": "nobody"})}


def can(*actions: str) -> dict:
    return actor_headers({"id": "someone", "can": list(actions)})


@pytest.mark.asyncio
@pytest.mark.parametrize("path,body", [
    ("/data/docs/-/insert", {"row": {"title": "x"}}),
    ("/data/docs/-/insert", "{not even json"),
    ("/data/-/create", {"table": "t", "columns": [{"name": "id"}]}),
    ("/data/docs/1/-/update", {"update": {"title": "x"}}),
    ("/data/docs/1/-/delete", {}),
    ("/data/docs/-/drop", {"confirm": True}),
])
async def test_without_permission_every_write_is_403(ds, db_path, path, body):
    before = rows_of(db_path, "select * from docs")
    for headers in (NOBODY, {}):
        response = await post_json(ds, path, body, headers=headers)
        assert (response.status_code, response.json()) == (403, {"ok": False, "errors": ["Permission denied"]})
    assert rows_of(db_path, "select * from docs") == before


@pytest.mark.asyncio
async def test_permission_checks_use_the_spec_resources(ds):
    ds._permission_checks.clear()
    await post_json(ds, "/data/docs/-/insert", {"rows": [{"id": 9}], "replace": True, "alter": True},
                    headers=can("insert-row", "update-row", "alter-table"))
    await post_json(ds, "/data/-/create", {"table": "t", "rows": [{"id": 1}], "pk": "id", "replace": True},
                    headers=can("create-table", "insert-row", "update-row"))
    checks = [(c["action"], c["resource"]) for c in ds._permission_checks]
    assert checks == [
        ("insert-row", ("data", "docs")), ("update-row", ("data", "docs")), ("alter-table", ("data", "docs")),
        ("create-table", "data"), ("insert-row", "data"), ("update-row", "data"),
    ]


@pytest.mark.asyncio
async def test_extra_permissions_for_replace_alter_and_upsert(ds):
    insert_only = can("insert-row")
    response = await post_json(ds, "/data/docs/-/insert", {"rows": [{"id": 1}], "replace": True}, insert_only)
    assert response.json() == {"ok": False, "errors": ['Permission denied: need update-row to use "replace"']}
    response = await post_json(ds, "/data/docs/-/insert", {"rows": [{"zz": 1}], "alter": True}, insert_only)
    assert response.json() == {"ok": False, "errors": ["Permission denied for alter-table"]}
    for headers in (insert_only, can("update-row")):
        response = await post_json(ds, "/data/docs/-/upsert", {"rows": [{"id": 1}]}, headers)
        assert (response.status_code, response.json()) == (
            403, {"ok": False, "errors": ["Permission denied: need both insert-row and update-row"]})
    response = await post_json(ds, "/data/docs/-/upsert", {"rows": [{"id": 1, "q": 1}], "alter": True},
                               can("insert-row", "update-row"))
    assert response.json() == {"ok": False, "errors": ["Permission denied for alter-table"]}
    response = await post_json(ds, "/data/docs/1/-/update", {"update": {"q": 1}, "alter": True}, can("update-row"))
    assert response.json() == {"ok": False, "errors": ["Permission denied for alter-table"]}


@pytest.mark.asyncio
async def test_create_permissions(ds):
    response = await post_json(ds, "/data/-/create", {"table": "c1", "rows": [{"id": 1}]}, can("create-table"))
    assert response.json() == {"ok": False, "errors": ["Permission denied: need insert-row"]}
    response = await post_json(ds, "/data/-/create", {"table": "c1", "rows": [{"id": 1}], "pk": "id", "replace": True},
                               can("create-table", "insert-row"))
    assert response.json() == {"ok": False, "errors": ["Permission denied: need update-row"]}
    response = await post_json(ds, "/data/-/create", {"table": "docs", "rows": [{"id": 9, "z": 1}], "alter": True},
                               can("create-table", "insert-row"))
    assert response.json() == {"ok": False, "errors": ["Permission denied: need alter-table"]}
    response = await post_json(ds, "/data/-/create", {"table": "c1", "columns": [{"name": "id"}]}, can("create-table"))
    assert response.status_code == 201


@pytest.mark.asyncio
async def test_missing_table_or_row_is_404_before_the_permission_check(ds):
    response = await post_json(ds, "/data/nope/-/insert", {"row": {}}, headers={})
    assert response.status_code == 404
    response = await post_json(ds, "/data/docs/99/-/update", {"update": {}}, headers={})
    assert response.json() == {"ok": False, "errors": ["Record not found: ['99']"]}


@pytest.mark.asyncio
async def test_a_token_allowed_to_insert_into_one_table(make_ds, db_path):
    ds = await make_ds()
    token = ds.create_token("root", restrict_resource={"data": {"docs": ["insert-row", "view-table"]}})
    bearer = {"Authorization": f"Bearer {token}"}
    for batch in range(10):
        rows = [{"id": 100 + batch * 100 + n, "title": f"row {batch}-{n}"} for n in range(100)]
        response = await post_json(ds, "/data/docs/-/insert", {"rows": rows}, headers=bearer)
        assert (response.status_code, response.json()) == (201, {"ok": True})
    # read them back through the table's JSON API, page by page
    ids, next_token = [], None
    while True:
        path = "/data/docs.json?_size=max&id__gte=100" + (f"&_next={next_token}" if next_token else "")
        data = (await ds.client.get(path, headers=bearer)).json()
        ids += [row["id"] for row in data["rows"]]
        next_token = data["next"]
        if not next_token:
            break
    assert ids == list(range(100, 1100))
    # every other write is refused
    denied = [
        ("/data/docs/-/insert", {"rows": [{"id": 5}], "replace": True}),
        ("/data/docs/-/insert", {"rows": [{"id": 5}], "alter": True}),
        ("/data/docs/-/upsert", {"rows": [{"id": 1, "title": "x"}]}),
        ("/data/docs/1/-/update", {"update": {"title": "x"}}),
        ("/data/docs/1/-/delete", {}),
        ("/data/docs/-/drop", {"confirm": True}),
        ("/data/compound/-/insert", {"row": {"a": "1", "b": "2"}}),
        ("/data/-/create", {"table": "new", "columns": [{"name": "id"}]}),
        ("/data/-/create", {"table": "docs", "rows": [{"id": 5000}]}),
    ]
    for path, body in denied:
        response = await post_json(ds, path, body, headers=bearer)
        assert response.status_code == 403, path
    assert rows_of(db_path, "select count(*), min(id), max(id) from docs") == [(1002, 1, 1099)]
    assert rows_of(db_path, "select count(*) from compound") == [(1,)]


@pytest.mark.asyncio
async def test_bearer_json_posts_need_no_csrf_token_but_cookie_forms_do(make_ds, db_path):
    ds = await make_ds()
    token = ds.create_token("root")
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "root"})}
    response = await ds.client.post("/data/docs/-/insert", content='{"row": {"title": "t"}}', cookies=cookies,
                                    headers={"Authorization": f"Bearer {token}",
                                             "content-type": "application/json; charset=utf-8"})
    assert response.status_code == 201
    response = await ds.client.post("/data/docs/-/insert", content='{"row": {"title": "c"}}', cookies=cookies,
                                    headers={"content-type": "application/json"})
    assert response.status_code == 201  # exactly application/json: no CSRF token needed (as upstream)
    response = await ds.client.post("/data/docs/-/insert", content='{"row": {"title": "f"}}', cookies=cookies,
                                    headers={"content-type": "application/json; charset=utf-8"})
    assert response.status_code == 403  # cookie-authenticated, not plain JSON: CSRF protection applies
    assert rows_of(db_path, "select title from docs where id > 2") == [("t",), ("c",)]


@pytest.mark.asyncio
async def test_immutable_database_is_403(make_ds, db_path):
    ds = await make_ds(files=[], immutables=[db_path])
    writes = [
        ("/data/docs/-/insert", {"row": {"title": "x"}}),
        ("/data/docs/-/upsert", {"row": {"id": 1, "title": "x"}}),
        ("/data/-/create", {"table": "zz", "columns": [{"name": "id"}]}),
        ("/data/docs/1/-/update", {"update": {"title": "x"}}),
        ("/data/docs/1/-/delete", {}),
        ("/data/docs/-/drop", {"confirm": True}),
    ]
    for path, body in writes:
        response = await post_json(ds, path, body)
        assert (response.status_code, response.json()) == (403, {"ok": False, "errors": ["Database is immutable"]})
    assert rows_of(db_path, "select count(*) from docs") == [(2,)]


@pytest.mark.asyncio
async def test_read_only_database_file_is_a_clear_403(make_ds, db_path):
    ds = await make_ds(files=[])
    ds.add_database(Database(ds, db_path, mode="ro"), name="data")
    response = await post_json(ds, "/data/docs/-/insert", {"row": {"title": "x"}})
    assert (response.status_code, response.json()) == (
        403, {"ok": False, "errors": ["Database is read-only: attempt to write a readonly database"]})
    response = await post_json(ds, "/data/-/create", {"table": "t", "columns": [{"name": "id"}]})
    assert response.status_code == 403
    assert rows_of(db_path, "select count(*) from docs") == [(2,)]
    conn = sqlite3.connect(db_path)
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    conn.close()
