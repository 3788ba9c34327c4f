"""The arbitrary-SQL view (``/<db>/-/query``) and the canned query view (``/<db>/<name>``)."""
from __future__ import annotations

from typing import Any

from datasette.utils import tilde_decode, validate_sql_select
from datasette.router import PassToNextRoute
from datasette.utils.asgi import Forbidden, NotFound, Request, Response, TableNotFound
from datasette.views.base import DatasetteError

from .execution import QueryResult, run_query, time_limit
from .page import RENDERER_VIEW_NAME, QueryPage, render_html
from .params import UnresolvedParameter, parameter_names, request_params, resolve_magic

QUERY_ROUTE = r"/(?P<database>[^/.]+)/-/query(\.(?P<format>\w+))?$"
CANNED_QUERY_ROUTE = r"/(?P<database>[^/.]+)/(?P<table>[^/.]+)(\.(?P<format>\w+))?$"


def _method_not_allowed(request: Request, message: str = "Method not allowed") -> Response:
    if request.url_vars.get("format") == "json" or \
            request.headers.get("content-type", "").startswith("application/json"):
        return Response.json({"ok": False, "error": message}, status=405)
    return Response.text(message, status=405)


def output_format(datasette: Any, request: Request) -> str | None:
    """The requested renderer extension, or None for HTML; 404 for an unknown one."""
    fmt = request.url_vars.get("format")
    if fmt is not None and fmt not in datasette.renderers:
        raise NotFound(f"Invalid format: {fmt}")
    return fmt


async def respond(page: QueryPage, fmt: str | None) -> Any:
    """The HTML page, or the output of the renderer registered for ``fmt``."""
    if fmt is None:
        return await render_html(page)
    result = page.result or QueryResult()
    data: dict[str, Any] = {"ok": result.error is None, "rows": result.rows, "truncated": result.truncated,
                            "columns": result.columns}
    if result.error is not None:
        data["error"] = result.error
    response = await page.datasette.render_output(
        fmt, columns=result.columns, rows=result.rows, sql=page.sql, query_name=page.query_name,
        database=page.db.name, table=None, request=page.request, view_name=RENDERER_VIEW_NAME,
        truncated=result.truncated, error=result.error, args=page.request.args, data=data,
        stream_rows=None)
    headers = getattr(response, "headers", None)
    if isinstance(headers, dict):
        for key, value in page.headers.items():
            headers.setdefault(key, value)
    return response


async def query_view(datasette: Any, request: Request) -> Any:
    """``GET /<db>/-/query(.<format>)?sql=...``: run read-only SQL with named parameters."""
    if request.method == "OPTIONS":
        return Response.text("ok")
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed(request)
    db = await datasette.resolve_database(request)
    await datasette.ensure_permissions(
        request.actor, [("execute-sql", db.name), ("view-database", db.name), "view-instance"])
    fmt = output_format(datasette, request)
    sql = request.args.get("sql")
    if sql is None and fmt is None:  # a blank editor
        return await render_html(QueryPage(datasette, request, db, "", [], {}, None))
    sql = sql or ""
    validate_sql_select(sql)
    names = parameter_names(sql)
    params = request_params(request, names)
    result = await run_query(db, sql, params, time_limit(request))
    return await respond(QueryPage(datasette, request, db, sql, names, params, result), fmt)


def cache_headers(datasette: Any, request: Request) -> dict[str, str]:
    """``Cache-Control`` (``default_cache_ttl``, or ``?_ttl=``) and ``Referrer-Policy``, as table pages send."""
    headers = {"Referrer-Policy": "no-referrer"}
    ttl = datasette.setting("default_cache_ttl")
    requested = request.args.get("_ttl")
    if requested is not None and requested.isdigit():
        ttl = int(requested)
    if datasette.cache_headers and ttl is not None:  # private: a signed-in actor's page is theirs alone
        headers["Cache-Control"] = ("private, " if request.actor else "") + f"max-age={ttl}" if ttl else "no-cache"
    return headers


async def canned_query_view(datasette: Any, request: Request) -> Any:
    """``GET /<db>/<name>(.<format>)``: a canned query from configuration or the ``canned_queries`` hook.

    Both this route and the table view's are ``trylast``; pluggy tries this one first.
    Anything that is not a canned query, or whose name a table or view also has (the
    table wins, as upstream), passes on to the table view. The table check only runs
    for canned query names, so table pages pay just the canned-query lookup.
    """
    db = await datasette.resolve_database(request)
    name = tilde_decode(request.url_vars["table"])
    canned = await datasette.get_canned_query(db.name, name, request.actor)
    if canned is None or await db.table_exists(name) or await db.view_exists(name):
        raise PassToNextRoute(TableNotFound(db.name, name))
    visible, private = await datasette.check_visibility(
        request.actor, permissions=[("view-query", (db.name, name)), ("view-database", db.name), "view-instance"])
    if not visible:
        raise Forbidden("view-query")
    if request.method == "POST" and canned.get("write"):  # the write_api plugin runs them; it is disabled
        raise DatasetteError("Writable canned queries need the write_api plugin, which is disabled",
                             title="Method not allowed", status=405)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return _method_not_allowed(request)
    fmt = output_format(datasette, request)
    sql = str(canned.get("sql") or "")
    names = parameter_names(sql, canned)
    params = request_params(request, names)
    page = QueryPage(datasette, request, db, sql, names, params, QueryResult(), canned=canned, private=private)
    if not canned.get("write"):
        try:
            await resolve_magic(datasette, request, sql, params)
        except UnresolvedParameter as error:
            page.result = QueryResult(error=str(error))
        else:
            page.result = await run_query(db, sql, params, time_limit(request))
    response = await respond(page, fmt)
    if getattr(response, "status", None) == 200:
        for key, value in cache_headers(datasette, request).items():
            response.headers.setdefault(key, value)
    return response
