"""The introspection plugin: /-/ JSON pages, their HTML forms, plugin static files, --static mounts."""
from __future__ import annotations

import sqlite3
import sys

import pytest
import pytest_asyncio

from datasette.app import Datasette
from datasette.version import __version__


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "data.db"
    conn = sqlite3.connect(path)
    conn.execute("create table simple_primary_key (id integer primary key)")
    conn.close()
    return str(path)


@pytest_asyncio.fixture
async def make_ds():
    made = []

    async def factory(*args, **kwargs):
        datasette = Datasette(*args, **kwargs)
        made.append(datasette)
        await datasette.invoke_startup()
        return datasette

    yield factory
    for datasette in made:
        datasette.close()


async def get_json(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return response.json()


@pytest.mark.asyncio
async def test_versions(make_ds):
    ds = await make_ds(version_note="hello")
    data = await get_json(ds, "/-/versions.json")
    assert set(data) >= {"python", "datasette", "asgi", "uvicorn", "sqlite"}
    assert data["python"]["version"] == ".".join(map(str, sys.version_info[:3]))
    assert data["python"]["full"] == sys.version
    assert data["datasette"] == {"version": __version__, "note": "hello"}
    assert data["asgi"] == "3.0"
    assert isinstance(data["uvicorn"], str)
    sqlite_info = data["sqlite"]
    assert sqlite_info["version"] == sqlite3.sqlite_version
    assert set(sqlite_info["fts_versions"]) <= {"FTS5", "FTS4", "FTS3"} and sqlite_info["fts_versions"]
    assert sqlite_info["extensions"]["json1"] is None
    assert all(isinstance(option, str) for option in sqlite_info["compile_options"])
    without_note = await get_json(await make_ds(), "/-/versions.json")
    assert without_note["datasette"] == {"version": __version__}


@pytest.mark.asyncio
async def test_versions_html(make_ds):
    response = await (await make_ds()).client.get("/-/versions")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>versions.json</title>" in response.text
    assert 'href="/-/versions.json"' in response.text
    assert "3.0" in response.text


@pytest.mark.asyncio
async def test_plugins(make_ds):
    ds = await make_ds()
    assert await get_json(ds, "/-/plugins.json") == []
    everything = await get_json(ds, "/-/plugins.json?all=1")
    names = [p["name"] for p in everything]
    assert names == sorted(names) and "datasette_builtins.introspection" in names
    mine = everything[names.index("datasette_builtins.introspection")]
    from datasette_builtins import introspection
    assert mine == {"name": "datasette_builtins.introspection", "static": False, "templates": False,
                    "version": introspection.__version__, "hooks": ["register_routes"], "enabled": True}


@pytest.mark.asyncio
async def test_settings(make_ds):
    ds = await make_ds(settings={"sql_time_limit_ms": 123})
    data = await get_json(ds, "/-/settings.json")
    assert data == ds.settings_dict()
    assert data["sql_time_limit_ms"] == 123 and data["base_url"] == "/"


@pytest.mark.asyncio
async def test_config_redaction(make_ds):
    ds = await make_ds(config={
        "plugins": {"p": {"api_key": "k", "password": "p", "nested": {"my_token": "t", "ok": 1},
                          "client_secret": "s", "dsn": "d", "hash_of": "h", "fine": "visible"}},
        "databases": {"data": {"tables": {"simple_primary_key": {"size": 5}, "other": {"size": 6}}}},
    })
    data = await get_json(ds, "/-/config.json")
    assert data["plugins"]["p"] == {"api_key": "***", "password": "***", "nested": {"my_token": "***", "ok": 1},
                                    "client_secret": "***", "dsn": "***", "hash_of": "***", "fine": "visible"}
    # Substring match, as upstream: a table whose name contains "key" is redacted too.
    assert data["databases"]["data"]["tables"] == {"simple_primary_key": "***", "other": {"size": 6}}
    assert ds.config["plugins"]["p"]["api_key"] == "k"  # the real configuration is untouched


@pytest.mark.asyncio
async def test_threads(make_ds):
    no_threads = await make_ds(settings={"num_sql_threads": 0})
    assert await get_json(no_threads, "/-/threads.json") == {"num_threads": 0, "threads": []}
    with_threads = await make_ds(settings={"num_sql_threads": 2})
    data = await get_json(with_threads, "/-/threads.json")
    assert set(data) == {"num_threads", "threads", "num_tasks", "tasks"}
    assert data["num_threads"] == len(data["threads"]) >= 1
    assert {"name", "ident", "daemon"} == set(data["threads"][0])
    assert data["num_tasks"] == len(data["tasks"]) >= 1


@pytest.mark.asyncio
async def test_databases(make_ds, db_path):
    ds = await make_ds([db_path], memory=True)
    data = await get_json(ds, "/-/databases.json")
    assert data == [
        {"name": "data", "route": "data", "path": db_path, "size": ds.databases["data"].size,
         "is_mutable": True, "is_memory": False, "hash": None},
        {"name": "_memory", "route": "_memory", "path": None, "size": 0,
         "is_mutable": True, "is_memory": True, "hash": None},
    ]
    assert data[0]["size"] > 0


@pytest.mark.asyncio
async def test_actor(make_ds):
    from datasette import hookimpl
    from datasette.plugins import pm

    class HeaderActor:
        @hookimpl
        def actor_from_request(self, request):
            name = request.headers.get("x-actor")
            return {"id": name} if name else None

    ds = await make_ds()
    assert await get_json(ds, "/-/actor.json") == {"actor": None}
    plugin = HeaderActor()
    pm.register(plugin)
    try:
        response = await ds.client.get("/-/actor.json", headers={"x-actor": "alice"})
        assert response.json() == {"actor": {"id": "alice"}}
    finally:
        pm.unregister(plugin)


@pytest.mark.asyncio
@pytest.mark.parametrize("page", ["versions", "plugins", "settings", "config", "threads", "databases", "actor"])
async def test_every_page_has_html_and_json(make_ds, page):
    ds = await make_ds()
    html = await ds.client.get(f"/-/{page}")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert (await ds.client.get(f"/-/{page}.json")).status_code == 200
    assert (await ds.client.post(f"/-/{page}.json")).json() == {"ok": False, "error": "Method not allowed"}
    assert (await ds.client.get(f"/-/{page}.txt")).status_code == 404


@pytest.mark.asyncio
async def test_view_instance_is_checked_except_for_actor(make_ds):
    from datasette import hookimpl
    from datasette.plugins import pm

    class DenyInstance:
        @hookimpl
        def permission_allowed(self, action):
            return False if action == "view-instance" else None

    ds = await make_ds()
    plugin = DenyInstance()
    pm.register(plugin)
    try:
        assert (await ds.client.get("/-/versions.json")).status_code == 403
        assert (await ds.client.get("/-/actor.json")).status_code == 200
    finally:
        pm.unregister(plugin)


# -- static files --------------------------------------------------------------------------


async def raw_get(app, raw_path: bytes) -> int:
    """Status of a GET with a raw path (httpx would normalise away the ``..`` segments)."""
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    await app({"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
               "scheme": "http", "path": raw_path.decode("latin-1"), "raw_path": raw_path,
               "query_string": b"", "headers": []}, receive, send)
    return messages[0]["status"]


@pytest.fixture
def static_dir(tmp_path):
    root = tmp_path / "public"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "hello.txt").write_text("hello")
    (tmp_path / "outside.txt").write_text("private")
    return root


@pytest.mark.asyncio
async def test_static_mounts(make_ds, static_dir):
    ds = await make_ds(static_mounts=[("assets", str(static_dir))])
    response = await ds.client.get("/assets/sub/hello.txt")
    assert (response.status_code, response.text) == (200, "hello")
    assert response.headers["content-type"].startswith("text/plain")
    for path in ["/assets/nope.txt", "/assets/sub", "/assets/", "/assets/%2e%2e/outside.txt",
                 "/assets/sub/..%2f..%2foutside.txt", "/assets/%2Fetc%2Fpasswd"]:
        response = await ds.client.get(path)
        assert response.status_code == 404, path
        assert "private" not in response.text
    app = ds.app()
    for raw in [b"/assets/../outside.txt", b"/assets/sub/../../outside.txt", b"/assets/..\\outside.txt",
                b"/assets/\x00", b"/assets/" + b"a" * 5000]:
        assert await raw_get(app, raw) == 404, raw


@pytest.mark.asyncio
async def test_static_plugins(make_ds):
    ds = await make_ds()
    for name in ("theme", "datasette_builtins.theme"):
        response = await ds.client.get(f"/-/static-plugins/{name}/app.css")
        assert response.status_code == 200 and "font" in response.text
    for path in ["/-/static-plugins/theme/nope.css", "/-/static-plugins/no-such-plugin/app.css",
                 "/-/static-plugins/theme/%2e%2e/hooks.py", "/-/static-plugins/theme/..%2fhooks.py",
                 "/-/static-plugins/theme/..%2f..%2fintrospection%2fhooks.py"]:
        assert (await ds.client.get(path)).status_code == 404, path
    app = ds.app()
    assert await raw_get(app, b"/-/static-plugins/theme/../hooks.py") == 404
    assert await raw_get(app, b"/-/static-plugins/theme/../../introspection/pages.py") == 404


@pytest.mark.asyncio
async def test_disabled_plugin_static_is_not_served(make_ds):
    ds = await make_ds(disabled_plugins=["theme"])
    assert (await ds.client.get("/-/static-plugins/theme/app.css")).status_code == 404
