"""POST /<db>/<table>/-/insert and /-/upsert."""
from __future__ import annotations

import pytest

from .conftest import post_json, rows_of

INSERT = "/data/docs/-/insert"
UPSERT = "/data/docs/-/upsert"


@pytest.mark.asyncio
async def test_insert_one_row_returns_it_with_201(ds, db_path, events):
    response = await post_json(ds, INSERT, {"row": {"title": "three", "score": 2.5}})
    assert response.status_code == 201
    assert response.json() == {"ok": True, "rows": [{"id": 3, "title": "three", "score": 2.5, "age": None}]}
    assert rows_of(db_path, "select title from docs where id = 3") == [("three",)]
    [event] = events.events
    assert event.name == "insert-rows"
    assert event.properties() == {"database": "data", "table": "docs", "num_rows": 1, "ignore": False,
                                  "replace": False}
    assert event.actor == {"id": "root"}


@pytest.mark.asyncio
async def test_insert_rows_returns_only_ok_unless_asked(ds, db_path):
    response = await post_json(ds, INSERT, {"rows": [{"title": "a"}, {"title": "b"}]})
    assert (response.status_code, response.json()) == (201, {"ok": True})
    response = await post_json(ds, INSERT, {"rows": [{"title": "c"}, {"id": 10, "title": "d"}], "return": True})
    assert response.json()["rows"] == [{"id": 5, "title": "c", "score": None, "age": None},
                                       {"id": 10, "title": "d", "score": None, "age": None}]
    assert rows_of(db_path, "select count(*) from docs") == [(6,)]


@pytest.mark.asyncio
async def test_insert_returns_rows_of_rowid_compound_and_without_rowid_tables(ds):
    response = await post_json(ds, "/data/norowid/-/insert", {"rows": [{"name": "q", "v": 2}], "return": True})
    assert response.json() == {"ok": True, "rows": [{"name": "q", "v": 2}]}
    response = await post_json(ds, "/data/compound/-/insert", {"row": {"a": "q", "b": "r", "v": "s"}})
    assert response.json() == {"ok": True, "rows": [{"a": "q", "b": "r", "v": "s"}]}
    response = await post_json(ds, "/data/keyed/-/insert", {"row": {"k": "k2", "v": "v2"}})
    assert response.json() == {"ok": True, "rows": [{"k": "k2", "v": "v2"}]}
    response = await post_json(ds, "/data/name~2Fwith~2Edots/-/insert", {"row": {"label": "tilde"}})
    assert response.json() == {"ok": True, "rows": [{"id": 1, "label": "tilde"}]}


@pytest.mark.asyncio
async def test_blobs_come_back_as_base64(ds):
    response = await post_json(ds, "/data/blobs/-/upsert", {"row": {"id": 1}})
    assert response.json() == {"ok": True, "rows": [{"id": 1, "data": {"$base64": True, "encoded": "AP8Q"}}]}


@pytest.mark.asyncio
async def test_ignore_keeps_and_returns_the_existing_row(ds, db_path):
    response = await post_json(ds, INSERT, {"rows": [{"id": 1, "title": "dupe"}], "ignore": True, "return": True})
    assert response.status_code == 201
    assert response.json()["rows"] == [{"id": 1, "title": "one", "score": 1.5, "age": 3}]


@pytest.mark.asyncio
async def test_replace_overwrites_the_row(ds, events):
    response = await post_json(ds, INSERT, {"rows": [{"id": 1, "title": "rep"}], "replace": True, "return": True})
    assert response.json()["rows"] == [{"id": 1, "title": "rep", "score": None, "age": None}]
    assert events.events[0].properties()["replace"] is True


@pytest.mark.asyncio
async def test_alter_adds_columns_and_fires_alter_table(ds, db_path, events):
    response = await post_json(ds, INSERT, {"rows": [{"title": "x", "newcol": 5}], "alter": True, "return": True})
    assert response.status_code == 201
    assert response.json()["rows"] == [{"id": 3, "title": "x", "score": None, "age": None, "newcol": 5}]
    assert events.names() == ["insert-rows", "alter-table"]
    alter = events.events[1]
    assert "newcol" not in alter.before_schema and "newcol" in alter.after_schema
    # alter with nothing new to add changes nothing, so no alter-table event
    await post_json(ds, INSERT, {"rows": [{"title": "y"}], "alter": True})
    assert events.names() == ["insert-rows", "alter-table", "insert-rows"]


@pytest.mark.asyncio
async def test_nested_values_are_stored_as_json_and_types_are_sqlites(ds, db_path):
    response = await post_json(ds, INSERT, {"rows": [
        {"title": [1, 2], "score": {"a": 1}, "age": True},
        {"title": "x", "score": "not a number", "age": "x"},
    ], "return": True})
    assert response.json()["rows"] == [
        {"id": 3, "title": "[1, 2]", "score": '{"a": 1}', "age": 1},
        {"id": 4, "title": "x", "score": "not a number", "age": "x"},
    ]


@pytest.mark.asyncio
async def test_upsert_inserts_and_updates_with_200(ds, db_path, events):
    response = await post_json(ds, UPSERT, {"rows": [{"id": 1, "title": "up"}, {"id": 70, "title": "new"}],
                                            "return": True})
    assert response.status_code == 200
    assert response.json() == {"ok": True, "rows": [{"id": 1, "title": "up", "score": 1.5, "age": 3},
                                                    {"id": 70, "title": "new", "score": None, "age": None}]}
    assert events.events[0].name == "upsert-rows"
    assert events.events[0].properties() == {"database": "data", "table": "docs", "num_rows": 2}
    response = await post_json(ds, UPSERT, {"rows": [{"id": 2, "title": "quiet"}]})
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert rows_of(db_path, "select title from docs where id = 2") == [("quiet",)]


@pytest.mark.asyncio
async def test_upsert_rowid_and_compound_tables(ds):
    response = await post_json(ds, "/data/norowid/-/upsert", {"rows": [{"rowid": 1, "name": "changed"}],
                                                              "return": True})
    assert response.json() == {"ok": True, "rows": [{"rowid": 1, "name": "changed", "v": 1}]}
    response = await post_json(ds, "/data/compound/-/upsert", {"row": {"a": "x", "b": "y", "v": "new"}})
    assert response.json() == {"ok": True, "rows": [{"a": "x", "b": "y", "v": "new"}]}


@pytest.mark.asyncio
async def test_upsert_alter(ds, events):
    response = await post_json(ds, UPSERT, {"rows": [{"id": 1, "brandnew": 1}], "alter": True, "return": True})
    assert response.json()["rows"] == [{"id": 1, "title": "one", "score": 1.5, "age": 3, "brandnew": 1}]
    assert events.names() == ["upsert-rows", "alter-table"]


ROWS_ERRORS = [
    (INSERT, {"rows": [{"title": "a"}], "foo": 1, "bar": 2}, 'Invalid parameter: "bar", "foo"'),
    (INSERT, {}, 'JSON must have one or other of "row" or "rows"'),
    (INSERT, {"row": {"title": "a"}, "rows": []}, 'Cannot use "row" and "rows" at the same time'),
    (INSERT, {"rows": {"title": "b"}}, '"rows" must be a list'),
    (INSERT, {"rows": [1, 2]}, '"rows" must be a list of dictionaries'),
    (INSERT, {"row": 5}, '"row" must be a dictionary'),
    (INSERT, {"rows": [{"id": 5}], "ignore": True, "replace": True}, 'Cannot use "ignore" and "replace" at the same time'),
    (INSERT, {"rows": [{"id": 5}] * 101}, "Too many rows, maximum allowed is 100"),
    (UPSERT, {"rows": [{"id": 1}], "ignore": True}, "Upsert does not support ignore or replace"),
    (UPSERT, {"rows": [{"id": 1}], "replace": True}, "Upsert does not support ignore or replace"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("path,body,message", ROWS_ERRORS)
async def test_bad_bodies_are_400_with_the_spec_message(ds, db_path, path, body, message):
    response = await post_json(ds, path, body)
    assert response.status_code == 400
    assert response.json() == {"ok": False, "errors": [message]}
    assert rows_of(db_path, "select count(*) from docs") == [(2,)]


@pytest.mark.asyncio
async def test_every_row_with_unknown_columns_is_reported(ds):
    body = {"rows": [{"title": "a", "nope": 1, "zz": 2}, {"title": "b"}, {"nope": 3}]}
    response = await post_json(ds, INSERT, body)
    assert response.json() == {"ok": False, "errors": ["Row 0 has invalid columns: nope, zz",
                                                       "Row 2 has invalid columns: nope"]}
    response = await post_json(ds, UPSERT, {"rows": [{"title": "nopk"}, {"id": 3}, {"score": 1, "x": 1}]})
    assert response.json()["errors"] == [
        'Row 0 is missing primary key column(s): "id"',
        "Row 2 has invalid columns: x",
        'Row 2 is missing primary key column(s): "id"',
    ]
    response = await post_json(ds, "/data/compound/-/upsert", {"rows": [{"a": "x"}]})
    assert response.json()["errors"] == ['Row 0 is missing primary key column(s): "b"']
    response = await post_json(ds, "/data/norowid/-/upsert", {"rows": [{"name": "x"}]})
    assert response.json()["errors"] == ['Row 0 is missing primary key column(s): "rowid"']


@pytest.mark.asyncio
async def test_max_insert_rows_setting(make_ds):
    ds = await make_ds(settings={"max_insert_rows": 2})
    response = await post_json(ds, INSERT, {"rows": [{"title": "a"}] * 3})
    assert response.json() == {"ok": False, "errors": ["Too many rows, maximum allowed is 2"]}
    assert (await post_json(ds, INSERT, {"rows": [{"title": "a"}] * 2})).status_code == 201


@pytest.mark.asyncio
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
async def test_wrong_content_type(ds, content_type):
    response = await ds.client.post(INSERT, content='{"row": {}}',
                                    headers={"x-actor": '{"id": "root"}', "content-type": content_type})
    assert response.status_code == 400
    assert response.json() == {"ok": False, "errors": ["Invalid content-type, must be application/json"]}


@pytest.mark.asyncio
async def test_content_type_with_charset_is_fine(ds):
    response = await post_json(ds, INSERT, {"row": {"title": "cs"}},
                               headers={"x-actor": '{"id": "root"}', "content-type": "application/json; charset=utf-8"})
    assert response.status_code == 201


@pytest.mark.asyncio
@pytest.mark.parametrize("body,message", [
    ("{bad", "Invalid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    ("", "Invalid JSON: Expecting value: line 1 column 1 (char 0)"),
    (b"\xff\x00\xfe", "Invalid JSON: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
    ("[1, 2]", "JSON must be a dictionary"),
    ('"str"', "JSON must be a dictionary"),
])
async def test_invalid_json(ds, body, message):
    response = await post_json(ds, INSERT, body)
    assert (response.status_code, response.json()) == (400, {"ok": False, "errors": [message]})


@pytest.mark.asyncio
async def test_constraint_violations_are_400_and_the_whole_batch_is_rolled_back(ds, db_path):
    before = rows_of(db_path, "select * from docs order by id")
    rows = [{"id": 50 + n, "title": f"ok {n}"} for n in range(60)] + [{"id": 1, "title": "dupe"}]
    response = await post_json(ds, INSERT, {"rows": rows})
    assert (response.status_code, response.json()) == (400, {"ok": False, "errors": ["UNIQUE constraint failed: docs.id"]})
    assert rows_of(db_path, "select * from docs order by id") == before
    response = await post_json(ds, "/data/uniq/-/insert", {"rows": [{"email": "b@example.com"}, {"email": None}]})
    assert response.json() == {"ok": False, "errors": ["NOT NULL constraint failed: uniq.email"]}
    assert rows_of(db_path, "select count(*) from uniq") == [(1,)]


@pytest.mark.asyncio
async def test_failing_return_insert_is_rolled_back_too(ds, db_path):
    rows = [{"title": "first"}, {"id": 1, "title": "dupe"}]
    response = await post_json(ds, INSERT, {"rows": rows, "return": True})
    assert response.json() == {"ok": False, "errors": ["UNIQUE constraint failed: docs.id"]}
    assert rows_of(db_path, "select count(*) from docs") == [(2,)]


@pytest.mark.asyncio
async def test_type_mismatch_in_a_strict_table(ds, db_path):
    response = await post_json(ds, "/data/strict_t/-/insert", {"rows": [{"n": 1}, {"n": "not an int"}]})
    assert response.status_code == 400
    assert response.json() == {"ok": False, "errors": ["cannot store TEXT value in INTEGER column strict_t.n"]}
    assert rows_of(db_path, "select count(*) from strict_t") == [(0,)]


@pytest.mark.asyncio
async def test_integer_too_big_for_sqlite(ds):
    response = await post_json(ds, INSERT, '{"row": {"age": 123456789012345678901234567890}}')
    assert response.json() == {"ok": False, "errors": ["Python int too large to convert to SQLite INTEGER"]}
    response = await post_json(ds, INSERT, '{"row": {"age": 9223372036854775807, "score": 1e308}}')
    assert response.json()["rows"][0]["age"] == 9223372036854775807


@pytest.mark.asyncio
async def test_not_found(ds):
    response = await post_json(ds, "/data/nope/-/insert", {"row": {}})
    assert (response.status_code, response.json()) == (404, {"ok": False, "errors": ["Table not found"]})
    response = await post_json(ds, "/data/docs_view/-/insert", {"row": {}})
    assert (response.status_code, response.json()) == (404, {"ok": False, "errors": ["Table not found"]})
    response = await post_json(ds, "/nodb/docs/-/insert", {"row": {}})
    assert (response.status_code, response.json()) == (404, {"ok": False, "errors": ["Database not found"]})


@pytest.mark.asyncio
async def test_get_is_405(ds):
    response = await ds.client.get(INSERT)
    assert (response.status_code, response.text) == (405, "Method not allowed")


@pytest.mark.asyncio
async def test_oversized_body_is_413(make_ds, db_path):
    ds = await make_ds(settings={"max_post_body_bytes": 1000})
    big = {"rows": [{"title": "x" * 2000}]}
    response = await post_json(ds, INSERT, big)
    assert response.status_code == 413
    assert response.json() == {"ok": False, "errors": ["Request body too large, maximum allowed is 1000 bytes"]}
    # A body without a Content-Length (streamed in chunks) is cut off as it arrives.

    async def chunks():
        for _ in range(10):
            yield b" " * 200
    response = await ds.client.post(INSERT, content=chunks(),
                                    headers={"x-actor": '{"id": "root"}', "content-type": "application/json"})
    assert response.status_code == 413
    assert rows_of(db_path, "select count(*) from docs") == [(2,)]


@pytest.mark.asyncio
async def test_default_body_limit_is_2mb(ds):
    assert ds.setting("max_post_body_bytes") == 2 * 1024 * 1024
    assert ds.setting("max_insert_rows") == 100
