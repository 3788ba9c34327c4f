"""Table and view pages as JSON: default shape, sorting, sizing, pagination, columns, labels, extras."""
from __future__ import annotations

import urllib.parse

import pytest

from .conftest import SORTABLE_NULLS


async def get_json(ds, path, status=200):
    response = await ds.client.get(path)
    assert response.status_code == status, response.text
    return response.json()


async def all_pages(ds, path):
    """Follow ``next`` tokens, returning every row and the number of pages."""
    rows, pages, token = [], 0, None
    while True:
        url = path + ("&_next=" + urllib.parse.quote(token) if token else "")
        data = await get_json(ds, url)
        rows += data["rows"]
        pages += 1
        token = data["next"]
        if token is None:
            return rows, pages
        assert pages < 500


@pytest.mark.asyncio
async def test_default_shape(ds):
    data = await get_json(ds, "/fixtures/simple_primary_key.json")
    assert list(data) == ["ok", "next", "rows", "truncated"]
    assert data == {"ok": True, "next": None, "truncated": False, "rows": [
        {"id": "1", "content": "hello"}, {"id": "2", "content": "world"}, {"id": "3", "content": ""},
        {"id": "4", "content": "RENDER_CELL_DEMO"}]}


@pytest.mark.asyncio
async def test_rowid_table_includes_rowid_and_blobs_and_infinities(ds):
    data = await get_json(ds, "/fixtures/no_primary_key.json?_size=1")
    assert data["rows"] == [{"rowid": 1, "content": "1", "a": "a1", "b": "b1", "c": "c1"}]
    assert data["next"] == "1"
    blobs = await get_json(ds, "/fixtures/binary_data.json")
    assert blobs["rows"][0]["data"] == {"$base64": True, "encoded": "/9j/4AAQSkY="}
    assert blobs["rows"][1]["data"] == "hello"
    infinity = await get_json(ds, "/fixtures/infinity.json")
    assert [row["value"] for row in infinity["rows"]] == [None, None, 1.5]


@pytest.mark.asyncio
async def test_tilde_encoded_table_name(ds):
    data = await get_json(ds, "/fixtures/table~2Fwith~2Fslashes~2Ecsv.json")
    assert data["rows"] == [{"pk": "3", "content": "hey"}]


@pytest.mark.asyncio
@pytest.mark.parametrize("path,error", [
    ("/fixtures/sortable.json?_size=-1", "_size must be a positive integer"),
    ("/fixtures/sortable.json?_size=abc", "_size must be a positive integer"),
    ("/fixtures/sortable.json?_size=1001", "_size must be <= 1000"),
    ("/fixtures/sortable.json?_sort=nope", "Cannot sort table by nope"),
    ("/fixtures/sortable.json?_sort=content&_sort_desc=content", "Cannot use _sort and _sort_desc at the same time"),
    ("/fixtures/sortable.json?_col=nope", "_col=nope - invalid columns"),
    ("/fixtures/sortable.json?_nocol=pk1", "_nocol=pk1 - invalid columns"),
    ("/fixtures/sortable.json?_nocol=nope", "_nocol=nope - invalid columns"),
    ("/fixtures/sortable.json?_timelimit=abc", "_timelimit must be an integer"),
    ("/fixtures/paginated_view.json?_next=abc", "_next must be a non-negative integer for views"),
    ("/fixtures/facetable.json?tags__in=[oops", "Invalid JSON list for __in filter: [oops"),
])
async def test_bad_arguments_are_400_with_message(ds, path, error):
    data = await get_json(ds, path, status=400)
    assert data == {"ok": False, "error": error, "status": 400, "title": None}


@pytest.mark.asyncio
async def test_sql_errors_are_400(ds):
    data = await get_json(ds, "/fixtures/facetable.json?_where=nonsense(((", status=400)
    assert data["title"] == "Invalid SQL"


@pytest.mark.asyncio
async def test_size_and_max(ds):
    assert len((await get_json(ds, "/fixtures/sortable.json?_size=7"))["rows"]) == 7
    assert (await get_json(ds, "/fixtures/sortable.json?_size=0")) == \
        {"ok": True, "next": None, "rows": [], "truncated": False}
    data = await get_json(ds, "/fixtures/big.json?_size=max&_extra=query")
    assert len(data["rows"]) == 1000 and data["query"]["sql"].endswith("limit 1001")


@pytest.mark.asyncio
async def test_default_order_and_sorting(ds):
    rows = (await get_json(ds, "/fixtures/sortable.json?_size=201&_sort=sortable"))["rows"]
    values = [r["sortable"] for r in rows]
    assert values == sorted(values)
    rows = (await get_json(ds, "/fixtures/sortable.json?_size=201&_sort_desc=sortable"))["rows"]
    assert [r["sortable"] for r in rows] == sorted(values, reverse=True)
    rows = (await get_json(ds, "/fixtures/compound_primary_key.json"))["rows"]
    assert [(r["pk1"], r["pk2"]) for r in rows] == [("a", "b"), ("a/b", ".c-d")]


@pytest.mark.asyncio
async def test_sortable_columns_config_and_default_sort(make_ds, fixtures_path):
    ds = await make_ds([str(fixtures_path)], config={"databases": {"fixtures": {"tables": {
        "sortable": {"sortable_columns": ["sortable"], "sort_desc": "sortable", "size": 3}}}}})
    data = await get_json(ds, "/fixtures/sortable.json?_extra=human_description_en")
    assert len(data["rows"]) == 3
    assert data["rows"][0]["sortable"] == 90
    assert data["human_description_en"] == "sorted by sortable descending"
    assert (await get_json(ds, "/fixtures/sortable.json?_sort=content", status=400))["error"] == \
        "Cannot sort table by content"


@pytest.mark.asyncio
async def test_compound_key_pagination_visits_every_row_once(ds):
    rows, pages = await all_pages(ds, "/fixtures/compound_three_primary_keys.json?_size=5")
    assert pages == 6
    assert [r["content"] for r in rows] == [a + b + c for a in "abc" for b in "abc" for c in "abc"]
    data = await get_json(ds, "/fixtures/compound_three_primary_keys.json?_size=2&_next=a,a,b&_extra=query")
    assert data["next"] == "a,b,a"
    assert data["query"]["params"] == {"p0": "a", "p1": "a", "p2": "b"}
    assert "offset" not in data["query"]["sql"]


@pytest.mark.asyncio
async def test_pagination_with_filters_numbers_params_after_filters(ds):
    data = await get_json(
        ds, "/fixtures/compound_three_primary_keys.json?_next=a,a,b&pk1=a&content__contains=a&_size=1&_extra=query")
    assert data["query"]["params"] == {"p0": "%a%", "p1": "a", "p2": "a", "p3": "a", "p4": "b"}
    assert data["rows"] == [{"pk1": "a", "pk2": "a", "pk3": "c", "content": "aac"}]


@pytest.mark.asyncio
@pytest.mark.parametrize("sort", ["_sort", "_sort_desc"])
@pytest.mark.parametrize("column", ["sortable_with_nulls", "sortable", "content"])
async def test_sorted_pagination_with_nulls_visits_every_row_once(ds, sort, column):
    rows, pages = await all_pages(ds, f"/fixtures/sortable.json?_size=17&{sort}={column}")
    assert len(rows) == 201 and pages == 12
    keys = [(r["pk1"], r["pk2"]) for r in rows]
    assert len(set(keys)) == 201
    full = (await get_json(ds, f"/fixtures/sortable.json?_size=201&{sort}={column}"))["rows"]
    assert rows == full


@pytest.mark.asyncio
async def test_null_sort_token(ds):
    data = await get_json(ds, "/fixtures/sortable.json?_sort=sortable_with_nulls&_size=2")
    assert data["next"] == "$null,a,d"
    assert data["rows"][0]["sortable_with_nulls"] is None
    assert SORTABLE_NULLS.count(None) == 67


@pytest.mark.asyncio
async def test_rowid_pagination_and_view_offsets(ds):
    rows, pages = await all_pages(ds, "/fixtures/no_primary_key.json?_size=50")
    assert [r["rowid"] for r in rows] == list(range(1, 202)) and pages == 5
    data = await get_json(ds, "/fixtures/no_primary_key.json?_size=2&_sort=a&_next=a5,5&_extra=query")
    assert data["query"]["params"] == {"p0": "5", "p1": "a5"}
    assert [r["a"] for r in data["rows"]] == ["a50", "a51"]
    data = await get_json(ds, "/fixtures/paginated_view.json?_size=2&_next=5&_extra=query")
    assert data["next"] == "7"
    assert data["query"]["sql"] == "select content, content_extra from paginated_view  limit 3 offset 5"
    rows, pages = await all_pages(ds, "/fixtures/paginated_view.json?_size=100")
    assert len(rows) == 201 and pages == 3


@pytest.mark.asyncio
async def test_next_url_and_link_header(ds):
    response = await ds.client.get("/fixtures/sortable.json?_size=2&_extra=next_url&_sort=sortable")
    data = response.json()
    assert data["next_url"].startswith("http://localhost/fixtures/sortable.json?_size=2&_extra=next_url&_next=")
    assert data["next_url"].endswith("&_sort=sortable")
    assert response.headers["link"] == f'<{data["next_url"]}>; rel="next"'
    last = await ds.client.get("/fixtures/simple_primary_key.json")
    assert "link" not in last.headers


@pytest.mark.asyncio
async def test_col_and_nocol(ds):
    data = await get_json(ds, "/fixtures/sortable.json?_col=text&_col=content&_size=1")
    assert list(data["rows"][0]) == ["pk1", "pk2", "content", "text"]
    data = await get_json(ds, "/fixtures/sortable.json?_nocol=content&_size=1")
    assert "content" not in data["rows"][0] and "pk1" in data["rows"][0]
    data = await get_json(ds, "/fixtures/simple_view.json?_col=content")
    assert data["rows"][0] == {"content": "hello"}
    rows, _ = await all_pages(ds, "/fixtures/sortable.json?_col=text&_sort=sortable&_size=50")
    assert len({(r["pk1"], r["pk2"]) for r in rows}) == 201


@pytest.mark.asyncio
async def test_labels(ds):
    data = await get_json(ds, "/fixtures/foreign_key_references.json?_labels=on")
    assert data["rows"][0] == {
        "pk": "1", "foreign_key_with_label": {"value": "1", "label": "1"},
        "foreign_key_with_blank_label": {"value": "3", "label": "3"},
        "foreign_key_with_no_label": {"value": "1", "label": "1"},
        "foreign_key_compound_pk1": "a", "foreign_key_compound_pk2": "b"}
    assert data["rows"][1]["foreign_key_with_label"] is None
    assert data["rows"][2]["foreign_key_with_label"] == "99"  # no such row: left alone
    data = await get_json(ds, "/fixtures/foreign_key_references.json?_label=foreign_key_with_no_label")
    assert data["rows"][0]["foreign_key_with_label"] == "1"
    assert data["rows"][0]["foreign_key_with_no_label"] == {"value": "1", "label": "1"}
    data = await get_json(ds, "/fixtures/facetable.json?_labels=on&_size=1")
    assert data["rows"][0]["_city_id"] == {"value": 1, "label": "San Francisco"}
    plain = await get_json(ds, "/fixtures/facetable.json?_size=1")
    assert plain["rows"][0]["_city_id"] == 1


@pytest.mark.asyncio
async def test_label_column_config(make_ds, fixtures_path):
    ds = await make_ds([str(fixtures_path)], config={"databases": {"fixtures": {"tables": {
        "simple_primary_key": {"label_column": "content"}}}}})
    data = await get_json(ds, "/fixtures/foreign_key_references.json?_labels=on")
    assert data["rows"][0]["foreign_key_with_label"] == {"value": "1", "label": "hello"}
    assert data["rows"][0]["foreign_key_with_blank_label"] == {"value": "3", "label": ""}


@pytest.mark.asyncio
async def test_labels_query_is_batched(ds):
    from datasette.tracer import capture_traces
    traces = []
    with capture_traces(traces):
        await get_json(ds, "/fixtures/facetable.json?_labels=on")
    label_queries = [t["sql"] for t in traces if "from facet_cities" in t["sql"]]
    assert label_queries == ["select id, name from facet_cities where id in (?, ?, ?, ?)"]


@pytest.mark.asyncio
async def test_count_extra_and_cap(ds):
    data = await get_json(ds, "/fixtures/facetable.json?_extra=count,count_sql&state=CA")
    assert data["count"] == 10 and data["count_sql"] == 'select count(*) from facetable where "state" = :p0 '
    assert (await get_json(ds, "/fixtures/big.json?_extra=count&_size=1"))["count"] == 10001
    assert (await get_json(ds, "/fixtures/big.json?_extra=count&_size=1&_nocount=1")).get("count") is None
    assert (await get_json(ds, "/fixtures/sortable.json?_extra=count&_size=5&_next=a,c"))["count"] == 201


@pytest.mark.asyncio
async def test_count_for_immutable_uses_cached_counts(make_ds, fixtures_path):
    ds = await make_ds(immutables=[str(fixtures_path)])
    assert (await get_json(ds, "/fixtures/big.json?_extra=count&_size=1"))["count"] == 10001
    assert (await get_json(ds, "/fixtures/facetable.json?_extra=count&_size=1"))["count"] == 15


@pytest.mark.asyncio
async def test_extras(ds):
    names = ("count,count_sql,human_description_en,next_url,primary_keys,display_columns,request,query,metadata,"
             "extras,database,table,database_color,renderers,table_definition,view_definition,is_view,private,"
             "expandable_columns,form_hidden_args,facet_results,suggested_facets,facets_timed_out,actions,"
             "custom_table_templates,sorted_facet_results,debug,nonsense")
    data = await get_json(ds, f"/fixtures/facetable.json?_extra={names}&_size=1&state=CA")
    assert list(data)[:2] == ["ok", "next"] and list(data)[-2:] == ["rows", "truncated"]
    assert "nonsense" not in data and "columns" not in data
    assert data["count"] == 10
    assert data["human_description_en"] == 'where state = "CA"'
    assert data["primary_keys"] == ["pk"]
    assert data["display_columns"][0] == {"name": "pk", "sortable": True, "is_pk": True, "type": "INTEGER",
                                          "notnull": 0}
    assert data["display_columns"][1]["description"] is None
    assert data["request"]["path"] == "/fixtures/facetable.json" and data["request"]["args"]["state"] == ["CA"]
    assert data["query"]["params"] == {"p0": "CA"}
    assert data["metadata"] == {"columns": {}}
    assert {e["name"] for e in data["extras"]} >= {"count", "columns", "query"}
    assert data["database"] == "fixtures" and data["table"] == "facetable"
    assert len(data["database_color"]) == 6
    assert data["renderers"]["json"] == "/fixtures/facetable.json?_extra=" + \
        urllib.parse.quote(names, safe=",") + "&_size=1&state=CA&_format=json"
    assert data["table_definition"].startswith("CREATE TABLE facetable")
    assert data["view_definition"] is None and data["is_view"] is False and data["private"] is False
    assert data["expandable_columns"] == [[{"column": "_city_id", "other_table": "facet_cities",
                                            "other_column": "id"}, "name"]]
    assert data["form_hidden_args"] == [["_extra", names], ["_size", "1"]]
    assert data["facet_results"] == {"results": {}, "timed_out": []}
    # The facets plugin fills suggested_facets; its own tests check them.
    assert isinstance(data["suggested_facets"], list) and data["facets_timed_out"] == [] and data["actions"] == []
    assert data["custom_table_templates"][-1] == "_table.html"


@pytest.mark.asyncio
async def test_extra_columns_and_view_extras(ds):
    data = await get_json(ds, "/fixtures/simple_view.json?_extra=columns")
    assert data["columns"] == ["content", "upper_content"]
    data = await get_json(ds, "/fixtures/simple_view.json?_extra=is_view,view_definition,table_definition,"
                              "primary_keys,count&_size=1")
    assert data["is_view"] is True and data["table_definition"] is None
    assert data["view_definition"].startswith("CREATE VIEW simple_view")
    assert data["primary_keys"] == [] and data["count"] == 4 and data["next"] == "1"


@pytest.mark.asyncio
async def test_metadata_extra_and_column_descriptions(make_ds, fixtures_path):
    ds = await make_ds([str(fixtures_path)], metadata={"databases": {"fixtures": {"tables": {"facetable": {
        "title": "Facet T", "description": "T desc", "columns": {"state": "The state"}}}}}})
    data = await get_json(ds, "/fixtures/facetable.json?_extra=metadata,display_columns&_size=0")
    assert data["metadata"] == {"title": "Facet T", "description": "T desc", "columns": {"state": "The state"}}
    assert [c.get("description") for c in data["display_columns"] if c["name"] == "state"] == ["The state"]


@pytest.mark.asyncio
async def test_shape_object_gets_primary_keys(ds):
    data = await get_json(ds, "/fixtures/compound_primary_key.json?_shape=object")
    assert data == {"a,b": {"pk1": "a", "pk2": "b", "content": "c"},
                    "a~2Fb,~2Ec-d": {"pk1": "a/b", "pk2": ".c-d", "content": "c"}}


@pytest.mark.asyncio
async def test_column_filters_over_http(ds):
    data = await get_json(ds, "/fixtures/facetable.json?state=MI&_city_id__gt=2&_extra=human_description_en")
    assert [r["pk"] for r in data["rows"]] == [11, 12, 13, 14]
    assert data["human_description_en"] == 'where _city_id > 2 and state = "MI"'
    data = await get_json(ds, "/fixtures/facetable.json?tags__arraycontains=tag3")
    assert [r["pk"] for r in data["rows"]] == [2]
    data = await get_json(ds, "/fixtures/facetable.json?distinct_some_null__notnull=1&created__date=2019-01-14")
    assert [r["pk"] for r in data["rows"]] == [1, 2]
    data = await get_json(ds, "/fixtures/facetable.json?_neighborhood__in=Mission,SOMA&_size=1")
    assert [r["pk"] for r in data["rows"]] == [1] and data["next"] == "1"


@pytest.mark.asyncio
async def test_timelimit(ds):
    data = await get_json(ds, "/fixtures/big.json?_timelimit=1&_size=1")
    assert len(data["rows"]) == 1
    response = await ds.client.get(
        "/fixtures/big.json?_timelimit=1&_where=(select count(*) from big a, big b, big c) > 0")
    assert response.status_code == 400
    assert response.json()["title"] == "SQL Interrupted"


@pytest.mark.asyncio
async def test_expand_foreign_keys(make_ds, fixtures_path):
    """``datasette.expand_foreign_keys()``, upstream's API, respects the other table's permissions."""
    ds = await make_ds([str(fixtures_path)])
    labels = await ds.expand_foreign_keys(None, "fixtures", "facetable", "_city_id", [1, 2, 2, 99, None])
    assert labels == {("_city_id", 1): "San Francisco", ("_city_id", 2): "Los Angeles"}
    assert await ds.expand_foreign_keys(None, "fixtures", "facetable", "state", ["CA"]) == {}
    assert await ds.expand_foreign_keys(None, "fixtures", "facetable", "_city_id", []) == {}
    hidden = await make_ds([str(fixtures_path)], config={
        "databases": {"fixtures": {"tables": {"facet_cities": {"allow": {"id": "admin"}}}}}})
    assert await hidden.expand_foreign_keys(None, "fixtures", "facetable", "_city_id", [1]) == {}
    assert await hidden.expand_foreign_keys({"id": "admin"}, "fixtures", "facetable", "_city_id", [1]) == {
        ("_city_id", 1): "San Francisco"}
