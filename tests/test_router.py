"""The router: URL decoding, redirects, errors, HEAD/OPTIONS/405, base_url, CORS, lifespan."""
from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from datasette import hookimpl
from datasette.plugins import pm
from datasette.utils.asgi import Response
from datasette.views.base import View


class Greeting(View):
    async def get(self, request, datasette):
        return Response.text("hi")


class RoutesPlugin:
    """Routes the tests below request; registered on ``pm`` for one test at a time."""

    @hookimpl
    def register_routes(self):
        async def resolve(datasette, request):
            resolved = await datasette.resolve_table(request)
            return Response.json({"database": resolved.db.name, "table": resolved.table,
                                  "is_view": resolved.is_view})

        async def boom():
            raise ValueError("secret internals")

        async def add_message(datasette, request):
            datasette.add_message(request, "Saved it", datasette.WARNING)
            return Response.redirect(datasette.urls.path("/-/show-messages"))

        async def show_messages(datasette, request):
            template = datasette.get_jinja_environment().from_string(
                "{% for message, kind in show_messages() %}[{{ message }}:{{ kind }}]{% endfor %}")
            return Response.html(await datasette.render_template(template, request=request))

        async def urls(datasette, request):
            return Response.json({"url": request.url, "absolute": datasette.absolute_url(request, "/x"),
                                  "redirect": datasette.urls.path("/y")})

        def function_view(request):
            return Response.text(f"function view {request.method}")

        return [
            (r"^/-/resolve/(?P<database>[^/]+)/(?P<table>[^/]+)$", resolve),
            (r"^/-/boom(\.(?P<format>json))?$", boom),
            (r"^/-/add-message$", add_message),
            (r"^/-/show-messages$", show_messages),
            (r"^/-/urls$", urls),
            (r"^/-/function$", function_view),
            (r"^/-/greeting(\.json)?$", Greeting),
        ]


@pytest.fixture
def routes_plugin():
    plugin = RoutesPlugin()
    pm.register(plugin, name="test_router_routes")
    return plugin  # the conftest fixture unregisters it


@pytest.fixture
def client(ds, routes_plugin):
    return ds.client


# -- paths ---------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("path,table,is_view", [
    ("/-/resolve/fixtures/table~2Fwith~2Fslashes~2Ecsv", "table/with/slashes.csv", False),
    ("/-/resolve/fixtures/compound_primary_key", "compound_primary_key", False),
    ("/-/resolve/fixtures/simple_view", "simple_view", True),
])
async def test_tilde_encoded_path_components_are_decoded(client, path, table, is_view):
    response = await client.get(path)
    assert response.status_code == 200
    assert response.json() == {"database": "fixtures", "table": table, "is_view": is_view}


@pytest.mark.asyncio
@pytest.mark.parametrize("path,location", [
    ("/-/resolve/fixtures/table%2Fwith%2Fslashes.csv", "/-/resolve/fixtures/table~2Fwith~2Fslashes~2Ecsv"),
    ("/fixtures/table%2Fwith%2Fslashes.csv", "/fixtures/table~2Fwith~2Fslashes~2Ecsv"),
    ("/%E2%80%A0?x=1", "/~E2~80~A0?x=1"),
    ("/%ZZ", "/~ZZ"),
    ("/foo%00bar", "/foo~00bar"),
    ("/fixtures/a%20b~c.d", "/fixtures/a~20b~7Ec~2Ed"),  # upstream: ~ -> ~7E, % -> ~, . -> ~2E
    ("/\\evil.example%2F", "/evil~2Eexample~2F"),
    ("/-/versions.json/?a=1&b=2", "/-/versions.json?a=1&b=2"),
    ("/fixtures/", "/fixtures"),
    ("//evil.example/", "/evil.example"),
    ("/\\evil.example/", "/evil.example"),
])
async def test_redirects_302(client, path, location):
    response = await client.get(path)
    assert response.status_code == 302
    assert response.headers["location"] == location


@pytest.mark.asyncio
@pytest.mark.parametrize("path,location", [
    ("/-", "/-/"),
    ("/:memory:", "/_memory"),
    ("/:memory:/table?_size=1", "/_memory/table?_size=1"),
])
async def test_redirects_301(client, path, location):
    response = await client.get(path)
    assert (response.status_code, response.headers["location"]) == (301, location)


@pytest.mark.asyncio
async def test_tilde_redirect_target_resolves(client):
    first = await client.get("/-/resolve/fixtures/table%2Fwith%2Fslashes.csv")
    second = await client.get(first.headers["location"])
    assert second.json()["table"] == "table/with/slashes.csv"


@pytest.mark.asyncio
async def test_resolve_errors_are_404s(client):
    missing_table = await client.get("/-/resolve/fixtures/nope")
    assert missing_table.status_code == 404
    missing_db = await client.get("/-/resolve/nope/nope")
    assert missing_db.status_code == 404


@pytest.mark.asyncio
async def test_404_html_and_json(client):
    # No route matches five path segments, so this is the router's own 404.
    html = await client.get("/no/such/page/at/all")
    assert html.status_code == 404
    assert html.headers["content-type"].startswith("text/html")
    assert "<html" in html.text
    data = await client.get("/no/such/page/at/all.json")
    assert data.status_code == 404
    assert data.headers["content-type"].startswith("application/json")
    assert data.json() == {"ok": False, "error": "404", "status": 404, "title": None}
    # A path the database route matches names what is missing, as upstream does.
    database = await client.get("/nosuchdb.json")
    assert database.json() == {"ok": False, "error": "Database not found", "status": 404, "title": None}


# -- methods ---------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/-/versions.json", "/-/greeting", "/-/function", "/no-such-page"])
async def test_head_sends_headers_without_body(client, path):
    get = await client.get(path)
    head = await client.head(path)
    assert head.status_code == get.status_code
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.content == b"" and get.content != b""


@pytest.mark.asyncio
@pytest.mark.parametrize("path,status,body", [
    ("/-/greeting", 200, "ok"),
    ("/-/versions", 200, "ok"),
    ("/-/function", 200, "function view OPTIONS"),  # function views see the method themselves
])
async def test_options(client, path, status, body):
    response = await client.options(path)
    assert (response.status_code, response.text) == (status, body)


@pytest.mark.asyncio
@pytest.mark.parametrize("path,kwargs,expect_json", [
    ("/-/versions.json", {}, True),
    ("/-/versions", {}, False),
    ("/-/greeting", {}, False),
    ("/-/greeting.json", {}, True),
    ("/-/greeting", {"json": {"a": 1}}, True),
])
async def test_405_forms(client, path, kwargs, expect_json):
    response = await client.post(path, **kwargs)
    assert response.status_code == 405
    if expect_json:
        assert response.json() == {"ok": False, "error": "Method not allowed"}
    else:
        assert response.text == "Method not allowed"


# -- bad input never 500s ----------------------------------------------------------------


async def call_raw(app, raw_path: bytes, query_string: bytes = b"", method: str = "GET") -> tuple[int, dict, bytes]:
    """Drive the ASGI app with bytes httpx would refuse to send."""
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": raw_path.decode("latin-1"), "raw_path": raw_path,
             "query_string": query_string, "headers": [(b"host", b"localhost")]}
    await app(scope, receive, send)
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


@pytest.mark.asyncio
@pytest.mark.parametrize("raw_path,query_string", [
    (b"/%ZZ", b""),
    (b"/foo%00bar", b""),
    (b"/-/versions.json", b"%ZZ=1"),
    (b"/-/versions.json", b"a=%FF%FE&\xff=\xfe&&=&%"),
    (b"/" + b"a" * 20000, b""),
    (b"/" + b"%41" * 5000, b""),
    (b"/\xff\xfe/\xc3", b""),
    (b"/\xff%20/\\%2F", b""),
    (b"/-/resolve/fixtures/\xff", b""),
    (b"/-/resolve/\xff/x%FF.json", b""),
    (b"/-/static/..%2F..%2Fetc%2Fpasswd", b""),
    (b"/-/static/\x00", b""),
])
async def test_malformed_urls_never_500(ds, routes_plugin, raw_path, query_string):
    status, headers, body = await call_raw(ds.app(), raw_path, query_string)
    assert 200 <= status < 500
    assert b"Traceback" not in body


@pytest.mark.asyncio
async def test_malformed_query_string_is_still_parsed(client):
    response = await client.get("/-/versions.json?%ZZ=1")
    assert response.status_code == 200 and response.json()["asgi"] == "3.0"


@pytest.mark.asyncio
@pytest.mark.parametrize("path,content_type", [("/-/boom", "text/html"), ("/-/boom.json", "application/json")])
async def test_exception_in_plugin_view_is_a_clean_500(client, capsys, path, content_type):
    response = await client.get(path)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith(content_type)
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert "secret internals" in capsys.readouterr().err  # the operator still sees it


@pytest.mark.asyncio
async def test_exception_without_error_pages_plugin(make_ds, routes_plugin, capsys):
    ds = make_ds(disabled_plugins=["error_pages"])
    response = await ds.client.get("/-/boom")
    assert (response.status_code, response.text) == (500, "500: Internal Server Error")
    missing = await ds.client.get("/nope")
    assert missing.status_code == 404
    capsys.readouterr()


# -- messages ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_messages_cookie_round_trip(ds, client):
    added = await client.get("/-/add-message")
    assert added.status_code == 302
    cookie = added.cookies["ds_messages"]
    assert ds.unsign(cookie, "messages") == [["Saved it", ds.WARNING]]
    shown = await client.get("/-/show-messages", cookies={"ds_messages": cookie})
    assert shown.text == "[Saved it:2]"
    # Showing the messages clears them.
    assert re.search(r"ds_messages=\"?\"?;", shown.headers["set-cookie"])
    assert "Max-Age=0" in shown.headers["set-cookie"]


@pytest.mark.asyncio
async def test_tampered_messages_cookie_is_dropped(client):
    response = await client.get("/-/show-messages", cookies={"ds_messages": "tampered.value"})
    assert (response.status_code, response.text) == (200, "")
    assert "Max-Age=0" in response.headers["set-cookie"]


# -- settings that change URLs -------------------------------------------------------------


@pytest.mark.asyncio
async def test_base_url(make_ds, fixtures_db, routes_plugin):
    ds = make_ds([fixtures_db], settings={"base_url": "/prefix/"})
    versions = await ds.client.get("/-/versions.json")  # the client adds the prefix
    assert str(versions.request.url) == "http://localhost/prefix/-/versions.json"
    assert versions.status_code == 200
    resolved = await ds.client.get("/prefix/-/resolve/fixtures/table~2Fwith~2Fslashes~2Ecsv",
                                   avoid_path_rewrites=True)
    assert resolved.json()["table"] == "table/with/slashes.csv"
    for path, location in [("/-/versions.json/?a=1", "/prefix/-/versions.json?a=1"),
                           ("/-", "/prefix/-/"),
                           ("/-/resolve/fixtures/a%2Fb", "/prefix/-/resolve/fixtures/a~2Fb")]:
        response = await ds.client.get(path)
        assert response.headers["location"] == location
    urls = (await ds.client.get("/-/urls")).json()
    assert urls["url"] == "http://localhost/prefix/-/urls"
    assert urls["redirect"] == "/prefix/y"


@pytest.mark.asyncio
async def test_force_https_urls(make_ds, routes_plugin):
    ds = make_ds(settings={"force_https_urls": True})
    urls = (await ds.client.get("/-/urls")).json()
    assert urls["url"] == "https://localhost/-/urls"
    assert urls["absolute"] == "https://localhost/x"


CORS_HEADERS = {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "Authorization, Content-Type",
    "access-control-expose-headers": "Link",
    "access-control-allow-methods": "GET, POST, HEAD, OPTIONS",
    "access-control-max-age": "3600",
}


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/-/versions.json", "/no-such-page.json", "/-/greeting"])
async def test_cors_headers(make_ds, routes_plugin, path):
    with_cors = await make_ds(cors=True).client.get(path)
    for name, value in CORS_HEADERS.items():
        assert with_cors.headers[name] == value
    without = await make_ds().client.get(path)
    assert not any(name in without.headers for name in CORS_HEADERS)


@pytest.mark.asyncio
async def test_asgi_wrapper_applies(make_ds, write_plugin):
    plugins_dir = write_plugin(
        """
        from datasette import hookimpl

        @hookimpl
        def asgi_wrapper(datasette):
            def wrap(app):
                async def wrapped(scope, receive, send):
                    async def add_header(message):
                        if message["type"] == "http.response.start":
                            message = {**message, "headers": [*message["headers"], (b"x-wrapped", b"yes")]}
                        await send(message)
                    await app(scope, receive, add_header)
                return wrapped
            return wrap
        """)
    ds = make_ds(plugins_dir=str(plugins_dir))
    assert (await ds.client.get("/-/versions.json")).headers["x-wrapped"] == "yes"
    assert (await ds.client.get("/nope")).headers["x-wrapped"] == "yes"


# -- lifespan --------------------------------------------------------------------------------

STARTUP_PLUGIN = """
from pathlib import Path
from datasette import hookimpl

@hookimpl
def startup(datasette):
    async def inner():
        datasette._startup_count = getattr(datasette, "_startup_count", 0) + 1
        marker = {marker!r}
        if marker:
            Path(marker).write_text("started")
    return inner
"""


@pytest.mark.asyncio
async def test_lifespan_messages_run_startup(make_ds, write_plugin):
    ds = make_ds(plugins_dir=str(write_plugin(STARTUP_PLUGIN.format(marker=""))))
    app = ds.app()
    incoming: asyncio.Queue = asyncio.Queue()
    sent = []

    async def send(message):
        sent.append(message["type"])

    await incoming.put({"type": "lifespan.startup"})
    await incoming.put({"type": "lifespan.shutdown"})
    await app({"type": "lifespan", "asgi": {"version": "3.0"}}, incoming.get, send)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert ds._startup_count == 1
    await ds.client.get("/-/versions.json")
    assert ds._startup_count == 1  # not run again for the first request


SLOW_STARTUP_PLUGIN = """
import asyncio
from datasette import hookimpl

@hookimpl
def startup(datasette):
    async def inner():
        datasette._startup_count = getattr(datasette, "_startup_count", 0) + 1
        await asyncio.sleep(0.05)  # concurrent first requests arrive meanwhile
    return inner
"""


@pytest.mark.asyncio
async def test_concurrent_first_requests_run_startup_once(make_ds, write_plugin):
    ds = make_ds(plugins_dir=str(write_plugin(SLOW_STARTUP_PLUGIN)))
    responses = await asyncio.gather(*[ds.client.get("/-/versions.json") for _ in range(5)])
    assert [r.status_code for r in responses] == [200] * 5
    assert ds._startup_count == 1


@pytest.mark.asyncio
async def test_lifespan_startup_failure_is_reported(make_ds, write_plugin):
    plugins_dir = write_plugin(
        """
        from datasette import hookimpl

        @hookimpl
        def startup(datasette):
            raise RuntimeError("cannot start")
        """)
    app = make_ds(plugins_dir=str(plugins_dir)).app()
    sent = []

    async def receive():
        return {"type": "lifespan.startup"}

    async def send(message):
        sent.append(message)

    await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "cannot start" in sent[0]["message"]


APP_MODULE = """
import sys
sys._called_from_test = True
from datasette.app import Datasette
ds = Datasette([{db!r}], plugins_dir={plugins!r})
app = ds.app()
"""


@pytest.mark.serial
def test_real_uvicorn_runs_startup_before_first_request(tmp_path, fixtures_db, write_plugin):
    marker = tmp_path / "started.txt"
    plugins_dir = write_plugin(STARTUP_PLUGIN.format(marker=str(marker)))
    (tmp_path / "served_app.py").write_text(APP_MODULE.format(db=fixtures_db, plugins=str(plugins_dir)))
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "served_app:app", "--port", "0", "--lifespan", "on"],
        cwd=tmp_path, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    try:
        port = None
        deadline = time.monotonic() + 30
        lines = []
        while port is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            lines.append(line)
            found = re.search(r"Uvicorn running on http://127\.0\.0\.1:(\d+)", line)
            port = int(found.group(1)) if found else None
        assert port, "".join(lines)
        assert marker.read_text() == "started"  # before any request was made
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            versions = http.get("/-/versions.json")
            assert versions.status_code == 200 and versions.json()["asgi"] == "3.0"
            head = http.head("/-/static/app.css")
            assert head.status_code == 200 and head.content == b""
            bad = http.get("/%ZZ/")
            assert bad.status_code == 302
    finally:
        process.terminate()
        process.communicate(timeout=10)
