"""Plugin loading: plugins-dir files, disabling built-ins, entry points, hook dispatch order."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from datasette import hookimpl, plugins
from datasette.app import Datasette
from datasette.cli import cli
from datasette.plugins import builtin_plugins, pm
from datasette.utils import StartupError

UPSTREAM_STYLE_PLUGIN = '''
from datasette import hookimpl
from datasette.utils.asgi import Response
from datasette.views.base import View


async def hello(datasette, request):
    return Response.json({"startup": datasette._my_plugin_started, "path": request.path})


class Greeting(View):
    async def get(self, request, datasette):
        return Response.text("hello " + request.url_vars["name"])


@hookimpl
def register_routes(datasette):
    return [
        (r"^/-/hello$", hello),
        (r"^/-/greet/(?P<name>\\w+)$", Greeting),
    ]


@hookimpl
def prepare_connection(conn):
    conn.create_function("my_fn", 0, lambda: "from my_fn")


@hookimpl
def startup(datasette):
    async def inner():
        datasette._my_plugin_started = "yes"
    return inner


@hookimpl
def extra_template_vars(view_name):
    return {"my_var": "extra-" + str(view_name)}
'''

PLUGIN_HOOKS = ["extra_template_vars", "prepare_connection", "register_routes", "startup"]
BUILTIN_NAMES = sorted(builtin_plugins())


@pytest.fixture
def upstream_plugin_dir(write_plugin) -> Path:
    return write_plugin(UPSTREAM_STYLE_PLUGIN)


@pytest.mark.asyncio
async def test_upstream_style_plugin_works_unchanged(make_ds, fixtures_db, upstream_plugin_dir):
    ds = make_ds([fixtures_db], plugins_dir=str(upstream_plugin_dir))
    await ds.invoke_startup()
    assert ds._my_plugin_started == "yes"
    hello = await ds.client.get("/-/hello")
    assert hello.status_code == 200
    assert hello.json() == {"startup": "yes", "path": "/-/hello"}
    greet = await ds.client.get("/-/greet/world")
    assert (greet.status_code, greet.text) == (200, "hello world")
    result = await ds.get_database("fixtures").execute("select my_fn()")
    assert result.single_value() == "from my_fn"
    html = await ds.render_template(
        ds.get_jinja_environment().from_string("{{ my_var }}"), {}, view_name="custom")
    assert html == "extra-custom"


@pytest.mark.asyncio
async def test_class_view_rejects_unsupported_methods(make_ds, upstream_plugin_dir):
    ds = make_ds(plugins_dir=str(upstream_plugin_dir))
    response = await ds.client.post("/-/greet/world")
    assert (response.status_code, response.text) == (405, "Method not allowed")
    head = await ds.client.head("/-/greet/world")
    assert head.status_code == 200 and head.content == b""


def test_upstream_style_plugin_through_cli(fixtures_db, upstream_plugin_dir):
    result = CliRunner().invoke(
        cli, ["serve", fixtures_db, "--plugins-dir", str(upstream_plugin_dir), "--get", "/-/hello"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"startup": "yes", "path": "/-/hello"}


@pytest.mark.asyncio
async def test_plugins_json_lists_plugins_dir_module(make_ds, upstream_plugin_dir):
    ds = make_ds(plugins_dir=str(upstream_plugin_dir))
    response = await ds.client.get("/-/plugins.json")
    assert response.json() == [{
        "name": "my_plugin.py", "static": False, "templates": False, "version": None,
        "hooks": PLUGIN_HOOKS,
    }]


@pytest.mark.asyncio
async def test_plugins_json_all_adds_builtins_with_versions(make_ds, upstream_plugin_dir):
    ds = make_ds(plugins_dir=str(upstream_plugin_dir))
    listed = (await ds.client.get("/-/plugins.json?all=1")).json()
    by_name = {p["name"]: p for p in listed}
    assert [p["name"] for p in listed] == sorted(by_name)
    assert "my_plugin.py" in by_name
    for short_name, module in builtin_plugins().items():
        entry = by_name[module.__name__]
        assert entry["version"] == module.__version__
        assert entry["enabled"] is True
        assert entry["hooks"] == sorted(set(entry["hooks"]))
    assert "register_routes" in by_name["datasette_builtins.introspection"]["hooks"]


@pytest.mark.asyncio
async def test_misspelled_hook_is_a_startup_error(make_ds, write_plugin):
    plugins_dir = write_plugin(
        """
        from datasette import hookimpl

        @hookimpl
        def prepare_conection(conn):
            pass
        """, name="typo_plugin.py")
    ds = make_ds(plugins_dir=str(plugins_dir))
    with pytest.raises(StartupError) as error:
        await ds.invoke_startup()
    message = str(error.value)
    assert "typo_plugin.py" in message
    assert "prepare_conection(conn)" in message


def test_plugins_dir_module_that_fails_to_import(write_plugin):
    plugins_dir = write_plugin("raise RuntimeError('boom at import')\n", name="broken.py")
    with pytest.raises(StartupError) as error:
        Datasette(plugins_dir=str(plugins_dir))
    assert "broken.py" in str(error.value) and "boom at import" in str(error.value)


def test_hook_with_unknown_argument_is_a_startup_error(write_plugin):
    plugins_dir = write_plugin(
        """
        from datasette import hookimpl

        @hookimpl
        def startup(datasette, nonsense):
            pass
        """, name="bad_arguments.py")
    with pytest.raises(StartupError) as error:
        Datasette(plugins_dir=str(plugins_dir))
    message = str(error.value)
    assert "\n" not in message
    assert "bad_arguments.py" in message and "startup" in message and "nonsense" in message


# -- disabling plugins --------------------------------------------------------------


def _enabled_names(ds) -> set[str]:
    return {getattr(p, "__name__", None) for p in ds.enabled_plugins()}


@pytest.mark.asyncio
@pytest.mark.parametrize("short_name", BUILTIN_NAMES)
@pytest.mark.parametrize("form", ["short", "module"])
async def test_each_builtin_can_be_disabled(make_ds, fixtures_db, short_name, form):
    module_name = builtin_plugins()[short_name].__name__
    ds = make_ds([fixtures_db], disabled_plugins=[short_name if form == "short" else module_name])
    await ds.invoke_startup()
    assert module_name not in _enabled_names(ds)
    assert len(_enabled_names(ds)) == len(BUILTIN_NAMES) - 1
    # The app still starts and answers: unknown paths are a 404, never a 500.
    response = await ds.client.get("/no-such-page.json")
    assert response.status_code == 404
    versions = await ds.client.get("/-/versions.json")
    assert versions.status_code == (404 if short_name == "introspection" else 200)


@pytest.mark.parametrize("short_name", BUILTIN_NAMES)
def test_disable_plugin_through_cli(fixtures_db, short_name):
    result = CliRunner().invoke(cli, ["serve", fixtures_db, "--disable-plugin", short_name,
                                      "--get", "/-/plugins.json?all=1"])
    if short_name == "introspection":
        assert result.exit_code == 1
        assert json.loads(result.output)["status"] == 404
        return
    assert result.exit_code == 0, result.output
    enabled = {p["name"]: p["enabled"] for p in json.loads(result.output)}
    assert enabled.pop(builtin_plugins()[short_name].__name__) is False
    assert all(enabled.values())


def test_disable_plugins_env_var(make_ds, monkeypatch):
    monkeypatch.setenv("DATASETTE_DISABLE_PLUGINS", "theme,introspection")
    ds = make_ds()
    enabled = _enabled_names(ds)
    assert "datasette_builtins.error_pages" in enabled
    assert not enabled & {"datasette_builtins.theme", "datasette_builtins.introspection"}
    assert len(enabled) == len(BUILTIN_NAMES) - 2


def test_disabled_plugins_config_key(make_ds):
    ds = make_ds(config={"disabled_plugins": ["error_pages"]})
    assert "datasette_builtins.error_pages" not in _enabled_names(ds)
    assert "datasette_builtins.theme" in _enabled_names(ds)


def test_disabling_an_unknown_plugin_names_it():
    with pytest.raises(StartupError) as error:
        Datasette(disabled_plugins=["no_such_plugin"])
    assert "no_such_plugin" in str(error.value)


def test_disable_unknown_plugin_through_cli():
    result = CliRunner().invoke(cli, ["serve", "--disable-plugin", "nope", "--get", "/"])
    assert result.exit_code == 1
    assert "nope" in result.output and "Traceback" not in result.output


def test_disabling_a_required_plugin_names_both(make_ds, write_plugin):
    plugins_dir = write_plugin(
        """
        from datasette import hookimpl

        REQUIRES = ("introspection",)

        @hookimpl
        def startup(datasette):
            pass
        """, name="needs_introspection.py")
    with pytest.raises(StartupError) as error:
        Datasette(plugins_dir=str(plugins_dir), disabled_plugins=["introspection"])
    assert "introspection" in str(error.value)
    assert "needs_introspection.py" in str(error.value)
    # Disabling both is allowed.
    ds = make_ds(plugins_dir=str(plugins_dir),
                 disabled_plugins=["introspection", "needs_introspection.py"])
    assert "datasette_builtins.introspection" not in _enabled_names(ds)


@pytest.mark.asyncio
async def test_disabling_is_per_instance(make_ds, upstream_plugin_dir):
    with_plugin = make_ds(plugins_dir=str(upstream_plugin_dir))
    without = make_ds(plugins_dir=str(upstream_plugin_dir), disabled_plugins=["my_plugin.py"])
    assert (await with_plugin.client.get("/-/hello")).status_code == 200
    assert (await without.client.get("/-/hello")).status_code == 404
    await without.invoke_startup()
    assert not hasattr(without, "_my_plugin_started")


# -- precedence over built-ins ----------------------------------------------------------


@pytest.mark.asyncio
async def test_third_party_route_overrides_builtin(make_ds, write_plugin):
    plugins_dir = write_plugin(
        """
        from datasette import hookimpl
        from datasette.utils.asgi import Response

        @hookimpl
        def register_routes():
            return [(r"^/-/versions\\.json$", lambda: Response.json({"overridden": True}))]
        """)
    ds = make_ds(plugins_dir=str(plugins_dir))
    response = await ds.client.get("/-/versions.json")
    assert response.json() == {"overridden": True}
    # The HTML form of the built-in page is untouched.
    assert (await ds.client.get("/-/versions")).status_code == 200


@pytest.mark.asyncio
async def test_third_party_error_hooks_take_precedence(make_ds, write_plugin):
    plugins_dir = write_plugin(
        """
        from datasette import hookimpl
        from datasette.utils.asgi import Forbidden, Response

        @hookimpl
        def register_routes():
            async def deny():
                raise Forbidden("not you")
            return [(r"^/deny$", deny)]

        @hookimpl
        def handle_exception(exception):
            return Response.text("custom error: " + type(exception).__name__, status=418)

        @hookimpl
        def forbidden(message):
            async def inner():
                return Response.text("custom forbidden: " + message, status=403)
            return inner
        """)
    ds = make_ds(plugins_dir=str(plugins_dir))
    missing = await ds.client.get("/missing/path/with/five/parts")
    assert (missing.status_code, missing.text) == (418, "custom error: NotFound")
    missing_database = await ds.client.get("/missing")
    assert (missing_database.status_code, missing_database.text) == (418, "custom error: DatabaseNotFound")
    denied = await ds.client.get("/deny")
    assert (denied.status_code, denied.text) == (403, "custom forbidden: not you")


# -- installed (entry-point) plugins -------------------------------------------------


class FakeEntryPoint:
    def __init__(self, name: str, dist_name: str, plugin: object) -> None:
        self.name = name
        self.group = "datasette"
        self.dist = SimpleNamespace(name=dist_name, version="9.9", metadata={"name": dist_name})
        self._plugin = plugin

    def load(self) -> object:
        return self._plugin


def _fake_installed(monkeypatch) -> dict[str, object]:
    class One:
        @hookimpl
        def startup(self, datasette):
            pass

    class Two:
        @hookimpl
        def startup(self, datasette):
            pass

    found = {"datasette-one": One(), "datasette_two": Two()}
    real_entry_points = plugins.entry_points

    def fake_entry_points(group):
        if group != "datasette":
            return real_entry_points(group=group)
        return [FakeEntryPoint(dist.replace("-", "_"), dist, plugin) for dist, plugin in found.items()]

    monkeypatch.setattr(plugins, "entry_points", fake_entry_points)
    return found


@pytest.mark.parametrize("env_value,expected", [
    (None, []),  # tests set sys._called_from_test: installed plugins stay out
    ("", []),
    ("datasette-one", ["datasette-one"]),
    ("datasette_one, datasette-two", ["datasette-one", "datasette_two"]),
])
def test_load_plugins_env_var_selects_distributions(monkeypatch, env_value, expected):
    _fake_installed(monkeypatch)
    if env_value is None:
        monkeypatch.delenv("DATASETTE_LOAD_PLUGINS", raising=False)
    else:
        monkeypatch.setenv("DATASETTE_LOAD_PLUGINS", env_value)
    assert [ep.dist.name for ep in plugins.installed_entry_points()] == expected


def test_load_plugins_env_var_reports_unknown_names(monkeypatch, capsys):
    _fake_installed(monkeypatch)
    monkeypatch.setenv("DATASETTE_LOAD_PLUGINS", "datasette-one,datasette-missing")
    assert [ep.name for ep in plugins.installed_entry_points()] == ["datasette_one"]
    assert "Plugin datasette-missing could not be found" in capsys.readouterr().err


def test_without_test_flag_all_installed_plugins_load(monkeypatch):
    _fake_installed(monkeypatch)
    monkeypatch.delenv("DATASETTE_LOAD_PLUGINS", raising=False)
    monkeypatch.delattr(sys, "_called_from_test")
    assert len(plugins.installed_entry_points()) == 2


def test_loaded_entry_point_plugins_report_distribution_versions(monkeypatch):
    found = _fake_installed(monkeypatch)
    monkeypatch.setenv("DATASETTE_LOAD_PLUGINS", "datasette-one")
    monkeypatch.setattr(plugins, "_loaded", False)
    monkeypatch.setattr(pm, "_plugin_distinfo", list(pm._plugin_distinfo))
    plugins.load_plugins()
    assert pm.is_registered(found["datasette-one"])
    assert not pm.is_registered(found["datasette_two"])
    described = [p for p in plugins.get_plugins() if p["distribution"] == "datasette-one"]
    assert [(p["name"], p["version"], p["hooks"]) for p in described] == \
        [("datasette_one", "9.9", ["startup"])]
    # Installed plugins can be disabled by distribution name too.
    ds = Datasette(disabled_plugins=["datasette-one"])
    try:
        assert found["datasette-one"] not in ds.enabled_plugins()
    finally:
        ds.close()


def test_trace_plugins_env_var_prints_hook_calls(tmp_path):
    env = {**os.environ, "DATASETTE_TRACE_PLUGINS": "1", "DATASETTE_LOAD_PLUGINS": ""}
    datasette = str(Path(sys.executable).parent / "datasette")
    result = subprocess.run([datasette, "serve", "--get", "/-/versions.json"],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "register_routes" in result.stderr
    assert "startup" in result.stderr
    assert json.loads(result.stdout)["asgi"] == "3.0"
