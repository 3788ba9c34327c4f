"""Custom pages: templates/pages/<path>.html and {variable} patterns answer 404 paths."""
from __future__ import annotations

import sqlite3

import pytest
import pytest_asyncio

from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm
from datasette_builtins.custom_pages.pages import pattern_for

PAGES = {
    "about.html": "ABOUT {{ request.path }} view={{ view_name }}",
    "about/team.html": "TEAM",
    "people/{name}.html": "{{ custom_header('x-person', name) }}{{ custom_status(201) }}PERSON {{ name }}",
    "topic/{slug}/{sub}.html": "TOPIC {{ slug }} / {{ sub }}",
    "topic/fixed/{sub}.html": "FIXED {{ sub }}",
    "people/special.html": "SPECIAL",
    "redirect.html": "{{ custom_redirect('/about') }}",
    "redirect301.html": "{{ custom_redirect('/about', 301) }}{{ custom_header('x-kept', 'yes') }}",
    "gone.html": "{{ raise_404('Nothing to see here') }}",
    "plain.html": "{{ custom_header('content-type', 'text/plain; charset=utf-8') }}plain text",
    "data/nope.html": "PAGE FOR A MISSING TABLE",
    "styled.html": '{% extends "base.html" %}{% block content %}<p class="styled">{{ extra }}</p>{% endblock %}',
}


@pytest.fixture
def template_dir(tmp_path):
    root = tmp_path / "templates"
    for name, body in PAGES.items():
        path = root / "pages" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    return root


@pytest_asyncio.fixture
async def ds(tmp_path, template_dir):
    path = tmp_path / "data.db"
    conn = sqlite3.connect(path)
    conn.execute("create table t (id integer primary key)")
    conn.close()
    datasette = Datasette([str(path)], template_dir=str(template_dir))
    yield datasette
    datasette.close()


@pytest.mark.asyncio
async def test_static_page(ds):
    response = await ds.client.get("/about")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == "ABOUT /about view=page"
    assert (await ds.client.get("/about/team")).text == "TEAM"


@pytest.mark.asyncio
async def test_path_variables_status_and_headers(ds):
    response = await ds.client.get("/people/simon")
    assert response.status_code == 201
    assert response.headers["x-person"] == "simon"
    assert response.text == "PERSON simon"
    assert (await ds.client.get("/topic/a/b")).text == "TOPIC a / b"


@pytest.mark.asyncio
async def test_exact_template_beats_pattern(ds):
    assert (await ds.client.get("/people/special")).text == "SPECIAL"
    # Patterns are tried in name order: "topic/fixed/{sub}" sorts before "topic/{slug}/{sub}".
    assert (await ds.client.get("/topic/fixed/x")).text == "FIXED x"


@pytest.mark.asyncio
async def test_redirects(ds):
    response = await ds.client.get("/redirect")
    assert response.status_code == 302
    assert response.headers["location"] == "/about"
    response = await ds.client.get("/redirect301")
    assert response.status_code == 301
    assert response.headers["location"] == "/about"
    assert response.headers["x-kept"] == "yes"


@pytest.mark.asyncio
async def test_raise_404_renders_error_page(ds):
    response = await ds.client.get("/gone")
    assert response.status_code == 404
    assert "Nothing to see here" in response.text
    assert "<!DOCTYPE html>" in response.text  # the error_pages 404 page, with the message


@pytest.mark.asyncio
async def test_custom_content_type(ds):
    response = await ds.client.get("/plain")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "plain text"


@pytest.mark.asyncio
async def test_page_for_a_view_level_not_found(ds):
    # /data/nope matches the table route, which says "Table not found": a page may answer it.
    assert (await ds.client.get("/data/nope")).text == "PAGE FOR A MISSING TABLE"


@pytest.mark.asyncio
async def test_unknown_paths_still_404(ds):
    response = await ds.client.get("/not-a-page/at/all")
    assert response.status_code == 404
    response = await ds.client.get("/people/a/b")  # a variable never spans a "/"
    assert response.status_code == 404
    response = await ds.client.get("/about.json")
    assert response.status_code == 404


@pytest.mark.asyncio
async def test_router_redirects_come_first(ds):
    response = await ds.client.get("/about/")
    assert response.status_code == 302
    assert response.headers["location"] == "/about"
    response = await ds.client.get("/people/a%20b")
    assert response.status_code == 302
    assert response.headers["location"] == "/people/a~20b"


@pytest.mark.asyncio
async def test_rendered_with_standard_context_and_hooks(ds):
    class Extra:
        @hookimpl
        def extra_template_vars(self, view_name):
            return {"extra": f"extra for {view_name}"}

    plugin = Extra()
    pm.register(plugin, name="custom-pages-test-extra")
    try:
        response = await ds.client.get("/styled")
    finally:
        pm.unregister(plugin)
    assert response.status_code == 200
    assert '<p class="styled">extra for page</p>' in response.text


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/../secret", "/pages/../../etc/passwd", "/%2e%2e/x", "/people/" + "x" * 5000])
async def test_bad_paths_never_500(ds, path):
    response = await ds.client.get(path)
    assert response.status_code < 500


@pytest.mark.asyncio
async def test_disabled(tmp_path, template_dir):
    ds = Datasette(template_dir=str(template_dir), disabled_plugins=["custom_pages"])
    try:
        assert (await ds.client.get("/about")).status_code == 404
    finally:
        ds.close()


def test_pattern_for():
    pattern = pattern_for("pages/a.b/{x}/c-{y}.html")
    assert pattern.fullmatch("a.b/1/c-2").groupdict() == {"x": "1", "y": "2"}
    assert pattern.fullmatch("aXb/1/c-2") is None
