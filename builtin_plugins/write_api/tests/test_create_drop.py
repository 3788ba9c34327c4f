"""POST /<db>/-/create and /<db>/<table>/-/drop."""
from __future__ import annotations

import pytest

from .conftest import post_json, rows_of

CREATE = "/data/-/create"


@pytest.mark.asyncio
async def test_create_from_columns(ds, db_path, events):
    body = {"table": "t1", "columns": [{"name": "id", "type": "integer"}, {"name": "title"},
                                       {"name": "f", "type": "float"}, {"name": "b", "type": "blob"}], "pk": "id"}
    response = await post_json(ds, CREATE, body)
    assert response.status_code == 201
    schema = 'CREATE TABLE "t1" (\n   "id" INTEGER PRIMARY KEY,\n   "title" TEXT,\n   "f" REAL,\n   "b" BLOB\n)'
    assert response.json() == {"ok": True, "database": "data", "table": "t1",
                               "table_url": "http://localhost/data/t1",
                               "table_api_url": "http://localhost/data/t1.json", "schema": schema}
    assert rows_of(db_path, "select sql from sqlite_master where name = 't1'") == [(schema,)]
    [event] = events.events
    assert (event.name, event.properties()) == ("create-table", {"database": "data", "table": "t1", "schema": schema})


@pytest.mark.asyncio
async def test_create_from_rows_with_compound_key(ds, db_path):
    response = await post_json(ds, CREATE, {"table": "t4", "rows": [{"a": 1, "b": "x"}, {"a": 2, "b": "y", "c": 1.5}],
                                            "pks": ["a", "b"]})
    assert response.status_code == 201
    assert response.json()["schema"] == ('CREATE TABLE "t4" (\n   "a" INTEGER,\n   "b" TEXT,\n   "c" REAL,\n'
                                         '   PRIMARY KEY ("a", "b")\n)')
    assert response.json()["row_count"] == 2
    assert rows_of(db_path, "select * from t4 order by a") == [(1, "x", None), (2, "y", 1.5)]


@pytest.mark.asyncio
async def test_create_from_one_row_and_a_name_that_needs_encoding(ds):
    response = await post_json(ds, CREATE, {"table": "with space.dot", "row": {"a": 1}})
    assert response.json()["table_url"] == "http://localhost/data/with+space~2Edot"
    assert response.json()["table_api_url"] == "http://localhost/data/with+space~2Edot.json"


@pytest.mark.asyncio
async def test_rows_into_an_existing_table_are_inserted(ds, db_path, events):
    response = await post_json(ds, CREATE, {"table": "docs", "rows": [{"id": 3, "title": "c"}], "pk": "id"})
    assert response.status_code == 201
    assert response.json()["row_count"] == 1
    response = await post_json(ds, CREATE, {"table": "docs", "rows": [{"id": 3, "title": "d"}], "pk": "id",
                                            "replace": True})
    assert response.status_code == 201
    response = await post_json(ds, CREATE, {"table": "docs", "rows": [{"id": 3, "title": "e"}], "pk": "id",
                                            "ignore": True})
    assert rows_of(db_path, "select title from docs where id = 3") == [("d",)]
    response = await post_json(ds, CREATE, {"table": "docs", "rows": [{"id": 3}], "pk": "id"})
    assert response.json() == {"ok": False, "errors": ["UNIQUE constraint failed: docs.id"]}
    response = await post_json(ds, CREATE, {"table": "docs", "rows": [{"id": 4}], "pk": "title"})
    assert response.json() == {"ok": False, "errors": ["pk cannot be changed for existing table"]}
    response = await post_json(ds, CREATE, {"table": "docs", "rows": [{"id": 5, "extra": 1}]})
    assert response.json() == {"ok": False, "errors": ["table docs has no column named extra"]}
    response = await post_json(ds, CREATE, {"table": "docs", "rows": [{"id": 5, "extra": 1}], "alter": True})
    assert response.status_code == 201
    assert '"extra" INTEGER' in response.json()["schema"]
    assert events.names() == ["insert-rows", "insert-rows", "insert-rows", "insert-rows", "alter-table"]


@pytest.mark.asyncio
async def test_columns_for_an_existing_table(ds):
    response = await post_json(ds, CREATE, {"table": "docs", "columns": [{"name": "id"}]})
    assert (response.status_code, response.json()) == (400, {"ok": False, "errors": ['table "docs" already exists']})


@pytest.mark.asyncio
async def test_failed_create_leaves_no_table(ds, db_path):
    response = await post_json(ds, CREATE, {"table": "t7", "rows": [{"id": 1}, {"id": 1}], "pk": "id"})
    assert response.json() == {"ok": False, "errors": ["UNIQUE constraint failed: t7.id"]}
    assert rows_of(db_path, "select count(*) from sqlite_master where name = 't7'") == [(0,)]


CREATE_ERRORS = [
    ({"table": "t6", "rows": [{"id": 1}], "foo": 1, "bar": 2}, "Invalid keys: bar, foo"),
    ({"columns": [{"name": "id"}]}, "Table is required"),
    ({"table": "", "columns": [{"name": "id"}]}, "Table is required"),
    ({"table": "sqlite_x", "columns": [{"name": "id"}]}, "Invalid table name"),
    ({"table": "a\nb", "columns": [{"name": "id"}]}, "Invalid table name"),
    ({"table": 5, "columns": [{"name": "id"}]}, "Invalid table name"),
    ({"table": "t6"}, "columns, rows or row is required"),
    ({"table": "t6", "columns": []}, "columns, rows or row is required"),
    ({"table": "t6", "rows": []}, "columns, rows or row is required"),
    ({"table": "t6", "row": {"id": 1}, "rows": [{"id": 1}]}, "Cannot specify both rows and row"),
    ({"table": "t6", "columns": [{"name": "id"}], "rows": [{"id": 1}]}, "Cannot specify columns with rows or row"),
    ({"table": "t6", "columns": [{"name": "id", "type": "date"}]}, "Unsupported column type: date"),
    ({"table": "t6", "columns": [{"name": "id"}, {"name": "id"}]}, "Duplicate column name: id"),
    ({"table": "t6", "columns": [{"nam": "id"}]}, "Column name is required"),
    ({"table": "t6", "columns": ["id"]}, "columns must be a list of objects"),
    ({"table": "t6", "columns": {"id": "x"}}, "columns must be a list"),
    ({"table": "t6", "rows": "x"}, "rows must be a list"),
    ({"table": "t6", "rows": [1]}, "rows must be a list of objects"),
    ({"table": "t6", "row": 1}, "rows must be a list of objects"),
    ({"table": "t6", "rows": [{"id": 1}] * 101}, "Too many rows, maximum allowed is 100"),
    ({"table": "t6", "columns": [{"name": "id"}], "pk": "id", "pks": ["id"]}, "Cannot specify both pk and pks"),
    ({"table": "t6", "columns": [{"name": "id"}], "pk": 5}, "pk must be a string"),
    ({"table": "t6", "columns": [{"name": "id"}], "pks": "id"}, "pks must be a list"),
    ({"table": "t6", "columns": [{"name": "id"}], "pks": [1]}, "pks must be a list of strings"),
    ({"table": "t6", "columns": [{"name": "id"}], "ignore": True}, "ignore and replace require row or rows"),
    ({"table": "t6", "rows": [{"id": 1}], "ignore": True}, "ignore and replace require pk or pks"),
    ({"table": "t6", "rows": [{"id": 1}], "ignore": True, "replace": True, "pk": "id"},
     "ignore and replace are mutually exclusive"),
    ("[]", "JSON must be an object"),
    ("x", "Invalid JSON: Expecting value: line 1 column 1 (char 0)"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("body,message", CREATE_ERRORS)
async def test_create_errors(ds, db_path, body, message):
    response = await post_json(ds, CREATE, body)
    assert (response.status_code, response.json()) == (400, {"ok": False, "errors": [message]})
    assert rows_of(db_path, "select count(*) from sqlite_master where name = 't6'") == [(0,)]


@pytest.mark.asyncio
async def test_drop_needs_confirmation(ds, db_path, events):
    response = await post_json(ds, "/data/docs/-/drop", {})
    assert response.json() == {"ok": True, "database": "data", "table": "docs", "row_count": 2,
                               "message": 'Pass "confirm": true to confirm'}
    response = await post_json(ds, "/data/docs/-/drop", "{not json")
    assert response.json()["message"] == 'Pass "confirm": true to confirm'
    assert events.events == []
    response = await post_json(ds, "/data/docs/-/drop", {"confirm": True})
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert rows_of(db_path, "select count(*) from sqlite_master where name = 'docs'") == [(0,)]
    assert [(e.name, e.properties()) for e in events.events] == [("drop-table", {"database": "data", "table": "docs"})]
    response = await post_json(ds, "/data/docs/-/drop", {"confirm": True})
    assert (response.status_code, response.json()) == (404, {"ok": False, "errors": ["Table not found"]})
