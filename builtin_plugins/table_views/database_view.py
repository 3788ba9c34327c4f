"""The database page ``/<db>`` (HTML or JSON) and the ``/<db>.db`` download."""
from __future__ import annotations

import os
from typing import Any

from datasette.utils import escape_sqlite, make_slot_function, to_css_class
from datasette.utils.asgi import AsgiFileDownload, Forbidden, NotFound, Request, Response

from .metadata import page_metadata
from .responses import json_url, render_html, resolve_database
from .schema import get_schema

DATABASE_COUNT_LIMIT_MS = 100


async def database_download(datasette: Any, request: Request) -> Any:
    db = resolve_database(datasette, request)
    await datasette.ensure_permissions(request.actor, [
        ("view-database-download", db.name), ("view-database", db.name), "view-instance"])
    if db.is_memory or not db.path:
        raise NotFound("Invalid database")
    if not datasette.setting("allow_download") or db.is_mutable:
        raise Forbidden("Database download is forbidden")
    etag = f'"{db.hash}"'
    if request.headers.get("if-none-match") == etag:
        return Response("", status=304, headers={"ETag": etag})
    return AsgiFileDownload(db.path, filename=os.path.basename(db.path), content_type="application/octet-stream",
                            headers={"ETag": etag})


async def _visible(datasette: Any, actor: Any, checks: list) -> tuple[bool, bool]:
    return await datasette.check_visibility(actor, permissions=checks)


async def database_data(datasette: Any, request: Request, db: Any) -> dict[str, Any]:
    """The JSON of ``/<db>.json`` (also the HTML page's context)."""
    actor = request.actor
    schema = await get_schema(db)
    counts = await db.table_counts(limit=DATABASE_COUNT_LIMIT_MS)
    tables = []
    for name in schema.table_names:
        table = schema.tables[name]
        visible, private = await _visible(datasette, actor, [
            ("view-table", (db.name, name)), ("view-database", db.name), "view-instance"])
        if not visible:
            continue
        tables.append({
            "name": name, "columns": list(table.all_columns), "primary_keys": list(table.pks),
            "count": counts.get(name), "hidden": name in schema.hidden, "fts_table": table.fts_table,
            "foreign_keys": {"incoming": list(table.incoming), "outgoing": list(table.outgoing)},
            "private": private})
    tables.sort(key=lambda t: (t["hidden"], t["name"]))
    views = []
    for name in schema.view_names:
        visible, private = await _visible(datasette, actor, [
            ("view-table", (db.name, name)), ("view-database", db.name), "view-instance"])
        if visible:
            views.append({"name": name, "private": private})
    queries = []
    for query in (await datasette.get_canned_queries(db.name, actor)).values():
        visible, private = await _visible(datasette, actor, [
            ("view-query", (db.name, query["name"])), ("view-database", db.name), "view-instance"])
        if visible:
            queries.append({**query, "private": private})
    _, private = await _visible(datasette, actor, [("view-database", db.name), "view-instance"])
    allow_sql = await datasette.permission_allowed(actor, "execute-sql", db.name) is not False
    data: dict[str, Any] = {
        "database": db.name, "private": private, "path": datasette.urls.database(db.name),
        "size": db.size, "tables": tables, "hidden_count": len([t for t in tables if t["hidden"]]),
        "views": views, "queries": queries, "allow_execute_sql": allow_sql,
    }
    if allow_sql:
        data["table_columns"] = {name: sorted(schema.tables[name].all_columns) for name in schema.table_names}
        data["table_columns"].update({name: [] for name in schema.view_names})  # as upstream
    data["metadata"] = (await page_metadata(datasette, db.name))["database"]
    return data


async def database_view(datasette: Any, request: Request) -> Any:
    format_ = request.url_vars.get("format")
    db = resolve_database(datasette, request)
    if request.args.get("sql"):
        path = datasette.urls.database(db.name) + "/-/query" + (f".{format_}" if format_ else "")
        return Response.redirect(path + "?" + request.query_string)
    if format_ not in (None, "json", "jsono"):
        raise NotFound(f"Invalid format: {format_}")
    await datasette.ensure_permissions(request.actor, [("view-database", db.name), "view-instance"])
    data = await database_data(datasette, request, db)
    if format_ is not None:
        if "json" in datasette.renderers:
            response = await datasette.render_output(
                "json", request=request, args=request.args, data=data, database=db.name, table=None,
                view_name="database", columns=None, rows=None, sql=None, query_name=None, truncated=False,
                error=None)
        else:
            response = Response.json(data)
        return response
    return await _render_database_html(datasette, request, db, data)


async def _render_database_html(datasette: Any, request: Request, db: Any, data: dict) -> Response:
    show_hidden = bool(request.args.get("_show_hidden"))
    tables = [t for t in data["tables"] if show_hidden or not t["hidden"]]
    actions = []
    for result in await datasette.hook.gather("database_actions", datasette=datasette, actor=request.actor,
                                              database=db.name, request=request):
        actions.extend(result or [])
    first_table = next((t["name"] for t in data["tables"] if not t["hidden"]), None)
    download = None
    if datasette.setting("allow_download") and not db.is_mutable and not db.is_memory and db.path:
        visible, _ = await datasette.check_visibility(request.actor, permissions=[
            ("view-database-download", db.name), ("view-database", db.name), "view-instance"])
        if visible:
            download = {"url": datasette.urls.database(db.name) + ".db", "name": os.path.basename(db.path),
                        "size": db.size}
    metadata = data["metadata"]
    context = {
        **data, "tables": tables, "show_hidden": show_hidden, "database_color": db.color,
        "title": metadata.get("title") or db.name, "metadata": metadata,
        "default_sql": f"select * from {escape_sqlite(first_table)}" if first_table else "",
        "query_action": datasette.urls.database(db.name) + "/-/query",
        "show_hidden_url": datasette.urls.database(db.name) + "?_show_hidden=1",
        "hide_hidden_url": datasette.urls.database(db.name),
        "download": download, "actions": actions,
        "top_database": make_slot_function("top_database", datasette, request, database=db.name),
        "crumb_items": [{"href": datasette.urls.instance(), "label": "home"},
                        {"href": datasette.urls.database(db.name), "label": db.name}],
        "body_class": f"db db-{to_css_class(db.name)}",
        "table_css_url": datasette.urls.static_plugins("table_views", "table_views.css"),
    }
    templates = [f"database-{to_css_class(db.name)}.html", "database.html"]
    return await render_html(datasette, request, templates, context, "database", alternate=json_url(datasette, request),
                             cache=False)
