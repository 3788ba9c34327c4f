"""The ``datasette`` command line: ``serve`` (the default), ``inspect``, ``plugins``.

Plugins add commands through ``register_commands``; the hook runs the first time
click asks the group for its commands, not at import time.
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import sys
import webbrowser
from pathlib import Path
from typing import Any

import click
from click_default_group import DefaultGroup

from datasette import plugins as plugin_loader
from datasette.config_dir import read_config_dir, read_config_file
from datasette.inspect import InspectData, inspect_files
from datasette.settings import collect_settings
from datasette.utils import (
    SpatialiteNotFound,
    StartupError,
    find_spatialite,
    initial_path_for_datasette,
    pairs_to_nested_config,
)
from datasette.version import __version__


class DatasetteGroup(DefaultGroup):
    """A default-command group that adds plugin commands on first use.

    Plugins registered later (as plugin test suites do with ``pm.register``) get
    their ``register_commands`` called the next time the group is used.
    """

    _plugins_with_commands: list[Any] = []
    _load_error: str | None = None

    def _add_plugin_commands(self) -> None:
        try:
            plugin_loader.load_plugins()
        except StartupError as error:
            # The plugins that did load (the built-ins) still add their commands, so that
            # `datasette uninstall` can remove a broken plugin; commands that need every
            # plugin report the error again when they load them.
            if DatasetteGroup._load_error is None:
                DatasetteGroup._load_error = str(error)
                click.echo(f"Warning: {error}", err=True)
        pm, done = plugin_loader.pm, self._plugins_with_commands
        new = [p for p in pm.get_plugins() if all(p is not seen for seen in done)]
        if new:
            done.extend(new)
            pm.subset_hook_caller("register_commands", remove_plugins=[
                p for p in pm.get_plugins() if all(p is not n for n in new)])(cli=self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_plugin_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        self._add_plugin_commands()
        return super().get_command(ctx, name)


@click.group(cls=DatasetteGroup, default="serve", default_if_no_args=True)
@click.version_option(version=__version__, prog_name="datasette")
def cli() -> None:
    """Datasette is an open source multi-tool for exploring and publishing data.

    \b
    About Datasette: https://datasette.io/
    Full documentation: https://docs.datasette.io/
    """


class StaticMount(click.ParamType):
    name = "mount:directory"

    def convert(self, value: Any, param: Any, ctx: Any) -> tuple[str, str]:
        if ":" not in value:
            self.fail(f'"{value}" should be of format mountpoint:directory', param, ctx)
        path, dirpath = value.split(":", 1)
        dirpath = os.path.abspath(dirpath)
        if not os.path.exists(dirpath) or not os.path.isdir(dirpath):
            self.fail(f"{value} is not a valid directory path", param, ctx)
        return path, dirpath


def _read_config_file(file: Any, label: str) -> dict:
    if file is None:
        return {}
    try:
        return read_config_file(file.name, file.read())
    except StartupError as error:
        raise click.BadParameter(str(error), param_hint=label) from None


def _check_port(host: str, port: int) -> int:
    """The port to serve on: ``port`` if it is free, a free one if it is 0."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            raise click.ClickException(f"Cannot listen on {host}:{port}: {error.strerror} "
                                       f"(choose another port with -p)") from None
        return sock.getsockname()[1]


@cli.command()
@click.argument("files", type=click.Path(), nargs=-1)
@click.option("-i", "--immutable", type=click.Path(exists=True), multiple=True,
              help="Database files to open in immutable mode")
@click.option("-h", "--host", default="127.0.0.1", show_default=True, help="Host for server")
@click.option("-p", "--port", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="Port for server, defaults to 8001. Use -p 0 to automatically assign an available port.")
@click.option("--uds", help="Bind to a Unix domain socket")
@click.option("--reload", is_flag=True, help="Automatically reload if code or metadata change detected")
@click.option("--cors", is_flag=True, help="Enable CORS by serving Access-Control-Allow-Origin: *")
@click.option("sqlite_extensions", "--load-extension", envvar="DATASETTE_LOAD_EXTENSION", multiple=True,
              help="Path to a SQLite extension to load, and optional entrypoint")
@click.option("--inspect-file", help='Path to JSON file created using "datasette inspect"')
@click.option("-m", "--metadata", type=click.File(mode="r"), help="Path to JSON/YAML file containing metadata")
@click.option("--template-dir", type=click.Path(exists=True, file_okay=False, dir_okay=True),
              help="Path to directory containing custom templates")
@click.option("--plugins-dir", type=click.Path(exists=True, file_okay=False, dir_okay=True),
              help="Path to directory containing custom plugins")
@click.option("--static", type=StaticMount(), multiple=True, help="Serve static files from this directory at /MOUNT/...")
@click.option("--memory", is_flag=True, help="Make /_memory database available")
@click.option("-c", "--config", type=click.File(mode="r"), help="Path to JSON/YAML Datasette configuration file")
@click.option("-s", "--setting", "settings", type=click.Tuple([str, str]), multiple=True,
              help="nested.key, value setting to use in Datasette configuration")
@click.option("--secret", envvar="DATASETTE_SECRET", help="Secret used for signing secure values")
@click.option("--root", is_flag=True, help="Output URL that sets a cookie authenticating the root user")
@click.option("--get", help="Run an HTTP GET request against this path, print results and exit")
@click.option("--token", help="API token to send with --get requests")
@click.option("--actor", help="Actor to use for --get requests (JSON string)")
@click.option("--version-note", help="Additional note to show on /-/versions")
@click.option("--help-settings", is_flag=True, help="Show available settings")
@click.option("--pdb", is_flag=True, help="Launch debugger on any errors")
@click.option("-o", "--open", "open_browser", is_flag=True, help="Open Datasette in your web browser")
@click.option("--create", is_flag=True, help="Create database files if they do not exist")
@click.option("--crossdb", is_flag=True, help="Enable cross-database joins using the /_memory database")
@click.option("--nolock", is_flag=True, help="Ignore locking, open locked files in read-only mode")
@click.option("--ssl-keyfile", envvar="DATASETTE_SSL_KEYFILE", type=click.Path(exists=True, dir_okay=False),
              help="SSL key file")
@click.option("--ssl-certfile", envvar="DATASETTE_SSL_CERTFILE", type=click.Path(exists=True, dir_okay=False),
              help="SSL certificate file")
@click.option("--internal", type=click.Path(), help="Path to a persistent Datasette internal SQLite database")
@click.option("--disable-plugin", "disabled_plugins", multiple=True,
              help="Switch off a plugin, built-in or installed (repeatable)")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Number of worker processes serving on the same port (mutable databases switch to WAL mode)")
def serve(files: tuple[str, ...], immutable: tuple[str, ...], host: str, port: int, uds: str | None,
          reload: bool, cors: bool, sqlite_extensions: tuple[str, ...], inspect_file: str | None,
          metadata: Any, template_dir: str | None, plugins_dir: str | None,
          static: tuple[tuple[str, str], ...], memory: bool, config: Any,
          settings: tuple[tuple[str, str], ...], secret: str | None, root: bool, get: str | None,
          token: str | None, actor: str | None, version_note: str | None, help_settings: bool,
          pdb: bool, open_browser: bool, create: bool, crossdb: bool, nolock: bool,
          ssl_keyfile: str | None, ssl_certfile: str | None, internal: str | None,
          disabled_plugins: tuple[str, ...], workers: int = 1, return_instance: bool = False) -> Any:
    """Serve up specified SQLite database files with a web UI"""
    if help_settings:
        _print_settings()
        return None
    if token and not get:
        raise click.ClickException("--token can only be used with --get")
    if reload:
        import hupper
        reloader = hupper.start_reloader("datasette.cli.serve")
        reloader.watch_files([f for f in files + immutable if os.path.isfile(f)] +
                             [f.name for f in (metadata, config) if f is not None])
    config_dir = None
    extra: dict[str, Any] = {}
    if len(files) == 1 and os.path.isdir(files[0]):
        config_dir, files = Path(files[0]), ()
        try:  # its metadata and config are read here so that -s can merge into them
            extra = read_config_dir(config_dir)
        except StartupError as error:
            raise click.ClickException(str(error)) from None
    for file in files:
        if not os.path.exists(file):
            if not create:
                raise click.BadParameter(f"Path '{file}' does not exist.", param_hint="'[FILES]...'")
            from datasette.utils.sqlite import sqlite3
            sqlite3.connect(file).execute("vacuum")
    config_data = _read_config_file(config, "'-c' / '--config'") or extra.get("config") or {}
    metadata_data = _read_config_file(metadata, "'-m' / '--metadata'") or extra.get("metadata") or {}
    plain_settings = {}
    for name, value in settings:
        if "." in name:
            config_data = _deep_merge(config_data, pairs_to_nested_config([(name, value)]))
        else:
            plain_settings[name] = value
    inspect_data = None
    if inspect_file:
        try:
            inspect_data = json.loads(Path(inspect_file).read_text())
        except (OSError, ValueError) as error:
            raise click.BadParameter(f"{inspect_file}: {error}", param_hint="'--inspect-file'") from None
        if isinstance(inspect_data, dict):
            inspect_data = InspectData(inspect_data, os.stat(inspect_file).st_mtime_ns)
    from datasette.app import Datasette
    serve_workers = workers > 1 and not get and not return_instance
    kwargs: dict[str, Any] = dict(
        files=list(dict.fromkeys(f for f in files if f not in immutable)),
        immutables=list(dict.fromkeys(immutable)), cache_headers=not reload, cors=cors,
        inspect_data=inspect_data, config=config_data, metadata=metadata_data,
        sqlite_extensions=_resolve_extensions(sqlite_extensions), template_dir=template_dir,
        plugins_dir=plugins_dir, static_mounts=list(static), memory=memory,
        settings=_validated_cli_settings(plain_settings),
        secret=secret or (secrets.token_hex(32) if serve_workers else None),  # one secret for every worker
        version_note=version_note, config_dir=config_dir, pdb=pdb, crossdb=crossdb,
        nolock=nolock, internal=internal, disabled_plugins=disabled_plugins)
    try:
        ds = Datasette(**kwargs)
    except StartupError as error:
        raise click.ClickException(str(error)) from None
    if return_instance:
        return ds
    try:
        if serve_workers:
            from datasette.workers import enable_wal
            enable_wal(ds)  # before any connection is opened
        asyncio.run(_startup(ds))
    except StartupError as error:
        ds.close()
        raise click.ClickException(str(error)) from None
    if get:
        try:
            return _get(ds, get, token, actor)
        finally:
            ds.close()
    if not uds:
        port = _check_port(host, port)
    url = None
    if root:
        ds._root_token = secrets.token_hex(32)
        url = f"http://{host}:{port}{ds.urls.path('-/auth-token')}?token={ds._root_token}"
        click.echo(url)
    if open_browser:
        path = url or asyncio.run(initial_path_for_datasette(ds))
        webbrowser.open(path if path.startswith("http") else f"http://{host}:{port}{path}")
    import uvicorn
    options: dict[str, Any] = dict(host=host, port=port, log_level="info", lifespan="on", workers=1)
    if uds:
        options["uds"] = uds
    if ssl_keyfile:
        options["ssl_keyfile"] = ssl_keyfile
    if ssl_certfile:
        options["ssl_certfile"] = ssl_certfile
    if serve_workers:
        from datasette.workers import run_workers
        ds.close()  # each worker opens its own connections, and trusts only the inspect data checked here
        kwargs["inspect_data"] = {name: inspect_data[name] for name in ds._inspected_databases}
        run_workers(kwargs, options, workers, ds._root_token)
        return None
    uvicorn.run(ds.app(), **options)
    return None


def _resolve_extensions(extensions: tuple[str, ...]) -> list[str]:
    """``spatialite`` (optionally ``spatialite:ENTRYPOINT``) means the installed mod_spatialite."""
    resolved = []
    for extension in extensions:
        if extension.split(":")[0] == "spatialite":
            try:
                extension = find_spatialite() + extension[len("spatialite"):]
            except SpatialiteNotFound:
                raise click.ClickException("Could not find SpatiaLite extension") from None
        resolved.append(extension)
    return resolved


async def _startup(ds: Any) -> None:
    await ds.check_databases()  # first, so a file that is not SQLite gets a clear error
    await ds.invoke_startup()
    ds._refresh_lock = None  # created on this temporary loop; the server makes its own


def _deep_merge(base: dict, extra: dict) -> dict:
    from datasette.utils import deep_dict_update
    return deep_dict_update(base, extra)


def _validated_cli_settings(values: dict[str, str]) -> dict[str, Any]:
    """Check -s NAME VALUE pairs against declared settings, with usage errors."""
    if not values:
        return {}
    plugin_loader.load_plugins()
    declared = collect_settings(plugin_loader.pm.get_plugins())
    from datasette.settings import coerce_setting
    checked = {}
    for name, value in values.items():
        if name not in declared:
            raise click.BadParameter(f"Invalid setting '{name}'", param_hint="'-s' / '--setting'")
        try:
            checked[name] = coerce_setting(declared[name], value)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="'-s' / '--setting'") from None
    return checked


def _get(ds: Any, path: str, token: str | None, actor: str | None) -> None:
    from datasette.utils.testing import TestClient
    headers, cookies = {}, {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if actor:
        try:
            cookies["ds_actor"] = ds.client.actor_cookie(json.loads(actor))
        except ValueError as error:
            raise click.BadParameter(f"not valid JSON: {error}", param_hint="'--actor'") from None
    response = TestClient(ds).get(path, headers=headers, cookies=cookies)
    click.echo(response.text)
    sys.exit(0 if response.status == 200 else 1)


def _print_settings() -> None:
    plugin_loader.load_plugins()
    declared = collect_settings(plugin_loader.pm.get_plugins())
    click.echo("Settings:")
    width = max(len(name) for name in declared)
    for setting in declared.values():
        default = json.dumps(setting.default) if not isinstance(setting.default, str) else setting.default
        click.echo(f"  {setting.name:<{width}}  {setting.help} (default={default})")


@cli.command()
@click.argument("files", type=click.Path(exists=True), nargs=-1)
@click.option("--inspect-file", default="-", help="Where to write the JSON (default: stdout)")
@click.option("sqlite_extensions", "--load-extension", envvar="DATASETTE_LOAD_EXTENSION", multiple=True,
              help="Path to a SQLite extension to load")
def inspect(files: tuple[str, ...], inspect_file: str, sqlite_extensions: tuple[str, ...]) -> None:
    """Generate JSON summary of provided database files (hash, size, table counts)."""
    try:
        data = inspect_files(files, _resolve_extensions(sqlite_extensions))
    except StartupError as error:
        raise click.ClickException(str(error)) from None
    text = json.dumps(data, indent=2)
    if inspect_file == "-":
        click.echo(text)
    else:
        Path(inspect_file).write_text(text)


@cli.command()
@click.option("--all", "all_", is_flag=True, help="Include built-in default plugins")
@click.option("--requirements", is_flag=True, help="Output requirements.txt of installed plugins")
@click.option("--plugins-dir", type=click.Path(exists=True, file_okay=False, dir_okay=True),
              help="Path to directory containing custom plugins")
def plugins(all_: bool, requirements: bool, plugins_dir: str | None) -> None:
    """List currently installed plugins"""
    try:
        plugin_loader.load_plugins()
        if plugins_dir:
            plugin_loader.load_plugins_dir(plugins_dir)
        disabled = plugin_loader.resolve_disabled(os.environ.get("DATASETTE_DISABLE_PLUGINS", "").split(","))
    except StartupError as error:
        raise click.ClickException(str(error)) from None
    found = [p for p in plugin_loader.get_plugins(plugin_loader.HookRelay(disabled)) if all_ or not p["builtin"]]
    if requirements:
        for plugin in found:
            if plugin["distribution"] and plugin["version"]:
                click.echo(f"{plugin['distribution']}=={plugin['version']}")
        return
    click.echo(json.dumps([{
        "name": p["name"], "static": bool(p["static_path"]), "templates": bool(p["templates_path"]),
        "version": p["version"], "hooks": p["hooks"], "enabled": p["enabled"]}
        for p in sorted(found, key=lambda p: p["name"])],
        indent=4))
