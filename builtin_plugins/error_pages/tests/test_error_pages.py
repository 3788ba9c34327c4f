"""The error_pages plugin: exceptions become JSON for .json URLs and HTML pages otherwise."""
from __future__ import annotations

import sqlite3

import pytest
import pytest_asyncio

from datasette import hookimpl
from datasette.app import Datasette
from datasette.database import QueryInterrupted
from datasette.plugins import pm
from datasette.utils.asgi import BadRequest, Forbidden, NotFound
from datasette.views.base import DatasetteError

ERRORS = {
    "forbidden": Forbidden("no way <b>"),
    "bad": BadRequest("bad <input>"),
    "missing": NotFound("Nothing here"),
    "interrupted": QueryInterrupted(Exception("interrupted"), "select 1", None),
    "sql": sqlite3.OperationalError("no such column: nope"),
    "custom": DatasetteError("<i>custom</i>", title="Custom title", status=418,
                             error_dict={"extra": 1}, message_is_html=True),
    "custom-template": DatasetteError("templated", status=409, template="special.html"),
    "crash": RuntimeError("internal detail that must not leak"),
}


class RaisingRoutes:
    @hookimpl
    def register_routes(self):
        def raiser(exception):
            async def view():
                raise exception
            return view
        return [(rf"^/-/raise/{name}(\.json)?$", raiser(error)) for name, error in ERRORS.items()]


@pytest_asyncio.fixture
async def make_ds():
    plugin = RaisingRoutes()
    pm.register(plugin)
    made = []

    async def factory(**kwargs):
        datasette = Datasette(**kwargs)
        made.append(datasette)
        await datasette.invoke_startup()
        return datasette

    yield factory
    pm.unregister(plugin)
    for datasette in made:
        datasette.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("name,status,title,error", [
    ("bad", 400, None, "bad <input>"),
    ("missing", 404, None, "Nothing here"),
    ("sql", 400, "Invalid SQL", "no such column: nope"),
    ("custom", 418, "Custom title", "<i>custom</i>"),
    ("crash", 500, None, "Internal Server Error"),
])
async def test_json_errors(make_ds, capsys, name, status, title, error):
    ds = await make_ds()
    response = await ds.client.get(f"/-/raise/{name}.json")
    assert response.status_code == status
    expected = {"ok": False, "error": error, "status": status, "title": title}
    if name == "custom":
        expected["extra"] = 1  # a DatasetteError's error_dict is merged in
    assert response.json() == expected
    capsys.readouterr()


@pytest.mark.asyncio
async def test_interrupted_query(make_ds):
    ds = await make_ds()
    response = await ds.client.get("/-/raise/interrupted")
    assert response.status_code == 400
    assert "<title>SQL Interrupted</title>" in response.text
    assert "sql_time_limit_ms</a>" in response.text  # the explanation is HTML, not escaped
    data = (await ds.client.get("/-/raise/interrupted.json")).json()
    assert (data["status"], data["title"]) == (400, "SQL Interrupted")


@pytest.mark.asyncio
@pytest.mark.parametrize("name,status,heading,body", [
    ("bad", 400, "Error 400", "bad &lt;input&gt;"),
    ("missing", 404, "Error 404", "Nothing here"),
    ("sql", 400, "Invalid SQL", "no such column: nope"),
    ("custom", 418, "Custom title", "<i>custom</i>"),
    ("crash", 500, "Error 500", "Internal Server Error"),
])
async def test_html_errors(make_ds, capsys, name, status, heading, body):
    ds = await make_ds()
    response = await ds.client.get(f"/-/raise/{name}")
    assert response.status_code == status
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert f"<h1>{heading}</h1>" in response.text
    assert body in response.text
    assert '<body class="error">' in response.text
    assert "internal detail" not in response.text and "Traceback" not in response.text
    capsys.readouterr()


@pytest.mark.asyncio
async def test_crash_details_go_to_stderr_only(make_ds, capsys):
    ds = await make_ds()
    response = await ds.client.get("/-/raise/crash")
    assert "internal detail" not in response.text
    err = capsys.readouterr().err
    assert "RuntimeError: internal detail that must not leak" in err and "Traceback" in err


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/-/raise/forbidden", "/-/raise/forbidden.json"])
async def test_forbidden_is_an_html_page_even_for_json(make_ds, path):
    ds = await make_ds()
    response = await ds.client.get(path)
    assert response.status_code == 403
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Forbidden</h1>" in response.text
    assert "no way &lt;b&gt;" in response.text


@pytest.mark.asyncio
async def test_status_and_custom_templates_are_preferred(make_ds, tmp_path):
    (tmp_path / "404.html").write_text("custom 404 page: {{ error }}")
    (tmp_path / "special.html").write_text("special {{ status }}: {{ error }}")
    ds = await make_ds(template_dir=str(tmp_path))
    missing = await ds.client.get("/-/raise/missing")
    assert (missing.status_code, missing.text) == (404, "custom 404 page: Nothing here")
    templated = await ds.client.get("/-/raise/custom-template")
    assert (templated.status_code, templated.text) == (409, "special 409: templated")
    # Other statuses still use error.html.
    assert "<h1>Error 400</h1>" in (await ds.client.get("/-/raise/bad")).text


@pytest.mark.asyncio
async def test_without_theme_errors_are_plain_html(make_ds):
    ds = await make_ds(disabled_plugins=["theme"])
    response = await ds.client.get("/-/raise/bad")
    assert response.status_code == 400
    assert response.text.startswith("<!DOCTYPE html>")
    assert "<h1>Error 400</h1>" in response.text and "bad &lt;input&gt;" in response.text
    forbidden = await ds.client.get("/-/raise/forbidden")
    assert forbidden.status_code == 403 and "<h1>Forbidden</h1>" in forbidden.text
    html_message = await ds.client.get("/-/raise/custom")
    assert "<p><i>custom</i></p>" in html_message.text


@pytest.mark.asyncio
async def test_other_plugins_answer_first(make_ds):
    class Teapot:
        @hookimpl
        def handle_exception(self, exception):
            if isinstance(exception, BadRequest):
                from datasette.utils.asgi import Response
                return Response.text("teapot", status=418)
            return None

    plugin = Teapot()
    pm.register(plugin)
    try:
        ds = await make_ds()
        assert (await ds.client.get("/-/raise/bad")).status_code == 418
        assert (await ds.client.get("/-/raise/missing")).status_code == 404  # None: falls through
    finally:
        pm.unregister(plugin)
