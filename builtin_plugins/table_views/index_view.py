"""The index page ``/`` (and ``/-/``): every database with its tables, counts and views."""
from __future__ import annotations

from typing import Any

from datasette.utils import make_slot_function
from datasette.utils.asgi import NotFound, Request, Response

from .metadata import page_metadata
from .responses import json_url, render_html
from .schema import get_schema

INDEX_COUNT_LIMIT_MS = 10
COUNT_SIZE_LIMIT = 100 * 1024 * 1024
TRUNCATE_AT = 5


async def database_summary(datasette: Any, request: Request, db: Any, sort_relationships: bool) -> dict:
    """One database's entry in ``/.json``."""
    actor = request.actor
    schema = await get_schema(db)
    show_counts = not db.is_mutable or db.is_memory or db.size < COUNT_SIZE_LIMIT
    counts = await db.table_counts(limit=INDEX_COUNT_LIMIT_MS) if show_counts else {}
    tables, hidden = [], []
    for name in schema.table_names:
        table = schema.tables[name]
        visible, private = await datasette.check_visibility(actor, permissions=[
            ("view-table", (db.name, name)), ("view-database", db.name), "view-instance"])
        if not visible:
            continue
        entry = {"name": name, "columns": list(table.columns), "primary_keys": list(table.pks),
                 "count": counts.get(name), "hidden": name in schema.hidden, "fts_table": table.fts_table,
                 "num_relationships_for_sorting": 0, "private": private}
        (hidden if entry["hidden"] else tables).append(entry)
    by_relationships = sort_relationships or not show_counts
    if by_relationships:
        for entry in tables:
            table = schema.tables[entry["name"]]
            entry["num_relationships_for_sorting"] = len(table.incoming) + len(table.outgoing)
        tables.sort(key=lambda t: (t["num_relationships_for_sorting"], t["name"]), reverse=True)
    else:
        tables.sort(key=lambda t: (t["count"] or 0, t["name"]), reverse=True)
    views = []
    for name in schema.view_names:
        visible, private = await datasette.check_visibility(actor, permissions=[
            ("view-table", (db.name, name)), ("view-database", db.name), "view-instance"])
        if visible:
            views.append({"name": name, "private": private})
    _, private = await datasette.check_visibility(actor, permissions=[("view-database", db.name), "view-instance"])
    combined = tables + views
    return {
        "name": db.name, "hash": db.hash, "color": db.color, "path": datasette.urls.database(db.name),
        "tables_and_views_truncated": combined[:TRUNCATE_AT],
        "tables_and_views_more": len(combined) > TRUNCATE_AT,
        "tables_count": len(tables),
        "table_rows_sum": sum(t["count"] or 0 for t in tables),
        "show_table_row_counts": show_counts,
        "hidden_table_rows_sum": sum(t["count"] or 0 for t in hidden),
        "hidden_tables_count": len(hidden),
        "views_count": len(views),
        "private": private,
    }


async def index_data(datasette: Any, request: Request) -> dict:
    databases = {}
    sort_relationships = request.args.get("_sort") == "relationships"
    for name, db in datasette.databases.items():
        visible, _ = await datasette.check_visibility(request.actor, permissions=[
            ("view-database", name), "view-instance"])
        if visible:
            databases[name] = await database_summary(datasette, request, db, sort_relationships)
    metadata = (await page_metadata(datasette, instance=True))["instance"]
    return {"databases": databases, "metadata": metadata}


async def _index(datasette: Any, request: Request, templates: list[str], noindex: bool) -> Any:
    format_ = request.url_vars.get("format")
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    data = await index_data(datasette, request)
    if format_ is not None:
        if format_ not in ("json", "jsono"):
            raise NotFound(f"Invalid format: {format_}")
        if "json" in datasette.renderers:
            response = await datasette.render_output(
                "json", request=request, args=request.args, data=data, database=None, table=None,
                view_name="index", columns=None, rows=None, sql=None, query_name=None, truncated=False, error=None)
        else:
            response = Response.json(data)
        return response
    actions = []
    for result in await datasette.hook.gather("homepage_actions", datasette=datasette, actor=request.actor,
                                              request=request):
        actions.extend(result or [])
    context = {
        "databases": list(data["databases"].values()), "metadata": data["metadata"],
        "title": data["metadata"].get("title") or "Datasette", "actions": actions, "noindex": noindex,
        "top_homepage": make_slot_function("top_homepage", datasette, request),
        "crumb_items": [], "body_class": "index",
        "table_css_url": datasette.urls.static_plugins("table_views", "table_views.css"),
    }
    return await render_html(datasette, request, templates, context, "index",
                             alternate=json_url(datasette, request, datasette.urls.instance(format="json")),
                             cache=False)


async def index_view(datasette: Any, request: Request) -> Any:
    return await _index(datasette, request, ["index.html"], noindex=False)


async def index_view_default(datasette: Any, request: Request) -> Any:
    return await _index(datasette, request, ["default:index.html"], noindex=True)
