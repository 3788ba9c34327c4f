"""Table page HTTP behaviour: redirects, formats, methods, headers, hooks, stream_rows, caching."""
from __future__ import annotations

import pytest

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.router import PassToNextRoute
from datasette.utils.asgi import Response


@pytest.mark.asyncio
@pytest.mark.parametrize("path,location", [
    ("/fixtures/facetable?_filter_column=state&_filter_op=exact&_filter_value=CA", "/fixtures/facetable?state__exact=CA"),
    ("/fixtures/facetable?_filter_column=state&_filter_op=isnull__1&_filter_value=",
     "/fixtures/facetable?state__isnull=1"),
    ("/fixtures/facetable?_filter_column_1=state&_filter_op_1=exact&_filter_value_1=CA&_filter_column=pk"
     "&_filter_op=gt&_filter_value=3&_size=2", "/fixtures/facetable?_size=2&pk__gt=3&state__exact=CA"),
    ("/fixtures/facetable?_filter_column_1=&_filter_op_1=exact&_filter_value_1=CA&_filter_column="
     "&_filter_op=exact&_filter_value=&state=MI", "/fixtures/facetable?state=MI"),
    ("/fixtures/facetable?_sort=state&_sort_by_desc=on", "/fixtures/facetable?_sort_desc=state"),
    ("/fixtures/facetable.json?_filter_column=state&_filter_op=exact&_filter_value=CA",
     "/fixtures/facetable.json?state__exact=CA"),
    ("/fixtures/facetable.jsono?_size=1", "/fixtures/facetable.json?_size=1&_shape=objects"),
])
async def test_redirects(ds, path, location):
    response = await ds.client.get(path)
    assert response.status_code == 302
    assert response.headers["location"] == location


@pytest.mark.asyncio
async def test_not_found_and_bad_format(ds):
    response = await ds.client.get("/fixtures/nope.json")
    assert response.status_code == 404 and response.json()["error"] == "Table not found"
    response = await ds.client.get("/nope/facetable.json")
    assert response.status_code == 404 and response.json()["error"] == "Database not found"
    response = await ds.client.get("/fixtures/facetable.xyz")
    assert response.status_code == 404 and "Invalid format: xyz" in response.text


@pytest.mark.asyncio
async def test_methods(ds):
    response = await ds.client.post("/fixtures/facetable")
    assert (response.status_code, response.text) == (405, "Method not allowed")
    response = await ds.client.post("/fixtures/facetable.json")
    assert response.status_code == 405 and response.json() == {"ok": False, "error": "Method not allowed"}
    response = await ds.client.options("/fixtures/simple_primary_key.json")
    assert response.status_code == 200 and response.json()["rows"][0]["id"] == "1"
    response = await ds.client.head("/fixtures/simple_primary_key.json")
    assert response.status_code == 200 and response.content == b""


@pytest.mark.asyncio
async def test_cache_headers(make_ds, fixtures_path, ds):
    response = await ds.client.get("/fixtures/facetable.json")
    assert response.headers["cache-control"] == "max-age=5"
    response = await ds.client.get("/fixtures/facetable.json?_ttl=60")
    assert response.headers["cache-control"] == "max-age=60"
    response = await ds.client.get("/fixtures/facetable?_ttl=0")
    assert response.headers["cache-control"] == "no-cache"
    response = await ds.client.get("/fixtures/nope.json")
    assert "cache-control" not in response.headers
    quiet = await make_ds([str(fixtures_path)], cache_headers=False)
    assert "cache-control" not in (await quiet.client.get("/fixtures/facetable.json")).headers
    custom = await make_ds([str(fixtures_path)], settings={"default_cache_ttl": 30})
    assert (await custom.client.get("/fixtures/facetable.json")).headers["cache-control"] == "max-age=30"


@pytest.mark.asyncio
async def test_html_alternate_link_header(ds):
    response = await ds.client.get("/fixtures/facetable?_size=1")
    assert response.headers["link"].startswith(
        '<http://localhost/fixtures/facetable.json?_size=1>; rel="alternate"; type="application/json+datasette"')


class CapturingRenderer:
    """Registers a ``.capture`` renderer that keeps every argument it was called with."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    @hookimpl
    def register_output_renderer(self, datasette):
        async def render(datasette, columns, rows, sql, query_name, database, table, request, view_name,
                         truncated, error, args, data, stream_rows):
            batches = []
            if request.args.get("_all"):
                async for batch in stream_rows(batch_size=int(request.args["_all"])):
                    batches.append([list(dict.values(r)) if isinstance(r, dict) else list(r) for r in batch])
            self.calls.append(dict(columns=columns, rows=rows, sql=sql, query_name=query_name, database=database,
                                   table=table, view_name=view_name, truncated=truncated, error=error,
                                   args=args, data=data, batches=batches))
            return Response.text("captured")
        return {"extension": "capture", "render": render}


@pytest.mark.asyncio
async def test_renderer_arguments(make_ds, fixtures_path, register_plugin):
    capture = register_plugin(CapturingRenderer(), "capture-renderer")
    ds = await make_ds([str(fixtures_path)])
    response = await ds.client.get("/fixtures/facetable.capture?_size=2&_labels=on&state=CA")
    assert response.text == "captured"
    call = capture.calls[-1]
    assert call["columns"][:2] == ["pk", "created"]
    assert call["rows"][0]["_city_id"] == {"value": 1, "label": "San Francisco"}
    assert call["rows"][0][0] == 1  # rows behave like sqlite3.Row: by name and by index
    assert call["sql"] == ('select pk, created, planet_int, on_earth, state, _city_id, _neighborhood, tags, '
                           'complex_array, distinct_some_null, n from facetable where "state" = :p0 order by pk '
                           'limit 3')
    assert (call["database"], call["table"], call["view_name"], call["query_name"]) == \
        ("fixtures", "facetable", "table", None)
    assert call["truncated"] is False and call["error"] is None and call["args"]["state"] == "CA"
    assert list(call["data"]) == ["ok", "next", "rows", "truncated", "columns"]
    assert call["data"]["rows"][0]["pk"] == 1 and call["data"]["next"] == "2"


@pytest.mark.asyncio
@pytest.mark.parametrize("path,expected", [
    ("/fixtures/sortable.capture?_all=7&_size=2&_sort_desc=sortable_with_nulls&_next=zzz", 201),
    ("/fixtures/no_primary_key.capture?_all=50&content__startswith=1", 111),
    ("/fixtures/paginated_view.capture?_all=60", 201),
    ("/fixtures/compound_three_primary_keys.capture?_all=4", 27),
])
async def test_stream_rows_covers_every_matching_row(make_ds, fixtures_path, register_plugin, path, expected):
    capture = register_plugin(CapturingRenderer(), "capture-renderer")
    ds = await make_ds([str(fixtures_path)])
    await ds.client.get(path)
    batches = capture.calls[-1]["batches"]
    size = int(path.split("_all=")[1].split("&")[0])
    assert all(len(batch) <= size for batch in batches)
    rows = [tuple(row) for batch in batches for row in batch]
    assert len(rows) == expected == len(set(rows))


@pytest.mark.asyncio
async def test_stream_rows_uses_keyset_pagination(make_ds, fixtures_path, register_plugin):
    from datasette.tracer import capture_traces
    capture = register_plugin(CapturingRenderer(), "capture-renderer")
    ds = await make_ds([str(fixtures_path)])
    traces: list = []
    with capture_traces(traces):
        await ds.client.get("/fixtures/big.capture?_all=1000&_labels=on")
    assert sum(len(b) for b in capture.calls[-1]["batches"]) == 10050
    page_queries = [t["sql"] for t in traces if t["sql"].startswith("select id, value from big")]
    assert len(page_queries) == 12  # the page itself, then 11 batches of at most 1000
    assert not any("offset" in sql for sql in page_queries)
    assert "id > :p0" in page_queries[-1]


class ExtraFilter:
    @hookimpl
    def filters_from_request(self, request, database, table, datasette):
        if request.args.get("_planet"):
            return FilterArguments(["planet_int = :planet"], {"planet": request.args["_planet"]},
                                   ["on planet " + request.args["_planet"]], {"planet_context": "yes"})


@pytest.mark.asyncio
async def test_filters_from_request_results_are_combined(make_ds, fixtures_path, register_plugin):
    register_plugin(ExtraFilter(), "extra-filter")
    ds = await make_ds([str(fixtures_path)])
    response = await ds.client.get("/fixtures/facetable.json?_planet=1&state=MI&_extra=human_description_en,query")
    data = response.json()
    assert [r["pk"] for r in data["rows"]] == [11, 12, 13, 14]
    assert data["human_description_en"] == 'where on planet 1 and state = "MI"'
    assert data["query"]["params"] == {"p0": "MI", "planet": "1"}


class FallbackRoute:
    @hookimpl(trylast=True)
    def register_routes(self, datasette):
        async def fallback(request):
            return Response.text("fallback for " + request.url_vars["table"])
        return [(r"^/(?P<database>[^/.]+)/(?P<table>[^/.]+)$", fallback)]


@pytest.mark.asyncio
async def test_unknown_table_passes_to_next_route(make_ds, fixtures_path, register_plugin):
    register_plugin(FallbackRoute(), "fallback-route")
    ds = await make_ds([str(fixtures_path)])
    assert (await ds.client.get("/fixtures/not_a_table")).text == "fallback for not_a_table"
    assert (await ds.client.get("/fixtures/facetable")).text != "fallback for facetable"


@pytest.mark.asyncio
async def test_pass_to_next_route_carries_table_not_found():
    from datasette.utils.asgi import TableNotFound
    assert issubclass(PassToNextRoute, Exception) and issubclass(TableNotFound, Exception)


@pytest.mark.asyncio
async def test_mutable_database_changes_are_seen(make_ds, fresh_fixtures):
    ds = await make_ds([str(fresh_fixtures)])
    db = ds.get_database("fixtures")
    path = "/fixtures/big.json?value__like=v1%25&_sort_desc=value&_size=1&_extra=count"
    before = (await ds.client.get(path)).json()
    await db.execute_write("insert into big (value) values ('v1zzz')")
    after = (await ds.client.get(path)).json()
    assert after["rows"][0]["value"] == "v1zzz"
    assert after["count"] == before["count"] + 1
    await db.execute_write("alter table big add column extra text")
    assert "extra" in (await ds.client.get("/fixtures/big.json?_size=1")).json()["rows"][0]
    await db.execute_write("create table created_later (id integer primary key)")
    assert (await ds.client.get("/fixtures/created_later.json")).status_code == 200


class FakeFacets:
    @hookimpl
    def register_table_extras(self, datasette):
        async def facet_results(table):
            args = table.facet_args()
            column = table.request.args.get("_facet")
            rows = await datasette.execute(args["database"], f"select {column}, count(*) from ({args['sql']}) "
                                           f"group by {column} order by {column}", args["params"])
            return {"results": {column: [list(r) for r in rows]}, "timed_out": [], "count": args["row_count"]}

        async def suggested_facets(table):
            return [{"name": c, "toggle_url": "#"} for c in table.columns[:2]]

        return [{"name": "facet_results", "compute": facet_results, "description": "Facets!",
                 "auto": lambda request: "_facet" in request.args},
                {"name": "suggested_facets", "compute": suggested_facets, "html": True}]


@pytest.mark.asyncio
async def test_register_table_extras(make_ds, fixtures_path, register_plugin, tmp_path):
    register_plugin(FakeFacets(), "fake-facets")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "_suggested_facets.html").write_text(
        '<p class="suggested-facets">{% for f in suggested_facets %}{{ f.name }} {% endfor %}</p>')
    ds = await make_ds([str(fixtures_path)], template_dir=str(templates))
    data = (await ds.client.get("/fixtures/facetable.json?_facet=state&_city_id__gt=1&_size=1")).json()
    assert data["facet_results"] == {"results": {"state": [["CA", 4], ["MC", 1], ["MI", 4]]}, "timed_out": [],
                                     "count": None}
    assert list(data)[:3] == ["ok", "next", "facet_results"]
    data = (await ds.client.get("/fixtures/facetable.json?_extra=suggested_facets,extras&_size=1")).json()
    assert data["suggested_facets"] == [{"name": "pk", "toggle_url": "#"}, {"name": "created", "toggle_url": "#"}]
    assert {e["name"]: e["description"] for e in data["extras"]}["facet_results"] == "Facets!"
    html = (await ds.client.get("/fixtures/facetable")).text
    assert '<p class="suggested-facets">pk created </p>' in html
