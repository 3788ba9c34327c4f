"""The HTML query page: editor, parameters form, results table, export links, hooks."""
from __future__ import annotations

import urllib.parse

import pytest
from bs4 import BeautifulSoup

from datasette import hookimpl
from datasette.utils.asgi import Response


def q(sql: str, **params: str) -> str:
    return "/fixtures/-/query?" + urllib.parse.urlencode({"sql": sql, **params})


async def soup_of(ds, path, status=200, **kwargs):
    response = await ds.client.get(path, **kwargs)
    assert response.status_code == status, response.text
    return response, BeautifulSoup(response.text, "html.parser")


@pytest.mark.asyncio
async def test_query_page_editor_params_and_results(ds):
    response, soup = await soup_of(ds, q("select pk, state from facetable where state = :state order by pk",
                                         state="CA"))
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert soup.title.text == "fixtures: select pk, state from facetable where state = :state order by pk"
    assert soup.body["class"] == ["query", "db-fixtures"]
    assert soup.find("h1").text.strip() == "fixtures"
    form = soup.find("form", {"class": "sql"})
    assert form["action"] == "/fixtures"
    assert form.find("textarea", {"id": "sql-editor"}).text.startswith("select pk, state")
    assert "Custom SQL query returning 2 rows" in form.find("h3").text
    inputs = form.find_all("input", {"type": "text"})
    assert [(i["name"], i["value"]) for i in inputs] == [("state", "CA")]
    table = soup.find("table", {"class": "rows-and-columns"})
    assert [th.text for th in table.find_all("th")] == ["pk", "state"]
    assert [[td.text for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")] == \
        [["1", "CA"], ["2", "CA"]]
    assert [td["class"] for td in table.find("tbody").find("tr").find_all("td")] == [["col-pk"], ["col-state"]]
    assert "<!-- Templates considered: query-fixtures.html, *query.html -->" in response.text


@pytest.mark.asyncio
async def test_editor_assets_are_linked_and_served(ds):
    response, soup = await soup_of(ds, q("select 1"))
    scripts = [s["src"] for s in soup.find_all("script", src=True)]
    assert "/-/static-plugins/query_views/codemirror-5.65.21-sql.min.js" in scripts
    assert "/-/static-plugins/query_views/sql-formatter-2.3.3.min.js" in scripts
    assert "/-/static-plugins/query_views/query.js" in scripts
    assert soup.find("button", {"id": "sql-format"}) is not None
    for url in scripts + [link["href"] for link in soup.find_all("link", rel="stylesheet")]:
        if "query_views" in url:
            assert (await ds.client.get(url)).status_code == 200, url
    schema = soup.find("script", {"id": "query-schema"})
    import json
    columns = json.loads(schema.string)
    assert columns["facetable"] == ["city", "pk", "score", "state"]
    assert columns["ca_only"] == ["city", "pk", "score", "state"]


@pytest.mark.asyncio
async def test_underscore_parameters_are_not_form_fields(ds):
    _, soup = await soup_of(ds, q("select :name as n, :_secret as s", _secret="x"))
    names = [i["name"] for i in soup.find("form").find_all("input", {"type": "text"})]
    assert names == ["name"]


@pytest.mark.asyncio
async def test_export_links_for_renderers_that_can_render(register, make_ds):
    class Renderers:
        @hookimpl
        def register_output_renderer(self, datasette):
            return [
                {"extension": "yes", "render": lambda: Response.text("y"), "can_render": lambda columns: "pk" in columns},
                {"extension": "never", "render": lambda: Response.text("n"), "can_render": lambda: False},
            ]

    register(Renderers())
    ds = await make_ds()
    _, soup = await soup_of(ds, q("select pk from facetable"))
    links = {a.text: a["href"] for a in soup.find("p", {"class": "export-links"}).find_all("a")}
    assert links["yes"] == "/fixtures/-/query.yes?sql=select+pk+from+facetable"
    assert "never" not in links
    if "json" in ds.renderers:
        assert list(links)[0] == "json"
        assert links["json"] == "/fixtures/-/query.json?sql=select+pk+from+facetable"
    if "csv" in ds.renderers:
        assert list(links)[-1] == "CSV"
        assert links["CSV"] == "/fixtures/-/query.csv?sql=select+pk+from+facetable&_size=max"
    _, soup = await soup_of(ds, q("select state from facetable"))
    links = [a.text for a in soup.find("p", {"class": "export-links"}).find_all("a")]
    assert "yes" not in links


@pytest.mark.asyncio
async def test_alternate_json_link(ds):
    if "json" not in ds.renderers:
        pytest.skip("json_renderer not installed")
    response, soup = await soup_of(ds, q("select 1"))
    url = "http://localhost/fixtures/-/query.json?sql=select+1"
    assert response.headers["link"] == f'<{url}>; rel="alternate"; type="application/json+datasette"'
    assert soup.find("link", {"rel": "alternate"})["href"] == url


@pytest.mark.asyncio
async def test_hide_and_show_sql(ds):
    _, soup = await soup_of(ds, q("select 1"))
    link = soup.find("span", {"class": "show-hide-sql"}).find("a")
    assert (link.text, link["href"]) == ("hide", "/fixtures/-/query?sql=select+1&_hide_sql=1")
    _, soup = await soup_of(ds, q("select 1", _hide_sql="1"))
    assert soup.find("textarea") is None
    link = soup.find("span", {"class": "show-hide-sql"}).find("a")
    assert (link.text, link["href"]) == ("show", "/fixtures/-/query?sql=select+1")
    hidden = [(i["name"], i["value"]) for i in soup.find("form").find_all("input", {"type": "hidden"})]
    assert hidden == [("sql", "select 1"), ("_hide_sql", "1")]


@pytest.mark.asyncio
async def test_zero_results_and_truncation_notice(make_ds):
    ds = await make_ds(settings={"max_returned_rows": 2})
    _, soup = await soup_of(ds, q("select * from facetable where 0"))
    assert soup.find("p", {"class": "zero-results"}).text == "0 results"
    assert soup.find("table", {"class": "rows-and-columns"}) is None
    _, soup = await soup_of(ds, q("select * from facetable"))
    assert "returning more than 2 rows" in soup.find("form").find("h3").text
    assert "These results were truncated" in soup.find("p", {"class": "message-warning"}).text


@pytest.mark.asyncio
async def test_blank_editor_without_sql(ds):
    _, soup = await soup_of(ds, "/fixtures/-/query")
    assert soup.find("textarea", {"id": "sql-editor"}).text == ""
    assert soup.find("p", {"class": "zero-results"}) is None


@pytest.mark.asyncio
async def test_sql_error_shown_inline(ds):
    _, soup = await soup_of(ds, q("select * from nope"), status=400)
    assert soup.find("p", {"class": "message-error"}).text == "no such table: nope"
    assert soup.find("textarea", {"id": "sql-editor"}).text == "select * from nope"


@pytest.mark.asyncio
async def test_invalid_sql_is_error_page(ds):
    response = await ds.client.get(q("update facetable set state = 1"))
    assert response.status_code == 400
    assert "Statement must be a SELECT" in response.text
    assert "Invalid SQL" in response.text


@pytest.mark.asyncio
async def test_time_limit_error_page(ds):
    sql = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
    response = await ds.client.get(q(sql, _timelimit="10"))
    assert response.status_code == 400
    assert "SQL Interrupted" in response.text
    assert "SQL query took too long" in response.text


@pytest.mark.asyncio
async def test_cell_rendering(ds):
    _, soup = await soup_of(ds, q("select id, empty, data, url, body, number from cells order by id"))
    rows = soup.find("tbody").find_all("tr")
    first = rows[0].find_all("td")
    assert first[1].decode_contents() == "\xa0"  # NULL -> &nbsp;
    assert "<Binary:\xa03\xa0bytes>" in first[2].text
    blob = first[2].find("a")
    if blob is not None:  # only when the blob renderer is installed
        assert blob["class"] == ["blob-download"]
        assert "_blob_column=data" in blob["href"] and ".blob?" in blob["href"]
    assert first[3].find("a")["href"] == "https://example.com/page"
    assert first[5].text == "1.25"
    second = rows[1].find_all("td")
    assert second[3].find("a") is None and second[3].text == "not a url"
    assert second[4].text == "<b>bold</b>"  # escaped, not markup
    assert second[4].find("b") is None
    long_cell = rows[2].find_all("td")[4].text
    assert long_cell == "x" * 2048 + "…"


@pytest.mark.asyncio
async def test_truncate_cells_html_setting(make_ds):
    ds = await make_ds(settings={"truncate_cells_html": 5})
    _, soup = await soup_of(ds, q("select body from cells where id = 3"))
    assert soup.find("tbody").find("td").text == "xxxxx…"


@pytest.mark.asyncio
async def test_render_cell_hook(register, make_ds):
    class Cells:
        @hookimpl
        def render_cell(self, value, column, table, database, row):
            if column == "state" and value == "CA":
                async def inner():
                    from markupsafe import Markup
                    return Markup(f"<em>{value}</em> ({database}, {table}, {row['pk']})")
                return inner
            return None

    register(Cells())
    ds = await make_ds()
    _, soup = await soup_of(ds, q("select pk, state from facetable order by pk"))
    cells = [tr.find_all("td")[1] for tr in soup.find("tbody").find_all("tr")]
    assert cells[0].find("em").text == "CA"
    assert cells[0].text == "CA (fixtures, None, 1)"
    assert cells[2].text == "MI"


@pytest.mark.asyncio
async def test_query_actions_and_top_query_hooks(register, make_ds):
    calls = []

    class Hooks:
        @hookimpl
        def query_actions(self, datasette, actor, database, query_name, request, sql, params):
            calls.append((database, query_name, sql, params.get("a")))
            return [{"href": "/-/act", "label": "Do a thing", "description": "With a description"}]

        @hookimpl
        def top_query(self, datasette, request, database, sql):
            async def inner():
                return f"<p class='top'>top {database} {sql}</p>"
            return inner

        @hookimpl
        def top_canned_query(self):
            return "<p class='canned'>should not show</p>"

    register(Hooks())
    ds = await make_ds()
    _, soup = await soup_of(ds, q("select :a as a", a="1"))
    assert calls == [("fixtures", None, "select :a as a", "1")]
    menu = soup.find("div", {"class": "page-action-menu"})
    link = menu.find("a")
    assert link["href"] == "/-/act"
    assert "Do a thing" in link.text
    assert menu.find("p", {"class": "dropdown-description"}).text == "With a description"
    assert soup.find("p", {"class": "top"}).text == "top fixtures select :a as a"
    assert soup.find("p", {"class": "canned"}) is None


@pytest.mark.asyncio
async def test_no_action_menu_without_actions(ds):
    _, soup = await soup_of(ds, q("select 1"))
    assert soup.find("div", {"class": "page-action-menu"}) is None


@pytest.mark.asyncio
async def test_database_metadata_title_and_description(make_ds):
    ds = await make_ds(metadata={"databases": {"fixtures": {
        "title": "The fixtures", "description": "Some <data>", "source": "Here", "source_url": "https://example.com/"}}})
    _, soup = await soup_of(ds, q("select 1"))
    assert soup.find("h1").text.strip() == "The fixtures"
    assert soup.find("div", {"class": "metadata-description"}).text.strip() == "Some <data>"
    assert soup.find("p", {"class": "metadata-source-license"}).find("a")["href"] == "https://example.com/"


@pytest.mark.asyncio
async def test_per_database_template_override(tmp_path, make_ds):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "query-fixtures.html").write_text("CUSTOM {{ database }} {{ columns|join(',') }}")
    ds = await make_ds(template_dir=str(templates))
    response = await ds.client.get(q("select 1 as a, 2 as b"))
    assert response.text == "CUSTOM fixtures a,b"


@pytest.mark.asyncio
async def test_tilde_encoded_database_and_base_url(tmp_path, db_path):
    import shutil
    from datasette.app import Datasette
    dotted = tmp_path / "my.data.db"
    shutil.copy(db_path, dotted)
    ds = Datasette([str(dotted)], settings={"base_url": "/prefix/"})
    try:
        await ds.invoke_startup()
        response = await ds.client.get("/my~2Edata/-/query?sql=select+1+as+one")  # the client adds base_url
        assert response.status_code == 200, response.text
        soup = BeautifulSoup(response.text, "html.parser")
        assert soup.find("form")["action"] == "/prefix/my~2Edata"
        link = soup.find("span", {"class": "show-hide-sql"}).find("a")
        assert link["href"].startswith("/prefix/my~2Edata/-/query?")
    finally:
        ds.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("plugin", ["theme", "json_renderer", "introspection", "magic_parameters", "error_pages"])
async def test_works_with_another_builtin_disabled(make_ds, plugin):
    ds = await make_ds(disabled_plugins=[plugin])
    response = await ds.client.get(q("select state, null as n from facetable order by pk limit 1"))
    assert response.status_code == 200
    assert "CA" in response.text
    if plugin == "theme":
        assert '<td class="col-n">&nbsp;</td>' in response.text
    if plugin == "json_renderer":
        assert (await ds.client.get("/fixtures/-/query.json?sql=select+1")).status_code == 404
        assert 'rel="alternate"' not in response.text


@pytest.mark.asyncio
async def test_disabled_query_views(make_ds):
    ds = await make_ds(disabled_plugins=["query_views"])
    assert (await ds.client.get(q("select 1"))).status_code == 404
    assert (await ds.client.get("/-/versions.json")).status_code == 200
