"""The hooks the kernel offers to plugins.

Names and argument names match upstream Datasette 1.0a19, because published plugins
implement them. An implementation may accept any subset of the arguments (pluggy).

"Awaitable ok" means the implementation may return a value, a coroutine, or a
zero-argument callable returning either: the kernel awaits whatever comes back.
Unless a hook is marked ``firstresult``, every implementation is called and the
caller receives a list of results, newest-registered plugin first.

PLUGINS.md is generated from this module (``python -m datasette.docs``); keep the
docstrings in the shape "When. Returns. Who wins."
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterable, Union

from pluggy import HookimplMarker, HookspecMarker

if TYPE_CHECKING:  # pragma: no cover - typing only
    import sqlite3

    import click
    from jinja2 import Environment

    from datasette.app import Datasette
    from datasette.utils.asgi import Request, Response

hookspec = HookspecMarker("datasette")
hookimpl = HookimplMarker("datasette")

Maybe = Union[Any, Awaitable[Any], Callable[[], Any]]
"""A value, an awaitable, or a zero-argument callable returning either."""

Link = dict
"""``{"href": str, "label": str, "description"?: str}``"""


# -- lifecycle -------------------------------------------------------------------------


@hookspec
def startup(datasette: Datasette) -> Maybe:
    """Called once when the instance starts, before the first request is served.

    When: from ``await datasette.invoke_startup()`` (the ASGI lifespan startup, the
    first test-client request, or ``datasette serve`` before it binds), after
    ``register_events``, ``register_permissions`` and ``prepare_jinja2_environment``.
    Returns: nothing; awaitable ok. Every implementation runs.
    """


@hookspec
def asgi_wrapper(datasette: Datasette) -> Callable[[Any], Any]:
    """Wrap the whole ASGI application in middleware.

    When: once, when ``datasette.app()`` builds the application.
    Returns: a function ``wrap(app) -> app``. Every wrapper applies, in hook call
    order: the newest-registered plugin's wrapper is innermost, so built-in
    wrappers (such as gzip) see the final response.
    """


@hookspec
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Datasette) -> None:
    """Prepare a new SQLite connection: register SQL functions, aggregates, collations.

    When: every time a connection to an attached database is opened (never for the
    internal database).
    Returns: nothing. Every implementation runs.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``datasette`` command-line tool.

    When: when the CLI is imported. Decorate new commands with ``@cli.command()``.
    Returns: nothing. Every implementation runs.
    """


# -- templates and pages ---------------------------------------------------------------


@hookspec
def prepare_jinja2_environment(env: Environment, datasette: Datasette) -> Maybe:
    """Customise the Jinja environment: add filters, globals, tests.

    When: during startup, once per instance.
    Returns: nothing; awaitable ok. Every implementation runs.
    """


@hookspec
def jinja2_environment_from_request(
    datasette: Datasette, request: Request | None, env: Environment
) -> Environment | None:
    """Choose a different Jinja environment for one request (e.g. per-host themes).

    When: each time a template is rendered for a request.
    Returns: an ``Environment`` or None. The first non-None result is used.
    """


@hookspec
def extra_template_vars(
    template: str, database: str | None, table: str | None, columns: list[str] | None,
    view_name: str, request: Request | None, datasette: Datasette,
) -> Maybe:
    """Add variables to a template's context.

    When: every ``render_template`` call.
    Returns: a dict (awaitable ok). Every dict is merged into the context; on a key
    clash the older-registered plugin's value wins.
    """


@hookspec
def extra_css_urls(
    template: str, database: str | None, table: str | None, columns: list[str] | None,
    view_name: str, request: Request | None, datasette: Datasette,
) -> Maybe:
    """Add stylesheets to a page.

    When: every ``render_template`` call.
    Returns: a list of URL strings or ``{"url": str, "sri"?: str}`` dicts (awaitable
    ok). All results are concatenated, duplicates dropped.
    """


@hookspec
def extra_js_urls(
    template: str, database: str | None, table: str | None, columns: list[str] | None,
    view_name: str, request: Request | None, datasette: Datasette,
) -> Maybe:
    """Add scripts to a page.

    When: every ``render_template`` call.
    Returns: a list of URL strings or ``{"url": str, "sri"?: str, "module"?: bool}``
    dicts (awaitable ok). All results are concatenated, duplicates dropped.
    """


@hookspec
def extra_body_script(
    template: str, database: str | None, table: str | None, columns: list[str] | None,
    view_name: str, request: Request | None, datasette: Datasette,
) -> Maybe:
    """Add inline JavaScript at the end of the page body.

    When: every ``render_template`` call.
    Returns: a script string or ``{"script": str, "module"?: bool}`` (awaitable ok).
    Every result is included.
    """


@hookspec
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str,
    datasette: Datasette, request: Request | None,
) -> Maybe:
    """Customise how one cell value is shown in HTML.

    When: for every cell of every HTML table, row and query page.
    Returns: a string or ``markupsafe.Markup`` (awaitable ok), or None to decline.
    The first result that is not None once awaited wins, in call order: the
    newest-registered plugin (a third-party plugin before any built-in) goes first.
    """


@hookspec
def menu_links(datasette: Datasette, actor: dict | None, request: Request | None) -> Maybe:
    """Add links to the navigation menu.

    When: every page that renders the menu.
    Returns: a list of ``{"href", "label"}`` dicts (awaitable ok). All are shown.
    """


@hookspec
def homepage_actions(datasette: Datasette, actor: dict | None, request: Request) -> Maybe:
    """Add items to the actions menu of the index page.

    When: each time the index page is rendered as HTML.
    Returns: a list of ``{"href", "label", "description"?}`` (awaitable ok). All shown.
    """


@hookspec
def database_actions(
    datasette: Datasette, actor: dict | None, database: str, request: Request
) -> Maybe:
    """Add items to the actions menu of a database page.

    When: each time a database page is rendered as HTML.
    Returns: a list of ``{"href", "label", "description"?}`` (awaitable ok). All shown.
    """


@hookspec
def table_actions(
    datasette: Datasette, actor: dict | None, database: str, table: str, request: Request
) -> Maybe:
    """Add items to the actions menu of a table page.

    When: each time a table page is rendered as HTML.
    Returns: a list of ``{"href", "label", "description"?}`` (awaitable ok). All shown.
    """


@hookspec
def view_actions(
    datasette: Datasette, actor: dict | None, database: str, view: str, request: Request
) -> Maybe:
    """Add items to the actions menu of an SQL view's page.

    When: each time the page of an SQL view is rendered as HTML.
    Returns: a list of ``{"href", "label", "description"?}`` (awaitable ok). All shown.
    """


@hookspec
def row_actions(
    datasette: Datasette, actor: dict | None, request: Request, database: str,
    table: str, row: Any,
) -> Maybe:
    """Add items to the actions menu of a row page.

    When: each time a row page is rendered as HTML.
    Returns: a list of ``{"href", "label", "description"?}`` (awaitable ok). All shown.
    """


@hookspec
def query_actions(
    datasette: Datasette, actor: dict | None, database: str, query_name: str | None,
    request: Request, sql: str, params: dict,
) -> Maybe:
    """Add items to the actions menu of a query or canned query page.

    When: each time a query or canned query page is rendered as HTML.
    Returns: a list of ``{"href", "label", "description"?}`` (awaitable ok). All shown.
    """


@hookspec
def top_homepage(datasette: Datasette, request: Request) -> Maybe:
    """Add HTML at the top of the index page.

    When: each time the index page is rendered as HTML.
    Returns: an HTML string (awaitable ok). All results are concatenated.
    """


@hookspec
def top_database(datasette: Datasette, request: Request, database: str) -> Maybe:
    """Add HTML at the top of a database page.

    When: each time a database page is rendered as HTML.
    Returns: an HTML string (awaitable ok). All results are concatenated.
    """


@hookspec
def top_table(datasette: Datasette, request: Request, database: str, table: str) -> Maybe:
    """Add HTML at the top of a table page.

    When: each time a table page is rendered as HTML.
    Returns: an HTML string (awaitable ok). All results are concatenated.
    """


@hookspec
def top_row(
    datasette: Datasette, request: Request, database: str, table: str, row: Any
) -> Maybe:
    """Add HTML at the top of a row page.

    When: each time a row page is rendered as HTML.
    Returns: an HTML string (awaitable ok). All results are concatenated.
    """


@hookspec
def top_query(datasette: Datasette, request: Request, database: str, sql: str) -> Maybe:
    """Add HTML at the top of an arbitrary-SQL query page.

    When: each time an arbitrary-SQL query page is rendered as HTML.
    Returns: an HTML string (awaitable ok). All results are concatenated.
    """


@hookspec
def top_canned_query(
    datasette: Datasette, request: Request, database: str, query_name: str
) -> Maybe:
    """Add HTML at the top of a canned query page.

    When: each time a canned query page is rendered as HTML.
    Returns: an HTML string (awaitable ok). All results are concatenated.
    """


# -- data and output -------------------------------------------------------------------


@hookspec
def register_output_renderer(datasette: Datasette) -> dict | list[dict]:
    """Offer an output format, addressed by file extension (``/db/table.EXT``).

    When: once, when the instance is created.
    Returns: ``{"extension": str, "render": fn, "can_render"?: fn}`` or a list of
    them. ``render`` may take any of ``datasette, columns, rows, sql, query_name,
    database, table, request, view_name, truncated, error, args, data`` and returns a
    ``Response`` (or the legacy dict ``{body, content_type, status_code, headers}``).
    Table and view pages also pass ``stream_rows`` (an async callable
    ``stream_rows(batch_size=..., transform=None)`` iterating batches of every matching
    row by keyset pagination, for constant-memory exports; ``transform(rows)``, if
    given, runs in the database thread and its results are yielded instead; None
    where unavailable) and
    ``expanded_columns`` (foreign key columns whose cells are ``{"value", "label"}``).
    On a clash of extensions the newest-registered plugin's renderer wins, so a
    third-party renderer replaces a built-in one.
    """


@hookspec
def filters_from_request(
    request: Request, database: str, table: str, datasette: Datasette
) -> Maybe:
    """Turn query-string arguments into extra WHERE clauses on a table page.

    When: every table or view request.
    Returns: ``datasette.filters.FilterArguments`` or None (awaitable ok). All
    results are combined with AND.
    """


@hookspec
def canned_queries(datasette: Datasette, database: str, actor: dict | None) -> Maybe:
    """Provide named, saved SQL queries for a database.

    When: each time the canned queries of a database are listed or resolved.
    Returns: ``{name: sql_string_or_config_dict}`` (awaitable ok). All are merged
    over the queries from configuration.
    """


@hookspec
def register_magic_parameters(datasette: Datasette) -> list[tuple[str, Callable]]:
    """Offer ``:_prefix_key`` parameters resolved from the request in canned queries.

    When: each time a canned query runs, to resolve its ``:_prefix_key`` parameters.
    Returns: a list of ``(prefix, fn(key, request))`` pairs; ``fn`` may be async.
    All are registered.
    """


# -- actors, permissions, events -------------------------------------------------------


@hookspec
def actor_from_request(datasette: Datasette, request: Request) -> Maybe:
    """Identify who is making a request.

    When: every request, before routing to a view.
    Returns: an actor dict or None (awaitable ok). The first truthy result, in hook
    call order (newest-registered plugin first), becomes ``request.actor``.
    """


@hookspec(firstresult=True)
def actors_from_ids(datasette: Datasette, actor_ids: Iterable[str]) -> Maybe:
    """Look up full actor dicts for a list of actor IDs.

    When: ``await datasette.actors_from_ids(ids)``.
    Returns: ``{id: actor}`` (awaitable ok). ``firstresult``: the first non-None
    result wins; without one the kernel returns ``{id: {"id": id}}``.
    """


@hookspec
def register_permissions(datasette: Datasette) -> list[Any]:
    """Declare permissions (``datasette.Permission`` objects).

    When: during startup. Two declarations of one name or abbreviation that differ
    stop startup with an error.
    Returns: a list of ``Permission``. All are registered.
    """


@hookspec
def permission_allowed(
    datasette: Datasette, actor: dict | None, action: str, resource: str | tuple | None
) -> Maybe:
    """Decide whether an actor may perform an action on a resource.

    When: every ``await datasette.permission_allowed(...)``.
    Returns: True, False or None (awaitable ok). Every implementation is asked: any
    False vetoes, else any True allows, else the permission's default applies.
    """


@hookspec
def skip_csrf(datasette: Datasette, scope: dict) -> bool | None:
    """Exempt a request from CSRF protection.

    When: every POST that the CSRF middleware inspects.
    Returns: True to skip. Any True skips the check.
    """


@hookspec
def register_events(datasette: Datasette) -> Maybe:
    """Declare event classes (subclasses of ``datasette.events.Event``).

    When: during startup; they become ``datasette.event_classes``.
    Returns: a list of classes (awaitable ok). All are registered.
    """


@hookspec
def track_event(datasette: Datasette, event: Any) -> Maybe:
    """Receive every event fired with ``await datasette.track_event(event)``.

    When: each ``await datasette.track_event(event)`` (logins, writes, new tokens...).
    Returns: nothing (awaitable ok). Every implementation runs.
    """


# -- routing and errors ----------------------------------------------------------------


@hookspec
def register_routes(datasette: Datasette) -> list[tuple[str, Callable]]:
    """Add URL routes.

    When: once, when ``datasette.app()`` builds the router.
    Returns: a list of ``(regex, view)``. A view is a function or class, sync or
    async, taking any of ``datasette, request, scope, send, receive`` and returning
    a ``Response`` (or sending ASGI messages itself). Routes of newer-registered
    plugins are tried first, so a third-party route overrides a built-in one.
    """


@hookspec
def forbidden(datasette: Datasette, request: Request, message: str) -> Maybe:
    """Render the response to a ``Forbidden`` (403) error.

    When: a view raises ``Forbidden`` (for example when ``ensure_permissions`` denies).
    Returns: a ``Response`` or None (awaitable ok). The first non-None result is
    used; the built-in ``error_pages`` plugin answers last.
    """


@hookspec
def handle_exception(datasette: Datasette, request: Request, exception: Exception) -> Maybe:
    """Render the response to an uncaught exception or a 404.

    When: a view raises any other exception, including ``NotFound`` for unmatched URLs.
    Returns: a ``Response`` or None (awaitable ok). The first non-None result is
    used; the built-in ``error_pages`` plugin answers last.
    """
