"""The ``datasette`` command line: serve options, errors as one clear line, inspect, plugins."""
from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import click
import httpx
import pytest
from click.testing import CliRunner

from datasette import hookimpl
from datasette.cli import cli, serve
from datasette.plugins import builtin_plugins, pm

DATASETTE = str(Path(sys.executable).parent / "datasette")


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def one_clear_line(output: str) -> str:
    """The error line of a failed command, checking there is no traceback."""
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, output
    return errors[0]


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert re.fullmatch(r"datasette, version 1\.0a19\+kernel\.\d+\n", result.output)


def test_serve_is_the_default_command(fixtures_db):
    explicit = run("serve", fixtures_db, "--get", "/-/databases.json")
    implicit = run(fixtures_db, "--get", "/-/databases.json")
    assert explicit.exit_code == implicit.exit_code == 0
    assert json.loads(explicit.output) == json.loads(implicit.output)
    assert [db["name"] for db in json.loads(implicit.output)] == ["fixtures"]


def test_missing_database_file(tmp_path):
    result = run("serve", str(tmp_path / "missing.db"))
    assert result.exit_code == 2
    assert "missing.db" in one_clear_line(result.output)


def test_create_creates_missing_database(tmp_path):
    path = tmp_path / "new.db"
    result = run("serve", str(path), "--create", "--get", "/-/databases.json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["name"] == "new"
    assert sqlite3.connect(path).execute("select count(*) from sqlite_master").fetchone() == (0,)


def test_file_that_is_not_sqlite(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("this is not a database, just some text " * 50)
    result = run("serve", str(path), "--get", "/")
    assert result.exit_code == 1
    assert "notes.db" in one_clear_line(result.output)


@pytest.mark.parametrize("args,message", [
    (["-s", "no_such_setting", "1"], "Invalid setting 'no_such_setting'"),
    (["-s", "sql_time_limit_ms", "soon"], '"sql_time_limit_ms" should be an integer'),
    (["-s", "force_https_urls", "maybe"], '"force_https_urls" should be on/off/true/false/1/0'),
])
def test_invalid_settings_are_usage_errors(fixtures_db, args, message):
    result = run("serve", fixtures_db, *args, "--get", "/")
    assert result.exit_code == 2
    assert message in one_clear_line(result.output)


def test_settings_and_nested_config_from_command_line(fixtures_db):
    result = run("serve", fixtures_db, "-s", "sql_time_limit_ms", "77", "-s", "plugins.p.key", "v",
                 "-s", "plugins.p.number", "3", "--get", "/-/settings.json")
    assert json.loads(result.output)["sql_time_limit_ms"] == 77
    config = run("serve", fixtures_db, "-s", "plugins.p.number", "3", "--get", "/-/config.json")
    assert json.loads(config.output) == {"plugins": {"p": {"number": 3}}}


@pytest.mark.parametrize("option,filename,content,where", [
    ("-c", "datasette.json", '{"settings": {\n  "base_url": }\n}', "line 2"),
    ("-c", "datasette.yaml", "settings:\n  base_url: [unclosed\n", "line 3"),
    ("-m", "metadata.yaml", "title: ok\n  bad indent: here\n", "line 2"),
    ("-m", "metadata.json", "[1, 2]", "must contain a JSON or YAML object"),
])
def test_malformed_config_and_metadata_files(tmp_path, fixtures_db, option, filename, content, where):
    path = tmp_path / filename
    path.write_text(content)
    result = run("serve", fixtures_db, option, str(path), "--get", "/")
    assert result.exit_code == 2
    line = one_clear_line(result.output)
    assert filename in line and where in line


def test_plugins_dir_module_that_raises_on_import(fixtures_db, write_plugin):
    plugins_dir = write_plugin("raise ValueError('broken on purpose')\n", name="broken_plugin.py")
    result = run("serve", fixtures_db, "--plugins-dir", str(plugins_dir), "--get", "/")
    assert result.exit_code == 1
    line = one_clear_line(result.output)
    assert "broken_plugin.py" in line and "broken on purpose" in line


def _spatialite_installed() -> bool:
    from datasette.utils import SpatialiteNotFound, find_spatialite
    try:
        find_spatialite()
    except SpatialiteNotFound:
        return False
    return True


@pytest.mark.parametrize("args,exit_code,expected", [
    (["--load-extension", "/no/such/extension.so"], 1, "extension"),
    (["--internal", "/no/such/directory/internal.db"], 1, "internal.db"),
    (["--ssl-keyfile", "/no/such.key", "--ssl-certfile", "/no/such.crt"], 2, "such.key"),
    (["--static", "no-colon-here"], 2, "mountpoint:directory"),
    (["--inspect-file", "/no/such/inspect.json"], 2, "inspect.json"),
])
def test_bad_serve_options_are_one_clear_line(fixtures_db, args, exit_code, expected):
    result = run("serve", fixtures_db, *args, "--get", "/-/versions.json")
    assert result.exit_code == exit_code
    assert expected in one_clear_line(result.output)


@pytest.mark.skipif(_spatialite_installed(), reason="SpatiaLite is installed here")
@pytest.mark.parametrize("command", ["serve", "inspect"])
def test_missing_spatialite(fixtures_db, command):
    args = [command, fixtures_db, "--load-extension", "spatialite"]
    result = run(*args, *(["--get", "/"] if command == "serve" else []))
    assert result.exit_code == 1
    assert one_clear_line(result.output) == "Error: Could not find SpatiaLite extension"


def test_token_requires_get(fixtures_db):
    result = run("serve", fixtures_db, "--token", "dstok_x")
    assert result.exit_code == 1
    assert one_clear_line(result.output) == "Error: --token can only be used with --get"


def test_get(fixtures_db):
    ok = run("serve", fixtures_db, "--get", "/-/versions.json")
    assert ok.exit_code == 0
    assert set(json.loads(ok.output)) >= {"python", "datasette", "asgi", "sqlite"}
    missing = run("serve", fixtures_db, "--get", "/nope.json")
    assert missing.exit_code == 1
    assert json.loads(missing.output)["status"] == 404


class CookieActorPlugin:
    """Reads the signed ds_actor cookie the way upstream's actor_auth_cookie does."""

    @hookimpl
    def actor_from_request(self, datasette, request):
        cookie = request.cookies.get("ds_actor")
        return datasette.unsign(cookie, "actor")["a"] if cookie else None


def test_get_with_actor(fixtures_db):
    pm.register(CookieActorPlugin(), name="test_cli_cookie_actor")
    result = run("serve", fixtures_db, "--actor", '{"id": "x"}', "--get", "/-/actor.json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"actor": {"id": "x"}}
    bad = run("serve", fixtures_db, "--actor", "{not json", "--get", "/-/actor.json")
    assert bad.exit_code == 2
    assert "--actor" in one_clear_line(bad.output)


def test_get_with_token_sends_bearer_header(fixtures_db):
    class BearerEcho:
        @hookimpl
        def actor_from_request(self, request):
            header = request.headers.get("authorization", "")
            return {"id": header} if header else None

    pm.register(BearerEcho(), name="test_cli_bearer_echo")
    result = run("serve", fixtures_db, "--token", "dstok_abc", "--get", "/-/actor.json")
    assert json.loads(result.output) == {"actor": {"id": "Bearer dstok_abc"}}


def test_return_instance(fixtures_db):
    ctx = serve.make_context("serve", [fixtures_db, "-s", "sql_time_limit_ms", "42", "--cors",
                                       "--version-note", "note"])
    ds = serve.callback(**ctx.params, return_instance=True)
    try:
        assert list(ds.databases) == ["fixtures"]
        assert ds.setting("sql_time_limit_ms") == 42 and ds.cors is True
        assert ds.version_note == "note"
    finally:
        ds.close()


def test_help_settings_lists_settings():
    result = run("serve", "--help-settings")
    assert result.exit_code == 0
    for name in ("sql_time_limit_ms", "num_sql_threads", "base_url", "force_https_urls"):
        assert re.search(rf"^\s+{name}\s+\S", result.output, re.M), name
    assert "(default=1000)" in result.output


# -- inspect ----------------------------------------------------------------------------


def test_inspect(fixtures_db, tmp_path):
    result = run("inspect", fixtures_db)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert list(data) == ["fixtures"]
    info = data["fixtures"]
    assert set(info) == {"hash", "size", "file", "tables"}
    assert re.fullmatch(r"[0-9a-f]{64}", info["hash"])
    assert info["size"] == os.path.getsize(fixtures_db) and info["file"] == fixtures_db
    assert info["tables"]["simple_primary_key"] == {"count": 3}
    assert info["tables"]["table/with/slashes.csv"] == {"count": 1}
    assert "simple_view" not in info["tables"]
    out = tmp_path / "inspect.json"
    assert run("inspect", fixtures_db, "--inspect-file", str(out)).output == ""
    assert json.loads(out.read_text()) == data


def test_inspect_file_feeds_serve(fixtures_db, tmp_path):
    out = tmp_path / "inspect.json"
    run("inspect", fixtures_db, "--inspect-file", str(out))
    result = run("serve", "-i", fixtures_db, "--inspect-file", str(out), "--get", "/-/databases.json")
    assert result.exit_code == 0, result.output
    database = json.loads(result.output)[0]
    assert database["is_mutable"] is False
    assert database["hash"] == json.loads(out.read_text())["fixtures"]["hash"]
    broken = tmp_path / "broken.json"
    broken.write_text("{nope")
    bad = run("serve", fixtures_db, "--inspect-file", str(broken), "--get", "/")
    assert bad.exit_code == 2 and "broken.json" in one_clear_line(bad.output)


def test_inspect_errors(tmp_path):
    not_sqlite = tmp_path / "text.db"
    not_sqlite.write_text("plain text " * 100)
    result = run("inspect", str(not_sqlite))
    assert result.exit_code == 1 and "text.db" in one_clear_line(result.output)
    missing = run("inspect", str(tmp_path / "missing.db"))
    assert missing.exit_code == 2 and "missing.db" in one_clear_line(missing.output)


# -- plugins ------------------------------------------------------------------------------


def test_plugins_command(write_plugin):
    assert json.loads(run("plugins").output) == []
    every = json.loads(run("plugins", "--all").output)
    assert [p["name"] for p in every] == sorted(m.__name__ for m in builtin_plugins().values())
    for plugin in every:
        assert set(plugin) == {"name", "static", "templates", "version", "hooks", "enabled"}
    plugins_dir = write_plugin("from datasette import hookimpl\n\n@hookimpl\ndef startup():\n    pass\n")
    listed = json.loads(run("plugins", "--plugins-dir", str(plugins_dir)).output)
    assert listed == [{"name": "my_plugin.py", "static": False, "templates": False,
                       "version": None, "hooks": ["startup"], "enabled": True}]


def test_plugins_command_says_which_are_enabled(monkeypatch):
    monkeypatch.setenv("DATASETTE_DISABLE_PLUGINS", "theme,sql_functions")
    every = {p["name"]: p["enabled"] for p in json.loads(run("plugins", "--all").output)}
    assert {name for name, enabled in every.items() if not enabled} == {
        "datasette_builtins.theme", "datasette_builtins.sql_functions"}
    monkeypatch.setenv("DATASETTE_DISABLE_PLUGINS", "no_such_plugin")
    result = run("plugins")
    assert result.exit_code == 1 and "Unknown plugin to disable: no_such_plugin" in result.output


def test_plugins_requirements_lists_installed_distributions(monkeypatch):
    from types import SimpleNamespace

    class Installed:
        @hookimpl
        def startup(self):
            pass

    plugin = Installed()
    pm.register(plugin, name="datasette_fake")
    monkeypatch.setattr(pm, "_plugin_distinfo", [
        *pm._plugin_distinfo, (plugin, SimpleNamespace(name="datasette-fake", version="1.2", metadata={}))])
    result = run("plugins", "--requirements")
    assert result.output == "datasette-fake==1.2\n"
    assert json.loads(run("plugins").output)[0]["version"] == "1.2"


def test_register_commands_from_plugin():
    class CommandsPlugin:
        @hookimpl
        def register_commands(self, cli):
            @cli.command(name="test-hello")
            @click.argument("name")
            def hello(name):
                """Say hello."""
                click.echo(f"hello {name}")

    pm.register(CommandsPlugin(), name="test_cli_commands")
    try:
        result = run("test-hello", "world")
        assert (result.exit_code, result.output) == (0, "hello world\n")
        assert "test-hello" in run("--help").output
    finally:
        cli.commands.pop("test-hello", None)


# -- real processes -------------------------------------------------------------------------


def test_subprocess_errors_are_one_line(tmp_path):
    result = subprocess.run([DATASETTE, "serve", str(tmp_path / "missing.db")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "missing.db" in one_clear_line(result.stderr)


def test_port_already_in_use(fixtures_db):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([DATASETTE, "serve", fixtures_db, "-p", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    line = one_clear_line(result.stderr)
    assert str(port) in line and "-p" in line


@pytest.mark.serial
def test_root_prints_login_url_for_a_real_server(fixtures_db):
    process = subprocess.Popen(
        [DATASETTE, "serve", fixtures_db, "--root", "-p", "0"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = process.stdout.readline()
        found = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/-/auth-token\?token=([0-9a-f]{64})\n", line)
        assert found, line
        port = int(found.group(1))
        assert port != 0
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/-/versions.json")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.05)
        assert response.status_code == 200
    finally:
        process.terminate()
        process.communicate(timeout=10)
