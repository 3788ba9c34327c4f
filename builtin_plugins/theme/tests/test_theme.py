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
