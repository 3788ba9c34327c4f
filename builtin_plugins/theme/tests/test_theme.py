"""The theme plugin: static assets, the favicon, base.html, and life without it."""
from __future__ import annotations

import hashlib
import html
from pathlib import Path

import pytest
import pytest_asyncio

from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm

STATIC = Path(__file__).resolve().parent.parent / "static"


@pytest_asyncio.fixture
async def make_ds():
    made = []

    async def factory(**kwargs):
        datasette = Datasette(**kwargs)
        made.append(datasette)
        await datasette.invoke_startup()
        return datasette

    yield factory
    for datasette in made:
        datasette.close()


@pytest.mark.asyncio
async def test_static_assets_with_etags(make_ds):
    ds = await make_ds()
    response = await ds.client.get("/-/static/app.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert response.content == (STATIC / "app.css").read_bytes()
    etag = response.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    cached = await ds.client.get("/-/static/app.css", headers={"if-none-match": etag})
    assert (cached.status_code, cached.content) == (304, b"")
    stale = await ds.client.get("/-/static/app.css", headers={"if-none-match": '"other"'})
    assert stale.status_code == 200
    for path in ["/-/static/nope.css", "/-/static/", "/-/static/%2e%2e/hooks.py", "/-/static/..%2fhooks.py"]:
        assert (await ds.client.get(path)).status_code == 404, path


@pytest.mark.asyncio
async def test_favicon(make_ds):
    ds = await make_ds()
    response = await ds.client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "max-age=3600, immutable, public"
    assert response.content == (STATIC / "favicon.png").read_bytes()
    assert response.content.startswith(b"\x89PNG")


@pytest.mark.asyncio
async def test_base_template(make_ds):
    ds = await make_ds(settings={"base_url": "/prefix/"})
    response = await ds.client.get("/-/versions")
    page = response.text
    css_hash = hashlib.sha1((STATIC / "app.css").read_bytes()).hexdigest()[:6]
    assert f'<link rel="stylesheet" href="/prefix/-/static/app.css?{css_hash}">' in page
    assert '<a href="/prefix/">home</a>' in page  # breadcrumbs honour base_url
    assert '<body class="show-json">' in page
    assert 'title="Datasette v' in page  # footer
    assert "<!-- Templates considered: *show_json.html -->" in page


@pytest.mark.asyncio
async def test_menu_links_and_actor_in_nav(make_ds):
    class NavPlugin:
        @hookimpl
        def actor_from_request(self, request):
            return {"id": "alice"} if request.headers.get("x-alice") else None

        @hookimpl
        def menu_links(self, actor):
            return [{"href": "/-/custom", "label": "Custom link"}] if actor else []

    plugin = NavPlugin()
    pm.register(plugin)
    try:
        ds = await make_ds()
        signed_in = (await ds.client.get("/-/versions", headers={"x-alice": "1"})).text
        assert '<a href="/-/custom">Custom link</a>' in signed_in
        assert '<div class="actor"><strong>alice</strong></div>' in signed_in
        anonymous = (await ds.client.get("/-/versions")).text
        assert "Custom link" not in anonymous and 'class="actor"' not in anonymous
    finally:
        pm.unregister(plugin)


@pytest.mark.asyncio
async def test_app_css_hash_template_variable(make_ds):
    ds = await make_ds()
    template = ds.get_jinja_environment().from_string("{{ app_css_hash }}")
    expected = hashlib.sha1((STATIC / "app.css").read_bytes()).hexdigest()[:6]
    assert await ds.render_template(template) == expected


@pytest.mark.asyncio
async def test_without_theme_pages_still_render(make_ds):
    ds = await make_ds(disabled_plugins=["theme"])
    versions = await ds.client.get("/-/versions")
    assert versions.status_code == 200
    assert versions.headers["content-type"].startswith("text/html")
    assert versions.text.startswith("<!DOCTYPE html>")
    assert "<h1>versions.json</h1>" in versions.text
    assert '"asgi": "3.0"' in html.unescape(versions.text)
    assert "app.css" not in versions.text
    missing = await ds.client.get("/no-such-page")
    assert missing.status_code == 404 and "<h1>Error 404</h1>" in missing.text
    assert (await ds.client.get("/-/static/app.css")).status_code == 404
    assert (await ds.client.get("/favicon.ico")).status_code == 404
    # The kernel's bare fallback base.html stands in: no stylesheet, no theme markup.
    bare = await ds.render_template("base.html")
    assert bare.startswith("<!DOCTYPE html>") and "app.css" not in bare and "<footer" not in bare


@pytest.mark.asyncio
async def test_pattern_portfolio(make_ds):
    from bs4 import BeautifulSoup

    ds = await make_ds(settings={"base_url": "/prefix/"})
    response = await ds.client.get("/-/patterns")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.title.string == "Datasette: Pattern Portfolio"
    assert soup.body["class"] == ["patterns"]
    # Header: example breadcrumbs (honouring base_url), the hamburger menu and the actor.
    assert [a["href"] for a in soup.select("header.hd p.crumbs a")] == [
        "/prefix/", "/prefix/fixtures", "/prefix/fixtures/facetable"]
    assert soup.select_one("header.hd details.nav-menu .nav-menu-inner li a").text == "Databases"
    assert soup.select_one("header.hd .actor strong").text == "example-actor"
    # One message of each type, in the slot between header and content.
    for kind in ("info", "warning", "error"):
        assert soup.select(f"body > .not-footer > p.message-{kind}"), kind
    # The other plugins' stylesheets are linked, so their components look as in use.
    sheets = [link["href"] for link in soup.select("link[rel=stylesheet]")]
    assert "/prefix/-/static-plugins/table_views/table_views.css" in sheets
    assert "/prefix/-/static-plugins/facets/facets.css" in sheets
    assert "/prefix/-/static-plugins/query_views/query.css" in sheets
    content = soup.select_one("section.content")
    # Page headers with actions menus, metadata description and licence/source links.
    menus = [s.text.strip() for s in content.select("details.actions-menu-links summary span")]
    assert menus == ["Homepage actions", "Database actions", "Table actions", "Row actions", "Query actions"]
    assert content.select_one(".page-header h1 .private")
    assert content.select_one(".metadata-description em").text == "metadata"
    assert "CC BY 4.0" in content.select_one("p.metadata-links").text
    # Filter form: search box, column / operator / value rows, Apply.
    form = content.select_one("form.core.filters")
    assert form.select_one(".search-row input[type=search]")["name"] == "_search"
    first = form.select(".filter-row")[0]
    assert first.select_one("select[name=_filter_column_1] option[selected]").text == "state"
    assert first.select_one(".filter-op select option[selected]").text == "="
    assert first.select_one("input.filter-value")["value"] == "CA"
    assert form.select_one("input[type=submit]")["value"] == "Apply"
    assert content.select_one("h3.table-count").text.startswith("2 rows where")
    # Facets: suggestions and a results block per facet.
    assert [a.text for a in content.select("p.suggested-facets a")] == ["state", "tags", "created"]
    facets = content.select(".facet-results .facet-info")
    assert [f["data-column"] for f in facets] == ["state", "tags", "created"]
    assert facets[0].select_one(".facet-info-total").text == "3"
    # Results table: sortable headers with column actions, and cells of several types.
    table = content.select_one(".table-wrapper table.rows-and-columns")
    sortable = table.select("thead th a[rel=nofollow]")
    assert sortable[0].text == "pk\xa0\u25bc"
    assert len(table.select("thead th button.column-actions-button")) == len(sortable) == 7
    cell_types = {c for td in table.select("tbody td") for c in td["class"] if c.startswith("type-")}
    assert cell_types == {"type-pk", "type-str", "type-int", "type-float", "type-none"}
    label = table.select_one("td.col-_city_id")
    assert (label.a.text, label.em.text) == ("San Francisco", "1")  # foreign key label
    assert content.find("a", string="Next page")
    assert content.select_one("p.export-links a").text == "json"
    assert content.select_one(".advanced-export input[type=submit]")["value"] == "Export CSV"
    assert content.select_one("pre.wrapped-sql").text.startswith("CREATE TABLE facetable")
    # Query page: SQL editor, named parameters, truncation warning, zero results.
    assert content.select_one("form.sql.core textarea#sql-editor")["name"] == "sql"
    assert content.select_one("form.sql.core label[for=pattern-qp1]").text == "text"
    assert content.select_one("form.sql.core input#pattern-qp1")["name"] == "text"
    assert content.select_one("p.message-warning").text.startswith("These results were truncated")
    assert content.select("p.zero-results")
    assert content.select_one("ul.foreign-key-tables li a").text == "10 rows"
    # Footer with the example licence and source.
    footer = soup.select_one("footer.ft")
    assert "Data license: CC BY 4.0" in " ".join(footer.text.split())
    assert footer.find("a", string="Example open data portal")
    # Every in-page link lands on something.
    ids = {tag["id"] for tag in soup.select("[id]")}
    assert all(a["href"][1:] in ids for a in soup.select('a[href^="#"]') if a["href"] != "#")


@pytest.mark.asyncio
async def test_pattern_portfolio_needs_view_instance(make_ds):
    ds = await make_ds(config={"allow": {"id": "alice"}})
    denied = await ds.client.get("/-/patterns")
    assert denied.status_code == 403
    assert "<h1>Forbidden</h1>" in denied.text and "Pattern Portfolio" not in denied.text
    cookies = {"ds_actor": ds.client.actor_cookie({"id": "alice"})}
    assert (await ds.client.get("/-/patterns", cookies=cookies)).status_code == 200
    method = await ds.client.post("/-/patterns")  # no cookies, so no CSRF check
    assert (method.status_code, method.text) == (405, "Method not allowed")


@pytest.mark.asyncio
async def test_pattern_portfolio_without_other_plugins(make_ds):
    ds = await make_ds(disabled_plugins=["table_views", "facets", "query_views"])
    response = await ds.client.get("/-/patterns")
    assert response.status_code == 200
    assert "static-plugins" not in response.text  # no links to stylesheets nobody serves
    assert '<table class="rows-and-columns">' in response.text
