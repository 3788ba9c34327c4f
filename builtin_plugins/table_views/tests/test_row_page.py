"""Row pages: JSON shape, foreign_key_tables, HTML, hooks, errors."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from datasette import hookimpl


@pytest.mark.asyncio
async def test_row_json(ds):
    response = await ds.client.get("/fixtures/simple_primary_key/1.json")
    data = response.json()
    assert list(data) == ["database", "table", "rows", "primary_keys", "primary_key_values", "query_ms", "ok",
                          "truncated"]
    assert data["rows"] == [{"id": "1", "content": "hello"}]
    assert (data["primary_keys"], data["primary_key_values"]) == (["id"], ["1"])
    assert isinstance(data["query_ms"], float) and response.headers["cache-control"] == "max-age=5"
    data = (await ds.client.get("/fixtures/compound_primary_key/a~2Fb,~2Ec-d.json")).json()
    assert data["rows"] == [{"pk1": "a/b", "pk2": ".c-d", "content": "c"}]
    assert data["primary_key_values"] == ["a/b", ".c-d"]
    data = (await ds.client.get("/fixtures/no_primary_key/1.json")).json()
    assert data["rows"] == [{"rowid": 1, "content": "1", "a": "a1", "b": "b1", "c": "c1"}]
    assert data["primary_keys"] == ["rowid"]
    data = (await ds.client.get("/fixtures/table~2Fwith~2Fslashes~2Ecsv/3.json")).json()
    assert data["rows"] == [{"pk": "3", "content": "hey"}]


@pytest.mark.asyncio
async def test_foreign_key_tables(ds):
    data = (await ds.client.get("/fixtures/simple_primary_key/1.json?_extras=foreign_key_tables")).json()
    assert data["foreign_key_tables"] == [
        {"other_table": "foreign_key_references", "column": "id", "other_column": "foreign_key_with_blank_label",
         "count": 0, "link": "/fixtures/foreign_key_references?foreign_key_with_blank_label=1"},
        {"other_table": "foreign_key_references", "column": "id", "other_column": "foreign_key_with_label",
         "count": 1, "link": "/fixtures/foreign_key_references?foreign_key_with_label=1"}]
    data = (await ds.client.get("/fixtures/facet_cities/1.json?_extras=foreign_key_tables")).json()
    assert data["foreign_key_tables"] == [{"other_table": "facetable", "column": "id", "other_column": "_city_id",
                                           "count": 6, "link": "/fixtures/facetable?_city_id__exact=1"}]
    plain = (await ds.client.get("/fixtures/facet_cities/1.json")).json()
    assert "foreign_key_tables" not in plain


@pytest.mark.asyncio
@pytest.mark.parametrize("path,status,error", [
    ("/fixtures/no_primary_key/1000.json", 404, "Row not found"),
    ("/fixtures/compound_primary_key/a.json", 404, "Row not found"),
    ("/fixtures/nope/1.json", 404, "Table not found"),
    ("/fixtures/simple_primary_key/1.xyz", 404, "Invalid format: xyz"),
])
async def test_row_errors(ds, path, status, error):
    response = await ds.client.get(path)
    assert response.status_code == status
    assert response.json()["error"] == error if path.endswith(".json") else error in response.text


@pytest.mark.asyncio
async def test_jsono_redirect(ds):
    response = await ds.client.get("/fixtures/simple_primary_key/1.jsono")
    assert response.status_code == 302
    assert response.headers["location"] == "/fixtures/simple_primary_key/1.json?_shape=objects"


class RowPlugin:
    @hookimpl
    def row_actions(self, datasette, actor, request, database, table, row):
        return [{"href": f"/-/edit/{row['id']}", "label": f"Edit {table} {row['id']}"}]

    @hookimpl
    def top_row(self, datasette, request, database, table, row):
        return f"<p id='top-row'>{row['content']}</p>"


@pytest.mark.asyncio
async def test_row_html(make_ds, fixtures_path, register_plugin):
    register_plugin(RowPlugin(), "row-plugin")
    ds = await make_ds([str(fixtures_path)])
    response = await ds.client.get("/fixtures/simple_primary_key/1")
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.body["class"] == ["row", "db-fixtures", "table-simple_primary_key"]
    assert soup.select_one("h1").text.strip() == "simple_primary_key: 1"
    assert [a["href"] for a in soup.select("p.crumbs a")] == ["/", "/fixtures", "/fixtures/simple_primary_key"]
    assert [th["data-column"] for th in soup.select("thead th")] == ["id", "content"]
    assert [str(td) for td in soup.select("tbody td")] == ['<td class="col-id type-str">1</td>',
                                                           '<td class="col-content type-str">hello</td>']
    links = [(li.a["href"], " ".join(li.text.split())) for li in soup.select("ul.foreign-key-tables li")]
    assert links == [
        ("/fixtures/foreign_key_references?foreign_key_with_blank_label=1",
         "0 rows from foreign_key_with_blank_label in foreign_key_references"),
        ("/fixtures/foreign_key_references?foreign_key_with_label=1",
         "1 row from foreign_key_with_label in foreign_key_references")]
    assert soup.select_one(".actions-menu-links a")["href"] == "/-/edit/1"
    assert soup.select_one("#top-row").text == "hello"
    assert response.headers["link"] == ('<http://localhost/fixtures/simple_primary_key/1.json>; rel="alternate"; '
                                        'type="application/json+datasette"')
    assert "row-fixtures-simple_primary_key.html, *row.html" in response.text


@pytest.mark.asyncio
async def test_row_blob_link(ds):
    soup = BeautifulSoup((await ds.client.get("/fixtures/binary_data/1")).text, "html.parser")
    assert soup.select_one("td.col-data a")["href"] == "/fixtures/binary_data/1.blob?_blob_column=data"
