"""/<db>/-/query.json: read-only SQL, named parameters, errors, time limit, truncation."""
from __future__ import annotations

import urllib.parse

import pytest

from datasette import hookimpl


def q(sql: str, **params: str) -> str:
    return "/fixtures/-/query.json?" + urllib.parse.urlencode({"sql": sql, **params})


@pytest.mark.asyncio
async def test_query_json_shape(ds):
    response = await ds.client.get(q("select pk, state from facetable order by pk limit 2"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {
        "ok": True,
        "rows": [{"pk": 1, "state": "CA"}, {"pk": 2, "state": "CA"}],
        "truncated": False,
    }


@pytest.mark.asyncio
async def test_named_parameters_from_query_string(ds):
    response = await ds.client.get(q("select :state as state, :missing as missing", state="MI"))
    assert response.json()["rows"] == [{"state": "MI", "missing": ""}]
    response = await ds.client.get(q("select count(*) as n from facetable where state = :state", state="CA"))
    assert response.json()["rows"] == [{"n": 2}]


@pytest.mark.asyncio
async def test_sql_itself_is_not_a_parameter_and_quoted_colons_are_not_parameters(ds):
    response = await ds.client.get(q("select :sql as s, ':notaparam' as literal"))
    assert response.json()["rows"] == [{"s": "", "literal": ":notaparam"}]


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ["_actor_id", "_header_user_agent", "_now_epoch", "_cookie_foo", "_random_chars_5"])
async def test_magic_parameters_not_resolved_for_arbitrary_sql(ds, name):
    response = await ds.client.get(q(f"select :{name} as v"), headers={"User-Agent": "agent"},
                                   cookies={"foo": "bar"})
    assert response.status_code == 400
    data = response.json()
    assert data["ok"] is False
    assert data["error"] == f"You did not supply a value for binding parameter :{name}."


@pytest.mark.asyncio
async def test_underscore_parameter_can_come_from_query_string(ds):
    response = await ds.client.get(q("select :_foo as f", _foo="given"))
    assert response.json()["rows"] == [{"f": "given"}]


@pytest.mark.asyncio
@pytest.mark.parametrize("sql,message", [
    ("update facetable set state = 'x'", "Statement must be a SELECT"),
    ("PRAGMA user_version", "Statement must be a SELECT"),
    ("attach database 'x.db' as x", "Statement must be a SELECT"),
    ("delete from facetable", "Statement must be a SELECT"),
    ("", "Statement must be a SELECT"),
    ("select * from pragma_user_version()", "Statement contained a disallowed PRAGMA. Allowed pragma functions are"),
    ("select 1; pragma foo", "Statement contained a disallowed PRAGMA"),
])
async def test_non_select_sql_is_refused(ds, sql, message):
    response = await ds.client.get(q(sql))
    assert response.status_code == 400
    data = response.json()
    assert data["ok"] is False
    assert data["title"] == "Invalid SQL"
    assert data["error"].startswith(message)


@pytest.mark.asyncio
async def test_missing_sql_is_a_400_for_json(ds):
    response = await ds.client.get("/fixtures/-/query.json")
    assert response.status_code == 400
    assert response.json()["error"] == "Statement must be a SELECT"


@pytest.mark.asyncio
@pytest.mark.parametrize("sql", [
    "select * from pragma_table_info('facetable')",
    "-- a comment\nselect 1 as one",
    "/* block */ with x as (select 1 as one) select * from x",
    "explain select 1",
])
async def test_allowed_statements(ds, sql):
    response = await ds.client.get(q(sql))
    assert response.status_code == 200, response.text
    assert response.json()["ok"] is True


@pytest.mark.asyncio
async def test_pragma_table_info_returns_columns(ds):
    response = await ds.client.get(q("select name from pragma_table_info('facetable')"))
    assert [row["name"] for row in response.json()["rows"]] == ["pk", "state", "city", "score"]


@pytest.mark.asyncio
async def test_write_inside_with_is_refused_by_read_only_connection(ds):
    response = await ds.client.get(q("with x as (select 1) insert into facetable (state) select 'zz' from x"))
    assert response.status_code == 400
    data = response.json()
    assert data["ok"] is False
    assert "readonly" in data["error"]
    count = await ds.get_database("fixtures").execute("select count(*) from facetable where state = 'zz'")
    assert count.single_value() == 0


@pytest.mark.asyncio
async def test_sql_error_is_400_with_message(ds):
    response = await ds.client.get(q("select * from no_such_table"))
    assert response.status_code == 400
    data = response.json()
    assert data["ok"] is False
    assert data["error"] == "no such table: no_such_table"
    assert data["rows"] == []


@pytest.mark.asyncio
async def test_time_limit_interrupts_query(ds):
    sql = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
    response = await ds.client.get(q(sql, _timelimit="10"))
    assert response.status_code == 400
    data = response.json()
    assert data["title"] == "SQL Interrupted"
    assert "SQL query took too long" in data["error"]
    assert "with recursive c(x)" in data["error"]


@pytest.mark.asyncio
async def test_setting_time_limit_interrupts_query(make_ds):
    ds = await make_ds(settings={"sql_time_limit_ms": 20})
    sql = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
    response = await ds.client.get(q(sql))
    assert response.status_code == 400
    assert response.json()["title"] == "SQL Interrupted"


@pytest.mark.asyncio
@pytest.mark.parametrize("value", ["abc", "1.5"])
async def test_bad_timelimit_is_400(ds, value):
    response = await ds.client.get(q("select 1", _timelimit=value))
    assert response.status_code == 400
    assert response.json()["error"] == "_timelimit must be an integer"


@pytest.mark.asyncio
async def test_truncated_when_more_than_max_returned_rows(make_ds):
    ds = await make_ds(settings={"max_returned_rows": 2})
    data = (await ds.client.get(q("select pk from facetable order by pk"))).json()
    assert data == {"ok": True, "rows": [{"pk": 1}, {"pk": 2}], "truncated": True}
    data = (await ds.client.get(q("select pk from facetable where pk < 3"))).json()
    assert data["truncated"] is False


@pytest.mark.asyncio
async def test_unknown_format_and_database_are_404(ds):
    response = await ds.client.get("/fixtures/-/query.nope?sql=select+1")
    assert response.status_code == 404
    response = await ds.client.get("/nope/-/query.json?sql=select+1")
    assert response.status_code == 404
    assert response.json()["error"] == "Database not found"


@pytest.mark.asyncio
async def test_methods(ds):
    response = await ds.client.post("/fixtures/-/query.json?sql=select+1")
    assert response.status_code == 405
    assert response.json() == {"ok": False, "error": "Method not allowed"}
    response = await ds.client.options("/fixtures/-/query?sql=select+1")
    assert response.status_code == 200
    assert response.text == "ok"
    response = await ds.client.head("/fixtures/-/query?sql=select+1")
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.asyncio
async def test_custom_renderer_receives_query_arguments(register, make_ds):
    seen = {}

    class Renderer:
        @hookimpl
        def register_output_renderer(self, datasette):
            def render(columns, rows, sql, query_name, database, table, view_name, truncated, error, data, args):
                seen.update(columns=columns, rows=[list(r) for r in rows], sql=sql, query_name=query_name,
                            database=database, table=table, view_name=view_name, truncated=truncated,
                            error=error, data_ok=data["ok"], arg=args.get("x"))
                from datasette.utils.asgi import Response
                return Response.text("rendered")
            return {"extension": "testfmt", "render": render, "can_render": lambda: True}

    register(Renderer())
    ds = await make_ds()
    response = await ds.client.get("/fixtures/-/query.testfmt?sql=select+:x+as+a&x=7")
    assert response.text == "rendered"
    assert seen == {"columns": ["a"], "rows": [["7"]], "sql": "select :x as a", "query_name": None,
                    "database": "fixtures", "table": None, "view_name": "query", "truncated": False,
                    "error": None, "data_ok": True, "arg": "7"}


@pytest.mark.asyncio
async def test_execute_sql_permission_is_checked(register, make_ds):
    checks = []

    class Deny:
        @hookimpl
        def permission_allowed(self, actor, action, resource):
            checks.append((action, resource))
            if action == "execute-sql":
                return False
            return None

    register(Deny())
    ds = await make_ds()
    response = await ds.client.get(q("select 1"))
    assert response.status_code == 403
    assert checks[0] == ("execute-sql", "fixtures")


@pytest.mark.asyncio
async def test_default_permission_checks_in_upstream_order(ds):
    await ds.client.get(q("select 1"))
    checks = [(c["action"], c["resource"]) for c in ds._permission_checks]
    assert checks[:3] == [("execute-sql", "fixtures"), ("view-database", "fixtures"), ("view-instance", None)]


@pytest.mark.asyncio
@pytest.mark.parametrize("qs", [
    "sql=select+1&_timelimit=",
    "sql=select+:a&a=%00",
    "sql=select+%00",
    "sql=select+99999999999999999999999999",
    "sql=select+:a&a=1&a=2",
    "sql=" + urllib.parse.quote("select '" + "x" * 10000 + "'"),
    "sql=select+randomblob(5)+as+b",
    "sql=select+1e999+as+inf",
    "sql=select+json_object('a',+1)",
    "sql=select+*+from+(",
    "sql=select+char(0)",
    "sql=" + urllib.parse.quote("select :a, :b, :c, :_x", safe=""),
    "_hide_sql=1",
    "sql=select+1&_ttl=abc",
])
@pytest.mark.parametrize("fmt", ["", ".json"])
async def test_bad_input_never_500(ds, qs, fmt):
    response = await ds.client.get(f"/fixtures/-/query{fmt}?{qs}")
    assert response.status_code < 500, response.text
