"""The HTML table page, parsed with BeautifulSoup."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from markupsafe import Markup

from datasette import hookimpl


async def soup_for(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser"), response


@pytest.mark.asyncio
async def test_page_structure(ds):
    soup, response = await soup_for(ds, "/fixtures/facetable?_size=3")
    assert soup.body["class"] == ["table", "db-fixtures", "table-facetable"]
    assert soup.title.text == "fixtures: facetable: 15 rows"
    assert [a["href"] for a in soup.select("p.crumbs a")] == ["/", "/fixtures", "/fixtures/facetable"]
    assert soup.select_one("h1").text.strip() == "facetable"
    assert soup.select_one("h3.table-count").text.split() == ["15", "rows"]
    assert soup.find("link", rel="alternate")["href"] == "http://localhost/fixtures/facetable.json?_size=3"
    assert "<!-- Templates considered: table-fixtures-facetable.html, *table.html -->" in response.text


@pytest.mark.asyncio
async def test_filter_form(ds):
    soup, _ = await soup_for(ds, "/fixtures/facetable?state=CA&_city_id__gt=1&_size=2")
    form = soup.select_one("form.filters")
    assert form["action"] == "/fixtures/facetable" and form["method"] == "get"
    assert [o.text for o in form.select("select[name=_filter_column] option")][:3] == ["- column -", "pk", "created"]
    ops = [o["value"] for o in form.select("select[name=_filter_op] option")]
    assert ops[:3] == ["exact", "not", "contains"] and "isnull__1" in ops and len(ops) == 22
    existing = [(form.select_one(f"select[name=_filter_column_{i}] option[selected]").text,
                 form.select_one(f"select[name=_filter_op_{i}] option[selected]")["value"],
                 form.select_one(f"input[name=_filter_value_{i}]")["value"]) for i in (1, 2)]
    assert existing == [("_city_id", "gt", "1"), ("state", "exact", "CA")]
    assert [(i["name"], i["value"]) for i in form.select("input[type=hidden]")] == [("_size", "2")]
    assert form.select_one("select#sort_by") is not None
    assert soup.select_one("h3.table-count").text.split() == \
        ["4", "rows", "where", "_city_id", ">", "1", "and", "state", "=", '"CA"']


@pytest.mark.asyncio
async def test_headers_and_sort_links(ds):
    soup, _ = await soup_for(ds, "/fixtures/sortable?_sort_desc=sortable&_size=2")
    headers = {th["data-column"]: th for th in soup.select("table.rows-and-columns thead th")}
    assert list(headers)[:3] == ["Link", "pk1", "pk2"]
    th = headers["sortable"]
    assert th["class"] == ["col-sortable"] and th["data-column-type"] == "integer" and th["data-is-pk"] == "0"
    assert th.a.text == "sortable\xa0\u25b2" and th.a["href"] == "/fixtures/sortable?_size=2&_sort=sortable"
    assert headers["content"].a["href"] == "/fixtures/sortable?_size=2&_sort=content"
    assert headers["pk1"]["data-is-pk"] == "1"
    soup, _ = await soup_for(ds, "/fixtures/facetable?_size=1")
    pk = soup.select_one("th[data-column=pk] a")
    assert pk.text == "pk\xa0\u25bc" and pk["href"] == "/fixtures/facetable?_size=1&_sort_desc=pk"
    city = soup.select_one("th[data-column=_city_id]")
    assert city["class"] == ["col-city_id-07c442"]


@pytest.mark.asyncio
async def test_cells(ds):
    soup, _ = await soup_for(ds, "/fixtures/facetable?_size=3")
    first = soup.select("tbody tr")[0].select("td")
    assert str(first[0]) == '<td class="col-pk type-pk"><a href="/fixtures/facetable/1">1</a></td>'
    assert str(first[5]) == ('<td class="col-city_id-07c442 type-int"><a href="/fixtures/facet_cities/1">'
                             'San Francisco</a>\xa0<em>1</em></td>')
    assert first[7].text == '["tag1", "tag2"]' and first[7]["class"] == ["col-tags", "type-str"]
    third = soup.select("tbody tr")[2].select("td")
    assert str(third[9]) == '<td class="col-distinct_some_null type-none">\xa0</td>'
    soup, _ = await soup_for(ds, "/fixtures/facetable?_size=1&_labels=off")
    assert str(soup.select("tbody td")[5]) == '<td class="col-city_id-07c442 type-int">1</td>'
    soup, _ = await soup_for(ds, "/fixtures/binary_data")
    cells = [tr.select("td") for tr in soup.select("tbody tr")]
    assert str(cells[0][0]) == '<td class="col-Link type-pk"><a href="/fixtures/binary_data/1">1</a></td>'
    assert str(cells[0][2]) == ('<td class="col-data type-bytes"><a class="blob-download" '
                                'href="/fixtures/binary_data/1.blob?_blob_column=data">&lt;Binary:\xa08\xa0bytes&gt;'
                                '</a></td>')
    soup, _ = await soup_for(ds, "/fixtures/roadside_attractions")
    url = soup.select_one("td.col-url a")
    assert url["href"] == url.text == "https://www.mysteryspot.com/"
    soup, _ = await soup_for(ds, "/fixtures/compound_primary_key")
    assert soup.select("tbody tr")[1].select_one("td.col-Link a")["href"] == "/fixtures/compound_primary_key/a~2Fb,~2Ec-d"


@pytest.mark.asyncio
async def test_truncation_and_escaping(make_ds, fresh_fixtures):
    import sqlite3
    conn = sqlite3.connect(str(fresh_fixtures))
    conn.execute("insert into simple_primary_key values ('long', ?), ('html', '<b>bold</b> & stuff')", ["x" * 50])
    conn.commit()
    conn.close()
    ds = await make_ds([str(fresh_fixtures)], settings={"truncate_cells_html": 20})
    soup, response = await soup_for(ds, "/fixtures/simple_primary_key?id__in=long,html")
    contents = [td.text for td in soup.select("td.col-content")]
    assert contents == ["<b>bold</b> & stuff", "x" * 20 + "\u2026"]
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; stuff" in response.text


@pytest.mark.asyncio
async def test_export_links_and_pagination(ds):
    soup, _ = await soup_for(ds, "/fixtures/facetable?_size=3")
    links = {a.text: a["href"] for a in soup.select("p.export-links a")}
    assert links["json"] == "/fixtures/facetable.json?_size=3&_labels=on"
    if "CSV" in links:
        assert links["CSV"] == "/fixtures/facetable.csv?_size=3&_labels=on&_size=max"
    shapes = [a["href"] for a in soup.select("#export a")]
    assert shapes == ["/fixtures/facetable.json?_size=3&_labels=on",
                      "/fixtures/facetable.json?_size=3&_labels=on&_shape=array",
                      "/fixtures/facetable.json?_size=3&_labels=on&_nl=on&_shape=array",
                      "/fixtures/facetable.json?_size=3&_labels=on&_shape=object"]
    next_link = [a for a in soup.select("a") if a.text == "Next page"][0]
    assert next_link["href"] == "http://localhost/fixtures/facetable?_size=3&_next=3"
    soup, _ = await soup_for(ds, "/fixtures/simple_view")
    assert [a.text for a in soup.select("p.export-links a")][0] == "json"
    assert soup.select_one("p.export-links a")["href"] == "/fixtures/simple_view.json"
    assert "object" not in [a.text for a in soup.select("#export a")]
    assert soup.select_one("h1").text.strip() == "simple_view (view)"
    assert soup.select_one("pre.wrapped-sql").text.startswith("CREATE VIEW simple_view")


@pytest.mark.asyncio
async def test_view_and_edit_sql_link_and_big_counts(ds):
    soup, _ = await soup_for(ds, "/fixtures/facetable?state=CA&_size=1")
    link = soup.select_one("a.not-underlined")
    assert link["href"].startswith("/fixtures/-/query?sql=select+pk%2C+created")
    assert link["href"].endswith("&p0=CA")
    assert link["title"].endswith('where "state" = :p0 order by pk limit 2')
    soup, _ = await soup_for(ds, "/fixtures/big?_size=1")
    heading = soup.select_one("h3.table-count")
    assert heading.text.split()[:2] == [">10,000", "rows"]
    assert heading.select_one("a.count-sql")["href"] == "/fixtures/-/query?sql=select+count%28%2A%29+from+big+"


@pytest.mark.asyncio
async def test_where_chips_and_search_box(ds):
    soup, _ = await soup_for(ds, "/fixtures/facetable?_where=pk>3&_where=pk<6&_size=1")
    items = soup.select(".extra-wheres li")
    assert soup.select_one(".extra-wheres h3").text == "2 extra where clauses"
    assert [li.code.text for li in items] == ["pk>3", "pk<6"]
    assert items[0].a["href"] == "/fixtures/facetable?_where=pk%3C6&_size=1"
    assert soup.select_one("input#_search") is None
    soup, _ = await soup_for(ds, "/fixtures/searchable?_search=dog")
    assert soup.select_one("input#_search")["value"] == "dog"
    assert "search matches" in soup.select_one("h3.table-count").text


@pytest.mark.asyncio
async def test_metadata_description_and_footer(make_ds, fixtures_path):
    ds = await make_ds([str(fixtures_path)], metadata={"license": "Instance license", "databases": {"fixtures": {
        "tables": {"facetable": {"title": "Facet T", "description_html": "<b>T desc</b>", "about": "T about",
                                 "about_url": "http://a/", "columns": {"state": "The state"}}}}}})
    soup, _ = await soup_for(ds, "/fixtures/facetable?_size=1")
    assert soup.select_one("h1").text.strip() == "Facet T"
    assert str(soup.select_one(".metadata-description b")) == "<b>T desc</b>"
    assert [(dt.text, dd.text) for dt, dd in zip(soup.select("dl.column-descriptions dt"),
                                                 soup.select("dl.column-descriptions dd"))] == [("state", "The state")]
    footer = soup.select_one("footer")
    assert footer.find("a", href="http://a/").text == "T about"
    assert "Instance license" not in footer.text


@pytest.mark.asyncio
async def test_template_overrides(make_ds, fixtures_path, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "table-fixtures-facetable.html").write_text(
        '{% extends "default:table.html" %}{% block content %}<p id="custom">Custom {{ table }}</p>'
        '{{ super() }}{% endblock %}')
    (templates / "_table-fixtures-simple_primary_key.html").write_text(
        '<ul id="rows">{% for row in display_rows %}<li>{{ row[1].value }}</li>{% endfor %}</ul>')
    ds = await make_ds([str(fixtures_path)], template_dir=str(templates))
    soup, response = await soup_for(ds, "/fixtures/facetable?_size=1")
    assert soup.select_one("#custom").text == "Custom facetable"
    assert soup.select_one("table.rows-and-columns") is not None
    assert "*table-fixtures-facetable.html, table.html" in response.text
    soup, _ = await soup_for(ds, "/fixtures/simple_primary_key")
    assert [li.text for li in soup.select("#rows li")] == ["hello", "world", "", "RENDER_CELL_DEMO"]


class PagePlugin:
    @hookimpl
    def render_cell(self, value, column, table, database, datasette):
        if value == "RENDER_CELL_DEMO":
            return Markup("<strong>demo</strong>")
        if value == "world":
            async def inner():
                return "<world>"
            return inner

    @hookimpl
    def table_actions(self, datasette, actor, database, table, request):
        return [{"href": f"/-/action/{table}", "label": f"Action for {table}", "description": "Described"}]

    @hookimpl
    def view_actions(self, datasette, actor, database, view, request):
        return [{"href": "/-/view-action", "label": f"View action {view}"}]

    @hookimpl
    def top_table(self, datasette, request, database, table):
        async def inner():
            return f"<div id='top'>top {database}/{table}</div>"
        return inner

    @hookimpl
    def extra_template_vars(self, view_name, table):
        return {"extra_var": f"{view_name}:{table}"}


@pytest.mark.asyncio
async def test_page_hooks(make_ds, fixtures_path, tmp_path, register_plugin):
    register_plugin(PagePlugin(), "page-plugin")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "table-fixtures-simple_primary_key.html").write_text(
        '{% extends "default:table.html" %}{% block content %}<p id="extra">{{ extra_var }}</p>{{ super() }}'
        '{% endblock %}')
    ds = await make_ds([str(fixtures_path)], template_dir=str(templates))
    soup, response = await soup_for(ds, "/fixtures/simple_primary_key")
    contents = [str(td) for td in soup.select("td.col-content")]
    assert contents[3] == '<td class="col-content type-str"><strong>demo</strong></td>'
    assert contents[1] == '<td class="col-content type-str">&lt;world&gt;</td>'
    assert contents[0] == '<td class="col-content type-str">hello</td>'
    action = soup.select_one(".actions-menu-links a")
    assert action["href"] == "/-/action/simple_primary_key" and "Action for simple_primary_key" in action.text
    assert soup.select_one("#top").text == "top fixtures/simple_primary_key"
    assert soup.select_one("#extra").text == "table:simple_primary_key"
    data = (await ds.client.get("/fixtures/simple_primary_key.json?_extra=actions")).json()
    assert data["actions"][0]["label"] == "Action for simple_primary_key"
    soup, _ = await soup_for(ds, "/fixtures/simple_view")
    assert soup.select_one(".actions-menu-links a").text.strip() == "View action simple_view"


class PrivatePlugin:
    @hookimpl
    def actor_from_request(self, request):
        if request.headers.get("x-actor"):
            return {"id": request.headers["x-actor"]}

    @hookimpl
    def permission_allowed(self, actor, action, resource):
        if action == "view-table" and resource == ("fixtures", "facetable"):
            return bool(actor)
        if action == "execute-sql":
            return False


@pytest.mark.asyncio
async def test_private_tables_and_no_sql_link(make_ds, fixtures_path, register_plugin):
    register_plugin(PrivatePlugin(), "private-plugin")
    ds = await make_ds([str(fixtures_path)])
    assert (await ds.client.get("/fixtures/facetable")).status_code == 403
    response = await ds.client.get("/fixtures/facetable?_size=1", headers={"x-actor": "root"})
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one("h1 .private") is not None
    assert soup.select_one("a.not-underlined") is None
    data = (await ds.client.get("/fixtures/facetable.json?_extra=private&_size=0",
                                headers={"x-actor": "root"})).json()
    assert data["private"] is True
    response = await ds.client.get("/fixtures/facetable.json?_where=1=1", headers={"x-actor": "root"})
    assert response.status_code == 403


@pytest.mark.asyncio
async def test_context_debug(make_ds, fixtures_path, ds):
    debug = await make_ds([str(fixtures_path)], settings={"template_debug": True})
    text = (await debug.client.get("/fixtures/facetable?_context=1&_size=1")).text
    assert text.startswith("<pre>") and "&quot;table&quot;: &quot;facetable&quot;" in text
    assert not (await ds.client.get("/fixtures/facetable?_context=1&_size=1")).text.startswith("<pre>")
