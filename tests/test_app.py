"""The Datasette object: databases, settings, configuration, signing, permissions, events,
templates, resolving URLs, the in-process clients and configuration directories."""
from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import itsdangerous
import pytest

from datasette import Event, Forbidden, Permission, hookimpl
from datasette.app import DEFAULT_SETTINGS, Datasette
from datasette.database import Database
from datasette.plugins import pm
from datasette.utils import StartupError
from datasette.utils.asgi import DatabaseNotFound, Request, RowNotFound, TableNotFound
from datasette.utils.testing import TestClient

from .fixtures import make_fixtures_db


@pytest.fixture
def register():
    """``register(plugin_object)``; the conftest fixture unregisters it after the test."""
    def register_plugin(plugin: object) -> object:
        pm.register(plugin, name=f"test_app_{type(plugin).__name__}_{id(plugin)}")
        return plugin
    return register_plugin


# -- databases -------------------------------------------------------------------------


def test_files_must_be_a_list():
    with pytest.raises(ValueError, match="files= must be a list of paths, not a string"):
        Datasette(files="fixtures.db")


def test_database_names_are_deduplicated(make_ds, tmp_path, fixtures_db):
    (tmp_path / "other").mkdir()
    same_stem = make_fixtures_db(tmp_path / "other" / "fixtures.db")
    ds = make_ds([fixtures_db, same_stem, fixtures_db])
    assert list(ds.databases) == ["fixtures", "fixtures_2", "fixtures_3"]
    assert [db.route for db in ds.databases.values()] == ["fixtures", "fixtures_2", "fixtures_3"]
    assert ds.databases["fixtures_2"].path == same_stem


def test_memory_database_added_only_when_needed(make_ds, fixtures_db):
    assert list(make_ds().databases) == ["_memory"]
    assert list(make_ds([fixtures_db]).databases) == ["fixtures"]
    assert list(make_ds([fixtures_db], memory=True).databases) == ["fixtures", "_memory"]


def test_missing_file_is_a_startup_error(tmp_path):
    with pytest.raises(StartupError, match="missing.db"):
        Datasette([str(tmp_path / "missing.db")])


@pytest.mark.asyncio
async def test_add_memory_database_is_shared_between_connections(make_ds):
    ds = make_ds()
    db = ds.add_memory_database("shared_test_db")
    assert ds.databases["shared_test_db"] is db
    await db.execute_write("create table t (id integer)")
    await db.execute_write("insert into t values (1), (2)")
    assert (await db.execute("select count(*) from t")).single_value() == 2


@pytest.mark.asyncio
async def test_add_and_remove_database(make_ds, fixtures_db):
    ds = make_ds([fixtures_db])
    before = ds.databases
    added = ds.add_database(Database(ds, path=fixtures_db, is_mutable=False), name="extra", route="extra-route")
    assert (added.name, added.route) == ("extra", "extra-route")
    assert ds.get_database(route="extra-route") is added
    assert "extra" not in before  # the mapping is replaced, never mutated
    assert (await added.execute("select count(*) from simple_primary_key")).single_value() == 3
    ds.remove_database("extra")
    assert list(ds.databases) == ["fixtures"]
    with pytest.raises(KeyError):
        ds.remove_database("extra")


def test_get_database(make_ds, fixtures_db):
    ds = make_ds([fixtures_db], memory=True)
    assert ds.get_database().name == "fixtures"
    assert ds.get_database("_memory").is_memory
    assert ds.get_database(route="fixtures").name == "fixtures"
    with pytest.raises(KeyError):
        ds.get_database("nope")
    with pytest.raises(KeyError):
        ds.get_database(route="nope")
    assert ds.get_internal_database().name == "__INTERNAL__"
    assert "__INTERNAL__" not in ds.databases


# -- settings ---------------------------------------------------------------------------


def test_settings_defaults_and_overrides(make_ds):
    ds = make_ds()
    assert ds.settings_dict() == {**ds.settings_dict(), **DEFAULT_SETTINGS}
    assert ds.setting("sql_time_limit_ms") == 1000 and ds.setting("base_url") == "/"
    ds = make_ds(config={"settings": {"sql_time_limit_ms": 50, "num_sql_threads": 1}},
                 settings={"sql_time_limit_ms": "75", "force_https_urls": "on"})
    assert ds.setting("sql_time_limit_ms") == 75  # the keyword wins over the config file
    assert ds.setting("num_sql_threads") == 1
    assert ds.setting("force_https_urls") is True


@pytest.mark.parametrize("kwargs,message", [
    ({"settings": {"no_such_setting": 1}}, "Invalid setting 'no_such_setting'"),
    ({"config": {"settings": {"no_such_setting": 1}}}, "Invalid setting 'no_such_setting' in datasette.json"),
    ({"settings": {"sql_time_limit_ms": "soon"}}, '"sql_time_limit_ms" should be an integer'),
    ({"config": {"settings": {"num_sql_threads": "x"}}}, '"num_sql_threads" should be an integer'),
    ({"settings": {"force_https_urls": "maybe"}}, '"force_https_urls" should be on/off/true/false/1/0'),
])
def test_invalid_settings(kwargs, message):
    with pytest.raises(StartupError) as error:
        Datasette(**kwargs)
    assert message in str(error.value)


@pytest.mark.asyncio
async def test_settings_mutated_at_runtime_are_honoured(make_ds):
    ds = make_ds()
    ds._settings["base_url"] = "/changed/"
    assert ds.urls.path("/x") == "/changed/x"
    response = await ds.client.get("/-/versions.json")
    assert str(response.request.url) == "http://localhost/changed/-/versions.json"
    assert response.status_code == 200
    request = Request.fake("/foo")
    assert ds.absolute_url(request, "/bar") == "http://localhost/bar"
    ds._settings["force_https_urls"] = True
    assert ds.absolute_url(request, "/bar") == "https://localhost/bar"


# -- configuration ------------------------------------------------------------------------


def test_plugin_config_fallbacks(make_ds):
    ds = make_ds(config={
        "plugins": {"p": {"depth": "root"}},
        "databases": {
            "fixtures": {
                "plugins": {"p": {"depth": "database"}},
                "tables": {"sortable": {"plugins": {"p": {"depth": "table"}}}},
            },
            "bare": {"tables": {"t": {}}},
        },
    })
    assert ds.plugin_config("p") == {"depth": "root"}
    assert ds.plugin_config("p", database="fixtures") == {"depth": "database"}
    assert ds.plugin_config("p", database="fixtures", table="sortable") == {"depth": "table"}
    assert ds.plugin_config("p", database="fixtures", table="unknown") == {"depth": "database"}
    assert ds.plugin_config("p", database="unknown") == {"depth": "root"}
    assert ds.plugin_config("p", database="bare", table="t") == {"depth": "root"}
    assert ds.plugin_config("p", database="fixtures", table="unknown", fallback=False) is None
    assert ds.plugin_config("p", database="unknown", fallback=False) is None
    assert ds.plugin_config("unknown-plugin") is None


def test_plugin_config_resolves_env_and_file(make_ds, monkeypatch, tmp_path):
    monkeypatch.setenv("MY_PLUGIN_SECRET", "from-env")
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("from-file")
    ds = make_ds(config={"plugins": {"p": {
        "env": {"$env": "MY_PLUGIN_SECRET"}, "file": {"$file": str(secret_file)},
        "nested": [{"$env": "MY_PLUGIN_SECRET"}], "plain": 1}}})
    assert ds.plugin_config("p") == {"env": "from-env", "file": "from-file", "nested": ["from-env"], "plain": 1}
    assert ds.config["plugins"]["p"]["env"] == {"$env": "MY_PLUGIN_SECRET"}  # not resolved in place


@pytest.mark.asyncio
async def test_table_config(make_ds):
    ds = make_ds(config={"databases": {"fixtures": {"tables": {"facetable": {"size": 5}}}}})
    assert await ds.table_config("fixtures", "facetable") == {"size": 5}
    assert await ds.table_config("fixtures", "other") == {}
    assert await ds.table_config("nope", "other") == {}


def test_metadata_plugins_and_allow_move_to_config(make_ds):
    ds = make_ds(metadata={"title": "T", "plugins": {"p": {"a": 1}},
                           "databases": {"fixtures": {"allow": {"id": "x"}}}})
    assert ds.plugin_config("p") == {"a": 1}
    assert ds.config["databases"]["fixtures"]["allow"] == {"id": "x"}


# -- signing and URLs ---------------------------------------------------------------------


def test_sign_unsign(make_ds):
    ds = make_ds(secret="s3cret")
    signed = ds.sign({"a": [1, "two"]})
    assert ds.unsign(signed) == {"a": [1, "two"]}
    assert ds.unsign(ds.sign("x", "other"), "other") == "x"
    with pytest.raises(itsdangerous.BadSignature):
        ds.unsign(signed[:-1] + ("A" if signed[-1] != "A" else "B"))
    with pytest.raises(itsdangerous.BadSignature):
        ds.unsign(signed, "other")  # namespaces do not mix
    with pytest.raises(itsdangerous.BadSignature):
        make_ds(secret="another").unsign(signed)
    assert make_ds(secret="s3cret").unsign(signed) == {"a": [1, "two"]}


def test_absolute_url(make_ds):
    request = Request.fake("/a/b?c=d")
    assert make_ds().absolute_url(request, "/x.json") == "http://localhost/x.json"
    assert make_ds(settings={"force_https_urls": True}).absolute_url(request, "/x") == "https://localhost/x"


# -- metadata -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_metadata_readable_and_writable(make_ds, fixtures_db):
    ds = make_ds([fixtures_db], metadata={
        "title": "My instance", "license": "MIT",
        "databases": {"fixtures": {"description": "The fixtures", "tables": {
            "facetable": {"title": "Facets", "columns": {"state": "Two letters"}}}}},
    })
    await ds.invoke_startup()
    assert await ds.get_instance_metadata() == {"title": "My instance", "license": "MIT"}
    assert await ds.get_database_metadata("fixtures") == {"description": "The fixtures"}
    assert await ds.get_resource_metadata("fixtures", "facetable") == {"title": "Facets"}
    assert await ds.get_column_metadata("fixtures", "facetable", "state") == {"description": "Two letters"}
    await ds.set_instance_metadata("title", "Renamed")
    await ds.set_database_metadata("fixtures", "source", "Somewhere")
    await ds.set_resource_metadata("fixtures", "simple_view", "title", "A view")
    await ds.set_column_metadata("fixtures", "facetable", "state", "units", "none")
    assert (await ds.get_instance_metadata())["title"] == "Renamed"
    assert (await ds.get_database_metadata("fixtures"))["source"] == "Somewhere"
    assert await ds.get_resource_metadata("fixtures", "simple_view") == {"title": "A view"}
    assert await ds.get_column_metadata("fixtures", "facetable", "state") == {
        "description": "Two letters", "units": "none"}
    assert await ds.get_database_metadata("nope") == {}


# -- permissions --------------------------------------------------------------------------


class YesPlugin:
    @hookimpl
    def register_permissions(self):
        return [Permission("test-default-true", "tdt", "A test permission", False, False, True)]

    @hookimpl
    def permission_allowed(self, actor, action, resource):
        if action in ("contested", "agreed"):
            return True
        if action == "resource-check":
            return resource == ("db", "table")
        return None


class NoPlugin:
    @hookimpl
    def permission_allowed(self, actor, action):
        async def inner():
            if action == "contested":
                return False
            if action == "only-for-alice":
                return bool(actor and actor.get("id") == "alice")
            return None
        return inner


@pytest.mark.asyncio
async def test_permission_allowed_veto_and_defaults(make_ds, register):
    register(YesPlugin())
    register(NoPlugin())
    ds = make_ds()
    await ds.invoke_startup()
    assert await ds.permission_allowed(None, "contested") is False  # any False vetoes
    assert await ds.permission_allowed(None, "agreed") is True
    assert await ds.permission_allowed(None, "resource-check", ("db", "table")) is True
    assert await ds.permission_allowed(None, "resource-check", ("db", "other")) is False
    assert await ds.permission_allowed(None, "test-default-true") is True  # registered default
    assert await ds.permission_allowed(None, "test-default-true", default=False) is False
    assert await ds.permission_allowed(None, "unknown-action", default=True) is True
    assert ds.get_permission("tdt").name == "test-default-true"
    checks = list(ds._permission_checks)[-3:]
    assert [(c["action"], c["used_default"], c["result"]) for c in checks] == [
        ("test-default-true", True, True), ("test-default-true", True, False),
        ("unknown-action", True, True)]
    vetoed = [c for c in ds._permission_checks if c["action"] == "contested"][0]
    assert vetoed["used_default"] is False and vetoed["resource"] is None and vetoed["actor"] is None
    assert vetoed["when"].endswith("+00:00")


@pytest.mark.asyncio
async def test_ensure_permissions_first_opinion_wins(make_ds, register):
    register(YesPlugin())
    register(NoPlugin())
    ds = make_ds()
    await ds.ensure_permissions(None, ["unknown", "agreed", "contested"])  # "agreed" decides
    with pytest.raises(Forbidden) as error:
        await ds.ensure_permissions(None, ["unknown", ("contested", None), "agreed"])
    assert error.value.args[0] == "contested"
    await ds.ensure_permissions(None, ["no-opinion-anywhere"])  # nobody objects: allowed
    with pytest.raises(Forbidden):
        await ds.ensure_permissions(None, [("resource-check", ("db", "other"))])


@pytest.mark.asyncio
async def test_check_visibility(make_ds, register):
    register(YesPlugin())
    register(NoPlugin())
    ds = make_ds()
    assert await ds.check_visibility({"id": "alice"}, "only-for-alice") == (True, True)
    assert await ds.check_visibility({"id": "bob"}, "only-for-alice") == (False, False)
    assert await ds.check_visibility(None, "agreed") == (True, False)
    assert await ds.check_visibility({"id": "alice"}, permissions=["only-for-alice", "agreed"]) == (True, True)


# -- events and actors ----------------------------------------------------------------------


@dataclasses.dataclass
class WidgetEvent(Event):
    name = "widget"
    widget: str


class EventsPlugin:
    def __init__(self):
        self.tracked = []

    @hookimpl
    def register_events(self):
        async def inner():
            return [WidgetEvent]
        return inner

    @hookimpl
    def track_event(self, datasette, event):
        self.tracked.append((event.name, event.actor, event.properties()))


@pytest.mark.asyncio
async def test_track_event(make_ds, register):
    plugin = register(EventsPlugin())
    ds = make_ds()
    await ds.invoke_startup()
    assert WidgetEvent in ds.event_classes
    await ds.track_event(WidgetEvent(actor={"id": "a"}, widget="w1"))
    assert plugin.tracked == [("widget", {"id": "a"}, {"widget": "w1"})]

    @dataclasses.dataclass
    class UnregisteredEvent(Event):
        name = "unregistered"

    with pytest.raises(AssertionError):
        await ds.track_event(UnregisteredEvent(actor=None))
    assert len(plugin.tracked) == 1


class ActorsPlugin:
    @hookimpl
    def actors_from_ids(self, actor_ids):
        async def inner():
            return {actor_id: {"id": actor_id, "name": actor_id.upper()} for actor_id in actor_ids}
        return inner


@pytest.mark.asyncio
async def test_actors_from_ids(make_ds, register):
    assert await make_ds().actors_from_ids(["a", "b"]) == {"a": {"id": "a"}, "b": {"id": "b"}}
    register(ActorsPlugin())
    expected = {"a": {"id": "a", "name": "A"}}
    assert await make_ds().actors_from_ids(["a"]) == expected
    # With a built-in disabled the hook goes through a subset caller: same answer.
    assert await make_ds(disabled_plugins=["theme"]).actors_from_ids(["a"]) == expected


# -- templates ------------------------------------------------------------------------------


class TemplateHooksPlugin:
    @hookimpl
    def extra_css_urls(self, view_name):
        return ["/sync.css", {"url": "/sri.css", "sri": "sha384-abc"}]

    @hookimpl
    def extra_js_urls(self):
        async def inner():
            return [{"url": "/module.js", "module": True}, "/plain.js"]
        return inner

    @hookimpl
    def extra_body_script(self, view_name):
        return {"script": f"var view = '{view_name}';", "module": True}

    @hookimpl
    def extra_template_vars(self, request, view_name):
        async def inner():
            return {"from_hook": f"{view_name}:{request.path if request else None}"}
        return inner


@pytest.mark.asyncio
async def test_render_template_requires_startup(make_ds):
    with pytest.raises(Exception, match="invoke_startup"):
        await make_ds().render_template("show_json.html", {})


@pytest.mark.asyncio
async def test_render_template_hooks(make_ds, register):
    register(TemplateHooksPlugin())
    ds = make_ds(config={"extra_css_urls": ["/from-config.css"]})
    await ds.invoke_startup()
    html = await ds.render_template(
        ["show_json-special.html", "show_json.html"], {"filename": "f.json", "data": {"k": "v"}},
        request=Request.fake("/the/path"), view_name="json_data")
    css = [line.strip() for line in html.splitlines() if "stylesheet" in line]
    assert css[1:] == [
        '<link rel="stylesheet" href="/from-config.css">',
        '<link rel="stylesheet" href="/sync.css">',
        '<link rel="stylesheet" href="/sri.css" integrity="sha384-abc" crossorigin="anonymous">',
    ]
    assert '<script type="module" src="/module.js"></script>' in html
    assert '<script src="/plain.js"></script>' in html
    assert "<script type=\"module\">var view = 'json_data';</script>" in html
    assert "<!-- Templates considered: show_json-special.html, *show_json.html -->" in html
    template = ds.get_jinja_environment().from_string("{{ from_hook }}|{{ urls.instance() }}")
    assert await ds.render_template(template, request=Request.fake("/p"), view_name="v") == "v:/p|/"


@pytest.mark.asyncio
async def test_render_template_with_template_dir_and_default_prefix(make_ds, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "show_json.html").write_text(
        '{% extends "default:show_json.html" %}{% block content %}CUSTOM {{ super() }}{% endblock %}')
    (templates / "mine.html").write_text("mine: {{ value }} {{ datasette_version }}")
    ds = make_ds(template_dir=str(templates))
    await ds.invoke_startup()
    context = {"filename": "f.json", "data": [1]}
    overridden = await ds.render_template("show_json.html", context)
    assert "CUSTOM" in overridden and "<h1>f.json</h1>" in overridden
    original = await ds.render_template("default:show_json.html", context)
    assert "CUSTOM" not in original and "<h1>f.json</h1>" in original
    assert (await ds.render_template("mine.html", {"value": "<b>"})).startswith("mine: &lt;b&gt; 1.0a19")


@pytest.mark.asyncio
async def test_render_template_with_context_dataclass(make_ds):
    from datasette.views import Context

    @dataclasses.dataclass
    class PageContext(Context):
        title: str

    ds = make_ds()
    await ds.invoke_startup()
    template = ds.get_jinja_environment().from_string("[{{ title }}]")
    assert await ds.render_template(template, PageContext(title="hi")) == "[hi]"


class JinjaPlugin:
    @hookimpl
    def prepare_jinja2_environment(self, env, datasette):
        async def inner():
            env.filters["shout"] = lambda text: str(text).upper() + "!"
        return inner

    @hookimpl
    def jinja2_environment_from_request(self, request, env):
        if request is not None and request.headers.get("x-theme") == "alt":
            alternative = env.overlay()
            alternative.globals["theme"] = "alt"
            return alternative
        return None


@pytest.mark.asyncio
async def test_jinja_environment_hooks(make_ds, register):
    register(JinjaPlugin())
    ds = make_ds()
    await ds.invoke_startup()
    source = "{{ 'hi' | shout }} {{ theme | default('plain') }}"
    plain = ds.get_jinja_environment(Request.fake("/"))
    assert await ds.render_template(plain.from_string(source)) == "HI! plain"
    alt_request = Request({**Request.fake("/").scope, "headers": [(b"x-theme", b"alt")]}, None)
    alternative = ds.get_jinja_environment(alt_request)
    assert alternative is not plain
    assert await ds.render_template(alternative.from_string(source), request=alt_request) == "HI! alt"


class RendererPlugin:
    @hookimpl
    def register_output_renderer(self, datasette):
        from datasette.utils.asgi import Response

        def render_upper(rows, request):
            return Response.text(",".join(str(r).upper() for r in rows) + f" {request.path}")

        async def render_legacy(rows):
            return {"body": f"{len(rows)} rows", "content_type": "text/x-legacy", "status_code": 201,
                    "headers": {"x-legacy": "1"}}

        return [
            {"extension": "upper", "render": render_upper, "can_render": lambda: False},
            {"extension": "legacy", "callback": render_legacy},
            {"extension": "nothing", "render": lambda: None},
        ]


@pytest.mark.asyncio
async def test_output_renderers(make_ds, register):
    from datasette.utils.asgi import NotFound

    register(RendererPlugin())
    ds = make_ds()
    assert {"upper", "legacy", "nothing"} <= set(ds.renderers)
    render, can_render = ds.renderers["upper"]
    assert can_render() is False
    upper = await ds.render_output("upper", rows=["a", "b"], request=Request.fake("/t"), sql="ignored")
    assert (upper.status, upper.body) == (200, "A,B /t")
    legacy = await ds.render_output("legacy", rows=[1, 2, 3])
    assert (legacy.status, legacy.body, legacy.content_type) == (201, "3 rows", "text/x-legacy")
    assert legacy.headers["x-legacy"] == "1"
    with pytest.raises(NotFound, match="No data"):
        await ds.render_output("nothing")
    with pytest.raises(KeyError):
        await ds.render_output("no-such-extension")


# -- resolving requests ---------------------------------------------------------------------


def fake(**url_vars) -> Request:
    return Request.fake("/", url_vars=url_vars)


@pytest.mark.asyncio
async def test_resolve_database_table_row(ds):
    assert (await ds.resolve_database(fake(database="fixtures"))).name == "fixtures"
    table = await ds.resolve_table(fake(database="fixtures", table="table~2Fwith~2Fslashes~2Ecsv"))
    assert (table.db.name, table.table, table.is_view) == ("fixtures", "table/with/slashes.csv", False)
    view = await ds.resolve_table(fake(database="fixtures", table="simple_view"))
    assert view.is_view is True
    row = await ds.resolve_row(fake(database="fixtures", table="compound_primary_key", pks="a~2Fb,~2Ec-d"))
    assert (row.pks, row.pk_values) == (["pk1", "pk2"], ["a/b", ".c-d"])
    assert dict(row.row) == {"pk1": "a/b", "pk2": ".c-d", "content": "c"}
    simple = await ds.resolve_row(fake(database="fixtures", table="simple_primary_key", pks="2"))
    assert simple.row["content"] == "world"


@pytest.mark.asyncio
@pytest.mark.parametrize("url_vars,method,error", [
    ({"database": "nope"}, "resolve_database", DatabaseNotFound),
    ({"database": "nope", "table": "t"}, "resolve_table", DatabaseNotFound),
    ({"database": "fixtures", "table": "nope"}, "resolve_table", TableNotFound),
    ({"database": "fixtures", "table": "facetable", "pks": "999"}, "resolve_row", RowNotFound),
    ({"database": "fixtures", "table": "compound_primary_key", "pks": "a"}, "resolve_row", RowNotFound),
])
async def test_resolve_not_found(ds, url_vars, method, error):
    with pytest.raises(error) as raised:
        await getattr(ds, method)(fake(**url_vars))
    assert raised.value.status == 404


# -- in-process clients ---------------------------------------------------------------------


def test_test_client(make_ds, fixtures_db):
    client = TestClient(make_ds([fixtures_db], settings={"base_url": "/prefix/"}))
    response = client.get("/-/versions.json")
    assert response.status == response.status_code == 200
    assert response.json["asgi"] == "3.0"
    assert response.headers["content-type"].startswith("application/json")
    assert json.loads(response.text) == response.json and response.body == response.content
    redirect = client.get("/-/versions.json/")
    assert (redirect.status, redirect.headers["location"]) == (302, "/prefix/-/versions.json")
    followed = client.get("/-/versions.json/", follow_redirects=True)
    assert followed.status == 200
    assert client.get("/-/versions.json", method="HEAD").body == b""
    assert client.post("/-/versions.json", post_data={"a": "b"}).status == 405
    actor = client.get("/-/actor.json", cookies={"ds_actor": client.actor_cookie({"id": "x"})})
    assert actor.status == 200


@pytest.mark.asyncio
async def test_datasette_client_applies_base_url(make_ds):
    ds = make_ds(settings={"base_url": "/prefix/"})
    response = await ds.client.get("/-/versions.json")
    assert str(response.request.url) == "http://localhost/prefix/-/versions.json"
    already = await ds.client.get(ds.urls.path("/-/versions.json"))  # PrefixedUrlString: not doubled
    assert str(already.request.url) == "http://localhost/prefix/-/versions.json"
    raw = await ds.client.get("/-/settings.json", avoid_path_rewrites=True)
    assert str(raw.request.url) == "http://localhost/-/settings.json"
    assert raw.json()["base_url"] == "/prefix/"
    for method in ("post", "put", "patch", "delete"):
        assert (await getattr(ds.client, method)("/-/versions.json")).status_code == 405
    assert (await ds.client.options("/-/versions.json")).status_code == 200


# -- configuration directories --------------------------------------------------------------


@pytest.fixture
def config_dir(tmp_path) -> Path:
    directory = tmp_path / "config"
    directory.mkdir()
    make_fixtures_db(directory / "fixtures.db")
    conn = sqlite3.connect(directory / "frozen.sqlite")
    conn.execute("create table t (id integer)")
    conn.close()
    (directory / "metadata.yaml").write_text("title: From the directory\n")
    (directory / "datasette.yaml").write_text(
        "settings:\n  sql_time_limit_ms: 1234\nplugins:\n  p:\n    a: 1\n")
    (directory / "inspect-data.json").write_text(json.dumps(
        {"frozen": {"hash": "abc", "size": (directory / "frozen.sqlite").stat().st_size, "file": "frozen.sqlite",
                    "tables": {"t": {"count": 0}}}}))
    (directory / "templates").mkdir()
    (directory / "templates" / "show_json.html").write_text("DIR TEMPLATE {{ filename }}")
    (directory / "plugins").mkdir()
    (directory / "plugins" / "dir_plugin.py").write_text(
        "from datasette import hookimpl\n\n@hookimpl\ndef extra_template_vars():\n"
        "    return {'dir_plugin': 'loaded'}\n")
    (directory / "static").mkdir()
    (directory / "static" / "hello.txt").write_text("hello static")
    return directory


async def check_config_dir_instance(ds: Datasette) -> None:
    assert sorted(ds.databases) == ["fixtures", "frozen"]
    assert ds.databases["fixtures"].is_mutable and not ds.databases["frozen"].is_mutable
    assert ds.setting("sql_time_limit_ms") == 1234
    assert ds.plugin_config("p") == {"a": 1}
    await ds.invoke_startup()
    assert (await ds.get_instance_metadata())["title"] == "From the directory"
    assert ds.inspect_data["frozen"]["hash"] == "abc"
    page = await ds.client.get("/-/versions")
    assert page.text.startswith("DIR TEMPLATE versions.json")
    static = await ds.client.get("/static/hello.txt")
    assert (static.status_code, static.text) == (200, "hello static")
    rendered = await ds.render_template(ds.get_jinja_environment().from_string("{{ dir_plugin }}"))
    assert rendered == "loaded"


@pytest.mark.asyncio
async def test_config_dir_through_constructor(make_ds, config_dir):
    await check_config_dir_instance(make_ds(config_dir=config_dir))


def test_config_dir_through_cli(config_dir):
    from click.testing import CliRunner

    from datasette.cli import cli

    result = CliRunner().invoke(cli, ["serve", str(config_dir), "--get", "/-/databases.json"])
    assert result.exit_code == 0, result.output
    databases = {db["name"]: db for db in json.loads(result.output)}
    assert databases["frozen"]["is_mutable"] is False and databases["fixtures"]["is_mutable"] is True
    settings = CliRunner().invoke(cli, ["serve", str(config_dir), "-s", "num_sql_threads", "1",
                                        "--get", "/-/settings.json"])
    assert json.loads(settings.output)["sql_time_limit_ms"] == 1234  # -s merges, not replaces


def test_config_dir_with_broken_yaml(config_dir):
    (config_dir / "datasette.yaml").write_text("settings: [unclosed\n")
    with pytest.raises(StartupError) as error:
        Datasette(config_dir=config_dir)
    assert "datasette.yaml" in str(error.value) and "line" in str(error.value)
