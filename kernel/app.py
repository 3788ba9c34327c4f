"""The ``Datasette`` object: databases, settings, plugins and the API plugins call."""
from __future__ import annotations

import asyncio
import collections
import os
import secrets
import sys
import urllib.parse
from concurrent import futures
from pathlib import Path
from typing import Any, Iterable

from itsdangerous import URLSafeSerializer

from datasette import plugins as plugin_loader
from datasette.config_dir import read_config_dir
from datasette.database import Database
from datasette.inspect import check_inspect_data
from datasette.internal_db import init_internal_db, populate_schema_tables
from datasette.metadata import MetadataMixin
from datasette.permissions import PermissionsMixin
from datasette.settings import SETTINGS, Setting, collect_settings, validate_settings
from datasette.templates import TemplatesMixin
from datasette.url_builder import Urls
from datasette.utils import (
    StartupError,
    await_me_maybe,
    call_with_supported_arguments,
    deep_dict_update,
    escape_sqlite,
    move_plugins_and_allow,
    move_table_config,
    resolve_env_secrets,
    tilde_decode,
    urlsafe_components,
)
from datasette.utils.asgi import DatabaseNotFound, NotFound, Request, Response, RowNotFound, TableNotFound
from datasette.utils.sqlite import sqlite3
from datasette.version import __version__

INTERNAL_DB_NAME = "__INTERNAL__"
SQLITE_LIMIT_ATTACHED = 10
DEFAULT_SETTINGS = {s.name: s.default for s in SETTINGS}
pm = plugin_loader.pm


class Datasette(MetadataMixin, PermissionsMixin, TemplatesMixin):
    """One Datasette instance: its databases, configuration and plugins."""

    INFO, WARNING, ERROR = 1, 2, 3

    def __init__(
        self,
        files: list[str] | None = None,
        immutables: list[str] | None = None,
        cache_headers: bool = True,
        cors: bool = False,
        inspect_data: dict | None = None,
        config: dict | None = None,
        metadata: dict | None = None,
        sqlite_extensions: list | None = None,
        template_dir: str | None = None,
        plugins_dir: str | None = None,
        static_mounts: list[tuple[str, str]] | None = None,
        memory: bool = False,
        settings: dict | None = None,
        secret: str | None = None,
        version_note: str | None = None,
        config_dir: Path | None = None,
        pdb: bool = False,
        crossdb: bool = False,
        nolock: bool = False,
        internal: str | None = None,
        disabled_plugins: Iterable[str] | None = None,
    ) -> None:
        if isinstance(files, str):
            raise ValueError("files= must be a list of paths, not a string")
        self.config_dir = Path(config_dir) if config_dir else None
        if self.config_dir:
            found = read_config_dir(self.config_dir)
            immutables = list(immutables or found.get("immutables") or [])
            files = list(files or [])
            files += [f for f in found["files"] if f not in immutables and f not in files]
            config, metadata = config or found.get("config"), metadata or found.get("metadata")
            inspect_data = inspect_data or found.get("inspect_data")
            template_dir = template_dir or found.get("template_dir")
            plugins_dir = plugins_dir or found.get("plugins_dir")
            static_mounts = static_mounts or found.get("static_mounts")
        self.files = tuple(files or []) + tuple(immutables or [])
        self.immutables = set(immutables or [])
        for path in self.files:
            if not os.path.exists(path):
                raise StartupError(f"Database file not found: {path}")
        self.inspect_data = inspect_data
        self.cache_headers, self.cors, self.pdb = cache_headers, cors, pdb
        self.crossdb, self.nolock, self.version_note = crossdb, nolock, version_note
        self.sqlite_extensions = list(sqlite_extensions or [])
        if self.sqlite_extensions and not hasattr(sqlite3.Connection, "enable_load_extension"):
            raise StartupError("This Python's sqlite3 module cannot load SQLite extensions")
        self.template_dir = template_dir
        self.plugins_dir = plugins_dir
        self.static_mounts = list(static_mounts or [])
        self._secret = secret or secrets.token_hex(32)
        self._serializers: dict[str, URLSafeSerializer] = {}
        self._root_token: str | None = None
        self.urls = Urls(self)
        self.renderers: dict[str, Any] = {}
        self.event_classes: tuple = ()
        self._permission_checks: collections.deque = collections.deque(maxlen=200)
        self._startup_invoked = False
        self._startup_lock = asyncio.Lock()
        self._refresh_lock: asyncio.Lock | None = None
        self._schema_versions: dict[str, int] = {}
        self._metadata_applied = False

        self.config, self._metadata_local = self._load_config(config, metadata)
        plugin_loader.load_plugins()
        if plugins_dir:
            plugin_loader.load_plugins_dir(plugins_dir)
        disabled = list(disabled_plugins or []) + list(self.config.get("disabled_plugins") or [])
        disabled += [n for n in os.environ.get("DATASETTE_DISABLE_PLUGINS", "").split(",") if n]
        self._disabled_plugins = plugin_loader.resolve_disabled(disabled)
        self.hook = plugin_loader.HookRelay(self._disabled_plugins)
        self.settings_declared: dict[str, Setting] = collect_settings(self.enabled_plugins())
        try:
            self._settings = validate_settings(
                self.settings_declared, self.config.get("settings") or {}, "datasette.json")
            if settings:  # keyword settings override only the keys they name
                overrides = validate_settings(self.settings_declared, settings, "settings=")
                self._settings.update({key: overrides[key] for key in settings})
        except ValueError as error:
            raise StartupError(str(error)) from None
        threads = self._settings["num_sql_threads"]
        self.executor = futures.ThreadPoolExecutor(max_workers=threads) if threads else None

        self.databases: collections.OrderedDict[str, Database] = collections.OrderedDict()
        self._internal_database = self._make_internal_database(internal)
        for path in self.files:
            self.add_database(Database(self, path, is_mutable=path not in self.immutables))
        if memory or crossdb or not self.files:
            self.add_database(Database(self, is_memory=True), name="_memory")
        self._inspected_databases, warnings = check_inspect_data(inspect_data, self.databases.values())
        for warning in warnings:
            print(f"Warning: {warning}", file=sys.stderr)
        self._register_renderers()

    # -- configuration -------------------------------------------------------------

    def _load_config(self, config: dict | None, metadata: dict | None) -> tuple[dict, dict]:
        config = deep_dict_update({}, config or {})
        metadata = deep_dict_update({}, metadata or {})
        if metadata:
            metadata, config = move_plugins_and_allow(metadata, config)
            metadata, config = move_table_config(metadata, config)
        for db_name, db_config in (config.get("databases") or {}).items():
            for name, query in ((db_config or {}).get("queries") or {}).items():
                if not isinstance(query, str) and not (isinstance(query, dict) and isinstance(query.get("sql"), str)):
                    raise StartupError(f"databases.{db_name}.queries.{name} must be SQL text "
                                       f"or an object with a \"sql\" key")
        return config, metadata

    def enabled_plugins(self) -> list[Any]:
        """Registered plugins this instance uses, in registration order."""
        return [p for p in plugin_loader.pm.get_plugins() if self.hook.is_enabled(p)]

    def __getattr__(self, name: str) -> Any:
        """Methods that plugins add, declared as data: ``DATASETTE_METHODS = {name: fn}``.

        Upstream's API has methods such as ``create_token`` whose logic belongs to a
        plugin here; the plugin declares them and they vanish when it is disabled.
        """
        if name.startswith("_") or "hook" not in self.__dict__:
            raise AttributeError(name)
        for plugin in reversed(self.enabled_plugins()):
            method = (getattr(plugin, "DATASETTE_METHODS", None) or {}).get(name)
            if method is not None:
                return method.__get__(self)
        raise AttributeError(f"'Datasette' object has no attribute {name!r} "
                             f"(a plugin providing it may be disabled)")

    def setting(self, key: str) -> Any:
        """The value of one setting."""
        return self._settings.get(key)

    def settings_dict(self) -> dict[str, Any]:
        """Every setting with its current value."""
        return dict(self._settings)

    def plugin_config(self, plugin_name: str, database: str | None = None,
                      table: str | None = None, fallback: bool = True) -> Any:
        """A plugin's configuration, table -> database -> instance, with $env/$file resolved."""
        config = self.config or {}
        db_config = (config.get("databases") or {}).get(database or "", {}) or {}
        candidates = []
        if database and table:
            candidates.append(((db_config.get("tables") or {}).get(table) or {}).get("plugins"))
        if database and (fallback or not table):
            candidates.append(db_config.get("plugins"))
        if fallback or not database:
            candidates.append(config.get("plugins"))
        for plugins in candidates:
            if plugins and plugin_name in plugins:
                return resolve_env_secrets(plugins[plugin_name], os.environ)
        return None

    async def table_config(self, database: str, table: str) -> dict:
        """The ``databases.<db>.tables.<table>`` block of the configuration."""
        databases = (self.config or {}).get("databases") or {}
        return ((databases.get(database) or {}).get("tables") or {}).get(table) or {}

    # -- databases -----------------------------------------------------------------

    def _make_internal_database(self, internal: str | None) -> Database:
        if internal:
            db = Database(self, path=internal, mode="rwc")
        else:
            db = Database(self, memory_name=secrets.token_hex(8))
        db.name = db.route = INTERNAL_DB_NAME
        return db

    def get_internal_database(self) -> Database:
        """The internal database holding the catalog and metadata tables."""
        return self._internal_database

    def add_database(self, db: Database, name: str | None = None, route: str | None = None) -> Database:
        """Attach a database; a taken name gets ``_2``, ``_3``… appended."""
        original = name or db.suggest_name()
        name, suffix = original, 2
        while name in self.databases:
            name, suffix = f"{original}_{suffix}", suffix + 1
        db.name, db.route = name, route or name
        self.databases = collections.OrderedDict({**self.databases, name: db})
        return db

    def add_memory_database(self, memory_name: str) -> Database:
        """Attach a named, shared in-memory database."""
        return self.add_database(Database(self, memory_name=memory_name))

    def remove_database(self, name: str) -> None:
        """Detach a database and close its connections."""
        db = self.databases[name]
        self.databases = collections.OrderedDict((k, v) for k, v in self.databases.items() if k != name)
        db.close()

    def get_database(self, name: str | None = None, route: str | None = None) -> Database:
        """A database by name or route; the first one when neither is given."""
        if route is not None:
            for db in self.databases.values():
                if db.route == route:
                    return db
            raise KeyError(route)
        if name is None:
            if not self.databases:
                raise KeyError("No databases")
            return next(iter(self.databases.values()))
        return self.databases[name]

    async def execute(self, db_name: str, sql: str, params: Any = None, truncate: bool = False,
                      custom_time_limit: int | None = None, page_size: int | None = None,
                      log_sql_errors: bool = True) -> Any:
        """Run a read-only query against a database by name."""
        return await self.databases[db_name].execute(
            sql, params=params, truncate=truncate, custom_time_limit=custom_time_limit,
            page_size=page_size, log_sql_errors=log_sql_errors)

    def _prepare_connection(self, conn: sqlite3.Connection, database: str) -> None:
        if self.sqlite_extensions:
            conn.enable_load_extension(True)
            for extension in self.sqlite_extensions:
                path, _, entrypoint = str(extension).partition(":")
                conn.execute("select load_extension(?, ?)", [path, entrypoint]) if entrypoint \
                    else conn.execute("select load_extension(?)", [path])
            conn.enable_load_extension(False)
        if self.crossdb and database == "_memory":
            self._attach_databases(conn)
        self.hook.prepare_connection(conn=conn, database=database, datasette=self)

    def _attach_databases(self, conn: sqlite3.Connection) -> None:
        """``--crossdb``: attach the first ten file databases to ``_memory`` for joins."""
        files = [db for db in self.databases.values() if db.path and not db.is_memory]
        if len(files) > SQLITE_LIMIT_ATTACHED:
            print(f"Warning: --crossdb attaches only the first {SQLITE_LIMIT_ATTACHED} databases",
                  file=sys.stderr)
        for db in files[:SQLITE_LIMIT_ATTACHED]:
            mode = "mode=ro" if db.is_mutable else "immutable=1"
            conn.execute(f"ATTACH DATABASE 'file:{Path(db.path).as_posix()}?{mode}' AS {escape_sqlite(db.name)}")

    def _register_renderers(self) -> None:
        """Collect output renderers; on an extension clash the newest plugin wins."""
        for result in reversed(self.hook.register_output_renderer(datasette=self)):
            for renderer in result if isinstance(result, list) else [result]:
                self.renderers[renderer["extension"]] = (
                    renderer.get("render") or renderer["callback"],
                    renderer.get("can_render") or (lambda: True),
                )

    async def render_output(self, extension: str, **kwargs: Any) -> Any:
        """Render with the output renderer registered for ``extension``.

        ``kwargs`` may hold any of the renderer arguments of ``register_output_renderer``;
        each renderer receives only those it names. Raises ``KeyError`` for an unknown
        extension and ``NotFound("No data")`` when the renderer returns None.
        """
        render = self.renderers[extension][0]
        result = await await_me_maybe(call_with_supported_arguments(render, datasette=self, **kwargs))
        if result is None:
            raise NotFound("No data")
        if isinstance(result, dict):  # the legacy renderer return value
            result = Response(result.get("body"), status=result.get("status_code", 200),
                              headers=result.get("headers") or {},
                              content_type=result.get("content_type", "text/plain"))
        return result

    # -- lifecycle -------------------------------------------------------------------

    async def invoke_startup(self) -> None:
        """Run startup hooks once: events, permissions, Jinja environment, ``startup``.

        Concurrent first requests wait for one run instead of each starting their own.
        """
        if self._startup_invoked:
            return
        async with self._startup_lock:
            if not self._startup_invoked:
                await self._invoke_startup()

    async def _invoke_startup(self) -> None:
        plugin_loader.check_pending()
        classes = []
        for result in await self.hook.gather("register_events", datasette=self):
            classes.extend(result or [])
        self.event_classes = tuple(classes)
        self._register_permissions(self.hook.register_permissions(datasette=self))
        await self._prepare_jinja_environment()
        await self.refresh_schemas()
        for db in self.databases.values():  # hashes of large immutable files must not hold up a request
            db.hash_in_background()
        await self.hook.gather("startup", datasette=self)
        self._startup_invoked = True

    async def check_databases(self) -> None:
        """Open every database once, so a file that is not SQLite fails at startup."""
        for name, db in [*self.databases.items(), ("internal", self._internal_database)]:
            try:
                await db.execute_fn(lambda conn: conn.execute("select count(*) from sqlite_master").fetchall())
            except sqlite3.DatabaseError as error:
                raise StartupError(f"Could not open database {name!r} ({db.path}): {error}") from None

    async def refresh_schemas(self) -> None:
        """Re-read the catalog of every database whose schema version changed."""
        if self._refresh_lock is None:
            self._refresh_lock = asyncio.Lock()
        async with self._refresh_lock:
            internal = self.get_internal_database()
            if not self._metadata_applied:
                await init_internal_db(internal)
                await self._apply_metadata()
                self._metadata_applied = True
            for name, db in list(self.databases.items()):
                version = await db.schema_version() if hasattr(db, "schema_version") else (
                    await db.execute("PRAGMA schema_version")).first()[0]
                if self._schema_versions.get(name) != version:
                    await populate_schema_tables(internal, db)
                    self._schema_versions[name] = version

    # -- signing, messages, URLs -------------------------------------------------------

    def _serializer(self, namespace: str) -> URLSafeSerializer:
        serializer = self._serializers.get(namespace)
        if serializer is None:
            serializer = self._serializers[namespace] = URLSafeSerializer(self._secret, namespace)
        return serializer

    def sign(self, value: Any, namespace: str = "default") -> str:
        """Sign a JSON-able value with the instance secret; ``namespace`` is the salt."""
        return self._serializer(namespace).dumps(value)

    def unsign(self, signed: str, namespace: str = "default") -> Any:
        """Verify and decode a signed value; raises ``itsdangerous.BadSignature``."""
        return self._serializer(namespace).loads(signed)

    def add_message(self, request: Request, message: str, type: int = INFO) -> None:
        """Queue a message to show on the next page this browser renders."""
        if not hasattr(request, "_messages"):
            request._messages = []
        request._messages.append((message, type))
        request._messages_changed = True

    def _show_messages(self, request: Request) -> list:
        messages = getattr(request, "_messages", None) or []
        if messages:
            request._messages = []
            request._messages_changed = True
        return messages

    def absolute_url(self, request: Request, path: str) -> str:
        """An absolute URL for a path, honouring ``force_https_urls``."""
        url = urllib.parse.urljoin(request.url, path)
        if url.startswith("http://") and self.setting("force_https_urls"):
            url = "https://" + url[len("http://"):]
        return url

    # -- events and actors -------------------------------------------------------------

    async def track_event(self, event: Any) -> None:
        """Send an event to every ``track_event`` implementation."""
        assert isinstance(event, self.event_classes), f"Event {event} is not registered"
        await self.hook.gather("track_event", datasette=self, event=event)

    async def actors_from_ids(self, actor_ids: Iterable[str]) -> dict[str, dict]:
        """Full actor dicts for IDs, from the first plugin that answers."""
        result = await self.hook.first("actors_from_ids", datasette=self, actor_ids=actor_ids)
        return result if result is not None else {actor_id: {"id": actor_id} for actor_id in actor_ids}

    # -- resolving URLs to objects -----------------------------------------------------

    async def resolve_database(self, request: Request) -> Database:
        route = tilde_decode(request.url_vars["database"])
        try:
            return self.get_database(route=route)
        except KeyError:
            raise DatabaseNotFound(route) from None

    async def resolve_table(self, request: Request) -> Any:
        db = await self.resolve_database(request)
        table = tilde_decode(request.url_vars["table"])
        is_view = False
        if not await db.table_exists(table):
            is_view = await db.view_exists(table)
            if not is_view:
                raise TableNotFound(db.name, table)
        return ResolvedTable(db, table, is_view)

    async def resolve_row(self, request: Request) -> Any:
        resolved = await self.resolve_table(request)
        db, table = resolved.db, resolved.table
        pk_values = urlsafe_components(request.url_vars["pks"])
        pks = await db.primary_keys(table) or ["rowid"]
        if len(pks) != len(pk_values):
            raise RowNotFound(db.name, table, pk_values)
        where = " and ".join(f"{escape_sqlite(pk)} = :p{i}" for i, pk in enumerate(pks))
        select = "rowid, *" if pks == ["rowid"] else "*"
        sql = f"select {select} from {escape_sqlite(table)} where {where}"
        params = {f"p{i}": value for i, value in enumerate(pk_values)}
        row = (await db.execute(sql, params)).first()
        if row is None:
            raise RowNotFound(db.name, table, pk_values)
        return ResolvedRow(db, table, sql, params, pks, pk_values, row)

    # -- ASGI ----------------------------------------------------------------------------

    def app(self) -> Any:
        """The ASGI application, wrapped by every ``asgi_wrapper`` plugin."""
        from datasette.router import build_app
        return build_app(self)

    @property
    def client(self) -> Any:
        """An async HTTP client that calls this instance in-process."""
        from datasette.client import DatasetteClient
        client = self.__dict__.get("_client")
        if client is None:
            client = self.__dict__["_client"] = DatasetteClient(self)
        return client

    def close(self) -> None:
        """Close every database connection and the thread pool."""
        for db in list(self.databases.values()) + [self._internal_database]:
            db.close()
        if self.executor:
            self.executor.shutdown(wait=False)


class ResolvedTable(collections.namedtuple("ResolvedTable", "db table is_view")):
    """A table or view addressed by a request."""


class ResolvedRow(collections.namedtuple("ResolvedRow", "db table sql params pks pk_values row")):
    """A row addressed by a request."""


__all__ = ["Datasette", "Database", "pm", "INTERNAL_DB_NAME", "SQLITE_LIMIT_ATTACHED", "DEFAULT_SETTINGS",
           "NotFound"]
