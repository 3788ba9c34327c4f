"""The database page, the database download and the index page."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from datasette import hookimpl


@pytest.mark.asyncio
async def test_database_json(ds):
    response = await ds.client.get("/fixtures.json")
    data = response.json()
    for key in ("database", "private", "path", "size", "tables", "hidden_count", "views", "queries",
                "allow_execute_sql", "table_columns", "metadata"):
        assert key in data
    assert (data["database"], data["path"], data["private"], data["allow_execute_sql"]) == \
        ("fixtures", "/fixtures", False, True)
    tables = {t["name"]: t for t in data["tables"]}
    assert tables["facetable"] == {
        "name": "facetable", "columns": ["pk", "created", "planet_int", "on_earth", "state", "_city_id",
                                         "_neighborhood", "tags", "complex_array", "distinct_some_null", "n"],
        "primary_keys": ["pk"], "count": 15, "hidden": False, "fts_table": None,
        "foreign_keys": {"incoming": [], "outgoing": [
            {"column": "_city_id", "other_table": "facet_cities", "other_column": "id"}]}, "private": False}
    assert tables["searchable"]["fts_table"] == "searchable_fts"
    assert tables["big"]["count"] == 10001
    names = [t["name"] for t in data["tables"]]
    hidden = [t["name"] for t in data["tables"] if t["hidden"]]
    assert names == sorted(set(names) - set(hidden)) + sorted(hidden)
    assert "_hidden_stuff" in hidden and "searchable_fts" in hidden and data["hidden_count"] == len(hidden)
    assert data["views"] == [{"name": "simple_view", "private": False}, {"name": "paginated_view", "private": False}]
    assert data["table_columns"]["compound_primary_key"] == ["content", "pk1", "pk2"]
    assert "cache-control" not in response.headers


@pytest.mark.asyncio
async def test_database_redirects_and_errors(ds):
    response = await ds.client.get("/fixtures?sql=select+1&_shape=array")
    assert response.status_code == 302
    assert response.headers["location"] == "/fixtures/-/query?sql=select+1&_shape=array"
    response = await ds.client.get("/fixtures.json?sql=select+1")
    assert response.headers["location"] == "/fixtures/-/query.json?sql=select+1"
    assert (await ds.client.get("/fixtures.xyz")).status_code == 404
    response = await ds.client.get("/nope.json")
    assert response.status_code == 404 and response.json()["error"] == "Database not found"


class DatabasePlugin:
    @hookimpl
    def database_actions(self, datasette, actor, database, request):
        return [{"href": f"/-/db-action/{database}", "label": "DB action"}]

    @hookimpl
    def top_database(self, datasette, request, database):
        return f"<p id='top-db'>{database}</p>"

    @hookimpl
    def canned_queries(self, datasette, database):
        return {"from_hook": {"sql": "select 1", "title": "From hook"}}

    @hookimpl
    def homepage_actions(self, datasette, actor, request):
        return [{"href": "/-/home-action", "label": "Home action"}]

    @hookimpl
    def top_homepage(self, datasette, request):
        return "<p id='top-home'>hello</p>"


@pytest.mark.asyncio
async def test_database_html(make_ds, fixtures_path, register_plugin):
    register_plugin(DatabasePlugin(), "database-plugin")
    ds = await make_ds([str(fixtures_path)], config={"databases": {"fixtures": {"queries": {
        "neighborhoods": {"sql": "select * from facetable", "title": "Neighborhoods", "description": "All"}}}}})
    response = await ds.client.get("/fixtures")
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.body["class"] == ["db", "db-fixtures"]
    assert [a["href"] for a in soup.select("p.crumbs a")] == ["/", "/fixtures"]
    form = soup.select_one("form.sql")
    assert form["action"] == "/fixtures/-/query"
    assert form.textarea.text == "select * from big"
    tables = [div.h3.a.text for div in soup.select("div.db-table")]
    assert "facetable" in tables and "_hidden_stuff" not in tables
    facetable = [div for div in soup.select("div.db-table") if div.h3.a.text == "facetable"][0]
    assert [p.text for p in facetable.select("p")][1] == "15 rows"
    big = [div for div in soup.select("div.db-table") if div.h3.a.text == "big"][0]
    assert big.select("p")[1].text == ">10,000 rows"
    hidden_link = soup.find("a", href="/fixtures?_show_hidden=1")
    assert hidden_link.text == "6 hidden tables"
    assert [a.text for a in soup.select("#views + ul a")] == ["simple_view", "paginated_view"]
    queries = {a.text: a["href"] for a in soup.select("#queries + ul a")}
    assert queries == {"Neighborhoods": "/fixtures/neighborhoods", "From hook": "/fixtures/from_hook"}
    assert soup.select_one(".actions-menu-links a")["href"] == "/-/db-action/fixtures"
    assert soup.select_one("#top-db").text == "fixtures"
    assert soup.select_one("p.download-sqlite") is None
    soup = BeautifulSoup((await ds.client.get("/fixtures?_show_hidden=1")).text, "html.parser")
    assert "_hidden_stuff" in [div.h3.a.text for div in soup.select("div.db-table")]


@pytest.mark.asyncio
async def test_database_download(make_ds, fixtures_path, ds):
    response = await ds.client.get("/fixtures.db")
    assert response.status_code == 403
    immutable = await make_ds(immutables=[str(fixtures_path)])
    response = await immutable.client.get("/fixtures.db")
    assert response.status_code == 200
    assert response.content == fixtures_path.read_bytes()
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == 'attachment; filename="fixtures.db"'
    etag = response.headers["etag"]
    assert etag == f'"{immutable.get_database("fixtures").hash}"'
    assert (await immutable.client.get("/fixtures.db", headers={"if-none-match": etag})).status_code == 304
    soup = BeautifulSoup((await immutable.client.get("/fixtures")).text, "html.parser")
    download = soup.select_one("p.download-sqlite a")
    assert download["href"] == "/fixtures.db" and download.text == "fixtures.db"
    no_download = await make_ds(immutables=[str(fixtures_path)], settings={"allow_download": False})
    assert (await no_download.client.get("/fixtures.db")).status_code == 403
    memory = await make_ds(memory=True)
    assert (await memory.client.get("/_memory.db")).status_code == 404


@pytest.mark.asyncio
async def test_index_json(ds):
    data = (await ds.client.get("/.json")).json()
    assert set(data) >= {"databases", "metadata"}
    fixtures = data["databases"]["fixtures"]
    assert {k: fixtures[k] for k in ("name", "hash", "path", "tables_and_views_more", "tables_count",
                                     "show_table_row_counts", "hidden_tables_count", "views_count", "private")} == {
        "name": "fixtures", "hash": None, "path": "/fixtures", "tables_and_views_more": True, "tables_count": 18,
        "show_table_row_counts": True, "hidden_tables_count": 6, "views_count": 2, "private": False}
    assert [t["name"] for t in fixtures["tables_and_views_truncated"]] == \
        ["big", "sortable", "no_primary_key", "compound_three_primary_keys", "facetable"]
    assert fixtures["tables_and_views_truncated"][0]["count"] == 10001
    assert fixtures["table_rows_sum"] == 10001 + 474
    related = (await ds.client.get("/.json?_sort=relationships")).json()["databases"]["fixtures"]
    assert related["tables_and_views_truncated"][0]["num_relationships_for_sorting"] >= 2


@pytest.mark.asyncio
async def test_index_html(make_ds, fixtures_path, register_plugin, tmp_path):
    register_plugin(DatabasePlugin(), "database-plugin")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "index.html").write_text("custom index")
    ds = await make_ds([str(fixtures_path)], template_dir=str(templates),
                       metadata={"title": "My Datasette", "license": "CC", "license_url": "http://cc/"})
    assert (await ds.client.get("/")).text == "custom index"
    response = await ds.client.get("/-/")
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one("h1").text.strip() == "My Datasette"
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    h2 = soup.select_one("h2")
    assert h2.a["href"] == "/fixtures" and h2.a.text == "fixtures"
    summary = " ".join(soup.select_one("h2 + p").text.split())
    assert summary == "10,475 rows in 18 tables, 9 rows in 6 hidden tables, 2 views"
    links = [a.text for a in soup.select("h2 + p + p a")]
    assert links == ["big", "sortable", "no_primary_key", "compound_three_primary_keys", "facetable", "..."]
    assert soup.select_one(".actions-menu-links a")["href"] == "/-/home-action"
    assert soup.select_one("#top-home").text == "hello"
    assert soup.select_one("footer").find("a", href="http://cc/").text == "CC"
    data = (await ds.client.get("/-/.json")).json()
    assert data["metadata"]["title"] == "My Datasette"
