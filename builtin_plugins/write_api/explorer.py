"""``GET /-/api``: the API explorer, with example requests for what the actor may read and write."""
from __future__ import annotations

import json
import urllib.parse
from typing import Any

from datasette.utils.asgi import Request, Response
from jinja2 import TemplateNotFound
from markupsafe import escape

PLUGIN = "write_api"
CREATE_EXAMPLE = {"table": "new_table", "columns": [{"name": "id", "type": "integer"},
                                                    {"name": "name", "type": "text"}], "pk": "id"}


def explorer_link(datasette: Any, method: str, path: str, body: dict | None = None) -> str:
    """A link to this page that fills in its GET or POST form (the form reads the fragment)."""
    fragment = {"method": method, "path": path}
    if body is not None:
        fragment["json"] = json.dumps(body, indent=2)
    return datasette.urls.path("/-/api") + "#" + urllib.parse.urlencode(fragment)


def _columns_by_table(conn: Any) -> dict[str, list[tuple[str, int]]]:
    tables: dict[str, list[tuple[str, int]]] = {}
    sql = ("select m.name, p.name, p.pk from sqlite_master m join pragma_table_info(m.name) p "
           "where m.type = 'table' order by m.rowid, p.cid")
    for table, column, pk in conn.execute(sql):
        tables.setdefault(table, []).append((column, pk))
    return tables


async def _may(datasette: Any, actor: Any, action: str, resource: Any) -> bool:
    return bool(await datasette.permission_allowed(actor, action, resource=resource))


def _endpoint(datasette: Any, method: str, path: str, label: str, body: dict | None = None) -> dict:
    return {"path": path, "label": label, "href": explorer_link(datasette, method, path, body)}


async def table_endpoints(datasette: Any, actor: Any, db: Any, table: str, columns: list[tuple[str, int]]) -> list:
    """Example requests for one table: GET always; insert, upsert and drop when permitted."""
    urls = datasette.urls
    endpoints = [_endpoint(datasette, "GET", urls.table(db.name, table, format="json"), f"Get rows for {table}")]
    if not db.is_mutable:
        return endpoints
    resource = (db.name, table)
    base = urls.table(db.name, table)
    can_insert = await _may(datasette, actor, "insert-row", resource)
    if can_insert:
        example = {"rows": [{name: None for name, pk in columns if not pk}]}
        endpoints.append(_endpoint(datasette, "POST", f"{base}/-/insert", f"Insert rows into {table}", example))
    if can_insert and await _may(datasette, actor, "update-row", resource):
        pks = [name for name, pk in sorted(columns, key=lambda c: c[1]) if pk] or ["rowid"]
        example = {"rows": [{**{pk: None for pk in pks}, **{name: None for name, pk in columns if not pk}}]}
        endpoints.append(_endpoint(datasette, "POST", f"{base}/-/upsert", f"Upsert rows into {table}", example))
    if await _may(datasette, actor, "drop-table", resource):
        endpoints.append(_endpoint(datasette, "POST", f"{base}/-/drop", f"Drop table {table}", {"confirm": False}))
    return endpoints


async def database_section(datasette: Any, actor: Any, db: Any) -> dict | None:
    """The database's create link (if permitted) and its visible tables, or None if it is not visible."""
    visible, _ = await datasette.check_visibility(actor, permissions=[("view-database", db.name), "view-instance"])
    if not visible:
        return None
    section: dict[str, Any] = {"name": db.name, "create": None, "tables": []}
    if db.is_mutable and await _may(datasette, actor, "create-table", db.name):
        section["create"] = _endpoint(datasette, "POST", datasette.urls.database(db.name) + "/-/create",
                                      f"Create table in {db.name}", CREATE_EXAMPLE)
    hidden = set(await db.hidden_table_names())
    for table, columns in (await db.execute_fn(_columns_by_table)).items():
        if table in hidden:
            continue
        table_visible, _ = await datasette.check_visibility(
            actor, permissions=[("view-table", (db.name, table)), ("view-database", db.name), "view-instance"])
        if table_visible:
            section["tables"].append({"name": table,
                                      "endpoints": await table_endpoints(datasette, actor, db, table, columns)})
    return section


async def api_explorer_view(datasette: Any, request: Request) -> Response:
    """Render ``api_explorer.html``."""
    if request.method not in ("GET", "HEAD"):
        return Response.text("Method not allowed", status=405)
    actor = request.actor
    await datasette.ensure_permissions(actor, ["view-instance"])
    databases = []
    for db in datasette.databases.values():
        section = await database_section(datasette, actor, db)
        if section is not None:
            databases.append(section)
    context = {
        "databases": databases,
        "crumb_items": [{"href": datasette.urls.instance(), "label": "home"}],
        "explorer_js": datasette.urls.static_plugins(PLUGIN, "api-explorer.js"),
        "explorer_css": datasette.urls.static_plugins(PLUGIN, "api-explorer.css"),
    }
    try:
        html = await datasette.render_template(["api_explorer.html"], context, request=request,
                                               view_name="api_explorer")
    except TemplateNotFound:  # no base.html (the theme plugin is disabled): the links still work
        html = plain_html(databases)
    return Response.html(html)


def plain_html(databases: list[dict]) -> str:
    """The endpoint list without the page around it."""
    items = []
    for database in databases:
        endpoints = ([database["create"]] if database["create"] else []) + [
            endpoint for table in database["tables"] for endpoint in table["endpoints"]]
        items += [f'<li><a href="{escape(e["href"])}">{escape(e["path"])}</a> - {escape(e["label"])}</li>'
                  for e in endpoints]
    return "<!DOCTYPE html><title>API Explorer</title><h1>API Explorer</h1><ul>" + "".join(items) + "</ul>"
